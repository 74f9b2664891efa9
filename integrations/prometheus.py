"""Prometheus text format on 127.0.0.1: the /stats figures, read at scrape time."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from bot.observability.metrics import WINDOWS, Metrics, Quota


class MetricsCollector(Collector):
    """Exposes every latency's count and p50/p95/p99 per window, and every counter."""

    def __init__(self, metrics: Metrics, quota: Callable[[], Quota] | None = None) -> None:
        self._metrics = metrics
        self._quota = quota

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        latency = GaugeMetricFamily("leadbot_latency_seconds",
                                    "Latency percentiles over a window (5m, 1h, all).",
                                    labels=["name", "window", "quantile"])
        count = GaugeMetricFamily("leadbot_latency_observations",
                                  "Observations of a latency in a window.",
                                  labels=["name", "window"])
        for name in self._metrics.latency_names():
            for window, span in WINDOWS:
                summary = self._metrics.summary(name, span)
                count.add_metric([name, window], summary.count)
                for quantile, value in (("0.5", summary.p50), ("0.95", summary.p95),
                                        ("0.99", summary.p99)):
                    latency.add_metric([name, window, quantile], value)
        events = CounterMetricFamily("leadbot_events", "Events counted since start.",
                                     labels=["name"])
        for name in self._metrics.counter_names():
            events.add_metric([name], self._metrics.count(name))
        uptime = GaugeMetricFamily("leadbot_uptime_seconds", "Seconds since start.")
        uptime.add_metric([], self._metrics.uptime)
        yield from (latency, count, events, uptime)
        if self._quota is not None:
            today = self._quota()
            used = GaugeMetricFamily("leadbot_zoom_quota_used",
                                     "Zoom meeting create/delete requests today (UTC).")
            used.add_metric([], today.used)
            limit = GaugeMetricFamily("leadbot_zoom_quota_limit",
                                      "Zoom's daily cap on meeting create/delete requests.")
            limit.add_metric([], today.limit)
            yield from (used, limit)


class PrometheusServer:
    """A loopback HTTP server for ``GET /metrics``."""

    def __init__(self, metrics: Metrics, quota: Callable[[], Quota] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(MetricsCollector(metrics, quota))
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        """Listen on ``host:port`` (port 0 picks a free one, see ``.port``)."""
        app = web.Application()
        app.router.add_get("/metrics", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _serve(self, _: web.Request) -> web.Response:
        return web.Response(body=generate_latest(self.registry),
                            headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
