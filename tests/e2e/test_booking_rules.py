"""The agent's rules at the tap, through the real PTB Application: the minimum notice and the
daily cap are checked when the lead taps, against the database, not only when times are shown."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain import AppointmentStatus
from tests.e2e.harness import Bot, running_bot
from tests.fakes.telegram import FakeTelegram

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def taps(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, data) of the offer buttons of one message."""
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row if b.get("callback_data", "").startswith("o:")]


async def offers_for(tg: FakeTelegram, lead: int, text: str) -> dict[str, Any]:
    """Send ``text``; the reply that carries offer buttons."""
    mark = tg.mark()
    tg.push_text(lead, text, first_name=f"Lead{lead}")
    return await tg.wait_for(lambda r: r["chat_id"] == lead and bool(taps(r)), after=mark)


async def tap(tg: FakeTelegram, lead: int, offers: dict[str, Any], label: str) -> None:
    (data,) = [d for text, d in taps(offers) if text == label]
    tg.push_callback(lead, data, message_id=offers["message_id"])


async def booked(bot: Bot) -> list[datetime]:
    """Start times of every booked appointment."""
    rows = await bot.services.store.appointments.by_status(AppointmentStatus.BOOKED)
    return [a.start for a in rows]


async def test_an_offer_tapped_after_the_notice_ran_out_is_refused_with_fresh_times(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_9, agent={"notice_minutes": 120}) as bot:
        tg = bot.telegram
        offers = await offers_for(tg, 5001, "can we talk today at 2pm?")
        assert "Mon 7 Dec, 14:00 (UTC)" in [label for label, _ in taps(offers)]
        bot.clock.set(MONDAY_9.replace(hour=13, minute=50))  # the offer is still open
        mark = tg.mark()
        await tap(tg, 5001, offers, "Mon 7 Dec, 14:00 (UTC)")
        refusal = await tg.wait_for(lambda r: r["chat_id"] == 5001 and bool(taps(r)),
                                    after=mark)
        assert "too close to book" in refusal["text"]
        assert all(label >= "Mon 7 Dec, 16:00" or not label.startswith("Mon")
                   for label, _ in taps(refusal)), taps(refusal)
        assert await booked(bot) == []
        assert not bot.zoom.meetings and not tg.calls("sendDocument")


async def test_two_leads_racing_for_the_last_slot_of_a_capped_day_book_it_once(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, agent={"max_per_day": 2}) as bot:
        tg = bot.telegram
        first = await offers_for(tg, 5001, "can we talk today at 9am?")
        await tap(tg, 5001, first, "Mon 7 Dec, 09:00 (UTC)")
        await tg.wait_for(lambda r: r["chat_id"] == 5001 and r["method"] == "sendDocument")
        ann = await offers_for(tg, 5002, "can we talk today at 11am?")
        bob = await offers_for(tg, 5003, "can we talk today at 3pm?")
        mark = tg.mark()
        await asyncio.gather(tap(tg, 5002, ann, "Mon 7 Dec, 11:00 (UTC)"),
                             tap(tg, 5003, bob, "Mon 7 Dec, 15:00 (UTC)"))
        await tg.wait_for(lambda r: r["method"] == "sendDocument", after=mark)
        refused = await tg.wait_for(lambda r: r["chat_id"] in (5002, 5003) and bool(taps(r)),
                                    after=mark)
        assert "just taken" in refused["text"]
        assert not any(label.startswith("Mon") for label, _ in taps(refused)), taps(refused)
        monday = [s for s in await booked(bot) if s.date() == MONDAY_9.date()]
        assert len(monday) == 2, monday
        assert len(bot.zoom.meetings) == 2


async def test_a_meeting_that_already_ended_today_still_counts_toward_the_daily_cap(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, agent={"max_per_day": 1}) as bot:
        tg = bot.telegram
        first = await offers_for(tg, 5001, "can we talk today at 9am?")
        await tap(tg, 5001, first, "Mon 7 Dec, 09:00 (UTC)")
        await tg.wait_for(lambda r: r["chat_id"] == 5001 and r["method"] == "sendDocument")
        bot.clock.set(MONDAY_9.replace(hour=10))  # that meeting is over
        later = await offers_for(tg, 5002, "can we talk today?")
        labels = [label for label, _ in taps(later)]
        assert labels and not any(label.startswith("Mon") for label in labels), labels
        assert MONDAY_9 + timedelta(days=1) <= min(
            o.start for o in await bot.services.store.offers.open_for_lead(
                (await bot.services.store.leads.by_telegram_id(5002)).id,  # type: ignore[union-attr]
                bot.clock.now()))
