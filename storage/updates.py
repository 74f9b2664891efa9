"""Processed Telegram update ids: a redelivered update is handled once."""

from __future__ import annotations

from datetime import datetime

from bot.clock import Clock
from storage.db import to_db
from storage.sql import SqlDatabase

CLAIM = "INSERT OR IGNORE INTO processed_updates (update_id, seen_at) VALUES (?, ?)"
"""Claims an update id: one row changed the first time, none after."""


class UpdateRepository:
    """Claims update ids, stamped by the bot's clock, and forgets old ones."""

    def __init__(self, db: SqlDatabase, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def claim(self, update_id: int) -> bool:
        """True the first time an update id is seen, False after (until it is pruned)."""
        _, changed = await self._db.execute(CLAIM, (update_id, to_db(self._clock.now())))
        return changed == 1

    async def prune(self, before: datetime) -> int:
        """Forget the ids first seen before ``before`` (Telegram redelivers only recent ones);
        returns how many were forgotten."""
        _, deleted = await self._db.execute(
            "DELETE FROM processed_updates WHERE seen_at < ?", (to_db(before),))
        return deleted
