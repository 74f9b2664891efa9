"""The events outbox: rows the schema's triggers write with each change, delivered by the core.

A claim hides an event from other deliverers until ``claimed_until`` (one UPDATE ...
RETURNING), so two processes do not post it at the same time; a process that dies mid-post
leaves it to be claimed again later (at least once, never lost).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.followups.ports import PendingEvent
from bot.observability.funnel import Backlog
from storage.db import from_db, to_db
from storage.sql import Row, SqlDatabase

_UNDONE = "delivered_at IS NULL AND failed_at IS NULL"
_LEAD_FIELDS = ("id", "name", "phone_number", "email", "timezone", "language", "status",
                "source", "agent_id", "taken_over_by", "created_at")
_APPOINTMENT_FIELDS = ("id", "agent_id", "status", "start_at", "end_at", "join_url",
                       "replaces")


def _pending(row: Row) -> PendingEvent:
    return PendingEvent(row["id"], row["event_id"], row["event"], from_db(row["occurred_at"]),
                        row["attempts"], row["lead_id"], row["appointment_id"],
                        from_db(row["first_attempt_at"]))


def _iso(value: Any) -> Any:
    """Stored times as ISO 8601 with offset; anything else as is."""
    if isinstance(value, str) and len(value) >= 20 and value.endswith("Z") and value[10] == "T":
        return from_db(value).isoformat()
    return value


class OutboxRepository:
    """Reads and settles the outbox."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def claim(self, now: datetime, hold_until: datetime, limit: int = 20
                    ) -> list[PendingEvent]:
        """Take events due for an attempt, oldest first."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"UPDATE events_outbox SET claimed_until = :hold, attempts = attempts + 1, "
                f"first_attempt_at = COALESCE(first_attempt_at, :now) "
                f"WHERE id IN (SELECT id FROM events_outbox WHERE {_UNDONE} AND "
                f"(next_attempt_at IS NULL OR next_attempt_at <= :now) AND "
                f"(claimed_until IS NULL OR claimed_until <= :now) ORDER BY id LIMIT :limit) "
                f"RETURNING *",
                {"now": to_db(now), "hold": to_db(hold_until), "limit": limit})
        return sorted((_pending(r) for r in rows), key=lambda e: e.id)

    async def delivered(self, outbox_id: int, now: datetime) -> None:
        await self._db.execute("UPDATE events_outbox SET delivered_at = ?, claimed_until = NULL, "
                               "last_error = NULL WHERE id = ?", (to_db(now), outbox_id))

    async def retry(self, outbox_id: int, at: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE events_outbox SET next_attempt_at = ?, claimed_until = NULL, last_error = ? "
            "WHERE id = ?", (to_db(at), error[:200], outbox_id))

    async def give_up(self, outbox_id: int, now: datetime, error: str) -> None:
        await self._db.execute(
            "UPDATE events_outbox SET failed_at = ?, claimed_until = NULL, last_error = ? "
            "WHERE id = ?", (to_db(now), error[:200], outbox_id))

    async def payload(self, event: PendingEvent) -> dict[str, Any]:
        """``{"event", "id", "occurred_at", "lead", "appointment"?}``, as stored now."""
        body: dict[str, Any] = {"event": event.event, "id": event.event_id,
                                "occurred_at": event.occurred_at.isoformat(), "lead": None}
        if event.lead_id is not None:
            row = await self._db.fetchone("SELECT * FROM leads WHERE id = ?", (event.lead_id,))
            if row is not None:
                body["lead"] = {k: _iso(row[k]) for k in _LEAD_FIELDS}
        if event.appointment_id is not None:
            row = await self._db.fetchone("SELECT * FROM appointments WHERE id = ?",
                                          (event.appointment_id,))
            if row is not None:
                fields = {k: _iso(row[k]) for k in _APPOINTMENT_FIELDS}
                fields["start"], fields["end"] = fields.pop("start_at"), fields.pop("end_at")
                body["appointment"] = fields
        return body

    async def prune(self, settled_before: datetime, undelivered_before: datetime | None) -> int:
        _, settled = await self._db.execute(
            "DELETE FROM events_outbox WHERE delivered_at < :at OR failed_at < :at",
            {"at": to_db(settled_before)})
        unsent = 0
        if undelivered_before is not None:
            _, unsent = await self._db.execute(
                f"DELETE FROM events_outbox WHERE {_UNDONE} AND occurred_at < ?",
                (to_db(undelivered_before),))
        return settled + unsent

    async def backlog(self, now: datetime) -> Backlog:
        row = await self._db.fetchone(
            f"SELECT count(*) FILTER (WHERE {_UNDONE}) AS pending, "
            f"count(*) FILTER (WHERE {_UNDONE} AND attempts > 0) AS retrying, "
            "count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed, "
            "count(*) FILTER (WHERE delivered_at >= :day) AS delivered "
            "FROM events_outbox", {"day": to_db(now - timedelta(days=1))})
        error = await self._db.fetchone(
            "SELECT last_error FROM events_outbox WHERE last_error IS NOT NULL "
            "AND delivered_at IS NULL ORDER BY id DESC LIMIT 1")
        assert row is not None
        return Backlog(row["pending"], row["retrying"], row["failed"], row["delivered"],
                       error["last_error"] if error else None)
