"""PostgreSQL itself: the schema's meaning (timestamptz, the exclusion constraint, the seed's
indexes), migrations applied in place (changed columns, CHECKs and indexes included), and a
server that cannot be used named in one line without its password."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.clock import FixedClock
from bot.config import Config
from bot.domain import Agent, AppointmentStatus, Interval, LeadStatus
from bot.errors import ConfigError, SlotTaken, StorageError
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH as SQLITE_SCHEMA
from storage.postgres.chats import ChatLocks
from storage.postgres.migrate import SCHEMA_PATH, migrate, statements
from storage.store import Store
from tests.e2e.harness import TOKEN
from tests.fakes.telegram import FakeTelegram

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
SEED_INDEXES = {"idx_appointments_lead_agent_status", "idx_leads_phone_status",
                "idx_messages_lead_created"}
STATUS_CHECK = "'cancelled', 'failed', 'no_show'"  # in the appointments' status CHECK


def slot(hour: int, minute: int = 0, minutes: int = 30) -> Interval:
    start = NOW.replace(hour=hour, minute=minute)
    return Interval(start, start + timedelta(minutes=minutes))


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(postgres_url, Metrics(), FixedClock(NOW))
    await opened.agents.add(Agent(id=0, name="Agent", telegram_id=900,
                                  calendar_id="a@example.com", timezone="UTC",
                                  working_hours="mon-fri 09:00-17:00"))
    await opened.leads.get_or_create(101, 101, "Lead")
    yield opened
    await opened.close()


async def connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url)


async def indexes(conn: asyncpg.Connection) -> dict[str, str]:
    rows = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes "
                            "WHERE schemaname = current_schema()")
    return {r["indexname"]: r["indexdef"] for r in rows}


# ----- the schema's meaning -------------------------------------------------------------------


async def test_times_are_timestamptz_and_read_back_as_the_same_instant(store: Store) -> None:
    held = await store.appointments.hold(1, 1, slot(9, 15), buffer=timedelta(0), now=NOW)
    assert (held.start, held.end) == (slot(9, 15).start, slot(9, 15).end)
    row = await store.db.fetchone(
        "SELECT pg_typeof(start_at)::text AS type, start_at, created_at FROM appointments")
    assert row is not None and row["type"] == "timestamp with time zone"
    assert row["start_at"] == "2027-03-01T09:15:00.000000Z"
    assert row["created_at"] == "2027-03-01T07:00:00.000000Z"  # the bot's clock, not the server's


async def test_the_exclusion_constraint_refuses_overlaps_even_via_raw_sql(store: Store) -> None:
    insert = ("INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status) "
              "VALUES (1, 1, ?, ?, ?)")
    await store.db.execute(insert, ("2027-03-01T10:00:00Z", "2027-03-01T11:00:00Z", "booked"))
    for start, end in (("2027-03-01T10:15:00Z", "2027-03-01T10:45:00Z"),   # inside
                       ("2027-03-01T09:30:00Z", "2027-03-01T10:30:00Z")):  # across the start
        for status in ("pending", "booked"):
            with pytest.raises(SlotTaken):
                await store.db.execute(insert, (start, end, status))
    # Touching is not overlapping; cancelled and failed rows hold no time.
    await store.db.execute(insert, ("2027-03-01T11:00:00Z", "2027-03-01T11:30:00Z", "booked"))
    await store.db.execute(insert, ("2027-03-01T10:15:00Z", "2027-03-01T10:45:00Z", "cancelled"))
    await store.db.execute(insert, ("2027-03-01T10:15:00Z", "2027-03-01T10:45:00Z", "failed"))
    booked = await store.appointments.by_status(AppointmentStatus.BOOKED)
    assert [a.start.hour * 60 + a.start.minute for a in booked] == [600, 660]


async def test_the_seeds_indexes_exist_by_name_with_the_overlap_constraint(
        store: Store, postgres_url: str) -> None:
    conn = await connect(postgres_url)
    try:
        found = await indexes(conn)
        constraint = await conn.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'appointments_no_overlap'")
    finally:
        await conn.close()
    assert set(found) >= SEED_INDEXES
    assert "ON public.messages USING btree (lead_id, created_at DESC)" in \
        found["idx_messages_lead_created"]
    assert constraint.startswith("EXCLUDE USING gist (agent_id WITH =, "
                                 "tstzrange(start_at, end_at, '[)'::text) WITH &&)"), constraint


async def test_hot_queries_use_the_seeds_indexes(store: Store, postgres_url: str) -> None:
    """With some thousands of rows and fresh statistics, the planner picks the seed's indexes."""
    conn = await connect(postgres_url)
    try:
        await conn.execute(
            "INSERT INTO leads (telegram_id, chat_id, phone_number, status) "
            "SELECT n, n, '+1415555' || lpad(n::text, 4, '0'), 'engaged' "
            "FROM generate_series(1000, 6000) n")
        await conn.execute(
            "INSERT INTO messages (lead_id, role, content, created_at) "
            "SELECT 1 + n % 50, 'user', 'hi', now() - n * interval '1 second' "
            "FROM generate_series(1, 50000) n")
        await conn.execute("ANALYZE")
        plans = {}
        for name, sql in {
            "idx_messages_lead_created": "SELECT * FROM messages WHERE lead_id = 7 "
                                         "ORDER BY created_at DESC LIMIT 15",
            "idx_leads_phone_status": "SELECT * FROM leads WHERE phone_number = '+14155551234' "
                                      "AND status = 'engaged'",
        }.items():
            rows = await conn.fetch("EXPLAIN " + sql)
            plans[name] = "\n".join(r[0] for r in rows)
    finally:
        await conn.close()
    for name, plan in plans.items():
        assert name in plan, plan
        assert "Sort" not in plan, plan


