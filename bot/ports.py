"""Ports: what the core needs from the outside world, as ``typing.Protocol``.

Real adapters live in ``integrations/`` and ``handlers/``; tests pass in-memory or loopback fakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.domain import BrainReply, EventRequest, Interval, Lead, Meeting, Message


class CalendarProvider(Protocol):
    """An agent's calendar: free/busy for many calendars at once, and events."""

    async def busy(
        self, calendar_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, list[Interval]]:
        """Busy intervals per calendar id within [start, end), one request for all."""
        ...

    async def create_event(self, event: EventRequest) -> str:
        """Create the event with the id chosen by us; an existing id counts as created."""
        ...

    async def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Delete the event; one already gone counts as deleted."""
        ...


class MeetingProvider(Protocol):
    """Video meetings (Zoom, or links from a template)."""

    async def create(
        self, *, topic: str, start: datetime, duration_minutes: int, timezone: str,
        key: str = "",
    ) -> Meeting:
        """Create a scheduled meeting tagged with ``key`` and return its id and join link."""
        ...

    async def find(self, key: str) -> Meeting | None:
        """The upcoming meeting created with ``key``, if any: a create whose answer was lost
        (a timeout) may still have made one."""
        ...

    async def delete(self, meeting_id: str) -> None:
        """Delete the meeting; one already gone counts as deleted."""
        ...


@dataclass(frozen=True, slots=True)
class BrainContext:
    """Everything a brain may see for one reply. Nothing of other leads is ever in here."""

    lead: Lead
    history: Sequence[Message]
    """The last messages of this lead, oldest first, the current inbound one last."""
    now: datetime
    """Now, in the lead's zone (the agent's zone while the lead's is unknown)."""
    agency_name: str
    agent_name: str | None = None
    offers: Sequence[str] = ()
    """Labels of the slots currently offered, numbered from 1 in this order."""
    appointment: str | None = None
    """Label of the lead's upcoming booked meeting, if any."""
    missing: tuple[str, ...] = ()
    """Lead details still missing, by tool argument name (``name``, ``phone``...)."""
    awaiting: str | None = None
    """What the bot last asked for and waits on (``phone``, ``timezone``, ``topic``...)."""

    @property
    def text(self) -> str:
        """The lead's current message."""
        return self.history[-1].content if self.history else ""


class Brain(Protocol):
    """Turns the conversation so far into a reply and/or tool calls."""

    async def reply(self, context: BrainContext) -> BrainReply:
        """Answer the lead's latest message."""
        ...


@dataclass(frozen=True, slots=True)
class Button:
    """One tappable choice; ``data`` is opaque and at most 64 bytes."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (e.g. the .ics invite)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class OutMessage:
    """A message for a lead or an agent, independent of how it is delivered."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    request_contact: bool = False
    attachment: Attachment | None = None
    extra: dict[str, str] = field(default_factory=dict)


class Notifier(Protocol):
    """Delivers messages to a chat (Telegram, the terminal, or a list in tests)."""

    async def send(self, chat_id: int, message: OutMessage) -> None:
        """Send one message to one chat."""
        ...
