"""The ``When`` model: candidate windows (days x time ranges in the lead's zone), an optional
preferred instant, and the reading in words for the reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
PARTS: dict[str, tuple[dt.time, dt.time]] = {
    "morning": (dt.time(8), dt.time(12)),
    "afternoon": (dt.time(12), dt.time(17)),
    "evening": (dt.time(17), dt.time(21)),
}

Range = tuple[date, int, int]
"""A local day and a time range on it, in minutes after midnight, [start, end); 1440 is the
next midnight."""


@dataclass(frozen=True, slots=True, eq=False)
class When:
    """A resolved request. ``ranges`` are the candidate windows in the lead's zone (or in
    ``zone`` when the message named one); ``day``/``part``/``time``/``days`` summarise them
    (the first day, a part of day, the preferred time, a run of days) for older callers.
    ``after`` is the instant before which nothing counts (now, or "in 2 hours"). ``asap`` asks
    for the earliest free times; ``note`` says which of a contradicting date and weekday was
    used; ``label`` echoes the reading ("Thursday 3 December after 2 pm")."""

    day: date | None = None
    part: str | None = None
    time: dt.time | None = None
    days: int = 1
    ranges: tuple[Range, ...] = ()
    after: datetime | None = None
    asap: bool = False
    zone: str | None = None
    note: str = ""
    label: str = ""

    def _key(self) -> tuple[object, ...]:
        return (self._ranges(), self.day, self.time, self.asap, self.zone, self.note)

    def __eq__(self, other: object) -> bool:
        """Two readings are equal when they give the same windows and wishes (the label and the
        moment they were read do not count)."""
        return isinstance(other, When) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _tz(self, tz: tzinfo) -> tzinfo:
        return ZoneInfo(self.zone) if self.zone else tz

    def windows(self, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """Every [start, end) in UTC in which the meeting may start, in time order; empty when
        any time will do."""
        zone = self._tz(tz)
        found: list[tuple[datetime, datetime]] = []
        for day, begin, end in self._ranges():
            start, stop = _utc(day, begin, zone), _utc(day, end, zone)
            if self.after is not None:
                start = max(start, self.after.astimezone(UTC))
            if start < stop:
                found.append((start, stop))
        return sorted(found)

    def _ranges(self) -> tuple[Range, ...]:
        if self.ranges or self.day is None:
            return self.ranges
        begin, end = 0, DAY_MINUTES
        if self.part is not None and self.time is None:
            first, last = PARTS[self.part]
            begin, end = _minutes(first), _minutes(last)
        return tuple((self.day + timedelta(days=i), begin, end) for i in range(self.days))

    def window(self, tz: tzinfo) -> tuple[datetime, datetime] | None:
        """The span from the first window's start to the last one's end (UTC), if any."""
        found = self.windows(tz)
        return (found[0][0], found[-1][1]) if found else None

    def preferred(self, tz: tzinfo) -> datetime | None:
        """The exact instant asked for (UTC): offered first when free, else the nearest."""
        if self.time is None or self.day is None:
            return None
        return _utc(self.day, _minutes(self.time), self._tz(tz))

    def at(self, tz: tzinfo) -> datetime | None:
        """The exact instant asked for (UTC), when both a day and a time were given."""
        return self.preferred(tz)

    def matches(self, start: datetime, tz: tzinfo) -> bool:
        """Whether a slot starting at ``start`` lies inside one of the windows."""
        return any(begin <= start < end for begin, end in self.windows(tz))


def _minutes(clock: dt.time) -> int:
    return clock.hour * 60 + clock.minute


def _utc(day: date, minutes: int, zone: tzinfo) -> datetime:
    if minutes >= DAY_MINUTES:
        day, minutes = day + timedelta(days=1), minutes - DAY_MINUTES
    clock = dt.time(minutes // 60, minutes % 60)
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
