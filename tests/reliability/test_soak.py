"""Soak: 500 simulated leads for SOAK_SECONDS (default 300) against the Google and Zoom fakes with
about 1% of requests failing. Excluded by default; ``make soak`` runs it.

Afterwards every inbound message is stored, every turn got a reply, no two bookings overlap,
nothing is left live in Zoom or the calendar (after the start-up reconcile that pays any
clean-up an injected fault deferred), and memory stayed flat.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.conversation.service import CANCEL_PREFIX, Sender
from bot.domain import AppointmentStatus, Role
from tests.reliability.helpers import appointments, fault_world
from tests.world import CALENDAR, World

LEADS = 500
FAULT_RATE = 0.01
RSS_GROWTH_MB = 64
SAYINGS = ("show me times", "hello", "can we talk tomorrow afternoon?", "what about friday?",
           "thanks!")


def rss_mb() -> float:
    """Resident memory of this process (bot and fakes), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@dataclass
class Tally:
    turns: int = 0
    unanswered: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    by_lead: Counter[int] = field(default_factory=Counter)


async def lead_loop(w: World, n: int, until: float, tally: Tally, rng: random.Random) -> None:
    """One lead, one turn at a time (as the per-chat ordering of the adapter guarantees)."""
    lead = Sender(50_000 + n, 50_000 + n, f"Soak{n}")
    buttons: list[str] = []
    conversation = w.services.conversation
    while time.monotonic() < until:
        offers = [b for b in buttons if b.startswith("o:")]
        cancels = [b for b in buttons if b.startswith(CANCEL_PREFIX)]
        roll = rng.random()
        try:
            if cancels and roll < 0.7:
                replies = await conversation.tap(lead, rng.choice(cancels))
            elif offers and roll < 0.6:
                replies = await conversation.tap(lead, rng.choice(offers))
            elif roll < 0.1:
                replies = await conversation.command(lead, "cancel")
            elif roll < 0.15:
                replies = await conversation.text(lead, "can we reschedule?")
            else:
                replies = await conversation.text(lead, rng.choice(SAYINGS))
        except Exception as err:  # any exception is a failed turn: counted, then reported
            tally.errors[type(err).__name__] += 1
            if len(tally.tracebacks) < 3:
                tally.tracebacks.append(traceback.format_exc())
            replies = []
        tally.turns += 1
        tally.by_lead[n] += 1
        if not replies:
            tally.unanswered.append(f"lead {n}")
        buttons = [b.data for m in replies for row in m.buttons for b in row]
        await asyncio.sleep(rng.uniform(0.05, 1.0))


async def inject_faults(w: World, stop: asyncio.Event, rng: random.Random) -> int:
    """About one injected failure per 100 requests to the fakes; returns how many."""
    injected, seen = 0, 0
    faults = (
        lambda: w.zoom.fail("/users/me/meetings", 500),
        lambda: w.zoom.fail("/meetings/", 503),
        lambda: w.zoom.fail("/users/me/meetings", 429, retry_after=1),
        lambda: w.google.fail("/freeBusy", 503),
        lambda: w.google.fail(f"/calendars/{CALENDAR}/events", 500),
        lambda: w.google.hang_after_insert(1),
    )
    while not stop.is_set():
        await asyncio.sleep(0.05)
        total = len(w.zoom.requests) + len(w.google.requests)
        while total - seen >= 1 / FAULT_RATE:
            seen += int(1 / FAULT_RATE)
            rng.choice(faults)()
            injected += 1
        # The fakes' own records are test scaffolding: keep them from growing for hours.
        if total > 20_000:
            w.zoom.requests.clear()
            w.google.requests.clear()
            seen -= total
            events = w.google.events[CALENDAR]
            for key in [k for k, e in events.items() if e["status"] == "cancelled"]:
                del events[key]
    return injected


@pytest.mark.soak
async def test_soak(tmp_path: Path) -> None:
    seconds = float(os.environ.get("SOAK_SECONDS", "300"))
    rng = random.Random(8)
    async with fault_world(tmp_path, zoom_timeout=2.0, google_timeout=2.0,
                           retry_backoff=0.05) as w:
        tally = Tally()
        stop = asyncio.Event()
        injector = asyncio.create_task(inject_faults(w, stop, rng))
        started = time.monotonic()
        end = started + seconds
        leads = [asyncio.create_task(lead_loop(w, n, end, tally, random.Random(n)))
                 for n in range(LEADS)]
        await asyncio.sleep(min(seconds * 0.2, 60))
        rss_warm = rss_mb()
        await asyncio.gather(*leads)
        elapsed = time.monotonic() - started
        stop.set()
        injected = await injector
        rss_end = rss_mb()
        w.zoom.clear_faults()
        w.google.clear_faults()
        await w.services.booking.reconcile()  # what the next start-up does: settle, then sweep
        await w.services.booking.sweep()

        stored = await w.services.store.db.fetchall(
            "SELECT count(*) FROM messages WHERE role = ?", (Role.USER.value,))
        all_rows = await appointments(w)
        booked = [a for a in all_rows if a.status is AppointmentStatus.BOOKED]
        ordered = sorted(booked, key=lambda a: a.start)
        overlaps = [(a.id, b.id) for a, b in itertools.pairwise(ordered)
                    if b.start < a.end]
        live_events = {k for k, e in w.google.events[CALENDAR].items()
                       if e["status"] != "cancelled"}
        print(f"\nsoak: {elapsed:.0f} s, {LEADS} leads, {tally.turns} turns "
              f"({tally.turns / elapsed:.0f}/s), {injected} faults injected, "
              f"appointments {Counter(a.status.value for a in all_rows)}, "
              f"booked now {len(booked)}, rss {rss_warm:.0f} -> {rss_end:.0f} MB, "
              f"errors {dict(tally.errors)}, booking p95 "
              f"{w.services.metrics.summary('booking.service').p95 * 1000:.0f} ms")
        assert not tally.errors, "\n".join(tally.tracebacks)
        assert not tally.unanswered, tally.unanswered[:10]
        assert len(tally.by_lead) == LEADS, "every lead had turns"
        assert stored[0][0] == tally.turns, "every inbound message is stored"
        assert not overlaps, overlaps
        assert not [a for a in all_rows if a.status is AppointmentStatus.PENDING]
        assert set(w.zoom.meetings) == {a.meeting_id for a in booked}
        assert live_events == {a.calendar_event_id for a in booked}
        assert rss_end - rss_warm < RSS_GROWTH_MB, (rss_warm, rss_end)
