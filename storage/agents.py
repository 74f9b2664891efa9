"""Agents: who books, into which calendar, when.

A removed agent keeps its row (its past meetings name it) but leaves every list; adding an agent
with its Telegram id again brings that row back, with the new details.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from bot.domain import Agent
from bot.errors import DomainError, NotFound, require
from storage.db import from_db, to_db
from storage.sql import INTEGRITY_ERRORS, Row, SqlDatabase, violates_unique

_FIELDS = ("name", "telegram_id", "calendar_id", "timezone", "working_hours", "slot_minutes",
           "buffer_minutes", "notice_minutes", "horizon_days", "max_per_day", "active",
           "console_only", "away_from", "away_until", "language")
_FLAGS = ("active", "console_only")
_DATES = ("away_from", "away_until")
_UPDATABLE = frozenset(_FIELDS) - {"telegram_id"}
_STAMP = "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')"


BY_ID = "SELECT * FROM agents WHERE id = ?"


def agent_of(row: Row) -> Agent:
    """A stored agent."""
    values: dict[str, Any] = {f: _read(f, row[f]) for f in _FIELDS}
    return Agent(id=row["id"], **values)


def _read(name: str, value: Any) -> Any:
    if name in _FLAGS:
        return bool(value)
    if name in _DATES:
        return date.fromisoformat(value) if value else None
    return value


def _write(name: str, value: Any) -> Any:
    if name in _FLAGS:
        return int(value)
    if name in _DATES:
        return value.isoformat() if value else None
    return value


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {f: _write(f, v) for f, v in values.items()}


class AgentRepository:
    """Reads and writes agents."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def add(self, agent: Agent) -> Agent:
        """Insert a new agent (its ``id`` is ignored) and return it with the id given."""
        values = _row({f: v for f, v in asdict(agent).items() if f in _FIELDS})
        cols = ", ".join(_FIELDS)
        marks = ", ".join(f":{f}" for f in _FIELDS)
        async with self._db.transaction() as tx:
            removed = await tx.fetchone(
                "SELECT id FROM agents WHERE telegram_id = ? AND removed_at IS NOT NULL",
                (agent.telegram_id,))
            if removed is not None:
                # The same Telegram account is the same person: its row (and history) returns.
                sets = ", ".join(f"{f} = :{f}" for f in _FIELDS)
                await tx.execute(f"UPDATE agents SET {sets}, removed_at = NULL, {_STAMP} "
                                 "WHERE id = :id", values | {"id": removed["id"]})
                row_id = int(removed["id"])
            else:
                try:
                    row_id, _ = await tx.execute(
                        f"INSERT INTO agents ({cols}) VALUES ({marks})", values)
                except INTEGRITY_ERRORS as err:
                    if not violates_unique(err, "agents", "telegram_id"):
                        raise
                    raise DomainError(f"an agent with Telegram id {agent.telegram_id} already "
                                      "exists") from err
        return require(await self.get(row_id), "agent")

    async def get(self, agent_id: int) -> Agent | None:
        """An agent by id, a removed one included."""
        row = await self._db.fetchone(BY_ID, (agent_id,))
        return agent_of(row) if row else None

    async def list(self, *, active_only: bool = False) -> list[Agent]:
        """The agents not removed (or only the active ones), by id."""
        sql = "SELECT * FROM agents WHERE removed_at IS NULL"
        sql += " AND active = 1" if active_only else ""
        return [agent_of(r) for r in await self._db.fetchall(sql + " ORDER BY id")]

    async def update(self, agent_id: int, **fields: Any) -> Agent:
        """Set the given fields of an agent not removed and return it (NotFound otherwise)."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        sets = ", ".join([*(f"{f} = :{f}" for f in fields), _STAMP])
        _, count = await self._db.execute(
            f"UPDATE agents SET {sets} WHERE id = :id AND removed_at IS NULL",
            _row(fields) | {"id": agent_id})
        if count == 0:
            raise NotFound(f"no agent with id {agent_id}")
        return require(await self.get(agent_id), "agent")

    async def remove(self, agent_id: int, now: datetime) -> tuple[datetime, ...]:
        """Remove an agent with no upcoming meeting; else the starts of those meetings.

        The check and the removal are one transaction, so a booking cannot slip in between.
        """
        async with self._db.transaction() as tx:
            found = await tx.fetchone(
                "SELECT id FROM agents WHERE id = ? AND removed_at IS NULL", (agent_id,))
            if found is None:
                raise NotFound(f"no agent with id {agent_id}")
            rows = await tx.fetchall(
                "SELECT start_at FROM appointments WHERE agent_id = ? AND end_at > ? "
                "AND status IN ('pending', 'booked') ORDER BY start_at", (agent_id, to_db(now)))
            if rows:
                return tuple(from_db(r["start_at"]) for r in rows)
            await tx.execute(f"UPDATE agents SET active = 0, removed_at = ?, {_STAMP} "
                             "WHERE id = ?", (to_db(now), agent_id))
        return ()
