"""The Grafana dashboard asks only for metrics a running bot really exports."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.harness import running_bot

REPO = Path(__file__).resolve().parents[2]
LEAD = 6201
# Prometheus's own series, not the bot's.
SCRAPER_SERIES = {"up"}


def dashboard_series() -> set[str]:
    dashboard = json.loads((REPO / "deploy" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert exprs
    names = {name for e in exprs for name in re.findall(r"\b([a-z_][a-z0-9_]*)\{", e)}
    return names - SCRAPER_SERIES


async def test_every_dashboard_query_names_a_series_of_a_bot_that_booked(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with running_bot(tmp_path, with_openai=True, env={"METRICS_PORT": str(port)}) as bot:
        tg = bot.telegram
        tg.push_command(LEAD, "/start", first_name="Dana")
        greeting = await tg.wait_for_text(LEAD, "Hi, Dana!")
        mark = tg.mark()
        tg.push_text(LEAD, "hello there")  # an answer of the AI
        await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        mark = tg.mark()
        show = greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.push_callback(LEAD, show, message_id=greeting["message_id"])
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(r["reply_markup"]),
                                   after=mark)
        data = offers["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        tg.push_callback(LEAD, data, message_id=offers["message_id"])
        await tg.wait_for_text(LEAD, "You're booked")
        await tg.wait_for_text(bot.agent.telegram_id, "New meeting")
        async with aiohttp.ClientSession() as session, session.get(
                f"http://127.0.0.1:{port}/metrics") as response:
            text = await response.text()
    exported = {s.name for f in text_string_to_metric_families(text) for s in f.samples}
    missing = dashboard_series() - exported
    assert not missing, f"the dashboard asks for series nobody exports: {sorted(missing)}"
    if shutil.which("promtool"):  # the linter Prometheus ships, on a real bot's scrape
        lint = await asyncio.to_thread(subprocess.run, ["promtool", "check", "metrics"],
                                       input=text, text=True, capture_output=True, timeout=30,
                                       check=False)
        assert lint.returncode == 0 and not (lint.stdout + lint.stderr).strip(), lint.stdout
