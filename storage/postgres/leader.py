"""Hot standby in polling mode: only the replica holding a database lock polls Telegram.

The lock is a session-level advisory lock on a connection of its own, so it is released the
moment its holder dies (the server sees the connection close) and a standby waiting for it
takes over within about a second. A holder whose connection breaks can no longer be sure it is
the only one polling, so it is told to stop (``watch``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

from bot.errors import StorageError
from storage.postgres.database import where

log = logging.getLogger(__name__)
POLLING_LOCK = 0x6C656167  # pg_try_advisory_lock key of the replica that polls


class PollingLeadership:
    """The polling lock: ``acquire`` waits for it, ``watch`` notices its loss."""

    def __init__(self, url: str, *, retry: float = 1.0, check_every: float = 2.0) -> None:
        self._url = url
        self._retry = retry
        self._check_every = check_every
        self._conn: asyncpg.Connection | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def acquire(self) -> None:
        """Wait until this process holds the lock (reconnecting while the server is away).

        A server that cannot be reached at the first attempt raises ``StorageError`` at once,
        as opening the database would: a wrong URL is not something to wait for.
        """
        told = connected = False
        while True:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(self._url, timeout=10)
                    connected = True
                if await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", POLLING_LOCK):
                    log.info("this replica holds the polling lock: it polls Telegram")
                    return
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                await self._drop()
                if not connected:
                    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
                    raise StorageError(f"DATABASE_URL: cannot use {where(self._url)}: "
                                       f"{reason}") from err
                log.warning("polling lock on %s: %s", where(self._url), type(err).__name__)
            if not told:
                log.info("standby: another replica polls Telegram; waiting for its lock")
                told = True
            await asyncio.sleep(self._retry)

    def watch(self, on_lost: Callable[[], None]) -> None:
        """Call ``on_lost`` once if the lock's connection breaks."""
        async def check() -> None:
            while True:
                await asyncio.sleep(self._check_every)
                try:
                    if self._conn is None:
                        raise asyncpg.InterfaceError("no connection")
                    await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self._check_every)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    log.error("lost the polling lock (its database connection broke): "
                              "stopping, so that only one replica polls")
                    on_lost()
                    return
        self._watcher = asyncio.get_running_loop().create_task(check())

    async def release(self) -> None:
        """Stop watching and give the lock up (closing its connection)."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await asyncio.wait_for(conn.close(), 5)
