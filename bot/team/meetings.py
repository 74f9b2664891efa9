"""An agent's hand on a booked meeting: no-show, cancel (asked first), move; and the meetings
that took place, marked ``held`` an hour after their end by the periodic sweep."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.booking.notices import slot_label
from bot.booking.reminders import ReminderService
from bot.booking.service import BookingService
from bot.clock import Clock
from bot.domain import Appointment, AppointmentStatus, Lead
from bot.errors import NotFound
from bot.observability.metrics import Metrics
from bot.pipeline import Step, advance
from bot.ports import Notifier, OutMessage, Repositories
from bot.scheduling.agents import AgentDirectory
from bot.team import wording
from bot.team.access import Access, Actor, Refused
from bot.team.controls import cancel_buttons
from bot.team.lead_side import LeadSide, Reoffer

log = logging.getLogger(__name__)
HELD_AFTER = timedelta(hours=1)
"""A meeting not marked a no-show by this long after its end took place."""


class Meetings:
    """No-show, cancel and move, each checked against the actor's own meetings."""

    def __init__(self, store: Repositories, agents: AgentDirectory, access: Access,
                 booking: BookingService, reminders: ReminderService, lead_side: LeadSide,
                 notifier: Notifier, clock: Clock, metrics: Metrics) -> None:
        self._store = store
        self._agents = agents
        self._access = access
        self._booking = booking
        self._reminders = reminders
        self._lead_side = lead_side
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics

    async def no_show(self, actor: Actor, appointment_id: int) -> OutMessage:
        """From the meeting's start on: mark it ``no_show`` and offer the lead new times."""
        appointment, lead = await self._access.meeting(actor, appointment_id)
        if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.HELD):
            raise Refused(wording.NOT_BOOKED)
        if self._clock.now() < appointment.start:
            raise Refused(wording.TOO_EARLY)
        # The lead's status first, while the meeting still reads as booked: whoever follows the
        # status history finds the meeting the no-show is about.
        lead = await self._settle(lead.id, Step.NO_SHOW)
        if not await self._store.appointments.mark_no_show(appointment.id):
            raise Refused(wording.NOT_BOOKED)
        self._reminders.forget(appointment.id)
        self._metrics.incr("team.no_shows")
        await self._tell_lead(lead, Reoffer.NO_SHOW, appointment)
        return OutMessage(wording.no_show_marked(lead, await self._label(appointment)))

    async def ask_cancel(self, actor: Actor, appointment_id: int) -> OutMessage:
        """The question before an agent's cancel, with its yes and no."""
        appointment, lead = await self._upcoming(actor, appointment_id)
        return OutMessage(wording.cancel_question(lead, await self._label(appointment)),
                          buttons=cancel_buttons(appointment.id))

    async def cancel(self, actor: Actor, appointment_id: int) -> OutMessage:
        """Cancel the meeting (its video meeting and event deleted) and offer new times."""
        appointment, lead = await self._upcoming(actor, appointment_id)
        try:
            cancelled, _ = await self._booking.cancel(lead, appointment.id)
        except NotFound as err:
            raise Refused(wording.NOT_BOOKED) from err
        self._reminders.forget(cancelled.id)
        self._metrics.incr("team.cancels")
        lead = await self._settle(lead.id, Step.CANCELLED)
        await self._tell_lead(lead, Reoffer.CANCELLED, cancelled)
        return OutMessage(wording.cancelled(lead, await self._label(cancelled)))

    async def keep(self, actor: Actor, appointment_id: int) -> OutMessage:
        """The agent's no to "cancel?"."""
        await self._access.meeting(actor, appointment_id)
        return OutMessage(wording.KEPT)

    async def move(self, actor: Actor, appointment_id: int) -> OutMessage:
        """Ask the lead to pick a new time; the meeting stays until the new one is booked."""
        appointment, lead = await self._upcoming(actor, appointment_id)
        await self._tell_lead(lead, Reoffer.MOVE, appointment)
        return OutMessage(wording.move_asked(lead, await self._label(appointment)))

    async def settle_held(self) -> int:
        """Booked meetings that ended over an hour ago took place: ``held``; idempotent."""
        held = await self._store.appointments.mark_held(self._clock.now() - HELD_AFTER)
        for appointment in held:
            await self._settle(appointment.lead_id, Step.HELD)
        if held:
            log.info("%d meetings marked held", len(held))
        return len(held)

    async def _settle(self, lead_id: int, step: Step) -> Lead:
        """The lead's status after ``step``, from the lead as stored now."""
        lead = await self._lead_side.set_lead(lead_id)
        return await self._lead_side.set_lead(lead_id, status=advance(lead.status, step))

    async def _upcoming(self, actor: Actor, appointment_id: int) -> tuple[Appointment, Lead]:
        appointment, lead = await self._access.meeting(actor, appointment_id)
        if appointment.status is not AppointmentStatus.BOOKED or \
                appointment.end <= self._clock.now():
            raise Refused(wording.NOT_BOOKED)
        return appointment, lead

    async def _label(self, appointment: Appointment) -> str:
        agent = await self._agents.get(appointment.agent_id)
        return slot_label(appointment.start, ZoneInfo(agent.timezone if agent else "UTC"))

    async def _tell_lead(self, lead: Lead, why: Reoffer, about: Appointment) -> None:
        for message in await self._lead_side.reoffer(lead, why, about):
            try:
                await self._notifier.send(lead.chat_id, message)
            except Exception:
                self._metrics.incr("errors.send")
                log.exception("could not tell lead %s about appointment %s", lead.id, about.id)
