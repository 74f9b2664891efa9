"""/readyz on PostgreSQL: not ready while the database refuses connections, ready once back."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_services
from bot.config import Config

# The PostgreSQL engine's test fixtures (tests/engines.py); without them there is no server.
engines = pytest.importorskip("tests.engines", reason="the PostgreSQL test engine is not here")


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_not_ready_while_postgresql_refuses_connections_ready_once_it_is_back(
    tmp_path: Path, request: pytest.FixtureRequest,
) -> None:
    url: str = request.getfixturevalue("postgres_url")
    name = url.rsplit("/", 1)[1]
    server = engines.with_database(url, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config.from_env({"DATABASE_URL": url, "METRICS_PORT": str(port),
                              "DATABASE_PATH": str(tmp_path / "unused.sqlite3")})
    services = await build_services(config, serve_metrics=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert (await get(f"{base}/readyz"))[0] == 200
        # The database goes away: no new connection, and the open ones are cut.
        engines._admin(server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS false",
                       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       f"WHERE datname = '{name}'")
        status, text = await get(f"{base}/readyz")
        assert status == 503, text
        assert "database: FAIL" in text
        assert url.split("//", 1)[1].split("@", 1)[0] not in text  # no user:password shown
        assert (await get(f"{base}/healthz"))[0] == 200
        engines._admin(server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        status, text = await get(f"{base}/readyz")
        assert status == 200, text
    finally:
        engines._admin(server, f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        await services.close()
