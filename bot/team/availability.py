"""An agent's own availability from Telegram: ``/hours`` (the command line's grammar and
errors) and ``/away`` (a range of days in the agent's zone), applied to offers at once."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.errors import ConfigError
from bot.ports import OutMessage, Repositories
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.hours import format_hours, parse_hours
from bot.scheduling.service import SlotService
from bot.team import wording
from bot.team.access import Actor, Refused

MAX_AWAY = timedelta(days=366)


class Availability:
    """Changes an agent's hours and days away, and drops every cache that still has the old."""

    def __init__(self, store: Repositories, agents: AgentDirectory, slots: SlotService,
                 clock: Clock) -> None:
        self._store = store
        self._agents = agents
        self._slots = slots
        self._clock = clock

    async def set_hours(self, actor: Actor, text: str) -> OutMessage:
        """``/hours mon-fri 09:00-17:00``: the same grammar, and errors, as ``--hours``."""
        agent = actor.as_agent()
        if not text.strip():
            raise Refused(wording.HOURS_USAGE)
        try:
            hours = format_hours(parse_hours(text))
        except ConfigError as err:
            raise Refused(wording.hours_error(str(err))) from None
        await self._store.agents.update(agent.id, working_hours=hours)
        self._changed(actor)
        return OutMessage(wording.hours_set(hours))

    async def set_away(self, actor: Actor, args: list[str]) -> OutMessage:
        """``/away FIRST LAST`` (days in the agent's zone, both included), or ``/away off``."""
        agent = actor.as_agent()
        if [a.lower() for a in args] == ["off"]:
            await self._store.agents.update(agent.id, away_from=None, away_until=None)
            self._changed(actor)
            return OutMessage(wording.AWAY_OFF)
        if len(args) not in (1, 2):
            raise Refused(wording.AWAY_USAGE)
        first, last = _day(args[0]), _day(args[-1])
        today = self._clock.now().astimezone(ZoneInfo(agent.timezone)).date()
        if last < first:
            raise Refused(wording.away_error("the last day comes before the first"))
        if last < today:
            raise Refused(wording.away_error("that range is over already"))
        if last - first > MAX_AWAY:
            raise Refused(wording.away_error("a range may be at most a year long"))
        await self._store.agents.update(agent.id, away_from=first, away_until=last)
        self._changed(actor)
        return OutMessage(wording.away_set(first, last))

    def _changed(self, actor: Actor) -> None:
        """The agent cache and the agent's free/busy cache, so the next offer sees it."""
        self._agents.invalidate()
        if actor.agent is not None:
            self._slots.invalidate(actor.agent)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(wording.away_error(f'"{text[:20]}" is not a date (YYYY-MM-DD)')) from None
