"""Stored nudges on a real SQLite file and on PostgreSQL: two processes on one database never
claim one twice, a claim a dead process left is released, and a lead has one open nudge at a
time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FixedClock
from bot.observability.metrics import Metrics
from storage.store import Store
from tests.engines import location

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


async def test_two_processes_claiming_at_once_get_each_due_nudge_exactly_once(
        tmp_path: Path) -> None:
    path = location(tmp_path / "bot.sqlite3")
    first = await Store.open(path, Metrics(), FixedClock(NOW))
    second = await Store.open(path, Metrics(), FixedClock(NOW))
    try:
        for n in range(40):
            lead = await first.leads.get_or_create(100 + n, 100 + n, None)
            await first.jobs.plan(lead.id, 0, NOW - timedelta(minutes=n % 5))
        claimed: list[int] = []
        for _ in range(5):
            a, b = await asyncio.gather(first.jobs.claim_due(NOW, limit=7),
                                        second.jobs.claim_due(NOW, limit=7))
            claimed += [j.id for j in a] + [j.id for j in b]
        assert len(claimed) == 40 and len(set(claimed)) == 40
        assert await first.jobs.claim_due(NOW) == [] and await second.jobs.claim_due(NOW) == []
    finally:
        await first.close()
        await second.close()


async def test_a_nudge_not_yet_due_is_not_claimed_and_a_new_plan_replaces_the_open_one(
        tmp_path: Path) -> None:
    store = await Store.open(location(tmp_path / "bot.sqlite3"), Metrics(), FixedClock(NOW))
    try:
        lead = await store.leads.get_or_create(1, 1, None)
        await store.jobs.plan(lead.id, 0, NOW + timedelta(hours=1))
        later = await store.jobs.plan(lead.id, 1, NOW + timedelta(hours=2))
        assert await store.jobs.open_for(lead.id) == later
        assert await store.jobs.claim_due(NOW + timedelta(minutes=90)) == []
        assert [j.step for j in await store.jobs.claim_due(NOW + timedelta(hours=2))] == [1]
    finally:
        await store.close()


async def test_a_claim_left_by_a_process_that_died_is_released_after_ten_minutes(
        tmp_path: Path) -> None:
    store = await Store.open(location(tmp_path / "bot.sqlite3"), Metrics(), FixedClock(NOW))
    try:
        lead = await store.leads.get_or_create(1, 1, None)
        await store.jobs.plan(lead.id, 0, NOW)
        (job,) = await store.jobs.claim_due(NOW)
        assert await store.jobs.release_stale(NOW - timedelta(minutes=10)) == 0
        assert await store.jobs.release_stale(NOW + timedelta(minutes=1)) == 1
        assert [j.id for j in await store.jobs.claim_due(NOW)] == [job.id]
    finally:
        await store.close()
