"""Migrations on real SQLite files: an older database is brought up to schema.sql in place."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import CLEANUP, Agent, AppointmentStatus, Interval, LeadStatus, Move
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH, SCHEMA_VERSION
from storage.store import Store

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SEED_INDEXES = {"idx_appointments_lead_agent_status", "idx_leads_phone_status",
                "idx_messages_lead_created"}
TABLES = {"agents", "leads", "messages", "appointments", "slot_offers", "processed_updates"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def read(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for looking at the file from outside the app."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


def slot(hour: int) -> Interval:
    start = datetime(2027, 3, 2, hour, tzinfo=UTC)
    return Interval(start, start + timedelta(minutes=30))


async def add_agent(store: Store) -> Agent:
    return await store.agents.add(Agent(
        id=0, name="Agent", telegram_id=900, calendar_id="a@example.com",
        timezone="Europe/Berlin", working_hours="mon-fri 09:00-17:00"))


OLD_SCHEMA = """
CREATE TABLE leads (
    id            INTEGER PRIMARY KEY,
    telegram_id   INTEGER NOT NULL UNIQUE,
    chat_id       INTEGER NOT NULL,
    name          TEXT,
    phone_number  TEXT,
    status        TEXT NOT NULL DEFAULT 'new'
);
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads(id),
    role        TEXT NOT NULL,
    content     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
