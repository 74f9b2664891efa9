"""The days one match of the day pattern says, as of now (conventions in ``parser``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.conversation.when import lexicon as lx

Span = tuple[int, int]


@dataclass
class Day:
    """Days said once: where, which, and how they may combine with others."""

    span: Span
    dates: list[date]
    negated: bool = False
    weekday: int | None = None  # a bare weekday: may move a week, may sit in a named week
    flexible: bool = False
    week: bool = False  # a whole calendar week, in which a weekday may be picked
    next_week: bool = False  # "tuesday of next week": other bare weekdays said go there too
    dated: bool = False  # a calendar date, which beats a weekday said beside it


def day_of(m: re.Match[str], now: datetime) -> Day | datetime | None:
    """The days (or the instant, for "in 2 hours") one match of ``DAY`` says."""
    g = m.groupdict()
    today, span = now.date(), m.span()
    monday = today - timedelta(days=today.weekday())
    monday_next = monday + timedelta(days=7)

    def days(first: date, count: int = 1, **kw: bool | int | None) -> Day:
        return Day(span, [first + timedelta(days=i) for i in range(count)], **kw)  # type: ignore[arg-type]

    if g["iso"]:
        try:
            return days(date.fromisoformat(g["iso"]), dated=True)
        except ValueError:
            return None
    if g["wk_from"]:
        base = g["wk_from"]
        if base in ("today", "now"):
            return days(today + timedelta(days=7))
        if base == "tomorrow":
            return days(today + timedelta(days=8))
        return days(today + timedelta(days=(_weekday(base) - today.weekday()) % 7 + 7))
    if g["dm_d"] or g["md_d"]:
        month = _month(g["dm_m"] or g["md_m"])
        dom = int(g["dm_d"] or g["md_d"])
        year = g["dm_y"] or g["md_y"]
        found = _date(int(year) if year else today.year, month, dom)
        if found is not None and year is None and found < today:
            found = _date(today.year + 1, month, dom)
        return days(found, dated=True) if found is not None else None
    if g["ord"]:
        dom = int(g["ord"])
        for offset in range(0, 3):
            year, month = divmod(today.month - 1 + offset, 12)
            found = _date(today.year + year, month + 1, dom)
            if found is not None and found >= today:
                return days(found, dated=True)
        return None
    if g["after"]:
        return days(today + timedelta(days=2))
    if g["today"]:
        return days(today)
    if g["tomorrow"]:
        return days(today + timedelta(days=1))
    if g["in_n"] or g["in_one"]:
        unit = g["in_unit"] or g["in_one_unit"]
        n = lx.count(g["in_n"] or g["in_one"])
        if unit.startswith(("minute", "hour")):
            delta = timedelta(minutes=n) if unit.startswith("minute") else timedelta(hours=n)
            return (now.astimezone(UTC) + delta).astimezone(now.tzinfo)
        if "few" in (g["in_n"] or ""):
            return days(today + timedelta(days=2), 3)
        return days(today + timedelta(days=int(n * (7 if unit.startswith("week") else 1))))
    if g["eow"]:
        if g["eow_next"]:
            return days(monday_next + timedelta(days=3), 2)
        late = today.weekday() > 4 or (today.weekday() == 4 and now.hour >= 17)
        if late:
            return days(monday_next + timedelta(days=3), 2)
        first = max(today, monday + timedelta(days=3))
        return days(first, (monday + timedelta(days=5) - first).days)
    if g["phase"]:
        base = monday_next if g["phase_of"] == "next" else monday
        phase = g["phase"]
        if phase == "later":
            first = today + timedelta(days=1)
            last = max(monday + timedelta(days=4), first)
            return days(first, (last - first).days + 1)
        if phase == "early":
            return days(base, 2)
        if phase == "mid":
            return days(base + timedelta(days=2))
        return days(base + timedelta(days=3), 2)
    if g["week_mod"]:
        if g["week_mod"] == "this":
            return days(today, 7 - today.weekday(), week=True)
        return days(monday_next, 7, week=True)
    if g["month_mod"]:
        first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
        last = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return days(first, (last - first).days)
    if "weekend" in m.group(0):
        if g["we_mod"] == "next":
            return days(monday_next + timedelta(days=5), 2)
        if today.weekday() == 6:
            return days(today)
        return days(today + timedelta(days=5 - today.weekday()), 2)
    weekday = _weekday(g["wd"])
    if g["wd_mod"] == "next" or g["wd_next"]:
        return days(monday_next + timedelta(days=weekday), weekday=weekday,
                    next_week=bool(g["wd_next"]))
    flexible = g["wd_mod"] in (None, "on")
    return days(today + timedelta(days=(weekday - today.weekday()) % 7), weekday=weekday,
                flexible=flexible)


def _date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def _month(word: str) -> int:
    return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
            "dec"].index(word[:3]) + 1


def _weekday(word: str) -> int:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(word[:3])
