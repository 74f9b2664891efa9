"""The console chat on the real database and clients: its demo agent lives in the bot's own
calendar even when Google is configured, so Google is never asked about ``demo@local``."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.app import repositories
from bot.config import Config
from bot.console import run_console
from tests.fakes.google import FakeGoogle
from tests.world import CALENDAR, env_for


async def test_with_google_configured_the_demo_agent_books_without_asking_google(
    tmp_path: Path,
) -> None:
    async with FakeGoogle(calendars=(CALENDAR,)) as google:
        config = Config.from_env(env_for(tmp_path, google, None))
        out = io.StringIO()
        code = await run_console(config, stdin=io.StringIO("/times\n1\n"), stdout=out)
        assert code == 0
        text = out.getvalue()
        assert "created a demo agent" in text and "serves this console only" in text
        assert "You're booked" in text, text
        assert re.search(r"Join link: https://meet\.jit\.si/\S+", text)
        assert "can't check the calendar" not in text
        asked = [r for r in google.requests if "demo@local" in str(r.body) + r.path]
        assert asked == []


async def test_a_deactivated_demo_agent_is_not_made_again(tmp_path: Path) -> None:
    config = Config.from_env({"DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    await run_console(config, stdin=io.StringIO(""), stdout=io.StringIO())
    async with repositories(config) as store:
        (demo,) = await store.agents.list()
        assert demo.console_only
        await store.agents.update(demo.id, active=False)

    out = io.StringIO()
    assert await run_console(config, stdin=io.StringIO(""), stdout=out) == 0
    assert f"agents activate {demo.id}" in out.getvalue()
    async with repositories(config) as store:
        assert [a.id for a in await store.agents.list()] == [demo.id]
