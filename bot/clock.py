"""Time source: the only place the core asks what time it is."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Returns the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and the benchmark."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at


def zone(key: str | None, fallback: str) -> ZoneInfo:
    """The ZoneInfo of ``key``, or of ``fallback`` when key is missing or unknown."""
    try:
        return ZoneInfo(key or fallback)
    except (KeyError, ValueError):
        return ZoneInfo(fallback)
