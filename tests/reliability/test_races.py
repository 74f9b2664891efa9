"""Races: many leads on one slot, double taps, and a cancel while the booking is in flight."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain import AppointmentStatus
from tests.e2e.harness import running_bot
from tests.reliability.helpers import (
    appointments,
    fault_world,
    markup_taps,
    offer_taps,
    texts,
    until,
)
from tests.world import CALENDAR

LEADS = 50


async def test_fifty_leads_tapping_one_slot_book_it_once_and_the_rest_get_new_times(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        conversation = w.services.conversation
        taps = []
        for n in range(LEADS):
            offers = await conversation.text(w.lead(n), "show me times")
            taps.append(offer_taps(offers)[0])
        slots = {(await w.services.store.offers.by_token(t[2:])).start  # type: ignore[union-attr]
                 for t in taps}
        assert len(slots) == 1, "every lead was offered the same first slot"
        results = await asyncio.gather(*(conversation.tap(w.lead(n), taps[n])
                                         for n in range(LEADS)))
        booked = [r for r in results if "You're booked" in texts(r)]
        turned_away = [r for r in results if "that time was just taken" in texts(r)]
        assert len(booked) == 1
        assert len(turned_away) == LEADS - 1
        assert all(offer_taps(r) for r in turned_away), "each gets fresh times to tap"
        assert len(await appointments(w, AppointmentStatus.BOOKED)) == 1
        assert w.zoom.count("POST", "/users/me/meetings") == 1
        assert w.orphans() == (1, 1)


async def test_two_slots_tapped_at_once_by_one_lead_book_once(tmp_path: Path) -> None:
    """Even without the per-chat ordering of the Telegram adapter (the console, a webhook)."""
    async with fault_world(tmp_path) as w:
        lead = w.lead(1)
        offers = await w.services.conversation.text(lead, "show me times")
        first, second = offer_taps(offers)[:2]
        results = await asyncio.gather(w.services.conversation.tap(lead, first),
                                       w.services.conversation.tap(lead, second))
        assert sum("You're booked" in texts(r) for r in results) == 1
        assert len(await appointments(w, AppointmentStatus.BOOKED)) == 1
        assert w.orphans() == (1, 1)


async def test_double_tap_and_two_slots_in_telegram_book_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg, lead = bot.telegram, 8201
        tg.push_text(lead, "show me times")
        offers = await tg.wait_for(lambda r: r["chat_id"] == lead and bool(markup_taps(r)))
        first, second = markup_taps(offers)[:2]
        for data in (first, first, second):
            tg.push_callback(lead, data, message_id=offers["message_id"])
        await tg.wait_for(lambda r: r["chat_id"] == lead and r["method"] == "sendDocument")
        await tg.wait_for_text(lead, "already booked")
        await until(lambda: len([r for r in tg.sent(lead) if "already booked" in
                                 (r["text"] or "")]) == 2, what="both extra taps answered")
        after = [r for r in tg.sent(lead) if r["message_id"] > offers["message_id"]]
        assert not any(markup_taps(r) for r in after), "no new times offered to a booked lead"
        assert len(bot.zoom.meetings) == 1
        assert len(bot.google.events[CALENDAR]) == 1


async def test_cancel_while_the_booking_is_in_flight_leaves_nothing(tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        lead = w.lead(1)
        offers = await w.services.conversation.text(lead, "show me times")
        w.zoom.delay("/users/me/meetings", 0.5)
        booking = asyncio.create_task(w.services.conversation.tap(lead, offer_taps(offers)[0]))
        await until(lambda: w.zoom.count("POST", "/users/me/meetings") == 1)
        (pending,) = await appointments(w, AppointmentStatus.PENDING)
        stored = await w.services.store.leads.get(pending.lead_id)
        assert stored is not None
        cancelled, _ = await w.services.booking.cancel(stored, pending.id)
        assert cancelled.status is AppointmentStatus.CANCELLED
        replies = await booking
        assert "You're booked" not in texts(replies)
        assert "nothing was booked" in texts(replies)
        (final,) = await appointments(w)
        assert final.status is AppointmentStatus.CANCELLED
        assert w.orphans() == (0, 0)
        assert await w.services.store.appointments.upcoming_for_lead(stored.id,
                                                                     w.clock.now()) is None