# ----- migrations in place --------------------------------------------------------------------


async def test_an_up_to_date_database_needs_no_step_and_opening_twice_is_harmless(
        store: Store, postgres_url: str) -> None:
    again = await Store.open(postgres_url, Metrics(), FixedClock(NOW))
    await again.close()
    conn = await connect(postgres_url)
    try:
        assert await migrate(conn) == []
    finally:
        await conn.close()


async def test_replicas_starting_at_once_migrate_one_after_the_other(postgres_url: str) -> None:
    opened = await asyncio.gather(*(Store.open(postgres_url, Metrics(), FixedClock(NOW))
                                    for _ in range(4)))
    for one in opened:
        await one.close()
    conn = await connect(postgres_url)
    try:
        assert set(await indexes(conn)) >= SEED_INDEXES
        assert await conn.fetchval("SELECT count(*) FROM pg_namespace "
                                   "WHERE nspname LIKE 'leadbot_%'") == 0  # no scratch left
    finally:
        await conn.close()


def older(schema: str) -> str:
    """An older schema: no lead_status_history table, no invite columns, a CHECK without
    'failed', an index on other columns, an index since removed, no overlap constraint, a
    narrower column and a column with another default and no NOT NULL; and from before the
    follow-ups: no events outbox, no event triggers or their functions, no lead source."""
    kept = [s for s in statements(schema) if not s.startswith(("CREATE FUNCTION",
                                                                "CREATE TRIGGER"))
            and "events_outbox" not in s]
    schema = ";\n".join(kept) + ";"
    schema, removed = re.subn(r"\n    source +TEXT, *", "", schema)
    assert removed == 1
    schema = schema.replace(
        "CREATE INDEX idx_leads_source_created ON leads(source, created_at);", "")
    history = schema.index("CREATE TABLE lead_status_history")
    schema = schema[:history] + schema[schema.index(");", history) + 2:]
    schema = schema.replace(
        "CREATE INDEX idx_lead_status_history_lead ON lead_status_history(lead_id, id);", "")
    for line in ("    invite_uid         TEXT,",
                 "    invite_sequence    INTEGER NOT NULL DEFAULT 0,"):
        assert line in schema
        schema = schema.replace(line, "")
    start = schema.index("    CONSTRAINT appointments_no_overlap")
    schema = schema[:start].rstrip().rstrip(",") + "\n" + schema[schema.index(");", start):]
    assert STATUS_CHECK in schema
    schema = schema.replace(STATUS_CHECK, "'cancelled', 'no_show'")
    schema = schema.replace("ON processed_updates(seen_at)", "ON processed_updates(update_id)")
    assert "telegram_message_id  BIGINT" in schema
    schema = schema.replace("telegram_message_id  BIGINT", "telegram_message_id  INTEGER")
    assert "status          TEXT    NOT NULL DEFAULT 'new'" in schema
    schema = schema.replace("status          TEXT    NOT NULL DEFAULT 'new'",
                            "status          TEXT    DEFAULT 'fresh'")
    return schema + "\nCREATE INDEX idx_messages_content ON messages(content);\n"


