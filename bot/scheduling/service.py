"""Free slots, validated twice, and offers for a lead.

First validation: one free/busy query for every agent's whole horizon, cached per calendar for a
short TTL, filters the candidates. Second validation: just before an offer is shown, one fresh
query (cache bypassed) for exactly the slots about to be shown. Both add the bot's own active
appointments (pending holds included) to the calendar's busy time.

A calendar that cannot be read leaves only its agents out (logged and shown in ``/stats`` by
``CalendarHealth``); the lead is offered the others' times. Only when no calendar can be read does
the search fail.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cachetools import TTLCache

from bot.clock import Clock
from bot.domain import Agent, Interval
from bot.errors import CalendarsUnreadable
from bot.observability.calendars import CalendarHealth
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


@dataclass(frozen=True, slots=True)
class _Busy:
    """Busy time per agent id (calendar and own meetings), own meetings alone, and the agents
    whose calendar could not be read, with why."""

    busy: Mapping[int, list[Interval]]
    own: Mapping[int, list[Interval]]
    unreadable: Mapping[int, str]


class SlotService:
    """Finds free slots and makes offers."""

    def __init__(self, agents: AgentDirectory, appointments: AppointmentStore,
                 offers: OfferStore, calendar: CalendarProvider, clock: Clock,
                 metrics: Metrics, *, freebusy_ttl: float = FREEBUSY_TTL,
                 offer_ttl: timedelta = OFFER_TTL,
                 health: CalendarHealth | None = None) -> None:
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
        # calendar id -> why it could not be read, so each message does not ask again
        self._unreadable: TTLCache[str, str] = TTLCache(maxsize=4096, ttl=freebusy_ttl,
                                                        timer=time.monotonic)
        self.health = health or CalendarHealth(clock, metrics)
        """Which calendars failed lately (the log and ``/stats``)."""
        self._round_robin = itertools.count()

    def invalidate(self, agent: Agent) -> None:
        """Forget the cached free/busy of an agent (after a booking or a cancellation)."""
        self._freebusy.pop(agent.calendar_id, None)
        self._unreadable.pop(agent.calendar_id, None)

    async def _busy(self, agents: Sequence[Agent], span: Interval, *, fresh: bool,
                    own_from: datetime | None = None) -> _Busy:
        """Calendar busy time plus the bot's own active appointments, per agent id; ``own``
        holds the bot's own from ``own_from`` (earlier than ``span``, for the daily cap).

        An agent whose calendar cannot be read is left out (``unreadable``), and remembered for
        the cache's TTL so each message does not ask again; when no calendar at all can be
        read, the error is raised.
        """
        calendars = sorted({a.calendar_id for a in agents})
        found: dict[str, list[Interval]] = {}
        failed: dict[str, str] = {}
        missing = []
        for cal in calendars:
            cached = None if fresh else self._freebusy.get(cal)
            if cached and cached[0].start <= span.start and span.end <= cached[0].end:
                found[cal] = cached[1]
                self._metrics.incr("cache.freebusy.hit")
            elif not fresh and cal in self._unreadable:
                failed[cal] = self._unreadable[cal]
            else:
                missing.append(cal)
                if not fresh:
                    self._metrics.incr("cache.freebusy.miss")
        if missing:
            self._metrics.incr("freebusy.requests")
            reasons: dict[str, str] = {}
            try:
                with self._metrics.timer("freebusy"):
                    answer = await self._calendar.busy(missing, span.start, span.end)
            except CalendarsUnreadable as err:
                answer, reasons = err.answered, err.failed
            for cal in missing:
                if cal not in answer:
                    failed[cal] = self._unreadable[cal] = reasons.get(cal, "no answer")
                    continue
                found[cal] = sorted(answer[cal], key=lambda i: i.start)
                self._unreadable.pop(cal, None)
                self.health.readable(cal)
                if not fresh:  # a second validation's narrow answer must not evict the range
                    self._freebusy[cal] = (span, found[cal])
        for cal, reason in failed.items():
            self.health.failed(cal, [a for a in agents if a.calendar_id == cal], reason)
        if failed and not found:
            raise CalendarsUnreadable("calendar", failed, {})
        readable = [a for a in agents if a.calendar_id in found]
        own = await self._appointments.active_between([a.id for a in readable],
                                                      min(own_from or span.start, span.start),
                                                      span.end)
        busy: dict[int, list[Interval]] = {a.id: list(found[a.calendar_id]) for a in readable}
        for agent in readable:
            if agent.away is not None:  # /away: the agent's days off are busy all day
                busy[agent.id].append(agent.away)
        mine: dict[int, list[Interval]] = {a.id: [] for a in readable}
        for appointment in own:
            busy[appointment.agent_id].append(appointment.interval)
            mine[appointment.agent_id].append(appointment.interval)
        unreadable = {a.id: failed[a.calendar_id] for a in agents if a.calendar_id in failed}
        return _Busy(busy, mine, unreadable)

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
        found = await self._busy(agents, full, fresh=False,
                                 own_from=hour - timedelta(days=1) if capped else None)
        busy, own = found.busy, found.own
        slots: list[AgentSlot] = []
        any_candidates = any_after_notice = False
        for agent in agents:
            if agent.id in found.unreadable:
                continue
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
        unreadable = dict(found.unreadable)
        if slots:
            return SlotSearch(slots, unreadable=unreadable)
        if not any_candidates:
            return SlotSearch([], NoSlotsReason.NO_HOURS, unreadable)
        return SlotSearch([], NoSlotsReason.ALL_BUSY if any_after_notice
                          else NoSlotsReason.NOTICE, unreadable)

    async def _meetings_this_week(self, agents: Sequence[Agent]) -> dict[int, int]:
        """Active meetings per agent id this week (Monday to Monday, UTC), past ones included:
        a time several agents have goes to the one with the fewest."""
        if len(agents) < 2:
            return {}  # no ties to break
        now = self._clock.now().astimezone(UTC)
        monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                              microsecond=0)
        counts = {a.id: 0 for a in agents}
        for meeting in await self._appointments.active_between(
                list(counts), monday, monday + timedelta(days=7)):
            counts[meeting.agent_id] += 1
        return counts

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
        found = await self._busy(agents, span, fresh=True)
        return [a.id not in found.unreadable
                and not any(s.overlaps(b.widened(timedelta(minutes=a.buffer_minutes)))
                            for b in found.busy[a.id])
                for a, s in chosen]

    async def free_validated(self, agents: Sequence[Agent], start: datetime | None = None,
                             end: datetime | None = None) -> SlotSearch:
        """Every free slot in range after both validations (the CLI's ``slots``)."""
        found = await self.search(agents, start, end)
        if not found.slots:
            return found
        ok = await self.verify(found.slots)
        kept = [pair for pair, good in zip(found.slots, ok, strict=True) if good]
        # A calendar that failed at the second check is remembered as unreadable too.
        unreadable = {a.id: self._unreadable[a.calendar_id] for a in agents
                      if a.calendar_id in self._unreadable} | dict(found.unreadable)
        return SlotSearch(kept, None if kept else NoSlotsReason.ALL_BUSY, unreadable)

    async def offer(self, lead_id: int, agents: Sequence[Agent], *, zone: ZoneInfo,
                    when: TimePreference | None = None, count: int = 4,
                    reschedule_of: int | None = None) -> OfferResult:
        """Choose, re-check and store up to ``count`` offers for a lead."""
        widened = False
        windows = when.windows(zone) if when is not None else []
        found = await self.search(agents, *((windows[0][0], windows[-1][1]) if windows
                                            else (None, None)))
        load, turn = await self._meetings_this_week(agents), next(self._round_robin)
        pool = one_agent_per_time(found.slots, load, turn)
        if windows:
            pool = inside(pool, windows)
        if not pool and windows:
            # Nothing free inside what the lead asked for: the nearest free times instead.
            widened = True
            found = await self.search(agents)
            pool = nearest(one_agent_per_time(found.slots, load, turn), windows,
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
