"""Domain types: plain frozen dataclasses, free of Telegram, HTTP and SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span of time [start, end) between two aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    def widened(self, by: timedelta) -> Interval:
        return Interval(self.start - by, self.end + by)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Agent:
    """A salesperson whose calendar the bot books into."""

    id: int
    name: str
    telegram_id: int
    calendar_id: str
    timezone: str
    working_hours: str
    slot_minutes: int = 30
    buffer_minutes: int = 0
    notice_minutes: int = 120
    horizon_days: int = 14
    max_per_day: int | None = None
    active: bool = True
    console_only: bool = False
    """The console chat's demo agent: never offered to Telegram leads; its calendar is the
    bot's own database, even with Google configured."""
    away_from: date | None = None
    """``/away``: the first day the agent is off, in the agent's zone."""
    away_until: date | None = None
    """``/away``: the last day off (inclusive)."""

    @property
    def away(self) -> Interval | None:
        """The agent's days off as absolute time, from the first day's midnight in the agent's
        zone to the midnight after the last; None when the agent is not away."""
        if self.away_from is None or self.away_until is None:
            return None
        tz = ZoneInfo(self.timezone)
        return Interval(datetime.combine(self.away_from, time(0), tz),
                        datetime.combine(self.away_until + timedelta(days=1), time(0), tz))


class LeadStatus(StrEnum):
    """Where a lead is in the sales pipeline; ``bot.pipeline`` moves leads between these."""

    NEW = "new"
    ENGAGED = "engaged"
    QUALIFIED = "qualified"
    BOOKED = "booked"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    LOST = "lost"
    OPTED_OUT = "opted_out"


class Awaiting(StrEnum):
    """What the bot last asked the lead and waits on; the next message may be the answer."""

    PHONE = "phone"
    NOTES = "notes"
    NAME = "name"
    EMAIL = "email"
    TIMEZONE = "timezone"
    CANCEL_CONFIRM = "cancel_confirm"
    MOVE_OR_NEW = "move_or_new"
    """Asked once, of a lead who may book another meeting: move the booked one, or book another?"""


@dataclass(frozen=True, slots=True)
class Lead:
    """A person who chats with the bot."""

    id: int
    telegram_id: int
    chat_id: int
    name: str | None = None
    phone_number: str | None = None
    email: str | None = None
    timezone: str | None = None
    status: LeadStatus = LeadStatus.NEW
    agent_id: int | None = None
    notes: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    awaiting: Awaiting | None = None
    language: str | None = None
    """The lead's language as Telegram reports it (``language_code``: "de", "pt-br")."""
    timezone_assumed: bool = False
    """``timezone`` is the agent's, assumed when times were first shown; a zone the lead gives,
    or one their phone number implies, replaces it."""
    taken_over_by: int | None = None
    """The agent who took the lead over: the bot says nothing to the lead until handed back."""


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    AGENT = "agent"
    """What the agent wrote to the lead while taking them over."""


@dataclass(frozen=True, slots=True)
class Message:
    """One chat line, inbound (user) or outbound (assistant)."""

    id: int
    lead_id: int
    role: Role
    content: str
    created_at: datetime
    telegram_message_id: int | None = None


class AppointmentStatus(StrEnum):
    PENDING = "pending"
    BOOKED = "booked"
    CANCELLED = "cancelled"
    FAILED = "failed"
    NO_SHOW = "no_show"
    """The agent marked that the lead did not come."""
    HELD = "held"
    """The meeting took place: not marked a no-show by an hour after its end."""


ReminderKind = Literal["24h", "1h", "10m"]
"""Which reminder of a meeting: a day, an hour or (booked at short notice) ten minutes before."""

CLEANUP = "cleanup pending"
"""The failure note of an appointment whose meeting or event may still exist and must be deleted
(a failed undo, or a meeting a move replaced); the sweep deletes them and clears the note."""


@dataclass(frozen=True, slots=True)
class Appointment:
    """A meeting between a lead and an agent; ``pending`` while the booking is in flight."""

    id: int
    lead_id: int
    agent_id: int
    start: datetime
    end: datetime
    status: AppointmentStatus
    topic: str | None = None
    meeting_id: str | None = None
    join_url: str | None = None
    calendar_event_id: str | None = None
    failure_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    replaces: int | None = None
    """The booked meeting this one moves: cancelled in the same step that books this one."""
    invite_uid: str | None = None
    """The lead's calendar knows the meeting by this UID (a move keeps the one it moves);
    None: derived from the appointment's own event id."""
    invite_sequence: int = 0
    """The iCalendar SEQUENCE of the invite: one more with each move."""

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True, slots=True)
class HoldRules:
    """An agent's booking rules, checked by the hold in the same transaction as the overlap."""

    not_before: datetime | None = None
    """Minimum notice: the slot may not start earlier than this."""
    max_per_day: int | None = None
    """At most this many active meetings (ended ones included) start within ``day``."""
    day: Interval | None = None
    """The agent's local day of the slot, in absolute time, for ``max_per_day``."""


@dataclass(frozen=True, slots=True)
class Move:
    """What a hold that moves a booked meeting records: which one, and the lead's invite."""

    replaces: int
    invite_uid: str
    invite_sequence: int


@dataclass(frozen=True, slots=True)
class SlotOffer:
    """A slot shown to a lead; a button carries only its opaque ``token``."""

    id: int
    token: str
    lead_id: int
    agent_id: int
    start: datetime
    end: datetime
    expires_at: datetime
    used_at: datetime | None = None
    reschedule_of: int | None = None

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Meeting:
    """A video meeting created for an appointment."""

    id: str
    join_url: str


@dataclass(frozen=True, slots=True)
class EventRequest:
    """What the calendar needs to create an appointment's event."""

    event_id: str
    calendar_id: str
    summary: str
    description: str
    location: str
    start: datetime
    end: datetime
    timezone: str
    attendee_emails: tuple[str, ...] = ()


# Control characters other than whitespace, and the invisible and bidi marks that can hide or
# reorder text in a name or a notice.
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: str, limit: int, *, ellipsis: str = "") -> str:
    """One line of plain text fit to store, log or quote back: unprintable characters removed,
    runs of whitespace made one space, trimmed, and at most ``limit`` characters (ending in
    ``ellipsis`` when given and the text was cut)."""
    flat = " ".join(_UNPRINTABLE.sub("", value).split())
    if len(flat) <= limit:
        return flat
    if ellipsis:
        return flat[: max(0, limit - len(ellipsis))].rstrip() + ellipsis
    return flat[:limit].rstrip()
