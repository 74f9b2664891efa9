"""The reading of a ``When`` in words, echoed to the lead so they can correct it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.conversation.when.model import When

_PART_WORDS = {
    "first thing": "first thing", "early morning": "early in the morning",
    "late morning": "late in the morning", "morning": "in the morning", "am": "in the morning",
    "before lunch": "before lunch", "lunch": "at lunchtime", "after lunch": "after lunch",
    "early afternoon": "early in the afternoon", "mid afternoon": "mid-afternoon",
    "late afternoon": "late in the afternoon", "afternoon": "in the afternoon",
    "pm": "in the afternoon", "early evening": "early in the evening",
    "evening": "in the evening", "end of day": "at the end of the day",
}


def clock(minutes: int) -> str:
    """12:00 -> "12 pm", 14:30 -> "2:30 pm"."""
    hour, minute = divmod(minutes % (24 * 60), 60)
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {suffix}" if minute else f"{shown} {suffix}"


def day_label(day: date) -> str:
    """ "Thursday 3 December"."""
    return f"{day:%A} {day.day} {day:%B}"


def _days(days: list[date]) -> str:
    if len(days) == 1:
        return day_label(days[0])
    if (days[-1] - days[0]).days == len(days) - 1 and len(days) > 2:
        return f"{day_label(days[0])} to {day_label(days[-1])}"
    return ", ".join(day_label(d) for d in days[:-1]) + " or " + day_label(days[-1])


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
            "exact": f" at {clock(start)}",
            "around": f" around {clock(start + 90 if start else end - 90)}",
            "after": f" after {clock(start)}",
            "before": f" before {clock(end)}",
            "range": f" between {clock(start)} and {clock(end)}",
        }[kind]
    elif len(set(parts)) == 1:
        text += " " + _PART_WORDS.get(parts[0], "")
    elif parts:
        by_day = {r[0]: r for r in when.ranges}
        text = ", ".join(day_label(d) + _range(by_day[d][1], by_day[d][2]) for d in days
                         if d in by_day)
    return text.strip() if len(days) < 8 or days[-1] - days[0] < timedelta(days=40) else text


def _range(begin: int, end: int) -> str:
    return "" if (begin, end) == (0, 24 * 60) else f" {clock(begin)}-{clock(end)}"
