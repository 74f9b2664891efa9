"""The team's columns and statuses on a real SQLite file, and on a database made before them:
the migration brings ``taken_over_by``, the agent's role, the no-show and held statuses and the
days away in place, every row kept."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import Agent, AppointmentStatus, Interval, Role
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH, SCHEMA_VERSION
from storage.store import Store

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def older_schema() -> str:
    """Today's schema as it was before the team's controls."""
    schema = SCHEMA_PATH.read_text().split("-- An agent's leads (/leads)")[0]
    # The CRM events came later still: their table and triggers (which name no-shows) go too.
    before, _, rest = schema.partition("-- Events for the CRM webhook")
    schema = before + rest[rest.index("-- The seed's indexes, by name."):]
    for new in ("    away_from       TEXT,", "    away_until      TEXT,",
                "    taken_over_by   INTEGER REFERENCES agents(id),"):
        schema = "\n".join(line for line in schema.splitlines() if not line.startswith(new))
    schema = schema.replace("'user', 'assistant', 'agent'", "'user', 'assistant'")
    schema = schema.replace("'failed', 'no_show',\n                                         'held'",
                            "'failed'")
    assert "no_show" not in schema and "taken_over_by" not in schema
    return schema


@pytest.mark.sqlite_only
async def test_an_older_database_takes_the_team_columns_and_statuses(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(older_schema())
        conn.execute("INSERT INTO agents (id, name, telegram_id, calendar_id, timezone) "
                     "VALUES (1, 'Alice', 777, 'a@example.com', 'Europe/Berlin')")
        conn.execute("INSERT INTO leads (id, telegram_id, chat_id, name) VALUES (1, 50, 50, 'Jo')")
        conn.execute("INSERT INTO appointments (id, lead_id, agent_id, start_at, end_at, status) "
                     "VALUES (1, 1, 1, '2026-12-07T09:00:00.000000Z', "
                     "'2026-12-07T09:30:00.000000Z', 'booked')")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.close()
    store = await Store.open(path, Metrics(), FixedClock(NOW))
    try:
        lead = await store.leads.update(1, taken_over_by=1)
        assert lead.taken_over_by == 1 and lead.name == "Jo"
        assert [x.id for x in await store.leads.taken_over(1)] == [1]
        said = await store.messages.add(1, Role.AGENT, "hello from Alice")
        assert (await store.messages.last(1))[-1] == said
        assert await store.appointments.mark_no_show(1)
        assert (await store.appointments.get(1)).status is AppointmentStatus.NO_SHOW  # type: ignore[union-attr]
        agent = await store.agents.update(1, away_from=date(2026, 12, 24),
                                          away_until=date(2027, 1, 2))
        assert agent.away == Interval(datetime(2026, 12, 23, 23, 0, tzinfo=UTC),
                                      datetime(2027, 1, 2, 23, 0, tzinfo=UTC))
    finally:
        await store.close()


async def test_booked_meetings_an_hour_past_their_end_become_held_once(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "bot.sqlite3", Metrics(), FixedClock(NOW))
    try:
        agent = await store.agents.add(Agent(0, "Alice", 777, "a@example.com", "UTC",
                                             "mon-fri 09:00-17:00"))
        lead = await store.leads.get_or_create(50, 50, "Jo")
        slot = Interval(NOW - timedelta(hours=3), NOW - timedelta(hours=2, minutes=30))
        held = await store.appointments.hold(lead.id, agent.id, slot, buffer=timedelta(0))
        assert await store.appointments.mark_booked(held.id)
        later = await store.appointments.hold(lead.id, agent.id,
                                              Interval(NOW, NOW + timedelta(minutes=30)),
                                              buffer=timedelta(0))
        assert await store.appointments.mark_booked(later.id)
        changed = await store.appointments.mark_held(NOW - timedelta(hours=1))
        assert [a.id for a in changed] == [held.id]
        assert await store.appointments.mark_held(NOW - timedelta(hours=1)) == []
        assert (await store.appointments.get(later.id)).status is AppointmentStatus.BOOKED  # type: ignore[union-attr]
        assert (await store.appointments.get(held.id)).status is AppointmentStatus.HELD  # type: ignore[union-attr]
    finally:
        await store.close()
