"""Storage on real SQLite files: set-up, migration of an old database, indexes, repositories."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FixedClock
from bot.domain import (
    Agent,
    AppointmentStatus,
    Awaiting,
    HoldRules,
    Interval,
    Lead,
    LeadStatus,
    Role,
)
from bot.errors import SlotTaken
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_VERSION
from storage.sql import INTEGRITY_ERRORS
from storage.store import Store
from tests.engines import location

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SEED_INDEXES = {"idx_appointments_lead_agent_status", "idx_leads_phone_status",
                "idx_messages_lead_created"}
TABLES = {"agents", "leads", "messages", "appointments", "slot_offers", "processed_updates"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def store(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Store]:
    opened = await Store.open(location(tmp_path / "data" / "bot.sqlite3"), Metrics(), clock)
    yield opened
    await opened.close()


async def add_agent(store: Store, telegram_id: int = 900) -> Agent:
    return await store.agents.add(Agent(
        id=0, name=f"Agent {telegram_id}", telegram_id=telegram_id, calendar_id="a@example.com",
        timezone="Europe/Berlin", working_hours="mon-fri 09:00-17:00"))


async def add_lead(store: Store, telegram_id: int = 100) -> Lead:
    return await store.leads.get_or_create(telegram_id, telegram_id, f"Lead {telegram_id}")


def slot(hour: int, minute: int = 0, minutes: int = 30) -> Interval:
    start = datetime(2027, 3, 2, hour, minute, tzinfo=UTC)
    return Interval(start, start + timedelta(minutes=minutes))


def read(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for looking at the file from outside the app."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    return conn


# ----- set-up ---------------------------------------------------------------------------------


@pytest.mark.sqlite_only
async def test_a_new_database_gets_the_whole_schema_wal_and_foreign_keys(store: Store) -> None:
    path = store.db.path
    with read(path) as conn:
        names = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert names >= TABLES | SEED_INDEXES
    async with store.db.reader.execute("PRAGMA foreign_keys") as cursor:
        row = await cursor.fetchone()
    assert row is not None and row[0] == 1
    # Foreign keys are enforced, not just declared.
    with pytest.raises(sqlite3.IntegrityError):
        await store.messages.add(lead_id=12345, role=Role.USER, content="orphan")


@pytest.mark.sqlite_only
async def test_the_database_file_is_readable_by_its_owner_only(store: Store) -> None:
    await add_lead(store)  # makes SQLite write the WAL and shared-memory files too
    files = [p for p in store.db.path.parent.iterdir() if p.name.startswith("bot.sqlite3")]
    # Phone numbers and chats sit in the WAL too, so it must be as private as the database.
    assert {p.name for p in files} == {"bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_every_query_is_timed_as_db_time(tmp_path: Path, clock: FixedClock) -> None:
    metrics = Metrics()
    opened = await Store.open(location(tmp_path / "t.sqlite3"), metrics, clock)
    try:
        before = metrics.summary("db").count
        lead = await add_lead(opened)
        await opened.messages.add(lead.id, Role.USER, "hello")
        await opened.messages.last(lead.id)
        assert metrics.summary("db").count >= before + 3
    finally:
        await opened.close()


# ----- the hot queries use the seed's indexes -------------------------------------------------


@contextmanager
def plans_of(path: Path) -> Iterator[Callable[[str], str]]:
    """EXPLAIN QUERY PLAN, as one text, of a statement on the database file."""
    conn = sqlite3.connect(path)

    def plan(sql: str) -> str:
        return "\n".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))

    try:
        yield plan
    finally:
        conn.close()


async def traced(store: Store) -> list[str]:
    """Collect every statement the repositories run, with its parameters filled in.

    The SQL is taken from the running repositories rather than copied into this file, so the
    plans checked below are those of the queries the bot really sends.
    """
    statements: list[str] = []
    await store.db.reader.set_trace_callback(statements.append)
    await store.db.writer.set_trace_callback(statements.append)
    return statements


def one(statements: list[str], prefix: str) -> str:
    found = [s for s in statements if s.startswith(prefix)]
    assert len(found) == 1, (prefix, statements)
    return found[0]


@pytest.mark.sqlite_only  # PostgreSQL's plans: tests/integration/test_postgres.py
async def test_hot_queries_use_the_seeds_indexes(store: Store) -> None:
    agent, lead = await add_agent(store), await add_lead(store)
    for i in range(30):
        await store.messages.add(lead.id, Role.USER if i % 2 else Role.ASSISTANT, f"m{i}")
    appointment = await store.appointments.hold(lead.id, agent.id, slot(9), buffer=timedelta(0))
    await store.appointments.mark_booked(appointment.id)
    await store.leads.update(lead.id, phone_number="+14155550100", status=LeadStatus.ENGAGED)

    statements = await traced(store)
    await store.messages.last(lead.id, 15)
    await store.leads.by_phone("+14155550100", LeadStatus.ENGAGED)
    await store.appointments.for_lead(lead.id, agent.id, AppointmentStatus.BOOKED)
    await store.appointments.upcoming_for_lead(lead.id, NOW)
    await store.appointments.hold(lead.id, agent.id, slot(11), buffer=timedelta(minutes=10),
                                  rules=HoldRules(max_per_day=8, day=Interval(NOW, NOW + DAY)))

    with plans_of(store.db.path) as plan:
        last = plan(one(statements, "SELECT * FROM messages WHERE lead_id"))
        assert "USING INDEX idx_messages_lead_created" in last, last
        assert "TEMP B-TREE" not in last, last  # the index gives the order: no sort

        by_phone = plan(one(statements, "SELECT * FROM leads WHERE phone_number"))
        assert "USING INDEX idx_leads_phone_status (phone_number=? AND status=?)" in by_phone

        for_lead = plan(one(statements, "SELECT * FROM appointments WHERE lead_id = 1 AND agent"))
        assert ("USING INDEX idx_appointments_lead_agent_status "
                "(lead_id=? AND agent_id=? AND status=?)") in for_lead, for_lead

        upcoming = plan(one(statements, "SELECT * FROM appointments WHERE lead_id = 1 AND stat"))
        assert "USING INDEX idx_appointments_lead_agent_status" in upcoming, upcoming

        # The overlap and the day's count are checked inside the hold's one INSERT statement.
        hold = plan(one(statements, "INSERT INTO appointments"))
        assert hold.count("INDEX idx_appointments_agent_status_start (agent_id=?") == 2, hold
        assert "SCAN appointments" not in hold, hold


# ----- messages -------------------------------------------------------------------------------


async def test_messages_in_the_same_microsecond_keep_their_order(store: Store) -> None:
    lead, other = await add_lead(store, 1), await add_lead(store, 2)
    for i in range(40):  # the clock never moves
        await store.messages.add(lead.id, Role.USER if i % 2 else Role.ASSISTANT, f"#{i}")
        await store.messages.add(other.id, Role.USER, f"other {i}")
    last = await store.messages.last(lead.id, 15)
    assert [m.content for m in last] == [f"#{i}" for i in range(25, 40)]
    assert [m.role for m in last[:2]] == [Role.USER, Role.ASSISTANT]
    everything = await store.messages.last(lead.id, 100)
    assert [m.content for m in everything] == [f"#{i}" for i in range(40)]
    assert await store.messages.count(lead.id) == 40


async def test_a_clock_that_steps_back_does_not_reorder_history(
    store: Store, clock: FixedClock,
) -> None:
    lead = await add_lead(store)
    await store.messages.add(lead.id, Role.USER, "before")
    clock.set(NOW - timedelta(hours=1))  # e.g. NTP correcting the wall clock
    await store.messages.add(lead.id, Role.ASSISTANT, "after")
    assert [m.content for m in await store.messages.last(lead.id)] == ["before", "after"]


async def test_an_edited_message_keeps_its_row_and_takes_the_new_text(store: Store) -> None:
    lead = await store.leads.get_or_create(1, 1, "Ann")
    await store.messages.add(lead.id, Role.USER, "tomorow at 3", telegram_message_id=7)
    await store.messages.add(lead.id, Role.ASSISTANT, "Here are some times")
    before = await store.messages.edit(lead.id, 7, "tomorrow at 3")
    assert before is not None and before.content == "tomorow at 3"
    history = await store.messages.last(lead.id)
    assert [(m.content, m.telegram_message_id) for m in history] == [
        ("tomorrow at 3", 7), ("Here are some times", None)]
    assert await store.messages.edit(lead.id, 8, "never sent") is None
    other = await store.leads.get_or_create(2, 2, "Bob")
    assert await store.messages.edit(other.id, 7, "not his") is None


async def test_the_lead_s_language_and_an_assumed_zone_are_stored(store: Store) -> None:
    lead = await store.leads.get_or_create(1, 1, "Ann")
    assert lead.language is None and not lead.timezone_assumed
    lead = await store.leads.update(lead.id, language="pt-br", timezone="UTC",
                                    timezone_assumed=True)
    assert (lead.language, lead.timezone, lead.timezone_assumed) == ("pt-br", "UTC", True)


# ----- appointments ---------------------------------------------------------------------------


async def test_hold_refuses_an_overlap_and_allows_adjacent_slots(store: Store) -> None:
    agent, other_agent = await add_agent(store, 1), await add_agent(store, 2)
    lead = await add_lead(store)
    no_buffer = timedelta(0)
    held = await store.appointments.hold(lead.id, agent.id, slot(10), buffer=no_buffer)
    assert held.status == AppointmentStatus.PENDING and held.start == slot(10).start

    for clash in (slot(10), slot(10, 15), slot(9, 45), slot(9, 30, minutes=120)):
        with pytest.raises(SlotTaken):
            await store.appointments.hold(lead.id, agent.id, clash, buffer=no_buffer)
    # The same instant written in another zone is the same slot.
    berlin = slot(10).start.astimezone(ZoneInfo("Europe/Berlin"))
    with pytest.raises(SlotTaken):
        await store.appointments.hold(lead.id, agent.id,
                                      Interval(berlin, berlin + timedelta(minutes=30)),
                                      buffer=no_buffer)

    await store.appointments.hold(lead.id, agent.id, slot(9, 30), buffer=no_buffer)
    await store.appointments.hold(lead.id, agent.id, slot(10, 30), buffer=no_buffer)
    await store.appointments.hold(lead.id, other_agent.id, slot(10), buffer=no_buffer)
    active = await store.appointments.active_between([agent.id], slot(9).start, slot(12).start)
    assert [a.start.hour * 60 + a.start.minute for a in active] == [570, 600, 630]


async def test_hold_keeps_the_buffer_around_existing_meetings(store: Store) -> None:
    agent, lead = await add_agent(store), await add_lead(store)
    buffer = timedelta(minutes=15)
    await store.appointments.hold(lead.id, agent.id, slot(10), buffer=buffer)  # 10:00-10:30
    for too_close in (slot(10, 30), slot(10, 40), slot(9, 20)):
        with pytest.raises(SlotTaken):
            await store.appointments.hold(lead.id, agent.id, too_close, buffer=buffer)
    await store.appointments.hold(lead.id, agent.id, slot(10, 45), buffer=buffer)
    await store.appointments.hold(lead.id, agent.id, slot(9, 15), buffer=buffer)


async def test_thirty_leads_tapping_one_slot_at_once_give_one_booking(store: Store) -> None:
    agent = await add_agent(store)
    leads = [await add_lead(store, 1000 + i) for i in range(30)]
    results = await asyncio.gather(
        *(store.appointments.hold(lead.id, agent.id, slot(14), buffer=timedelta(0))
          for lead in leads), return_exceptions=True)
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert len(losers) == 29 and all(isinstance(r, SlotTaken) for r in losers), losers
    assert len(await store.appointments.active_between([agent.id], slot(14).start,
                                                       slot(14).end)) == 1


async def test_two_processes_holding_one_slot_give_one_booking(
    store: Store, clock: FixedClock, tmp_path: Path,
) -> None:
    agent, lead = await add_agent(store), await add_lead(store)
    # e.g. the CLI next to the bot, or a second replica
    second = await Store.open(location(tmp_path / "data" / "bot.sqlite3"), Metrics(), clock)
    try:
        results = await asyncio.gather(
            *(s.appointments.hold(lead.id, agent.id, slot(15), buffer=timedelta(0))
              for _ in range(10) for s in (store, second)), return_exceptions=True)
    finally:
        await second.close()
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, SlotTaken) for r in results if isinstance(r, BaseException))


async def test_the_unique_index_refuses_two_active_appointments_even_via_raw_sql(
    store: Store,
) -> None:
    agent, lead = await add_agent(store), await add_lead(store)
    insert = ("INSERT INTO appointments (lead_id, agent_id, start_at, end_at, status) "
              "VALUES (?, ?, '2027-03-02T10:00:00.000000Z', '2027-03-02T10:30:00.000000Z', ?)")
    await store.db.execute(insert, (lead.id, agent.id, "booked"))
    for status in ("pending", "booked"):
        with pytest.raises((*INTEGRITY_ERRORS, SlotTaken)):
            await store.db.execute(insert, (lead.id, agent.id, status))
    # Cancelled and failed rows do not hold the time.
    await store.db.execute(insert, (lead.id, agent.id, "cancelled"))
    await store.db.execute(insert, (lead.id, agent.id, "cancelled"))
    await store.db.execute(insert, (lead.id, agent.id, "failed"))


async def test_a_cancelled_appointment_frees_its_slot(store: Store) -> None:
    agent = await add_agent(store)
    first, second = await add_lead(store, 1), await add_lead(store, 2)
    held = await store.appointments.hold(first.id, agent.id, slot(16), buffer=timedelta(0))
    assert await store.appointments.mark_booked(held.id)
    with pytest.raises(SlotTaken):
        await store.appointments.hold(second.id, agent.id, slot(16), buffer=timedelta(0))
    assert await store.appointments.mark_cancelled(held.id)
    assert not await store.appointments.mark_cancelled(held.id)  # only once
    assert not await store.appointments.mark_booked(held.id)  # a cancelled hold stays cancelled
    again = await store.appointments.hold(second.id, agent.id, slot(16), buffer=timedelta(0))
    assert again.lead_id == second.id


# ----- offers, updates, leads -----------------------------------------------------------------


async def test_new_offers_retire_the_previous_ones_and_each_is_used_once(
    store: Store, clock: FixedClock,
) -> None:
    agent, lead, other = await add_agent(store), await add_lead(store, 1), await add_lead(store, 2)
    expires = NOW + timedelta(minutes=30)
    first = await store.offers.replace(lead.id, [(agent.id, slot(h)) for h in (9, 10, 11)],
                                       now=NOW, expires_at=expires)
    kept = await store.offers.replace(other.id, [(agent.id, slot(9))], now=NOW, expires_at=expires)
    assert [o.start.hour for o in first] == [9, 10, 11]
    assert len({o.token for o in first}) == 3

    clock.set(NOW + timedelta(minutes=1))
    later = clock.now()
    second = await store.offers.replace(lead.id, [(agent.id, slot(h)) for h in (13, 14)],
                                        now=later, expires_at=later + timedelta(minutes=30))
    assert [o.start.hour for o in await store.offers.open_for_lead(lead.id, later)] == [13, 14]
    for old in first:
        retired = await store.offers.by_token(old.token)
        assert retired is not None and retired.expires_at <= later
    assert [o.id for o in await store.offers.open_for_lead(other.id, later)] == [kept[0].id]

    assert await store.offers.use(second[0].id, later)
    assert not await store.offers.use(second[0].id, later)  # a double tap books once
    used = await store.offers.by_token(second[0].token)
    assert used is not None and used.used_at == later
    assert await store.offers.by_token("forged-token") is None


async def test_an_update_id_is_claimed_once(store: Store) -> None:
    assert await store.updates.claim(1001)
    assert not await store.updates.claim(1001)
    assert await store.updates.claim(1002)
    results = await asyncio.gather(*(store.updates.claim(2000) for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]


async def test_lead_update_rejects_unknown_fields_and_changes_nothing(store: Store) -> None:
    lead = await add_lead(store)
    for bad in ({"telegram_id": 5}, {"id": 9}, {"name = 'x', status": "new"},
                {"name": "Ok", "created_at": "2020-01-01"}):
        with pytest.raises(ValueError, match="not updatable"):
            await store.leads.update(lead.id, **bad)
    assert await store.leads.get(lead.id) == lead
    changed = await store.leads.update(lead.id, name="Ann", status=LeadStatus.QUALIFIED,
                                       email="ann@example.com", awaiting="phone")
    assert (changed.name, changed.status, changed.email) == ("Ann", LeadStatus.QUALIFIED,
                                                           "ann@example.com")
    stored = await store.leads.get(lead.id)
    assert stored is not None and stored.awaiting is Awaiting.PHONE


async def test_get_or_create_returns_the_same_lead_for_the_same_user(store: Store) -> None:
    results = await asyncio.gather(*(store.leads.get_or_create(42, 42, "Zed") for _ in range(5)))
    assert len({lead.id for lead in results}) == 1
    assert results[0].status == LeadStatus.NEW and results[0].created_at is not None


async def test_update_ids_seen_over_a_week_ago_are_pruned_and_newer_ones_kept(
    store: Store, clock: FixedClock,
) -> None:
    assert await store.updates.claim(1) and await store.updates.claim(2)
    clock.set(NOW + timedelta(days=8))
    assert await store.updates.claim(3)
    assert await store.updates.prune(clock.now() - timedelta(days=7)) == 2
    assert not await store.updates.claim(3), "a recent id is still known"
    assert await store.updates.claim(1), "an old id is forgotten"
    assert await store.updates.prune(clock.now() - timedelta(days=7)) == 0
    rows = await store.db.fetchall("SELECT update_id, seen_at FROM processed_updates")
    stamps = {r[0]: r[1] for r in rows}
    assert stamps == {1: "2027-03-09T12:00:00.000000Z", 3: "2027-03-09T12:00:00.000000Z"}


async def test_a_lead_status_change_joins_the_history_once(store: Store) -> None:
    lead = await store.leads.get_or_create(4242, 4242, "Hist")
    await store.leads.update(lead.id, status=LeadStatus.ENGAGED)
    await store.leads.update(lead.id, status=LeadStatus.ENGAGED, name="Hist Again")
    await store.leads.update(lead.id, status=LeadStatus.BOOKED)
    assert [s for s, _ in await store.leads.status_history(lead.id)] == [
        LeadStatus.ENGAGED, LeadStatus.BOOKED]


async def test_a_status_an_older_version_stored_reads_as_engaged(store: Store) -> None:
    lead = await store.leads.get_or_create(4343, 4343, "Old")
    await store.db.execute("UPDATE leads SET status = 'offered' WHERE id = ?", (lead.id,))
    found = await store.leads.get(lead.id)
    assert found is not None and found.status is LeadStatus.ENGAGED
