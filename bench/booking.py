"""Scenario 1: booking, the seed's sequential flow and ours, side by side in one run.

The same ``BookingService`` books both ways: ``parallel`` off is the seed's order (free/busy,
then Zoom, then the event), on is ours (free/busy || Zoom, then the event). Flows alternate
round by round, so drift in the machine's speed hits both alike.

Each booking is timed from the button tap entering the fake Bot API to the confirmation document
arriving there, through PTB's long polling and the real handlers. The offer shown before the tap
is made with no injected latency: only the tap is measured, with the latencies switched on.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from typing import Any

from bench.options import Options
from bench.rig import Rig
from bench.stats import number, summarize
from tests.fakes.telegram import Record

FIRST_CHAT = 100_000
SETTLE = 0.02  # the turn ends with a question after the confirmation; let it go out


def _buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row if str(b.get("callback_data", "")).startswith("o:")]


async def _round(rig: Rig, options: Options, parallel: bool, chats: list[int]) -> list[float]:
    """Offer to each chat, then tap a different slot in each at once; tap->document times."""
    tg = rig.telegram
    rig.services.booking.parallel = parallel
    rig.set_latency(freebusy=0, zoom=0, insert=0)
    offered = [tg.expect_offer(chat) for chat in chats]
    for chat in chats:
        tg.push_command(chat, "/times", first_name="Booker")
    records = await asyncio.wait_for(asyncio.gather(*offered), options.reply_timeout)
    taps: list[tuple[int, int, str]] = []
    taken: set[str] = set()
    for chat, record in zip(chats, records, strict=True):
        label, data = next((b for b in _buttons(record) if b[0] not in taken), ("", ""))
        if data:
            taken.add(label)
            taps.append((chat, record["message_id"], data))
    rig.set_latency(freebusy=options.freebusy, zoom=options.zoom, insert=options.insert)
    documents = [tg.expect_document(chat) for chat, _, _ in taps]
    starts = []
    for chat, message_id, data in taps:
        starts.append(time.perf_counter())
        tg.push_callback(chat, data, message_id=message_id)
    arrived = await asyncio.gather(
        *(asyncio.wait_for(d, options.reply_timeout) for d in documents), return_exceptions=True)
    await asyncio.sleep(SETTLE)
    return [a - s if isinstance(a, float) else math.nan
            for a, s in zip(arrived, starts, strict=True)]


async def run(rig: Rig, options: Options) -> dict[str, Any]:
    """Book ``options.bookings`` times with each flow and compare them with the floor."""
    chats = itertools.count(FIRST_CHAT)
    # Warm-up, not measured: OAuth tokens, connections, first queries.
    await _round(rig, options, True, [next(chats)])
    samples: dict[bool, list[float]] = {False: [], True: []}
    per_round = options.booking_concurrency
    for n in range(math.ceil(options.bookings / per_round)):
        size = min(per_round, options.bookings - n * per_round)
        for parallel in ((False, True) if n % 2 == 0 else (True, False)):
            samples[parallel] += await _round(rig, options, parallel,
                                              [next(chats) for _ in range(size)])
    rig.services.booking.parallel = True
    sequential = summarize([s for s in samples[False] if not math.isnan(s)])
    ours = summarize([s for s in samples[True] if not math.isnan(s)])
    floor = options.booking_floor
    failed = sum(math.isnan(s) for s in samples[False] + samples[True])
    return {
        "bookings_per_flow": options.bookings,
        "concurrency": per_round,
        "failed": failed,
        "floor_ms": number(floor * 1000),
        "sequential_floor_ms": number(options.sequential_floor * 1000),
        "sequential_ms": sequential.as_dict(1000),
        "ours_ms": ours.as_dict(1000),
        "ratio_p50": _ratio(sequential.p50, ours.p50),
        "ratio_p95": _ratio(sequential.p95, ours.p95),
        "ours_over_floor_p50": _ratio(ours.p50, floor),
        "ours_over_floor_p95": _ratio(ours.p95, floor),
        "ours_overhead_ms": summarize([s - floor for s in samples[True]
                                       if not math.isnan(s)]).as_dict(1000),
        "sequential_overhead_ms": summarize([s - options.sequential_floor
                                             for s in samples[False]
                                             if not math.isnan(s)]).as_dict(1000),
    }


def _ratio(a: float, b: float) -> float | None:
    if b <= 0 or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)
