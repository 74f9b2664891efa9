"""What the brain sees of a lead, and its reply: the AI's, or the rule-based brain's when the AI
fails (or when there is no AI)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.booking.notices import slot_label
from bot.clock import Clock
from bot.conversation.brain import Brain, BrainContext, BrainReply, OfferedTime, UpcomingMeeting
from bot.conversation.qualifying import Qualifying
from bot.conversation.turn import Team
from bot.domain import Agent, Lead, Message
from bot.errors import BotError
from bot.observability.metrics import Metrics
from bot.ports import Repositories

log = logging.getLogger(__name__)


class Thinking:
    """Builds the brain's context and asks the brain, falling back to the rule-based one."""

    def __init__(self, store: Repositories, team: Team, qualifying: Qualifying, brain: Brain,
                 fallback: Brain, clock: Clock, metrics: Metrics, *, agency_name: str) -> None:
        self._store = store
        self._team = team
        self._qualifying = qualifying
        self._brain = brain
        self._fallback = fallback
        self._clock = clock
        self._metrics = metrics
        self._agency = agency_name

    @property
    def slow(self) -> bool:
        """True when replies come from the AI (seconds), not the rule-based brain (instant)."""
        return self._brain is not self._fallback

    async def context(self, lead: Lead, history: Sequence[Message],
                      read: Agent | None) -> BrainContext:
        """What the brain sees of the lead, the message to answer last in ``history``;
        ``read``, the lead's agent as read with it (``LeadStore.with_history``)."""
        agent = await self._team.agent_of(lead, read)
        tz = self._team.zone_with(lead, agent)
        now = self._clock.now()
        offers = await self._store.offers.open_for_lead(lead.id, now)
        upcoming = await self._store.appointments.upcoming_for_lead(lead.id, now)
        missing = tuple(k for k, v in (("name", lead.name), ("phone", lead.phone_number),
                                       ("notes", lead.notes)) if not v)
        return BrainContext(
            lead=lead, history=history,
            now=now.astimezone(tz), agency_name=self._agency,
            agent_name=agent.name if agent else None,
            offers=[OfferedTime(i, o.start, o.end, slot_label(o.start, tz))
                    for i, o in enumerate(offers, 1)],
            appointment=UpcomingMeeting(upcoming.start, upcoming.end,
                                        slot_label(upcoming.start, tz)) if upcoming else None,
            missing=missing, questions=await self._qualifying.unanswered(lead))

    async def reply(self, context: BrainContext) -> BrainReply:
        """The AI's reply; the rule-based brain's when the AI is unavailable."""
        if self.slow:
            try:
                return await self._brain.reply(context)
            except BotError as err:
                self._metrics.incr("errors.ai_fallback")
                log.warning("AI unavailable, rule-based reply instead: %s", err)
        return await self._fallback.reply(context)
