"""The benchmark's smallest run: every scenario ends by itself and reports numbers.

Behaviour only: no timing is asserted (the figures depend on the machine).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.__main__ import main

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

SMALLEST = ["--quick", "--ai", "0", "--freebusy", "0", "--zoom", "0", "--insert", "0",
            "--bookings", "2", "--levels", "1,3", "--bursts", "3", "--burst-ai", "0",
            "--throughput-leads", "3", "--seconds", "1",
            "--db-leads", "200", "--db-messages", "1000", "--reply-timeout", "10"]


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def test_smallest_run_reports_every_scenario(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results.json"
    assert main([*SMALLEST, "--out", str(out)]) == 0

    results = json.loads(out.read_text())
    scenarios = results["scenarios"]
    assert set(scenarios) == {"booking", "response", "burst", "db", "throughput", "caches",
                              "ai_history", "parse"}
    burst = scenarios["burst"]["3"]
    assert burst["answered"] == 3 and burst["lost"] == 0
    assert _number(burst["reply_s"]["p95"]) and _number(burst["floor_s"]["p95"])
    assert _number(burst["cpu_ms_per_message"])
    assert scenarios["parse"]["phrases"] >= 300 and scenarios["parse"]["count"] > 0
    assert scenarios["ai_history"]["ai_requests"] > 0

    booking = scenarios["booking"]
    assert booking["failed"] == 0
    for flow in ("sequential_ms", "ours_ms"):
        assert booking[flow]["count"] == 2
        assert all(_number(booking[flow][k]) for k in ("p50", "p95", "p99"))

    levels = scenarios["response"]["levels"]
    assert set(levels) == {"1", "3"}
    assert levels["3"]["from"] == "the throughput run"
    for level in levels.values():
        assert level["lost"] == 0
        assert level["overhead_ms"]["count"] >= 1
        assert _number(level["overhead_ms"]["p95"])
        assert _number(level["rate_limit_wait_ms"]["p50"])

    queries = scenarios["db"]["queries"]
    assert set(queries) == {"last_15_messages", "lead_by_phone_status",
                            "appointments_by_lead_agent_status", "slot_hold"}
    for query in queries.values():
        assert _number(query["indexed_ms"]["p95"])
        assert query["without_seed_indexes_ms"]["count"] >= 1
    assert scenarios["db"]["rows"]["messages"] == 1000

    throughput = scenarios["throughput"]
    assert throughput["messages_answered"] > 0
    assert _number(throughput["telegram_calls_per_s"])  # a 1 s run may end inside a chat's pace
    assert throughput["peak_rss_mb"] > 0

    caches = scenarios["caches"]
    assert caches["offers_made"] > 0
    assert _number(caches["freebusy_requests_per_offer"])
    assert _number(caches["agent_hit_rate"])

    printed = capsys.readouterr().out
    # The parse row included; the burst's two rows and the throughput's answers and CPU.
    assert len(results["table"]) == 24
    assert all(row["scenario"] in printed for row in results["table"])
    assert "1 booking, ours (fb || zoom)" in printed
