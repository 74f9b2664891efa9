"""The funnel for /stats: leads created in a window and how far they got, per source or agent.

A stage counts when the lead's status history ever reached it, so a lead who booked and then
cancelled still counts as booked (and as engaged).
"""

from __future__ import annotations

from datetime import datetime

from bot.observability.funnel import FunnelRow
from storage.db import to_db
from storage.sql import SqlDatabase

# 1 or 0 on both engines (PostgreSQL does not sum booleans).
_REACHED = ("CASE WHEN EXISTS (SELECT 1 FROM lead_status_history h WHERE h.lead_id = l.id "
            "AND h.status IN ({})) THEN 1 ELSE 0 END")
_STAGES = {
    "engaged": "'engaged', 'qualified', 'booked', 'held', 'no_show', 'cancelled'",
    "qualified": "'qualified'",
    "booked": "'booked'",
    "held": "'held'",
    "no_show": "'no_show'",
}
_KEYS = {
    "source": "COALESCE(l.source, '(direct)')",
    # The lead's agent, else the agent of their latest meeting.
    "agent": "COALESCE((SELECT name || ' #' || id FROM agents WHERE id = COALESCE(l.agent_id, "
             "(SELECT agent_id FROM appointments a WHERE a.lead_id = l.id ORDER BY a.id DESC "
             "LIMIT 1))), '(none)')",
}


class FunnelRepository:
    """Counts the funnel in one query."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def funnel(self, since: datetime, by: str) -> list[FunnelRow]:
        """Leads created since ``since``, grouped by "source" or "agent", largest first."""
        stages = ", ".join(f"sum({_REACHED.format(v)}) AS {k}" for k, v in _STAGES.items())
        rows = await self._db.fetchall(
            f"SELECT {_KEYS[by]} AS key, count(*) AS leads, {stages} FROM leads l "
            "WHERE l.created_at >= ? GROUP BY key ORDER BY leads DESC, key", (to_db(since),))
        return [FunnelRow(r["key"], r["leads"], r["engaged"], r["qualified"], r["booked"],
                          r["held"], r["no_show"]) for r in rows]
