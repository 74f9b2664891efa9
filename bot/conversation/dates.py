"""What a lead says about *when*, resolved in code in the lead's zone (never trusted from a model).

English, case-insensitive, found anywhere inside a longer message. The rules:

- Days: ``today``, ``tonight`` (today, evening), ``tomorrow``, ``day after tomorrow``,
  ``in 3 days`` / ``in a week`` / ``in 2 weeks``, ISO ``2026-12-02``, month names with a day
  (``2 dec``, ``dec 2``, ``december 2nd``, ``2nd of december``, optional year). A date without a
  year that has already passed this year means next year. Numeric ``12/2`` is refused as
  ambiguous (US or European order).
- Weekdays (``tuesday``, ``tue``, ``this tuesday``, ``on tuesday``): the next such day, today
  included unless the time or part of day asked for has already passed today.
  ``next tuesday`` is the Tuesday of next calendar week (weeks start on Monday): said on a
  Saturday it is three days away, said on a Monday eight.
- ``next week``: Monday to Sunday of next week; ``this week``: today to Sunday;
  ``weekend`` / ``this weekend``: the coming Saturday and Sunday (today included);
  ``next weekend``: the Saturday and Sunday of next week.
- Parts of the day: morning 08-12, afternoon 12-17, evening (and ``tonight``/``night``) 17-21.
- Times: ``3pm``, ``3:30 pm``, ``3.30pm``, ``15:00``, ``noon``, ``at 3``, ``3 o'clock``. Without
  am/pm, hours 1-7 mean pm (3 am is never a business time), 8-11 mean am, a leading zero
  (``07:30``) means the 24-hour clock as written; a part of day decides when given
  (``tomorrow morning at 7`` is 07:00, ``tonight at 8`` is 20:00).
- A time or part of day without a day means today if it is still ahead, else tomorrow.
- When several days are mentioned, the first one in the text wins; likewise for times.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

_Span = tuple[int, int]

PARTS: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(8), dt.time(12)),
    "afternoon": (dt.time(12), dt.time(17)),
    "evening": (dt.time(17), dt.time(21)),
}

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_WEEKDAYS = (
    r"mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2,
}
_COUNT = r"\d{1,3}|a couple of|couple of|an?|one|two|three|four|five|six|seven|eight|nine|ten"
_ORDINAL_SUFFIX = r"(?:st|nd|rd|th)"

_DAY = re.compile(
    rf"""\b(?:
      (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b
    | (?P<dm_d>\d{{1,2}}){_ORDINAL_SUFFIX}?(?:\s+of)?\s+(?P<dm_m>{_MONTHS})\b\.?
        (?:,?\s+(?P<dm_y>20\d\d)\b)?
    | (?P<md_m>{_MONTHS})\b\.?\s+(?P<md_d>\d{{1,2}}){_ORDINAL_SUFFIX}?\b(?!\s*(?::|[ap]\.?m\b))
        (?:,?\s+(?P<md_y>20\d\d)\b)?
    | (?P<after>(?:the\s+)?day\s+after\s+tomorrow)\b
    | (?P<today>today|tonight)\b
    | (?P<tomorrow>tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr)\b
    | in\s+(?P<in_n>{_COUNT})\s+(?P<in_unit>days?|weeks?)\b
    | (?P<week_mod>next|this|coming)\s+week\b
    | (?:(?P<we_mod>next|this|coming)\s+)?weekend\b
    | (?:(?P<wd_mod>next|this|coming|on)\s+)?(?P<wd>{_WEEKDAYS})\b
    )""",
    re.VERBOSE,
)
_TIME = re.compile(
    r"""(?:\b(?P<at>at|around|about)\s+|@\s*)?
    (?<![\d:/.])\b(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2}))?
    (?:\s*(?P<ap>[ap])\.?m\b\.?|\s*(?P<oclock>o'?clock)\b)?
    (?![\d:/])""",
    re.VERBOSE,
)
_NOON = re.compile(r"\b(?:noon|midday)\b")
_PART = re.compile(r"\b(?:(?P<this>this)\s+)?(?P<part>morning|afternoon|evening|tonight|night)s?\b")
# "at 2 options" or "at 3 people" are not times.
_NOT_AFTER_BARE_AT = re.compile(
    r"\s*(?:options?|slots?|times?|of|people|persons?|minutes?|mins?|hours?|hrs?|days?|weeks?"
    r"|months?|years?|percent|%|kids?|children|bed|bedrooms?)\b"
)

_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
_ORDINAL = (
    rf"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{{1,2}}{_ORDINAL_SUFFIX}"
)
_NUMBER_WORD = r"one|two|three|four|five|six|seven|eight|nine|ten"
_CHOICE_MARKED = re.compile(
    rf"(?:#|\bno\.|\bnr\.?|\bnumber|\boption|\bslot|\bchoice)\s*#?\s*(?P<n>\d{{1,2}}|{_NUMBER_WORD})\b"
    r"(?!\s*(?:[:.]\d|[ap]\.?m\b|o'?clock))"
)
_CHOICE_ORDINAL = re.compile(
    rf"\b(?P<the>the\s+)?(?P<ord>{_ORDINAL})\b(?P<noun>\s+(?:one|option|slot|choice)\b)?"
)
_CHOICE_WORD = re.compile(rf"#?\d{{1,2}}|{_ORDINAL}|{_NUMBER_WORD}")
# "the first week", "the 2nd of december", "the last time": not picks.
_NOT_A_CHOICE_NEXT = re.compile(
    rf"\s+(?:of|week|weekend|days?|month|hour|half|time|thing|quarter|round|place|{_WEEKDAYS}"
    rf"|{_MONTHS})\b"
)
_MONTH_BEFORE = re.compile(rf"(?:^|[^a-z])(?:{_MONTHS})\.?\s*$")
_FILLERS = frozenset(
    (
        "please", "pls", "plz", "thanks", "thank", "you", "thx", "ok", "okay", "i", "i'll",
        "ill", "i'd", "id", "take", "lets", "let's", "do", "go", "with", "book", "the", "want",
        "pick", "choose", "like", "would", "prefer", "works", "work", "sounds", "good", "great",
        "perfect", "yes", "yeah", "yep", "sure", "that", "this", "is", "fine", "for", "me", "it",
        "then", "and", "a", "hmm", "oh", "um", "let", "have", "option", "number", "slot", "choice",
    )
)


@dataclass(frozen=True, slots=True)
class When:
    """A resolved request: a day (or ``days`` days from it), maybe a part of day or a time."""

    day: date | None = None
    part: str | None = None
    time: dt.time | None = None
    days: int = 1

    def window(self, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """[start, end) in UTC in which the meeting should start; a time gives its hour."""
        if self.day is None:
            return None
        last = self.day + timedelta(days=self.days - 1)
        if self.time is not None:
            return _utc(self.day, self.time, tz), _utc(last, self.time, tz) + timedelta(hours=1)
        if self.part is not None:
            begin, end = PARTS[self.part]
            return _utc(self.day, begin, tz), _utc(last, end, tz)
        return _utc(self.day, dt.time(), tz), _utc(last + timedelta(days=1), dt.time(), tz)

    def at(self, tz: tzinfo) -> datetime | None:
        """The exact instant asked for (UTC), when both a day and a time were given."""
        if self.day is None or self.time is None:
            return None
        return _utc(self.day, self.time, tz)

    def matches(self, start: datetime, tz: tzinfo) -> bool:
        """Whether a slot starting at ``start`` fits the request, day by day."""
        if self.day is None:
            return False
        local = start.astimezone(tz)
        if not self.day <= local.date() < self.day + timedelta(days=self.days):
            return False
        clock = local.time().replace(fold=0)
        if self.time is not None:
            later = (datetime.combine(local.date(), self.time) + timedelta(hours=1)).time()
            return self.time <= clock and (clock < later or later <= self.time)
        if self.part is not None:
            begin, end = PARTS[self.part]
            return begin <= clock < end
        return True


def parse_when(text: str, now: datetime) -> When | None:
    """Find a day, part of day and/or time in ``text``; ``now`` is aware, in the lead's zone."""
    found = find_when(text, now)
    return found[0] if found is not None else None


def find_when(text: str, now: datetime) -> tuple[When, str] | None:
    """What ``parse_when`` finds, and the words that said it ("friday morning" out of "can we
    move it to friday morning?"): ``parse_when`` reads those words as it read the whole text."""
    low = _normalise(text)
    today = now.date()
    clock = now.time().replace(fold=0)
    found_part, this_part, part_span = _find_part(low)
    found_time, time_span = _find_time(low, found_part)
    found_day, day_span = _find_day(low, today)
    if found_day is None and found_part is None and found_time is None:
        return None
    day, days, flexible = found_day if found_day is not None else (None, 1, False)
    # The moment after which "today" is too late for what was asked.
    cutoff = found_time
    if cutoff is None and found_part is not None:
        cutoff = PARTS[found_part][1]
    if day is None:
        too_late = not this_part and cutoff is not None and cutoff <= clock
        day = today + timedelta(days=1) if too_late else today
    elif flexible and day == today and cutoff is not None and cutoff <= clock:
        day += timedelta(days=7)
    words = _words(low, [span for span in (part_span, time_span, day_span) if span])
    return When(day=day, part=found_part, time=found_time, days=days), words


def parse_choice(text: str, count: int) -> int | None:
    """The 1-based option a lead picks in words ("2", "#2", "the second one", "last"), else None."""
    low = _normalise(text)
    picks: set[int] = set()
    for m in _CHOICE_MARKED.finditer(low):
        picks.add(_choice_value(m.group("n"), count))
    for m in _CHOICE_ORDINAL.finditer(low):
        named = m.group("noun") or (m.group("the") and not _NOT_A_CHOICE_NEXT.match(low, m.end()))
        # "december 2nd" is a date; a month name and its dot fit in the 16 characters before.
        if named and not _MONTH_BEFORE.search(low[max(0, m.start() - 16) : m.start()]):
            picks.add(_choice_value(m.group("ord"), count))
    words = [w.strip(".,!?;:)(\"'") for w in low.split()]
    rest = [w for w in words if w and w not in _FILLERS]
    if len(rest) == 1 and _CHOICE_WORD.fullmatch(rest[0]):
        picks.add(_choice_value(rest[0].lstrip("#"), count))
    if len(picks) != 1:
        return None  # nothing, or contradicting picks
    (pick,) = picks
    return pick if 1 <= pick <= count else None


def _find_day(low: str, today: date) -> tuple[tuple[date, int, bool] | None, _Span | None]:
    """(first day, number of days, whether it is a weekday that may move a week if too late),
    and where it was said."""
    for m in _DAY.finditer(low):
        found = _day_of(m, today)
        if found is not None:
            return found, m.span()
    return None, None


def _day_of(m: re.Match[str], today: date) -> tuple[date, int, bool] | None:
    """The day one match of ``_DAY`` says; None when it names no real date."""
    g = m.groupdict()
    if g["iso"]:
        try:
            return date.fromisoformat(g["iso"]), 1, False
        except ValueError:
            return None
    if g["dm_d"] or g["md_d"]:
        month = _month(g["dm_m"] or g["md_m"])
        day_of_month = int(g["dm_d"] or g["md_d"])
        year_text = g["dm_y"] or g["md_y"]
        found = _date_in_year(int(year_text) if year_text else today.year, month, day_of_month)
        if found is not None and year_text is None and found < today:
            found = _date_in_year(today.year + 1, month, day_of_month)
        return (found, 1, False) if found is not None else None
    if g["after"]:
        return today + timedelta(days=2), 1, False
    if g["today"]:
        return today, 1, False
    if g["tomorrow"]:
        return today + timedelta(days=1), 1, False
    if g["in_n"]:
        count = _count(g["in_n"]) * (7 if g["in_unit"].startswith("week") else 1)
        return today + timedelta(days=count), 1, False
    monday_next = today + timedelta(days=7 - today.weekday())
    if g["week_mod"]:
        if g["week_mod"] == "this":
            return today, 7 - today.weekday(), False
        return monday_next, 7, False
    if m.group(0).endswith("weekend"):
        if g["we_mod"] == "next":
            return monday_next + timedelta(days=5), 2, False
        if today.weekday() == 6:
            return today, 1, False
        return today + timedelta(days=5 - today.weekday()), 2, False
    weekday = _weekday(g["wd"])
    if g["wd_mod"] == "next":
        return monday_next + timedelta(days=weekday), 1, False
    return today + timedelta(days=(weekday - today.weekday()) % 7), 1, True


def _find_part(low: str) -> tuple[str | None, bool, _Span | None]:
    """(part of day, whether "this" part of today was meant, where it was said)."""
    m = _PART.search(low)
    if m is None:
        return None, False, None
    word = m.group("part")
    part = "evening" if word in ("tonight", "night") else word
    return part, bool(m.group("this")) or word == "tonight", m.span()


def _find_time(low: str, part: str | None) -> tuple[dt.time | None, _Span | None]:
    """The first time said, and where."""
    candidates: list[tuple[_Span, dt.time]] = []
    noon = _NOON.search(low)
    if noon is not None:
        candidates.append((noon.span(), dt.time(12)))
    for m in _TIME.finditer(low):
        found = _time_of(m, low, part)
        if found is not None:
            candidates.append((m.span(), found))
            break
    if not candidates:
        return None, None
    span, found = min(candidates)
    return found, span


def _words(low: str, spans: list[_Span]) -> str:
    """The said parts in their order; neighbours as written ("friday morning"), others apart
    with a comma, which keeps them from reading as one ("at 11, dec 2" is no 11th of December).
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and not low[merged[-1][1]:start].strip():
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return ", ".join(low[start:end].strip() for start, end in merged)


def _time_of(m: re.Match[str], low: str, part: str | None) -> dt.time | None:
    hour_text, minute_text, ap = m.group("h"), m.group("m"), m.group("ap")
    hour, minute = int(hour_text), int(minute_text or 0)
    marked = bool(m.group("at")) or "@" in m.group(0)
    if m.group("sep") == "." and not ap:
        return None  # "2.50" is more likely money or a decimal than a time
    if not (ap or minute_text or m.group("oclock") or marked):
        return None
    bare = not (ap or minute_text or m.group("oclock"))
    if bare and _NOT_AFTER_BARE_AT.match(low, m.end()):
        return None
    if minute > 59:
        return None
    if ap:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ap == "p" else 0)
    elif hour_text.startswith("0") and len(hour_text) == 2:
        pass  # "07:30": the 24-hour clock, as written
    elif hour > 23:
        return None
    elif 1 <= hour <= 11:
        if part in ("afternoon", "evening"):
            hour += 12
        elif part != "morning" and hour <= 7:
            hour += 12  # nobody books a sales call at 3 am
    return dt.time(hour, minute)


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def _utc(day: date, clock: dt.time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _date_in_year(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None


def _month(word: str) -> int:
    return [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
    ].index(word[:3]) + 1


def _weekday(word: str) -> int:
    return ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].index(word[:3])


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[word]


def _choice_value(word: str, count: int) -> int:
    if word == "last":
        return count
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word in _WORD_NUMBERS:
        return _WORD_NUMBERS[word]
    return int(word.rstrip("stndrh"))
