"""Prometheus text format: the bot's latencies as histograms, its counts as counters.

Names follow Prometheus's rules so that ``promtool check metrics`` is clean and PromQL can add
up replicas: a latency ``zoom.create`` is the histogram ``leadbot_zoom_create_seconds``
(``_bucket``/``_sum``/``_count``, the same bounds in every process); a count is a counter
ending in ``_total``, one metric per meaning (``leadbot_messages_total``,
``leadbot_errors_total{kind}``, ``leadbot_bookings_total{outcome}``,
``leadbot_cache_hits_total{cache}``). The windowed percentiles stay in /stats, which a single
process can answer; Prometheus computes its own with ``histogram_quantile``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from bot.observability.metrics import HISTOGRAM_BOUNDS, Metrics, Quota

PREFIX = "leadbot"
_LATENCY_HELP = {
    "response": "Time from a lead's message to the bot's reply",
    "booking": "Time from a tap on a slot to the booking confirmed",
    "db": "One database query",
    "ai": "One answer of the AI",
    "ai.first_token": "Time to the first token of a streamed AI answer",
    "freebusy": "One free/busy check of the agents' calendars",
}
# Counters whose first word names a family, the rest of the name its label.
_LABELLED = {"errors": ("errors", "kind", "Errors by kind"),
             "bookings": ("bookings", "outcome", "Booking outcomes (booked, taken, failed...)")}
# Exported from the start, at zero, so that rates and alerts have a series before the first event.
_ALWAYS_LATENCIES = ("response", "booking", "db")
_ALWAYS_COUNTERS = ("messages", "errors.ai_fallback", "errors.integration", "errors.handler",
                    "bookings.booked", "bookings.failed", "bookings.taken")
_CACHE = re.compile(r"^cache\.(?P<cache>[a-z_]+)\.(?P<result>hit|miss)$")


def metric_name(name: str) -> str:
    """``zoom.create`` -> ``zoom_create``: what Prometheus allows in a metric name."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", name).strip("_").lower()


class MetricsCollector(Collector):
    """Reads ``Metrics`` at scrape time (nothing is copied while the bot works)."""

    def __init__(self, metrics: Metrics, quota: Callable[[], Quota] | None = None) -> None:
        self._metrics = metrics
        self._quota = quota

    def collect(self) -> Iterator[Metric]:
        yield from self._histograms()
        yield from self._counters()
        uptime = GaugeMetricFamily(f"{PREFIX}_uptime_seconds", "Seconds since the bot started.")
        uptime.add_metric([], self._metrics.uptime)
        yield uptime
        if self._quota is not None:
            today = self._quota()
            used = GaugeMetricFamily(f"{PREFIX}_zoom_quota_used_requests",
                                     "Zoom meeting create/delete requests today (UTC).")
            used.add_metric([], today.used)
            limit = GaugeMetricFamily(f"{PREFIX}_zoom_quota_limit_requests",
                                      "Zoom's daily cap on meeting create/delete requests.")
            limit.add_metric([], today.limit)
            yield from (used, limit)

    def _histograms(self) -> Iterator[Metric]:
        bounds = [_bound(b) for b in HISTOGRAM_BOUNDS]
        for name in sorted({*self._metrics.latency_names(), *_ALWAYS_LATENCIES}):
            seen = self._metrics.buckets(name)
            help_text = _LATENCY_HELP.get(name, f"Duration of {name.replace('.', ' ')}")
            family = HistogramMetricFamily(f"{PREFIX}_{metric_name(name)}_seconds",
                                           f"{help_text}, in seconds.")
            buckets = [*zip(bounds, seen.counts, strict=True), ("+Inf", seen.count)]
            family.add_metric([], buckets, seen.sum)
            yield family

    def _counters(self) -> Iterator[Metric]:
        families: dict[str, CounterMetricFamily] = {}

        def family(name: str, help_text: str, labels: tuple[str, ...] = ()) -> CounterMetricFamily:
            if name not in families:
                families[name] = CounterMetricFamily(f"{PREFIX}_{name}", help_text,
                                                     labels=list(labels))
            return families[name]

        for name in sorted({*self._metrics.counter_names(), *_ALWAYS_COUNTERS}):
            value = self._metrics.count(name)
            head, _, rest = name.partition(".")
            if (cache := _CACHE.match(name)) is not None:
                result = "hits" if cache["result"] == "hit" else "misses"
                family(f"cache_{result}", f"Cache {result} by cache.", ("cache",)).add_metric(
                    [cache["cache"]], value)
            elif head in _LABELLED and rest:
                metric, label, help_text = _LABELLED[head]
                family(metric, f"{help_text}.", (label,)).add_metric([rest], value)
            else:
                family(metric_name(name), f"Count of {name.replace('.', ' ')}.").add_metric(
                    [], value)
        yield from families.values()


def _bound(seconds: float) -> str:
    return repr(float(seconds))
