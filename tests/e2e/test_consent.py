"""Consent through the real PTB Application: "stop" and /stop opt a lead out (one confirmation,
then no nudges and no reminders, until "start"); /forget erases the lead's personal data and
messages from every table, keeps the meeting and tells the agent."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import AppointmentStatus, LeadStatus
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap, taps
from tests.engines import current_url, fetch

LEAD = 7001
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


async def say(bot: Bot, text: str, expect: str) -> dict[str, Any]:
    """Send ``text``; the first reply to it containing ``expect``."""
    mark = bot.telegram.mark()
    bot.telegram.push_text(LEAD, text, first_name="Maria", last_name="Lopez")
    return await bot.telegram.wait_for_text(LEAD, expect, after=mark)


async def status(bot: Bot) -> LeadStatus:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead.status


async def book_two_pm(bot: Bot) -> None:
    offers = await offers_for(bot.telegram, LEAD, "can we talk today at 2pm?")
    mark = bot.telegram.mark()
    await tap(bot.telegram, LEAD, offers, "Mon 7 Dec, 14:00 (UTC)")
    await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD
                                and r["method"] == "sendDocument", after=mark)


@pytest.mark.parametrize("words", ["stop", "STOP!", "Unsubscribe", "please don't message me",
                                   "/stop"])
async def test_stop_opts_out_with_one_confirmation_and_nothing_more_until_start(
        tmp_path: Path, words: str) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await say(bot, "hi, can we talk today?", "Tap one to book it")
        confirmation = await say(bot, words, "won't send you any more messages")
        assert not taps(confirmation)
        assert await status(bot) is LeadStatus.OPTED_OUT
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        history = [s for s, _ in await bot.services.store.leads.status_history(lead.id)]
        assert history[-1] is LeadStatus.OPTED_OUT
        # Writing again is not consent: no offers, just how to come back.
        reply = await say(bot, "what times do you have tomorrow?", "keeping quiet")
        assert not taps(reply)
        bot.clock.set(MONDAY_7 + timedelta(days=5))
        assert bot.services.nudges is not None and await bot.services.nudges.run_due() == 0
        assert not [r for r in bot.telegram.sent(LEAD) if "Reply \"stop\"" in (r["text"] or "")]
        await say(bot, "start", "Welcome back")
        assert await status(bot) is LeadStatus.ENGAGED
        await say(bot, "what times do you have tomorrow?", "Tap one to book it")


async def test_words_that_only_contain_stop_or_start_are_ordinary_messages(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await say(bot, "can we start at 2pm today?", "Tap one to book it")
        await say(bot, "I'll stop by the office later, any times on friday?", "Tap one")
        assert await status(bot) is not LeadStatus.OPTED_OUT


async def test_an_opted_out_lead_gets_no_reminder_of_a_booked_meeting(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await book_two_pm(bot)
        (appointment,) = await bot.services.store.appointments.by_status(
            AppointmentStatus.BOOKED)
        await say(bot, "stop", "won't send you any more messages")
        bot.clock.set(appointment.start - timedelta(hours=1))
        mark = bot.telegram.mark()
        assert not await bot.services.reminders.send(appointment.id, "1h")
        assert not [r for r in bot.telegram.sent(LEAD)[mark:] if "Reminder" in (r["text"] or "")]


def all_rows(path: Path) -> list[tuple[str, tuple[Any, ...]]]:
    """Every (table, row) of the test's database: the SQLite file, or its PostgreSQL database."""
    url = current_url()
    if url is not None:
        tables = [r[0] for r in fetch(url, "SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = current_schema()")]
        return [(t, tuple(row)) for t in tables
                for row in fetch(url, f"SELECT * FROM {t}")]  # table names
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        found = [(t, tuple(row)) for t in tables
                 for row in conn.execute(f"SELECT * FROM {t}")]  # table names
    conn.close()
    return found


def personal_rows(path: Path, needles: tuple[str, ...]) -> list[tuple[str, str]]:
    """Every (table, row) of the database that contains one of ``needles``."""
    found = []
    for table, row in all_rows(path):
        text = " ".join(str(v) for v in row).lower()
        if any(n.lower() in text for n in needles):
            found.append((table, text))
    return found


@pytest.mark.both_engines
async def test_forget_erases_personal_data_and_messages_keeps_the_meeting_and_tells_the_agent(
        tmp_path: Path) -> None:
    needles = ("Lead7001", "4155552671", "maria.lopez@example.com", "penthouse")
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await book_two_pm(bot)
        mark = bot.telegram.mark()
        bot.telegram.push_contact(LEAD, "+14155552671")
        await bot.telegram.wait_for_text(LEAD, "What would you like to talk about?", after=mark)
        await say(bot, "a penthouse in the old town", "saved")
        await say(bot, "my email is maria.lopez@example.com", "saved your email")
        path = bot.services.config.database_path
        assert {t for t, _ in personal_rows(path, needles)} >= {"leads", "messages"}

        mark = bot.telegram.mark()
        bot.telegram.push_command(LEAD, "/forget")
        done = await bot.telegram.wait_for_text(LEAD, "deleted your name", after=mark)
        kept = await bot.telegram.wait_for_text(LEAD, "still stands", after=mark)
        assert "on Mon 7 Dec, 06:00 (Los Angeles) still stands" in kept["text"]  # the phone's zone
        notice = await bot.telegram.wait_for_text(AGENT_ID, "personal data deleted", after=mark)
        assert "Their meeting still stands: #" in notice["text"]
        assert done["text"] and personal_rows(path, needles) == []
        assert await bot.services.store.messages.count() == 0
        assert await status(bot) is LeadStatus.OPTED_OUT
        (appointment,) = await bot.services.store.appointments.by_status(
            AppointmentStatus.BOOKED)
        assert (await bot.services.store.appointments.outcomes_since(MONDAY_7
                                                                     - timedelta(days=1))
                ) == {"booked": 1}

        # The meeting stays until the lead asks: the button cancels it.
        (button,) = [b for row in kept["reply_markup"]["inline_keyboard"] for b in row]
        mark = bot.telegram.mark()
        bot.telegram.push_callback(LEAD, button["callback_data"], message_id=kept["message_id"])
        await bot.telegram.wait_for_text(LEAD, "cancelled", after=mark)
        assert (await bot.services.store.appointments.get(appointment.id)).status is (  # type: ignore[union-attr]
            AppointmentStatus.CANCELLED)
