"""The real bot as a child process (``python -m bot run``) against the loopback fakes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.e2e.harness import TOKEN
from tests.engines import fetch
from tests.fakes.google import FakeGoogle
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zoom import FakeZoom
from tests.world import CALENDAR, env_for

ROOT = Path(__file__).resolve().parents[2]
AGENT_TG = 777
LEAD_TG = 9301


@dataclass
class Rig:
    """Fakes, the child's environment, and the child (when running)."""

    tmp_path: Path
    telegram: FakeTelegram
    google: FakeGoogle
    zoom: FakeZoom
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    _logs: list[IO[Any]] = field(default_factory=list)

    @property
    def database(self) -> Path:
        return Path(self.env["DATABASE_PATH"])

    async def cli(self, *args: str) -> str:
        """Run ``python -m bot ARGS`` to completion; its stdout."""
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, env=self.env, cwd=self.tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(child.communicate(), 30)
        assert child.returncode == 0, err.decode()
        return out.decode()

    async def start(self) -> None:
        """Start ``python -m bot run`` and wait until it polls for updates."""
        self.starts += 1
        log = (self.tmp_path / f"run{self.starts}.log").open("w")
        self._logs.append(log)
        polls = len(self.telegram.calls("getUpdates"))
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env, cwd=self.tmp_path,
            stdout=log, stderr=asyncio.subprocess.STDOUT)
        await self.telegram.wait_for_call(
            "getUpdates", lambda _: len(self.telegram.calls("getUpdates")) > polls, timeout=30)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut of the process."""
        assert self.process is not None
        self.process.kill()
        await self.process.wait()
        self.process = None

    async def terminate(self, timeout: float = 20.0) -> int:  # noqa: ASYNC109
        """SIGTERM and the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        self.process = None
        return code

    def log(self) -> str:
        """Everything the children wrote, for failure messages."""
        return "\n".join((self.tmp_path / f"run{n}.log").read_text()
                         for n in range(1, self.starts + 1))

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Read the bot's database from outside, as an operator would."""
        if "DATABASE_URL" in self.env:
            return fetch(self.env["DATABASE_URL"], sql, params)
        conn = sqlite3.connect(self.database)
        conn.row_factory = sqlite3.Row
        try:
            return list(conn.execute(sql, params))
        finally:
            conn.close()

    def orphans(self) -> tuple[int, int]:
        """Live Zoom meetings and live calendar events."""
        live = [e for e in self.google.events[CALENDAR].values() if e["status"] != "cancelled"]
        return len(self.zoom.meetings), len(live)

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        for log in self._logs:
            log.close()


@asynccontextmanager
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """Fakes started, an agent added through the CLI (every hour of every day); not started."""
    async with AsyncExitStack() as stack:
        telegram = await stack.enter_async_context(FakeTelegram(token=TOKEN))
        google = await stack.enter_async_context(FakeGoogle(calendars=(CALENDAR,)))
        zoom = await stack.enter_async_context(FakeZoom())
        keep = {k: v for k, v in os.environ.items()
                if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
        env = keep | env_for(tmp_path, google, zoom) | {
            "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
            "APP_ENV": "development", "LOG_LEVEL": "INFO"}
        bot = Rig(tmp_path, telegram, google, zoom, env)
        stack.push_async_callback(bot.close)
        agent_id = await bot.cli("agents", "add", "--name", "Alice Agent", "--telegram-id",
                                 str(AGENT_TG), "--calendar-id", CALENDAR, "--timezone", "UTC",
                                 "--hours", "mon-sun 00:00-24:00", "--notice-minutes", "60")
        assert agent_id.strip() == "1"
        yield bot
