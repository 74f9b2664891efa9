"""Messages: every line of every conversation, inbound stored before anything else; a line the
lead edits keeps its row and takes the new text."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain import Message, Role
from storage.db import Database, from_db, to_db
from storage.sql import Row, SqlDatabase, Statements
from storage.updates import CLAIM

_INSERT = ("INSERT INTO messages (lead_id, role, content, created_at, telegram_message_id) "
           "VALUES (?, ?, ?, ?, ?)")


LAST = "SELECT * FROM messages WHERE lead_id = ? ORDER BY created_at DESC LIMIT ?"
"""A lead's last messages, newest first (``idx_messages_lead_created``)."""


def message_of(row: Row) -> Message:
    """A stored message."""
    return Message(row["id"], row["lead_id"], Role(row["role"]), row["content"],
                   from_db(row["created_at"]), row["telegram_message_id"])


class MessageRepository:
    """Appends and reads chat history.

    ``created_at`` is made strictly increasing within the process, and within each lead's
    history whichever process wrote its last line (replicas' clocks differ a little), so two
    messages in the same microsecond still sort in arrival order on
    ``idx_messages_lead_created`` alone.
    """

    def __init__(self, db: SqlDatabase, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._last: datetime | None = None

    def _stamp(self) -> datetime:
        now = self._clock.now()
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now

    async def add(self, lead_id: int, role: Role, content: str,
                  telegram_message_id: int | None = None) -> Message:
        """Append one message and return it."""
        created = self._stamp()
        if isinstance(self._db, Database):  # one process writes the file: one statement
            row_id, _ = await self._db.execute(
                _INSERT, (lead_id, role.value, content, to_db(created), telegram_message_id))
        else:
            async with self._db.transaction() as tx:
                created = await self._after_latest(tx, lead_id, created)
                row_id, _ = await tx.execute(
                    _INSERT, (lead_id, role.value, content, to_db(created), telegram_message_id))
        return Message(row_id, lead_id, role, content, created, telegram_message_id)

    async def _after_latest(self, tx: Statements, lead_id: int, created: datetime) -> datetime:
        """``created``, or just after the lead's last line when another replica, its clock a
        little ahead, wrote that line."""
        latest = await tx.fetchone(
            "SELECT created_at FROM messages WHERE lead_id = ? ORDER BY created_at DESC LIMIT 1",
            (lead_id,))
        if latest is not None and from_db(latest[0]) >= created:
            created = from_db(latest[0]) + timedelta(microseconds=1)
            self._last = created
        return created

    async def add_inbound(self, lead_id: int, content: str, telegram_message_id: int | None,
                          update_id: int) -> Message | None:
        """Claim the update and store the lead's message, in one transaction and one trip to
        the database's thread; None, and nothing stored, when the update was claimed before."""
        created = self._stamp()
        stamp = to_db(created)

        def claim_and_store(conn: sqlite3.Connection) -> int | None:
            if conn.execute(CLAIM, (update_id, stamp)).rowcount != 1:
                return None
            cursor = conn.execute(_INSERT, (lead_id, Role.USER.value, content, stamp,
                                            telegram_message_id))
            return cursor.lastrowid

        if isinstance(self._db, Database):
            row_id = await self._db.write(claim_and_store)
        else:
            async with self._db.transaction() as tx:
                row_id = None
                if (await tx.execute(CLAIM, (update_id, stamp)))[1] == 1:
                    created = await self._after_latest(tx, lead_id, created)
                    row_id, _ = await tx.execute(_INSERT, (
                        lead_id, Role.USER.value, content, to_db(created), telegram_message_id))
        if row_id is None:
            return None
        return Message(row_id, lead_id, Role.USER, content, created, telegram_message_id)

    async def last(self, lead_id: int, limit: int = 15) -> list[Message]:
        """The lead's last ``limit`` messages, oldest first."""
        rows = await self._db.fetchall(LAST, (lead_id, limit))
        return [message_of(r) for r in reversed(rows)]

    async def edit(self, lead_id: int, telegram_message_id: int, content: str) -> Message | None:
        """Replace the text of the lead's message with this Telegram id; the message as it was."""
        row = await self._db.fetchone(
            "SELECT * FROM messages WHERE lead_id = ? AND role = 'user' AND "
            "telegram_message_id = ? ORDER BY created_at DESC LIMIT 1",
            (lead_id, telegram_message_id))
        if row is None:
            return None
        await self._db.execute("UPDATE messages SET content = ? WHERE id = ?", (content, row["id"]))
        return message_of(row)

    async def count(self, lead_id: int | None = None) -> int:
        if lead_id is None:
            row = await self._db.fetchone("SELECT count(*) FROM messages")
        else:
            row = await self._db.fetchone("SELECT count(*) FROM messages WHERE lead_id = ?",
                                          (lead_id,))
        return int(row[0]) if row else 0
