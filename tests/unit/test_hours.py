"""Working hours: the grammar an operator types, its errors and its canonical text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ConfigError
from bot.scheduling.hours import HoursError, WorkingHours, format_hours, parse_hours

NINE_TO_FIVE = ((540, 1020),)


def test_design_example_parses_to_minutes_per_weekday() -> None:
    hours = parse_hours("mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00")
    assert hours.days[:5] == (((540, 720), (780, 1020)),) * 5
    assert hours.ranges(5) == ((600, 840),)
    assert hours.ranges(6) == ()


def test_case_and_spaces_do_not_matter() -> None:
    messy = "  MON - Fri  09:00 - 12:00 , 13:00-17:00 ;Sat,SUN 10:00-14:00 ; "
    assert parse_hours(messy) == parse_hours("mon-fri 09:00-12:00,13:00-17:00; sat,sun 10:00-14:00")


def test_full_day_names_and_short_hours_are_understood() -> None:
    assert parse_hours("Monday, Wednesday 9-17") == parse_hours("mon,wed 09:00-17:00")


def test_a_day_range_may_wrap_around_the_week() -> None:
    hours = parse_hours("fri-mon 10:00-12:00")
    working = [d for d in range(7) if hours.ranges(d)]
    assert working == [0, 4, 5, 6]


def test_a_single_day_range_is_that_day() -> None:
    assert parse_hours("wed-wed 09:00-17:00") == parse_hours("wed 09:00-17:00")


def test_24_00_ends_a_day() -> None:
    assert parse_hours("sun 00:00-24:00").ranges(6) == ((0, 1440),)


def test_overlapping_touching_and_repeated_entries_merge() -> None:
    hours = parse_hours("mon-fri 09:00-17:00; fri 16:00-20:00; mon 08:00-09:00,12:00-13:00")
    assert hours.ranges(0) == ((480, 1020),)
    assert hours.ranges(3) == NINE_TO_FIVE
    assert hours.ranges(4) == ((540, 1200),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("moon 09:00-17:00", 'bad day "moon" in "moon 09:00-17:00"'),
        ("mon-fry 09:00-17:00", 'bad day "fry" in "mon-fry 09:00-17:00"'),
        ("mon 09:00-25:00", 'bad time "25:00" in "mon 09:00-25:00"'),
        ("mon 09:60-17:00", 'bad time "09:60" in "mon 09:60-17:00"'),
        ("mon 9h-17h", 'bad time "9h" in "mon 9h-17h"'),
        ("mon 24:30-24:45", 'bad time "24:30"'),
        (
            "mon 17:00-09:00",
            'bad range "17:00-09:00" in "mon 17:00-09:00": end must be after start',
        ),
        ("mon 09:00-09:00", "end must be after start"),
        ("mon 22:00-02:00", "end must be after start"),
        ("mon 24:00-24:00", "24:00 may only end a range"),
        ("mon 09:00", 'bad range "09:00" in "mon 09:00"'),
        ("mon 09:00-", 'bad range "09:00-"'),
        ("mon-fri", 'missing time ranges in "mon-fri"'),
        ("09:00-17:00", 'missing days in "09:00-17:00"'),
        ("mon 09:00-12:00; moon 13:00-14:00", 'bad day "moon" in "moon 13:00-14:00"'),
        ("", "no working hours given"),
        (" ; ", "no working hours given"),
    ],
)
def test_errors_name_the_bad_part(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_hours_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError):
        parse_hours("someday 09:00-17:00")


def test_canonical_text_groups_days_with_the_same_ranges() -> None:
    hours = parse_hours("sat 10:00-14:00; tue-thu 09:00-17:00; sun 10:00-14:00; mon 9-17; fri 9-12")
    assert format_hours(hours) == "mon-thu 09:00-17:00; fri 09:00-12:00; sat,sun 10:00-14:00"
    assert str(hours) == format_hours(hours)


def test_canonical_text_of_a_split_week() -> None:
    hours = parse_hours("mon,wed-fri,sun 08:30-24:00")
    assert format_hours(hours) == "mon,wed-fri,sun 08:30-24:00"


def test_direct_construction_refuses_unsorted_or_bad_ranges() -> None:
    with pytest.raises(HoursError):
        WorkingHours((((600, 540),),) + ((),) * 6)
    with pytest.raises(HoursError):
        WorkingHours((((540, 600), (550, 700)),) + ((),) * 6)
    with pytest.raises(HoursError):
        WorkingHours(((),) * 6)


def test_from_mapping_merges_like_the_parser() -> None:
    hours = WorkingHours.from_mapping({2: [(780, 1020), (540, 800)]})
    assert hours == parse_hours("wed 09:00-17:00")
    assert hours.is_empty is False
    assert WorkingHours.from_mapping({}).is_empty


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    days = {}
    for weekday in range(7):
        cuts = draw(st.lists(st.integers(0, 1440), min_size=0, max_size=6, unique=True))
        cuts = sorted(cuts)[: len(cuts) // 2 * 2]
        days[weekday] = list(zip(cuts[::2], cuts[1::2], strict=True))
    return WorkingHours.from_mapping(days)


@settings(max_examples=200, deadline=None)
@given(working_hours())
def test_canonical_text_round_trips(hours: WorkingHours) -> None:
    if hours.is_empty:
        assert format_hours(hours) == ""
        return
    text = format_hours(hours)
    assert parse_hours(text) == hours
    assert format_hours(parse_hours(text.upper())) == text
