"""Qualifying answers: one row per lead and question, asked once."""

from __future__ import annotations

from datetime import datetime

from bot.qualification import Answer
from storage.db import opt_from_db, to_db
from storage.sql import SqlDatabase


class AnswerRepository:
    """What each lead was asked and answered."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    async def asked(self, lead_id: int, key: str, now: datetime) -> bool:
        """Record the question as asked; False when it had been asked (or answered) before."""
        _, changed = await self._db.execute(
            "INSERT INTO qualification_answers (lead_id, key, asked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (lead_id, key) DO NOTHING", (lead_id, key, to_db(now)))
        return changed == 1

    async def answer(self, lead_id: int, key: str, text: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO qualification_answers (lead_id, key, answer, answered_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (lead_id, key) DO UPDATE SET "
            "answer = excluded.answer, answered_at = excluded.answered_at",
            (lead_id, key, text, to_db(now)))

    async def of(self, lead_id: int) -> dict[str, Answer]:
        rows = await self._db.fetchall(
            "SELECT key, answer, asked_at, passed FROM qualification_answers WHERE lead_id = ?",
            (lead_id,))
        return {r["key"]: Answer(r["key"], r["answer"], opt_from_db(r["asked_at"]),
                                 bool(r["passed"])) for r in rows}

    async def pass_on(self, lead_id: int, key: str) -> None:
        await self._db.execute(
            "UPDATE qualification_answers SET passed = 1 WHERE lead_id = ? AND key = ?",
            (lead_id, key))
