"""A lead's consent and privacy: ``/forget``, the deep-link source, the takeover flag.

``forget`` erases in one transaction what identifies the person (name, phone, email, notes,
the meetings' topics which repeat the notes, the qualifying answers, and every message); the
lead row stays, keyed by Telegram id only, so the anonymous counts (bookings, the funnel) still
add up.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import opt_from_db
from storage.sql import SqlDatabase

_ERASE = (
    "UPDATE leads SET name = NULL, phone_number = NULL, email = NULL, notes = NULL, "
    "awaiting = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = :id",
    "UPDATE appointments SET topic = NULL WHERE lead_id = :id",
    "DELETE FROM messages WHERE lead_id = :id",
    "DELETE FROM qualification_answers WHERE lead_id = :id",
)


class PrivacyRepository:
    """Erasure, attribution and the takeover flag of leads."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def forget(self, lead_id: int) -> int:
        """Erase the lead's personal data and messages; returns the rows changed."""
        changed = 0
        async with self._db.transaction() as tx:
            for statement in _ERASE:
                _, count = await tx.execute(statement, {"id": lead_id})
                changed += max(count, 0)
        return changed

    async def set_source(self, lead_id: int, source: str) -> bool:
        """First touch wins: a source is stored only when the lead has none."""
        _, changed = await self._db.execute(
            "UPDATE leads SET source = ? WHERE id = ? AND source IS NULL", (source, lead_id))
        return changed == 1

    async def taken_over(self, lead_id: int) -> bool:
        row = await self._db.fetchone("SELECT taken_over_by FROM leads WHERE id = ?", (lead_id,))
        return row is not None and row["taken_over_by"] is not None

    async def last_inbound(self, lead_id: int) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT created_at FROM messages WHERE lead_id = ? AND role = 'user' "
            "ORDER BY created_at DESC LIMIT 1", (lead_id,))
        return opt_from_db(row["created_at"]) if row else None
