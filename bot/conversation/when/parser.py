"""Reading a lead's words about *when* into a ``When``.

Conventions, where English is ambiguous (all in the lead's zone, or in a zone the message names):

- Days. ``tomorrow`` is the next calendar day, also just after midnight. A weekday alone is the
  next such day, today included unless what was asked for today has passed (then a week on);
  ``this``/``coming``/``this coming`` weekday is the next one; ``next <weekday>`` is that day of
  next calendar week (weeks start on Monday), as is ``<weekday> of next week``. ``the 14th`` is
  the next 14th (today included). A date without a year that has passed means next year. A
  weekday beside a date that contradicts it loses: the date wins and ``note`` says so. Numeric
  ``12/2`` is refused (US or European order). Nothing beyond ``HORIZON_DAYS``.
- Runs of days. ``this week``: today to Sunday; ``next week``: Monday to Sunday; ``early next
  week``: Monday-Tuesday; ``mid next week``: Wednesday; ``late``/``end of next week``:
  Thursday-Friday; ``end of the week``: this Thursday-Friday (next week's once Friday 17:00 has
  passed); ``later this week``: tomorrow to Friday; ``weekend``: the coming Saturday-Sunday;
  ``next month``: all of it; ``in a few days``: 2 to 4 days from today; ``a week from X``: X + 7.
- Parts of the day: first thing / early morning 08-10, morning 08-12, late morning 10-12,
  lunch 12-14, after lunch 13-17, afternoon 12-17, early afternoon 12-15, mid afternoon 14-16,
  late afternoon and end of day 15-18, evening / tonight / night 17-21, early evening 17-19.
- Times. Without am/pm, hours 1-7 are pm, 8-11 am, a leading zero is the 24-hour clock, a part
  of day decides when given. ``half 3`` is 15:30 (British), ``quarter to 5`` 16:45. An exact
  time keeps the whole day as the window and is the preferred instant (offered first, else the
  nearest that day); ``around``/``about``/``10ish`` is +-90 minutes; ``after``/``from``/
  ``not before`` X is X to midnight, ``before``/``by``/``until``/``not after`` X is midnight to
  X; ``between 1 and 3``/``3-4pm``: that range. ``in 2 hours``: from then on, that day.
- Without a day, a time or part of day is today if still ahead, else tomorrow.
- Alternatives (``monday or tuesday afternoon``) give every day named; a part of day belongs to
  the days said before it. Negated days (``not monday``, ``except friday``) are left out, of the
  next seven days when no other day is said.
- ``asap``/``earliest``: the earliest free times. A message with no time at all ("sure, let's
  talk", "any time") gives None: the caller offers the next free times, spread out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.conversation.places import resolve_zone
from bot.conversation.when import lexicon as lx
from bot.conversation.when.clock import AROUND, time_of
from bot.conversation.when.days import Day, day_of
from bot.conversation.when.describe import date_wins, describe
from bot.conversation.when.languages import to_english
from bot.conversation.when.model import DAY_MINUTES, Range, When
from bot.i18n import supported
from bot.i18n.detect import written_in

HORIZON_DAYS = 400
_Span = tuple[int, int]


@dataclass
class _Facts:
    days: list[Day] = field(default_factory=list)
    parts: list[tuple[_Span, str]] = field(default_factory=list)
    time: tuple[str, int, int] | None = None  # (kind, start, end) in minutes
    time_span: _Span | None = None
    instant: datetime | None = None
    asap: bool = False
    zone: str | None = None
    spans: list[_Span] = field(default_factory=list)
    low: str = ""


def parse_when(text: str, now: datetime, language: str | None = None) -> When | None:
    """What ``text`` says about when; ``now`` is aware, in the lead's zone. None: no time.
    ``language``: the language ``text`` is in (English when not given)."""
    found = find_when(text, now, language)
    return found[0] if found is not None else None


def parse_words(words: str, now: datetime, language: str | None) -> When | None:
    """The words a brain passed for the time, meant in English, read in the lead's language
    when they are clearly in it (an AI that did not translate) or mean nothing in English."""
    spoken = supported(language)
    if spoken != "en" and written_in(words) == spoken:
        return parse_when(words, now, spoken)
    found = parse_when(words, now)
    return found if found is not None or spoken == "en" else parse_when(words, now, spoken)


def find_when(text: str, now: datetime, language: str | None = None) -> tuple[When, str] | None:
    """What ``parse_when`` finds, and the words that said it ("friday morning" out of "can we
    move it to friday morning?"): ``parse_when`` reads those words as it read the whole text.
    Words in another language come back said in English ("mañana por la tarde" -> "tomorrow
    afternoon")."""
    if language is not None and supported(language) != "en":
        text = to_english(" ".join(text.lower().split()), supported(language))
    low = lx.normalise(text)
    facts = _Facts(low=low)
    taken: list[_Span] = []
    _find_zone(low, now, facts, taken)
    if facts.zone is not None:
        now = now.astimezone(ZoneInfo(facts.zone))
    _find_days(low, now, facts, taken)
    _find_parts(low, facts, taken)
    _find_time(low, facts, taken)
    asap = lx.ASAP.search(low)
    if asap is not None:
        facts.asap = True
        facts.spans.append(asap.span())
    if not (facts.days or facts.parts or facts.time or facts.instant or facts.asap):
        return None
    when = _resolve(facts, now)
    if when is None:
        return None
    return when, _words(low, facts.spans)


def _overlaps(span: _Span, taken: list[_Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _find_zone(low: str, now: datetime, facts: _Facts, taken: list[_Span]) -> None:
    for m in lx.ZONE.finditer(low):
        if m.group("place"):
            words = m.group("place").split()
            if words[0] in lx.NOT_ZONE_PLACES or words[-1] in lx.NOT_ZONE_PLACES:
                continue
        zone = resolve_zone((m.group("offset") or m.group("abbr") or m.group("place")), now)
        if zone is not None:
            facts.zone = zone
            facts.spans.append(m.span())
            taken.append(m.span())
            return


def _negated(low: str, start: int) -> int | None:
    m = lx.NEGATION.search(low, max(0, start - 20), start)
    return m.start() if m is not None and m.end() == start else None


def _find_days(low: str, now: datetime, facts: _Facts, taken: list[_Span]) -> None:
    today = now.date()
    for m in lx.DAY.finditer(low):
        if _overlaps(m.span(), taken):
            continue
        found = day_of(m, now)
        if found is None:
            continue
        if isinstance(found, datetime):
            facts.instant = found
        else:
            found.dates = [d for d in found.dates
                           if today <= d <= today + timedelta(days=HORIZON_DAYS)]
            if not found.dates:
                continue
            neg = _negated(low, m.start())
            if neg is not None:
                found.negated, found.span = True, (neg, m.end())
            facts.days.append(found)
        facts.spans.append(found.span if isinstance(found, Day) else m.span())
        taken.append(m.span())


def _find_parts(low: str, facts: _Facts, taken: list[_Span]) -> None:
    for m in lx.PART.finditer(low):
        if _overlaps(m.span(), taken):
            continue
        word = " ".join(m.group("part").split())
        word = {"tonight": "evening", "night": "evening", "close of business": "end of day",
                "over lunch": "lunch", "at lunch": "lunch",
                "end of the day": "end of day"}.get(word, word).rstrip("s")
        if word in ("tonight", "evening") or m.group("part") == "tonight":
            word = "evening"
        facts.parts.append((m.span(), word))
        facts.spans.append(m.span())
        taken.append(m.span())
        if m.group("part") == "tonight" and not any(d.dates for d in facts.days):
            facts.days.append(Day(m.span(), []))  # resolved to today below
    for m in lx.DAY_PART.finditer(low):
        span = (m.start("ap"), m.end("ap"))
        if not _overlaps(span, taken):
            facts.parts.append((span, m.group("ap")))
            facts.spans.append(span)
            taken.append(span)


def _family(facts: _Facts) -> str | None:
    if not facts.parts:
        return None
    word = facts.parts[0][1]
    return lx.PART_FAMILY.get(word, word)


def _find_time(low: str, facts: _Facts, taken: list[_Span]) -> None:
    family = _family(facts)
    for m in lx.TIME.finditer(low):
        if _overlaps(m.span(), taken) or not m.group(0).strip():
            continue
        found = time_of(m, low, family)
        if found is not None:
            facts.time, facts.time_span = found, m.span()
            facts.spans.append(m.span())
            taken.append(m.span())
            return


def _resolve(facts: _Facts, now: datetime) -> When | None:
    today, clock = now.date(), now.hour * 60 + now.minute
    time = facts.time
    part_words = [word for _, word in facts.parts]
    # The range each day gets: the time's constraint, within the part of day if both fit.
    def span_for(part: str | None) -> tuple[int, int]:
        begin, end = lx.PART_RANGES[part] if part else (0, DAY_MINUTES)
        if time is None or time[0] == "exact":
            return (0, DAY_MINUTES) if time else (begin, end)
        if part and time[0] != "around" and max(begin, time[1]) < min(end, time[2]):
            return max(begin, time[1]), min(end, time[2])
        return time[1], time[2]

    def cutoff(part: str | None) -> int | None:
        if time is not None:
            return {"exact": time[1], "around": time[1] + AROUND, "after": time[1],
                    "before": time[2], "range": time[1]}[time[0]]
        return lx.PART_RANGES[part][1] if part else None

    note = ""
    positive = [d for d in facts.days if not d.negated]
    dated = [d for d in positive if d.dated]
    for d in [d for d in positive if d.weekday is not None]:
        beside = next((x for x in dated if _beside(facts.low, d.span, x.span)), None)
        weeks = [x for x in positive if x.week]
        if beside is not None:
            positive.remove(d)
            if beside.dates[0].weekday() != d.weekday:
                note = date_wins(beside.dates[0])
        elif weeks:
            d.dates = [x for x in weeks[0].dates if x.weekday() == d.weekday] or d.dates
            d.flexible = False
    if any(d.next_week for d in positive):
        monday_next = today + timedelta(days=7 - today.weekday())
        for d in positive:
            if d.flexible and d.weekday is not None:
                d.dates, d.flexible = [monday_next + timedelta(days=d.weekday)], False
    if any(d.weekday is not None for d in positive):
        positive = [d for d in positive if not d.week]
    excluded = {x for d in facts.days if d.negated for x in d.dates}
    excluded_weekdays = {d.weekday for d in facts.days if d.negated and d.weekday is not None}
    ranges: list[Range] = []
    after = now
    preferred: dt.time | None = None
    if facts.instant is not None and not positive:
        after = facts.instant
        preferred = dt.time(facts.instant.hour, facts.instant.minute)
        positive = [Day((0, 0), [facts.instant.date()])]
    # Each day takes the first part said after it; days after the last part take it only if
    # the part came before every day ("afternoon on monday or tuesday").
    for d in positive:
        later = [w for s, w in facts.parts if s[0] >= d.span[1]]
        if later:
            part = later[0]
        elif facts.parts and facts.parts[-1][0][0] < min(x.span[0] for x in positive):
            part = facts.parts[-1][1]
        elif len(facts.parts) == 1 and len(positive) == 1:
            part = facts.parts[0][1]
        else:
            part = None
        begin, end = span_for(part)
        cut = cutoff(part)
        dates = d.dates or [today]
        if d.flexible and dates[0] == today and cut is not None and cut <= clock:
            dates = [today + timedelta(days=7)]
        for day in dates:
            if day not in excluded and day.weekday() not in excluded_weekdays:
                ranges.append((day, begin, end))
    if not positive:
        if excluded and facts.instant is None:
            begin, end = span_for(part_words[0] if part_words else None)
            ranges = [(today + timedelta(days=i), begin, end) for i in range(7)
                      if today + timedelta(days=i) not in excluded
                      and (today + timedelta(days=i)).weekday() not in excluded_weekdays]
        elif facts.parts or time is not None:
            part = part_words[0] if part_words else None
            begin, end = span_for(part)
            cut = cutoff(part)
            day = today + timedelta(days=1) if cut is not None and cut <= clock else today
            ranges = [(day, begin, end)]
    if time is not None and time[0] in ("exact", "around"):
        value = time[1] if time[0] == "exact" else _centre(time[1], time[2])
        preferred = dt.time(value // 60, value % 60) if value < DAY_MINUTES else None
    if not ranges and not facts.asap:
        return None
    first = ranges[0][0] if ranges else None
    days = sorted({r[0] for r in ranges})
    run = len(days) if days and (days[-1] - days[0]).days == len(days) - 1 else 1
    part_name = lx.PART_FAMILY.get(part_words[0], part_words[0]) if part_words else None
    when = When(day=first, part=part_name if part_name in ("morning", "afternoon", "evening")
                else None, time=preferred, days=run, ranges=tuple(ranges), after=after,
                asap=facts.asap and not ranges, zone=facts.zone, note=note)
    return _labelled(when, facts, part_words)


_BESIDE = re.compile(r"[\s,]*(?:on\s+)?(?:the\s+)?")


def _beside(low: str, one: _Span, other: _Span) -> bool:
    """Whether two said things sit side by side ("Fri, Dec 19", "friday the 11th")."""
    first, second = sorted((one, other))
    return first[1] <= second[0] and _BESIDE.fullmatch(low[first[1]:second[0]]) is not None


def _centre(start: int, end: int) -> int:
    """The time an "around" range was said about (it is clipped at midnight)."""
    return start + AROUND if start > 0 else end - AROUND


def _labelled(when: When, facts: _Facts, parts: list[str]) -> When:
    kind = facts.time[0] if facts.time else None
    bounds = facts.time[1:] if facts.time else None
    return When(day=when.day, part=when.part, time=when.time, days=when.days,
                ranges=when.ranges, after=when.after, asap=when.asap, zone=when.zone,
                note=when.note, label=describe(when, kind, bounds, parts))


def _words(low: str, spans: list[_Span]) -> str:
    """The said parts in their order; neighbours as written ("friday morning"), others apart
    with a comma, which keeps them from reading as one ("at 11, dec 2" is no 11th of December),
    or a semicolon where more stood between them (so a weekday and a date far apart in the
    message do not become "Fri, Dec 19")."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not low[merged[-1][1]:start].strip()):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    text = ""
    for i, (start, end) in enumerate(merged):
        if i:
            gap = low[merged[i - 1][1]:start]
            text += ", " if _BESIDE.fullmatch(gap) else "; "
        text += low[start:end].strip()
    return text
