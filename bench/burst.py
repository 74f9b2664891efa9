"""Scenario 7: many leads writing at the same moment, against Telegram's flood limit.

Each of N leads sends one plain message at once; the AI answers each in ``--burst-ai`` seconds.
Every answer is one message, so Telegram's bucket (30 messages, refilling 30 a second) sets a
floor under each reply: the k-th reply to be ready can leave no sooner than the bucket has a
token for it. The row sets the p95 of the reply times (update in, reply arriving at the fake)
beside the p95 of that floor, and counts the 429s the fake answered and the replies that never
came. The CPU figure is the process's own CPU time over the burst (bot, fakes and driver alike,
so an upper bound of the bot's) per message handled.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from bench.load import cpu_seconds, next_marker
from bench.options import TELEGRAM_BURST, TELEGRAM_LIMIT, Options
from bench.rig import Rig
from bench.stats import number, summarize

FIRST_CHAT = 800_000


def floor_departures(ready: Sequence[float], capacity: float = TELEGRAM_BURST,
                     rate: float = TELEGRAM_LIMIT) -> list[float]:
    """When each message ready at ``ready`` (sorted) could leave at the soonest, through a
    bucket of ``capacity`` tokens refilling ``rate`` a second, full at the first one."""
    out: list[float] = []
    if not ready:
        return out
    tokens, at = float(capacity), ready[0]
    for moment in ready:
        now = max(moment, at)
        tokens = min(capacity, tokens + (now - at) * rate)
        if tokens < 1.0:
            now += (1.0 - tokens) / rate
            tokens = 1.0
        tokens -= 1.0
        at = now
        out.append(now)
    return out


async def run_one(rig: Rig, options: Options, leads: int, first_chat: int) -> dict[str, Any]:
    """One burst of ``leads`` messages; the figures of its row."""
    tg = rig.telegram
    rig.reset_limits()
    refused = tg.flood.refused if tg.flood else 0
    markers = [next_marker() for _ in range(leads)]
    replies = [tg.expect_marker(m) for m in markers]
    cpu = cpu_seconds()
    sent = time.perf_counter()
    for i, marker in enumerate(markers):
        tg.push_text(first_chat + i, f"hello, I have a quick question {marker}",
                     first_name="Lead")
    arrived = await asyncio.gather(*(asyncio.wait_for(r, options.reply_timeout)
                                     for r in replies), return_exceptions=True)
    cpu = cpu_seconds() - cpu
    times = [a - sent for a in arrived if isinstance(a, float)]
    asked = [rig.openai.answered_at.pop(m) - options.burst_ai - sent for m in markers
             if m in rig.openai.answered_at]
    floor = [d - sent for d in floor_departures([sent + options.burst_ai] * leads)]
    got, bound = summarize(times), summarize(floor)
    retried = rig.limiter.retried_since_reset()
    return {
        "leads": leads, "ai_s": options.burst_ai,
        "answered": len(times), "lost": leads - len(times),
        "reply_s": got.as_dict(1, 3), "floor_s": bound.as_dict(1, 3),
        "ai_request_left_s": summarize(asked).as_dict(1, 3),
        "p95_over_floor": number(got.p95 / bound.p95, 3) if bound.p95 > 0 else None,
        "refused_429": (tg.flood.refused if tg.flood else 0) - refused,
        "retried_429": retried,
        "cpu_ms_per_message": number(cpu * 1000 / max(len(times), 1), 2),
    }


async def run(rig: Rig, options: Options) -> dict[str, Any]:
    """Each burst size in turn, with the AI at ``--burst-ai``; the fakes settle in between."""
    rig.set_latency(ai=options.burst_ai)
    out: dict[str, Any] = {}
    for n, leads in enumerate(options.burst_levels):
        out[str(leads)] = await run_one(rig, options, leads, FIRST_CHAT + 10_000 * n)
        rig.trim()
        await asyncio.sleep(1.5)  # Telegram's bucket and the chats' limits fill up again
    rig.set_latency(ai=options.ai)
    return out
