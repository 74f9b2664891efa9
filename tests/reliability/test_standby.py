"""Two ``python -m bot run`` processes in polling mode on one PostgreSQL: only the holder of the
polling lock polls Telegram; when it is killed the standby takes over and answers.

Each process talks to its own fake Bot API (same token), so the test sees which one polls.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp

from tests.e2e.harness import TOKEN
from tests.fakes.google import FakeGoogle
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zoom import FakeZoom
from tests.reliability.helpers import until
from tests.world import CALENDAR, env_for

ROOT = Path(__file__).resolve().parents[2]
LEAD = 9401


@asynccontextmanager
async def replica(env: dict[str, str], telegram: FakeTelegram, log: Path
                  ) -> AsyncIterator[asyncio.subprocess.Process]:
    with log.open("w") as out:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=log.parent, stdout=out,
            stderr=asyncio.subprocess.STDOUT,
            env=env | {"TELEGRAM_API_BASE_URL": f"{telegram.url}/bot"})
        try:
            yield child
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def status(url: str) -> int:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status
    except aiohttp.ClientError:
        return 0


async def test_only_one_replica_polls_and_the_standby_answers_once_it_is_killed(
        tmp_path: Path, postgres_url: str) -> None:
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(FakeTelegram(token=TOKEN))
        two = await stack.enter_async_context(FakeTelegram(token=TOKEN, first_update_id=1000))
        google = await stack.enter_async_context(FakeGoogle(calendars=(CALENDAR,)))
        zoom = await stack.enter_async_context(FakeZoom())
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        env = keep | env_for(tmp_path, google, zoom) | {
            "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "DATABASE_URL": postgres_url,
            "NO_PROXY": "127.0.0.1,localhost", "TELEGRAM_BOT_TOKEN": TOKEN,
            "APP_ENV": "development"}
        add = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "agents", "add", "--name", "Alice", "--telegram-id",
            "777", "--calendar-id", CALENDAR, "--timezone", "UTC", "--hours",
            "mon-sun 00:00-24:00", cwd=tmp_path, env=env)
        assert await asyncio.wait_for(add.wait(), 60) == 0

        first = await stack.enter_async_context(replica(env, one, tmp_path / "one.log"))
        await one.wait_for_call("getUpdates", timeout=30)
        port = free_port()
        health = f"http://127.0.0.1:{port}"
        async with replica(env | {"METRICS_PORT": str(port)}, two, tmp_path / "two.log"):
            await until(lambda: "standby" in (tmp_path / "two.log").read_text(), 30,
                        "the second replica to stand by")
            # A standby is alive (a container keeps it) but not ready: it does not poll.
            assert await status(f"{health}/healthz") == 200
            assert await status(f"{health}/readyz") == 503
            one.push_text(LEAD, "hello", first_name="Standby")
            await one.wait_for(lambda r: r["chat_id"] == LEAD, timeout=15)
            assert not two.calls("getUpdates"), "the standby must not poll"

            first.kill()
            await first.wait()
            killed = time.monotonic()
            two.push_text(LEAD, "show me times", first_name="Standby")
            answer = await two.wait_for(lambda r: r["chat_id"] == LEAD, timeout=20)
            took = time.monotonic() - killed
            assert took < 20, f"the standby took {took:.1f} s"
            assert answer["text"], answer
            assert "polls Telegram" in (tmp_path / "two.log").read_text()
            assert await status(f"{health}/healthz") == 200
            assert await status(f"{health}/readyz") == 200
