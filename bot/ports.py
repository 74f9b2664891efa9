"""Ports: what the core needs from the outside world, as ``typing.Protocol``.

Real adapters live in ``integrations/`` and ``handlers/``; tests pass in-memory or loopback fakes.
The ``Brain`` port lives with the conversation (``bot.conversation.brain``): its answers are the
conversation's own typed tool commands, which the kernel cannot import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain import (
    Agent,
    Appointment,
    AppointmentStatus,
    EventRequest,
    HoldRules,
    Interval,
    Lead,
    LeadStatus,
    Meeting,
    Message,
    Move,
    ReminderKind,
    Role,
    SlotOffer,
)

# ----- repositories: one per aggregate ------------------------------------------------------


class AgentStore(Protocol):
    """Agents, by id, and all of them."""

    async def add(self, agent: Agent) -> Agent:
        """Insert a new agent (its ``id`` is ignored) and return it with the id given."""
        ...

    async def get(self, agent_id: int) -> Agent | None:
        """An agent by id."""
        ...

    async def list(self, *, active_only: bool = False) -> list[Agent]:
        """All agents not removed (or only the active ones), by id."""
        ...

    async def update(self, agent_id: int, **fields: Any) -> Agent:
        """Set the given fields (not ``telegram_id``) of an agent not removed; NotFound else."""
        ...

    async def remove(self, agent_id: int, now: datetime) -> tuple[datetime, ...]:
        """Remove an agent that has no upcoming meeting, or return those meetings' starts.

        A removed agent leaves every list but ``get`` still finds it (its past meetings name
        it); adding its Telegram id again brings it back.
        """
        ...


@dataclass(frozen=True, slots=True)
class LeadTurn:
    """What a turn with a lead reads: the lead as stored, the agent of its ``agent_id`` (None
    when it has none), and its last messages, oldest first."""

    lead: Lead
    agent: Agent | None
    history: list[Message]


class LeadStore(Protocol):
    """Leads; the conversation is the one writer of a lead's state."""

    async def get_or_create(self, telegram_id: int, chat_id: int, name: str | None,
                            language: str | None = None) -> Lead:
        """The lead of a Telegram user, created on first contact (with ``language``)."""
        ...

    async def get(self, lead_id: int) -> Lead | None:
        """A lead by id."""
        ...

    async def by_telegram_id(self, telegram_id: int) -> Lead | None:
        """The lead of a Telegram user, if known."""
        ...

    async def with_history(self, lead_id: int, limit: int = 15) -> LeadTurn | None:
        """The lead, its agent and its last ``limit`` messages, read in one trip to the
        database; None when there is no such lead."""
        ...

    async def by_phone(self, phone_number: str, status: LeadStatus | None = None) -> list[Lead]:
        """Leads with this E.164 number, optionally of one status."""
        ...

    async def update(self, lead_id: int, **fields: Any) -> Lead:
        """Set the given fields and return the lead as stored (a new status joins the
        lead's status history)."""
        ...

    async def status_history(self, lead_id: int) -> list[tuple[LeadStatus, datetime]]:
        """Every status the lead has moved to, oldest first, with when."""
        ...

    async def for_agent(self, agent_id: int | None, *, unassigned: bool = False,
                        limit: int = 500) -> list[Lead]:
        """An agent's leads (None: everyone's), most recently active first; ``unassigned``
        adds the leads no agent has yet."""
        ...

    async def taken_over(self, agent_id: int) -> list[Lead]:
        """The leads this agent has taken over, by id."""
        ...


class MessageStore(Protocol):
    """The chat history, appended to; only the text of a message the lead edits changes."""

    async def add(self, lead_id: int, role: Role, content: str,
                  telegram_message_id: int | None = None) -> Message:
        """Append one message and return it."""
        ...

    async def add_inbound(self, lead_id: int, content: str, telegram_message_id: int | None,
                          update_id: int) -> Message | None:
        """Claim the Telegram update (see ``UpdateStore.claim``) and store the lead's message
        it brought, as one write; None, and nothing stored, when it was claimed before."""
        ...

    async def last(self, lead_id: int, limit: int = 15) -> list[Message]:
        """The lead's last ``limit`` messages, oldest first."""
        ...

    async def edit(self, lead_id: int, telegram_message_id: int, content: str) -> Message | None:
        """Replace the text of the lead's message with this Telegram id (the lead edited it);
        the message as it was before, or None when there is none."""
        ...

    async def count(self, lead_id: int | None = None) -> int:
        """How many messages (of one lead, or all)."""
        ...


class OfferStore(Protocol):
    """Slots shown to leads; a new batch for a lead retires the previous one."""

    async def replace(self, lead_id: int, slots: Sequence[tuple[int, Interval]], *,
                      now: datetime, expires_at: datetime,
                      reschedule_of: int | None = None) -> list[SlotOffer]:
        """Retire the lead's open offers and store these (agent id, slot) pairs instead."""
        ...

    async def by_token(self, token: str) -> SlotOffer | None:
        """The offer behind a button's token."""
        ...

    async def open_for_lead(self, lead_id: int, now: datetime) -> list[SlotOffer]:
        """The lead's current offers (unused, unexpired), in time order."""
        ...

    async def use(self, offer_id: int, now: datetime) -> bool:
        """Mark an open offer used and retire its batch, atomically; True for the first tap."""
        ...

    async def retire(self, lead_id: int, now: datetime) -> None:
        """Expire all of a lead's open offers."""
        ...


