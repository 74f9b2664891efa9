"""After a crash: finish or undo bookings left ``pending``; later, sweep what undos left behind.

At start-up a pending booking whose meeting exists (recorded, or found by its key) and whose time
is still ahead is finished: the event is inserted (our own id, so a repeat is harmless) and the
row booked. Anything else is undone and marked failed. A pending move records the meeting it
replaces: booking it cancels that one in the same transaction (then its video meeting and event
are deleted); undoing it leaves that one booked. The sweep runs every few minutes and deletes
what a failed undo, a move, or a meeting whose create answered too late, left behind.

On a database shared by replicas, a pending row may be another replica's booking in flight: only
rows older than ``PENDING_LEASE`` (far longer than any booking takes) are settled there, and each
one by the replica that claims its lease.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from bot.booking.compensation import LATE_CREATE, Compensation
from bot.booking.events import event_request, meeting_of
from bot.clock import Clock
from bot.domain import CLEANUP, Appointment, AppointmentStatus, Meeting
from bot.errors import BotError, require
from bot.pipeline import Step, advance
from bot.ports import CalendarProvider, Repositories
from bot.scheduling.service import SlotService

log = logging.getLogger(__name__)

THIS_PROCESS = f"{socket.gethostname()}:{os.getpid()}"
"""Who holds a lease this process claims (for an operator reading the leases table)."""
PENDING_LEASE = timedelta(minutes=5)
"""A pending booking younger than this may be in flight on another replica: left alone there.
A booking's calls give up long before (30 s per request to Google, 20 s to Zoom)."""
SETTLE_LEASE = timedelta(minutes=2)
"""How long settling one interrupted booking is claimed by the replica that started it."""


class Reconciler:
    """Settles interrupted bookings and pays clean-up debts."""

    def __init__(self, store: Repositories, slots: SlotService, calendar: CalendarProvider,
                 compensation: Compensation, clock: Clock, in_flight: set[int], *,
                 invite_attendees: bool = False) -> None:
        self._store = store
        self._slots = slots
        self._calendar = calendar
        self._undo = compensation
        self._clock = clock
        self._in_flight = in_flight
        """Bookings this process is making right now: not interrupted, left alone."""
        self._invite = invite_attendees

    async def reconcile(self, older_than: timedelta = timedelta(0)
                        ) -> list[tuple[Appointment, bool]]:
        """Finish or undo bookings a crash left ``pending`` (those held at least ``older_than``
        ago, on a shared database); returns (appointment, completed) per booking settled here."""
        outcomes = []
        now = self._clock.now()
        for appointment in await self._store.appointments.by_status(AppointmentStatus.PENDING):
            if appointment.id in self._in_flight or \
                    (older_than and (appointment.created_at or now) > now - older_than):
                continue
            if not await self._store.leases.claim(f"settle:{appointment.id}", THIS_PROCESS,
                                                  now, now + SETTLE_LEASE):
                continue  # another replica is settling it
            current = await self._store.appointments.get(appointment.id)
            if current is not None and current.status is AppointmentStatus.PENDING:
                outcomes.append(await self._settle(current))
        return outcomes

    async def _settle(self, appointment: Appointment) -> tuple[Appointment, bool]:
        agent = require(await self._slots.agents.get(appointment.agent_id), "agent")
        lead = require(await self._store.leads.get(appointment.lead_id), "lead")
        completed = False
        looked = True
        if not appointment.meeting_id:
            # The crash may have come after the meeting was made but before it was saved.
            looked, found = await self._undo.look_for_meeting(appointment)
            if found is not None:
                await self._store.appointments.set_meeting(appointment.id, found.id,
                                                           found.join_url)
                appointment = await self._store.appointments.get(appointment.id) or appointment
        if appointment.meeting_id and appointment.start > self._clock.now():
            meeting = Meeting(appointment.meeting_id, appointment.join_url or "")
            try:
                await self._calendar.create_event(event_request(
                    appointment, agent, lead, meeting, invite=self._invite))
                completed = await self._store.appointments.mark_booked(appointment.id)
            except BotError as err:
                log.warning("reconcile could not finish appointment %s: %s", appointment.id, err)
        if completed:
            await self._store.leads.update(lead.id, agent_id=agent.id,
                                           status=advance(lead.status, Step.BOOKED))
            done = require(await self._store.appointments.get(appointment.id), "appointment")
            await self.finish_move(done)
        else:
            clean = await self._undo.undo(appointment, agent, meeting_of(appointment), event=True)
            await self._store.appointments.mark_failed(appointment.id, "interrupted")
            # After mark_failed, which sets the reason: what is left is swept later.
            await self._undo.owe(appointment, clean and looked)
        self._slots.invalidate(agent)
        done = require(await self._store.appointments.get(appointment.id), "appointment")
        return done, completed

    async def finish_move(self, booked: Appointment) -> Appointment | None:
        """After a move is booked (which cancelled the old meeting): delete the old one's video
        meeting and event, or leave the debt to the sweep. The old appointment, if any."""
        if booked.replaces is None:
            return None
        old = await self._store.appointments.get(booked.replaces)
        if old is None:
            return None
        if old.status is AppointmentStatus.CANCELLED and old.failure_reason == CLEANUP:
            agent = require(await self._slots.agents.get(old.agent_id), "agent")
            if await self._undo.undo(old, agent, meeting_of(old), event=True):
                await self._store.appointments.note_failure(old.id, None)
            self._slots.invalidate(agent)
            old = await self._store.appointments.get(old.id) or old
        return old

    async def sweep(self) -> int:
        """Delete what failed undos left behind (and meetings whose create answered too late);
        returns how many appointments are still owed a clean-up."""
        owed = 0
        for appointment in await self._store.appointments.with_failure(CLEANUP):
            agent = require(await self._slots.agents.get(appointment.agent_id), "agent")
            meeting = meeting_of(appointment)
            looked = True
            if meeting is None:
                looked, meeting = await self._undo.look_for_meeting(appointment)
            clean = await self._undo.undo(appointment, agent, meeting, event=True) and looked
            settled = meeting is not None or appointment.created_at is None or \
                appointment.created_at < self._clock.now() - LATE_CREATE
            if clean and settled:
                await self._store.appointments.note_failure(appointment.id, None)
            else:
                owed += 1
        return owed
