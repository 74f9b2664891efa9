"""What a lead says about when, resolved against a fixed now: Saturday 2026-11-28 10:00 New York."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.dates import When, find_when, parse_choice, parse_when

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=NY)  # a Saturday
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=NY)


def when(text: str, now: datetime = NOW) -> When:
    found = parse_when(text, now)
    assert found is not None, text
    return found


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", date(2026, 11, 28)),
        ("Tomorrow works", date(2026, 11, 29)),
        ("what about the day after tomorrow?", date(2026, 11, 30)),
        ("in 3 days", date(2026, 12, 1)),
        ("in three days", date(2026, 12, 1)),
        ("in a week", date(2026, 12, 5)),
        ("in 2 weeks", date(2026, 12, 12)),
        ("tuesday", date(2026, 12, 1)),
        ("next tuesday", date(2026, 12, 1)),
        ("this Tuesday", date(2026, 12, 1)),
        ("can we do it on tue?", date(2026, 12, 1)),
        ("friday", date(2026, 12, 4)),
        ("saturday", date(2026, 11, 28)),  # today is Saturday and it is not over
        ("next saturday", date(2026, 12, 5)),
        ("next sunday", date(2026, 12, 6)),
        ("sunday", date(2026, 11, 29)),
        ("dec 2", date(2026, 12, 2)),
        ("2 dec", date(2026, 12, 2)),
        ("December 2nd", date(2026, 12, 2)),
        ("the 2nd of december please", date(2026, 12, 2)),
        ("Dec. 2, 2027", date(2027, 12, 2)),
        ("nov 1", date(2027, 11, 1)),  # already past this year
        ("nov 28", date(2026, 11, 28)),
        ("2026-12-02", date(2026, 12, 2)),
        ("jan 5", date(2027, 1, 5)),
    ],
)
def test_days(text: str, day: date) -> None:
    found = when(text)
    assert found.day == day
    assert found.days == 1


def test_next_weekday_means_next_calendar_week() -> None:
    """On a Monday, "tuesday" is tomorrow and "next tuesday" is the week after."""
    assert when("tuesday", MONDAY).day == date(2026, 12, 1)
    assert when("next tuesday", MONDAY).day == date(2026, 12, 8)
    assert when("monday", MONDAY).day == date(2026, 11, 30)
    assert when("next monday", MONDAY).day == date(2026, 12, 7)


def test_weeks_and_weekends() -> None:
    assert (when("next week").day, when("next week").days) == (date(2026, 11, 30), 7)
    assert (when("this week").day, when("this week").days) == (date(2026, 11, 28), 2)
    assert (when("this weekend").day, when("this weekend").days) == (date(2026, 11, 28), 2)
    assert (when("next weekend").day, when("next weekend").days) == (date(2026, 12, 5), 2)
    assert (when("weekend", MONDAY).day, when("weekend", MONDAY).days) == (date(2026, 12, 5), 2)
    start, end = when("next week").window(NY)  # type: ignore[misc]
    assert start == datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "day", "clock"),
    [
        ("book me tomorrow at 3", date(2026, 11, 29), time(15, 0)),
        ("at 3", date(2026, 11, 28), time(15, 0)),  # still ahead today
        ("at 9", date(2026, 11, 29), time(9, 0)),  # 9 am has passed: tomorrow
        ("9am", date(2026, 11, 29), time(9, 0)),
        ("3pm", date(2026, 11, 28), time(15, 0)),
        ("3 PM tomorrow", date(2026, 11, 29), time(15, 0)),
        ("3:30 pm", date(2026, 11, 28), time(15, 30)),
        ("3.30pm", date(2026, 11, 28), time(15, 30)),
        ("3 p.m.", date(2026, 11, 28), time(15, 0)),
        ("12am tomorrow", date(2026, 11, 29), time(0, 0)),
        ("12pm", date(2026, 11, 28), time(12, 0)),
        ("15:00", date(2026, 11, 28), time(15, 0)),
        ("noon on friday", date(2026, 12, 4), time(12, 0)),
        ("at 7", date(2026, 11, 28), time(19, 0)),  # 1-7 without am/pm are afternoon hours
        ("at 11", date(2026, 11, 28), time(11, 0)),
        ("07:30 on monday", date(2026, 11, 30), time(7, 30)),  # a leading zero: as written
        ("tomorrow morning at 7", date(2026, 11, 29), time(7, 0)),
        ("tonight at 8", date(2026, 11, 28), time(20, 0)),
        ("at 9 in the evening", date(2026, 11, 28), time(21, 0)),
        ("friday around 4?", date(2026, 12, 4), time(16, 0)),
        ("dec 2 at 10am", date(2026, 12, 2), time(10, 0)),
        ("2 dec 3pm", date(2026, 12, 2), time(15, 0)),
        ("4 o'clock on tuesday", date(2026, 12, 1), time(16, 0)),
        ("saturday at 3pm", date(2026, 11, 28), time(15, 0)),
        ("saturday at 9am", date(2026, 12, 5), time(9, 0)),  # today's 9 am is gone
    ],
)
def test_times(text: str, day: date, clock: time) -> None:
    found = when(text)
    assert (found.day, found.time) == (day, clock)


@pytest.mark.parametrize(
    ("text", "day", "part"),
    [
        ("tomorrow afternoon", date(2026, 11, 29), "afternoon"),
        ("this morning", date(2026, 11, 28), "morning"),
        ("morning", date(2026, 11, 28), "morning"),  # 10:00: the morning is not over
        ("tonight", date(2026, 11, 28), "evening"),
        ("next tuesday evening", date(2026, 12, 1), "evening"),
        ("Monday mornings are best", date(2026, 11, 30), "morning"),
        ("friday night", date(2026, 12, 4), "evening"),
    ],
)
def test_parts_of_day(text: str, day: date, part: str) -> None:
    found = when(text)
    assert (found.day, found.part, found.time) == (day, part, None)


def test_a_part_of_day_already_over_means_tomorrow() -> None:
    late = datetime(2026, 11, 28, 13, 0, tzinfo=NY)
    assert when("morning", late).day == date(2026, 11, 29)
    assert when("saturday morning", late).day == date(2026, 12, 5)
    assert when("afternoon", late).day == date(2026, 11, 28)


def test_windows_are_utc_and_follow_the_zone() -> None:
    assert when("tomorrow afternoon").window(NY) == (
        datetime(2026, 11, 29, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 22, 0, tzinfo=UTC),
    )
    # An exact time keeps its whole day as the window and is the preferred instant.
    assert when("tomorrow at 3").window(NY) == (
        datetime(2026, 11, 29, 5, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 5, 0, tzinfo=UTC),
    )
    assert when("tomorrow at 3").at(NY) == datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert when("tomorrow").at(NY) is None
    # A 25-hour day in New York: the window is 25 hours long.
    start, end = When(day=date(2026, 11, 1)).window(NY)  # type: ignore[misc]
    assert (start, end) == (
        datetime(2026, 11, 1, 4, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 5, 0, tzinfo=UTC),
    )
    kathmandu = ZoneInfo("Asia/Kathmandu")
    assert When(day=date(2026, 12, 1), time=time(9)).preferred(kathmandu) == datetime(
        2026, 12, 1, 3, 15, tzinfo=UTC)
    assert When().window(NY) is None


def test_matches_checks_day_part_and_time() -> None:
    mornings = when("next week mornings")
    assert mornings.matches(datetime(2026, 12, 2, 9, 30, tzinfo=NY), NY)
    assert not mornings.matches(datetime(2026, 12, 2, 14, 0, tzinfo=NY), NY)
    assert not mornings.matches(datetime(2026, 12, 7, 9, 30, tzinfo=NY), NY)
    at_three = when("tuesday at 3")
    assert at_three.matches(datetime(2026, 12, 1, 20, 30, tzinfo=UTC), NY)  # 15:30 local
    # An exact time is the preferred instant; any time that day fits, the nearest first.
    assert at_three.matches(datetime(2026, 12, 1, 16, 0, tzinfo=NY), NY)
    assert not at_three.matches(datetime(2026, 12, 2, 16, 0, tzinfo=NY), NY)
    assert when("tuesday").matches(datetime(2026, 12, 1, 23, 59, tzinfo=NY), NY)


@pytest.mark.parametrize(
    "text",
    [
        "hello, I want to buy a house",
        "I have 3 kids and 2 dogs",
        "call me at 555-1234",
        "let me look at 2 options",
        "my budget is 2.50 million",
        "12/2",  # ambiguous month/day order: refused
        "the second one",
        "#2",
        "",
        "feb 30",
    ],
)
def test_nothing_about_time_gives_none(text: str) -> None:
    assert parse_when(text, NOW) is None


def test_the_first_day_mentioned_wins() -> None:
    assert when("tomorrow or friday").day == date(2026, 11, 29)
    assert when("friday or tomorrow").day == date(2026, 12, 4)


def test_now_in_another_zone_resolves_there() -> None:
    """14:00 on Saturday in New York is already Sunday 00:45 in Kathmandu."""
    now = datetime(2026, 11, 28, 14, 0, tzinfo=NY).astimezone(ZoneInfo("Asia/Kathmandu"))
    assert when("tomorrow", now).day == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "pick"),
    [
        ("1", 1),
        ("#2", 2),
        ("2.", 2),
        ("2 please", 2),
        ("the second one", 2),
        ("second", 2),
        ("Second!", 2),
        ("option 3", 3),
        ("I'll take option #3, thanks", 3),
        ("the last one", 3),
        ("last", 3),
        ("first", 1),
        ("the first", 1),
        ("one", 1),
        ("number two", 2),
        ("I'll take the 2nd one please", 2),
        ("ok the 3rd slot", 3),
    ],
)
def test_choices(text: str, pick: int) -> None:
    assert parse_choice(text, 3) == pick


@pytest.mark.parametrize(
    "text",
    [
        "3pm",
        "2 dec",
        "dec 2nd",
        "the 2nd of december",
        "15:00",
        "at 3",
        "in 3 days",
        "wait a second",
        "first thing tomorrow",
        "the first week of december",
        "last week was busy",
        "option 4",  # only three were offered
        "0",
        "not the first, the second",
        "hello",
        "",
    ],
)
def test_not_choices(text: str) -> None:
    assert parse_choice(text, 3) is None


# The words that say when: what a brain passes on, for the bot to resolve once.

@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Can we move my meeting to Friday morning?", "friday morning"),
        ("book me tomorrow at 3 please", "tomorrow at 3"),
        ("sometime next week would be great", "next week"),
        ("how about 3pm, on the 2nd of december", "about 3pm, 2nd of december"),
        ("at 2 options, but tuesday at 4 works", "tuesday at 4"),
    ],
)
def test_the_words_that_say_when_are_found_in_a_longer_message(text: str, words: str) -> None:
    found = find_when(text, NOW)
    assert found is not None and found[1] == words
    assert found[0] == parse_when(text, NOW)


def test_a_message_that_says_no_time_has_no_words_for_it() -> None:
    assert find_when("sure, let's talk", NOW) is None


_SAID = [
    "today", "tonight", "tomorrow", "tmrw", "day after tomorrow", "the day after tomorrow",
    "in 3 days", "in a week", "in two weeks", "next week", "this week", "weekend",
    "next weekend", "this weekend", "monday", "tue", "next tuesday", "this friday", "on sat",
    "2026-12-02", "2026-02-30", "29 feb", "2 dec", "dec 2", "december 2nd", "2nd of december",
    "dec 12, 2027", "morning", "afternoon", "this morning", "night", "noon", "3pm",
    "3:30 pm", "3.30pm", "15:00", "at 3", "at 11", "around 10", "@ 5", "3 o'clock", "07:30",
    "at 2 options", "2.50", "12/2", "at", "on", "the", "of", "days", "day", ",", "?", "and",
    "book", "11", "2", "pm", "dec",
]
_NOWS = [NOW, MONDAY, datetime(2026, 11, 30, 22, 0, tzinfo=ZoneInfo("Europe/Berlin")),
         datetime(2028, 2, 27, 8, 0, tzinfo=UTC)]


@settings(max_examples=500, deadline=None)
@given(said=st.lists(st.sampled_from(_SAID), max_size=7),
       sep=st.sampled_from([" ", ", ", " - "]), now=st.sampled_from(_NOWS))
def test_the_words_found_say_the_same_when_as_the_whole_message(
        said: list[str], sep: str, now: datetime) -> None:
    found = find_when(sep.join(said), now)
    if found is not None:
        when, words = found
        assert parse_when(words, now) == when
