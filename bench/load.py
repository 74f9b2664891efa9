"""Scenarios 2, 4 and 5: many leads chatting at once with the AI at its modelled latency.

A level of C concurrent leads is C leads in a closed loop: each sends a message, waits for the
reply, and sends the next one at once (no reading or typing pause), their first messages spread
evenly over one AI answer time. Every ``offer_every``-th message of a lead asks for times; the
AI then calls ``find_slots`` and the bot checks the calendar before it answers.

Per message, the overhead is the time from the update entering the fake Bot API to the reply's
``sendMessage`` arriving there, minus the AI's injected latency. It includes the long-poll
delivery (getUpdates) and any wait in PTB's rate limiter, which is also reported on its own.
Messages that ask for times also wait for Google's free/busy, so they are counted but kept out
of the overhead figures.

The throughput run is the same loop with the largest number of leads, kept going for a fixed
time; its steady middle gives the sustained rate, and its samples are that level's row.
"""

from __future__ import annotations

import asyncio
import itertools
import resource
import time
from dataclasses import dataclass
from typing import Any

from bench.options import TELEGRAM_LIMIT, Options
from bench.rig import OFFER_WORD, Rig
from bench.stats import number, summarize

TRIM_EVERY = 1.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One answered message."""

    sent: float
    arrived: float
    overhead: float
    limiter_wait: float
    offer: bool
    before_ai: float
    """From the update entering the fake to the AI request arriving, minus rate-limit waits."""
    after_ai: float
    """From the AI's answer to the reply arriving, minus rate-limit waits."""


@dataclass
class LoadRun:
    """What one closed-loop run produced; a timed run counts replies up to ``until`` only."""

    leads: int
    samples: list[Sample]
    lost: list[Lost]
    started: float
    stopped: float
    until: float | None = None
    cpu: float = 0.0
    """Process CPU seconds (all threads: bot, fakes, driver) over the run."""
    lag: list[tuple[float, float]] | None = None
    """(when, how late) a 5 ms timer fired through the run: the event loop's own delay."""
    refused: int = 0
    """429s the bot's calls received from the fake's flood limit during the run."""

    @property
    def counted(self) -> list[Sample]:
        """The samples that count: for a timed run, replies that arrived within its time."""
        if self.until is None:
            return self.samples
        return [s for s in self.samples if s.arrived <= self.until]


_markers = itertools.count(1)


def next_marker() -> str:
    """A marker unique in the run: the fake AI echoes it, so its reply is found by it."""
    return f"[m{next(_markers)}]"


@dataclass(frozen=True, slots=True)
class Lost:
    """A message whose reply never came within ``reply_timeout``."""

    chat: int
    marker: str
    sent: float


async def _lead(rig: Rig, chat: int, *, delay: float, messages: int | None,
                until: float | None, options: Options, out: list[Sample],
                lost: list[Lost]) -> None:
    await asyncio.sleep(delay)
    tg, waits = rig.telegram, rig.limiter.waits
    for k in itertools.count():
        if (messages is not None and k >= messages) or \
                (until is not None and time.perf_counter() >= until):
            return
        marker = next_marker()
        offer = _is_offer(options, k)
        text = f"what {OFFER_WORD} do you have? {marker}" if offer else \
            f"hello, I have a quick question {marker}"
        reply = tg.expect_marker(marker)
        waits.pop(chat, None)
        ai = rig.ai
        sent = time.perf_counter()
        tg.push_text(chat, text, first_name="Lead")
        try:
            arrived = await asyncio.wait_for(reply, options.reply_timeout)
        except TimeoutError:
            lost.append(Lost(chat, marker, sent))
            return
        answered = rig.openai.answered_at.pop(marker, arrived)
        asked = answered - ai
        limiter = rig.limiter
        out.append(Sample(sent, arrived, arrived - sent - ai, limiter.waited(chat, sent, arrived),
                          offer, asked - sent - limiter.waited(chat, sent, asked),
                          arrived - answered - limiter.waited(chat, answered, arrived)))
        if options.think:
            await asyncio.sleep(options.think)


