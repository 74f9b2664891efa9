"""In-memory fakes of the core's ports, for unit tests of the services.

They satisfy the Protocols of ``bot.ports`` structurally (no inheritance), keep their state in
plain dicts and lists a test can read, and behave like the SQLite repositories where it matters:
``FakeAppointments.hold`` refuses an overlap (± buffer) with ``SlotTaken``, an offer is used once,
a reminder is claimed once. The outside world (calendar, meetings, notifier, timers) records
every call and can be told to fail, or to pause mid-call so a test can act while it waits.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.booking.reminders import ReminderService
from bot.booking.service import BookingService
from bot.conversation.brain import BrainContext, BrainReply
from bot.domain import (
    CLEANUP,
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
from bot.errors import (
    CalendarsUnreadable,
    DayFull,
    DomainError,
    NotFound,
    SlotTaken,
    TooSoon,
    Unavailable,
)
from bot.observability.metrics import Metrics
from bot.ports import LeadTurn, OutMessage
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.service import SlotService

MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
"""A Monday morning, before the usual working hours (09:00-17:00 UTC)."""

_ACTIVE = (AppointmentStatus.PENDING, AppointmentStatus.BOOKED)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime = MONDAY) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, by: timedelta) -> None:
        self._at += by


# ----- repositories -------------------------------------------------------------------------


class FakeAgents:
    """``AgentStore`` in a dict; ``remove`` asks the appointments fake about upcoming meetings."""

    def __init__(self, appointments: FakeAppointments | None = None) -> None:
        self.rows: dict[int, Agent] = {}
        self.removed: set[int] = set()
        self._appointments = appointments
        self._ids = itertools.count(1)

    async def add(self, agent: Agent) -> Agent:
        for other in self.rows.values():
            if other.telegram_id != agent.telegram_id:
                continue
            if other.id not in self.removed:
                raise DomainError(f"an agent with Telegram id {agent.telegram_id} already "
                                  "exists")
            self.removed.discard(other.id)
            self.rows[other.id] = replace(agent, id=other.id)
            return self.rows[other.id]
        stored = replace(agent, id=next(self._ids))
        self.rows[stored.id] = stored
        return stored

    async def get(self, agent_id: int) -> Agent | None:
        return self.rows.get(agent_id)

    async def list(self, *, active_only: bool = False) -> list[Agent]:
        return [a for i, a in sorted(self.rows.items())
                if i not in self.removed and (a.active or not active_only)]

    async def update(self, agent_id: int, **fields: Any) -> Agent:
        if agent_id not in self.rows or agent_id in self.removed:
            raise NotFound(f"no agent with id {agent_id}")
        if "telegram_id" in fields or "id" in fields:
            raise ValueError("not updatable: telegram_id")
        self.rows[agent_id] = replace(self.rows[agent_id], **fields)
        return self.rows[agent_id]

    async def remove(self, agent_id: int, now: datetime) -> tuple[datetime, ...]:
        if agent_id not in self.rows or agent_id in self.removed:
            raise NotFound(f"no agent with id {agent_id}")
        rows = self._appointments.rows.values() if self._appointments is not None else ()
        upcoming = tuple(sorted(a.start for a in rows
                                if a.agent_id == agent_id and a.status in _ACTIVE and a.end > now))
        if not upcoming:
            self.removed.add(agent_id)
            self.rows[agent_id] = replace(self.rows[agent_id], active=False)
        return upcoming


_LEAD_UPDATABLE = frozenset({"name", "phone_number", "email", "timezone", "status", "agent_id",
                             "notes", "awaiting", "chat_id", "language", "timezone_assumed",
                             "taken_over_by"})


class FakeLeads:
    """``LeadStore`` in a dict; ``awaiting`` kept beside the lead as the SQLite column is."""

    def __init__(self, clock: FakeClock) -> None:
        self.rows: dict[int, Lead] = {}
        self.waiting: dict[int, Any] = {}
        self.history: dict[int, list[tuple[LeadStatus, datetime]]] = {}
        self._clock = clock
        self._ids = itertools.count(1)
        # ``with_history`` reads these, as the database's one trip reads their tables.
        self.agents: FakeAgents | None = None
        self.messages: FakeMessages | None = None

    async def get_or_create(self, telegram_id: int, chat_id: int, name: str | None,
                            language: str | None = None) -> Lead:
        found = await self.by_telegram_id(telegram_id)
        if found is not None:
            return found
        now = self._clock.now()
        lead = Lead(id=next(self._ids), telegram_id=telegram_id, chat_id=chat_id, name=name,
                    language=language, created_at=now, updated_at=now)
        self.rows[lead.id] = lead
        return lead

    async def get(self, lead_id: int) -> Lead | None:
        return self.rows.get(lead_id)

    async def by_telegram_id(self, telegram_id: int) -> Lead | None:
        return next((x for x in self.rows.values() if x.telegram_id == telegram_id), None)

    async def with_history(self, lead_id: int, limit: int = 15) -> LeadTurn | None:
        lead = self.rows.get(lead_id)
        if lead is None or self.agents is None or self.messages is None:
            return None
        agent = None if lead.agent_id is None else await self.agents.get(lead.agent_id)
        return LeadTurn(lead, agent, await self.messages.last(lead_id, limit))

    async def by_phone(self, phone_number: str, status: LeadStatus | None = None) -> list[Lead]:
        return [x for x in self.rows.values() if x.phone_number == phone_number
                and (status is None or x.status == status)]

    async def update(self, lead_id: int, **changes: Any) -> Lead:
        unknown = set(changes) - _LEAD_UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        lead = self.rows.get(lead_id)
        if lead is None:
            raise NotFound(f"no lead {lead_id}")
        own = {f.name for f in fields(Lead)}
        if "awaiting" in changes and "awaiting" not in own:
            self.waiting[lead_id] = changes.pop("awaiting")
        if "status" in changes and changes["status"] != lead.status:
            self.history.setdefault(lead_id, []).append((changes["status"], self._clock.now()))
        lead = replace(lead, **changes, updated_at=self._clock.now())
        self.rows[lead_id] = lead
        return lead

    async def status_history(self, lead_id: int) -> list[tuple[LeadStatus, datetime]]:
        return list(self.history.get(lead_id, []))

    async def for_agent(self, agent_id: int | None, *, unassigned: bool = False,
                        limit: int = 500) -> list[Lead]:
        leads = [x for x in self.rows.values() if agent_id is None or x.agent_id == agent_id
                 or (unassigned and x.agent_id is None)]
        return sorted(leads, key=lambda x: (x.updated_at or MONDAY, x.id), reverse=True)[:limit]

    async def taken_over(self, agent_id: int) -> list[Lead]:
        return [x for x in self.rows.values() if x.taken_over_by == agent_id]

    async def awaiting(self, lead_id: int) -> Any:
        lead = self.rows.get(lead_id)
        if lead is not None and hasattr(lead, "awaiting"):
            return lead.awaiting
        return self.waiting.get(lead_id)


class FakeMessages:
    """``MessageStore`` in a list; ``created_at`` strictly increasing, as in SQLite."""

    def __init__(self, clock: FakeClock, updates: FakeUpdates | None = None) -> None:
        self.rows: list[Message] = []
        self._clock = clock
        self._last: datetime | None = None
        self._updates = updates or FakeUpdates(clock)

    async def add(self, lead_id: int, role: Role, content: str,
                  telegram_message_id: int | None = None) -> Message:
        now = self._clock.now()
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        message = Message(len(self.rows) + 1, lead_id, role, content, now, telegram_message_id)
        self.rows.append(message)
        return message

    async def add_inbound(self, lead_id: int, content: str, telegram_message_id: int | None,
                          update_id: int) -> Message | None:
        if not await self._updates.claim(update_id):
            return None
        return await self.add(lead_id, Role.USER, content, telegram_message_id)

    async def last(self, lead_id: int, limit: int = 15) -> list[Message]:
        return [m for m in self.rows if m.lead_id == lead_id][-limit:] if limit > 0 else []

    async def edit(self, lead_id: int, telegram_message_id: int, content: str) -> Message | None:
        for i in range(len(self.rows) - 1, -1, -1):
            found = self.rows[i]
            if found.lead_id == lead_id and found.role is Role.USER and \
                    found.telegram_message_id == telegram_message_id:
                self.rows[i] = replace(found, content=content)
                return found
        return None

    async def count(self, lead_id: int | None = None) -> int:
        return sum(1 for m in self.rows if lead_id is None or m.lead_id == lead_id)


class FakeOffers:
    """``OfferStore`` in a dict: a new batch retires the last, a batch is used once."""

    def __init__(self) -> None:
        self.rows: dict[int, SlotOffer] = {}
        self._ids = itertools.count(1)

    def _open(self, lead_id: int, now: datetime) -> list[SlotOffer]:
        return [o for o in self.rows.values()
                if o.lead_id == lead_id and o.used_at is None and o.expires_at > now]

    async def replace(self, lead_id: int, slots: Sequence[tuple[int, Interval]], *,
                      now: datetime, expires_at: datetime,
                      reschedule_of: int | None = None) -> list[SlotOffer]:
        await self.retire(lead_id, now)
        for agent_id, slot in slots:
            offer = SlotOffer(id=next(self._ids), token=secrets.token_urlsafe(12),
                              lead_id=lead_id, agent_id=agent_id, start=slot.start,
                              end=slot.end, expires_at=expires_at, reschedule_of=reschedule_of)
            self.rows[offer.id] = offer
        return await self.open_for_lead(lead_id, now)

    async def by_token(self, token: str) -> SlotOffer | None:
        return next((o for o in self.rows.values() if o.token == token), None)

    async def open_for_lead(self, lead_id: int, now: datetime) -> list[SlotOffer]:
        return sorted(self._open(lead_id, now), key=lambda o: (o.start, o.id))

    async def use(self, offer_id: int, now: datetime) -> bool:
        offer = self.rows.get(offer_id)
        if offer is None or offer.used_at is not None or offer.expires_at <= now:
            return False
        self.rows[offer_id] = replace(offer, used_at=now)
        await self.retire(offer.lead_id, now)
        return True

    async def retire(self, lead_id: int, now: datetime) -> None:
        for offer in self._open(lead_id, now):
            self.rows[offer.id] = replace(offer, expires_at=now)


class FakeAppointments:
    """``AppointmentStore`` in a dict; ``hold`` refuses overlaps (± buffer) like SQLite does."""

    def __init__(self, clock: FakeClock) -> None:
        self.rows: dict[int, Appointment] = {}
        self.reminded: set[tuple[int, ReminderKind]] = set()
        self._clock = clock
        self._ids = itertools.count(1)

    def _require(self, appointment_id: int) -> Appointment:
        found = self.rows.get(appointment_id)
        if found is None:
            raise NotFound(f"no appointment {appointment_id}")
        return found

    def _set(self, appointment_id: int, **changes: Any) -> None:
        self.rows[appointment_id] = replace(self._require(appointment_id), **changes,
                                            updated_at=self._clock.now())

    async def hold(self, lead_id: int, agent_id: int, slot: Interval, *,
                   buffer: timedelta, topic: str | None = None, now: datetime | None = None,
                   rules: HoldRules | None = None, move: Move | None = None) -> Appointment:
        rules = rules or HoldRules()
        if rules.not_before is not None and slot.start < rules.not_before:
            raise TooSoon(f"{slot.start.isoformat()} is closer than the agent's notice")
        wide = slot.widened(buffer)
        mine = [a for a in self.rows.values() if a.agent_id == agent_id and a.status in _ACTIVE
                and (move is None or a.id != move.replaces)]
        if any(other.interval.overlaps(wide) for other in mine):
            raise SlotTaken(f"agent {agent_id} is taken at {slot.start.isoformat()}")
        day = rules.day
        if rules.max_per_day is not None and day is not None and \
                sum(day.start <= a.start < day.end for a in mine) >= rules.max_per_day:
            raise DayFull(f"agent {agent_id} has {rules.max_per_day} meetings that day")
        stamp = now or self._clock.now()
        appointment = Appointment(id=next(self._ids), lead_id=lead_id, agent_id=agent_id,
                                  start=slot.start, end=slot.end,
                                  status=AppointmentStatus.PENDING, topic=topic,
                                  created_at=stamp, updated_at=stamp,
                                  replaces=move.replaces if move else None,
                                  invite_uid=move.invite_uid if move else None,
                                  invite_sequence=move.invite_sequence if move else 0)
        self.rows[appointment.id] = appointment
        return appointment

    async def get(self, appointment_id: int) -> Appointment | None:
        return self.rows.get(appointment_id)

    async def set_meeting(self, appointment_id: int, meeting_id: str, join_url: str) -> None:
        self._set(appointment_id, meeting_id=meeting_id, join_url=join_url)

    async def set_event(self, appointment_id: int, event_id: str) -> None:
        self._set(appointment_id, calendar_event_id=event_id)

    async def mark_booked(self, appointment_id: int) -> bool:
        appointment = self._require(appointment_id)
        if appointment.status is not AppointmentStatus.PENDING:
            return False
        self._set(appointment_id, status=AppointmentStatus.BOOKED)
        old = self.rows.get(appointment.replaces) if appointment.replaces else None
        if old is not None and old.status in _ACTIVE:
            self._set(old.id, status=AppointmentStatus.CANCELLED, failure_reason=CLEANUP)
        return True

    async def mark_failed(self, appointment_id: int, reason: str) -> None:
        self._set(appointment_id, status=AppointmentStatus.FAILED, failure_reason=reason)

    async def note_failure(self, appointment_id: int, reason: str | None) -> None:
        self._set(appointment_id, failure_reason=reason)

    async def with_failure(self, reason: str) -> list[Appointment]:
        return [a for _, a in sorted(self.rows.items()) if a.failure_reason == reason]

    async def mark_cancelled(self, appointment_id: int) -> bool:
        if self._require(appointment_id).status not in _ACTIVE:
            return False
        self._set(appointment_id, status=AppointmentStatus.CANCELLED)
        return True

    async def mark_no_show(self, appointment_id: int) -> bool:
        if self._require(appointment_id).status not in (AppointmentStatus.BOOKED,
                                                        AppointmentStatus.HELD):
            return False
        self._set(appointment_id, status=AppointmentStatus.NO_SHOW)
        return True

    async def mark_held(self, ended_before: datetime) -> list[Appointment]:
        ended = [a for a in self.rows.values()
                 if a.status is AppointmentStatus.BOOKED and a.end < ended_before]
        for appointment in ended:
            self._set(appointment.id, status=AppointmentStatus.HELD)
        return ended

    async def active_between(self, agent_ids: list[int], start: datetime,
                             end: datetime) -> list[Appointment]:
        span = Interval(start, end)
        return sorted((a for a in self.rows.values() if a.agent_id in agent_ids
                       and a.status in _ACTIVE and a.interval.overlaps(span)),
                      key=lambda a: a.start)

    async def for_lead(self, lead_id: int, agent_id: int | None = None,
                       status: AppointmentStatus | None = None) -> list[Appointment]:
        return sorted((a for a in self.rows.values() if a.lead_id == lead_id
                       and (agent_id is None or a.agent_id == agent_id)
                       and (status is None or a.status == status)),
                      key=lambda a: a.start, reverse=True)

    async def upcoming_for_lead(self, lead_id: int, now: datetime) -> Appointment | None:
        ahead = [a for a in self.rows.values() if a.lead_id == lead_id
                 and a.status is AppointmentStatus.BOOKED and a.end > now]
        return min(ahead, key=lambda a: a.start, default=None)

    async def upcoming_for_agent(self, agent_id: int, now: datetime,
                                 limit: int = 10) -> list[Appointment]:
        ahead = [a for a in self.rows.values() if a.agent_id == agent_id
                 and a.status is AppointmentStatus.BOOKED and a.end > now]
        return sorted(ahead, key=lambda a: a.start)[:limit]

    async def by_status(self, status: AppointmentStatus) -> list[Appointment]:
        return sorted((a for a in self.rows.values() if a.status == status),
                      key=lambda a: a.start)

    async def booked_after(self, moment: datetime) -> list[Appointment]:
        return sorted((a for a in self.rows.values()
                       if a.status is AppointmentStatus.BOOKED and a.start > moment),
                      key=lambda a: a.start)

    async def reminder_sent(self, appointment_id: int, kind: ReminderKind) -> bool:
        found = self.rows.get(appointment_id)
        if found is None or found.status is not AppointmentStatus.BOOKED or \
                (appointment_id, kind) in self.reminded:
            return False
        self.reminded.add((appointment_id, kind))
        return True

    async def outcomes_since(self, moment: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.rows.values():
            if a.created_at is not None and a.created_at >= moment:
                counts[a.status.value] = counts.get(a.status.value, 0) + 1
        return counts


class FakeUpdates:
    """``UpdateStore`` in a dict of update id -> when it was first seen."""

    def __init__(self, clock: FakeClock) -> None:
        self.seen: dict[int, datetime] = {}
        self._clock = clock

    async def claim(self, update_id: int) -> bool:
        if update_id in self.seen:
            return False
        self.seen[update_id] = self._clock.now()
        return True

    async def prune(self, before: datetime) -> int:
        old = [u for u, at in self.seen.items() if at < before]
        for update_id in old:
            del self.seen[update_id]
        return len(old)


class FakeLeases:
    """``LeaseStore`` in a dict of name -> (holder, expires at)."""

    def __init__(self) -> None:
        self.held: dict[str, tuple[str, datetime]] = {}
        self.processes = 1
        """Processes with the database open, this one included."""

    async def claim(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        current = self.held.get(name)
        if current is not None and current[1] > now:
            return False
        self.held[name] = (holder, until)
        return True

    async def prune(self, now: datetime) -> int:
        old = [name for name, (_, until) in self.held.items() if until <= now]
        for name in old:
            del self.held[name]
        return len(old)

    async def others(self) -> int:
        return self.processes - 1


@dataclass
class FakeRepositories:
    """``Repositories`` in memory: one fake per aggregate, sharing one clock."""

    clock: FakeClock = field(default_factory=FakeClock)
    agents: FakeAgents = field(init=False)
    leads: FakeLeads = field(init=False)
    messages: FakeMessages = field(init=False)
    appointments: FakeAppointments = field(init=False)
    offers: FakeOffers = field(init=False)
    updates: FakeUpdates = field(init=False)
    leases: FakeLeases = field(default_factory=FakeLeases)

    def __post_init__(self) -> None:
        self.appointments = FakeAppointments(self.clock)
        self.agents = FakeAgents(self.appointments)
        self.leads = FakeLeads(self.clock)
        self.updates = FakeUpdates(self.clock)
        self.messages = FakeMessages(self.clock, self.updates)
        self.leads.agents, self.leads.messages = self.agents, self.messages
        self.offers = FakeOffers()


# ----- the outside world --------------------------------------------------------------------


@dataclass
class _Fault:
    error: Exception
    times: int | None
    after: bool


class Pause:
    """Holds one kind of call until released: ``reached`` is set once a call is waiting."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self._go = asyncio.Event()

    def release(self) -> None:
        self._go.set()

    async def wait(self) -> None:
        self.reached.set()
        await self._go.wait()


