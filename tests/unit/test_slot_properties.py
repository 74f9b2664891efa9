"""The slot engine's properties, checked against a brute-force minute-by-minute scan."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Interval
from bot.scheduling.hours import WorkingHours, parse_hours
from bot.scheduling.slots import candidate_slots, free_slots, spread

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",  # their clocks change at midnight
]
ALL_DAY = parse_hours("mon-sun 00:00-24:00")


def _transitions() -> list[datetime]:
    """Every clock change of the zones in 2026, found by scanning hour by hour."""
    found = []
    for name in ZONES:
        tz = ZoneInfo(name)
        t = datetime(2026, 1, 1, tzinfo=UTC)
        offset = t.astimezone(tz).utcoffset()
        while t.year == 2026:
            t += timedelta(hours=1)
            now_offset = t.astimezone(tz).utcoffset()
            if now_offset != offset:
                found.append(t)
                offset = now_offset
    return found


TRANSITIONS = _transitions()


def test_the_property_tests_see_the_clock_changes() -> None:
    assert len(TRANSITIONS) == 14  # every zone with DST changes twice a year


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    if draw(st.booleans()):
        return ALL_DAY
    days = {}
    for weekday in range(7):
        cuts = sorted(draw(st.lists(st.sampled_from(range(0, 1441, 5)), max_size=4, unique=True)))
        cuts = cuts[: len(cuts) // 2 * 2]
        days[weekday] = list(zip(cuts[::2], cuts[1::2], strict=True))
    return WorkingHours.from_mapping(days)


instants = st.one_of(
    st.builds(
        lambda t, m: t + timedelta(minutes=m), st.sampled_from(TRANSITIONS), st.integers(-2880, 720)
    ),
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
)


@settings(max_examples=150, deadline=None)
@given(
    hours=working_hours(),
    zone=st.sampled_from(ZONES),
    now=instants,
    slot=st.sampled_from([15, 20, 30, 45, 60, 90]),
    buffer=st.sampled_from([0, 5, 10, 15, 30, 60]),
    notice=st.integers(0, 600),
    horizon=st.integers(60, 2 * 1440),
    busy_spec=st.lists(st.tuples(st.integers(-600, 3 * 1440), st.integers(1, 300)), max_size=8),
)
def test_free_slots_are_exactly_what_a_minute_by_minute_scan_finds(
    hours: WorkingHours,
    zone: str,
    now: datetime,
    slot: int,
    buffer: int,
    notice: int,
    horizon: int,
    busy_spec: list[tuple[int, int]],
) -> None:
    tz = ZoneInfo(zone)
    length, pad = timedelta(minutes=slot), timedelta(minutes=buffer)
    not_before, not_after = now + timedelta(minutes=notice), now + timedelta(minutes=horizon)
    busy = [
        Interval(now + timedelta(minutes=a), now + timedelta(minutes=a + d)) for a, d in busy_spec
    ]
    # Busy time may arrive in any zone; the engine must compare instants. (The reference keeps
    # UTC: aware arithmetic on a zoned datetime is wall-clock arithmetic, wrong across DST.)
    zoned_busy = [Interval(b.start.astimezone(tz), b.end.astimezone(tz)) for b in busy]
    candidates = candidate_slots(
        hours, tz, slot_minutes=slot, window_start=not_before, window_end=not_after
    )
    result = free_slots(
        candidates, zoned_busy, buffer=pad, not_before=not_before, not_after=not_after
    )

    got = [s.start for s in result]
    assert got == sorted(set(got)), "sorted and unique"
    walls = [s.start.astimezone(tz).replace(tzinfo=None) for s in result]
    assert len(set(walls)) == len(walls), "no wall-clock time offered twice"
    for s in result:
        assert s.duration == length
        assert not_before <= s.start and s.end <= not_after
        assert not any(s.overlaps(b.widened(pad)) for b in busy)
        local = s.start.astimezone(tz)
        assert local.fold == 0, "a repeated wall time is offered at its first occurrence only"
        assert _in_range(hours, tz, s.start, slot) is not None, "inside working hours, on grid"

    assert set(got) == _scan(hours, tz, slot, busy, pad, not_before, not_after)


def _scan(
    hours: WorkingHours,
    tz: ZoneInfo,
    slot: int,
    busy: list[Interval],
    pad: timedelta,
    not_before: datetime,
    not_after: datetime,
) -> set[datetime]:
    """Every instant, minute by minute, at which a valid slot starts: the reference answer."""
    length = timedelta(minutes=slot)
    blocked = [b.widened(pad) for b in busy]
    t = not_before.replace(second=0, microsecond=0)
    if t < not_before:
        t += timedelta(minutes=1)
    found = set()
    while t + length <= not_after:
        local = t.astimezone(tz)
        here = Interval(t, t + length)
        if local.fold == 0 and not any(here.overlaps(b) for b in blocked) \
                and _in_range(hours, tz, t, slot) is not None:
            found.add(t)
        t += timedelta(minutes=1)
    return found


def _in_range(hours: WorkingHours, tz: ZoneInfo, t: datetime, slot: int) -> tuple[int, int] | None:
    """The working range whose grid ``t`` starts on and whose wall times hold every minute of
    [t, t + slot): the slot's absolute interval lies inside the working hours."""
    local = t.astimezone(tz)
    day = local.date()
    midnight = datetime.combine(day, datetime.min.time())
    minute = local.hour * 60 + local.minute
    for a, b in hours.ranges(local.weekday()):
        if not (a <= minute < b and (minute - a) % slot == 0):
            continue
        first, end = midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)
        walls = ((t + timedelta(minutes=k)).astimezone(tz).replace(tzinfo=None, fold=0)
                 for k in range(slot))
        if all(first <= wall < end for wall in walls):
            return a, b
    return None


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    now=instants,
    cap=st.integers(1, 3),
    booked=st.lists(st.integers(0, 4), min_size=4, max_size=4),
)
def test_max_per_day_drops_exactly_the_full_local_days(
    zone: str,
    now: datetime,
    cap: int,
    booked: list[int],
) -> None:
    tz = ZoneInfo(zone)
    end = now + timedelta(days=3)
    candidates = candidate_slots(ALL_DAY, tz, slot_minutes=60, window_start=now, window_end=end)
    today = now.astimezone(tz).date()
    per_day = {today + timedelta(days=i): n for i, n in enumerate(booked)}
    capped = free_slots(
        candidates,
        [],
        buffer=timedelta(0),
        not_before=now,
        not_after=end,
        max_per_day=cap,
        booked_per_day=per_day,
        tz=tz,
    )
    for s in (c for c in candidates if c.end <= end):
        full = per_day.get(s.start.astimezone(tz).date(), 0) >= cap
        assert (s in capped) is not full


@settings(max_examples=100, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    now=instants,
    n=st.integers(1, 6),
    keep=st.lists(st.booleans(), min_size=1, max_size=200),
    seed=st.integers(0, 10),
)
def test_spread_is_a_deterministic_sorted_subset_over_as_many_days_as_possible(
    zone: str,
    now: datetime,
    n: int,
    keep: list[bool],
    seed: int,
) -> None:
    tz = ZoneInfo(zone)
    pool = candidate_slots(
        parse_hours("mon-sat 08:00-20:00"),
        tz,
        slot_minutes=30,
        window_start=now,
        window_end=now + timedelta(days=5),
    )
    slots = [s for s, k in zip(pool, keep * (len(pool) // len(keep) + 1), strict=False) if k]
    picked = spread(slots, n, tz)
    shuffled = list(slots)
    random.Random(seed).shuffle(shuffled)
    assert spread(shuffled, n, tz) == picked
    assert picked == sorted(set(picked), key=lambda s: s.start)
    assert set(picked) <= set(slots)
    assert len(picked) == min(n, len(slots))
    days = {s.start.astimezone(tz).date() for s in slots}
    assert len({s.start.astimezone(tz).date() for s in picked}) == min(n, len(days))
