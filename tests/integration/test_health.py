"""/healthz while the process runs; /readyz only while the database and Telegram answer."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_services
from bot.config import Config
from bot.services import Services
from tests.e2e.harness import TOKEN
from tests.fakes.telegram import FakeTelegram


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[Services, FakeTelegram, str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeTelegram(token=TOKEN) as telegram:
        config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3"),
                                  "METRICS_PORT": str(port), "TELEGRAM_BOT_TOKEN": TOKEN,
                                  "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot"})
        services = await build_services(config, serve_metrics=True)
        try:
            yield services, telegram, f"http://127.0.0.1:{port}"
        finally:
            await services.close()


async def test_ready_while_the_database_and_telegram_answer(
    served: tuple[Services, FakeTelegram, str],
) -> None:
    _, telegram, base = served
    assert await get(f"{base}/healthz") == (200, "ok\n")
    status, text = await get(f"{base}/readyz")
    assert status == 200, text
    assert text.splitlines() == ["ready", "database: ok", "telegram: ok"]
    assert telegram.calls("getMe")  # Telegram was really asked


async def test_not_ready_while_telegram_fails_yet_alive(
    served: tuple[Services, FakeTelegram, str],
) -> None:
    _, telegram, base = served
    telegram.fail("getMe", 502, times=5)
    status, text = await get(f"{base}/readyz")
    assert status == 503
    assert text.splitlines()[0] == "not ready"
    assert "database: ok" in text and "telegram: FAIL" in text
    assert TOKEN.split(":")[1] not in text
    assert (await get(f"{base}/healthz"))[0] == 200  # alive: no restart for Telegram's outage


async def test_not_ready_while_the_database_is_unavailable(
    served: tuple[Services, FakeTelegram, str],
) -> None:
    services, _, base = served
    assert (await get(f"{base}/readyz"))[0] == 200
    await services.store.close()  # the connection to the database is gone
    status, text = await get(f"{base}/readyz")
    assert status == 503
    assert "database: FAIL" in text and "telegram: ok" in text
    assert (await get(f"{base}/healthz"))[0] == 200
