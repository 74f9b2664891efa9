"""The agents a lead can book with, cached for the seed's five minutes.

The Telegram bot's directory never serves a console-only agent (the console chat's demo agent);
the console's directory serves those too. Agents come out of the directory within the limits of
``limits.py``, whatever an older version stored.
"""

from __future__ import annotations

import time

from cachetools import TTLCache

from bot.domain import Agent
from bot.observability.metrics import Metrics
from bot.ports import AgentStore
from bot.scheduling.limits import within_limits

AGENT_TTL = 300.0  # the seed's 5 minutes


class AgentDirectory:
    """Agents by id, and the active ones, cached for a few minutes.

    ``console``: this directory is the console chat's, which may book console-only agents.
    """

    def __init__(self, repo: AgentStore, metrics: Metrics, ttl: float = AGENT_TTL, *,
                 console: bool = False) -> None:
        self._repo = repo
        self._metrics = metrics
        self._console = console
        self._by_id: TTLCache[int, Agent] = TTLCache(maxsize=4096, ttl=ttl,
                                                     timer=time.monotonic)
        self._active: TTLCache[str, list[Agent]] = TTLCache(maxsize=1, ttl=ttl,
                                                            timer=time.monotonic)

    def serves(self, agent: Agent) -> bool:
        """Whether this directory's leads may be offered and book ``agent`` now."""
        return agent.active and (self._console or not agent.console_only)

    async def get(self, agent_id: int) -> Agent | None:
        """An agent by id, whether it serves or not (its past meetings still name it)."""
        hit = self._by_id.get(agent_id)
        if hit is not None:
            self._metrics.incr("cache.agent.hit")
            return hit
        self._metrics.incr("cache.agent.miss")
        agent = await self._repo.get(agent_id)
        if agent is not None:
            agent = within_limits(agent)
            self._by_id[agent_id] = agent
        return agent

    async def active(self) -> list[Agent]:
        """Every agent this directory serves."""
        hit = self._active.get("active")
        if hit is not None:
            self._metrics.incr("cache.agent.hit")
            return hit
        self._metrics.incr("cache.agent.miss")
        agents = [within_limits(a) for a in await self._repo.list(active_only=True)
                  if self.serves(a)]
        self._active["active"] = agents
        for agent in agents:
            self._by_id[agent.id] = agent
        return agents

    async def by_telegram_id(self, telegram_id: int) -> Agent | None:
        """The agent with this Telegram id, if any (agents are few: from the active list)."""
        for agent in await self.active():
            if agent.telegram_id == telegram_id:
                return agent
        return None

    def invalidate(self) -> None:
        """Forget every cached agent (one was added or changed)."""
        self._by_id.clear()
        self._active.clear()
