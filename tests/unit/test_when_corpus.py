"""The corpus: hundreds of ways leads write a time, each with the windows it must resolve to, at
fixed "now"s (a Monday morning, a Friday evening, just after midnight, DST days) in several
zones; and the properties every answer keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.when import HORIZON_DAYS, parse_when
from tests.unit.when_corpus import CASES, NOWS
from tests.unit.when_expect import expected


def check(key: str, text: str, spec: str, language: str | None = None) -> str | None:
    """None when ``text`` (in ``language``, English by default) resolves as the corpus says,
    else what went wrong."""
    now = NOWS[key]
    got = parse_when(text, now, language)
    if spec == "none":
        return None if got is None else f"expected nothing, got {got}"
    if got is None:
        return "not understood"
    if spec == "asap":
        return None if got.asap and not got.windows(now.tzinfo) else f"not asap: {got}"
    want = expected(now, spec)
    tz = now.tzinfo
    assert tz is not None
    if got.zone != want.zone:
        return f"zone {got.zone} != {want.zone}"
    if got.windows(tz) != want.windows:
        return f"windows {got.windows(tz)} != {want.windows}"
    if got.preferred(tz) != want.preferred:
        return f"preferred {got.preferred(tz)} != {want.preferred}"
    if bool(got.note) != want.note:
        return f"note {got.note!r}"
    return None


def test_the_corpus_is_large() -> None:
    assert len(CASES) >= 300


@pytest.mark.parametrize(("key", "text", "spec"), CASES, ids=[f"{k}:{t}" for k, t, _ in CASES])
def test_the_corpus(key: str, text: str, spec: str) -> None:
    assert check(key, text, spec) is None


_PHRASES = sorted({text for _, text, spec in CASES if spec != "none"})
_ZONES = [ZoneInfo(name) for name in ("America/New_York", "Europe/London", "Asia/Tokyo",
                                      "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney",
                                      "Asia/Kathmandu")]
_NOW = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                    timezones=st.sampled_from(_ZONES))


@settings(max_examples=400, deadline=None)
@given(text=st.sampled_from(_PHRASES), now=_NOW)
def test_every_window_is_in_the_future_and_inside_the_horizon(text: str, now: datetime) -> None:
    found = parse_when(text, now)
    if found is None:
        return
    tz = now.tzinfo
    assert tz is not None
    for start, end in found.windows(tz):
        assert now.astimezone(UTC) <= start < end
        assert end <= now.astimezone(UTC) + timedelta(days=HORIZON_DAYS + 2)


@settings(max_examples=300, deadline=None)
@given(text=st.sampled_from(_PHRASES), now=_NOW, weeks=st.integers(1, 20))
def test_shifting_now_by_whole_weeks_shifts_the_answer_by_whole_weeks(
        text: str, now: datetime, weeks: int) -> None:
    """On the same weekday and clock, in the same zone, the days move by whole weeks (dates of
    the month and named months excepted: they do not move with the week)."""
    if any(ch.isdigit() for ch in text.replace("ish", "")) and any(
            word in text.lower() for word in ("dec", "jan", "march", "july", "nov", "th", "st ",
                                              "nd", "rd", "-")):
        return
    if "month" in text:
        return
    later = now + timedelta(weeks=weeks)
    first, second = parse_when(text, now), parse_when(text, later)
    named = ZoneInfo(first.zone) if first is not None and first.zone else None
    if later.utcoffset() != now.utcoffset() or (
            named and later.astimezone(named).utcoffset() != now.astimezone(named).utcoffset()):
        return  # a clock change between the two: wall times differ from instants
    assert (first is None) == (second is None)
    if first is None or second is None:
        return
    shift = timedelta(weeks=weeks)
    assert [(d + shift, a, b) for d, a, b in first.ranges] == list(second.ranges)
