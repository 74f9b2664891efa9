"""`python -m bot doctor` checks each configured integration for real, one line each."""

from __future__ import annotations

import io
from pathlib import Path

from bot.cli import doctor
from bot.clock import SystemClock
from bot.config import Config
from bot.domain import Agent
from bot.observability.metrics import Metrics
from storage.store import Store
from tests.e2e.harness import TOKEN
from tests.fakes.google import FakeGoogle
from tests.fakes.openai import FakeOpenAI
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zoom import FakeZoom
from tests.world import CALENDAR, env_for


async def test_every_configured_integration_is_checked(tmp_path: Path) -> None:
    async with (FakeTelegram(token=TOKEN) as telegram, FakeGoogle(calendars=(CALENDAR,)) as google,
                FakeZoom() as zoom, FakeOpenAI(api_key="sk-doctor") as ai):
        env = env_for(tmp_path, google, zoom, TELEGRAM_BOT_TOKEN=TOKEN,
                      TELEGRAM_API_BASE_URL=f"{telegram.url}/bot", OPENAI_API_KEY="sk-doctor",
                      OPENAI_BASE_URL=f"{ai.url}/v1")
        config = Config.from_env(env)
        store = await Store.open(config.database_path, Metrics(), SystemClock())
        await store.agents.add(Agent(0, "Ann", 1, CALENDAR, "UTC", "mon-fri 09:00-17:00"))
        await store.close()
        out = io.StringIO()
        assert await doctor(config, out) == 0, out.getvalue()
        lines = out.getvalue().splitlines()
        assert [line.split()[:2] for line in lines] == [
            ["ok", "database"], ["ok", "telegram"], ["ok", "openai"], ["ok", "google"],
            ["ok", "zoom"]]
        assert "free/busy read for 1 calendar" in lines[3]
        assert google.token_requests == 1 and zoom.token_requests == 1

        bad = dict(env, ZOOM_CLIENT_SECRET="wrong-secret")
        out = io.StringIO()
        assert await doctor(Config.from_env(bad), out) == 1
        (zoom_line,) = [line for line in out.getvalue().splitlines() if "zoom" in line]
        assert zoom_line.startswith("FAIL  zoom")
        assert "wrong-secret" not in out.getvalue()


async def test_without_keys_it_says_what_is_embedded(tmp_path: Path) -> None:
    out = io.StringIO()
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "db.sqlite3")})
    assert await doctor(config, out) == 0
    assert "skip  telegram, openai, google, zoom: not configured" in out.getvalue()


async def test_the_consoles_demo_agent_is_not_checked_against_google(tmp_path: Path) -> None:
    async with FakeGoogle(calendars=(CALENDAR,)) as google:
        config = Config.from_env(env_for(tmp_path, google, None))
        store = await Store.open(config.database_path, Metrics(), SystemClock())
        await store.agents.add(Agent(0, "Ann", 1, CALENDAR, "UTC", "mon-fri 09:00-17:00"))
        await store.agents.add(Agent(0, "Alex (demo agent)", 2, "demo@local", "UTC",
                                     "mon-fri 09:00-17:00", console_only=True))
        await store.close()
        out = io.StringIO()
        assert await doctor(config, out) == 0, out.getvalue()
        assert "1 active agent(s) (+1 console-only)" in out.getvalue()
        assert "free/busy read for 1 calendar" in out.getvalue()
        assert "demo@local" not in str([r.body for r in google.requests])

        google.fail_calendar(CALENDAR, "notFound")
        out = io.StringIO()
        assert await doctor(config, out) == 1
        (line,) = [x for x in out.getvalue().splitlines() if x.startswith("FAIL")]
        assert "google" in line and CALENDAR in line and "notFound" in line
