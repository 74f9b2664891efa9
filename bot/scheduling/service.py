"""Free slots, validated twice, and offers for a lead.

First validation: one free/busy query for every agent's whole horizon, cached per calendar for a
short TTL, filters the candidates. Second validation: just before an offer is shown, one fresh
query (cache bypassed) for exactly the slots about to be shown. Both add the bot's own active
appointments (pending holds included) to the calendar's busy time.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cachetools import TTLCache

from bot.clock import Clock
from bot.domain import Agent, Interval
from bot.observability.metrics import Metrics
from bot.ports import AppointmentStore, CalendarProvider, OfferStore
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.hours import parse_hours
from bot.scheduling.offers import (
    AgentSlot,
    NoSlotsReason,
    OfferResult,
    SlotSearch,
    TimePreference,
    inside,
    nearest,
    one_agent_per_time,
    pick,
)
from bot.scheduling.slots import candidate_slots, free_slots

FREEBUSY_TTL = 60.0
OFFER_TTL = timedelta(hours=6)
_VERIFY_ROUNDS = 3


class SlotService:
    """Finds free slots and makes offers."""

    def __init__(self, agents: AgentDirectory, appointments: AppointmentStore,
                 offers: OfferStore, calendar: CalendarProvider, clock: Clock,
                 metrics: Metrics, *, freebusy_ttl: float = FREEBUSY_TTL,
                 offer_ttl: timedelta = OFFER_TTL) -> None:
        self.agents = agents
        self._appointments = appointments
        self._offers = offers
        self._calendar = calendar
        self._clock = clock
        self._metrics = metrics
        self._offer_ttl = offer_ttl
        # calendar id -> (covered interval, busy intervals)
        self._freebusy: TTLCache[str, tuple[Interval, list[Interval]]] = TTLCache(
            maxsize=4096, ttl=freebusy_ttl, timer=time.monotonic)
        self._round_robin = itertools.count()

    def invalidate(self, agent: Agent) -> None:
        """Forget the cached free/busy of an agent (after a booking or a cancellation)."""
        self._freebusy.pop(agent.calendar_id, None)

    async def _busy(self, agents: Sequence[Agent], span: Interval, *, fresh: bool,
                    own_from: datetime | None = None,
                    ) -> tuple[dict[int, list[Interval]], dict[int, list[Interval]]]:
        """Calendar busy time plus the bot's own active appointments, per agent id; the second
        holds the bot's own from ``own_from`` (earlier than ``span``, for the daily cap)."""
        calendars = sorted({a.calendar_id for a in agents})
        found: dict[str, list[Interval]] = {}
        missing = []
        for cal in calendars:
            cached = None if fresh else self._freebusy.get(cal)
            if cached and cached[0].start <= span.start and span.end <= cached[0].end:
                found[cal] = cached[1]
                self._metrics.incr("cache.freebusy.hit")
            else:
                missing.append(cal)
                if not fresh:
                    self._metrics.incr("cache.freebusy.miss")
        if missing:
            self._metrics.incr("freebusy.requests")
            with self._metrics.timer("freebusy"):
                answer = await self._calendar.busy(missing, span.start, span.end)
            for cal in missing:
                found[cal] = sorted(answer.get(cal, []), key=lambda i: i.start)
                if not fresh:  # a second validation's narrow answer must not evict the range
                    self._freebusy[cal] = (span, found[cal])
        own = await self._appointments.active_between([a.id for a in agents],
                                                      min(own_from or span.start, span.start),
                                                      span.end)
        busy: dict[int, list[Interval]] = {a.id: list(found[a.calendar_id]) for a in agents}
        mine: dict[int, list[Interval]] = {a.id: [] for a in agents}
        for appointment in own:
            busy[appointment.agent_id].append(appointment.interval)
            mine[appointment.agent_id].append(appointment.interval)
        return busy, mine

    async def search(self, agents: Sequence[Agent], start: datetime | None = None,
                     end: datetime | None = None) -> SlotSearch:
        """Every free slot of these agents in [start, end), after the first validation."""
        if not agents:
            return SlotSearch([], NoSlotsReason.NO_AGENTS)
        now = self._clock.now()
        horizon = max(timedelta(days=a.horizon_days) for a in agents)
        # Hour- and day-aligned, so the cached range keeps covering later searches that day.
        hour = now.replace(minute=0, second=0, microsecond=0)
        full = Interval(hour, hour.replace(hour=0) + horizon + timedelta(days=2))
        wanted = Interval(max(start or now, now), min(end or full.end, full.end))
        if wanted.end <= wanted.start:
            return SlotSearch([], NoSlotsReason.NO_HOURS)
        # A meeting that ended earlier today still counts toward today's cap: the bot's own
        # meetings are read from a day back, which covers the start of any zone's today.
        capped = any(a.max_per_day for a in agents)
        busy, own = await self._busy(agents, full, fresh=False,
                                     own_from=hour - timedelta(days=1) if capped else None)
        slots: list[AgentSlot] = []
        any_candidates = any_after_notice = False
        for agent in agents:
            zone = ZoneInfo(agent.timezone)
            candidates = candidate_slots(parse_hours(agent.working_hours), zone,
                                         slot_minutes=agent.slot_minutes,
                                         window_start=wanted.start, window_end=wanted.end)
            any_candidates = any_candidates or bool(candidates)
            not_before = now + timedelta(minutes=agent.notice_minutes)
            not_after = now + timedelta(days=agent.horizon_days)
            in_rules = free_slots(candidates, [], buffer=timedelta(0), not_before=not_before,
                                  not_after=not_after)
            any_after_notice = any_after_notice or bool(in_rules)
            # The daily cap counts the bot's own meetings, not every busy block in the calendar.
            per_day = self._per_day(own[agent.id], zone) if agent.max_per_day else None
            free = free_slots(in_rules, busy[agent.id],
                              buffer=timedelta(minutes=agent.buffer_minutes),
                              not_before=not_before, not_after=not_after,
                              max_per_day=agent.max_per_day, booked_per_day=per_day, tz=zone)
            slots.extend((agent, s) for s in free)
        slots.sort(key=lambda pair: (pair[1].start, pair[0].id))
        if slots:
            return SlotSearch(slots)
        if not any_candidates:
            return SlotSearch([], NoSlotsReason.NO_HOURS)
        return SlotSearch([], NoSlotsReason.ALL_BUSY if any_after_notice
                          else NoSlotsReason.NOTICE)

    @staticmethod
    def _per_day(meetings: list[Interval], zone: ZoneInfo) -> dict[date, int]:
        counts: dict[date, int] = defaultdict(int)
        for interval in meetings:
            counts[interval.start.astimezone(zone).date()] += 1
        return counts

    async def verify(self, chosen: Sequence[AgentSlot]) -> list[bool]:
        """Second validation: one fresh free/busy call for exactly these slots."""
        if not chosen:
            return []
        agents = list({a.id: a for a, _ in chosen}.values())
        buffer = max(timedelta(minutes=a.buffer_minutes) for a in agents)
        span = Interval(min(s.start for _, s in chosen) - buffer,
                        max(s.end for _, s in chosen) + buffer)
        busy, _ = await self._busy(agents, span, fresh=True)
        return [not any(s.overlaps(b.widened(timedelta(minutes=a.buffer_minutes)))
                        for b in busy[a.id])
                for a, s in chosen]

    async def free_validated(self, agents: Sequence[Agent], start: datetime | None = None,
                             end: datetime | None = None) -> SlotSearch:
        """Every free slot in range after both validations (the CLI's ``slots``)."""
        found = await self.search(agents, start, end)
        if not found.slots:
            return found
        ok = await self.verify(found.slots)
        kept = [pair for pair, good in zip(found.slots, ok, strict=True) if good]
        return SlotSearch(kept, None if kept else NoSlotsReason.ALL_BUSY)

    async def offer(self, lead_id: int, agents: Sequence[Agent], *, zone: ZoneInfo,
                    when: TimePreference | None = None, count: int = 4,
                    reschedule_of: int | None = None) -> OfferResult:
        """Choose, re-check and store up to ``count`` offers for a lead."""
        widened = False
        windows = when.windows(zone) if when is not None else []
        found = await self.search(agents, *((windows[0][0], windows[-1][1]) if windows
                                            else (None, None)))
        pool = one_agent_per_time(found.slots, self._round_robin)
        if windows:
            pool = inside(pool, windows)
        if not pool and windows:
            # Nothing free inside what the lead asked for: the nearest free times instead.
            widened = True
            found = await self.search(agents)
            pool = nearest(one_agent_per_time(found.slots, self._round_robin), windows,
                           count * _VERIFY_ROUNDS)
        if not pool:
            return OfferResult([], found.reason or NoSlotsReason.ALL_BUSY, widened)
        instant = when.preferred(zone) if when is not None else None
        preferred = instant.astimezone(zone).time() if instant is not None and not widened \
            else None
        earliest = widened or (when is not None and when.asap)
        chosen: list[AgentSlot] = []
        for _ in range(_VERIFY_ROUNDS):
            picks = pick(pool, count - len(chosen), zone, preferred, chosen, earliest=earliest)
            if not picks:
                break
            ok = await self.verify(picks)
            chosen += [p for p, good in zip(picks, ok, strict=True) if good]
            pool = [p for p in pool if p not in picks]
            if len(chosen) >= count or all(ok):
                break
        if not chosen:
            return OfferResult([], NoSlotsReason.ALL_BUSY, widened)
        chosen.sort(key=lambda pair: pair[1].start)
        now = self._clock.now()
        offers = await self._offers.replace(
            lead_id, [(a.id, s) for a, s in chosen], now=now,
            expires_at=now + self._offer_ttl, reschedule_of=reschedule_of)
        self._metrics.incr("offers.made")
        return OfferResult(offers, None, widened)
