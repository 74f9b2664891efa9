"""When a nudge may go: the schedule of delays and the lead's quiet hours.

Both come from the configuration as text (``FOLLOW_UP_SCHEDULE``, ``QUIET_HOURS``); the parsers
raise ``ValueError`` with a one-line reason, which ``bot.config`` names the variable in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_SCHEDULE = "6h,1d,3d"
DEFAULT_QUIET_HOURS = "21:00-09:00"
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
          "w": timedelta(weeks=1)}
_DELAY = re.compile(r"(\d{1,4})\s*([mhdw])")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
MAX_DELAY = timedelta(days=90)


def parse_schedule(text: str) -> tuple[timedelta, ...]:
    """``6h,1d,3d`` as increasing delays; ``off`` (or nothing) as none."""
    value = text.strip().lower()
    if value in ("", "off"):
        return ()
    delays: list[timedelta] = []
    for part in (p.strip() for p in value.split(",")):
        match = _DELAY.fullmatch(part)
        if match is None:
            raise ValueError(f"{part!r} is not a delay such as 30m, 6h, 1d or 2w "
                             f"(e.g. {DEFAULT_SCHEDULE}, or off)")
        delay = int(match[1]) * _UNITS[match[2]]
        if not timedelta(0) < delay <= MAX_DELAY:
            raise ValueError(f"{part!r} must be more than 0 and at most 90 days")
        if delays and delay <= delays[-1]:
            raise ValueError(f"delays must grow: {part!r} comes after a longer or equal one")
        delays.append(delay)
    return tuple(delays)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A local range of the day with no nudges; it may wrap midnight (21:00-09:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """Whether a local wall time lies inside the range."""
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """``moment`` itself when outside the range, else the range's end in ``tz`` (UTC)."""
        local = moment.astimezone(tz)
        if not self.contains(local.time().replace(tzinfo=None)):
            return moment
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        # The wall time of the end on that day; a wall time a DST jump skipped resolves to the
        # instant after the jump, so the nudge is never due inside the range.
        end = datetime.combine(day, self.end, tzinfo=tz)
        return max(end.astimezone(UTC), moment)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """``21:00-09:00`` as a range; ``off`` as none."""
    value = text.strip().lower()
    if value == "off":
        return None
    start, dash, end = value.partition("-")
    first, last = _CLOCK.fullmatch(start.strip()), _CLOCK.fullmatch(end.strip())
    if not dash or first is None or last is None:
        raise ValueError(f"{text.strip()!r} is not a range such as {DEFAULT_QUIET_HOURS} (or off)")
    quiet = QuietHours(time(int(first[1]), int(first[2])), time(int(last[1]), int(last[2])))
    if quiet.start == quiet.end:
        raise ValueError(f"{text.strip()!r} starts and ends at the same time")
    return quiet