async def test_an_older_database_is_brought_up_to_date_in_place_keeping_its_rows(
        postgres_url: str) -> None:
    conn = await connect(postgres_url)
    try:
        await migrate(conn, older(SCHEMA_PATH.read_text()))
        await conn.execute("INSERT INTO agents (name, telegram_id, calendar_id, timezone) "
                           "VALUES ('Old', 900, 'a@example.com', 'UTC')")
        await conn.execute("INSERT INTO leads (telegram_id, chat_id, status) "
                           "VALUES (101, 101, 'engaged')")
        for hour in (9, 10):
            await conn.execute(
                "INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status) "
                "VALUES (1, 1, $1, $2, 'cancelled')", datetime(2027, 3, 1, hour, tzinfo=UTC),
                datetime(2027, 3, 1, hour, 30, tzinfo=UTC))
        await conn.execute("INSERT INTO processed_updates (update_id) VALUES (77)")
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("UPDATE appointments SET status = 'failed' WHERE id = 1")
        steps = await migrate(conn)
        assert steps, "the older schema needed changes"
        # A changed CHECK really applies: 'failed' is now accepted.
        await conn.execute("UPDATE appointments SET status = 'failed' WHERE id = 1")
        columns = {r[0] for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            "'appointments'")}
        assert {"invite_uid", "invite_sequence"} <= columns
        assert await conn.fetchval("SELECT invite_sequence FROM appointments WHERE id = 2") == 0
        kinds = {r[0]: tuple(r[1:]) for r in await conn.fetch(
            "SELECT column_name, data_type, column_default, is_nullable FROM "
            "information_schema.columns WHERE column_name IN ('telegram_message_id', 'status') "
            "AND table_name IN ('messages', 'leads')")}
        assert kinds["telegram_message_id"][0] == "bigint"
        assert kinds["status"] == ("text", "'new'::text", "NO")
        found = await indexes(conn)
        assert "(seen_at)" in found["idx_processed_updates_seen"]  # a changed index is rebuilt
        assert "idx_messages_content" not in found                  # a removed one is gone
        assert "idx_lead_status_history_lead" in found              # a new table's index too
        assert await conn.fetchval("SELECT count(*) FROM appointments") == 2
        assert await conn.fetchval("SELECT name FROM agents") == "Old"
        assert await conn.fetchval("SELECT update_id FROM processed_updates") == 77
        # The outbox, its triggers and their functions arrived: a change writes its event.
        assert await conn.fetchval("SELECT count(*) FROM events_outbox") == 0
        await conn.execute("INSERT INTO leads (telegram_id, chat_id, source) "
                           "VALUES (102, 102, 'ad')")
        assert [tuple(r) for r in await conn.fetch(
            "SELECT event, lead_id FROM events_outbox")] == [("lead.created", 2)]
        assert await migrate(conn) == []
    finally:
        await conn.close()
    migrated = await Store.open(postgres_url, Metrics(), FixedClock(NOW))
    try:
        await migrated.leads.update(1, status=LeadStatus.QUALIFIED)  # into the new table
        assert [s for s, _ in await migrated.leads.status_history(1)] == [LeadStatus.QUALIFIED]
        held = await migrated.appointments.hold(1, 1, slot(13), buffer=timedelta(0))
        await migrated.appointments.mark_booked(held.id)
        with pytest.raises(SlotTaken):  # the overlap constraint arrived with the migration
            await migrated.db.execute(
                "INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status) "
                "VALUES (1, 1, '2027-03-01T13:15:00Z', '2027-03-01T13:45:00Z', 'booked')")
    finally:
        await migrated.close()


