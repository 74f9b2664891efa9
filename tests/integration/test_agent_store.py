"""Agents on a real SQLite file: edit, deactivate, remove (refused while meetings are upcoming),
and an older database's demo agent marked console-only by the migration."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import Agent, Interval
from bot.errors import DomainError, NotFound
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH
from storage.store import Store
from tests.engines import location

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(location(tmp_path / "bot.sqlite3"), Metrics(), FixedClock(NOW))
    yield opened
    await opened.close()


def agent(telegram_id: int = 900, **changes: object) -> Agent:
    values: dict[str, object] = dict(
        id=0, name=f"Agent {telegram_id}", telegram_id=telegram_id, calendar_id="a@example.com",
        timezone="Europe/Berlin", working_hours="mon-fri 09:00-17:00")
    return Agent(**(values | changes))  # type: ignore[arg-type]


async def test_update_sets_the_fields_given_and_refuses_the_telegram_id(store: Store) -> None:
    added = await store.agents.add(agent(max_per_day=3))
    changed = await store.agents.update(added.id, name="Dana", horizon_days=30,
                                        max_per_day=None, active=False)
    assert changed == replace(added, name="Dana", horizon_days=30, max_per_day=None,
                              active=False)
    with pytest.raises(ValueError, match="telegram_id"):
        await store.agents.update(added.id, telegram_id=5)
    with pytest.raises(NotFound, match="no agent with id 99"):
        await store.agents.update(99, name="X")


async def test_remove_is_refused_while_a_meeting_is_upcoming_and_done_after(
    store: Store,
) -> None:
    added = await store.agents.add(agent())
    lead = await store.leads.get_or_create(100, 100, "Lead")
    start = NOW + timedelta(days=1)
    held = await store.appointments.hold(lead.id, added.id,
                                         Interval(start, start + timedelta(minutes=30)),
                                         buffer=timedelta(0))
    assert await store.agents.remove(added.id, NOW) == (start,)
    assert [a.id for a in await store.agents.list()] == [added.id]

    # Once the meeting has ended (or was cancelled) the agent can go; its row stays for history.
    assert await store.agents.remove(added.id, start + timedelta(hours=1)) == ()
    assert await store.agents.list() == []
    kept = await store.agents.get(added.id)
    assert kept is not None and not kept.active
    assert (await store.appointments.get(held.id)) is not None
    with pytest.raises(NotFound):
        await store.agents.remove(added.id, NOW)
    with pytest.raises(NotFound):
        await store.agents.update(added.id, active=True)

    # The same Telegram id again brings the row back with the new details.
    again = await store.agents.add(agent(name="Back", calendar_id="b@example.com"))
    assert again.id == added.id and again.name == "Back" and again.active
    with pytest.raises(DomainError, match="900 already exists"):
        await store.agents.add(agent())


async def test_a_removal_and_a_hold_at_once_never_leave_a_meeting_with_a_removed_agent(
    store: Store,
) -> None:
    added = await store.agents.add(agent())
    lead = await store.leads.get_or_create(100, 100, "Lead")
    start = NOW + timedelta(days=1)
    removed, _ = await asyncio.gather(
        store.agents.remove(added.id, NOW),
        store.appointments.hold(lead.id, added.id, Interval(start, start + timedelta(hours=1)),
                                buffer=timedelta(0)))
    # Either the hold came first and the removal was refused, or the removal came first.
    assert removed == (start,) or await store.agents.list() == []


@pytest.mark.sqlite_only  # no PostgreSQL database predates console_only
async def test_an_older_databases_demo_agent_becomes_console_only(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    schema = SCHEMA_PATH.read_text()
    schema = schema.replace("    console_only    INTEGER NOT NULL DEFAULT 0,       "
                            "-- the console's demo agent\n", "")
    schema = schema.replace("    removed_at      TEXT,                             "
                            "-- `agents remove`: kept for its history\n", "")
    assert "console_only" not in schema and "removed_at" not in schema
    with sqlite3.connect(path) as conn:
        conn.executescript(schema)
        conn.executemany(
            "INSERT INTO agents (name, telegram_id, calendar_id, timezone) VALUES (?, ?, ?, ?)",
            [("Alex (demo agent)", 2, "demo@local", "UTC"), ("Real", 900, "r@x.org", "UTC")])
        conn.execute("PRAGMA user_version = 3")
    conn.close()

    migrated = await Store.open(path, Metrics(), FixedClock(NOW))
    try:
        demo, real = await migrated.agents.list()
        assert demo.console_only and not real.console_only
        # Marked once: an operator who later makes it serve Telegram is not overruled.
        await migrated.agents.update(demo.id, console_only=False)
    finally:
        await migrated.close()
    again = await Store.open(path, Metrics(), FixedClock(NOW))
    try:
        assert not (await again.agents.list())[0].console_only
    finally:
        await again.close()
