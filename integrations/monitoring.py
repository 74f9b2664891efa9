"""The monitoring HTTP server: ``/metrics``, ``/healthz`` and ``/readyz`` on ``METRICS_HOST``.

``/healthz`` answers 200 while the process runs (a container's HEALTHCHECK, a liveness probe).
``/readyz`` answers 200 only while each readiness check (the database and Telegram) answers
within ``READY_TIMEOUT``, else 503 naming what failed, so a load balancer sends webhook
requests to replicas that can handle them. ``/metrics`` is the Prometheus text format: the
bot's histograms and counters plus the process, platform and garbage-collector collectors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)

from bot.observability.metrics import Metrics, Quota
from integrations.prometheus import MetricsCollector

ReadyCheck = tuple[str, Callable[[], Awaitable[str]]]
"""A name and its ping: returns a short detail, raises when the dependency does not answer."""
READY_TIMEOUT = 3.0
"""Seconds a readiness check may take; a slower one counts as not answering."""


class MonitoringServer:
    """An aiohttp server for the three endpoints; ``port`` is the one it got."""

    def __init__(self, metrics: Metrics, quota: Callable[[], Quota] | None = None, *,
                 ready: Sequence[ReadyCheck] = (), timeout: float = READY_TIMEOUT) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(MetricsCollector(metrics, quota))
        # The default registry's process, platform and GC collectors, served from ours too.
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self._ready = tuple(ready)
        self._timeout = timeout
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int, host: str = "127.0.0.1") -> None:
        """Listen on ``host:port`` (port 0 picks a free one, see ``.port``)."""
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except BaseException:
            await self.close()
            raise
        self.port = int(self._runner.addresses[0][1])

    async def _metrics(self, _: web.Request) -> web.Response:
        # In the loop's thread: the collector reads the live metrics, which only it changes.
        body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, _: web.Request) -> web.Response:
        results = await asyncio.gather(*(self._check(name, ping) for name, ping in self._ready))
        ready = all(ok for ok, _ in results)
        lines = [line for _, line in results] or ["no checks configured"]
        return web.Response(status=200 if ready else 503,
                            text=("ready" if ready else "not ready") + "\n"
                            + "".join(f"{line}\n" for line in lines))

    async def _check(self, name: str, ping: Callable[[], Awaitable[str]]) -> tuple[bool, str]:
        try:
            # The ping's detail is left out: the endpoint may face a network, and the
            # details (paths, hosts) are for ``doctor``.
            await asyncio.wait_for(ping(), self._timeout)
        except TimeoutError:
            return False, f"{name}: FAIL no answer within {self._timeout:g} s"
        except Exception as err:  # any failure means not ready; the reason is one line
            reason = " ".join(str(err).split())[:200]
            return False, f"{name}: FAIL {type(err).__name__}{': ' + reason if reason else ''}"
        return True, f"{name}: ok"

    async def close(self) -> None:
        """Stop serving; safe to call twice."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
