"""An agent's working hours: the text grammar, its parsed form and its canonical text.

Grammar (case and spaces do not matter)::

    hours   = entry *( ";" entry )     "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"
    entry   = days ranges
    days    = dayspec *( "," dayspec )  "sat,sun", "mon,wed-fri"
    dayspec = day | day "-" day         "mon-fri"; may wrap: "fri-mon" = fri,sat,sun,mon
    day     = mon | tue | ... | sun     (full names and tues/thur/thurs also work)
    ranges  = range *( "," range )
    range   = time "-" time             the end must be after the start, on the same day
    time    = H[H][:MM]                 00:00 to 23:59; 24:00 may only end a range

Choices made here:

- A day range may wrap around the week (``fri-mon``); ``mon-mon`` is Monday alone.
- Working time is the union of everything written: a day named twice, or ranges that overlap or
  touch, merge into one range (``09:00-12:00,11:00-17:00`` is ``09:00-17:00``). The slot grid
  starts at the beginning of each merged range.
- A range cannot cross midnight (``22:00-02:00`` is refused); write it as two entries,
  ``fri 22:00-24:00; sat 00:00-02:00``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.errors import ConfigError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60

_DAY_ALIASES: dict[str, int] = {name: i for i, name in enumerate(DAY_NAMES)}
_DAY_ALIASES.update(
    {
        "monday": 0, "tues": 1, "tuesday": 1, "wednesday": 2, "thur": 3, "thurs": 3,
        "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    }
)
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?")

Range = tuple[int, int]
"""Minutes since local midnight: [start, end), 0 <= start < end <= 1440."""


class HoursError(ConfigError):
    """Working hours that do not follow the grammar; the message names the bad part."""


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Working ranges per weekday: ``days[0]`` is Monday, ``days[6]`` Sunday.

    Each day holds sorted, disjoint, non-touching ranges of minutes since local midnight.
    Build one with ``parse_hours`` or ``WorkingHours.from_mapping``; both normalise.
    """

    days: tuple[tuple[Range, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise HoursError(f"working hours need 7 days, got {len(self.days)}")
        for weekday, ranges in enumerate(self.days):
            previous_end = -1
            for start, end in ranges:
                if not 0 <= start < end <= MINUTES_PER_DAY or start <= previous_end:
                    raise HoursError(
                        f"ranges of {DAY_NAMES[weekday]} are not sorted, disjoint minutes of a day"
                    )
                previous_end = end

    @classmethod
    def from_mapping(cls, mapping: Mapping[int, Iterable[Range]]) -> WorkingHours:
        """Build from {weekday: ranges}, merging overlapping or touching ranges."""
        return cls(tuple(_merge(mapping.get(weekday, ())) for weekday in range(7)))

    def ranges(self, weekday: int) -> tuple[Range, ...]:
        """The working ranges of a weekday (0 = Monday)."""
        return self.days[weekday]

    @property
    def is_empty(self) -> bool:
        """True when no day has any working time."""
        return not any(self.days)

    def __str__(self) -> str:
        return format_hours(self)


@lru_cache(maxsize=256)
def parse_hours(text: str) -> WorkingHours:
    """Parse the working-hours grammar; raise HoursError naming the bad part."""
    found: dict[int, list[Range]] = {}
    for raw_entry in text.split(";"):
        entry = raw_entry.strip()
        if not entry:
            continue  # a trailing ";" or ";;" harms nobody
        first_digit = next((i for i, ch in enumerate(entry) if ch.isdigit()), None)
        if first_digit is None:
            raise HoursError(f'missing time ranges in "{entry}"')
        days_text = "".join(entry[:first_digit].split())
        ranges_text = "".join(entry[first_digit:].split())
        if not days_text:
            raise HoursError(f'missing days in "{entry}"')
        ranges = [_parse_range(part, entry) for part in ranges_text.split(",")]
        for weekday in _parse_days(days_text, entry):
            found.setdefault(weekday, []).extend(ranges)
    if not found:
        raise HoursError("no working hours given")
    return WorkingHours.from_mapping(found)


def format_hours(hours: WorkingHours) -> str:
    """The canonical text of working hours; ``parse_hours`` reads it back to the same value."""
    groups: dict[tuple[Range, ...], list[int]] = {}
    for weekday, ranges in enumerate(hours.days):
        if ranges:
            groups.setdefault(ranges, []).append(weekday)
    entries = []
    for ranges, weekdays in sorted(groups.items(), key=lambda item: item[1][0]):
        times = ",".join(f"{_clock(start)}-{_clock(end)}" for start, end in ranges)
        entries.append(f"{_format_days(weekdays)} {times}")
    return "; ".join(entries)


def _parse_days(text: str, entry: str) -> list[int]:
    weekdays: list[int] = []
    for spec in text.split(","):
        first, sep, last = spec.partition("-")
        start = _day(first, entry)
        if not sep:
            weekdays.append(start)
            continue
        end = _day(last, entry)
        weekdays.extend((start + i) % 7 for i in range((end - start) % 7 + 1))
    return weekdays


def _day(token: str, entry: str) -> int:
    weekday = _DAY_ALIASES.get(token.lower())
    if weekday is None:
        raise HoursError(f'bad day "{token}" in "{entry}"')
    return weekday


def _parse_range(text: str, entry: str) -> Range:
    first, sep, last = text.partition("-")
    if not sep or not first or not last:
        raise HoursError(f'bad range "{text}" in "{entry}": expected HH:MM-HH:MM')
    start, end = _minutes(first, entry), _minutes(last, entry)
    if start == MINUTES_PER_DAY:
        raise HoursError(f'bad range "{text}" in "{entry}": 24:00 may only end a range')
    if end <= start:
        raise HoursError(f'bad range "{text}" in "{entry}": end must be after start')
    return start, end


def _minutes(text: str, entry: str) -> int:
    match = _TIME.fullmatch(text)
    if match is None:
        raise HoursError(f'bad time "{text}" in "{entry}"')
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise HoursError(f'bad time "{text}" in "{entry}"')
    return hour * 60 + minute


def _merge(ranges: Iterable[Range]) -> tuple[Range, ...]:
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _format_days(weekdays: list[int]) -> str:
    # Runs of three or more read best as a range ("mon-fri"), shorter ones as a list ("sat,sun").
    runs: list[list[int]] = []
    for weekday in weekdays:
        if runs and weekday == runs[-1][-1] + 1:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ",".join(parts)
