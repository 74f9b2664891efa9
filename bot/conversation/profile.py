"""The lead's details: each one checked and saved as the lead gives it (typed, said to a brain,
or a shared contact), the agent told when a booked lead adds some, and the missing ones asked
for, one at a time, after booking."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from bot.booking import notices
from bot.booking.service import BookingService
from bot.clock import Clock, zone
from bot.conversation import wording
from bot.conversation.actions import SaveDetails
from bot.conversation.details import normalise_email
from bot.conversation.phones import lead_regions, normalise_phone, zone_of_phone
from bot.conversation.places import resolve_zone
from bot.conversation.turn import NAME_CHARS, LeadState, Team, Turn
from bot.domain import Agent, Awaiting, Lead, clean_text
from bot.ports import AppointmentStore

NOTES_CHARS = 500
# The lead's field that answers each question the bot may wait on.
_ANSWERED_BY = {Awaiting.PHONE: "phone_number", Awaiting.NOTES: "notes", Awaiting.NAME: "name",
                Awaiting.EMAIL: "email", Awaiting.TIMEZONE: "timezone"}
_AGENT_CARES = frozenset({"phone_number", "email", "notes", "name"})


class Profile:
    """Saves what a lead tells about themselves and asks for what is missing."""

    def __init__(self, appointments: AppointmentStore, booking: BookingService,
                 leads: LeadState, team: Team, clock: Clock) -> None:
        self._appointments = appointments
        self._booking = booking
        self._leads = leads
        self._team = team
        self._clock = clock

    async def save(self, turn: Turn, details: SaveDetails, *, from_contact: bool = False) -> None:
        """Check and save each detail; say what was saved and what was refused.

        A zone the lead gives, or one a new number implies while the lead's zone is only
        assumed, marks the turn ``rezoned`` when it differs from the zone times were shown in.
        """
        lead = turn.lead
        shown = await self._team.zone(lead)
        changes: dict[str, object] = {}
        problems: list[str] = []
        saved: list[str] = []
        if details.name is not None and (name := clean_text(details.name, NAME_CHARS)):
            changes["name"] = name
            saved.append("name")
        if details.phone is not None:
            phone = normalise_phone(details.phone, await self._regions(lead),
                                    shared_contact=from_contact)
            if phone:
                changes["phone_number"] = phone
                saved.append("phone number")
                implied = zone_of_phone(phone)
                if implied and (lead.timezone is None or lead.timezone_assumed):
                    changes.update(timezone=implied, timezone_assumed=False)
            else:
                problems.append(wording.BAD_PHONE)
        if details.email is not None:
            email = normalise_email(details.email)
            if email:
                changes["email"] = email
                saved.append("email")
            else:
                problems.append(wording.BAD_EMAIL)
        if details.timezone is not None:
            key = resolve_zone(details.timezone, self._clock.now())
            if key:
                changes.update(timezone=key, timezone_assumed=False)
                saved.append(wording.zone_saved(notices.zone_label(ZoneInfo(key))))
            else:
                problems.append(wording.UNKNOWN_PLACE)
        if details.notes is not None and (notes := clean_text(details.notes, NOTES_CHARS)):
            changes["notes"] = notes
            saved.append("topic")
        if changes:
            answered = _ANSWERED_BY.get(lead.awaiting) if lead.awaiting else None
            if answered in changes:
                changes["awaiting"] = None
            await self._leads.update(turn, **changes)
            turn.rezoned = turn.rezoned or changes.get("timezone", shown.key) != shown.key
        if saved:
            # Once the number is in, the "Share my phone number" keyboard has done its job.
            turn.say(wording.saved(saved, problems),
                     extra={"remove_keyboard": "1"} if "phone_number" in changes else None)
            await self._after_saving(turn, changes)
        elif problems:
            turn.say(wording.refused(problems))

    async def _regions(self, lead: Lead) -> tuple[str, ...]:
        """Where a national number is read: the lead's own zone (not one assumed for them),
        their Telegram language, then their agent's zone."""
        own = None if lead.timezone_assumed else lead.timezone
        return lead_regions(zone=own, language=lead.language,
                            fallback_zone=await self._team.agent_zone(lead))

    async def ask_missing(self, turn: Turn, agent: Agent) -> None:
        """After booking: the phone number first, then the topic; else wait for nothing."""
        lead = turn.lead
        if not lead.phone_number:
            await self._leads.wait_for(turn, Awaiting.PHONE)
            turn.say(wording.ask_phone(agent.name, lead.name), request_contact=True)
        elif not lead.notes:
            await self._leads.wait_for(turn, Awaiting.NOTES)
            turn.say(wording.ask_notes(agent.name))
        else:
            await self._leads.wait_for(turn, None)

    async def _after_saving(self, turn: Turn, changes: dict[str, object]) -> None:
        """A booked lead's agent hears of new details, which reach the calendar event too; a
        new zone re-states the meeting."""
        lead = turn.lead
        upcoming = await self._appointments.upcoming_for_lead(lead.id, self._clock.now())
        if upcoming is None:
            return
        agent = await self._team.agents.get(upcoming.agent_id)
        if agent is None:
            return
        if changes.keys() & _AGENT_CARES:
            # Side by side: the reply waits for neither more than the slower one.
            await asyncio.gather(
                self._team.notify(agent, notices.agent_details(agent, lead, upcoming)),
                self._booking.refresh_event(upcoming, lead))
        if "timezone" in changes:
            tz = zone(lead.timezone, agent.timezone)
            turn.say(wording.meeting_is(notices.slot_label(upcoming.start, tz)))
        if not lead.notes and "phone_number" in changes:
            await self._leads.wait_for(turn, Awaiting.NOTES)
            turn.say(wording.ask_notes(agent.name))
