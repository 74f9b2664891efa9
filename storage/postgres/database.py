"""PostgreSQL through an asyncpg pool, with the interface of the SQLite ``Database``.

Times are ``timestamptz`` in the database while the repositories keep passing and receiving our
UTC text (``to_db``/``from_db``): a text codec for ``timestamptz`` sends that text as it is (valid
PostgreSQL input) and reads PostgreSQL's output back into it.

Write transactions take one advisory lock for their length, the same single writer that SQLite's
``BEGIN IMMEDIATE`` gives, across every process on the database: the repositories' read-then-write
transactions (a day's cap, an agent's upcoming meetings) stay exact. The exclusion constraint on
appointments stays the last word: its violation is the same ``SlotTaken`` as a refused hold.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit

import asyncpg

from bot.errors import SlotTaken, StorageError
from bot.observability.metrics import Metrics
from storage.postgres.dialect import Statement, translate
from storage.postgres.migrate import Connection, migrate
from storage.sql import Params, Row

WRITER_LOCK = 0x6C656164  # pg_advisory_xact_lock key of the single writer ("lead")
PRESENCE_LOCK = 0x6C656169  # first key of the session lock each open process holds
# Constraints whose violation means the slot was taken by another hold meanwhile.
_SLOT_CONSTRAINTS = frozenset({"appointments_no_overlap", "idx_appointments_agent_start_active"})


def _encode_time(value: str | datetime) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _decode_time(text: str) -> str:
    """PostgreSQL's ``2027-03-01 12:00:00.5+00`` as our ``2027-03-01T12:00:00.500000Z``."""
    moment = datetime.fromisoformat(text).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def _setup(conn: Connection) -> None:
    await conn.set_type_codec("timestamptz", encoder=_encode_time, decoder=_decode_time,
                              schema="pg_catalog", format="text")


async def _keep(conn: Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: the bot sets no session state
    and takes only transaction-scoped locks on pooled connections (a reset would cost a round
    trip per query)."""


def where(url: str) -> str:
    """The server and database of ``url``, without user or password (for messages)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.hostname or 'localhost'}{port}{parts.path or '/'}"


def _takes_slot(err: asyncpg.IntegrityConstraintViolationError) -> bool:
    """Whether ``err`` is another active appointment of the agent holding the time."""
    return (isinstance(err, (asyncpg.ExclusionViolationError, asyncpg.UniqueViolationError))
            and err.constraint_name in _SLOT_CONSTRAINTS)


class PostgresDatabase:
    """A PostgreSQL database: open (migrating), read, write, close."""

    def __init__(self, url: str, metrics: Metrics, *, pool_size: int = 10) -> None:
        self.url = url
        self.metrics = metrics
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._id_tables: frozenset[str] = frozenset()
        self._presence: asyncpg.Connection[asyncpg.Record] | None = None
        self._presence_key = secrets.randbits(31)
        self.acquires = 0
        """Connections taken from the pool so far (each read, write or ``reading``): the
        figure a test reads to see how many trips one piece of work takes."""

    async def open(self) -> None:
        """Connect and bring the schema up to date; a server that cannot be used raises
        ``StorageError`` naming ``DATABASE_URL`` (never its password)."""
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self._pool_size, init=_setup,
                statement_cache_size=512, server_settings={"TimeZone": "UTC"}, timeout=10,
                reset=_keep)
            async with self._pool.acquire() as conn:
                await migrate(conn)
                rows = await conn.fetch(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = 'id' "
                    "AND table_schema = current_schema()")
            self._id_tables = frozenset(r[0] for r in rows)
            # Held on a connection of its own while this process has the database open: the
            # server drops it the moment the process dies, so ``others`` counts live ones.
            self._presence = await asyncpg.connect(self.url, timeout=10)
            await self._presence.execute("SELECT pg_advisory_lock($1, $2)", PRESENCE_LOCK,
                                         self._presence_key)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            await self.close()
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise StorageError(f"DATABASE_URL: cannot use {where(self.url)}: {reason}") from err
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        if self._presence is not None:
            presence, self._presence = self._presence, None
            await presence.close()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def others(self) -> int:
        """How many other processes have this database open now (each holds a presence lock)."""
        async with self.pool.acquire() as conn:
            found = await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objsubid = 2 AND classid = $1::bigint::oid AND objid <> $2::bigint::oid "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                PRESENCE_LOCK, self._presence_key)
        return int(found)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    def _statement(self, sql: str) -> Statement:
        return translate(sql, self._id_tables)

    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Row]:
        """Run a read query (it sees every committed write)."""
        statement = self._statement(sql)
        start = time.perf_counter()
        self.acquires += 1
        try:
            rows: Sequence[Row] = await self.pool.fetch(statement.sql, *statement.args(params))
            return rows
        finally:
            self.metrics.observe("db", time.perf_counter() - start)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Run a read query and return its first row, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Params = ()) -> tuple[int, int]:
        """Run one write statement in its own transaction; returns (lastrowid, rowcount)."""
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PostgresTransaction]:
        """One pooled connection for several reads (no transaction, no lock): one acquire
        instead of one per statement."""
        self.acquires += 1
        async with self.pool.acquire() as conn:
            yield PostgresTransaction(conn, self)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        """A transaction holding the writer lock; commit on success, roll back on error."""
        self.acquires += 1
        async with self.pool.acquire() as conn:
            try:
                # BEGIN and the lock in one round trip, as COMMIT is one.
                await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})")
                try:
                    yield PostgresTransaction(conn, self)
                except BaseException:
                    if not conn.is_closed():
                        await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
            except asyncpg.IntegrityConstraintViolationError as err:
                # Raised by a statement, or at commit by the deferred overlap constraint.
                if not _takes_slot(err):
                    raise
                raise SlotTaken(f"the slot was taken meanwhile ({err.constraint_name})") from err


class PostgresTransaction:
    """Statements on one pooled connection: inside a write transaction, or ``reading``'s."""

    def __init__(self, conn: Connection, db: PostgresDatabase) -> None:
        self._conn = conn
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> tuple[int, int]:
        """Run a write; returns (lastrowid, rowcount)."""
        statement = self._db._statement(sql)
        args = statement.args(params)
        start = time.perf_counter()
        try:
            if statement.returns_id:
                row = await self._conn.fetchrow(statement.sql, *args)
                return (int(row[0]), 1) if row is not None else (0, 0)
            status: str = await self._conn.execute(statement.sql, *args)
            return 0, _count(status)
        finally:
            self._db.metrics.observe("db", time.perf_counter() - start)

    async def fetchall(self, sql: str, params: Params = ()) -> Sequence[Row]:
        """Read (or write with RETURNING) inside the transaction."""
        statement = self._db._statement(sql)
        start = time.perf_counter()
        try:
            rows: Sequence[Row] = await self._conn.fetch(statement.sql, *statement.args(params))
            return rows
        finally:
            self._db.metrics.observe("db", time.perf_counter() - start)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


def _count(status: str) -> int:
    """The row count of a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0

