"""Which agents' calendars could not be read lately.

One agent's calendar that Google cannot read (not found, no longer shared, a backend error)
must not block the others, and must not fill the log with a line per lead message: each
calendar's trouble is logged at most once a minute, and ``/stats`` lists the calendars that
failed in the last hour.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import Agent
from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)

LOG_EVERY = timedelta(minutes=1)
RECENT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CalendarTrouble:
    """A calendar that could not be read, the agents it belongs to, and since when."""

    calendar_id: str
    agents: tuple[tuple[int, str], ...]
    """(agent id, name) of every agent using this calendar."""
    reason: str
    first_at: datetime
    last_at: datetime
    failures: int
    recovered_at: datetime | None = None


class CalendarHealth:
    """Records calendar failures: a log line a minute per calendar, a list for ``/stats``."""

    def __init__(self, clock: Clock, metrics: Metrics, *, log_every: timedelta = LOG_EVERY,
                 recent: timedelta = RECENT) -> None:
        self._clock = clock
        self._metrics = metrics
        self._log_every = log_every
        self._recent = recent
        self._troubles: dict[str, CalendarTrouble] = {}
        self._logged: dict[str, datetime] = {}

    def failed(self, calendar_id: str, agents: Sequence[Agent], reason: str) -> None:
        """The calendar could not be read: its agents are left out of this search."""
        now = self._clock.now()
        self._metrics.incr("calendar.unreadable")
        known = self._troubles.get(calendar_id)
        who = tuple((a.id, a.name) for a in agents)
        if known is None or known.recovered_at is not None:
            self._troubles[calendar_id] = CalendarTrouble(calendar_id, who, reason, now, now, 1)
        else:
            self._troubles[calendar_id] = replace(known, agents=who, reason=reason, last_at=now,
                                                  failures=known.failures + 1)
        last = self._logged.get(calendar_id)
        if last is None or now - last >= self._log_every:
            self._logged[calendar_id] = now
            names = ", ".join(f"{name} (agent {agent_id})" for agent_id, name in who)
            log.warning("calendar %s of %s cannot be read (%s): offering the other agents",
                        calendar_id, names or "no agent", reason)

    def readable(self, calendar_id: str) -> None:
        """The calendar answered: if it was failing, say it is back."""
        known = self._troubles.get(calendar_id)
        if known is None or known.recovered_at is not None:
            return
        self._troubles[calendar_id] = replace(known, recovered_at=self._clock.now())
        self._logged.pop(calendar_id, None)
        log.info("calendar %s can be read again after %d failure(s)", calendar_id,
                 known.failures)

    def recent(self) -> list[CalendarTrouble]:
        """The calendars that failed within the last hour, most recent failure first."""
        since = self._clock.now() - self._recent
        for calendar_id in [c for c, t in self._troubles.items() if t.last_at < since]:
            del self._troubles[calendar_id]
            self._logged.pop(calendar_id, None)
        return sorted(self._troubles.values(), key=lambda t: t.last_at, reverse=True)