class _Scripted:
    """Faults and pauses by operation name, shared by the outside-world fakes."""

    service = "fake"

    def __init__(self) -> None:
        self._faults: dict[str, _Fault] = {}
        self._pauses: dict[str, Pause] = {}
        self.calls: list[str] = []

    def fail(self, operation: str, error: Exception | None = None, *,
             times: int | None = None, after: bool = False) -> None:
        """Make ``operation`` raise ``error`` (Unavailable by default), ``times`` times or
        always; with ``after`` the call takes effect first and only its answer is lost."""
        self._faults[operation] = _Fault(
            error or Unavailable(self.service, f"{operation} failed", status=500), times, after)

    def clear_faults(self) -> None:
        self._faults.clear()

    def pause(self, operation: str) -> Pause:
        """Hold every later ``operation`` call until the returned pause is released."""
        pause = self._pauses[operation] = Pause()
        return pause

    async def _enter(self, operation: str) -> _Fault | None:
        """Record the call, wait at a pause, raise a fault due before the effect; return one
        due after it."""
        self.calls.append(operation)
        pause = self._pauses.get(operation)
        if pause is not None:
            await pause.wait()
        fault = self._faults.get(operation)
        if fault is None:
            return None
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del self._faults[operation]
        if not fault.after:
            raise fault.error
        return fault

    def count(self, operation: str) -> int:
        return self.calls.count(operation)


