"""/metrics in Prometheus's text format: histograms in seconds, counters per meaning."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from bot.app import build_services
from bot.config import Config
from bot.errors import ConfigError
from bot.observability.metrics import Metrics, Quota
from integrations.monitoring import MonitoringServer


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        if url.endswith("/metrics"):  # the classic text format, which every Prometheus reads
            assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.status, await response.text()


def busy_metrics() -> Metrics:
    metrics = Metrics()
    for ms in range(1, 101):
        metrics.observe("response", ms / 1000)
    metrics.observe("zoom.create", 0.3)
    metrics.incr("messages", 7)
    metrics.incr("errors.ai_fallback", 2)
    metrics.incr("errors.handler")
    metrics.incr("bookings.booked", 3)
    metrics.incr("bookings.taken")
    metrics.incr("cache.agent.hit", 5)
    metrics.incr("cache.agent.miss")
    return metrics


@pytest.fixture
async def scrape() -> AsyncIterator[str]:
    server = MonitoringServer(busy_metrics(), quota=lambda: Quota(3, 100))
    await server.start(0)
    try:
        status, text = await get(f"http://127.0.0.1:{server.port}/metrics")
        assert status == 200
        yield text
    finally:
        await server.close()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_latencies_are_histograms_in_seconds(scrape: str) -> None:
    types = {f.name: f.type for f in text_string_to_metric_families(scrape)}
    assert types["leadbot_response_seconds"] == "histogram"
    assert types["leadbot_zoom_create_seconds"] == "histogram"
    got = samples(scrape)
    assert got[("leadbot_response_seconds_count", ())] == 100
    assert got[("leadbot_response_seconds_sum", ())] == pytest.approx(5.05)
    assert got[("leadbot_response_seconds_bucket", (("le", "0.05"),))] == 50
    assert got[("leadbot_response_seconds_bucket", (("le", "0.1"),))] == 100
    assert got[("leadbot_response_seconds_bucket", (("le", "+Inf"),))] == 100
    assert got[("leadbot_zoom_create_seconds_bucket", (("le", "0.25"),))] == 0
    assert got[("leadbot_zoom_create_seconds_bucket", (("le", "0.5"),))] == 1


def test_counts_are_counters_one_metric_per_meaning(scrape: str) -> None:
    families = {f.name: f for f in text_string_to_metric_families(scrape)}
    assert "leadbot_events" not in families  # no catch-all with the meaning in a label
    for name in ("leadbot_messages", "leadbot_errors", "leadbot_bookings",
                 "leadbot_cache_hits", "leadbot_cache_misses"):
        assert families[name].type == "counter", name
        assert all(s.name == f"{name}_total" or s.name == f"{name}_created"
                   for s in families[name].samples)
    got = samples(scrape)
    assert got[("leadbot_messages_total", ())] == 7
    assert got[("leadbot_errors_total", (("kind", "ai_fallback"),))] == 2
    assert got[("leadbot_errors_total", (("kind", "handler"),))] == 1
    assert got[("leadbot_bookings_total", (("outcome", "booked"),))] == 3
    assert got[("leadbot_bookings_total", (("outcome", "taken"),))] == 1
    assert got[("leadbot_cache_hits_total", (("cache", "agent"),))] == 5
    assert got[("leadbot_cache_misses_total", (("cache", "agent"),))] == 1
    assert got[("leadbot_zoom_quota_used_requests", ())] == 3
    assert got[("leadbot_zoom_quota_limit_requests", ())] == 100


def test_the_process_and_platform_collectors_are_there(scrape: str) -> None:
    names = {f.name for f in text_string_to_metric_families(scrape)}
    assert {"process_cpu_seconds", "process_resident_memory_bytes", "python_info",
            "python_gc_collections"} <= names


def test_every_name_is_one_prometheus_accepts(scrape: str) -> None:
    """What promtool's linter asks, checked here where promtool is not installed."""
    for family in text_string_to_metric_families(scrape):
        assert family.documentation, family.name
        sample: Sample
        for sample in family.samples:
            if family.type == "counter":
                assert sample.name.endswith(("_total", "_created")), sample.name
            if family.type == "histogram":
                assert sample.name.endswith(("_bucket", "_sum", "_count", "_created"))
                assert family.name.endswith(("_seconds", "_bytes")), family.name


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_check_metrics_is_clean(scrape: str) -> None:
    result = subprocess.run(["promtool", "check", "metrics"], input=scrape, text=True,
                            capture_output=True, timeout=30, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "" and result.stderr.strip() == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_metrics_port_serves_the_running_bots_figures(tmp_path: Path) -> None:
    port = free_port()
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                              "METRICS_PORT": str(port)})
    services = await build_services(config, serve_metrics=True)
    try:
        await services.store.leads.get_or_create(1, 1, "Ann")  # a timed DB query
        status, text = await get(f"http://127.0.0.1:{port}/metrics")
    finally:
        await services.close()
    assert status == 200
    assert samples(text)[("leadbot_db_seconds_count", ())] >= 1


async def test_metrics_host_is_the_address_served(tmp_path: Path) -> None:
    port = free_port()
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                              "METRICS_PORT": str(port), "METRICS_HOST": "127.0.0.2"})
    services = await build_services(config, serve_metrics=True)
    try:
        assert (await get(f"http://127.0.0.2:{port}/healthz"))[0] == 200
        with pytest.raises(aiohttp.ClientConnectionError):
            await get(f"http://127.0.0.1:{port}/healthz")
    finally:
        await services.close()


async def test_a_metrics_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                                  "METRICS_PORT": str(port)})
        with pytest.raises(ConfigError) as caught:
            await build_services(config, serve_metrics=True)
    assert str(caught.value).startswith(f"METRICS_PORT: cannot listen on 127.0.0.1:{port}")
    assert "\n" not in str(caught.value)
