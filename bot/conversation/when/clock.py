"""Clock times as leads write them: "3pm", "15:00", "half 3", "quarter to 5", "10ish",
"after 2", "between 1 and 3", "3-4pm". Minutes since local midnight; the conventions are in
``parser.py``'s docstring."""

from __future__ import annotations

import re

from bot.conversation.when import lexicon as lx
from bot.conversation.when.model import DAY_MINUTES

AROUND = 90
"""Minutes either side of an "around" time."""


def time_of(m: re.Match[str], low: str, family: str | None) -> tuple[str, int, int] | None:
    """(kind, start, end) in minutes: kind is exact, around, after, before or range."""
    rel = " ".join((m.group("rel") or "").split())
    if m.group("r1"):
        if not (_between(low, m) or re.search(r"[ap]\.?m|:", m.group(0))) \
                and lx.NOT_A_TIME_NEXT.match(low, m.end()):
            return None
        first, second = _clock(m.group("r1"), family), _clock(m.group("r2"), family)
        if first is None or second is None:
            return None
        if not re.search(r"[ap]\.?m", m.group("r1")) and re.search(r"[ap]\.?m", m.group("r2")):
            first = _clock(m.group("r1") + m.group("r2")[-2:], family) or first
            if first >= second:
                first -= 12 * 60
        if first >= second and second < 12 * 60:
            second += 12 * 60
        if not 0 <= first < second <= DAY_MINUTES:
            return None
        return "range", first, second
    if m.group("half"):
        value = _hour(_number(m.group("half_h")), family) * 60 + 30
    elif m.group("quarter"):
        hour = _hour(_number(m.group("q_h")), family)
        value = hour * 60 + (-15 if m.group("q_dir") == "to" else 15)
    elif m.group("ish_h"):
        clock = _clock(m.group("ish_h"), family)
        if clock is None:
            return None
        return "around", max(0, clock - AROUND), min(DAY_MINUTES, clock + AROUND)
    elif m.group("noon"):
        value = 12 * 60
    else:
        minute_text, ap = m.group("m"), m.group("ap")
        marked = bool(rel)
        if m.group("sep") == "." and not ap:
            return None  # "2.50" is more likely money or a decimal than a time
        if not (ap or minute_text or m.group("oclock") or marked):
            return None
        bare = not (ap or minute_text or m.group("oclock"))
        if bare and lx.NOT_A_TIME_NEXT.match(low, m.end()):
            return None
        clock = _clock(m.group(0)[len(m.group("rel") or ""):].strip(), family)
        if clock is None:
            return None
        value = clock
    return _relation(rel, value)


def _between(low: str, m: re.Match[str]) -> bool:
    """Whether a range was cued ("between 1 and 3", "from 2 to 4")."""
    return bool(lx.BETWEEN_CUE.search(low[: m.start("r1")]))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else int(lx.count(word))


def _relation(rel: str, value: int) -> tuple[str, int, int]:
    if rel in ("after", "from", "since", "not before", "later than"):
        return "after", value, DAY_MINUTES
    if rel in ("before", "by", "until", "till", "til", "not after", "no later than",
               "not later than", "earlier than"):
        return "before", 0, value
    if rel in ("around", "about", "roughly") or rel.startswith("approx"):
        return "around", max(0, value - AROUND), min(DAY_MINUTES, value + AROUND)
    return "exact", value, value


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?m\.?)?\s*(?:o'?clock)?$")


def _clock(text: str, family: str | None) -> int | None:
    m = _CLOCK.match(text.strip())
    if m is None:
        return None
    hour, minute, ap = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if ap:
        if not 1 <= hour <= 12:
            return None
        return (hour % 12 + (12 if ap == "p" else 0)) * 60 + minute
    if hour > 23 or (m.group(1).startswith("0") and len(m.group(1)) == 2):
        return hour * 60 + minute if hour <= 23 else None
    return _hour(hour, family) * 60 + minute


def _hour(hour: int, family: str | None) -> int:
    """An hour said without am/pm: the part of day decides, else 1-7 are pm."""
    if 1 <= hour <= 11:
        if family in ("afternoon", "evening"):
            return hour + 12
        if family != "morning" and hour <= 7:
            return hour + 12  # nobody books a sales call at 3 am
    return hour
