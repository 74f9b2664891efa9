"""Runs the scenarios in order, then prints the table and writes the JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import booking, burst, db, db_postgres, load, parse, report
from bench.options import Options
from bench.rig import Rig, running

RESPONSE_CHATS = 200_000
THROUGHPUT_CHATS = 500_000
WARMUP_CHATS = 190_000


def machine() -> dict[str, Any]:
    """What ran the benchmark."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": model or platform.processor(),
            "python": platform.python_version(), "platform": platform.platform()}


async def _chat_scenarios(rig: Rig, options: Options, out: dict[str, Any]) -> None:
    rig.set_latency(ai=options.ai, freebusy=options.freebusy, zoom=options.zoom,
                    insert=options.insert)
    if "booking" in options.only:
        _say("1 booking: sequential vs ours")
        started = time.perf_counter()
        out["booking"] = await booking.run(rig, options)
        out["booking"]["seconds"] = round(time.perf_counter() - started, 1)
    run_response, run_throughput = "response" in options.only, "throughput" in options.only
    run_burst = "burst" in options.only
    if not (run_response or run_throughput or run_burst):
        return
    rig.set_latency(ai=options.ai, freebusy=options.freebusy)
    rig.trim()
    # Warm-up with the AI instant: the OpenAI client's connections, first-use code paths.
    rig.set_latency(ai=0)
    await load.closed_loop(rig, options, leads=4, first_chat=WARMUP_CHATS, messages=3)
    rig.set_latency(ai=options.ai)
    rig.trim()
    before, freebusy_before = load.counters(rig), rig.google.count("POST", "/freeBusy")
    answered_before, stale_before = rig.openai.answered, rig.openai.stale
    levels: dict[str, Any] = {}
    started = time.perf_counter()
    if run_response:
        for i, leads in enumerate(options.levels):
            if run_throughput and leads == options.throughput_leads:
                continue  # the throughput run is this level
            _say(f"2 response overhead: {leads} concurrent leads")
            done = await load.closed_loop(rig, options, leads=leads,
                                          first_chat=RESPONSE_CHATS + 10_000 * i,
                                          messages=load.messages_per_lead(options, leads))
            levels[str(leads)] = load.level_result(done) | {
                "lost_messages": await load.lost_details(rig, done)}
            rig.trim()
    response_seconds = time.perf_counter() - started
    if run_burst:
        _say(f"7 bursts: {', '.join(map(str, options.burst_levels))} leads writing at once")
        out["burst"] = await burst.run(rig, options)
    if run_throughput:
        _say(f"4 throughput: {options.throughput_leads} leads for "
             f"{options.throughput_seconds:g} s")
        rss_before = load.peak_rss_mb()
        sent_before = len(rig.limiter.sent_at)
        done = await load.closed_loop(rig, options, leads=options.throughput_leads,
                                      first_chat=THROUGHPUT_CHATS,
                                      seconds=options.throughput_seconds)
        out["throughput"] = load.throughput_result(rig, done, options, sent_before, rss_before)
        out["throughput"]["lost_messages"] = await load.lost_details(rig, done)
        if run_response and options.throughput_leads in options.levels:
            levels[str(options.throughput_leads)] = load.level_result(done) | {
                "from": "the throughput run"}
    if levels:
        out["response"] = {"ai_s": options.ai, "offer_every": options.offer_every,
                           "think_s": options.think, "seconds": round(response_seconds, 1),
                           "levels": levels}
    out["caches"] = load.cache_result(rig, before, freebusy_before)
    out["ai_history"] = load.history_result(rig, answered_before, stale_before)


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


async def run(options: Options, argv: list[str] | None = None) -> dict[str, Any]:
    """Run the chosen scenarios; returns the results as written to the JSON file."""
    started = time.perf_counter()
    scenarios: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-") as tmp:
        work = Path(tmp)
        if {"booking", "response", "burst", "throughput"} & set(options.only):
            async with running(work / "bot") as rig:
                await _chat_scenarios(rig, options, scenarios)
        if "db" in options.only:
            _say(f"3 database: {options.db_leads:,} leads, {options.db_messages:,} messages")
            started_db = time.perf_counter()
            engine = db_postgres.run if options.db == "postgres" else db.run
            scenarios["db"] = await engine(work / "db", options)
            scenarios["db"]["seconds"] = round(time.perf_counter() - started_db, 1)
        if "parse" in options.only:
            _say("6 reading when, per message, over the corpus")
            scenarios["parse"] = parse.run()
    settings = asdict(options)
    settings["out"] = str(options.out)
    settings["profile"] = str(options.profile) if options.profile else None
    results: dict[str, Any] = {
        "command": " ".join(["python -m bench", *(argv or [])]),
        "machine": machine(), "options": settings, "scenarios": scenarios,
        "duration_s": round(time.perf_counter() - started, 1),
    }
    lines = report.rows(results, options)
    results["table"] = [dict(zip(report.HEADERS, r.cells(), strict=True)) for r in lines]
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2) + "\n")
    return results


def render(results: dict[str, Any], options: Options) -> str:
    """The table plus one line saying what produced it."""
    lines = report.rows(results, options)
    m = results["machine"]
    text = report.markdown(lines) if options.markdown else report.table(lines)
    return (f"{text}\n\n{results['command']}: {results['duration_s']} s on "
            f"{m['cpus']} CPUs ({m['cpu']}); JSON in {options.out}")
