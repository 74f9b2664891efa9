"""Any change to schema.sql reaches an existing SQLite file in place: changed CHECKs, defaults,
indexes and foreign keys, with every row kept, and nothing done to a database it cannot serve."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.errors import StorageError
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH, SCHEMA_VERSION, Database, migrate

BEFORE = """
CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE notes (
    id        INTEGER PRIMARY KEY,
    owner_id  INTEGER NOT NULL REFERENCES owners(id),
    kind      TEXT NOT NULL CHECK (kind IN ('a', 'b')),   -- the kinds of today
    body      TEXT NOT NULL
);
CREATE INDEX idx_notes_owner ON notes(owner_id);
CREATE INDEX idx_notes_body ON notes(body);
"""
# A new kind in the CHECK, a new column with a default, a cascade, a changed and a dropped index.
AFTER = """
CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE notes (
    id        INTEGER PRIMARY KEY,
    owner_id  INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('a', 'b', 'c')),
    body      TEXT NOT NULL,
    pinned    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_notes_owner ON notes(owner_id, kind);
"""


async def connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA foreign_keys=ON")
    return conn


def seed(path: Path, schema: str = BEFORE, version: int = SCHEMA_VERSION) -> None:
    with sqlite3.connect(path) as conn:
        conn.executescript(schema)
        conn.execute("INSERT INTO owners (id, name) VALUES (1, 'Ann'), (2, 'Bo')")
        conn.executemany("INSERT INTO notes (id, owner_id, kind, body) VALUES (?, ?, ?, ?)",
                         [(10, 1, "a", "first"), (20, 2, "b", "second"), (30, 1, "b", "third")])
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()


def catalogue(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return {name: sql for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    finally:
        conn.close()


async def test_a_changed_check_default_cascade_and_index_apply_to_the_rows_already_there(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.sqlite3"
    seed(path)
    conn = await connect(path)
    try:
        await migrate(conn, AFTER)
        async with conn.execute("SELECT id, owner_id, kind, body, pinned FROM notes "
                                "ORDER BY id") as cursor:
            assert [tuple(r) for r in await cursor.fetchall()] == [
                (10, 1, "a", "first", 0), (20, 2, "b", "second", 0), (30, 1, "b", "third", 0)]
        await conn.execute("INSERT INTO notes (owner_id, kind, body) VALUES (2, 'c', 'new kind')")
        with pytest.raises(sqlite3.IntegrityError):  # the CHECK is still a CHECK
            await conn.execute("INSERT INTO notes (owner_id, kind, body) VALUES (2, 'z', 'x')")
        with pytest.raises(sqlite3.IntegrityError):  # foreign keys are back on
            await conn.execute("INSERT INTO notes (owner_id, kind, body) VALUES (9, 'a', 'x')")
        await conn.execute("DELETE FROM owners WHERE id = 1")
        async with conn.execute("SELECT id FROM notes ORDER BY id") as cursor:
            assert [r[0] for r in await cursor.fetchall()] == [20, 31]
    finally:
        await conn.close()
    objects = catalogue(path)
    assert "owner_id, kind" in objects["idx_notes_owner"]
    assert "idx_notes_body" not in objects and "notes__migrating" not in objects


async def test_a_database_that_matches_is_left_exactly_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    seed(path, AFTER)
    before = catalogue(path)
    conn = await connect(path)
    try:
        await conn.execute("CREATE TABLE kept_aside (x)")  # a table we do not know stays
        await migrate(conn, AFTER)
        await migrate(conn, AFTER.replace("-- ", "--  "))
    finally:
        await conn.close()
    assert catalogue(path) == before | {"kept_aside": "CREATE TABLE kept_aside (x)"}


async def test_rows_that_break_the_new_check_stop_the_migration_and_change_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.sqlite3"
    seed(path)
    before = catalogue(path)
    conn = await connect(path)
    try:
        with pytest.raises(StorageError, match="rows of notes do not fit"):
            await migrate(conn, AFTER.replace("'a', 'b', 'c'", "'c'"))
    finally:
        await conn.close()
    assert catalogue(path) == before


async def test_a_newer_database_is_refused_with_one_line_and_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.executescript(SCHEMA_PATH.read_text().replace(
            "console_only    INTEGER", "shoe_size INTEGER, console_only    INTEGER"))
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    before = catalogue(path)
    db = Database(path, Metrics())
    with pytest.raises(StorageError) as refused:
        await db.open()
    assert str(refused.value) == (
        f"DATABASE_PATH: cannot use {path}: the database is from a newer release "
        f"(schema {SCHEMA_VERSION + 1}; this release knows {SCHEMA_VERSION}): upgrade the bot")
    # Without the version mark, the column it does not know still stops it.
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    raw.close()
    with pytest.raises(StorageError, match="agents has column shoe_size"):
        await db.open()
    assert catalogue(path) == before
