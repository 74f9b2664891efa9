"""Reading the corpus's expectations (see ``when_corpus``) into UTC windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Expected:
    """What one phrase must resolve to: windows and preferred instant in UTC, a note, a zone."""

    windows: list[tuple[datetime, datetime]]
    preferred: datetime | None
    note: bool
    zone: str | None


def _day(text: str, today: date) -> date:
    month, day = (int(part) for part in text.split("-"))
    found = date(today.year, month, day)
    return found if found >= today else date(today.year + 1, month, day)


def _days(text: str, today: date) -> list[date]:
    found: list[date] = []
    for item in text.split(","):
        if ".." in item:
            first, last = (_day(part, today) for part in item.split(".."))
            found.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
        else:
            found.append(_day(item, today))
    return found


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    if hours == 24:
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)


def expected(now: datetime, spec: str) -> Expected:
    """The windows a spec names, clipped to ``now`` and sorted."""
    words = spec.split()
    zone_name = next((w[3:] for w in words if w.startswith("tz=")), None)
    zone = ZoneInfo(zone_name) if zone_name else now.tzinfo
    assert isinstance(zone, ZoneInfo)
    today = now.astimezone(zone).date()
    windows: list[tuple[datetime, datetime]] = []
    preferred = None
    for part in spec.split(";"):
        tokens = [t for t in part.split() if not t.startswith("tz=") and t != "note"]
        while tokens:
            head = tokens.pop(0)
            if head.startswith("@"):
                preferred = _at(_day(head[1:], today), tokens.pop(0), zone)
                continue
            begin, end = tokens.pop(0).split("-")
            for day in _days(head, today):
                start, stop = _at(day, begin, zone), _at(day, end, zone)
                start = max(start, now.astimezone(UTC))
                if start < stop:
                    windows.append((start, stop))
    return Expected(sorted(windows), preferred, "note" in words, zone_name)


def merged(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Touching windows as one (a run of whole days is one span)."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(windows):
        if out and out[-1][1] >= start:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
