"""Another connection holding SQLite's write lock: the bot's writes wait and succeed."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from bot.domain import AppointmentStatus, Role
from tests.reliability.helpers import appointments, fault_world, offer_taps, texts
from tests.world import World

HOLD = 0.5


def hold_write_lock(path: Path, locked: threading.Event, seconds: float) -> None:
    """What the CLI or a backup script does: one write transaction held for a while."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE agents SET name = name")
        locked.set()
        time.sleep(seconds)
        conn.execute("COMMIT")
    finally:
        conn.close()


async def with_lock_held(w: World, seconds: float = HOLD) -> threading.Thread:
    """Start holding the write lock in another thread; return once it is held."""
    locked = threading.Event()
    thread = threading.Thread(target=hold_write_lock,
                              args=(w.config.database_path, locked, seconds), daemon=True)
    thread.start()
    assert await asyncio.to_thread(locked.wait, 5)
    return thread


async def test_messages_written_while_another_process_holds_the_lock_are_all_stored(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        thread = await with_lock_held(w)
        started = time.perf_counter()
        replies = await asyncio.gather(*(w.services.conversation.text(w.lead(n), f"hello {n}")
                                         for n in range(1, 6)))
        waited = time.perf_counter() - started
        await asyncio.to_thread(thread.join, 5)
        assert waited >= HOLD * 0.8, "the writes really waited for the lock"
        assert all(texts(r) for r in replies)
        for n in range(1, 6):
            stored = await w.services.store.leads.by_telegram_id(1000 + n)
            assert stored is not None
            history = await w.services.store.messages.last(stored.id)
            assert [m.content for m in history if m.role is Role.USER] == [f"hello {n}"]
            assert [m.content for m in history if m.role is Role.ASSISTANT] == \
                [m.text for m in replies[n - 1]]
        assert w.orphans() == (0, 0)


async def test_a_booking_during_a_held_lock_completes(tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        offers = await w.services.conversation.text(w.lead(1), "show me times")
        thread = await with_lock_held(w)
        replies = await w.services.conversation.tap(w.lead(1), offer_taps(offers)[0])
        await asyncio.to_thread(thread.join, 5)
        assert "You're booked" in texts(replies)
        assert [a.status for a in await appointments(w)] == [AppointmentStatus.BOOKED]
        assert w.orphans() == (1, 1)


async def test_a_write_is_seen_by_the_next_read_while_other_reads_overlap(
        tmp_path: Path) -> None:
    """Read-your-writes on the separate reader connection, under a steady stream of reads."""
    async with fault_world(tmp_path) as w:
        store = w.services.store

        async def keep_reading() -> None:
            for _ in range(100):
                await store.db.fetchall("SELECT * FROM leads")

        async def new_lead(n: int) -> int:
            lead = await store.leads.get_or_create(20_000 + n, 20_000 + n, f"New{n}")
            return lead.telegram_id

        results = await asyncio.gather(*(keep_reading() for _ in range(5)),
                                       *(new_lead(n) for n in range(200)),
                                       return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        assert not failures, f"{len(failures)} reads missed the row just written"
        assert results[5:] == [20_000 + n for n in range(200)]