BusyCall = tuple[tuple[str, ...], datetime, datetime]


class FakeCalendar(_Scripted):
    """``CalendarProvider``: busy intervals per calendar id; records events made and deleted.

    Operations for ``fail``/``pause``: ``busy``, ``create_event``, ``update_event``,
    ``delete_event``.
    """

    service = "google"

    def __init__(self) -> None:
        super().__init__()
        self.busy_times: dict[str, list[Interval]] = {}
        self.unreadable: dict[str, str] = {}
        """Calendars answered with an error (id -> reason), the others answered as usual."""
        self.busy_calls: list[BusyCall] = []
        self.events: dict[str, EventRequest] = {}
        self.created: list[EventRequest] = []
        self.deleted: list[tuple[str, str]] = []
        self.updated: list[EventRequest] = []

    def block(self, calendar_id: str, start: datetime, end: datetime) -> None:
        """Mark time busy in a calendar (somebody booked it outside the bot)."""
        self.busy_times.setdefault(calendar_id, []).append(Interval(start, end))

    async def busy(self, calendar_ids: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[Interval]]:
        self.busy_calls.append((tuple(calendar_ids), start, end))
        late = await self._enter("busy")
        span = Interval(start, end)
        answer = {cal: [i for i in self.busy_times.get(cal, []) if i.overlaps(span)]
                  for cal in calendar_ids if cal not in self.unreadable}
        if late is not None:
            raise late.error
        failed = {cal: self.unreadable[cal] for cal in calendar_ids if cal in self.unreadable}
        if failed:
            raise CalendarsUnreadable(self.service, failed, answer)
        return answer

    async def create_event(self, event: EventRequest) -> str:
        late = await self._enter("create_event")
        if event.event_id not in self.events:
            self.created.append(event)
        self.events[event.event_id] = event
        if late is not None:
            raise late.error
        return event.event_id

    async def update_event(self, event: EventRequest) -> None:
        late = await self._enter("update_event")
        if event.event_id not in self.events:
            raise NotFound(f"no event {event.event_id}")
        self.updated.append(event)
        self.events[event.event_id] = event
        if late is not None:
            raise late.error

    async def delete_event(self, calendar_id: str, event_id: str) -> None:
        late = await self._enter("delete_event")
        self.deleted.append((calendar_id, event_id))
        self.events.pop(event_id, None)
        if late is not None:
            raise late.error

    def live(self) -> list[EventRequest]:
        """Events that exist now."""
        return list(self.events.values())


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A meeting the fake made, with what it was asked."""

    meeting: Meeting
    topic: str
    start: datetime
    duration_minutes: int
    timezone: str
    key: str


class FakeMeetings(_Scripted):
    """``MeetingProvider``: records meetings made and deleted.

    Operations for ``fail``/``pause``: ``create``, ``find``, ``delete``.
    """

    service = "zoom"

    def __init__(self) -> None:
        super().__init__()
        self.meetings: dict[str, MeetingRecord] = {}
        self.created: list[MeetingRecord] = []
        self.deleted: list[str] = []
        self._ids = itertools.count(1)

    async def create(self, *, topic: str, start: datetime, duration_minutes: int,
                     timezone: str, key: str = "") -> Meeting:
        late = await self._enter("create")
        n = next(self._ids)
        meeting = Meeting(id=f"m{n}", join_url=f"https://meet.example.com/j/{n}")
        record = MeetingRecord(meeting, topic, start, duration_minutes, timezone, key)
        self.meetings[meeting.id] = record
        self.created.append(record)
        if late is not None:
            raise late.error
        return meeting

    async def find(self, key: str) -> Meeting | None:
        late = await self._enter("find")
        found = next((r.meeting for r in self.meetings.values() if key and r.key == key), None)
        if late is not None:
            raise late.error
        return found

    async def delete(self, meeting_id: str) -> None:
        late = await self._enter("delete")
        self.deleted.append(meeting_id)
        self.meetings.pop(meeting_id, None)
        if late is not None:
            raise late.error

    def live(self) -> list[Meeting]:
        """Meetings that exist now."""
        return [r.meeting for r in self.meetings.values()]


class FakeNotifier(_Scripted):
    """``Notifier``: records ``(chat_id, OutMessage)``. Operation for ``fail``: ``send``."""

    service = "telegram"

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[int, OutMessage]] = []

    async def send(self, chat_id: int, message: OutMessage) -> None:
        await self._enter("send")
        self.sent.append((chat_id, message))

    def to(self, chat_id: int) -> list[str]:
        """The texts sent to one chat, in order."""
        return [m.text for c, m in self.sent if c == chat_id]


Callback = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Timer:
    """A scheduled callback."""

    when: datetime
    name: str
    callback: Callback


class FakeTimers:
    """``Timers``: records what is scheduled; a test fires timers by hand."""

    def __init__(self) -> None:
        self.timers: dict[str, Timer] = {}
        self.cancelled: list[str] = []

    def at(self, when: datetime, name: str, callback: Callback) -> None:
        self.timers[name] = Timer(when, name, callback)

    def cancel(self, name: str) -> None:
        if self.timers.pop(name, None) is not None:
            self.cancelled.append(name)

    def names(self) -> list[str]:
        return sorted(self.timers)

    def when(self, name: str) -> datetime:
        return self.timers[name].when

    async def fire(self, name: str) -> None:
        """Run one timer now, as if its time had come."""
        await self.timers.pop(name).callback()

    async def fire_due(self, now: datetime) -> list[str]:
        """Run every timer due by ``now``, earliest first; returns their names."""
        due = sorted((t for t in self.timers.values() if t.when <= now),
                     key=lambda t: (t.when, t.name))
        for timer in due:
            await self.fire(timer.name)
        return [t.name for t in due]


class FakeBrain:
    """``Brain``: answers with the scripted replies in order (an exception is raised instead),
    then with nothing; records every context it was shown."""

    def __init__(self, *replies: BrainReply | Exception) -> None:
        self.replies: list[BrainReply | Exception] = list(replies)
        self.contexts: list[BrainContext] = []

    def script(self, *replies: BrainReply | Exception) -> None:
        """Queue more replies."""
        self.replies.extend(replies)

    async def reply(self, context: BrainContext) -> BrainReply:
        self.contexts.append(context)
        if not self.replies:
            return BrainReply()
        answer = self.replies.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


if TYPE_CHECKING:  # checked by mypy on this file, as the other fakes are below
    from bot.conversation.brain import Brain

    _brain: Brain = FakeBrain()


def make_agent(**changes: Any) -> Agent:
    """An agent working mon-fri 09:00-17:00 UTC in 30-minute slots, one hour's notice."""
    values: dict[str, Any] = dict(
        id=0, name="Alice Agent", telegram_id=777, calendar_id="agent@example.com",
        timezone="UTC", working_hours="mon-fri 09:00-17:00", slot_minutes=30, notice_minutes=60)
    return Agent(**(values | changes))


