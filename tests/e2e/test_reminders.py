"""Reminders through the real PTB Application and its JobQueue: the confirmation promises what
will really be sent, each reminder says the time really left, and a restart keeps to both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import Job

from tests.e2e.harness import Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap

LEAD = 5001
NINE = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def book_nine(bot: Bot) -> dict[str, Any]:
    """The lead books Monday 09:00; the confirmation."""
    tg = bot.telegram
    offers = await offers_for(tg, LEAD, "can we talk today at 9am?")
    mark = tg.mark()
    await tap(tg, LEAD, offers, "Mon 7 Dec, 09:00 (UTC)")
    return await tg.wait_for(lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument",
                             after=mark)


def jobs(bot: Bot) -> dict[str, Job[Any]]:
    """The reminder jobs in PTB's JobQueue, by name."""
    assert bot.app.job_queue is not None
    return {job.name or "": job for job in bot.app.job_queue.jobs()
            if (job.name or "").startswith("reminder:")}


async def test_booked_two_hours_ahead_the_lead_is_promised_and_sent_the_hour_before_reminder(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:  # Monday 07:00
        confirmation = await book_nine(bot)
        assert "I'll remind you an hour before." in confirmation["text"]
        assert "a day" not in confirmation["text"]
        (name,) = jobs(bot)
        assert name.endswith(":1h")
        job = jobs(bot)[name]
        assert job.next_t == NINE.replace(hour=8)
        bot.clock.set(NINE.replace(hour=8))  # the job's time has come
        mark = bot.telegram.mark()
        await job.run(bot.app)
        reminder = await bot.telegram.wait_for_text(LEAD, "Reminder", after=mark)
        assert "is in an hour, Monday 7 December 2026, 09:00 (UTC)" in reminder["text"]


async def test_after_a_restart_past_the_hour_before_mark_the_reminder_says_45_minutes(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book_nine(bot)
    async with running_bot(tmp_path, at=NINE.replace(hour=8, minute=15)) as bot:
        reminder = await bot.telegram.wait_for_text(LEAD, "Reminder")
        assert "is in 45 minutes" in reminder["text"], reminder["text"]
        assert jobs(bot) == {}


async def test_after_a_restart_before_the_hour_before_mark_it_goes_out_at_its_time(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book_nine(bot)
    async with running_bot(tmp_path, at=NINE.replace(hour=7, minute=30)) as bot:
        (job,) = jobs(bot).values()
        assert job.next_t == NINE.replace(hour=8)
        assert not [r for r in bot.telegram.sent(LEAD) if "Reminder" in (r["text"] or "")]


async def test_booked_twenty_minutes_ahead_the_lead_gets_one_reminder_ten_minutes_before(
        tmp_path: Path) -> None:
    at = NINE.replace(hour=8, minute=40)
    async with running_bot(tmp_path, at=at, agent={"notice_minutes": 5}) as bot:
        confirmation = await book_nine(bot)
        assert "I'll remind you ten minutes before." in confirmation["text"]
        (job,) = jobs(bot).values()
        assert (job.name or "").endswith(":10m")
        assert job.next_t == NINE.replace(hour=8, minute=50)
        bot.clock.set(NINE.replace(hour=8, minute=50))
        mark = bot.telegram.mark()
        await job.run(bot.app)
        reminder = await bot.telegram.wait_for_text(LEAD, "Reminder", after=mark)
        assert "is in 10 minutes" in reminder["text"]
