"""The lead, its agent and its last messages, read together in one trip (both engines)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import Agent, Role
from bot.observability.metrics import Metrics
from storage.db import Database
from storage.postgres.database import PostgresDatabase
from storage.store import Store
from tests.engines import location

pytestmark = pytest.mark.both_engines

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(location(tmp_path / "bot.sqlite3"), Metrics(), FixedClock(NOW))
    yield opened
    await opened.close()


def trips(store: Store) -> int:
    """Hops to SQLite's threads, or connections taken from PostgreSQL's pool, so far."""
    db = store.db
    assert isinstance(db, Database | PostgresDatabase)
    return db.trips if isinstance(db, Database) else db.acquires


async def _agent(store: Store) -> Agent:
    return await store.agents.add(Agent(
        id=0, name="Ana", telegram_id=900, calendar_id="ana@example.com",
        timezone="Europe/Berlin", working_hours="mon-fri 09:00-17:00"))


async def test_a_lead_with_an_agent_reads_as_the_three_reads_did(store: Store) -> None:
    agent = await _agent(store)
    lead = await store.leads.get_or_create(100, 100, "Lea")
    lead = await store.leads.update(lead.id, agent_id=agent.id, timezone="Europe/Lisbon")
    other = await store.leads.get_or_create(101, 101, "Otto")
    for i in range(20):
        await store.messages.add(lead.id, Role.USER if i % 2 else Role.ASSISTANT, f"line {i}")
        await store.messages.add(other.id, Role.USER, f"other {i}")

    read = await store.leads.with_history(lead.id, 15)

    assert read is not None
    assert read.lead == await store.leads.get(lead.id)
    assert read.agent == await store.agents.get(agent.id)
    assert read.history == await store.messages.last(lead.id, 15)
    # The newest 15 of the lead's own lines, oldest first.
    assert [m.content for m in read.history] == [f"line {i}" for i in range(5, 20)]


async def test_a_new_lead_without_an_agent_reads_with_no_agent_and_no_history(
        store: Store) -> None:
    lead = await store.leads.get_or_create(100, 100, None)

    read = await store.leads.with_history(lead.id, 15)

    assert read is not None
    assert read.lead == lead
    assert read.agent is None
    assert read.history == []


async def test_a_removed_agent_is_still_read_as_the_lead_s_agent(store: Store) -> None:
    agent = await _agent(store)
    lead = await store.leads.get_or_create(100, 100, "Lea")
    await store.leads.update(lead.id, agent_id=agent.id)
    await store.agents.remove(agent.id, NOW)

    read = await store.leads.with_history(lead.id)

    assert read is not None and read.agent is not None
    assert read.agent.id == agent.id and not read.agent.active


async def test_an_unknown_lead_reads_as_none(store: Store) -> None:
    assert await store.leads.with_history(12345) is None


async def test_the_lead_its_agent_and_its_history_take_one_trip(store: Store) -> None:
    agent = await _agent(store)
    lead = await store.leads.get_or_create(100, 100, "Lea")
    await store.leads.update(lead.id, agent_id=agent.id)
    for i in range(3):
        await store.messages.add(lead.id, Role.USER, f"line {i}", None)

    before = trips(store)
    await store.leads.get(lead.id)
    await store.agents.get(agent.id)
    await store.messages.last(lead.id, 15)
    separate = trips(store) - before

    before = trips(store)
    read = await store.leads.with_history(lead.id, 15)
    together = trips(store) - before

    assert read is not None and len(read.history) == 3
    assert (separate, together) == (3, 1)


async def test_the_line_stored_just_before_is_the_last_of_the_history(store: Store) -> None:
    lead = await store.leads.get_or_create(100, 100, "Lea")
    await store.messages.add(lead.id, Role.USER, "first")
    stored = await store.messages.add(lead.id, Role.USER, "just now")

    read = await store.leads.with_history(lead.id, 15)

    assert read is not None
    assert [m.content for m in read.history] == ["first", "just now"]
    assert read.history[-1] == stored
