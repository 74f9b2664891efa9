"""Bring a PostgreSQL database to ``schema.postgres.sql`` in place, by comparing catalogs.

The schema file is applied to a scratch schema inside the migration's transaction; the live
schema's tables, columns, constraints and indexes are then compared with it through
``pg_catalog`` (``format_type``, ``pg_get_expr``, ``pg_get_constraintdef``, ``pg_get_indexdef``)
and every difference is applied: a missing table is created, a missing column added, a column
whose type, default or NOT NULL changed is altered, a constraint (CHECK, UNIQUE, EXCLUDE,
FOREIGN KEY), index or trigger that changed is dropped and made again, one that is gone is
dropped, and a function (``pg_get_functiondef``: the triggers' PL/pgSQL) that is new or changed
is made with ``CREATE OR REPLACE``; a function no longer in the file stays. Data is
never dropped: a table or column no longer in the file stays (a column's NOT NULL is lifted so
inserts that no longer name it work). Everything happens in one transaction under an advisory
lock, so two replicas starting at once migrate one after the other, and a failing step leaves the
database as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# A connection of its own or one lent by a pool.
Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"

# In the source tree a link to the top-level schema.postgres.sql; in a wheel, its content.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.postgres.sql"
MIGRATE_LOCK = 0x6C656165  # pg_advisory_xact_lock key of the migration
_SCRATCH = "leadbot_migration_target"
# A quoted literal, a dollar-quoted body (``$$ ... $$``), a comment, or a statement's end.
_TOKEN = re.compile(r"'(?:[^']|'')*'|(\$\w*\$).*?\1|--[^\n]*|;", re.DOTALL)
_CREATE_TABLE = re.compile(r"(?is)^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)")


@dataclass(frozen=True, slots=True)
class Column:
    type: str
    not_null: bool
    default: str | None
    identity: str


@dataclass(slots=True)
class Table:
    columns: dict[str, Column] = field(default_factory=dict)
    constraints: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (kind, def)
    indexes: dict[str, str] = field(default_factory=dict)                  # name: definition
    triggers: dict[str, str] = field(default_factory=dict)                 # name: definition


def statements(script: str) -> list[str]:
    """The statements of a script, comments removed (``;`` outside quotes ends a statement)."""
    parts: list[str] = []
    current: list[str] = []
    done = 0
    for match in _TOKEN.finditer(script):
        current.append(script[done:match.start()])
        done = match.end()
        token = match.group(0)
        if token == ";":
            parts.append("".join(current).strip())
            current = []
        elif not token.startswith("--"):
            current.append(token)
    current.append(script[done:])
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _catalog(conn: Connection, schema: str) -> dict[str, Table]:
    """The tables of ``schema`` as the catalog describes them (read with ``schema`` first in the
    search path, so definitions name its objects unqualified)."""
    tables: dict[str, Table] = {}
    for row in await conn.fetch(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, "
            "a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity::text "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum "
            "WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.oid, a.attnum", schema):
        tables.setdefault(row["relname"], Table()).columns[row["attname"]] = Column(
            row["type"], row["attnotnull"], row["def"], row["attidentity"])
    for row in await conn.fetch(
            "SELECT c.relname, k.conname, k.contype::text, pg_get_constraintdef(k.oid) AS def "
            "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1", schema):
        tables[row["relname"]].constraints[row["conname"]] = (row["contype"], row["def"])
    owner = re.compile(rf" ON (?:ONLY )?{re.escape(schema)}\.")
    for row in await conn.fetch(
            "SELECT t.relname AS tbl, i.relname AS idx, pg_get_indexdef(x.indexrelid) AS def "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = $1 AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)", schema):
        tables[row["tbl"]].indexes[row["idx"]] = owner.sub(" ON ", row["def"], count=1)
    for row in await conn.fetch(
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND NOT t.tgisinternal", schema):
        tables[row["relname"]].triggers[row["tgname"]] = owner.sub(" ON ", row["def"], count=1)
    return tables


async def _functions(conn: Connection, schema: str) -> dict[str, str]:
    """The functions of ``schema`` (not an extension's), each as its ``CREATE OR REPLACE``
    with the name unqualified."""
    name = re.compile(rf"^CREATE OR REPLACE FUNCTION {re.escape(schema)}\.")
    rows = await conn.fetch(
        "SELECT p.proname, pg_get_functiondef(p.oid) AS def FROM pg_proc p "
        "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 "
        "AND p.prokind = 'f' AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')", schema)
    return {r["proname"]: name.sub("CREATE OR REPLACE FUNCTION ", r["def"]).strip()
            for r in rows}


def _column_steps(name: str, target: Table, live: Table) -> list[str]:
    steps: list[str] = []
    table = _ident(name)
    for col, want in target.columns.items():
        ident = _ident(col)
        have = live.columns.get(col)
        if have is None:
            clause = " GENERATED BY DEFAULT AS IDENTITY" if want.identity else ""
            clause += f" DEFAULT {want.default}" if want.default is not None else ""
            clause += " NOT NULL" if want.not_null else ""
            steps.append(f"ALTER TABLE {table} ADD COLUMN {ident} {want.type}{clause}")
            continue
        if have.type != want.type:
            steps.append(f"ALTER TABLE {table} ALTER COLUMN {ident} TYPE {want.type} "
                         f"USING {ident}::{want.type}")
        if have.default != want.default and not want.identity:
            steps.append(f"ALTER TABLE {table} ALTER COLUMN {ident} "
                         + (f"SET DEFAULT {want.default}" if want.default is not None
                            else "DROP DEFAULT"))
        if have.not_null != want.not_null:
            steps.append(f"ALTER TABLE {table} ALTER COLUMN {ident} "
                         + ("SET NOT NULL" if want.not_null else "DROP NOT NULL"))
    for col, have in live.columns.items():
        if col not in target.columns and have.not_null and have.default is None:
            steps.append(f"ALTER TABLE {table} ALTER COLUMN {_ident(col)} DROP NOT NULL")
    return steps


def plan(target: dict[str, Table], live: dict[str, Table], creates: dict[str, str],
         functions: tuple[dict[str, str], dict[str, str]] = ({}, {})) -> list[str]:
    """The statements that turn ``live`` into ``target`` (``creates``: each table's CREATE;
    ``functions``: the target's and the live schema's functions)."""
    want_functions, have_functions = functions
    new = [t for t in creates if t in target and t not in live]
    changes: list[str] = [d for f, d in want_functions.items() if have_functions.get(f) != d]
    changes += [creates[t] for t in new]
    drops: list[str] = []
    adds: list[str] = []
    keys: list[str] = []
    triggers: list[str] = []
    for name, want in target.items():
        have = live.get(name, Table())
        table = _ident(name)
        if name in live:
            changes += _column_steps(name, want, have)
            for con, (kind, definition) in have.constraints.items():
                if kind != "p" and want.constraints.get(con) != (kind, definition):
                    drops.append(f"ALTER TABLE {table} DROP CONSTRAINT {_ident(con)}")
            for con, (kind, definition) in want.constraints.items():
                if kind != "p" and have.constraints.get(con) != (kind, definition):
                    step = f"ALTER TABLE {table} ADD CONSTRAINT {_ident(con)} {definition}"
                    (keys if kind == "f" else adds).append(step)
        for idx, definition in have.indexes.items():
            if want.indexes.get(idx) != definition:
                drops.append(f"DROP INDEX {_ident(idx)}")
        adds += [d for idx, d in want.indexes.items() if have.indexes.get(idx) != d]
        for trigger, definition in have.triggers.items():
            if want.triggers.get(trigger) != definition:
                drops.append(f"DROP TRIGGER {_ident(trigger)} ON {table}")
        triggers += [d for tr, d in want.triggers.items() if have.triggers.get(tr) != d]
    return changes + drops + adds + keys + triggers


async def migrate(conn: Connection, schema: str | None = None) -> list[str]:
    """Bring the connection's current schema to ``schema`` (the file by default) in place;
    returns the statements that changed it (none when it was up to date)."""
    parts = statements(schema if schema is not None else SCHEMA_PATH.read_text())
    extensions = [p for p in parts if p.upper().startswith("CREATE EXTENSION")]
    body = [p for p in parts if p not in extensions]
    creates = {m.group(1): p for p in body if (m := _CREATE_TABLE.match(p))}
    async with conn.transaction():
        await conn.execute(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
        live_schema: str = await conn.fetchval("SELECT current_schema()")
        live_path = f"{_ident(live_schema)}, public"
        for extension in extensions:
            await conn.execute(extension)
        await conn.execute(f"DROP SCHEMA IF EXISTS {_SCRATCH} CASCADE")
        await conn.execute(f"CREATE SCHEMA {_SCRATCH}")
        await conn.execute(f"SET LOCAL search_path TO {_SCRATCH}, {live_path}")
        for statement in body:
            await conn.execute(statement)
        target = await _catalog(conn, _SCRATCH)
        target_functions = await _functions(conn, _SCRATCH)
        await conn.execute(f"SET LOCAL search_path TO {live_path}")
        live = await _catalog(conn, live_schema)
        live_functions = await _functions(conn, live_schema)
        steps = plan(target, live, creates, (target_functions, live_functions))
        for step in steps:
            await conn.execute(step)
        await conn.execute(f"DROP SCHEMA {_SCRATCH} CASCADE")
    return steps
