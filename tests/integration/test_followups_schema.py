"""A database from before follow-ups gets the jobs, the outbox, the answers and the lead's
source in place, its rows kept, and the outbox's triggers fire on it from then on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.clock import FixedClock
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH
from storage.store import Store
from tests.world import MONDAY


def before_followups() -> str:
    """``schema.sql`` without what follow-ups added."""
    schema = SCHEMA_PATH.read_text()
    schema = schema[:schema.index("-- Stored jobs")] + schema[schema.index("-- The seed's"):]
    schema = schema[:schema.index("-- The next due job")]
    lines = [line for line in schema.splitlines()
             if line.split()[:1] != ["source"]]
    return "\n".join(lines)


async def test_an_older_database_gets_the_follow_up_tables_and_columns_and_keeps_its_leads(
        tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(before_followups())
        conn.execute("INSERT INTO leads (id, telegram_id, chat_id, name) VALUES (1, 5, 5, 'Ann')")
        conn.execute("PRAGMA user_version = 7")
    conn.close()
    store = await Store.open(path, Metrics(), FixedClock(MONDAY))
    try:
        lead = await store.leads.get(1)
        assert lead is not None and lead.name == "Ann"
        assert await store.privacy.set_source(1, "fb_spring")
        assert not await store.privacy.taken_over(1)
        newcomer = await store.leads.get_or_create(6, 6, "Bo")
        await store.jobs.plan(newcomer.id, 0, MONDAY)
        assert [j.lead_id for j in await store.jobs.claim_due(MONDAY)] == [newcomer.id]
        (event,) = await store.outbox.claim(MONDAY, MONDAY)
        assert (event.event, event.lead_id) == ("lead.created", newcomer.id)
    finally:
        await store.close()