def messages_per_lead(options: Options, leads: int) -> int:
    """At least ``rounds`` messages each, more when needed for ``min_plain`` plain ones."""
    m = options.rounds
    while leads * sum(1 for k in range(m) if not _is_offer(options, k)) < options.min_plain:
        m += 1
    return m


def _is_offer(options: Options, k: int) -> bool:
    return options.offer_every > 0 and k % options.offer_every == 1


async def closed_loop(rig: Rig, options: Options, *, leads: int, first_chat: int,
                      messages: int | None = None, seconds: float | None = None) -> LoadRun:
    """Run ``leads`` leads for ``messages`` each or for ``seconds``.

    Each run starts with a fresh rate limit. A timed run ends at its deadline: the leads stop
    writing, and what is still in flight is let through fast (``Rig.lift``) and not counted.
    """
    samples: list[Sample] = []
    lost: list[Lost] = []
    ai = rig.ai
    rig.reset_limits()
    refused = rig.limiter.refused
    cpu = cpu_seconds()
    started = time.perf_counter()
    until = started + seconds if seconds is not None else None
    spread = max(ai, 0.05)
    tasks = [asyncio.create_task(_lead(rig, first_chat + i, delay=spread * i / leads,
                                       messages=messages, until=until, options=options,
                                       out=samples, lost=lost))
             for i in range(leads)]
    lag: list[tuple[float, float]] = []
    helpers = [asyncio.create_task(_trim(rig)), asyncio.create_task(_watch_lag(lag))]
    if until is not None:
        helpers.append(asyncio.create_task(_lift_at(rig, until)))
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in [*helpers, *tasks]:
            task.cancel()
        rig.set_latency(ai=ai)
        rig.reset_limits()
    return LoadRun(leads, samples, lost, started, time.perf_counter(), until,
                   cpu_seconds() - cpu, lag, rig.limiter.refused - refused)


async def _watch_lag(out: list[tuple[float, float]], tick: float = 0.005) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(tick)
        now = time.perf_counter()
        out.append((now, now - before - tick))


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _lift_at(rig: Rig, moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.perf_counter()))
    rig.lift()


async def _trim(rig: Rig) -> None:
    while True:
        await asyncio.sleep(TRIM_EVERY)
        rig.trim()


def level_result(run: LoadRun) -> dict[str, Any]:
    """Overhead percentiles (ms) of the plain messages of one run, and the limiter's share."""
    counted = run.counted
    plain = [s for s in counted if not s.offer]
    return {
        "leads": run.leads,
        "messages": len(counted),
        "offers": len(counted) - len(plain),
        "lost": len(run.lost),
        "refused_429": run.refused,
        "cpu_percent_of_one_core": _cpu_percent(run),
        "cpu_ms_per_message": number(run.cpu * 1000 / max(len(run.samples), 1), 2),
        "event_loop_lag_ms": summarize([late for at, late in run.lag or []
                                        if run.until is None or at <= run.until]).as_dict(1000),
        "overhead_ms": summarize([s.overhead for s in plain]).as_dict(1000),
        "rate_limit_wait_ms": summarize([s.limiter_wait for s in plain]).as_dict(1000),
        "overhead_without_rate_limit_wait_ms": summarize(
            [s.overhead - s.limiter_wait for s in plain]).as_dict(1000),
        "before_ai_without_wait_ms": summarize([s.before_ai for s in plain]).as_dict(1000),
        "after_ai_without_wait_ms": summarize([s.after_ai for s in plain]).as_dict(1000),
    }


async def lost_details(rig: Rig, run: LoadRun) -> list[dict[str, Any]]:
    """For each lost message: when it was sent, and whether the bot stored it and a reply to
    it (which tells an update never handled from a reply never delivered)."""
    details = []
    for item in run.lost:
        rows = await rig.services.store.db.fetchall(
            "SELECT role FROM messages WHERE content LIKE ?", (f"%{item.marker}%",))
        roles = {row[0] for row in rows}
        details.append({"chat": item.chat, "marker": item.marker,
                        "sent_s": round(item.sent - run.started, 3),
                        "stored": "user" in roles, "answer_stored": "assistant" in roles})
    return details


