"""Consent in the conversation: opting out ("stop", /stop), back in ("start"), and /forget.

An opted-out lead gets one confirmation, then no nudges or reminders; whatever they write
afterwards is answered only with how to start again, until they do. ``/forget`` erases the
lead's personal data and messages, keeps their meetings (offering to cancel them) and tells the
agent. Both end as the pipeline's ``opted_out``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.booking import notices
from bot.clock import zone
from bot.conversation.turn import CANCEL_PREFIX, LeadState, Team, Turn, show_times_row
from bot.domain import LeadStatus
from bot.followups import wording
from bot.followups.consent import opts_in, opts_out
from bot.followups.nudges import Nudges
from bot.followups.ports import PrivacyStore
from bot.i18n import speaking
from bot.pipeline import Step, advance
from bot.ports import AppointmentStore, Button, OfferStore, OutMessage

log = logging.getLogger(__name__)


class Consent:
    """Opt-out, opt-in and erasure for one conversation."""

    def __init__(self, leads: LeadState, team: Team, appointments: AppointmentStore,
                 offers: OfferStore, nudges: Nudges | None,
                 privacy: PrivacyStore | None) -> None:
        self._leads = leads
        self._team = team
        self._appointments = appointments
        self._offers = offers
        self._nudges = nudges
        self._privacy = privacy

    async def intercept(self, turn: Turn, text: str, now: datetime) -> bool:
        """Answer a consent message (or any message of an opted-out lead); True if answered."""
        if turn.lead.status is LeadStatus.OPTED_OUT:
            if opts_in(text):
                await self.opt_in(turn)
            else:
                turn.say(wording.STILL_OPTED_OUT)
            return True
        if opts_out(text):
            await self.opt_out(turn, now)
            return True
        return False

    async def muted(self, turn: Turn) -> bool:
        """An opted-out lead tapped or sent something: the one reminder of how to come back."""
        if turn.lead.status is not LeadStatus.OPTED_OUT:
            return False
        turn.say(wording.STILL_OPTED_OUT)
        return True

    async def opt_out(self, turn: Turn, now: datetime) -> None:
        """No more nudges or reminders; one confirmation."""
        if turn.lead.status is LeadStatus.OPTED_OUT:
            turn.say(wording.STILL_OPTED_OUT)
            return
        await self._leads.update(turn, status=advance(turn.lead.status, Step.OPTED_OUT),
                                 awaiting=None)
        await self._offers.retire(turn.lead.id, now)
        if self._nudges is not None:
            await self._nudges.stop(turn.lead.id)
        turn.say(wording.OPTED_OUT)

    async def opt_in(self, turn: Turn) -> None:
        """The lead wants to hear from the bot again."""
        await self._leads.update(turn, status=advance(turn.lead.status, Step.OPTED_IN))
        turn.say(wording.OPTED_IN, buttons=show_times_row())

    async def forget(self, turn: Turn, now: datetime) -> None:
        """Erase the lead's personal data and messages; meetings stay, the agent is told."""
        if self._privacy is None:
            raise RuntimeError("no privacy store to erase from")
        lead = turn.lead
        upcoming = await self._appointments.upcoming_for_lead(lead.id, now)
        agent = (await self._team.agents.get(upcoming.agent_id) if upcoming is not None
                 else await self._team.agent_of(lead))
        await self._privacy.forget(lead.id)
        await self._offers.retire(lead.id, now)
        if self._nudges is not None:
            await self._nudges.stop(lead.id)
        await self._leads.update(turn, status=advance(lead.status, Step.OPTED_OUT),
                                 awaiting=None)
        turn.say(wording.FORGOTTEN)
        meetings: list[str] = []
        if upcoming is not None and agent is not None:
            label = notices.slot_label(upcoming.start, zone(lead.timezone, agent.timezone))
            agent_label = notices.slot_label(upcoming.start, zone(None, agent.timezone))
            meetings.append(f"#{upcoming.id} {agent_label}")
            turn.say(wording.forgotten_meeting_kept(label),
                     buttons=((Button(wording.CANCEL_MEETING_LABEL,
                                      f"{CANCEL_PREFIX}{upcoming.id}"),),))
        if agent is not None:
            with speaking(agent.language):
                notice = wording.agent_forgotten(lead.id, meetings)
            await self._team.notify(agent, OutMessage(notice))
        log.info("lead=%d forgotten at their request", lead.id)
