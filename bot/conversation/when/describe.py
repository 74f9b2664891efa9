"""The reading of a ``When`` in words, echoed to the lead so they can correct it (in the
speaking language; dates from CLDR through ``bot.i18n.dates``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.i18n import N_, _
from bot.i18n import dates as local

if TYPE_CHECKING:
    from bot.conversation.when.model import When

_PART_WORDS = {
    "first thing": N_("first thing"), "early morning": N_("early in the morning"),
    "late morning": N_("late in the morning"), "morning": N_("in the morning"),
    "am": N_("in the morning"), "before lunch": N_("before lunch"),
    "lunch": N_("at lunchtime"), "after lunch": N_("after lunch"),
    "early afternoon": N_("early in the afternoon"), "mid afternoon": N_("mid-afternoon"),
    "late afternoon": N_("late in the afternoon"), "afternoon": N_("in the afternoon"),
    "pm": N_("in the afternoon"), "early evening": N_("early in the evening"),
    "evening": N_("in the evening"), "end of day": N_("at the end of the day"),
}


def clock(minutes: int) -> str:
    """12:00 -> "12 pm", 14:30 -> "2:30 pm" (14:30 in the other languages)."""
    return local.clock(minutes)


def day_label(day: date) -> str:
    """ "Thursday 3 December"."""
    return local.day(day)


def _days(days: list[date]) -> str:
    if len(days) == 1:
        return day_label(days[0])
    if (days[-1] - days[0]).days == len(days) - 1 and len(days) > 2:
        return _("{first} to {last}", first=day_label(days[0]), last=day_label(days[-1]))
    return _("{some} or {last}", some=", ".join(day_label(d) for d in days[:-1]),
             last=day_label(days[-1]))


def describe(when: When, kind: str | None, bounds: tuple[int, int] | None,
             parts: list[str]) -> str:
    """ "Thursday 3 December after 2 pm", "Monday 7 December to Friday 11 December in the
    morning"; "" when there is nothing to say."""
    days = sorted({r[0] for r in when.ranges})
    if not days:
        return ""
    text = _days(days)
    if bounds is not None and kind is not None:
        start, end = bounds
        text += {
            "exact": lambda: _(" at {time}", time=clock(start)),
            "around": lambda: _(" around {time}", time=clock(start + 90 if start else end - 90)),
            "after": lambda: _(" after {time}", time=clock(start)),
            "before": lambda: _(" before {time}", time=clock(end)),
            "range": lambda: _(" between {start} and {end}", start=clock(start), end=clock(end)),
        }[kind]()
    elif len(set(parts)) == 1:
        text += " " + (_(_PART_WORDS[parts[0]]) if parts[0] in _PART_WORDS else "")
    elif parts:
        by_day = {r[0]: r for r in when.ranges}
        text = ", ".join(day_label(d) + _range(by_day[d][1], by_day[d][2]) for d in days
                         if d in by_day)
    return text.strip() if len(days) < 8 or days[-1] - days[0] < timedelta(days=40) else text


def _range(begin: int, end: int) -> str:
    return "" if (begin, end) == (0, 24 * 60) else f" {clock(begin)}-{clock(end)}"


def date_wins(day: date) -> str:
    """A weekday beside a date that contradicts it: the date was used."""
    return _("{date} is a {weekday}, so I went by the date.", date=local.month_day(day),
             weekday=local.weekday(day))
