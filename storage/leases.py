"""Leases: a named piece of work claimed by one process for a while, on either engine.

``claim`` is one ``INSERT ... ON CONFLICT DO UPDATE ... WHERE expires_at <= now RETURNING``: the
first process to run it takes the name, any other sees it taken until the lease expires. Two
replicas on one PostgreSQL therefore run the periodic sweep once per period, and settle each
interrupted booking once.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import to_db
from storage.postgres.database import PostgresDatabase
from storage.sql import SqlDatabase


class LeaseRepository:
    """Claims named work until an instant; expired leases are taken over, then pruned."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def claim(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take ``name`` for ``holder`` until ``until``, unless another lease on it runs."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO leases (name, holder, expires_at) VALUES (:name, :holder, :until) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "expires_at = excluded.expires_at WHERE leases.expires_at <= :now "
                "RETURNING name",
                {"name": name, "holder": holder, "until": to_db(until), "now": to_db(now)})
        return row is not None

    async def prune(self, now: datetime) -> int:
        """Forget leases that have expired; how many."""
        _, changed = await self._db.execute("DELETE FROM leases WHERE expires_at <= ?",
                                            (to_db(now),))
        return changed

    async def others(self) -> int:
        """How many other processes have the database open (none on a SQLite file, which one
        process uses)."""
        return await self._db.others() if isinstance(self._db, PostgresDatabase) else 0
