"""Booking: hold in SQLite, re-check and create the meeting in parallel, then the event.

    tap -> hold (BEGIN IMMEDIATE; refuse overlaps)
        -> fresh free/busy re-check || create the video meeting
        -> create the calendar event (our own id: a retried insert cannot duplicate it)
        -> booked

Whatever succeeded is undone when a later step fails. A crash between steps leaves a
``pending`` row that ``reconcile`` finishes or undoes at start-up.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain import (
    Agent,
    Appointment,
    AppointmentStatus,
    EventRequest,
    Lead,
    LeadStatus,
    Meeting,
    SlotOffer,
)
from bot.errors import BookingFailed, BotError, NotFound, OfferExpired, SlotTaken, Unavailable
from bot.observability.metrics import Metrics
from bot.ports import CalendarProvider, MeetingProvider, Repositories
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)
CLEANUP = "cleanup pending"
LATE_CREATE = timedelta(minutes=5)
"""How long a video meeting whose create timed out may take to appear (then we stop looking)."""


def event_id_for(appointment_id: int, salt: str = "") -> str:
    """A stable, valid Calendar event id (base32hex: a-v, 0-9) for one appointment.

    ``salt`` (the appointment's creation time) keeps a new database whose ids restart at 1 from
    reusing the id of an old, deleted event: Google would answer 409 and keep it deleted.
    """
    digest = hashlib.sha256(f"appointment:{salt}:{appointment_id}".encode()).digest()
    return "lb" + base64.b32hexencode(digest[:20]).decode().rstrip("=").lower()


def event_id_of(appointment: Appointment) -> str:
    """The event id (and meeting key) of an appointment, salted with its creation time."""
    created = appointment.created_at.isoformat() if appointment.created_at else ""
    return event_id_for(appointment.id, created)


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
                 parallel: bool = True, invite_attendees: bool = False) -> None:
        self._store = store
        self._slots = slots
        self._calendar = calendar
        self._meetings = meetings
        self._clock = clock
        self._metrics = metrics
        self.parallel = parallel
        self._invite = invite_attendees
        self._in_flight: set[int] = set()

    async def offer_for(self, lead: Lead, token: str) -> SlotOffer:
        """The offer behind a button, if it is this lead's and still open."""
        offer = await self._store.offers.by_token(token)
        if offer is None or offer.lead_id != lead.id:
            raise OfferExpired("unknown offer")
        if offer.used_at is not None:
            raise OfferExpired("used")
        if offer.expires_at <= self._clock.now() or offer.start <= self._clock.now():
            raise OfferExpired("expired")
        return offer

    async def book(self, lead: Lead, token: str) -> Booked:
        """Book the offered slot behind ``token`` for ``lead``."""
        offer = await self.offer_for(lead, token)
        if not await self._store.offers.use(offer.id, self._clock.now()):
            raise OfferExpired("used")
        agent = await self._slots.agents.get(offer.agent_id)
        if agent is None or not agent.active:
            raise OfferExpired("agent gone")
        start = time.perf_counter()
        try:
            appointment = await self._store.appointments.hold(
                lead.id, agent.id, offer.interval,
                buffer=timedelta(minutes=agent.buffer_minutes), topic=lead.notes,
                now=self._clock.now())
        except SlotTaken:
            self._metrics.incr("bookings.taken")
            log.info("booking lead=%d outcome=taken at=hold", lead.id)
            raise
        self._in_flight.add(appointment.id)
        try:
            booked = await self._complete(appointment, agent, lead)
        finally:
            self._in_flight.discard(appointment.id)
            self._slots.invalidate(agent)
        self._metrics.observe("booking.steps", time.perf_counter() - start)
        replaced = None
        if offer.reschedule_of is not None:
            replaced = await self._cancel_quietly(lead, offer.reschedule_of)
        await self._store.offers.retire(lead.id, self._clock.now())
        self._metrics.incr("bookings.booked")
        log.info("booking lead=%d appointment=%d outcome=booked ms=%.1f%s", lead.id, booked.id,
                 (time.perf_counter() - start) * 1000,
                 f" replaces={replaced.id}" if replaced else "")
        return Booked(booked, agent, replaced)

    async def _complete(self, appointment: Appointment, agent: Agent, lead: Lead) -> Appointment:
        slot = appointment.interval
        topic = f"Meeting with {lead.name or 'a lead'}"
        minutes = int(slot.duration.total_seconds() // 60)
        create = self._meetings.create(topic=topic, start=slot.start, duration_minutes=minutes,
                                       timezone=agent.timezone, key=event_id_of(appointment))
        if self.parallel:
            results: list[Any] = list(await asyncio.gather(
                self._recheck(agent, appointment), self._timed("zoom.create", create),
                return_exceptions=True))
        else:  # the seed's sequential flow, kept for the benchmark's comparison
            results = [None, None]
            try:
                results[0] = await self._recheck(agent, appointment)
            except Exception as err:
                results[0] = err
                create.close()
            else:
                try:
                    results[1] = await self._timed("zoom.create", create)
                except Exception as err:
                    results[1] = err
        free, meeting = results
        if isinstance(meeting, Meeting):
            await self._store.appointments.set_meeting(appointment.id, meeting.id,
                                                       meeting.join_url)
        if isinstance(free, BaseException) or isinstance(meeting, BaseException) or not free:
            clean = await self._undo(appointment, agent,
                                     meeting if isinstance(meeting, Meeting) else None,
                                     event=False)
            # A create that timed out or got a 5xx may still land: look for it later.
            clean = clean and not isinstance(meeting, Unavailable)
            if free is False:
                await self._store.appointments.mark_failed(appointment.id, "slot taken")
                await self._owe_cleanup(appointment, clean)
                self._metrics.incr("bookings.taken")
                log.info("booking lead=%d appointment=%d outcome=taken at=recheck",
                         lead.id, appointment.id)
                raise SlotTaken("the calendar shows the time as busy")
            error = free if isinstance(free, BaseException) else meeting
            await self._fail(appointment, error, clean=clean)
        assert isinstance(meeting, Meeting)
        event_id = event_id_of(appointment)
        await self._store.appointments.set_event(appointment.id, event_id)
        try:
            await self._timed("calendar.insert", self._calendar.create_event(
                self._event(appointment, agent, lead, meeting, event_id)))
        except Exception as err:
            clean = await self._undo(appointment, agent, meeting, event=True)
            await self._fail(appointment, err, clean=clean)
        if not await self._store.appointments.mark_booked(appointment.id):
            # Cancelled while in flight: the cancel already freed the row; remove what we made.
            await self._owe_cleanup(appointment,
                                    await self._undo(appointment, agent, meeting, event=True))
            raise BookingFailed("the booking was cancelled while it was being made")
        # Booked: from here a cancel must undo the meeting and event itself.
        self._in_flight.discard(appointment.id)
        done = await self._store.appointments.get(appointment.id)
        assert done is not None
        return done

    async def _fail(self, appointment: Appointment, error: BaseException, *,
                    clean: bool) -> None:
        reason = f"{type(error).__name__}: {error}"[:300]
        await self._store.appointments.mark_failed(appointment.id, reason)
        await self._owe_cleanup(appointment, clean)
        self._metrics.incr("bookings.failed")
        log.warning("booking lead=%d appointment=%d outcome=failed reason=%s",
                    appointment.lead_id, appointment.id, reason)
        raise BookingFailed(reason) from error

    async def _owe_cleanup(self, appointment: Appointment, clean: bool) -> None:
        """An undo that left something behind is retried at the next start-up (reconcile)."""
        if not clean:
            await self._store.appointments.note_failure(appointment.id, CLEANUP)

    async def _timed(self, name: str, awaitable: Any) -> Any:
        start = time.perf_counter()
        try:
            return await awaitable
        finally:
            self._metrics.observe(name, time.perf_counter() - start)

    async def _recheck(self, agent: Agent, appointment: Appointment) -> bool:
        """Fresh free/busy for this one slot (± buffer): True when the calendar is clear."""
        wide = appointment.interval.widened(timedelta(minutes=agent.buffer_minutes))
        busy = await self._timed("freebusy", self._calendar.busy(
            [agent.calendar_id], wide.start, wide.end))
        self._metrics.incr("freebusy.requests")
        return not any(b.overlaps(wide) for b in busy.get(agent.calendar_id, []))

    def _event(self, appointment: Appointment, agent: Agent, lead: Lead, meeting: Meeting,
               event_id: str) -> EventRequest:
        lines = [f"Lead: {lead.name or 'unknown'}",
                 f"Phone: {lead.phone_number or 'not given yet'}"]
        if lead.email:
            lines.append(f"Email: {lead.email}")
        if appointment.topic:
            lines.append(f"About: {appointment.topic}")
        lines.append(f"Join: {meeting.join_url}")
        attendees = (lead.email,) if self._invite and lead.email else ()
        return EventRequest(
            event_id=event_id, calendar_id=agent.calendar_id,
            summary=f"Call with {lead.name or 'a lead'}", description="\n".join(lines),
            location=meeting.join_url, start=appointment.start, end=appointment.end,
            timezone=agent.timezone, attendee_emails=attendees)

    async def _undo(self, appointment: Appointment, agent: Agent, meeting: Meeting | None, *,
                    event: bool) -> bool:
        """Delete what a booking created; True when everything is gone."""
        steps = []
        if meeting is not None:
            steps.append(self._timed("zoom.delete", self._meetings.delete(meeting.id)))
        if event:
            steps.append(self._timed("calendar.delete", self._calendar.delete_event(
                agent.calendar_id, event_id_of(appointment))))
        results = await asyncio.gather(*steps, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        for err in errors:
            self._metrics.incr("errors.integration")
            log.warning("undo of appointment %s left something behind: %s", appointment.id, err)
        return not errors

    async def cancel(self, lead: Lead, appointment_id: int) -> tuple[Appointment, Agent]:
        """Cancel the lead's appointment and delete its meeting and event."""
        appointment = await self._store.appointments.get(appointment_id)
        if appointment is None or appointment.lead_id != lead.id:
            raise NotFound("no such appointment")
        if not await self._store.appointments.mark_cancelled(appointment_id):
            raise NotFound("that meeting is not active")
        agent = await self._slots.agents.get(appointment.agent_id)
        assert agent is not None
        self._slots.invalidate(agent)
        # An in-flight booking undoes its own meeting and event when it sees the cancel. When an
        # undo fails the status stays cancelled and the debt is paid at the next start-up.
        if appointment_id not in self._in_flight and not await self._undo(
                appointment, agent, _meeting_of(appointment), event=True):
            await self._store.appointments.note_failure(appointment_id, CLEANUP)
        self._metrics.incr("bookings.cancelled")
        done = await self._store.appointments.get(appointment_id)
        assert done is not None
        return done, agent

    async def _cancel_quietly(self, lead: Lead, appointment_id: int) -> Appointment | None:
        try:
            old, _ = await self.cancel(lead, appointment_id)
        except BotError as err:
            log.warning("reschedule could not cancel appointment %s: %s", appointment_id, err)
            return None
        return old

    async def reconcile(self) -> list[tuple[Appointment, bool]]:
        """Finish or undo bookings a crash left ``pending``; returns (appointment, completed)."""
        outcomes = []
        for appointment in await self._store.appointments.by_status(AppointmentStatus.PENDING):
            if appointment.id in self._in_flight:
                continue
            agent = await self._slots.agents.get(appointment.agent_id)
            lead = await self._store.leads.get(appointment.lead_id)
            assert agent is not None and lead is not None
            completed = False
            looked = True
            if not appointment.meeting_id:
                # The crash may have come after Zoom made the meeting but before we saved it.
                looked, found = await self._look_for_meeting(appointment)
                if found is not None:
                    await self._store.appointments.set_meeting(appointment.id, found.id,
                                                               found.join_url)
                    appointment = await self._store.appointments.get(appointment.id) \
                        or appointment
            if appointment.meeting_id and appointment.start > self._clock.now():
                try:
                    await self._calendar.create_event(self._event(
                        appointment, agent, lead,
                        Meeting(appointment.meeting_id, appointment.join_url or ""),
                        event_id_of(appointment)))
                    completed = await self._store.appointments.mark_booked(appointment.id)
                except BotError as err:
                    log.warning("reconcile could not finish appointment %s: %s",
                                appointment.id, err)
            if completed:
                await self._store.leads.update(lead.id, agent_id=agent.id,
                                               status=LeadStatus.BOOKED)
            else:
                clean = await self._undo(appointment, agent, _meeting_of(appointment), event=True)
                await self._store.appointments.mark_failed(appointment.id, "interrupted")
                # After mark_failed, which sets the reason: what is left is swept later.
                await self._owe_cleanup(appointment, clean and looked)
            self._slots.invalidate(agent)
            done = await self._store.appointments.get(appointment.id)
            assert done is not None
            outcomes.append((done, completed))
        await self.sweep()
        return outcomes

    async def sweep(self) -> int:
        """Delete what failed undos left behind (and meetings whose create answered too late);
        returns how many appointments are still owed a clean-up."""
        owed = 0
        for appointment in await self._store.appointments.with_failure(CLEANUP):
            agent = await self._slots.agents.get(appointment.agent_id)
            assert agent is not None
            meeting = _meeting_of(appointment)
            looked = True
            if meeting is None:
                looked, meeting = await self._look_for_meeting(appointment)
            clean = await self._undo(appointment, agent, meeting, event=True) and looked
            settled = meeting is not None or appointment.created_at is None or \
                appointment.created_at < self._clock.now() - LATE_CREATE
            if clean and settled:
                await self._store.appointments.note_failure(appointment.id, None)
            else:
                owed += 1
        return owed

    async def _look_for_meeting(self, appointment: Appointment) -> tuple[bool, Meeting | None]:
        """(whether the provider could be asked, the meeting made with this appointment's key)."""
        try:
            return True, await self._meetings.find(event_id_of(appointment))
        except BotError as err:
            log.warning("could not look for the meeting of appointment %s: %s",
                        appointment.id, err)
            return False, None


def _meeting_of(appointment: Appointment) -> Meeting | None:
    """The video meeting recorded on an appointment, if one was created."""
    if not appointment.meeting_id:
        return None
    return Meeting(appointment.meeting_id, appointment.join_url or "")