class AppointmentStore(Protocol):
    """Appointments: the atomic hold that makes double booking impossible, and their life."""

    async def hold(self, lead_id: int, agent_id: int, slot: Interval, *,
                   buffer: timedelta, topic: str | None = None, now: datetime | None = None,
                   rules: HoldRules | None = None, move: Move | None = None) -> Appointment:
        """Insert a ``pending`` appointment unless, in the same transaction, it overlaps an
        active one (SlotTaken), its day is full (DayFull) or it is too soon (TooSoon); the
        meeting a ``move`` replaces is not counted against it."""
        ...

    async def get(self, appointment_id: int) -> Appointment | None:
        """An appointment by id."""
        ...

    async def set_meeting(self, appointment_id: int, meeting_id: str, join_url: str) -> None:
        """Record the video meeting as soon as it exists, so a crash can undo it."""
        ...

    async def set_event(self, appointment_id: int, event_id: str) -> None:
        """Record the calendar event id before inserting it."""
        ...

    async def mark_booked(self, appointment_id: int) -> bool:
        """pending -> booked; False if it was no longer pending. The meeting it replaces, if
        still active, is cancelled and noted ``CLEANUP`` in the same transaction."""
        ...

    async def mark_failed(self, appointment_id: int, reason: str) -> None:
        """-> failed, with the reason."""
        ...

    async def note_failure(self, appointment_id: int, reason: str | None) -> None:
        """Record (or clear, with None) why an appointment needs attention."""
        ...

    async def with_failure(self, reason: str) -> list[Appointment]:
        """Appointments carrying this failure note."""
        ...

    async def mark_cancelled(self, appointment_id: int) -> bool:
        """Active -> cancelled; False if it was not active."""
        ...

    async def mark_no_show(self, appointment_id: int) -> bool:
        """booked (or held) -> no_show; False if it was neither."""
        ...

    async def mark_held(self, ended_before: datetime) -> list[Appointment]:
        """Booked meetings that ended before ``ended_before`` -> held, idempotently; returns
        those it changed."""
        ...

    async def active_between(self, agent_ids: list[int], start: datetime,
                             end: datetime) -> list[Appointment]:
        """Active (pending or booked) appointments of these agents overlapping [start, end)."""
        ...

    async def for_lead(self, lead_id: int, agent_id: int | None = None,
                       status: AppointmentStatus | None = None) -> list[Appointment]:
        """A lead's appointments, newest start first."""
        ...

    async def upcoming_for_lead(self, lead_id: int, now: datetime) -> Appointment | None:
        """The lead's next booked meeting that has not ended."""
        ...

    async def upcoming_for_agent(self, agent_id: int, now: datetime,
                                 limit: int = 10) -> list[Appointment]:
        """The agent's next booked meetings."""
        ...

    async def by_status(self, status: AppointmentStatus) -> list[Appointment]:
        """Every appointment of one status, by start."""
        ...

    async def booked_after(self, moment: datetime) -> list[Appointment]:
        """Booked appointments starting after ``moment``."""
        ...

    async def reminder_sent(self, appointment_id: int, kind: ReminderKind) -> bool:
        """Claim a reminder: True once per appointment and kind, and only while booked."""
        ...

    async def outcomes_since(self, moment: datetime) -> dict[str, int]:
        """Appointments created since ``moment``, counted by status."""
        ...


class UpdateStore(Protocol):
    """Telegram update ids already handled: a redelivered update is handled once."""

    async def claim(self, update_id: int) -> bool:
        """True the first time an update id is seen, False ever after."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget the ids first seen before ``before``; returns how many were forgotten."""
        ...


class LeaseStore(Protocol):
    """Named work claimed by one process for a while: replicas on one database take turns."""

    async def claim(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take ``name`` for ``holder`` until ``until``; False while another's lease runs."""
        ...

    async def prune(self, now: datetime) -> int:
        """Forget expired leases; returns how many."""
        ...

    async def others(self) -> int:
        """How many other processes have the database open right now."""
        ...


class Repositories(Protocol):
    """One repository per aggregate over one database (SQLite, PostgreSQL, or in memory)."""

    @property
    def agents(self) -> AgentStore: ...
    @property
    def leads(self) -> LeadStore: ...
    @property
    def messages(self) -> MessageStore: ...
    @property
    def appointments(self) -> AppointmentStore: ...
    @property
    def offers(self) -> OfferStore: ...
    @property
    def updates(self) -> UpdateStore: ...
    @property
    def leases(self) -> LeaseStore: ...


# ----- the outside world --------------------------------------------------------------------


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

    async def update_event(self, event: EventRequest) -> None:
        """Bring an existing event's title, description and attendees up to date."""
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