"""


def make_old_database(path: Path) -> None:
    """A 'user_version 0' database from before this schema, with rows in it."""
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
        conn.executemany(
            "INSERT INTO leads (id, telegram_id, chat_id, name, phone_number, status) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(1, 501, 501, "Ann", "+14155550100", "new"),
             (2, 502, 502, "Bo", "+442071838750", "booked"),
             (3, 503, 503, None, None, "qualifying")])
        conn.executemany(
            "INSERT INTO messages (lead_id, role, content, created_at) VALUES (?, ?, ?, ?)",
            [(1 + i % 3, "user" if i % 2 else "assistant", f"line {i}",
              f"2026-01-01T10:00:{i:02d}.000000Z") for i in range(20)])
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()


def snapshot(path: Path) -> dict[str, object]:
    with read(path) as conn:
        result = {
            "schema": sorted(tuple(r) for r in conn.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY name")),
            "leads": [tuple(r) for r in conn.execute("SELECT * FROM leads ORDER BY id")],
            "messages": [tuple(r) for r in conn.execute("SELECT * FROM messages ORDER BY id")],
            "version": conn.execute("PRAGMA user_version").fetchone()[0],
        }
    conn.close()
    return result


async def test_an_old_database_is_migrated_in_place_without_losing_rows(
    tmp_path: Path, clock: FixedClock,
) -> None:
    path = tmp_path / "old.sqlite3"
    make_old_database(path)

    migrated = await Store.open(path, Metrics(), clock)
    await migrated.close()

    with read(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert names >= TABLES | SEED_INDEXES
        leads = [dict(r) for r in conn.execute("SELECT * FROM leads ORDER BY id")]
        assert [(r["id"], r["telegram_id"], r["name"], r["phone_number"], r["status"])
                for r in leads] == [(1, 501, "Ann", "+14155550100", "new"),
                                    (2, 502, "Bo", "+442071838750", "booked"),
                                    (3, 503, None, None, "engaged")]
        for row in leads:
            assert row["email"] is None and row["awaiting"] is None and row["agent_id"] is None
            assert row["created_at"] and row["updated_at"], row
        messages = [dict(r) for r in conn.execute("SELECT * FROM messages ORDER BY id")]
        assert [m["content"] for m in messages] == [f"line {i}" for i in range(20)]
        assert all(m["telegram_message_id"] is None for m in messages)
    conn.close()

    # The migrated file works through the repositories as a new one would.
    again = await Store.open(path, Metrics(), clock)
    try:
        ann = await again.leads.get(1)
        assert ann is not None and ann.name == "Ann" and ann.created_at is not None
        history = await again.messages.last(1, 15)
        assert [m.content for m in history] == [f"line {i}" for i in range(0, 20, 3)]
        (bo,) = await again.leads.by_phone("+442071838750", LeadStatus.BOOKED)
        assert bo.id == 2
        newcomer = await again.leads.get_or_create(777, 777, "Lead 777")
        assert newcomer.created_at is not None, (
            "a lead created after migration has no created_at: ALTER TABLE added the column "
            "without its DEFAULT (strftime(...now)), so new rows get NULL")
        agent = await add_agent(again)
        await again.appointments.hold(1, agent.id, slot(10), buffer=timedelta(0))
    finally:
        await again.close()


async def test_opening_a_current_database_again_changes_nothing(
    tmp_path: Path, clock: FixedClock,
) -> None:
    path = tmp_path / "old.sqlite3"
    make_old_database(path)
    first = await Store.open(path, Metrics(), clock)  # migrates
    await first.close()
    before = snapshot(path)
    for _ in range(2):
        again = await Store.open(path, Metrics(), clock)
        await again.close()
        assert snapshot(path) == before


def make_version_2_database(path: Path) -> None:
    """The schema as it was before update ids carried ``seen_at``, with ids in it."""
    schema = SCHEMA_PATH.read_text()
    schema = schema.replace("seen_at ", "processed_at ")
    schema = schema[:schema.index("-- Pruning the update ids")]
    assert "seen_at" not in schema
    with sqlite3.connect(path) as conn:
        conn.executescript(schema)
        conn.executemany("INSERT INTO processed_updates (update_id) VALUES (?)", [(7,), (8,)])
        conn.execute("PRAGMA user_version = 2")
    conn.close()


async def test_an_old_database_gets_seen_at_and_its_ids_are_pruned_a_week_later(
    tmp_path: Path, clock: FixedClock,
) -> None:
    path = tmp_path / "v2.sqlite3"
    make_version_2_database(path)
    migrated = await Store.open(path, Metrics(), clock)
    try:
        with read(path) as conn:
            columns = {r["name"] for r in conn.execute("PRAGMA table_info(processed_updates)")}
            old = [r["seen_at"] for r in conn.execute("SELECT seen_at FROM processed_updates")]
            indexes = {r["name"] for r in conn.execute("PRAGMA index_list(processed_updates)")}
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        conn.close()
        assert "seen_at" in columns and "idx_processed_updates_seen" in indexes
        assert len(old) == 2 and all(old), "ids already there are stamped by the migration"
        assert not await migrated.updates.claim(7), "ids seen before the upgrade stay known"
        # Stamped at migration time (the wall clock): gone once a week has passed after it.
        clock.set(datetime.now(UTC) + timedelta(days=8))
        assert await migrated.updates.claim(9)
        assert await migrated.updates.prune(clock.now() - timedelta(days=7)) == 2
        assert await migrated.updates.claim(7) and not await migrated.updates.claim(9)
    finally:
        await migrated.close()


async def test_a_version_3_database_gets_what_moves_invites_and_short_reminders_need(
    tmp_path: Path, clock: FixedClock,
) -> None:
    """An appointment table from before moves recorded what they replace is extended in place;
    its booked meeting can then be moved, and the move books in one step."""
    added = ("reminded_10m_at", "replaces", "invite_uid", "invite_sequence")
    lines = SCHEMA_PATH.read_text().splitlines()
    old = "\n".join(line for line in lines if line.split()[:1] not in ([c] for c in added))
    path = tmp_path / "v3.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(old.replace("updated_at         TEXT    NOT NULL DEFAULT "
                                       "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n);",
                                       "updated_at TEXT NOT NULL DEFAULT "
                                       "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"))
        have = {r[1] for r in conn.execute("PRAGMA table_info(appointments)")}
        assert not have & set(added), have
        conn.execute("INSERT INTO agents (id, name, telegram_id, calendar_id, timezone) "
                     "VALUES (1, 'Agent', 900, 'a@example.com', 'UTC')")
        conn.execute("INSERT INTO leads (id, telegram_id, chat_id) VALUES (1, 501, 501)")
        conn.execute("INSERT INTO appointments (id, lead_id, agent_id, start_at, end_at, status, "
                     "meeting_id) VALUES (1, 1, 1, '2027-03-02T10:00:00.000000Z', "
                     "'2027-03-02T10:30:00.000000Z', 'booked', 'm1')")
        conn.execute("PRAGMA user_version = 3")
    conn.close()

    store = await Store.open(path, Metrics(), clock)
    try:
        booked = await store.appointments.get(1)
        assert booked is not None and booked.replaces is None
        assert booked.invite_uid is None and booked.invite_sequence == 0
        assert await store.appointments.reminder_sent(1, "10m")
        moved = await store.appointments.hold(
            1, 1, slot(11), buffer=timedelta(0), now=NOW,
            move=Move(booked.id, "uid-1@leadbot", booked.invite_sequence + 1))
        assert moved.replaces == 1 and moved.invite_sequence == 1
        assert await store.appointments.mark_booked(moved.id)
        old = await store.appointments.get(1)
        assert old is not None and old.status is AppointmentStatus.CANCELLED
        assert old.failure_reason == CLEANUP
    finally:
        await store.close()
