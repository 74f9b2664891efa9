"""``slots`` when one agent's calendar cannot be read: the others are listed, the operator is
told which agent was left out and why, and the exit code says the listing is incomplete."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import SystemClock
from bot.domain import Agent
from bot.observability.metrics import Metrics
from storage.store import Store
from tests.fakes.google import FakeGoogle, make_service_account_file

ALICE, BOB = "alice@example.com", "bob@example.com"


async def test_slots_lists_the_readable_agents_and_names_the_one_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    async with FakeGoogle(calendars=(ALICE, BOB)) as google:
        db = tmp_path / "bot.sqlite3"
        store = await Store.open(db, Metrics(), SystemClock())
        alice = await store.agents.add(Agent(0, "Alice", 1, ALICE, "UTC", "mon-fri 09:00-17:00",
                                             notice_minutes=0))
        bob = await store.agents.add(Agent(0, "Bob", 2, BOB, "UTC", "mon-fri 09:00-17:00",
                                           notice_minutes=0))
        await store.close()
        google.fail_calendar(BOB, "notFound")
        monkeypatch.chdir(tmp_path)
        for name, value in {"DATABASE_PATH": str(db),
                            "GOOGLE_SERVICE_ACCOUNT_FILE": str(make_service_account_file(
                                tmp_path, google.token_uri)),
                            "GOOGLE_CALENDAR_API_URL": google.api_url}.items():
            monkeypatch.setenv(name, value)
        monday = date.today() + timedelta(days=7 - date.today().weekday())

        code = await _run(["slots", "--from", monday.isoformat(), "--days", "1"])

        out, err = capsys.readouterr()
        assert code == 1
        assert f"agent {alice.id}  " in out and f"agent {bob.id}  " not in out
        (line,) = err.splitlines()
        assert f"agent {bob.id} (Bob)" in line and BOB in line and "notFound" in line


async def _run(argv: list[str]) -> int:
    # main() runs its own event loop: off this test's loop, in a thread.
    return await asyncio.to_thread(main, argv)