def throughput_result(rig: Rig, run: LoadRun, options: Options, sent_before: int,
                      baseline_rss_mb: float) -> dict[str, Any]:
    """Sustained rates over the run's steady middle, and the process's peak memory."""
    ramp = rig.ai + max(rig.ai, 0.05) + 1.0  # first replies need the spread plus one answer
    begin = run.started + min(ramp, (run.stopped - run.started) / 2)
    end = min(run.started + (options.throughput_seconds or 0), run.stopped)
    if end <= begin:
        end = run.stopped
    span = max(end - begin, 1e-9)
    out_calls = sum(1 for t in rig.limiter.sent_at[sent_before:] if begin <= t < end)
    answered = sum(1 for s in run.samples if begin <= s.arrived < end)
    rate = out_calls / span
    return {
        "leads": run.leads,
        "seconds": round(run.stopped - run.started, 1),
        "window_s": round(span, 1),
        "messages_answered": len(run.counted),
        "lost": len(run.lost),
        "cpu_percent_of_one_core": _cpu_percent(run),
        "answered_per_min": number(answered * 60 / span, 1),
        "answers_of_telegram_limit": number(answered / span / TELEGRAM_LIMIT, 3),
        "refused_429": run.refused,
        "cpu_ms_per_message": number(run.cpu * 1000 / max(len(run.samples), 1), 2),
        "telegram_calls_per_s": number(rate, 2),
        "telegram_calls_per_min": number(rate * 60, 1),
        "telegram_limit_per_s": TELEGRAM_LIMIT,
        "of_limit": number(rate / TELEGRAM_LIMIT, 3),
        "peak_rss_mb": number(peak_rss_mb(), 1),
        "rss_before_mb": number(baseline_rss_mb, 1),
    }


def _cpu_percent(run: LoadRun) -> float | None:
    wall = run.stopped - run.started
    return round(100 * run.cpu / wall, 1) if wall > 0 else None


def peak_rss_mb() -> float:
    """The process's peak resident set (bot, fakes and the benchmark itself), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def history_result(rig: Rig, answered_before: int, stale_before: int) -> dict[str, Any]:
    """AI requests whose history lacked the lead's newest message (a stale read)."""
    return {"ai_requests": rig.openai.answered - answered_before,
            "without_latest_message": rig.openai.stale - stale_before}


def cache_result(rig: Rig, before: dict[str, int], freebusy_before: int) -> dict[str, Any]:
    """Hit rates of the agent and free/busy caches, and free/busy requests per offer made."""
    metrics = rig.services.metrics
    delta = {name: metrics.count(name) - before.get(name, 0) for name in COUNTERS}
    freebusy = rig.google.count("POST", "/freeBusy") - freebusy_before
    offers = delta["offers.made"]

    def rate(kind: str) -> float | None:
        hits, misses = delta[f"cache.{kind}.hit"], delta[f"cache.{kind}.miss"]
        return round(hits / (hits + misses), 4) if hits + misses else None

    return {
        "agent_hit_rate": rate("agent"),
        "agent_hits": delta["cache.agent.hit"], "agent_misses": delta["cache.agent.miss"],
        "freebusy_hit_rate": rate("freebusy"),
        "freebusy_hits": delta["cache.freebusy.hit"],
        "freebusy_misses": delta["cache.freebusy.miss"],
        "offers_made": offers,
        "freebusy_requests": freebusy,
        "freebusy_requests_per_offer": round(freebusy / offers, 3) if offers else None,
    }


COUNTERS = ("cache.agent.hit", "cache.agent.miss", "cache.freebusy.hit", "cache.freebusy.miss",
            "offers.made")


def counters(rig: Rig) -> dict[str, int]:
    """The cache counters now, to take differences over a scenario."""
    return {name: rig.services.metrics.count(name) for name in COUNTERS}
