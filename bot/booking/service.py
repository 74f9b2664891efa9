"""Booking: hold in the database, re-check and create the meeting in parallel, then the event.

    tap -> hold (BEGIN IMMEDIATE; refuse overlaps)
        -> fresh free/busy re-check || create the video meeting
        -> create the calendar event (our own id: a retried insert cannot duplicate it)
        -> booked (a move's old meeting cancelled in the same transaction)
        -> a move's old video meeting and event deleted

Whatever succeeded is undone when a later step fails (``compensation.py``). A crash between
steps leaves a ``pending`` row that ``reconcile.py`` finishes or undoes at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.booking.compensation import Compensation, timed
from bot.booking.events import event_id_of, event_request, meeting_of, move_of
from bot.booking.reconcile import Reconciler
from bot.clock import Clock
from bot.domain import (
    Agent,
    Appointment,
    AppointmentStatus,
    HoldRules,
    Interval,
    Lead,
    Meeting,
    Move,
    SlotOffer,
)
from bot.errors import (
    BookingFailed,
    ExpiryReason,
    NotFound,
    OfferExpired,
    SlotTaken,
    TooSoon,
    Unavailable,
    require,
)
from bot.observability.metrics import Metrics
from bot.ports import CalendarProvider, MeetingProvider, Repositories
from bot.qualification import Qualification
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Booked:
    """A finished booking; ``replaced`` is the meeting a reschedule moved away from."""

    appointment: Appointment
    agent: Agent
    replaced: Appointment | None = None


class BookingService:
    """Books, cancels and reconciles appointments."""

    def __init__(self, store: Repositories, slots: SlotService, calendar: CalendarProvider,
                 meetings: MeetingProvider, clock: Clock, metrics: Metrics, *,
                 parallel: bool = True, invite_attendees: bool = False,
                 qualification: Qualification | None = None) -> None:
        self._store = store
        self._slots = slots
        self._calendar = calendar
        self._meetings = meetings
        self._clock = clock
        self._metrics = metrics
        self.parallel = parallel
        """False runs the seed's sequential flow, kept for the benchmark's comparison."""
        self._invite = invite_attendees
        self._qualification = qualification
        self._in_flight: set[int] = set()
        self._undo = Compensation(store.appointments, calendar, meetings, metrics)
        self._reconciler = Reconciler(store, slots, calendar, self._undo, clock,
                                      self._in_flight, invite_attendees=invite_attendees)

    async def offer_for(self, lead: Lead, token: str) -> SlotOffer:
        """The offer behind a button, if it is this lead's and still open."""
        offer = await self._store.offers.by_token(token)
        if offer is None or offer.lead_id != lead.id:
            raise OfferExpired(ExpiryReason.UNKNOWN)
        if offer.used_at is not None:
            raise OfferExpired(ExpiryReason.USED)
        if offer.expires_at <= self._clock.now() or offer.start <= self._clock.now():
            raise OfferExpired(ExpiryReason.EXPIRED)
        return offer

    async def book(self, lead: Lead, token: str) -> Booked:
        """Book the offered slot behind ``token`` for ``lead``."""
        offer = await self.offer_for(lead, token)
        if not await self._store.offers.use(offer.id, self._clock.now()):
            raise OfferExpired(ExpiryReason.USED)
        agent = await self._slots.agents.get(offer.agent_id)
        if agent is None or not self._slots.agents.serves(agent):
            raise OfferExpired(ExpiryReason.AGENT_GONE)
        if agent.away is not None and agent.away.overlaps(offer.interval):
            # Offered before the agent said they are away then (/away).
            self._metrics.incr("bookings.taken")
            raise SlotTaken("the agent is away then")
        move = await self._move(lead, offer.reschedule_of)
        now = self._clock.now()
        start = time.perf_counter()
        try:
            appointment = await self._store.appointments.hold(
                lead.id, agent.id, offer.interval,
                buffer=timedelta(minutes=agent.buffer_minutes), topic=lead.notes, now=now,
                rules=hold_rules(agent, offer.interval, now), move=move)
        except SlotTaken as err:
            self._metrics.incr("bookings.taken")
            log.info("booking lead=%d outcome=taken at=hold reason=%s", lead.id, err)
            raise
        except TooSoon:
            self._metrics.incr("bookings.too_soon")
            log.info("booking lead=%d outcome=too_soon at=hold", lead.id)
            raise
        self._in_flight.add(appointment.id)
        try:
            booked = await self._complete(appointment, agent, lead)
        finally:
            self._in_flight.discard(appointment.id)
            self._slots.invalidate(agent)
        self._metrics.observe("booking.steps", time.perf_counter() - start)
        replaced = await self._reconciler.finish_move(booked)
        if replaced is not None:
            self._metrics.incr("bookings.moved")
        await self._store.offers.retire(lead.id, self._clock.now())
        self._metrics.incr("bookings.booked")
        log.info("booking lead=%d appointment=%d outcome=booked ms=%.1f%s", lead.id, booked.id,
                 (time.perf_counter() - start) * 1000,
                 f" replaces={replaced.id}" if replaced else "")
        return Booked(booked, agent, replaced)

    async def _move(self, lead: Lead, appointment_id: int | None) -> Move | None:
        """The move an offer made for a reschedule stands for, while that meeting is booked."""
        if appointment_id is None:
            return None
        old = await self._store.appointments.get(appointment_id)
        if old is None or old.lead_id != lead.id or old.status is not AppointmentStatus.BOOKED:
            return None
        return move_of(old)

    async def _complete(self, appointment: Appointment, agent: Agent, lead: Lead) -> Appointment:
        """From a hold to a booked appointment, or an undone one and an error."""
        slot = appointment.interval
        create = self._meetings.create(
            topic=f"Meeting with {lead.name or 'a lead'}", start=slot.start,
            duration_minutes=int(slot.duration.total_seconds() // 60), timezone=agent.timezone,
            key=event_id_of(appointment))
        free, meeting = await (self._recheck_and_create(agent, appointment, create)
                               if self.parallel else
                               self._recheck_then_create(agent, appointment, create))
        if isinstance(meeting, Meeting):
            await self._store.appointments.set_meeting(appointment.id, meeting.id,
                                                       meeting.join_url)
        if free is not True or not isinstance(meeting, Meeting):
            await self._abandon(appointment, agent, lead, free, meeting)
        await self._store.appointments.set_event(appointment.id, event_id_of(appointment))
        try:
            await timed(self._metrics, "calendar.insert", self._calendar.create_event(
                event_request(appointment, agent, lead, meeting, invite=self._invite,
                              answers=await self.answers_of(lead.id))))
        except Exception as err:
            clean = await self._undo.undo(appointment, agent, meeting, event=True)
            await self._fail(appointment, err, clean=clean)
        if not await self._store.appointments.mark_booked(appointment.id):
            # Cancelled while in flight: the cancel already freed the row; remove what we made.
            await self._undo.owe(appointment,
                                 await self._undo.undo(appointment, agent, meeting, event=True))
            raise BookingFailed("the booking was cancelled while it was being made")
        # Booked: from here a cancel must undo the meeting and event itself.
        self._in_flight.discard(appointment.id)
        return require(await self._store.appointments.get(appointment.id), "appointment")

    async def _recheck_and_create(
        self, agent: Agent, appointment: Appointment, create: Coroutine[Any, Any, Meeting],
    ) -> tuple[bool | BaseException, Meeting | BaseException]:
        """The re-check and the meeting's create side by side; each result or its error."""
        free, meeting = await asyncio.gather(
            self._recheck(agent, appointment), timed(self._metrics, "zoom.create", create),
            return_exceptions=True)
        return free, meeting

    async def _recheck_then_create(
        self, agent: Agent, appointment: Appointment, create: Coroutine[Any, Any, Meeting],
    ) -> tuple[bool | BaseException, Meeting | BaseException | None]:
        """The seed's sequential flow: the meeting is made only after a clear re-check."""
        try:
            free = await self._recheck(agent, appointment)
        except Exception as err:
            create.close()
            return err, None
        try:
            return free, await timed(self._metrics, "zoom.create", create)
        except Exception as err:
            return free, err

    async def _abandon(self, appointment: Appointment, agent: Agent, lead: Lead,
                       free: bool | BaseException,
                       meeting: Meeting | BaseException | None) -> NoReturn:
        """Undo after the re-check or the create failed, and raise why."""
        clean = await self._undo.undo(appointment, agent,
                                      meeting if isinstance(meeting, Meeting) else None,
                                      event=False)
        # A create that timed out or got a 5xx may still land: look for it later.
        clean = clean and not isinstance(meeting, Unavailable)
        if free is False:
            await self._store.appointments.mark_failed(appointment.id, "slot taken")
            await self._undo.owe(appointment, clean)
            self._metrics.incr("bookings.taken")
            log.info("booking lead=%d appointment=%d outcome=taken at=recheck",
                     lead.id, appointment.id)
            raise SlotTaken("the calendar shows the time as busy")
        error = free if isinstance(free, BaseException) else meeting
        if not isinstance(error, BaseException):
            error = BookingFailed("the meeting was not made")
        await self._fail(appointment, error, clean=clean)

    async def _fail(self, appointment: Appointment, error: BaseException, *,
                    clean: bool) -> NoReturn:
        reason = f"{type(error).__name__}: {error}"[:300]
        await self._store.appointments.mark_failed(appointment.id, reason)
        await self._undo.owe(appointment, clean)
        self._metrics.incr("bookings.failed")
        log.warning("booking lead=%d appointment=%d outcome=failed reason=%s",
                    appointment.lead_id, appointment.id, reason)
        raise BookingFailed(reason) from error

    async def _recheck(self, agent: Agent, appointment: Appointment) -> bool:
        """Fresh free/busy for this one slot (± buffer): True when the calendar is clear."""
        wide = appointment.interval.widened(timedelta(minutes=agent.buffer_minutes))
        busy = await timed(self._metrics, "freebusy", self._calendar.busy(
            [agent.calendar_id], wide.start, wide.end))
        self._metrics.incr("freebusy.requests")
        return not any(b.overlaps(wide) for b in busy.get(agent.calendar_id, []))

    async def cancel(self, lead: Lead, appointment_id: int) -> tuple[Appointment, Agent]:
        """Cancel the lead's appointment and delete its meeting and event."""
        appointment = await self._store.appointments.get(appointment_id)
        if appointment is None or appointment.lead_id != lead.id:
            raise NotFound("no such appointment")
        if not await self._store.appointments.mark_cancelled(appointment_id):
            raise NotFound("that meeting is not active")
        agent = require(await self._slots.agents.get(appointment.agent_id), "agent")
        self._slots.invalidate(agent)
        # An in-flight booking undoes its own meeting and event when it sees the cancel. When an
        # undo fails the status stays cancelled and the debt is paid by the sweep.
        if appointment_id not in self._in_flight:
            await self._undo.owe(appointment, await self._undo.undo(
                appointment, agent, meeting_of(appointment), event=True))
        self._metrics.incr("bookings.cancelled")
        done = require(await self._store.appointments.get(appointment_id), "appointment")
        return done, agent

    async def refresh_event(self, appointment: Appointment, lead: Lead) -> bool:
        """Bring a booked meeting's calendar event up to date with what the lead told since
        (and invite them, with delegation); a failure is logged and counted, never raised."""
        agent = await self._slots.agents.get(appointment.agent_id)
        if agent is None or appointment.status is not AppointmentStatus.BOOKED:
            return False
        try:
            await timed(self._metrics, "calendar.update", self._calendar.update_event(
                event_request(appointment, agent, lead, meeting_of(appointment),
                              invite=self._invite, answers=await self.answers_of(lead.id))))
        except Exception as err:
            self._metrics.incr("errors.calendar_update")
            log.warning("could not update the event of appointment %s: %s", appointment.id, err)
            return False
        return True

    async def answers_of(self, lead_id: int) -> list[tuple[str, str]]:
        """The lead's qualifying answers, (question, answer) in the file's order."""
        return await self._qualification.summary(lead_id) if self._qualification else []

    async def reconcile(self, older_than: timedelta = timedelta(0)
                        ) -> list[tuple[Appointment, bool]]:
        """Finish or undo bookings a crash left ``pending`` (held at least ``older_than`` ago);
        returns (appointment, completed) for those this process settled."""
        return await self._reconciler.reconcile(older_than)

    async def sweep(self) -> int:
        """Delete what failed undos left behind; how many appointments are still owed."""
        return await self._reconciler.sweep()


def hold_rules(agent: Agent, slot: Interval, now: datetime) -> HoldRules:
    """The agent's notice and daily cap, as the hold checks them at the tap."""
    day = None
    if agent.max_per_day is not None:
        zone = ZoneInfo(agent.timezone)
        local = slot.start.astimezone(zone).date()
        day = Interval(datetime.combine(local, clock_time(0), zone),
                       datetime.combine(local + timedelta(days=1), clock_time(0), zone))
    return HoldRules(not_before=now + timedelta(minutes=agent.notice_minutes),
                     max_per_day=agent.max_per_day, day=day)
