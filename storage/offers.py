"""Slot offers: what a lead was shown; a button carries only the offer's random token."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Interval, SlotOffer
from storage.db import from_db, opt_from_db, to_db
from storage.sql import Row, SqlDatabase


def _offer(row: Row) -> SlotOffer:
    return SlotOffer(id=row["id"], token=row["token"], lead_id=row["lead_id"],
                     agent_id=row["agent_id"], start=from_db(row["start_at"]),
                     end=from_db(row["end_at"]), expires_at=from_db(row["expires_at"]),
                     used_at=opt_from_db(row["used_at"]), reschedule_of=row["reschedule_of"])


class OfferRepository:
    """Stores offers; a new batch for a lead retires the previous one."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def replace(self, lead_id: int, slots: Sequence[tuple[int, Interval]], *,
                      now: datetime, expires_at: datetime,
                      reschedule_of: int | None = None) -> list[SlotOffer]:
        """Retire the lead's open offers and store these (agent id, slot) pairs as the new ones."""
        tokens = [secrets.token_urlsafe(12) for _ in slots]
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE slot_offers SET expires_at = ? WHERE lead_id = ? AND used_at IS NULL "
                "AND expires_at > ?", (to_db(now), lead_id, to_db(now)))
            for token, (agent_id, slot) in zip(tokens, slots, strict=True):
                await tx.execute(
                    "INSERT INTO slot_offers (token, lead_id, agent_id, start_at, end_at, "
                    "expires_at, reschedule_of) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (token, lead_id, agent_id, to_db(slot.start), to_db(slot.end),
                     to_db(expires_at), reschedule_of))
        return await self.open_for_lead(lead_id, now)

    async def by_token(self, token: str) -> SlotOffer | None:
        row = await self._db.fetchone("SELECT * FROM slot_offers WHERE token = ?", (token,))
        return _offer(row) if row else None

    async def open_for_lead(self, lead_id: int, now: datetime) -> list[SlotOffer]:
        """The lead's current offers (unused, unexpired), in time order."""
        rows = await self._db.fetchall(
            "SELECT * FROM slot_offers WHERE lead_id = ? AND used_at IS NULL AND expires_at > ? "
            "ORDER BY start_at", (lead_id, to_db(now)))
        return [_offer(r) for r in rows]

    async def use(self, offer_id: int, now: datetime) -> bool:
        """Mark an open offer used and retire the rest of its lead's open offers, atomically.

        True only for the first tap on any offer of a batch: a double tap, or two different
        times tapped at once, books once.
        """
        async with self._db.transaction() as tx:
            _, changed = await tx.execute(
                "UPDATE slot_offers SET used_at = ? WHERE id = ? AND used_at IS NULL "
                "AND expires_at > ?", (to_db(now), offer_id, to_db(now)))
            if changed != 1:
                return False
            await tx.execute(
                "UPDATE slot_offers SET expires_at = ? WHERE lead_id = "
                "(SELECT lead_id FROM slot_offers WHERE id = ?) AND used_at IS NULL "
                "AND expires_at > ?", (to_db(now), offer_id, to_db(now)))
        return True

    async def retire(self, lead_id: int, now: datetime) -> None:
        """Expire all of a lead's open offers (after a booking)."""
        await self._db.execute(
            "UPDATE slot_offers SET expires_at = ? WHERE lead_id = ? AND used_at IS NULL "
            "AND expires_at > ?", (to_db(now), lead_id, to_db(now)))
