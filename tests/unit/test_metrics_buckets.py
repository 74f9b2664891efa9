"""The exported buckets: cumulative, a bound inclusive (Prometheus's ``le``), exact sum/count."""

from __future__ import annotations

from bot.observability.metrics import HISTOGRAM_BOUNDS, Metrics


def test_a_value_on_a_bound_counts_in_that_bucket_and_every_one_above() -> None:
    metrics = Metrics()
    for seconds in (0.0005, 0.0006, 0.001, 0.2, 75.0):
        metrics.observe("db", seconds)
    seen = metrics.buckets("db")
    by_bound = dict(zip(HISTOGRAM_BOUNDS, seen.counts, strict=True))
    assert by_bound[0.0005] == 1  # 0.5 ms is <= 0.5 ms
    assert by_bound[0.001] == 3
    assert by_bound[0.1] == 3 and by_bound[0.25] == 4
    assert by_bound[60.0] == 4  # 75 s lies above every bound: only in +Inf, i.e. the count
    assert seen.count == 5
    assert seen.sum == 0.0005 + 0.0006 + 0.001 + 0.2 + 75.0
    assert list(seen.counts) == sorted(seen.counts)


def test_a_latency_never_seen_has_empty_buckets_and_the_stats_windows_are_untouched() -> None:
    metrics = Metrics()
    assert metrics.buckets("booking").count == 0
    assert set(metrics.buckets("booking").counts) == {0}
    metrics.observe("booking", 2.0)
    assert metrics.summary("booking", 300).count == 1  # /stats still sees it in its window
