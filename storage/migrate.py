"""Bring a SQLite file to ``schema.sql`` in place, whatever changed in it.

Every open compares the live schema with ``schema.sql`` applied to an empty in-memory database:
a missing table is created; a table whose definition differs (a new column, a changed CHECK or
default, a new foreign key) is rebuilt the way SQLite's manual describes, copying every row into
the new definition; an index or trigger that is missing, changed or no longer in ``schema.sql`` is
created, re-created or dropped. A database that already matches costs one read of its catalogue.

Rows are never lost: a column that ``schema.sql`` no longer has stops the migration with one line,
unless it is listed in ``_DROPPED`` (so an older release never strips a newer database), and a
database whose ``PRAGMA user_version`` is above ``SCHEMA_VERSION`` is refused outright.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.errors import StorageError
from bot.pipeline import LEGACY

# In the source tree a link to the top-level schema.sql; in an installed wheel, its content.
SCHEMA_PATH = Path(__file__).resolve().parent / "schema.sql"
SCHEMA_VERSION = 9  # 9: leases (work claimed by one replica); 8: the team, follow-ups, CRM events
# What a column added to an older database must say about the rows already there: run once,
# right after the rebuild that adds that column (a new database has no rows to describe).
_BACKFILLS: dict[tuple[str, str], str] = {
    # The console's demo agent served Telegram leads before it could be marked console-only.
    ("agents", "console_only"): "UPDATE agents SET console_only = 1 "
                                "WHERE calendar_id = 'demo@local' AND telegram_id = 2",
}
# Columns a past schema had and today's does not: their values are let go on the rebuild.
_DROPPED: frozenset[tuple[str, str]] = frozenset({
    ("processed_updates", "processed_at"),  # renamed seen_at (version 3)
})
_COMMENT = re.compile(r"--[^\n]*")
_SPACE = re.compile(r"\s+")
_CREATE_TABLE = re.compile(r"(?is)^\s*CREATE\s+TABLE\s+(\"?)(\w+)\1")


@dataclass(frozen=True)
class _Object:
    kind: str  # table, index, trigger or view
    name: str
    table: str
    sql: str

    @property
    def shape(self) -> str:
        """The definition without comments or layout: what decides whether it changed."""
        return _SPACE.sub(" ", _COMMENT.sub("", self.sql)).strip().lower()


def _target(schema: str) -> tuple[list[_Object], dict[str, list[str]]]:
    """The objects ``schema`` defines, tables first, and each table's columns in order."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(schema)
        objects = [_Object(*row) for row in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY type != 'table', rowid")]
        columns = {o.name: [r[1] for r in conn.execute(f"PRAGMA table_info({o.name})")]
                   for o in objects if o.kind == "table"}
    finally:
        conn.close()
    return objects, columns


async def _rows(conn: aiosqlite.Connection, sql: str) -> list[sqlite3.Row]:
    async with conn.execute(sql) as cursor:
        return list(await cursor.fetchall())


async def migrate(conn: aiosqlite.Connection, schema: str | None = None) -> None:
    """Make the database behind ``conn`` match ``schema`` (default: ``schema.sql``)."""
    version = (await _rows(conn, "PRAGMA user_version"))[0][0]
    if version > SCHEMA_VERSION:
        raise StorageError(f"the database is from a newer release (schema {version}; this "
                           f"release knows {SCHEMA_VERSION}): upgrade the bot")
    objects, columns = _target(schema if schema is not None else SCHEMA_PATH.read_text())
    # A table is rebuilt with foreign keys off (SQLite's manual, "other kinds of table schema
    # changes"); they are checked before the commit and switched back on after it.
    await conn.execute("PRAGMA foreign_keys=OFF")
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await _apply(conn, objects, columns)
            if version != SCHEMA_VERSION:
                await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            broken = await _rows(conn, "PRAGMA foreign_key_check")
            if broken:
                raise StorageError(f"the database has rows in {broken[0][0]} that point at "
                                   f"missing rows of {broken[0][2]}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
    finally:
        await conn.execute("PRAGMA foreign_keys=ON")


async def _apply(conn: aiosqlite.Connection, objects: list[_Object],
                 columns: dict[str, list[str]]) -> None:
    live = {(o.kind, o.name): o for o in (_Object(*row) for row in await _rows(
        conn, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL"))}
    if ("table", "leads") in live:
        for old, new in LEGACY.items():
            await conn.execute("UPDATE leads SET status = ? WHERE status = ?", (new.value, old))
    if any(o.kind == "table" and (have := live.get(("table", o.name))) is not None
           and have.shape != o.shape for o in objects):
        # A trigger may name a table to be rebuilt in its body, and the rebuild's RENAME checks
        # every trigger: all of them go first and are created again below.
        for key, have in list(live.items()):
            if have.kind == "trigger":
                await conn.execute(f"DROP TRIGGER {have.name}")
                del live[key]
    rebuilt: set[str] = set()
    for target in objects:
        if target.kind != "table":
            continue
        have = live.get(("table", target.name))
        if have is None:
            await conn.execute(target.sql)
        elif have.shape != target.shape:
            await _rebuild(conn, target, columns[target.name])
            rebuilt.add(target.name)
    wanted = {(o.kind, o.name) for o in objects}
    for key, have in live.items():
        # Indexes and triggers of a rebuilt table went with it; others no longer wanted go now.
        if have.kind != "table" and key not in wanted and have.table not in rebuilt:
            await conn.execute(f"DROP {have.kind.upper()} IF EXISTS {have.name}")
    for target in objects:
        have = live.get((target.kind, target.name))
        if target.kind == "table" or (have is not None and have.table not in rebuilt
                                      and have.shape == target.shape):
            continue
        if have is not None and have.table not in rebuilt:
            await conn.execute(f"DROP {have.kind.upper()} {have.name}")
        await conn.execute(target.sql)


async def _rebuild(conn: aiosqlite.Connection, target: _Object, wanted: list[str]) -> None:
    """Copy the table into its new definition, keeping every row and its id."""
    name = target.name
    have = [r[1] for r in await _rows(conn, f"PRAGMA table_info({name})")]
    lost = [c for c in have if c not in wanted and (name, c) not in _DROPPED]
    if lost:
        raise StorageError(f"the database's table {name} has column {lost[0]}, which this "
                           f"release does not know: it is from a newer release")
    shared = ", ".join(c for c in wanted if c in have)
    fresh = f"{name}__migrating"
    await conn.execute(_CREATE_TABLE.sub(f"CREATE TABLE {fresh}", target.sql, count=1))
    try:
        await conn.execute(f"INSERT INTO {fresh} ({shared}) SELECT {shared} FROM {name}")
    except sqlite3.IntegrityError as err:
        raise StorageError(f"the rows of {name} do not fit its new definition: {err}") from err
    await conn.execute(f"DROP TABLE {name}")
    await conn.execute(f"ALTER TABLE {fresh} RENAME TO {name}")
    for column in wanted:
        if column not in have and (name, column) in _BACKFILLS:
            await conn.execute(_BACKFILLS[name, column])
