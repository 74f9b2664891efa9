"""One chat's updates handled by one replica at a time, when several take updates (webhooks).

Each chat has a session-level advisory lock, taken with ``pg_try_advisory_lock`` on one
connection of this process's own, which holds the locks of every chat it is handling (a session
may hold many): no pooled connection waits while a handler runs, and a replica that dies
releases its chats with its connection. A chat another replica is handling is tried again every
``retry`` seconds until it is free.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

CHAT_LOCKS = 0x6C656168  # the first key of every chat's lock (the second is the chat)


def _key(chat_id: int) -> int:
    """The chat id folded into a signed 32-bit key (two chats sharing one just take turns)."""
    folded = (chat_id ^ (chat_id >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


class ChatLocks:
    """``async with locks.chat(chat_id):`` while handling one of the chat's updates."""

    def __init__(self, url: str, *, retry: float = 0.02) -> None:
        self._url = url
        self._retry = retry
        self._conn: asyncpg.Connection | None = None
        self._busy = asyncio.Lock()  # one statement at a time on the connection

    async def _run(self, sql: str, key: int) -> bool:
        async with self._busy:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(self._url, timeout=10)
            return bool(await self._conn.fetchval(sql, CHAT_LOCKS, key))

    @contextlib.asynccontextmanager
    async def chat(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat's lock (waiting while another replica holds it)."""
        key = _key(chat_id)
        # Polling: the other replica's release cannot be awaited from here.
        while not await self._run("SELECT pg_try_advisory_lock($1, $2)", key):  # noqa: ASYNC110
            await asyncio.sleep(self._retry)
        try:
            yield
        finally:
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self._run("SELECT pg_advisory_unlock($1, $2)", key)

    async def close(self) -> None:
        """Close the connection (releasing any lock still held)."""
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.wait_for(conn.close(), 5)