async def test_a_migration_that_cannot_apply_changes_nothing(postgres_url: str) -> None:
    """A tighter CHECK that existing rows break fails the whole migration, leaving the
    database as it was (one transaction)."""
    conn = await connect(postgres_url)
    try:
        await migrate(conn)
        await conn.execute("INSERT INTO agents (name, telegram_id, calendar_id, timezone) "
                           "VALUES ('A', 900, 'a@example.com', 'UTC')")
        tighter = SCHEMA_PATH.read_text().replace(
            "    telegram_id     BIGINT  NOT NULL UNIQUE,          -- also",
            "    telegram_id     BIGINT  NOT NULL UNIQUE CHECK (telegram_id > 1000),  -- also")
        tighter += "\nCREATE INDEX idx_agents_name ON agents(name);\n"
        with pytest.raises(asyncpg.CheckViolationError):
            await migrate(conn, tighter)
        assert "idx_agents_name" not in await indexes(conn)
        assert await migrate(conn) == []
    finally:
        await conn.close()


# ----- configuration and a server that cannot be used -----------------------------------------


def test_database_url_must_name_a_postgresql_server_and_database() -> None:
    for bad in ("mysql://u@h/db", "postgresql://", "postgresql://host", "postgresql://h:x/db"):
        with pytest.raises(ConfigError, match=r"^DATABASE_URL: "):
            Config.from_env({"DATABASE_URL": bad})
    url = "postgresql://bot:s3cret-pw@db.internal:5432/leads"
    config = Config.from_env({"DATABASE_URL": url})
    assert config.database == url
    assert "s3cret-pw" not in repr(config) and "s3cret-pw" in config.secrets


async def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(StorageError) as raised:
        await Store.open("postgresql://bot:s3cret-pw@127.0.0.1:1/leads", Metrics(),
                         FixedClock(NOW))
    assert str(raised.value).startswith("DATABASE_URL: cannot use 127.0.0.1:1/leads: ")
    assert "s3cret-pw" not in str(raised.value)


@pytest.mark.parametrize("command", [("agents", "list"), ("run",)], ids=["agents-list", "run"])
async def test_the_cli_on_an_unreachable_server_says_so_in_one_line_and_exits_1(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    async with FakeTelegram(token=TOKEN) as telegram:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *command, cwd=tmp_path,
            env=keep | {"PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
                        "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
                        "DATABASE_URL": "postgresql://bot:s3cret-pw@127.0.0.1:1/leads"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await asyncio.wait_for(child.communicate(), 60)
        assert not telegram.calls("getUpdates"), "it must stop before polling"
    lines = out.decode().strip().splitlines()
    assert child.returncode == 1, lines
    assert len(lines) == 1 and lines[0].startswith("error: DATABASE_URL: cannot use "), lines
    assert "s3cret-pw" not in lines[0]



# ----- replicas that all take updates: one chat at a time -------------------------------------


async def test_a_chat_one_replica_handles_waits_on_the_other_while_other_chats_do_not(
        postgres_url: str) -> None:
    one, two = ChatLocks(postgres_url), ChatLocks(postgres_url)
    entered: list[str] = []

    async def handle(locks: ChatLocks, chat: int) -> None:
        async with locks.chat(chat):
            entered.append(f"two:{chat}")

    try:
        async with one.chat(-1001234567890):  # a supergroup's id, beyond 32 bits
            waiting = asyncio.create_task(handle(two, -1001234567890))
            await asyncio.wait_for(handle(two, 42), 10)  # another chat is not held up
            assert not waiting.done()  # its first try came before chat 42's, and failed
            entered.append("one done")
        await asyncio.wait_for(waiting, 10)
        assert entered == ["two:42", "one done", "two:-1001234567890"]
        # A replica that dies lets its chats go with its connection.
        async with one.chat(7):
            await one.close()
            await asyncio.wait_for(handle(two, 7), 10)
    finally:
        await one.close()
        await two.close()


async def test_both_engines_have_the_same_tables_and_columns(store: Store,
                                                             postgres_url: str) -> None:
    """schema.sql and schema.postgres.sql are kept by hand: a column one of them lacks would
    fail only on that engine, at the first statement that names it."""
    lite = sqlite3.connect(":memory:")
    try:
        lite.executescript(SQLITE_SCHEMA.read_text())
        tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        expected = {t: {r[1] for r in lite.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        lite.close()
    conn = await connect(postgres_url)
    try:
        rows = await conn.fetch("SELECT table_name, column_name FROM information_schema.columns "
                                "WHERE table_schema = current_schema()")
    finally:
        await conn.close()
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["table_name"], set()).add(row["column_name"])
    assert {t: found.get(t) for t in expected} == expected
