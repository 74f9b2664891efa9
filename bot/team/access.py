"""Who may use the team's controls, on which leads: an agent on their own leads, an admin on
all, anyone else on none (and learns nothing about them)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.domain import Agent, Appointment, Lead
from bot.errors import DomainError
from bot.ports import Repositories
from bot.scheduling.agents import AgentDirectory
from bot.team import wording


class Refused(DomainError):
    """A team control that cannot be done; ``str()`` is what the agent is told."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever uses a team control: an agent, an admin (``ADMIN_TELEGRAM_IDS``), or both."""

    telegram_id: int
    agent: Agent | None
    admin: bool

    @property
    def on_team(self) -> bool:
        return self.agent is not None or self.admin

    def as_agent(self) -> Agent:
        """The agent behind the actor; an admin without an agent account is refused."""
        if self.agent is None:
            raise Refused(wording.NEEDS_AGENT)
        return self.agent


class Access:
    """Finds the actor behind a Telegram id and the leads and meetings that actor may touch."""

    def __init__(self, store: Repositories, agents: AgentDirectory,
                 admins: Collection[int]) -> None:
        self._store = store
        self._agents = agents
        self._admins = frozenset(admins)

    async def actor(self, telegram_id: int) -> Actor:
        """The actor; check ``on_team`` before anything else is said."""
        agent = await self._agents.by_telegram_id(telegram_id)
        return Actor(telegram_id, agent, telegram_id in self._admins)

    async def owns(self, actor: Actor, lead: Lead) -> bool:
        """Admins own every lead; an agent owns theirs, the ones they took over, and, while
        they are the only agent, the leads nobody has yet."""
        if actor.admin:
            return True
        agent = actor.agent
        if agent is None:
            return False
        if agent.id in (lead.agent_id, lead.taken_over_by):
            return True
        if lead.agent_id is None:
            active = await self._agents.active()
            return [a.id for a in active] == [agent.id]
        return False

    async def unassigned_are_mine(self, actor: Actor) -> bool:
        """Whether the leads no agent has yet count among the actor's (see ``owns``)."""
        if actor.agent is None:
            return False
        return [a.id for a in await self._agents.active()] == [actor.agent.id]

    async def lead(self, actor: Actor, lead_id: int) -> Lead:
        """The actor's lead with this id; a lead of someone else reads as no such lead."""
        lead = await self._store.leads.get(lead_id)
        if lead is None or not await self.owns(actor, lead):
            raise Refused(wording.NO_SUCH_LEAD)
        return lead

    async def meeting(self, actor: Actor, appointment_id: int) -> tuple[Appointment, Lead]:
        """The actor's meeting with this id (the agent's own, or any for an admin)."""
        appointment = await self._store.appointments.get(appointment_id)
        lead = (await self._store.leads.get(appointment.lead_id)
                if appointment is not None else None)
        if appointment is None or lead is None or not (
                actor.admin or (actor.agent is not None
                                and appointment.agent_id == actor.agent.id)):
            raise Refused(wording.NO_SUCH_MEETING)
        return appointment, lead
