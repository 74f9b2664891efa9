"""Both database engines for the tests: SQLite files, and PostgreSQL databases on a throwaway
server (``LEADBOT_TEST_POSTGRES_URL``, set by ``make test``; started here when unset and
PostgreSQL is at hand).

The storage, booking, race, reminder and reliability tests run once per engine (``ENGINE_TESTS``
below, and any test marked ``both_engines``): the ``engine`` fixture gives each PostgreSQL run a
database of its own, and ``location``/``env_for`` point the code under test at it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from storage.postgres.dialect import translate
from tools import throwaway_postgres

ENGINES = ("sqlite", "postgres")
# Test modules (paths under tests/) run against both engines.
ENGINE_TESTS = (
    "integration/test_storage.py", "integration/test_hold.py", "integration/test_agent_store.py",
    "integration/test_booking.py", "reliability/test_races.py",
    "e2e/test_reminders.py", "reliability/test_crash_recovery.py",
    "reliability/test_faults_integrations.py", "reliability/test_faults_ai.py",
    "e2e/test_replicas.py", "reliability/test_webhook_replicas.py",
    "integration/test_team_storage.py", "integration/test_jobs.py",
    "integration/test_events_webhook.py", "integration/test_event_triggers.py",
)

_current: str | None = None


def current_url() -> str | None:
    """The PostgreSQL database of the running test, when it runs on PostgreSQL."""
    return _current


def location(sqlite_file: Path) -> Path | str:
    """Where the running test's data lives: ``sqlite_file``, or its PostgreSQL database."""
    return _current or sqlite_file


def _admin(url: str, *statements: str) -> None:
    """Run statements on the server from a thread of their own (outside the test's loop)."""
    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def fetch(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Rows of one query (``?`` placeholders) on a PostgreSQL database, read from outside."""
    statement = translate(sql)

    async def run() -> list[Any]:
        conn = await asyncpg.connect(url)
        try:
            return list(await conn.fetch(statement.sql, *statement.args(params)))
        finally:
            await conn.close()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class PostgresServer:
    """The session's server: given by the environment, or started (and stopped) here."""

    def __init__(self) -> None:
        self.url = os.environ.get(throwaway_postgres.URL_VARIABLE)
        self.why = ""
        self._server: throwaway_postgres.Server | None = None

    def get(self) -> str:
        if self.url is None and not self.why:
            try:
                self._server = throwaway_postgres.start()
                self.url = self._server.url
            except throwaway_postgres.Unavailable as err:
                self.why = str(err)
        if self.url is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required in CI: {self.why}")
            pytest.skip(f"PostgreSQL not available: {self.why}")
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            throwaway_postgres.stop(self._server)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    server = postgres_server.get()
    name = f"leadbot_test_{uuid.uuid4().hex[:12]}"
    _admin(server, f"CREATE DATABASE {name}")
    try:
        yield with_database(server, name)
    finally:
        _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """``sqlite`` or ``postgres``: the engine this run of the test uses."""
    global _current
    name: str = getattr(request, "param", "sqlite")
    if name == "postgres":
        _current = request.getfixturevalue("postgres_url")
    try:
        yield name
    finally:
        _current = None


def parametrize(metafunc: pytest.Metafunc, root: Path) -> None:
    """Run the tests of ``ENGINE_TESTS``, and those marked ``both_engines``, once per engine."""
    path = Path(str(metafunc.definition.fspath)).resolve()
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else ""
    marked = {m.name for m in metafunc.definition.iter_markers()}
    if ((relative in ENGINE_TESTS or "both_engines" in marked)
            and "engine" in metafunc.fixturenames):
        engines = [e for e in ENGINES if f"{e}_only" in marked] or list(ENGINES)
        metafunc.parametrize("engine", engines, indirect=True)
