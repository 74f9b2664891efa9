"""Booking, cancelling and moving the lead's meeting, through the same validated booking service
as a button tap. The conversation records what each outcome means for the lead (status, agent);
the booking service only books.

One lead, one upcoming meeting (``MEETINGS_PER_LEAD``): a lead with a booked meeting who asks for
times ("can we make it thursday?", /times, "Show available times") is moving it, and the offers
are reschedule offers, so the booking replaces the old meeting. Where more are allowed, a lead
who did not say which is asked once: move the booked meeting, or book another?
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum

from bot.booking import notices
from bot.booking.reminders import ReminderService
from bot.booking.service import Booked, BookingService
from bot.clock import Clock, zone
from bot.conversation import wording
from bot.conversation.offering import Offering
from bot.conversation.profile import Profile
from bot.conversation.turn import (
    CANCEL_PREFIX,
    KEEP,
    MOVE_PREFIX,
    NEW_PREFIX,
    LeadState,
    Team,
    Turn,
    show_times_row,
)
from bot.domain import Agent, Appointment, AppointmentStatus, Awaiting, Lead
from bot.errors import BookingFailed, ExpiryReason, NotFound, OfferExpired, SlotTaken, TooSoon
from bot.observability.metrics import Metrics
from bot.pipeline import Step, advance
from bot.ports import AppointmentStore, Button, OfferStore, OutMessage
from bot.team.controls import with_meeting_buttons

log = logging.getLogger(__name__)
# A tap on a batch that is spent this way may be a second tap on the meeting just booked.
_SPENT = (ExpiryReason.USED, ExpiryReason.EXPIRED)
MEETINGS_PER_LEAD = 1
"""Upcoming meetings one lead may have at once. The place for an agent's own setting, when an
agent allows more (``Appointments.allowed``)."""
_BUTTON_WORDS = 60  # bytes of the lead's words a button can carry (Telegram allows 64 in all)


class Intent(StrEnum):
    """What a request for times means for a lead with a booked meeting."""

    MOVE = "move"
    NEW = "new"
    UNSURE = "unsure"


class Appointments:
    """The lead's meeting: book an offered time, cancel (asked first), reschedule."""

    def __init__(self, booking: BookingService, reminders: ReminderService,
                 appointments: AppointmentStore, offers: OfferStore, offering: Offering,
                 profile: Profile, leads: LeadState, team: Team, clock: Clock,
                 metrics: Metrics, *, meetings_per_lead: int = MEETINGS_PER_LEAD) -> None:
        self._booking = booking
        self._reminders = reminders
        self._appointments = appointments
        self._offers = offers
        self._offering = offering
        self._profile = profile
        self._leads = leads
        self._team = team
        self._clock = clock
        self._metrics = metrics
        self._per_lead = meetings_per_lead

    def allowed(self, agent: Agent | None) -> int:
        """How many upcoming meetings a lead may have with this agent."""
        return self._per_lead

    async def offer_times(self, turn: Turn, words: str = "", *,
                          intent: Intent = Intent.UNSURE, lead_in: str = "") -> None:
        """Offer times near ``words``: a move of the booked meeting, a new meeting, or, for a
        lead who may book another and did not say which, the question."""
        lead = turn.lead
        now = self._clock.now()
        upcoming = await self._appointments.upcoming_for_lead(lead.id, now)
        agent = await self._team.assigned(upcoming)
        if upcoming is None:
            opening = wording.NO_MEETING_YET if intent is Intent.MOVE else ""
            await self._offering.offer(turn, words, agent=agent, lead_in=opening + lead_in)
            return
        if intent is Intent.UNSURE and await self._moving(lead):
            intent = Intent.MOVE  # "none of these work": the lead is still moving it
        if intent is not Intent.MOVE and await self._may_book_another(lead, agent):
            if intent is Intent.UNSURE:
                await self._ask_move_or_new(turn, upcoming, words)
                return
            await self._offering.offer(turn, words, agent=agent, lead_in=lead_in)
            return
        await self._offering.offer(turn, words, agent=agent, reschedule_of=upcoming,
                                   lead_in=lead_in)

    async def _moving(self, lead: Lead) -> bool:
        """Whether the offers open now are to move the booked meeting."""
        offers = await self._offers.open_for_lead(lead.id, self._clock.now())
        return any(o.reschedule_of is not None for o in offers)

    async def _may_book_another(self, lead: Lead, agent: Agent | None) -> bool:
        now = self._clock.now()
        booked = await self._appointments.for_lead(lead.id, status=AppointmentStatus.BOOKED)
        return sum(1 for a in booked if a.end > now) < self.allowed(agent)

    async def _ask_move_or_new(self, turn: Turn, upcoming: Appointment, words: str) -> None:
        """Asked once: the buttons carry the lead's words, so either answer offers near them."""
        tz = await self._team.zone(turn.lead)
        carried = words if len(words.encode()) <= _BUTTON_WORDS else ""
        await self._leads.wait_for(turn, Awaiting.MOVE_OR_NEW)
        turn.say(wording.move_or_new(f"{upcoming.start.astimezone(tz):%A}"),
                 buttons=((Button(wording.MOVE_LABEL, MOVE_PREFIX + carried),
                           Button(wording.NEW_LABEL, NEW_PREFIX + carried)),))

    async def book(self, turn: Turn, token: str) -> None:
        """Book the offer behind a button; on any refusal, say why and offer fresh times."""
        lead = turn.lead
        start = time.perf_counter()
        try:
            booked = await self._booking.book(lead, token)
        except OfferExpired as err:
            upcoming = await self._appointments.upcoming_for_lead(lead.id, self._clock.now())
            if upcoming is not None and err.reason in _SPENT:
                # A second tap on the batch that was just booked: no new times, or the next tap
                # would book a second meeting.
                tz = await self._team.zone(lead)
                turn.say(wording.already_booked(notices.slot_label(upcoming.start, tz)))
                return
            await self.offer_times(turn, lead_in=wording.NO_LONGER_OFFERED)
            return
        except SlotTaken:
            await self.offer_times(turn, lead_in=wording.JUST_TAKEN)
            return
        except TooSoon:
            await self.offer_times(turn, lead_in=wording.TOO_SOON)
            return
        except BookingFailed as err:
            await self._tell_agent_failure(turn, str(err))
            await self.offer_times(turn, lead_in=wording.NOT_BOOKED)
            return
        finally:
            self._metrics.observe("booking.service", time.perf_counter() - start)
        await self._leads.update(turn, agent_id=booked.agent.id,
                                 status=advance(turn.lead.status, Step.BOOKED))
        await self._announce(turn, booked)

    async def book_choice(self, turn: Turn, choice: int) -> None:
        """Book the offered time with this number, as a brain read it from the lead's words."""
        if turn.offered:
            # Only a time the lead has seen can be booked; these go out with this reply, whose
            # buttons ask the lead to choose.
            log.info("book_slot ignored: the offers were made in the same turn")
            return
        offers = await self._offers.open_for_lead(turn.lead.id, self._clock.now())
        if 1 <= choice <= len(offers):
            await self.book(turn, offers[choice - 1].token)
        elif offers:
            turn.say(wording.pick_one(len(offers)))
        else:
            await self.offer_times(turn)

    async def _announce(self, turn: Turn, booked: Booked) -> None:
        lead, agent, appointment = turn.lead, booked.agent, booked.appointment
        tz = zone(lead.timezone, agent.timezone)
        turn.messages.append(notices.confirmation(
            appointment, agent, lead, tz, reminders=self._reminders.plan(appointment),
            moved=booked.replaced is not None))
        self._reminders.schedule(appointment)
        if booked.replaced is not None:
            self._reminders.forget(booked.replaced.id)
            notice = notices.agent_rescheduled(booked.replaced, appointment, agent, lead)
        else:
            notice = notices.agent_booked(appointment, agent, lead,
                                          await self._booking.answers_of(lead.id))
        await self._team.notify(agent, with_meeting_buttons(notice, appointment))
        await self._profile.ask_missing(turn, agent)

    async def ask_cancel(self, turn: Turn, *, confirmed: bool) -> None:
        """Ask before cancelling the upcoming meeting; cancel when this is the yes."""
        upcoming = await self._appointments.upcoming_for_lead(turn.lead.id, self._clock.now())
        if upcoming is None:
            await self._leads.wait_for(turn, None)
            turn.say(wording.NO_MEETING, buttons=show_times_row())
            return
        if confirmed:
            await self.cancel(turn, upcoming.id)
            return
        tz = await self._team.zone(turn.lead)
        await self._leads.wait_for(turn, Awaiting.CANCEL_CONFIRM)
        turn.say(wording.cancel_question(notices.slot_label(upcoming.start, tz)),
                 buttons=((Button(wording.YES_CANCEL_LABEL, f"{CANCEL_PREFIX}{upcoming.id}"),
                           Button(wording.NO_KEEP_LABEL, KEEP)),))

    async def keep(self, turn: Turn) -> None:
        """The lead keeps the meeting: no question is open any more."""
        await self._leads.wait_for(turn, None)
        turn.say(wording.KEPT)

    async def cancel(self, turn: Turn, appointment_id: int) -> None:
        """Cancel the lead's meeting (only theirs), and tell the agent."""
        await self._leads.wait_for(turn, None)
        try:
            cancelled, agent = await self._booking.cancel(turn.lead, appointment_id)
        except NotFound:
            turn.say(wording.NOTHING_TO_CANCEL)
            return
        await self._leads.update(turn, status=advance(turn.lead.status, Step.CANCELLED))
        self._reminders.forget(cancelled.id)
        tz = zone(turn.lead.timezone, agent.timezone)
        turn.say(wording.cancelled(notices.slot_label(cancelled.start, tz)),
                 buttons=show_times_row(),
                 attachment=notices.cancellation_invite(cancelled, agent, turn.lead))
        await self._team.notify(agent, notices.agent_cancelled(cancelled, agent, turn.lead))

    async def reschedule(self, turn: Turn, words: str) -> None:
        """New times for the upcoming meeting, near ``words`` if the lead said when."""
        await self.offer_times(turn, words, intent=Intent.MOVE)

    async def _tell_agent_failure(self, turn: Turn, reason: str) -> None:
        agent = await self._team.agent_of(turn.lead)
        if agent is not None:
            await self._team.notify(agent, OutMessage(wording.booking_failed(turn.lead.name,
                                                                             reason)))
