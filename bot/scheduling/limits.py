"""The bounds of every number that shapes an agent's calendar or a slot listing, in one place.

The command line checks what an operator types against them (``agents add``, ``agents edit``,
``slots``), and so must any later way of changing an agent (an agent's own ``/hours``). The agent
directory clamps an agent stored out of range by an older version, with a log line, so a slot
search never overflows a datetime or loops on a zero-minute grid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.domain import Agent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """An inclusive range of whole numbers, and what they count."""

    low: int
    high: int
    unit: str = ""

    def problem(self, value: int) -> str | None:
        """Why ``value`` is out of range (one short phrase), or None when it is fine."""
        if self.low <= value <= self.high:
            return None
        return f"expected {self.describe()}, got {value}"

    def describe(self) -> str:
        """The range in words: ``5-480 minutes``."""
        return f"{self.low}-{self.high}{' ' + self.unit if self.unit else ''}"

    def clamp(self, value: int) -> int:
        """The nearest value inside the range."""
        return min(max(value, self.low), self.high)


AGENT_LIMITS: Mapping[str, Limit] = {
    "slot_minutes": Limit(5, 480, "minutes"),
    "buffer_minutes": Limit(0, 240, "minutes"),
    "notice_minutes": Limit(0, 43_200, "minutes (30 days)"),
    "horizon_days": Limit(1, 365, "days"),
    "max_per_day": Limit(1, 100, "meetings"),
}
"""Each numeric field of ``Agent`` and its range (``max_per_day`` may also be None: no cap)."""

LISTING_DAYS = Limit(1, 366, "days")
"""How many days ``slots --days`` may list."""

LISTING_REACH = timedelta(days=5 * 366)
"""How far from today ``slots --from`` may start (about five years either way)."""

RECORD_ID = Limit(1, 2**63 - 1)
"""A database id, or a Telegram user id: positive and within a 64-bit integer."""


def listing_start_problem(first: date, today: date) -> str | None:
    """Why a listing may not start on ``first`` (one phrase), or None."""
    if abs(first - today) <= LISTING_REACH:
        return None
    return (f"expected a date within 5 years of today ({today.isoformat()}), "
            f"got {first.isoformat()}")


def agent_problems(agent: Agent) -> dict[str, str]:
    """Each numeric field of ``agent`` out of its range, with why."""
    found: dict[str, str] = {}
    for name, limit in AGENT_LIMITS.items():
        value = getattr(agent, name)
        problem = None if value is None and name == "max_per_day" else limit.problem(value)
        if problem is not None:
            found[name] = problem
    return found


def within_limits(agent: Agent) -> Agent:
    """``agent`` with every out-of-range number clamped into range, each clamp logged.

    An older version stored whatever it was given (``--horizon-days 99999999``); such an agent
    keeps working on the nearest sane value instead of crashing every offer.
    """
    problems = agent_problems(agent)
    if not problems:
        return agent
    changes: dict[str, Any] = {name: AGENT_LIMITS[name].clamp(getattr(agent, name))
                               for name in problems}
    for name, value in changes.items():
        log.warning("agent %d has %s=%s stored, out of range (%s): using %d", agent.id, name,
                    getattr(agent, name), AGENT_LIMITS[name].describe(), value)
    return replace(agent, **changes)
