"""What the repositories need of a database, whichever engine is behind it.

Both engines (``storage.db.Database`` on SQLite, ``storage.postgres.PostgresDatabase``) take the
same statements with ``?`` or ``:name`` placeholders and our UTC text for times, and return rows
that read by column name or position.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import asyncpg

Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """A result row: by column name or by position."""

    def __getitem__(self, key: int | str, /) -> Any: ...


class Statements(Protocol):
    """Statements inside one write transaction."""

    async def execute(self, sql: str, params: Params = ...) -> tuple[int, int]: ...

    async def fetchall(self, sql: str, params: Params = ...) -> Sequence[Row]: ...

    async def fetchone(self, sql: str, params: Params = ...) -> Row | None: ...


class SqlDatabase(Protocol):
    """One database: reads, single writes, transactions; opened and closed by the ``Store``."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def fetchall(self, sql: str, params: Params = ...) -> Sequence[Row]: ...

    async def fetchone(self, sql: str, params: Params = ...) -> Row | None: ...

    async def execute(self, sql: str, params: Params = ...) -> tuple[int, int]: ...

    def transaction(self) -> AbstractAsyncContextManager[Statements]: ...


INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError, asyncpg.IntegrityConstraintViolationError)


def violates_unique(err: Exception, table: str, column: str) -> bool:
    """Whether ``err`` is the UNIQUE constraint of ``table.column`` refusing a row."""
    if isinstance(err, asyncpg.UniqueViolationError):
        return err.constraint_name == f"{table}_{column}_key"
    return f"{table}.{column}" in str(err)
