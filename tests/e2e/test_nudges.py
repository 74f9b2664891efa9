"""Nudges through the real PTB Application, a hand-moved clock and the fake Bot API: the
schedule after the lead's last message, quiet hours in the lead's zone, what stops a sequence,
and a restart in the middle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.followups.nudges import Nudges
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap, taps

LEAD = 6001
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def nudges_of(bot: Bot) -> Nudges:
    assert bot.services.nudges is not None
    return bot.services.nudges


def nudges_sent(bot: Bot, after: int = 0) -> list[dict[str, Any]]:
    """The nudges the lead received (from ``after``), each with its offer buttons."""
    return [r for r in bot.telegram.sent(LEAD)[after:] if "Reply \"stop\"" in (r["text"] or "")]


async def due_of(bot: Bot) -> datetime | None:
    """When the lead's open nudge is due, if one is planned."""
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    job = await bot.services.store.jobs.open_for(lead.id)
    return job.due_at if job else None


async def run_at(bot: Bot, at: datetime) -> int:
    """Move the clock and send what is due then (what the minute timer does)."""
    bot.clock.set(at)
    return await nudges_of(bot).run_due()


async def silent_lead(bot: Bot, text: str = "hi, I'd like to talk about a flat") -> None:
    """The lead writes once (at the clock's time) and is answered, then goes silent."""
    mark = bot.telegram.mark()
    bot.telegram.push_text(LEAD, text, first_name="Maria")
    await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)


@pytest.mark.both_engines
async def test_a_silent_lead_is_nudged_6h_1d_and_3d_after_the_last_message_with_fresh_offers(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
        assert await due_of(bot) == MONDAY_7 + timedelta(hours=6)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=5, minutes=59)) == 0
        assert nudges_sent(bot) == []

        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 1
        (first,) = nudges_sent(bot)
        assert "Maria" in first["text"].splitlines()[0]
        labels = [label for label, _ in taps(first)]
        # Fresh: the earliest is the first free time an hour's notice after 13:00.
        assert labels[0] == "Mon 7 Dec, 14:00 (UTC)", labels
        # A day after the last message is Tuesday 07:00, inside the quiet hours (21-09): 09:00.
        assert await due_of(bot) == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
        assert await run_at(bot, datetime(2026, 12, 8, 9, 0, tzinfo=UTC)) == 1
        # Three days after: Thursday 07:00, quiet again, so 09:00.
        assert await due_of(bot) == datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
        assert await run_at(bot, datetime(2026, 12, 10, 9, 0, tzinfo=UTC)) == 1
        texts = [r["text"] for r in nudges_sent(bot)]
        assert len(texts) == 3 and len(set(texts)) == 3, "each nudge reads differently"
        assert await due_of(bot) is None, "the schedule is over"
        assert await run_at(bot, datetime(2026, 12, 20, 12, 0, tzinfo=UTC)) == 0
        assert len(nudges_sent(bot)) == 3


async def test_a_nudges_offer_books_with_one_tap(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
        await run_at(bot, MONDAY_7 + timedelta(hours=6))
        (nudge,) = nudges_sent(bot)
        mark = bot.telegram.mark()
        await tap(bot.telegram, LEAD, nudge, "Mon 7 Dec, 14:00 (UTC)")
        await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD
                                    and r["method"] == "sendDocument", after=mark)


async def test_a_nudge_due_in_the_quiet_hours_of_the_leads_zone_waits_for_their_end(
        tmp_path: Path) -> None:
    # 07:00 UTC is 16:00 in Tokyo: six hours later is 22:00 there, inside 21:00-09:00.
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot, "hi, I'm in Tokyo. can we talk?")
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None and lead.timezone == "Asia/Tokyo"
        # Tuesday 09:00 in Tokyo is Tuesday 00:00 UTC.
        assert await due_of(bot) == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 0
        assert await run_at(bot, datetime(2026, 12, 8, 0, 0, tzinfo=UTC)) == 1


async def test_a_reply_stops_the_sequence_and_the_next_silence_starts_it_again(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 1
        bot.clock.set(MONDAY_7 + timedelta(hours=7))
        await silent_lead(bot, "thanks, let me check my diary")
        # Not a day after the first message: six hours after this reply.
        assert await due_of(bot) == MONDAY_7 + timedelta(hours=13)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=12)) == 0
        assert await run_at(bot, MONDAY_7 + timedelta(hours=13)) == 1
        assert len(nudges_sent(bot)) == 2


async def test_a_booking_stops_the_nudges(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        offers = await offers_for(bot.telegram, LEAD, "can we talk today at 2pm?")
        mark = bot.telegram.mark()
        await tap(bot.telegram, LEAD, offers, "Mon 7 Dec, 14:00 (UTC)")
        await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD
                                    and r["method"] == "sendDocument", after=mark)
        assert await due_of(bot) is None
        assert await run_at(bot, MONDAY_7 + timedelta(days=5)) == 0
        assert nudges_sent(bot) == []


async def test_a_takeover_stops_the_nudges_at_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        mark = bot.telegram.mark()
        bot.telegram.push_text(AGENT_ID, f"/takeover {lead.id}")
        await bot.telegram.wait_for_text(AGENT_ID, "You are now", after=mark)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 0
        assert await run_at(bot, MONDAY_7 + timedelta(days=4)) == 0
        assert nudges_sent(bot) == []
        assert await due_of(bot) is None


async def test_an_opt_out_stops_the_nudges(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "stop")
        confirmation = await bot.telegram.wait_for_text(LEAD, "won't send", after=mark)
        assert not taps(confirmation)
        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 0
        assert await run_at(bot, MONDAY_7 + timedelta(days=4)) == 0
        assert nudges_sent(bot) == []


@pytest.mark.both_engines
async def test_after_a_restart_a_nudge_at_most_an_hour_late_is_sent_on_start(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
    async with running_bot(tmp_path, at=MONDAY_7 + timedelta(hours=6, minutes=50)) as bot:
        (nudge,) = nudges_sent(bot)
        assert taps(nudge)
        assert await due_of(bot) == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


async def test_after_a_restart_a_nudge_more_than_an_hour_late_is_skipped_for_the_next(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await silent_lead(bot)
    async with running_bot(tmp_path, at=MONDAY_7 + timedelta(hours=8)) as bot:
        assert nudges_sent(bot) == []
        assert await due_of(bot) == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    async with running_bot(tmp_path, at=datetime(2026, 12, 8, 9, 30, tzinfo=UTC)) as bot:
        assert len(nudges_sent(bot)) == 1
