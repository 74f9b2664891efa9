"""Taking a lead over: the bot is muted for the lead, their messages are relayed to the agent,
the agent's go to the lead as they are (stored with the role ``agent``), until handed back.

The state is the lead's ``taken_over_by`` column, so a takeover survives a restart.
"""

from __future__ import annotations

import logging

from bot.domain import Lead, Role
from bot.observability.metrics import Metrics
from bot.pipeline import Step, advance
from bot.ports import OutMessage, Repositories
from bot.scheduling.agents import AgentDirectory
from bot.team import wording
from bot.team.access import Access, Actor, Refused
from bot.team.controls import hand_back_buttons
from bot.team.lead_side import LeadSide

log = logging.getLogger(__name__)
AGENT_TEXT = 16_384


class Takeover:
    """Take over, hand back, and whom an agent's words are for."""

    def __init__(self, store: Repositories, agents: AgentDirectory, access: Access,
                 lead_side: LeadSide, metrics: Metrics) -> None:
        self._store = store
        self._agents = agents
        self._access = access
        self._lead_side = lead_side
        self._metrics = metrics

    async def take_over(self, actor: Actor, lead_id: int) -> OutMessage:
        """Mute the bot for the actor's lead; refused while another agent has them."""
        agent = actor.as_agent()
        lead = await self._access.lead(actor, lead_id)
        if lead.taken_over_by == agent.id:
            return OutMessage(wording.already_yours(lead), buttons=hand_back_buttons(lead.id))
        if lead.taken_over_by is not None:
            other = await self._agents.get(lead.taken_over_by)
            raise Refused(wording.already_taken(lead, other.name if other else "another agent"))
        changes: dict[str, object] = {"taken_over_by": agent.id}
        if lead.agent_id is None:
            changes["agent_id"] = agent.id
        engaged = advance(lead.status, Step.ENGAGED)
        if engaged is not lead.status:
            changes["status"] = engaged
        lead = await self._lead_side.set_lead(lead.id, **changes)
        self._metrics.incr("team.takeovers")
        log.info("lead=%d taken over by agent=%d", lead.id, agent.id)
        return OutMessage(wording.taken_over(lead), buttons=hand_back_buttons(lead.id))

    async def take_over_meeting(self, actor: Actor, appointment_id: int) -> OutMessage:
        """The Take over button of a meeting's notice: its lead."""
        _, lead = await self._access.meeting(actor, appointment_id)
        return await self.take_over(actor, lead.id)

    async def hand_back(self, actor: Actor, lead_id: int | None = None) -> OutMessage:
        """Unmute the bot for a lead the actor took over (the only one, when no id is given);
        an admin may hand back anyone's."""
        if lead_id is None:
            mine = await self._mine(actor)
            if not mine:
                raise Refused(wording.NOT_TAKING_OVER)
            if len(mine) > 1:
                raise Refused(wording.HANDBACK_USAGE)
            lead = mine[0]
        else:
            lead = await self._access.lead(actor, lead_id)
        if lead.taken_over_by is None or not (
                actor.admin or (actor.agent is not None
                                and lead.taken_over_by == actor.agent.id)):
            raise Refused(wording.NOT_TAKING_OVER)
        lead = await self._lead_side.set_lead(lead.id, taken_over_by=None)
        log.info("lead=%d handed back", lead.id)
        return OutMessage(wording.handed_back(lead))

    async def recipient(self, actor: Actor, replied_to: str | None) -> Lead | None:
        """The lead an agent's message is for: the one named in the relayed message the agent
        replied to, else the only lead they are taking over; None when they take over none."""
        if actor.agent is None:
            return None
        found = wording.TAG.search(replied_to or "")
        if found is not None:
            lead = await self._store.leads.get(int(found.group(1)))
            if lead is not None and lead.taken_over_by == actor.agent.id:
                return lead
        mine = await self._mine(actor)
        if len(mine) > 1:
            raise Refused(wording.several(len(mine)))
        return mine[0] if mine else None

    async def said(self, lead: Lead, text: str) -> None:
        """Store what the agent sent the lead, so the AI has it after the hand-back."""
        await self._store.messages.add(lead.id, Role.AGENT, text[:AGENT_TEXT])
        self._metrics.incr("team.relayed_to_lead")

    async def _mine(self, actor: Actor) -> list[Lead]:
        if actor.agent is None:
            return []
        return await self._store.leads.taken_over(actor.agent.id)
