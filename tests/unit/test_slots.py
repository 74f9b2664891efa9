"""The slot engine: DST days by exact instants, free slots, spreading (properties beside)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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


def z(hh_mm: str, day: str) -> datetime:
    """A UTC instant, written like the tables below: z("05:30", "2026-03-08")."""
    return datetime.fromisoformat(f"{day}T{hh_mm}+00:00")


def day_slots(
    zone: str, day: str, hours: WorkingHours = ALL_DAY, minutes: int = 30
) -> list[Interval]:
    tz = ZoneInfo(zone)
    first = date.fromisoformat(day)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(first + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return candidate_slots(hours, tz, slot_minutes=minutes, window_start=start, window_end=end)


def starts(slots: list[Interval]) -> list[datetime]:
    return [s.start for s in slots]


# --- DST days, by exact UTC instants -------------------------------------------------------


def test_new_york_spring_forward_offers_the_real_half_hour_that_crosses_the_gap() -> None:
    slots = day_slots("America/New_York", "2026-03-08")
    # 00:00, 00:30, 01:00 EST; 01:30 EST ends at 03:00 EDT, a real half hour inside the day's
    # hours, so it is offered; 02:00 and 02:30 do not exist; then 03:00 EDT.
    assert starts(slots)[:5] == [
        z(t, "2026-03-08") for t in ("05:00", "05:30", "06:00", "06:30", "07:00")
    ]
    assert slots[3].end.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "03:00"
    assert slots[-1].start == z("03:30", "2026-03-09")  # 23:30 EDT
    assert len(slots) == 46
    assert all(s.duration == timedelta(minutes=30) for s in slots)


def test_new_york_spring_forward_with_hours_ending_inside_the_gap_hour() -> None:
    hours = parse_hours("sun 00:00-04:00")
    walls = [s.start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
             for s in day_slots("America/New_York", "2026-03-08", hours)]
    assert walls == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]  # 3 real hours


def test_new_york_fall_back_offers_the_repeated_hour_once() -> None:
    slots = day_slots("America/New_York", "2026-11-01")
    # 01:00 and 01:30 EDT are offered (01:30 EDT ends at 01:00 EST, inside the hours); the
    # second 01:00-02:00 (EST) is not a start again.
    assert starts(slots)[:5] == [z(t, "2026-11-01")
                                 for t in ("04:00", "04:30", "05:00", "05:30", "07:00")]
    assert slots[-1].start == z("04:30", "2026-11-02")  # 23:30 EST
    assert len(slots) == 48
    walls = [s.start.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None) for s in slots]
    assert len(set(walls)) == len(walls)


def test_london_spring_forward() -> None:
    slots = day_slots("Europe/London", "2026-03-29")
    assert starts(slots)[:3] == [
        z("00:00", "2026-03-29"),
        z("00:30", "2026-03-29"),  # 00:30 GMT ends at 02:00 BST
        z("01:00", "2026-03-29"),
    ]
    assert slots[2].start.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M %Z") == "02:00 BST"
    assert len(slots) == 46


def test_london_fall_back() -> None:
    slots = day_slots("Europe/London", "2026-10-25")
    expected = [
        z("23:00", "2026-10-24"),
        z("23:30", "2026-10-24"),
        z("00:00", "2026-10-25"),
        z("00:30", "2026-10-25"),  # 01:30 BST, ending at 01:00 GMT
        z("02:00", "2026-10-25"),  # 02:00 GMT: the repeated 01:00-02:00 is not offered again
    ]
    assert starts(slots)[:5] == expected
    assert len(slots) == 48


def test_lord_howe_half_hour_fall_back() -> None:
    slots = day_slots("Australia/Lord_Howe", "2026-04-05")
    # +11:00 until 02:00, then 01:30 again at +10:30: the repeat is offered once.
    expected = [z(t, "2026-04-04") for t in ("13:00", "13:30", "14:00", "14:30", "15:30")]
    assert starts(slots)[:5] == expected
    assert len(slots) == 48


def test_lord_howe_half_hour_spring_forward() -> None:
    slots = day_slots("Australia/Lord_Howe", "2026-10-04")
    # +10:30 until 02:00, which becomes 02:30 at +11:00: only 02:00-02:30 is missing, and
    # 01:30-02:30 (a real half hour) is offered.
    expected = [z(t, "2026-10-03") for t in ("13:30", "14:00", "14:30", "15:00", "15:30")]
    assert starts(slots)[:5] == expected
    assert len(slots) == 47


def test_lord_howe_spring_forward_with_15_minute_slots() -> None:
    slots = day_slots("Australia/Lord_Howe", "2026-10-04", minutes=15)
    walls = [s.start.astimezone(ZoneInfo("Australia/Lord_Howe")).strftime("%H:%M") for s in slots]
    assert walls[6:9] == [
        "01:30",
        "01:45",  # ends at 02:30, a real quarter hour
        "02:30",
    ]  # 02:00, 02:15 missing
    assert len(slots) == 96 - 2


def test_santiago_midnight_gap_keeps_the_last_half_hour() -> None:
    before = day_slots("America/Santiago", "2026-09-05")
    # 23:30 -04 ends at 01:00 -03 of the next day (midnight never shows): a real half hour.
    assert before[-1].start == z("03:30", "2026-09-06")  # 23:30 -04
    assert len(before) == 48
    after = day_slots("America/Santiago", "2026-09-06")
    assert after[0].start == z("04:00", "2026-09-06")  # 01:00 -03
    assert len(after) == 46


def test_santiago_repeated_hour_before_midnight() -> None:
    slots = day_slots("America/Santiago", "2026-04-04")
    assert starts(slots)[-2:] == [z("02:00", "2026-04-05"), z("02:30", "2026-04-05")]
    assert day_slots("America/Santiago", "2026-04-05")[0].start == z("04:00", "2026-04-05")


@pytest.mark.parametrize(
    ("zone", "day", "first", "last"),
    [
        ("Asia/Kathmandu", "2026-11-30", z("03:15", "2026-11-30"), z("10:45", "2026-11-30")),
        ("Asia/Kolkata", "2026-11-30", z("03:30", "2026-11-30"), z("11:00", "2026-11-30")),
        ("Pacific/Chatham", "2026-12-01", z("19:15", "2026-11-30"), z("02:45", "2026-12-01")),
        ("America/St_Johns", "2026-11-30", z("12:30", "2026-11-30"), z("20:00", "2026-11-30")),
        ("UTC", "2026-11-30", z("09:00", "2026-11-30"), z("16:30", "2026-11-30")),
    ],
)
def test_offset_zones_on_an_ordinary_day(
    zone: str, day: str, first: datetime, last: datetime
) -> None:
    slots = day_slots(zone, day, parse_hours("mon-fri 09:00-17:00"))
    assert len(slots) == 16
    assert (slots[0].start, slots[-1].start) == (first, last)
    assert all(s.start.tzinfo is UTC for s in slots)


def test_grid_starts_at_each_range_and_slots_must_fit() -> None:
    hours = parse_hours("mon 09:00-12:00,13:10-14:40")
    slots = day_slots("UTC", "2026-11-30", hours, minutes=45)
    walls = [s.start.strftime("%H:%M") for s in slots]
    assert walls == ["09:00", "09:45", "10:30", "11:15", "13:10", "13:55"]


def test_window_selects_slots_by_start() -> None:
    tz = ZoneInfo("UTC")
    hours = parse_hours("mon 09:00-12:00")
    slots = candidate_slots(
        hours,
        tz,
        slot_minutes=60,
        window_start=z("09:30", "2026-11-30"),
        window_end=z("11:00", "2026-11-30"),
    )
    assert starts(slots) == [z("10:00", "2026-11-30")]
    assert (
        candidate_slots(
            hours,
            tz,
            slot_minutes=60,
            window_start=z("11:00", "2026-11-30"),
            window_end=z("11:00", "2026-11-30"),
        )
        == []
    )


# --- free_slots ----------------------------------------------------------------------------

NOON = z("12:00", "2026-11-30")


def hourly(n: int = 8) -> list[Interval]:
    return [
        Interval(NOON + timedelta(hours=i), NOON + timedelta(hours=i, minutes=30)) for i in range(n)
    ]


def free(
    busy: list[Interval],
    buffer: int = 0,
    max_per_day: int | None = None,
    booked_per_day: dict[date, int] | None = None,
    tz: ZoneInfo | None = None,
) -> list[datetime]:
    result = free_slots(
        hourly(),
        busy,
        buffer=timedelta(minutes=buffer),
        not_before=NOON,
        not_after=NOON + timedelta(days=1),
        max_per_day=max_per_day,
        booked_per_day=booked_per_day,
        tz=tz,
    )
    return starts(result)


def test_buffer_touching_is_free_and_one_minute_more_is_not() -> None:
    meeting = Interval(NOON + timedelta(hours=1, minutes=45), NOON + timedelta(hours=2))
    assert NOON + timedelta(hours=1) in free([meeting], buffer=15)
    assert NOON + timedelta(hours=1) not in free([meeting], buffer=16)
    assert NOON + timedelta(hours=2) in free([meeting], buffer=0)
    assert NOON + timedelta(hours=2) not in free([meeting], buffer=1)


def test_busy_in_other_zones_unsorted_and_overlapping() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    busy = [
        Interval(
            (NOON + timedelta(hours=5)).astimezone(tokyo),
            (NOON + timedelta(hours=6)).astimezone(tokyo),
        ),
        Interval(NOON - timedelta(hours=3), NOON + timedelta(minutes=10)),
        Interval(NOON, NOON + timedelta(minutes=5)),
    ]
    assert free(busy) == [NOON + timedelta(hours=h) for h in (1, 2, 3, 4, 6, 7)]


def test_notice_and_horizon_bounds_are_inclusive() -> None:
    result = free_slots(
        hourly(),
        [],
        buffer=timedelta(0),
        not_before=NOON + timedelta(hours=1),
        not_after=NOON + timedelta(hours=3, minutes=30),
    )
    assert starts(result) == [NOON + timedelta(hours=h) for h in (1, 2, 3)]


def test_a_day_at_its_cap_offers_nothing() -> None:
    tz = ZoneInfo("Asia/Kathmandu")  # 12:00Z is 17:45 local; 18:15Z is already the next day
    result = free([], max_per_day=2, booked_per_day={date(2026, 11, 30): 2}, tz=tz)
    assert result == [NOON + timedelta(hours=h) for h in (7,)]
    assert len(free([], max_per_day=2, booked_per_day={date(2026, 11, 30): 1}, tz=tz)) == 8
    with pytest.raises(ValueError, match="tz"):
        free([], max_per_day=2)


def test_buffer_around_a_clock_change_counts_real_minutes() -> None:
    tz = ZoneInfo("America/New_York")
    candidates = day_slots("America/New_York", "2026-03-08")
    meeting = Interval(
        datetime(2026, 3, 8, 3, 0, tzinfo=tz), datetime(2026, 3, 8, 3, 30, tzinfo=tz)
    )
    result = free_slots(
        candidates,
        [meeting],
        buffer=timedelta(hours=1),
        not_before=z("00:00", "2026-03-08"),
        not_after=z("00:00", "2026-03-10"),
    )
    # 03:00 EDT is 07:00Z; an hour either side blocks 06:00Z-08:30Z, whatever the wall clock says.
    night = [s.start for s in result if s.start < z("10:00", "2026-03-08")]
    assert night == [z(t, "2026-03-08") for t in ("05:00", "05:30", "08:30", "09:00", "09:30")]


def test_free_slots_returns_utc_sorted_unique() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    shuffled = [Interval(s.start.astimezone(kolkata), s.end.astimezone(kolkata)) for s in hourly()]
    shuffled = shuffled[::-1] + shuffled[:2]
    result = free_slots(
        shuffled, [], buffer=timedelta(0), not_before=NOON, not_after=NOON + timedelta(days=1)
    )
    assert result == hourly()
    assert all(s.start.tzinfo is UTC for s in result)


# --- spread ---------------------------------------------------------------------------------


def test_spread_prefers_different_days_soonest_first() -> None:
    tz = ZoneInfo("America/New_York")
    week = day_slots("America/New_York", "2026-11-30", parse_hours("mon-fri 09:00-17:00"))
    for offset in range(1, 5):
        week += day_slots(
            "America/New_York",
            str(date(2026, 11, 30) + timedelta(days=offset)),
            parse_hours("mon-fri 09:00-17:00"),
        )
    picked = spread(week, 3, tz)
    local = [s.start.astimezone(tz) for s in picked]
    assert [d.date() for d in local] == [date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)]
    assert {d.hour < 12 for d in local} == {True, False}  # both mornings and afternoons


def test_spread_within_one_day_spans_the_day() -> None:
    tz = ZoneInfo("Europe/London")
    slots = day_slots("Europe/London", "2026-11-30", parse_hours("mon 09:00-17:00"))
    walls = [s.start.astimezone(tz).strftime("%H:%M") for s in spread(slots, 3, tz)]
    assert walls[0] == "09:00"
    assert len({w[:2] for w in walls}) == 3
    assert walls == sorted(walls)


def test_spread_small_inputs() -> None:
    tz = ZoneInfo("UTC")
    assert spread(hourly(2), 5, tz) == hourly(2)
    assert spread(hourly(), 0, tz) == []
