"""The metrics registry: latencies, counters and throughput in bounded memory.

Latencies go into log-spaced histograms (about 4 % relative error), kept per minute for the last
hour plus one cumulative histogram since start, so memory does not grow with traffic and p50/p95/p99
come out for the last 5 minutes, the last hour and since start (for /stats). Each latency also
counts into fixed cumulative buckets (``HISTOGRAM_BOUNDS``) for Prometheus, whose histograms
must have the same bounds in every replica so that PromQL can add them up.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Bucket i covers [_MIN * _BASE**i, _MIN * _BASE**(i+1)); 10 µs .. ~1000 s.
_MIN = 1e-5
_BASE = 1.08
_BUCKETS = math.ceil(math.log(1e8) / math.log(_BASE))
WINDOWS: tuple[tuple[str, float | None], ...] = (("5m", 300.0), ("1h", 3600.0), ("all", None))
HISTOGRAM_BOUNDS: tuple[float, ...] = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
"""Upper bounds (seconds, inclusive) of the exported buckets: 0.5 ms (a query) .. 1 min."""


def _bucket(seconds: float) -> int:
    if seconds <= _MIN:
        return 0
    return min(_BUCKETS - 1, int(math.log(seconds / _MIN) / math.log(_BASE)))


def _bucket_value(index: int) -> float:
    """The geometric middle of a bucket, the estimate reported for values in it."""
    return float(_MIN * _BASE ** (index + 0.5))


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, mean and percentiles (seconds) of one latency over one window."""

    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True, slots=True)
class Buckets:
    """A latency since start in ``HISTOGRAM_BOUNDS``: ``counts[i]`` observations <= bound i
    (cumulative, as Prometheus's ``le``), then the total count and the sum of seconds."""

    counts: tuple[int, ...]
    count: int
    sum: float


@dataclass(frozen=True, slots=True)
class Quota:
    """How much of a vendor's daily allowance is used today (e.g. Zoom's meeting requests)."""

    used: int
    limit: int


class _Histogram:
    __slots__ = ("buckets", "count", "max", "total")

    def __init__(self) -> None:
        self.buckets: Counter[int] = Counter()
        self.count = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, seconds: float, n: int = 1) -> None:
        self.buckets[_bucket(seconds)] += n
        self.count += n
        self.total += seconds * n
        self.max = max(self.max, seconds)

    def merge(self, other: _Histogram) -> None:
        self.buckets.update(other.buckets)
        self.count += other.count
        self.total += other.total
        self.max = max(self.max, other.max)

    def summary(self) -> Summary:
        if not self.count:
            return Summary(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(self.buckets.items())

        def pct(q: float) -> float:
            rank = max(1, math.ceil(q * self.count))
            seen = 0
            for index, n in ordered:
                seen += n
                if seen >= rank:
                    return min(_bucket_value(index), self.max)
            return self.max

        return Summary(self.count, self.total / self.count, pct(0.50), pct(0.95), pct(0.99),
                       self.max)


class _Windowed:
    """One histogram per minute for the last hour, plus a cumulative one."""

    def __init__(self, now: Callable[[], float], *, fixed: bool = False) -> None:
        self._now = now
        self._minutes: deque[tuple[int, _Histogram]] = deque()
        self.cumulative = _Histogram()
        # Observations per exported bucket (the last one: above every bound), latencies only.
        self.fixed = [0] * (len(HISTOGRAM_BOUNDS) + 1) if fixed else None

    def add(self, seconds: float, n: int = 1) -> None:
        if self.fixed is not None:
            self.fixed[bisect.bisect_left(HISTOGRAM_BOUNDS, seconds)] += n
        minute = int(self._now() // 60)
        if not self._minutes or self._minutes[-1][0] != minute:
            self._minutes.append((minute, _Histogram()))
            while self._minutes and self._minutes[0][0] <= minute - 60:
                self._minutes.popleft()
        self._minutes[-1][1].add(seconds, n)
        self.cumulative.add(seconds, n)

    def minutes(self) -> list[tuple[int, _Histogram]]:
        return list(self._minutes)

    def window(self, span: float | None) -> _Histogram:
        if span is None:
            return self.cumulative
        first = int((self._now() - span) // 60) + 1
        merged = _Histogram()
        for minute, hist in self._minutes:
            if minute >= first:
                merged.merge(hist)
        return merged


class Metrics:
    """Named latency recorders and counters, shared by the whole process."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self.started = monotonic()
        self._latencies: dict[str, _Windowed] = {}
        self._counters: dict[str, _Windowed] = {}

    def observe(self, name: str, seconds: float) -> None:
        """Record one duration under ``name`` (e.g. ``response``, ``db``, ``zoom.create``)."""
        recorder = self._latencies.get(name)
        if recorder is None:
            recorder = self._latencies[name] = _Windowed(self._now, fixed=True)
        recorder.add(seconds)

    @contextmanager
    def timer(self, name: str) -> Iterator[None]:
        """Time the body of a ``with`` block into ``name``, also when it raises."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.observe(name, time.perf_counter() - start)

    def incr(self, name: str, n: int = 1) -> None:
        """Count ``n`` events of ``name`` (e.g. ``messages``, ``errors.ai_fallback``)."""
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = _Windowed(self._now)
        counter.add(0.0, n)

    def summary(self, name: str, window: float | None = None) -> Summary:
        """Latency summary of ``name`` over the last ``window`` seconds (None: since start)."""
        recorder = self._latencies.get(name)
        return recorder.window(window).summary() if recorder else _Histogram().summary()

    def buckets(self, name: str) -> Buckets:
        """The latency ``name`` since start in the exported buckets (empty when never seen)."""
        recorder = self._latencies.get(name)
        if recorder is None or recorder.fixed is None:
            return Buckets((0,) * len(HISTOGRAM_BOUNDS), 0, 0.0)
        running, counts = 0, []
        for n in recorder.fixed[:-1]:
            running += n
            counts.append(running)
        return Buckets(tuple(counts), recorder.cumulative.count, recorder.cumulative.total)

    def count(self, name: str, window: float | None = None) -> int:
        """How many ``name`` events in the last ``window`` seconds (None: since start)."""
        counter = self._counters.get(name)
        return counter.window(window).count if counter else 0

    def rate_per_minute(self, name: str, window: float = 300.0) -> float:
        """Average events per minute over the window (or the uptime when shorter)."""
        span = min(window, max(self._now() - self.started, 1.0))
        return self.count(name, window) * 60.0 / span

    def series(self, name: str, span: float = 3600.0) -> list[tuple[float, Summary]]:
        """Per-minute summaries of ``name`` over the last ``span`` seconds: (epoch-ish minute
        start on the monotonic clock, summary), oldest first; for the /stats chart."""
        recorder = self._latencies.get(name)
        if recorder is None:
            return []
        first = int((self._now() - span) // 60) + 1
        return [(minute * 60.0, hist.summary()) for minute, hist in recorder.minutes()
                if minute >= first]

    def latency_names(self) -> list[str]:
        return sorted(self._latencies)

    def counter_names(self) -> list[str]:
        return sorted(self._counters)

    @property
    def uptime(self) -> float:
        return self._now() - self.started
