"""Leads: the people who chat with the bot."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Awaiting, Lead, LeadStatus
from bot.errors import require
from bot.pipeline import LEGACY
from bot.ports import LeadTurn
from storage import agents, messages
from storage.db import Database, from_db, opt_from_db
from storage.postgres.database import PostgresDatabase
from storage.sql import Row, SqlDatabase, Statements

_BY_ID = "SELECT * FROM leads WHERE id = ?"
_UPDATABLE = frozenset({"name", "phone_number", "email", "timezone", "status", "agent_id",
                        "notes", "awaiting", "chat_id", "language", "timezone_assumed",
                        "taken_over_by"})


def _lead(row: Row) -> Lead:
    return Lead(id=row["id"], telegram_id=row["telegram_id"], chat_id=row["chat_id"],
                name=row["name"], phone_number=row["phone_number"], email=row["email"],
                timezone=row["timezone"], status=_status(row["status"]),
                agent_id=row["agent_id"], notes=row["notes"],
                created_at=opt_from_db(row["created_at"]),
                updated_at=opt_from_db(row["updated_at"]), awaiting=_awaiting(row["awaiting"]),
                language=row["language"], timezone_assumed=bool(row["timezone_assumed"]),
                taken_over_by=row["taken_over_by"])


_Rows = tuple[Row, Row | None, Sequence[Row]]


async def _read(db: Statements, lead_id: int, limit: int) -> _Rows | None:
    """``with_history``'s statements, one after another on ``db``."""
    lead = await db.fetchone(_BY_ID, (lead_id,))
    if lead is None:
        return None
    agent_id = lead["agent_id"]
    agent = None if agent_id is None else await db.fetchone(agents.BY_ID, (agent_id,))
    return lead, agent, await db.fetchall(messages.LAST, (lead_id, limit))


def _status(value: str) -> LeadStatus:
    """The stored status, an older version's name read as today's."""
    return LEGACY.get(value) or LeadStatus(value)


def _awaiting(value: str | None) -> Awaiting | None:
    """The stored question; one this version no longer asks reads as none."""
    try:
        return Awaiting(value) if value else None
    except ValueError:
        return None


class LeadRepository:
    """Reads and writes leads; the conversation is the one writer of a lead's state."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def get_or_create(self, telegram_id: int, chat_id: int, name: str | None,
                            language: str | None = None) -> Lead:
        """The lead of a Telegram user, created on first contact (with ``language``)."""
        row = await self._db.fetchone("SELECT * FROM leads WHERE telegram_id = ?", (telegram_id,))
        if row is not None:
            return _lead(row)

        def create(conn: sqlite3.Connection) -> sqlite3.Row | None:
            # The new row comes back from the same trip: no second read.
            return conn.execute(  # type: ignore[no-any-return]
                insert + " RETURNING *", (telegram_id, chat_id, name, language)).fetchone()

        insert = ("INSERT INTO leads (telegram_id, chat_id, name, language) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT(telegram_id) DO NOTHING")
        created: Row | None = None
        if isinstance(self._db, Database):
            created = await self._db.write(create)
        else:
            await self._db.execute(insert, (telegram_id, chat_id, name, language))
        if created is not None:
            return _lead(created)
        return require(await self.by_telegram_id(telegram_id), "lead")

    async def get(self, lead_id: int) -> Lead | None:
        row = await self._db.fetchone(_BY_ID, (lead_id,))
        return _lead(row) if row else None

    async def with_history(self, lead_id: int, limit: int = 15) -> LeadTurn | None:
        """The lead, its agent and its last ``limit`` messages, read in one trip: one hop to
        SQLite's reader thread (one snapshot), or one pooled PostgreSQL connection."""
        def read(conn: sqlite3.Connection) -> _Rows | None:
            lead = conn.execute(_BY_ID, (lead_id,)).fetchone()
            if lead is None:
                return None
            agent_id = lead["agent_id"]
            agent = None if agent_id is None else conn.execute(agents.BY_ID,
                                                               (agent_id,)).fetchone()
            return lead, agent, conn.execute(messages.LAST, (lead_id, limit)).fetchall()

        found: _Rows | None
        if isinstance(self._db, Database):
            found = await self._db.read(read)
        elif isinstance(self._db, PostgresDatabase):
            async with self._db.reading() as one:
                found = await _read(one, lead_id, limit)
        else:
            found = await _read(self._db, lead_id, limit)
        if found is None:
            return None
        lead, agent, history = found
        return LeadTurn(_lead(lead), agents.agent_of(agent) if agent else None,
                        [messages.message_of(r) for r in reversed(history)])

    async def by_telegram_id(self, telegram_id: int) -> Lead | None:
        row = await self._db.fetchone("SELECT * FROM leads WHERE telegram_id = ?", (telegram_id,))
        return _lead(row) if row else None

    async def by_phone(self, phone_number: str, status: LeadStatus | None = None) -> list[Lead]:
        """Leads with this E.164 number, optionally of one status."""
        if status is None:
            rows = await self._db.fetchall("SELECT * FROM leads WHERE phone_number = ?",
                                           (phone_number,))
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM leads WHERE phone_number = ? AND status = ?",
                (phone_number, status.value))
        return [_lead(r) for r in rows]

    async def update(self, lead_id: int, **fields: Any) -> Lead:
        """Set the given fields and return the lead as stored."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        if fields:
            sets = ", ".join(f"{k} = :{k}" for k in fields)
            params = {**{k: getattr(v, "value", v) for k, v in fields.items()}, "id": lead_id}
            async with self._db.transaction() as tx:
                if "status" in fields:
                    # A change of status joins the history in the same transaction.
                    await tx.execute(
                        "INSERT INTO lead_status_history (lead_id, status) SELECT id, :status "
                        "FROM leads WHERE id = :id AND status != :status", params)
                await tx.execute(
                    f"UPDATE leads SET {sets}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ',"
                    "'now') WHERE id = :id", params)
        return require(await self.get(lead_id), "lead")

    async def for_agent(self, agent_id: int | None, *, unassigned: bool = False,
                        limit: int = 500) -> list[Lead]:
        """An agent's leads (None: everyone's), most recently active first; ``unassigned``
        adds the leads no agent has yet."""
        if agent_id is None:
            rows = await self._db.fetchall(
                "SELECT * FROM leads ORDER BY updated_at DESC, id DESC LIMIT ?", (limit,))
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM leads WHERE agent_id = ? OR (? = 1 AND agent_id IS NULL) "
                "ORDER BY updated_at DESC, id DESC LIMIT ?", (agent_id, int(unassigned), limit))
        return [_lead(r) for r in rows]

    async def taken_over(self, agent_id: int) -> list[Lead]:
        """The leads this agent has taken over, by id."""
        rows = await self._db.fetchall(
            "SELECT * FROM leads WHERE taken_over_by = ? ORDER BY id", (agent_id,))
        return [_lead(r) for r in rows]

    async def status_history(self, lead_id: int) -> list[tuple[LeadStatus, datetime]]:
        """Every status the lead has moved to, oldest first, with when."""
        rows = await self._db.fetchall(
            "SELECT status, changed_at FROM lead_status_history WHERE lead_id = ? ORDER BY id",
            (lead_id,))
        return [(_status(r["status"]), from_db(r["changed_at"])) for r in rows]