if TYPE_CHECKING:  # the fakes fit the ports (checked by mypy on this file)
    from bot.booking.reminders import Timers
    from bot.clock import Clock
    from bot.ports import CalendarProvider, MeetingProvider, Notifier, Repositories

    _repositories: Repositories = FakeRepositories()
    _calendar: CalendarProvider = FakeCalendar()
    _meetings: MeetingProvider = FakeMeetings()
    _notifier: Notifier = FakeNotifier()
    _timers: Timers = FakeTimers()
    _clock: Clock = FakeClock()


@dataclass
class Core:
    """The core services wired to the fakes above (``build_core`` makes one)."""

    repos: FakeRepositories
    calendar: FakeCalendar
    meetings: FakeMeetings
    notifier: FakeNotifier
    timers: FakeTimers
    clock: FakeClock
    metrics: Metrics
    agents: AgentDirectory
    slots: SlotService
    booking: BookingService
    reminders: ReminderService

    async def add_agent(self, **changes: Any) -> Agent:
        """Store an agent (``make_agent`` defaults) and forget the cached agent list."""
        agent = await self.repos.agents.add(make_agent(**changes))
        self.agents.invalidate()
        return agent

    async def lead(self, n: int = 1, **changes: Any) -> Lead:
        """Lead ``n`` (Telegram and chat id 1000 + n), created on first use."""
        lead = await self.repos.leads.get_or_create(1000 + n, 1000 + n, f"Lead{n}")
        return await self.repos.leads.update(lead.id, **changes) if changes else lead


def build_core(*, at: datetime = MONDAY, parallel: bool = True,
               invite_attendees: bool = False) -> Core:
    """Every core service on fakes, the clock standing at ``at``."""
    clock = FakeClock(at)
    repos = FakeRepositories(clock)
    calendar, meetings, notifier, timers = FakeCalendar(), FakeMeetings(), FakeNotifier(), \
        FakeTimers()
    metrics = Metrics()
    agents = AgentDirectory(repos.agents, metrics)
    slots = SlotService(agents, repos.appointments, repos.offers, calendar, clock, metrics)
    booking = BookingService(repos, slots, calendar, meetings, clock, metrics, parallel=parallel,
                             invite_attendees=invite_attendees)
    reminders = ReminderService(repos, notifier, timers, clock, metrics)
    return Core(repos, calendar, meetings, notifier, timers, clock, metrics, agents, slots,
                booking, reminders)
