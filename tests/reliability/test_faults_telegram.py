"""The Bot API failing: rate limits, server errors and a second instance polling the token."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.cli import telegram_application
from bot.config import Config
from handlers.application import run_polling
from tests.e2e.harness import TOKEN, Bot, running_bot
from tests.fakes.telegram import FakeTelegram
from tests.reliability.helpers import markup_taps, until
from tests.world import CALENDAR

LEAD = 8101


def live(bot: Bot) -> tuple[int, int]:
    """Live Zoom meetings and calendar events."""
    events = bot.google.events[CALENDAR].values()
    return len(bot.zoom.meetings), sum(e["status"] != "cancelled" for e in events)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_rate_limited_reply_still_arrives(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.fail("sendMessage", status=429, retry_after=1)
        started = time.monotonic()
        tg.push_text(LEAD, "show me times")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(markup_taps(r)),
                                   timeout=10)
        assert time.monotonic() - started >= 1.0, "Telegram's retry_after was honoured"
        assert offers["method"] == "sendMessage"
        assert len([r for r in tg.sent(LEAD) if markup_taps(r)]) == 1, "sent once, not twice"
        assert live(bot) == (0, 0)


async def test_a_telegram_5xx_is_sent_again_and_the_bot_keeps_serving(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="handlers")
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.fail("sendMessage", status=502, times=1)
        tg.push_text(LEAD, "hello")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and r["method"] == "sendMessage")
        assert len(tg.calls("sendMessage")) == 2, "the reply was sent once more"
        assert bot.services.metrics.count("errors.send") == 0
        # Twice in a row: the reply is lost, but counted and logged, with no apology spam.
        tg.fail("sendMessage", status=502, times=2)
        mark = tg.mark()
        tg.push_text(LEAD, "hello again")
        await until(lambda: bot.services.metrics.count("errors.send") == 1)
        assert any("not delivered" in r.getMessage() for r in caplog.records)
        assert not tg.sent(LEAD)[mark:]
        mark = tg.mark()
        tg.push_text(LEAD, "show me times")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(markup_taps(r)), after=mark)
        tg.push_text(LEAD + 1, "show me times")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD + 1 and bool(markup_taps(r)))
        assert live(bot) == (0, 0)


async def test_a_second_instance_stops_this_one_with_one_line_and_exit_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with FakeTelegram(token=TOKEN) as tg:
        tg.conflict_polling()
        config = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN,
                                  "TELEGRAM_API_BASE_URL": f"{tg.url}/bot",
                                  "DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
        started = time.monotonic()
        # PTB's run_polling runs its own event loop: in a thread, beside the fake's loop.
        code = await asyncio.to_thread(
            lambda: run_polling(telegram_application(config), poll_timeout=1, stop_signals=()))
        elapsed = time.monotonic() - started
        polls = len(tg.calls("getUpdates"))
    assert code == 1
    assert elapsed < 5.0, elapsed
    assert polls <= 3, f"kept polling into the conflict: {polls} getUpdates"
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines == ["another instance is polling with this TELEGRAM_BOT_TOKEN; "
                     "stopping this one."]


async def test_a_rejected_token_is_one_line_without_the_token_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    wrong = "654321:" + "Z" * 35
    async with FakeTelegram(token=TOKEN) as tg:
        config = Config.from_env({"TELEGRAM_BOT_TOKEN": wrong,
                                  "TELEGRAM_API_BASE_URL": f"{tg.url}/bot",
                                  "DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
        code = await asyncio.to_thread(
            lambda: run_polling(telegram_application(config), poll_timeout=1, stop_signals=()))
    assert code == 2
    captured = capsys.readouterr()
    assert [line for line in captured.out.splitlines() if line.strip()] == [
        "TELEGRAM_BOT_TOKEN was rejected by Telegram: check it with @BotFather."]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert wrong not in captured.out + captured.err + logged
    assert not any(r.exc_info for r in caplog.records), "no traceback for a bad token"
