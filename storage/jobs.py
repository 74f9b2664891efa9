"""Stored jobs (a lead's next nudge), claimed atomically.

``claim_due`` is one ``UPDATE ... WHERE status = 'due' AND due_at <= ? RETURNING``: whichever
process runs it first takes a job, any other sees it claimed, so a nudge is never sent twice. On
SQLite the write lock (``BEGIN IMMEDIATE``) and on PostgreSQL the writer's advisory lock that
every write transaction takes make the claims of two processes run one after the other.
"""

from __future__ import annotations

from datetime import datetime

from bot.followups.ports import Job
from storage.db import from_db, to_db
from storage.sql import Row, SqlDatabase

_OPEN = "('due', 'claimed')"
_ENDINGS = frozenset({"done", "skipped", "deferred", "cancelled"})


def _job(row: Row) -> Job:
    return Job(row["id"], row["lead_id"], row["step"], from_db(row["due_at"]))


class JobRepository:
    """Nudges: one open per lead (a unique partial index says so)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def plan(self, lead_id: int, step: int, due_at: datetime) -> Job:
        """Replace the lead's open nudge (if any) with this one."""
        async with self._db.transaction() as tx:
            await tx.execute(f"UPDATE jobs SET status = 'cancelled' WHERE kind = 'nudge' AND "
                             f"lead_id = ? AND status IN {_OPEN}", (lead_id,))
            row_id, _ = await tx.execute(
                "INSERT INTO jobs (kind, lead_id, step, due_at) VALUES ('nudge', ?, ?, ?)",
                (lead_id, step, to_db(due_at)))
        return Job(row_id, lead_id, step, due_at)

    async def cancel(self, lead_id: int) -> int:
        """Cancel the lead's open nudge; how many were cancelled."""
        _, changed = await self._db.execute(
            f"UPDATE jobs SET status = 'cancelled' WHERE kind = 'nudge' AND lead_id = ? AND "
            f"status IN {_OPEN}", (lead_id,))
        return changed

    async def claim_due(self, now: datetime, limit: int = 50) -> list[Job]:
        """Mark due nudges claimed and return them, in one statement."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "UPDATE jobs SET status = 'claimed', claimed_at = :now WHERE id IN ("
                "SELECT id FROM jobs WHERE status = 'due' AND due_at <= :now "
                # "+status": the row is found by its id, not by scanning every due one.
                "ORDER BY due_at LIMIT :limit) AND +status = 'due' RETURNING *",
                {"now": to_db(now), "limit": limit})
        return sorted((_job(r) for r in rows), key=lambda j: (j.due_at, j.id))

    async def finish(self, job_id: int, status: str) -> None:
        """Record how a claimed nudge ended."""
        if status not in _ENDINGS:
            raise ValueError(f"not an ending: {status}")
        await self._db.execute("UPDATE jobs SET status = ? WHERE id = ? AND status = 'claimed'",
                               (status, job_id))

    async def open_for(self, lead_id: int) -> Job | None:
        row = await self._db.fetchone(
            f"SELECT * FROM jobs WHERE kind = 'nudge' AND lead_id = ? AND status IN {_OPEN}",
            (lead_id,))
        return _job(row) if row else None

    async def release_stale(self, before: datetime) -> int:
        """Claimed before ``before`` and never finished (the process died): due again."""
        _, changed = await self._db.execute(
            "UPDATE jobs SET status = 'due', claimed_at = NULL WHERE status = 'claimed' AND "
            "claimed_at < ?", (to_db(before),))
        return changed
