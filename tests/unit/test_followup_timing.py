"""The follow-up schedule and quiet hours: parsing, and the end of the quiet range in the lead's
own zone, across zones, midnight and daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Config
from bot.errors import ConfigError
from bot.followups.timing import QuietHours, parse_quiet_hours, parse_schedule

QUIET = QuietHours(time(21), time(9))


def test_the_default_schedule_and_quiet_hours() -> None:
    config = Config.from_env({})
    assert config.follow_up_schedule == (timedelta(hours=6), timedelta(days=1),
                                         timedelta(days=3))
    assert config.quiet_hours == QUIET


def test_off_turns_either_off() -> None:
    config = Config.from_env({"FOLLOW_UP_SCHEDULE": "off", "QUIET_HOURS": "OFF"})
    assert config.follow_up_schedule == () and config.quiet_hours is None


def test_a_schedule_reads_minutes_hours_days_and_weeks() -> None:
    assert parse_schedule("30m, 2h,1d,2w") == (timedelta(minutes=30), timedelta(hours=2),
                                                timedelta(days=1), timedelta(weeks=2))


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("FOLLOW_UP_SCHEDULE", "6h,soon", "'soon' is not a delay"),
    ("FOLLOW_UP_SCHEDULE", "1d,6h", "must grow"),
    ("FOLLOW_UP_SCHEDULE", "0h", "more than 0"),
    ("FOLLOW_UP_SCHEDULE", "6h,,1d", "is not a delay"),
    ("FOLLOW_UP_SCHEDULE", "200d", "at most 90 days"),
    ("QUIET_HOURS", "21-9", "not a range"),
    ("QUIET_HOURS", "25:00-09:00", "not a range"),
    ("QUIET_HOURS", "09:00-09:00", "same time"),
])
def test_a_bad_value_stops_start_up_with_one_line_naming_the_variable(
        variable: str, value: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({variable: value})
    text = str(caught.value)
    assert text.startswith(f"{variable}: ") and says in text and "\n" not in text


def test_a_webhook_secret_without_a_url_is_refused_and_the_secret_is_never_shown() -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"EVENTS_WEBHOOK_SECRET": "s3cret-value"})
    assert "EVENTS_WEBHOOK_URL" in str(caught.value) and "s3cret" not in str(caught.value)
    config = Config.from_env({"EVENTS_WEBHOOK_URL": "https://crm.example.com/hook",
                              "EVENTS_WEBHOOK_SECRET": "s3cret-value"})
    assert "s3cret" not in repr(config) and "s3cret-value" in config.secrets
    with pytest.raises(ConfigError, match="EVENTS_WEBHOOK_URL"):
        Config.from_env({"EVENTS_WEBHOOK_URL": "crm.example.com/hook"})


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(("zone", "local", "expected"), [
    # Outside the range: unchanged.
    ("Europe/Berlin", (2026, 12, 7, 14, 0), (2026, 12, 7, 14, 0)),
    # Late evening: the next morning at 09:00.
    ("Europe/Berlin", (2026, 12, 7, 22, 30), (2026, 12, 8, 9, 0)),
    # After midnight: the same morning.
    ("America/New_York", (2026, 12, 8, 3, 0), (2026, 12, 8, 9, 0)),
    ("Asia/Kolkata", (2026, 12, 7, 21, 0), (2026, 12, 8, 9, 0)),
    ("Australia/Lord_Howe", (2026, 12, 7, 23, 59), (2026, 12, 8, 9, 0)),
    # 09:00 itself is past the range.
    ("Asia/Tokyo", (2026, 12, 8, 9, 0), (2026, 12, 8, 9, 0)),
    # Into the night the clocks go forward (Berlin, 29 March 2026): 09:00 CEST.
    ("Europe/Berlin", (2026, 3, 28, 23, 0), (2026, 3, 29, 9, 0)),
    # ... and back (25 October 2026): 09:00 CET, 25 hours after 08:00 CEST the day before.
    ("Europe/Berlin", (2026, 10, 24, 22, 0), (2026, 10, 25, 9, 0)),
    ("America/New_York", (2026, 3, 8, 1, 30), (2026, 3, 8, 9, 0)),
])
def test_a_time_inside_the_quiet_hours_moves_to_their_end_in_the_leads_zone(
        zone: str, local: tuple[int, ...], expected: tuple[int, ...]) -> None:
    moved = QUIET.next_allowed(at(zone, *local), ZoneInfo(zone))
    assert moved == at(zone, *expected)
    assert moved.astimezone(ZoneInfo(zone)).time() == time(*expected[3:5])


def test_the_same_instant_is_quiet_in_one_zone_and_not_in_another() -> None:
    instant = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)
    assert QUIET.next_allowed(instant, ZoneInfo("America/Los_Angeles")) == instant  # 14:00
    assert QUIET.next_allowed(instant, ZoneInfo("Europe/London")) == datetime(
        2026, 12, 8, 9, 0, tzinfo=UTC)


def test_a_daytime_range_that_does_not_wrap_midnight() -> None:
    lunch = parse_quiet_hours("12:00-13:30")
    assert lunch is not None
    tz = ZoneInfo("UTC")
    assert lunch.next_allowed(datetime(2026, 12, 7, 12, 15, tzinfo=UTC), tz) == datetime(
        2026, 12, 7, 13, 30, tzinfo=UTC)
    assert lunch.next_allowed(datetime(2026, 12, 7, 23, 0, tzinfo=UTC), tz) == datetime(
        2026, 12, 7, 23, 0, tzinfo=UTC)


def test_an_end_inside_a_skipped_hour_is_after_the_jump_never_inside_the_range() -> None:
    # Quiet until 02:30, which Berlin skips on 29 March 2026 (02:00 -> 03:00).
    quiet = QuietHours(time(22), time(2, 30))
    tz = ZoneInfo("Europe/Berlin")
    moved = quiet.next_allowed(at("Europe/Berlin", 2026, 3, 28, 23, 0), tz)
    assert moved == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert not quiet.contains(moved.astimezone(tz).time())
