"""A lead's line and the claim of the update it came in are one write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import Role
from bot.observability.metrics import Metrics
from storage.store import Store
from tests.world import MONDAY


async def _store(tmp_path: Path) -> Store:
    return await Store.open(tmp_path / "bot.sqlite3", Metrics(), FixedClock(MONDAY))


async def test_a_redelivered_update_stores_its_line_once(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        lead = await store.leads.get_or_create(5001, 5001, "Ann")
        first = await store.messages.add_inbound(lead.id, "hello", 11, update_id=900)
        again = await store.messages.add_inbound(lead.id, "hello", 11, update_id=900)
        assert first is not None and first.role is Role.USER and first.content == "hello"
        assert again is None
        assert [m.content for m in await store.messages.last(lead.id)] == ["hello"]
        assert not await store.updates.claim(900)  # the claim is the same one
    finally:
        await store.close()


async def test_an_update_claimed_before_stores_nothing(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        lead = await store.leads.get_or_create(5002, 5002, "Bo")
        assert await store.updates.claim(901)
        assert await store.messages.add_inbound(lead.id, "hi", 12, update_id=901) is None
        assert await store.messages.count(lead.id) == 0
    finally:
        await store.close()


async def test_a_failed_line_leaves_the_update_unclaimed(tmp_path: Path) -> None:
    """One transaction: when the line cannot be stored, the claim is rolled back with it, so
    Telegram's redelivery is handled."""
    store = await _store(tmp_path)
    try:
        with pytest.raises(sqlite3.IntegrityError):  # no such lead: the foreign key refuses
            await store.messages.add_inbound(999_999, "orphan", 13, update_id=902)
        assert await store.updates.claim(902)
    finally:
        await store.close()
