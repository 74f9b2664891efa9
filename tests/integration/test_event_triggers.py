"""The schema's event triggers write the same outbox rows on both engines, in the transaction of
the change; on PostgreSQL a changed, new or removed trigger or trigger function reaches an
existing database in place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.clock import FixedClock
from bot.observability.metrics import Metrics
from storage.postgres.migrate import SCHEMA_PATH, migrate, statements
from storage.store import Store
from tests.engines import location

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
HOLD = ("INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status, replaces) "
        "VALUES (?, 1, ?, ?, 'pending', ?)")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(location(tmp_path / "bot.sqlite3"), Metrics(), FixedClock(NOW))
    await opened.db.execute("INSERT INTO agents (name, telegram_id, calendar_id, timezone) "
                            "VALUES ('Agent', 900, 'a@example.com', 'UTC')")
    yield opened
    await opened.close()


async def events(store: Store) -> list[tuple[str, int | None, int | None]]:
    rows = await store.db.fetchall(
        "SELECT event, lead_id, appointment_id FROM events_outbox ORDER BY id")
    return [(r["event"], r["lead_id"], r["appointment_id"]) for r in rows]


async def status(store: Store, appointment_id: int, value: str) -> None:
    await store.db.execute("UPDATE appointments SET status = ? WHERE id = ?",
                           (value, appointment_id))


async def test_each_change_writes_its_event_row_and_nothing_else_does(store: Store) -> None:
    lead, _ = await store.db.execute("INSERT INTO leads (telegram_id, chat_id) VALUES (7, 7)")
    assert await events(store) == [("lead.created", lead, None)]
    for value in ("engaged", "qualified", "booked", "opted_out"):
        await store.db.execute("INSERT INTO lead_status_history (lead_id, status) VALUES (?, ?)",
                               (lead, value))
    assert (await events(store))[1:] == [("lead.qualified", lead, None),
                                         ("lead.opted_out", lead, None)]

    first, _ = await store.db.execute(HOLD, (lead, "2027-03-02T10:00:00.000000Z",
                                             "2027-03-02T10:30:00.000000Z", None))
    await status(store, first, "booked")
    await status(store, first, "booked")  # no change of status: no second event
    # A move: its successor is booked, then the meeting it replaces is cancelled.
    moved, _ = await store.db.execute(HOLD, (lead, "2027-03-03T10:00:00.000000Z",
                                             "2027-03-03T10:30:00.000000Z", first))
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE appointments SET status = 'booked' WHERE id = ?", (moved,))
        await tx.execute("UPDATE appointments SET status = 'cancelled' WHERE id = ?", (first,))
    await status(store, moved, "no_show")
    await status(store, moved, "no_show")
    third, _ = await store.db.execute(HOLD, (lead, "2027-03-04T10:00:00.000000Z",
                                             "2027-03-04T10:30:00.000000Z", None))
    await status(store, third, "failed")  # never booked: no event
    fourth, _ = await store.db.execute(HOLD, (lead, "2027-03-05T10:00:00.000000Z",
                                              "2027-03-05T10:30:00.000000Z", None))
    await status(store, fourth, "booked")
    await status(store, fourth, "cancelled")
    assert (await events(store))[3:] == [
        ("booking.created", lead, first), ("booking.rescheduled", lead, moved),
        ("booking.no_show", lead, moved), ("booking.created", lead, fourth),
        ("booking.cancelled", lead, fourth)]
    rows = await store.db.fetchall("SELECT event_id, occurred_at, attempts FROM events_outbox")
    assert len({r["event_id"] for r in rows}) == len(rows) == 8
    assert all(len(r["event_id"]) == 32 and int(r["event_id"], 16) >= 0 for r in rows)
    assert all(r["attempts"] == 0 and r["occurred_at"].endswith("Z") for r in rows)


async def test_a_change_rolled_back_leaves_no_event(store: Store) -> None:
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute("INSERT INTO leads (telegram_id, chat_id) VALUES (8, 8)")
            raise RuntimeError("the turn failed")
    assert await events(store) == []


def test_a_dollar_quoted_body_is_one_statement() -> None:
    parts = statements("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                       "BEGIN\n  INSERT INTO t VALUES (';'); -- a comment; with a semicolon\n"
                       "  RETURN NULL;\nEND $$;\nCREATE TABLE t (x TEXT); -- done")
    assert parts == ["CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
                     "  INSERT INTO t VALUES (';'); -- a comment; with a semicolon\n"
                     "  RETURN NULL;\nEND $$", "CREATE TABLE t (x TEXT)"]


@pytest.mark.postgres_only
async def test_changed_new_and_removed_triggers_and_functions_apply_in_place(
        postgres_url: str) -> None:
    today = SCHEMA_PATH.read_text()
    conn = await asyncpg.connect(postgres_url)
    try:
        # An older file: lead.created named otherwise, no no-show trigger, a trigger since gone.
        old = today.replace("VALUES ('lead.created', NEW.id)", "VALUES ('lead.new', NEW.id)")
        old = old.replace("FOR EACH ROW WHEN (NEW.status IN ('qualified', 'opted_out'))",
                          "FOR EACH ROW WHEN (NEW.status IN ('qualified'))")
        start = old.index("CREATE TRIGGER events_booking_no_show")
        old = old[:start] + old[old.index(";", start) + 1:]
        old += ("\nCREATE TRIGGER events_lead_updated AFTER UPDATE ON leads\n"
                "    FOR EACH ROW EXECUTE FUNCTION events_lead_created();\n")
        await migrate(conn, old)
        await conn.execute("INSERT INTO leads (telegram_id, chat_id) VALUES (1, 1)")
        assert await conn.fetchval("SELECT event FROM events_outbox") == "lead.new"

        steps = await migrate(conn)
        assert any(s.startswith("CREATE OR REPLACE FUNCTION events_lead_created()")
                   for s in steps)
        assert "DROP TRIGGER \"events_lead_updated\" ON \"leads\"" in steps
        assert await migrate(conn) == []
        await conn.execute("DELETE FROM events_outbox")
        await conn.execute("INSERT INTO leads (telegram_id, chat_id) VALUES (2, 2)")
        await conn.execute("UPDATE leads SET name = 'Ann'")
        await conn.execute("INSERT INTO lead_status_history (lead_id, status) "
                           "VALUES (1, 'opted_out')")
        assert [r[0] for r in await conn.fetch("SELECT event FROM events_outbox ORDER BY id")
                ] == ["lead.created", "lead.opted_out"]
        await conn.execute("INSERT INTO agents (name, telegram_id, calendar_id, timezone) "
                           "VALUES ('A', 9, 'a@example.com', 'UTC')")
        await conn.execute("INSERT INTO appointments (lead_id, agent_id, start_at, end_at, "
                           "status) VALUES (1, 1, now(), now() + interval '1 hour', 'booked')")
        await conn.execute("UPDATE appointments SET status = 'no_show'")
        assert await conn.fetchval("SELECT event FROM events_outbox ORDER BY id DESC LIMIT 1"
                                   ) == "booking.no_show"
    finally:
        await conn.close()
