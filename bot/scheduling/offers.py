"""What a search and an offer come back with, and how the few slots shown are chosen."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import Agent, Interval, SlotOffer
from bot.scheduling.slots import spread

AgentSlot = tuple[Agent, Interval]


class TimePreference(Protocol):
    """When a lead would like to meet (the conversation's ``When`` is one)."""

    def windows(self, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """Every [start, end) in UTC in which the meeting may start; empty for any time."""
        ...

    def preferred(self, tz: tzinfo) -> datetime | None:
        """The exact instant asked for (UTC): offered first when free, else the nearest."""
        ...

    @property
    def asap(self) -> bool:
        """The earliest free times are wanted, not times spread out."""
        ...


class NoSlotsReason(StrEnum):
    """Why a search found nothing, so the bot can say something useful."""

    NO_AGENTS = "no_agents"
    NO_HOURS = "no_hours"
    NOTICE = "notice"
    ALL_BUSY = "all_busy"


@dataclass(frozen=True, slots=True)
class SlotSearch:
    """Free slots (agent, slot) in time order, or why there are none; ``unreadable``: the
    agents left out because their calendar could not be read (agent id -> why)."""

    slots: list[AgentSlot]
    reason: NoSlotsReason | None = None
    unreadable: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OfferResult:
    """Offers stored for a lead; ``widened`` when the lead's wish had nothing and the nearest
    times elsewhere are offered instead."""

    offers: list[SlotOffer]
    reason: NoSlotsReason | None = None
    widened: bool = False


def one_agent_per_time(slots: list[AgentSlot], load: Mapping[int, int],
                       turn: int) -> list[AgentSlot]:
    """Where several agents are free at one time, offer it once: of the agent with the fewest
    meetings (``load``, by agent id); agents equally loaded take turns, from the ``turn``-th
    (each offer passes the next turn, so one lead's times and the next lead's are shared out)."""
    by_start: dict[datetime, list[AgentSlot]] = defaultdict(list)
    for pair in slots:
        by_start[pair[1].start].append(pair)
    chosen = []
    for i, group in enumerate(by_start.values()):
        fewest = min(load.get(agent.id, 0) for agent, _ in group)
        least = sorted((pair for pair in group if load.get(pair[0].id, 0) == fewest),
                       key=lambda pair: pair[0].id)
        chosen.append(least[(turn + i) % len(least)])
    return chosen


def inside(pool: list[AgentSlot], windows: list[tuple[datetime, datetime]]) -> list[AgentSlot]:
    """The slots of ``pool`` that start inside one of ``windows``."""
    return [p for p in pool if any(start <= p[1].start < end for start, end in windows)]


def nearest(pool: list[AgentSlot], windows: list[tuple[datetime, datetime]],
            n: int) -> list[AgentSlot]:
    """The ``n`` slots of ``pool`` nearest to ``windows`` (none of them inside), in time order."""
    def gap(pair: AgentSlot) -> float:
        start = pair[1].start
        return min(abs((start - (end if start >= end else begin)).total_seconds())
                   for begin, end in windows)
    return sorted(sorted(pool, key=gap)[:n], key=lambda p: p[1].start)


def pick(pool: list[AgentSlot], n: int, zone: ZoneInfo, preferred: dt.time | None,
         already: list[AgentSlot], *, earliest: bool = False) -> list[AgentSlot]:
    """Up to ``n`` slots of ``pool`` not starting when one ``already`` chosen does: the wished
    time on the earliest day it is free and the nearest times that day, the earliest ones when
    ``earliest``, or else spread out."""
    if n <= 0:
        return []
    taken = {s.start for _, s in already}
    pool = [p for p in pool if p[1].start not in taken]
    if earliest and preferred is None:
        return pool[:n]
    if preferred is None:
        picked = {s.start for s in spread([s for _, s in pool], n, zone)}
        return [p for p in pool if p[1].start in picked]
    wish = preferred

    def distance(pair: AgentSlot) -> tuple[float, datetime]:
        local = pair[1].start.astimezone(zone)
        target = local.replace(hour=wish.hour, minute=wish.minute)
        return abs((local - target).total_seconds()), local

    ranked = sorted(pool, key=lambda p: (p[1].start.astimezone(zone).date(), distance(p)))
    if not ranked:
        return []
    first_day = ranked[0][1].start.astimezone(zone).date()
    same_day = sorted((p for p in ranked if p[1].start.astimezone(zone).date() == first_day),
                      key=distance)
    return sorted(same_day[:n], key=lambda p: p[1].start)
