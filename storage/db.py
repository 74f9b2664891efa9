"""SQLite set-up: one writer and one reader connection, migrated on open, timed queries.

Writes go through one asyncio lock on the writer connection, so a transaction of one coroutine
never swallows another's statements; reads use a second connection that sees only committed data
(WAL). Every query is timed into the metrics registry as ``db``.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import StorageError
from bot.observability.metrics import Metrics
from storage.migrate import SCHEMA_PATH, SCHEMA_VERSION, migrate

__all__ = ["SCHEMA_PATH", "SCHEMA_VERSION", "Database", "Transaction", "from_db", "migrate",
           "opt_from_db", "to_db"]

_LOCK_RETRIES = 5

Params = Sequence[Any] | dict[str, Any]
_T = TypeVar("_T")


def to_db(moment: datetime) -> str:
    """An aware datetime as sortable UTC text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the database")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(text: str) -> datetime:
    """Sortable UTC text (or SQLite's millisecond form) back to an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def opt_from_db(text: str | None) -> datetime | None:
    return from_db(text) if text else None


class Database:
    """The bot's SQLite file: open, migrate, read, write, close."""

    def __init__(self, path: Path | str, metrics: Metrics) -> None:
        self.path = Path(path)
        self.metrics = metrics
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self.trips = 0
        """Hops to a connection's thread so far (each read, write or transaction step): the
        figure a test reads to see how many trips one piece of work takes."""

    async def open(self) -> None:
        """Create the file (owner-only) if needed, connect, and bring the schema up to date.

        A file or folder that cannot be used raises ``StorageError`` (one line, no connection
        left open: aiosqlite's worker thread is not a daemon, and a leaked one hangs the exit).
        """
        try:
            await self._open()
        except (sqlite3.Error, OSError) as err:
            await self.close()
            raise StorageError(f"DATABASE_PATH: cannot use {self.path}: "
                               f"{self._reason(err)}") from err
        except StorageError as err:  # the migration's own reasons
            await self.close()
            raise StorageError(f"DATABASE_PATH: cannot use {self.path}: {err}") from err
        except BaseException:
            await self.close()
            raise

    async def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created owner-only before SQLite writes anything into it.
            fd = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        self._writer = await self._connect()
        await migrate(self._writer)
        await _check_writable(self._writer)
        self._reader = await self._connect()

    def _reason(self, err: BaseException) -> str:
        """What is wrong, in words an operator acts on."""
        blocker = next((p for p in self.path.parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
        if isinstance(err, OSError):
            return err.strerror or type(err).__name__
        text = str(err)
        if "unable to open" in text or "readonly" in text:
            return f"{text} (the file and its folder must be writable)"
        return text

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        """Close both connections; safe to call twice."""
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def writer(self) -> aiosqlite.Connection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    @property
    def reader(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a read query on the reader connection."""
        start = time.perf_counter()
        self.trips += 1
        try:
            # One call on the connection's thread: a statement left open between an execute and
            # its fetch would hold the reader's snapshot while other reads pile in, and they
            # would miss writes committed meanwhile (a lead just inserted, an offer just made).
            return list(await self.reader.execute_fetchall(sql, params))
        finally:
            self.metrics.observe("db", time.perf_counter() - start)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a read query and return its first row, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def read(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work``'s reads on the reader's own thread in one snapshot (``BEGIN`` ...
        ``COMMIT``): however many statements it makes, one trip to that thread. ``work``
        fetches all it reads before it returns."""
        def run(conn: sqlite3.Connection) -> _T:
            conn.execute("BEGIN")
            try:
                return work(conn)
            finally:
                conn.execute("COMMIT")

        start = time.perf_counter()
        self.trips += 1
        try:
            reader = self.reader
            # aiosqlite's own way of running a call on its thread, as ``write`` does.
            return await reader._execute(run, reader._conn)  # type: ignore[no-untyped-call,no-any-return]
        finally:
            self.metrics.observe("db", time.perf_counter() - start)

    async def execute(self, sql: str, params: Params = ()) -> tuple[int, int]:
        """Run one write statement in its own transaction; returns (lastrowid, rowcount)."""
        def run(conn: sqlite3.Connection) -> tuple[int, int]:
            cursor = conn.execute(sql, params)
            try:
                return cursor.lastrowid or 0, cursor.rowcount
            finally:
                cursor.close()
        return await self.write(run)

    async def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` inside one ``BEGIN IMMEDIATE`` transaction on the writer's own thread:
        however many statements it makes, one trip to that thread (committed when it returns,
        rolled back when it raises). Another process's lock is waited out by busy_timeout."""
        def run(conn: sqlite3.Connection) -> _T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        start = time.perf_counter()
        async with self._write_lock:
            self.trips += 1
            try:
                writer = self.writer
                # aiosqlite's own way of running a call on its thread (its execute* use it).
                return await writer._execute(run, writer._conn)  # type: ignore[no-untyped-call,no-any-return]
            finally:
                self.metrics.observe("db", time.perf_counter() - start)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` on the writer; commit on success, roll back on error."""
        async with self._write_lock:
            for attempt in range(_LOCK_RETRIES):
                try:
                    self.trips += 1
                    await self.writer.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as err:
                    # Another process (the CLI, say) holds the lock past busy_timeout.
                    if "locked" not in str(err) or attempt == _LOCK_RETRIES - 1:
                        raise
                    self.metrics.incr("db.lock_retries")
                    await asyncio.sleep(0.05 * 2**attempt)
            tx = Transaction(self.writer, self)
            try:
                yield tx
            except BaseException:
                self.trips += 1
                await self.writer.execute("ROLLBACK")
                raise
            self.trips += 1
            await self.writer.execute("COMMIT")


class Transaction:
    """Statements inside one write transaction."""

    def __init__(self, conn: aiosqlite.Connection, db: Database) -> None:
        self._conn = conn
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> tuple[int, int]:
        """Run a write; returns (lastrowid, rowcount)."""
        start = time.perf_counter()
        self._db.trips += 1
        try:
            async with self._conn.execute(sql, params) as cursor:
                return cursor.lastrowid or 0, cursor.rowcount
        finally:
            self._db.metrics.observe("db", time.perf_counter() - start)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read inside the transaction (sees its own uncommitted writes)."""
        start = time.perf_counter()
        self._db.trips += 1
        try:
            async with self._conn.execute(sql, params) as cursor:
                return list(await cursor.fetchall())
        finally:
            self._db.metrics.observe("db", time.perf_counter() - start)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


async def _check_writable(conn: aiosqlite.Connection) -> None:
    """Fail at start-up, not at the first booking, when the file is read-only."""
    try:
        await conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as err:
        if "locked" in str(err):
            return  # another process writes right now: the file is writable
        raise
    await conn.execute("ROLLBACK")
