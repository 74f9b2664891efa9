"""Metrics: percentiles close to the exact ones, sliding windows, counters, bounded memory."""

from __future__ import annotations

import math
import time

import pytest

from bot.observability.metrics import Metrics, Quota
from bot.observability.stats import render

FIVE_MINUTES = 300.0
HOUR = 3600.0


class FakeMonotonic:
    """A monotonic clock moved by hand."""

    def __init__(self, start: float = 50_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def exact_percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, computed the slow exact way."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def assert_close(got: float, want: float, rel: float = 0.05) -> None:
    assert abs(got - want) <= rel * want, f"{got} is not within {rel:.0%} of {want}"


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


def test_percentiles_of_1_to_1000_ms_are_within_5_percent(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    values = [ms / 1000 for ms in range(1, 1001)]
    for value in reversed(values):  # the order of arrival must not matter
        metrics.observe("response", value)
    summary = metrics.summary("response")
    assert summary.count == 1000
    assert_close(summary.mean, sum(values) / len(values), rel=1e-9)
    assert summary.max == 1.0
    assert_close(summary.p50, exact_percentile(values, 0.50))
    assert_close(summary.p95, exact_percentile(values, 0.95))
    assert_close(summary.p99, exact_percentile(values, 0.99))


def test_percentiles_of_a_skewed_distribution_are_within_5_percent(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    # Mostly fast, a slow tail: the shape of a bot's response time.
    values = [0.002 + 0.00001 * i for i in range(900)] + [1.5 + 0.05 * i for i in range(100)]
    for value in values:
        metrics.observe("response", value)
    summary = metrics.summary("response", FIVE_MINUTES)
    for q, got in ((0.50, summary.p50), (0.95, summary.p95), (0.99, summary.p99)):
        assert_close(got, exact_percentile(values, q))
    assert summary.max == max(values)


def test_a_single_observation_is_reported_exactly_enough(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    metrics.observe("db", 0.0012)
    summary = metrics.summary("db")
    assert summary.count == 1
    assert summary.p50 <= summary.max == 0.0012
    assert_close(summary.p99, 0.0012)


def test_an_unknown_name_has_an_empty_summary_and_zero_count(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    assert metrics.summary("nothing").count == 0
    assert metrics.summary("nothing", FIVE_MINUTES).p95 == 0.0
    assert metrics.count("nothing") == 0
    assert metrics.rate_per_minute("nothing") == 0.0


def test_old_observations_leave_the_5m_window_then_the_1h_window_but_stay_in_all(
    clock: FakeMonotonic,
) -> None:
    metrics = Metrics(clock)
    for _ in range(10):
        metrics.observe("booking", 4.0)  # slow, early
    clock.advance(6 * 60)
    for _ in range(5):
        metrics.observe("booking", 0.01)  # fast, recent

    recent = metrics.summary("booking", FIVE_MINUTES)
    assert recent.count == 5
    assert recent.max == 0.01 and recent.p99 <= 0.0105
    assert metrics.summary("booking", HOUR).count == 15
    assert metrics.summary("booking").count == 15

    clock.advance(55 * 60)  # the slow ones are 61 minutes old, the fast ones 55
    assert metrics.summary("booking", FIVE_MINUTES).count == 0
    last_hour = metrics.summary("booking", HOUR)
    assert last_hour.count == 5 and last_hour.max == 0.01
    since_start = metrics.summary("booking")
    assert since_start.count == 15 and since_start.max == 4.0

    clock.advance(2 * HOUR)
    assert metrics.summary("booking", HOUR).count == 0
    assert metrics.summary("booking").count == 15


def test_an_observation_four_minutes_old_is_still_in_the_5m_window(clock: FakeMonotonic) -> None:
    # Minute buckets round the window edge; whatever the phase, 4 minutes ago is inside.
    for phase in (0.0, 1.0, 30.0, 59.9):
        clock.now = 60_000.0 + phase
        metrics = Metrics(clock)
        metrics.observe("ai", 1.0)
        clock.advance(4 * 60)
        assert metrics.summary("ai", FIVE_MINUTES).count == 1, phase
        clock.advance(2 * 60 + 1)
        assert metrics.summary("ai", FIVE_MINUTES).count == 0, phase


def test_counters_count_per_window_and_give_a_rate_per_minute(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    clock.advance(60)
    metrics.incr("messages", 10)
    clock.advance(340)  # uptime 400 s; the first ten are now 340 s old
    for _ in range(50):
        metrics.incr("messages")
        clock.advance(4)  # 50 events over the last 200 s
    assert metrics.count("messages") == 60
    assert metrics.count("messages", HOUR) == 60
    assert metrics.count("messages", FIVE_MINUTES) == 50
    assert metrics.rate_per_minute("messages", FIVE_MINUTES) == pytest.approx(10.0)
    assert metrics.counter_names() == ["messages"]
    assert metrics.latency_names() == []  # a counter is not a latency


def test_the_rate_uses_the_uptime_while_it_is_shorter_than_the_window(
    clock: FakeMonotonic,
) -> None:
    metrics = Metrics(clock)
    metrics.incr("bookings", 15)
    clock.advance(30)
    assert metrics.uptime == 30
    assert metrics.rate_per_minute("bookings") == pytest.approx(30.0)


def test_the_timer_records_even_when_the_body_raises(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    with pytest.raises(ValueError, match="boom"), metrics.timer("zoom.create"):
        time.sleep(0.02)
        raise ValueError("boom")
    summary = metrics.summary("zoom.create")
    assert summary.count == 1
    assert 0.019 <= summary.max < 1.0
    with metrics.timer("zoom.create"):
        pass
    assert metrics.summary("zoom.create").count == 2


def test_memory_stays_bounded_over_two_hours_of_heavy_traffic(clock: FakeMonotonic) -> None:
    metrics = Metrics(clock)
    total, span = 200_000, 2 * HOUR
    step = span / total
    for i in range(total):
        metrics.observe("db", 0.0005 + (i % 100) * 0.00001)
        if i % 10 == 0:
            metrics.incr("messages")
        clock.advance(step)

    # The last hour holds about half the traffic, the cumulative histogram all of it.
    assert metrics.summary("db").count == total
    per_minute = total / (span / 60)
    assert abs(metrics.summary("db", HOUR).count - total / 2) <= 2 * per_minute
    assert metrics.count("messages") == total // 10
    # Even asked for two hours, only the last hour's minutes are still there.
    assert len(metrics.series("db", span)) <= 61
    # No public view of all storage: the per-minute deque is the memory that could grow.
    minutes = metrics._latencies["db"]._minutes
    assert len(minutes) <= 61
    assert len(metrics._counters["messages"]._minutes) <= 61
    # Each minute's histogram has at most one bucket per distinct log-spaced value range.
    assert all(len(hist.buckets) <= 100 for _, hist in minutes)


def test_stats_show_the_quota_against_the_cap_it_was_given() -> None:
    report = render(Metrics(), quota=Quota(used=7, limit=250))
    assert "Zoom quota today: 7/250" in report


def test_stats_leave_the_quota_out_without_a_metered_meeting_provider() -> None:
    assert "Zoom quota" not in render(Metrics())
