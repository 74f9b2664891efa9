"""Processed Telegram update ids: a redelivered update is handled once."""

from __future__ import annotations

from storage.db import Database


class UpdateRepository:
    """Claims update ids."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, update_id: int) -> bool:
        """True the first time an update id is seen, False ever after."""
        _, changed = await self._db.execute(
            "INSERT OR IGNORE INTO processed_updates (update_id) VALUES (?)", (update_id,))
        return changed == 1

    async def prune(self, keep: int = 100_000) -> None:
        """Forget all but the newest ``keep`` ids (Telegram never redelivers old ones)."""
        await self._db.execute(
            "DELETE FROM processed_updates WHERE update_id < "
            "(SELECT COALESCE(MAX(update_id), 0) - ? FROM processed_updates)", (keep,))
