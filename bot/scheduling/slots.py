"""The slot engine: pure functions from working hours, a zone and busy time to free slots.

Every datetime returned is aware and in UTC. Inputs may be in any zone; they are compared as
instants (never as wall times, which Python does when both sides share a tzinfo).

How local wall time becomes instants (the DST rules):

- Slots start on a grid of ``slot_minutes`` from the start of each working range, in the agent's
  local wall time, and last ``slot_minutes`` of real time.
- A slot is offered when its whole absolute interval lies inside the working range: every
  instant of it shows a wall time within the range. So on New York's spring day a 30-minute slot
  starting at 01:30 EST (ending 03:00 EDT) is offered inside 00:00-04:00 hours.
- A start in a spring-forward gap does not exist and is skipped.
- A wall time that happens twice (fall back) means its first occurrence (``fold=0``); the
  repeated hour offers no second, duplicate start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial

from bot.domain import Interval
from bot.scheduling.hours import WorkingHours


def candidate_slots(
    hours: WorkingHours,
    tz: tzinfo,
    *,
    slot_minutes: int,
    window_start: datetime,
    window_end: datetime,
) -> list[Interval]:
    """Every slot of the working-hours grid whose start lies in [window_start, window_end)."""
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive")
    lo, hi = window_start.astimezone(UTC), window_end.astimezone(UTC)
    if hi <= lo:
        return []
    length = timedelta(minutes=slot_minutes)
    slots: list[Interval] = []
    day = lo.astimezone(tz).date()
    last_day = hi.astimezone(tz).date()
    while day <= last_day:
        ranges = hours.days[day.weekday()]
        midnight = _steady_midnight(day, tz) if ranges else None
        for range_start, range_end in ranges:
            minute = range_start
            if midnight is not None:  # one offset all day: wall time is real time
                while minute + slot_minutes <= range_end:
                    start = midnight + timedelta(minutes=minute)
                    if lo <= start < hi:
                        slots.append(Interval(start, start + length))
                    minute += slot_minutes
                continue
            while minute < range_end:
                instant = _instant(day, minute, tz)
                if instant is not None and lo <= instant < hi and _inside(
                        instant, slot_minutes, _naive(day, range_start), _naive(day, range_end),
                        tz):
                    slots.append(Interval(instant, instant + length))
                minute += slot_minutes
        day += timedelta(days=1)
    # Already in order: fold=0 keeps local-to-UTC monotonic within a day.
    return slots


def free_slots(
    candidates: Iterable[Interval],
    busy: Iterable[Interval],
    *,
    buffer: timedelta,
    not_before: datetime,
    not_after: datetime,
    max_per_day: int | None = None,
    booked_per_day: Mapping[date, int] | None = None,
    tz: tzinfo | None = None,
) -> list[Interval]:
    """Candidates starting at or after not_before, ending by not_after, clear of busy ± buffer.

    ``max_per_day`` caps the agent's meetings per local day (in ``tz``): a day whose
    ``booked_per_day`` count has reached the cap offers nothing. Sorted, unique, in UTC.
    """
    if max_per_day is not None and tz is None:
        raise ValueError("max_per_day needs tz to know which local day a slot is on")
    lo, hi = not_before.astimezone(UTC), not_after.astimezone(UTC)
    slots = sorted(
        {
            Interval(c.start.astimezone(UTC), c.end.astimezone(UTC))
            for c in candidates
            if lo <= c.start and c.end <= hi
        },
        key=lambda s: (s.start, s.end),
    )
    blocked = _merged(busy, buffer)
    free: list[Interval] = []
    i = 0
    for slot in slots:
        # Slots come in start order, so a block ending by this start ends before every later one.
        while i < len(blocked) and blocked[i][1] <= slot.start:
            i += 1
        if i < len(blocked) and blocked[i][0] < slot.end:
            continue
        free.append(slot)
    if max_per_day is None or tz is None:
        return free
    booked = booked_per_day or {}
    return [s for s in free if booked.get(s.start.astimezone(tz).date(), 0) < max_per_day]


def spread(slots: Sequence[Interval], n: int, tz: tzinfo) -> list[Interval]:
    """Pick up to n slots spread over days and parts of the day, soonest days first, in order.

    Days are visited round-robin from the earliest; on each visit the slot chosen is from the part
    of the day (morning/afternoon/evening) offered least so far, then in an hour not yet offered
    that day, then farthest from what that day already offers, then the earliest.
    """
    unique = sorted({Interval(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in slots},
                    key=lambda s: (s.start, s.end))
    if n <= 0:
        return []
    if len(unique) <= n:
        return unique
    by_day: dict[date, list[tuple[Interval, datetime]]] = defaultdict(list)
    for slot in unique:
        local = slot.start.astimezone(tz)
        by_day[local.date()].append((slot, local))
    part_counts = [0, 0, 0]
    chosen: dict[date, list[tuple[Interval, datetime]]] = defaultdict(list)
    picked: list[Interval] = []
    while len(picked) < n:
        before = len(picked)
        for day, left in by_day.items():
            if not left or len(picked) >= n:
                continue
            best = min(left, key=partial(_score, taken=chosen[day], part_counts=part_counts))
            left.remove(best)
            chosen[day].append(best)
            picked.append(best[0])
            part_counts[_part(best[1])] += 1
        if len(picked) == before:
            break
    return sorted(picked, key=lambda s: (s.start, s.end))


def _score(
    item: tuple[Interval, datetime],
    taken: list[tuple[Interval, datetime]],
    part_counts: list[int],
) -> tuple[int, int, float, datetime]:
    slot, local = item
    same_hour = sum(1 for _, t in taken if t.hour == local.hour)
    gap = min((abs((slot.start - s.start).total_seconds()) for s, _ in taken), default=0.0)
    return part_counts[_part(local)], same_hour, -gap, slot.start


def _part(local: datetime) -> int:
    if local.hour < 12:
        return 0
    return 1 if local.hour < 17 else 2


def _merged(busy: Iterable[Interval], buffer: timedelta) -> list[tuple[datetime, datetime]]:
    spans = sorted(
        (b.start.astimezone(UTC) - buffer, b.end.astimezone(UTC) + buffer) for b in busy
    )
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _steady_midnight(day: date, tz: tzinfo) -> datetime | None:
    """Local midnight as a UTC instant when the clock does not change that day, else None.

    Equal offsets at both midnights (both existing) mean no change in between, as no zone
    changes its clock twice in one day; such a day maps wall time to instants by one offset.
    """
    midnight = datetime.combine(day, time(), tzinfo=tz)
    following = midnight + timedelta(days=1)  # wall-clock arithmetic: the next local midnight
    if midnight.utcoffset() != following.utcoffset():
        return None
    start = midnight.astimezone(UTC)
    if _wall(start, tz) != midnight.replace(tzinfo=None):
        return None
    if _wall(following.astimezone(UTC), tz) != following.replace(tzinfo=None):
        return None
    return start


def _naive(day: date, minute: int) -> datetime:
    # 24:00 is the next day's midnight.
    return datetime.combine(day, time()) + timedelta(minutes=minute)


def _instant(day: date, minute: int, tz: tzinfo) -> datetime | None:
    """The first instant whose wall clock reads day + minute, or None in a spring-forward gap."""
    wall = _naive(day, minute)
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    return instant if _wall(instant, tz) == wall else None


def _inside(start: datetime, minutes: int, first: datetime, end: datetime, tz: tzinfo) -> bool:
    """Every minute of [start, start + minutes) shows a wall time in [first, end).

    Clocks change only on whole minutes, so checking each minute checks every instant; this
    runs only on the few days a year whose clock changes.
    """
    return all(first <= _wall(start + timedelta(minutes=k), tz) < end for k in range(minutes))


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)
