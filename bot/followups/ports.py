"""What follow-ups and events need from the outside: stored jobs, the outbox, the webhook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.observability.funnel import Backlog, FunnelRow


@dataclass(frozen=True, slots=True)
class Job:
    """A lead's stored nudge: which delay of the schedule, and when it is due."""

    id: int
    lead_id: int
    step: int
    due_at: datetime


class JobStore(Protocol):
    """Nudges in the database: one open per lead, each claimed by exactly one process."""

    async def plan(self, lead_id: int, step: int, due_at: datetime) -> Job:
        """Replace the lead's open nudge (if any) with this one."""
        ...

    async def cancel(self, lead_id: int) -> int:
        """Cancel the lead's open nudge; how many were cancelled (0 or 1)."""
        ...

    async def claim_due(self, now: datetime, limit: int = 50) -> list[Job]:
        """Atomically mark due nudges claimed and return them; a second caller gets none."""
        ...

    async def finish(self, job_id: int, status: str) -> None:
        """How a claimed nudge ended: ``done``, ``skipped``, ``deferred`` or ``cancelled``."""
        ...

    async def open_for(self, lead_id: int) -> Job | None:
        """The lead's open nudge, if any."""
        ...

    async def release_stale(self, before: datetime) -> int:
        """Make nudges claimed before ``before`` (by a process that died) due again."""
        ...


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event of the outbox, claimed for one delivery attempt."""

    id: int
    event_id: str
    event: str
    occurred_at: datetime
    attempts: int
    lead_id: int | None
    appointment_id: int | None
    first_attempt: datetime
    """When delivery was first tried, by the bot's clock: retries go on for a day from it."""


class OutboxStore(Protocol):
    """The durable outbox of events (written with the change itself)."""

    async def claim(self, now: datetime, hold_until: datetime, limit: int = 20
                    ) -> list[PendingEvent]:
        """Atomically take events due for an attempt, hidden from others until ``hold_until``."""
        ...

    async def delivered(self, outbox_id: int, now: datetime) -> None:
        """The receiver took it."""
        ...

    async def retry(self, outbox_id: int, at: datetime, error: str) -> None:
        """Try again at ``at``."""
        ...

    async def give_up(self, outbox_id: int, now: datetime, error: str) -> None:
        """No more attempts."""
        ...

    async def payload(self, event: PendingEvent) -> dict[str, Any]:
        """The JSON body of an event: the lead and appointment as stored now."""
        ...

    async def prune(self, settled_before: datetime, undelivered_before: datetime | None) -> int:
        """Forget events delivered or given up before ``settled_before`` (and, without a
        webhook, any that happened before ``undelivered_before``); how many."""
        ...

    async def backlog(self, now: datetime) -> Backlog:
        """Counts for /stats."""
        ...


class EventSender(Protocol):
    """Posts one signed event body (the webhook in production)."""

    async def post(self, body: bytes) -> None:
        """Deliver the body; raises when the receiver did not accept it."""
        ...


class FunnelStore(Protocol):
    """The funnel per source and per agent, from the database."""

    async def funnel(self, since: datetime, by: str) -> list[FunnelRow]:
        """Leads created since ``since``, grouped ``by`` "source" or "agent"."""
        ...


class PrivacyStore(Protocol):
    """What ``/forget`` erases, and the lead's deep-link source."""

    async def forget(self, lead_id: int) -> int:
        """Erase the lead's personal data and messages; keep anonymous counts. Rows changed."""
        ...

    async def set_source(self, lead_id: int, source: str) -> bool:
        """Store the lead's source unless one is stored already; True when stored."""
        ...

    async def taken_over(self, lead_id: int) -> bool:
        """Whether an agent has taken the lead over (the bot stays quiet)."""
        ...

    async def last_inbound(self, lead_id: int) -> datetime | None:
        """When the lead last wrote."""
        ...
