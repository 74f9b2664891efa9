"""The Prometheus endpoint serves the /stats figures in text format, on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import build_services
from bot.config import Config
from bot.observability.metrics import Metrics, Quota
from integrations.prometheus import PrometheusServer


async def test_scrape_parses_and_carries_the_figures() -> None:
    metrics = Metrics()
    for ms in range(1, 101):
        metrics.observe("response", ms / 1000)
    metrics.incr("messages", 7)
    server = PrometheusServer(metrics, quota=lambda: Quota(3, 100))
    await server.start(0)
    try:
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{server.port}/metrics") as response:
            assert response.status == 200
            text = await response.text()
    finally:
        await server.close()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    p95 = samples[("leadbot_latency_seconds",
                   (("name", "response"), ("quantile", "0.95"), ("window", "5m")))]
    assert 0.09 <= p95 <= 0.1
    assert samples[("leadbot_latency_observations", (("name", "response"), ("window", "all")))] \
        == 100
    assert samples[("leadbot_events_total", (("name", "messages"),))] == 7
    assert samples[("leadbot_zoom_quota_used", ())] == 3
    assert samples[("leadbot_zoom_quota_limit", ())] == 100


async def test_metrics_port_serves_the_running_bots_figures(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                              "METRICS_PORT": str(port)})
    services = await build_services(config, serve_metrics=True)
    try:
        await services.store.leads.get_or_create(1, 1, "Ann")  # a timed DB query
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{port}/metrics") as response:
            text = await response.text()
    finally:
        await services.close()
    names = {s.labels.get("name") for f in text_string_to_metric_families(text)
             for s in f.samples if s.name == "leadbot_latency_observations"}
    assert "db" in names


async def test_a_metrics_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    from bot.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                                  "METRICS_PORT": str(port)})
        try:
            await build_services(config, serve_metrics=True)
        except ConfigError as err:
            assert str(err).startswith(f"METRICS_PORT: cannot listen on 127.0.0.1:{port}")
            assert "\n" not in str(err)
        else:
            raise AssertionError("a port in use must stop start-up")
