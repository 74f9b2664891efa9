"""Agents: who books, into which calendar, when."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict

from bot.domain import Agent
from bot.errors import DomainError, require
from storage.db import Database

_FIELDS = ("name", "telegram_id", "calendar_id", "timezone", "working_hours", "slot_minutes",
           "buffer_minutes", "notice_minutes", "horizon_days", "max_per_day", "active")


def _agent(row: sqlite3.Row) -> Agent:
    return Agent(id=row["id"], active=bool(row["active"]),
                 **{f: row[f] for f in _FIELDS if f != "active"})


class AgentRepository:
    """Reads and writes agents."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, agent: Agent) -> Agent:
        """Insert a new agent (its ``id`` is ignored) and return it with the id given."""
        values = asdict(agent)
        values["active"] = int(agent.active)
        cols = ", ".join(_FIELDS)
        marks = ", ".join(f":{f}" for f in _FIELDS)
        try:
            row_id, _ = await self._db.execute(f"INSERT INTO agents ({cols}) VALUES ({marks})",
                                               {f: values[f] for f in _FIELDS})
        except sqlite3.IntegrityError as err:
            if "agents.telegram_id" not in str(err):
                raise
            raise DomainError(f"an agent with Telegram id {agent.telegram_id} already "
                              "exists") from err
        return require(await self.get(row_id), "agent")

    async def get(self, agent_id: int) -> Agent | None:
        row = await self._db.fetchone("SELECT * FROM agents WHERE id = ?", (agent_id,))
        return _agent(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Agent]:
        sql = "SELECT * FROM agents" + (" WHERE active = 1" if active_only else "")
        return [_agent(r) for r in await self._db.fetchall(sql + " ORDER BY id")]
