"""The agent's buttons and commands on a booked meeting, through the real PTB application:
no-show (offers new times, kindly), cancel (asked first; Zoom and the event deleted), move (the
old meeting kept until the new one is booked), a stale or forged tap, and meetings marked held.

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC, and
the first time offered is 09:00 that day.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain import AppointmentStatus, LeadStatus
from tests.e2e.harness import AGENT_ID, running_bot
from tests.e2e.team import (
    LEAD,
    agent_says,
    agent_taps,
    appointment_of,
    book,
    button,
    lead_of,
    offer_buttons,
)


async def test_no_show_from_the_start_on_offers_the_lead_new_times(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        notice = await book(bot)
        appointment = await appointment_of(bot)
        early = await agent_taps(bot, button(notice, "No-show"), notice["message_id"])
        assert "not started yet" in early["text"]
        assert (await appointment_of(bot)).status is AppointmentStatus.BOOKED

        bot.clock.set(appointment.start + timedelta(minutes=10))
        mark = tg.mark()
        marked = await agent_taps(bot, button(notice, "No-show"), notice["message_id"])
        assert "no-show" in marked["text"].lower()
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)),
                                   after=mark)
        assert offers["text"].startswith("We missed you at our meeting on Mon 7 Dec, 09:00")
        assert all(not label.startswith("Mon 7 Dec, 09:00") for label, _ in offer_buttons(offers))
        assert (await appointment_of(bot)).status is AppointmentStatus.NO_SHOW
        lead = await lead_of(bot)
        assert lead.status is LeadStatus.NO_SHOW
        assert [s for s, _ in await bot.services.store.leads.status_history(lead.id)][-2:] == [
            LeadStatus.BOOKED, LeadStatus.NO_SHOW]
        again = await agent_taps(bot, button(notice, "No-show"), notice["message_id"])
        assert "no longer booked" in again["text"]


async def test_noshow_command_does_the_same(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book(bot)
        appointment = await appointment_of(bot)
        bot.clock.set(appointment.start + timedelta(minutes=30))
        mark = bot.telegram.mark()
        reply = await agent_says(bot, f"/noshow {appointment.id}")
        assert "no-show" in reply["text"].lower()
        await bot.telegram.wait_for(
            lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)), after=mark)
        assert (await appointment_of(bot)).status is AppointmentStatus.NO_SHOW


async def test_cancel_is_asked_then_deletes_zoom_and_the_event_and_offers_new_times(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        notice = await book(bot)
        question = await agent_taps(bot, button(notice, "Cancel"), notice["message_id"])
        assert question["text"].startswith("Cancel the meeting with")
        kept = await agent_taps(bot, button(question, "keep"), question["message_id"])
        assert kept["text"].startswith("Kept")
        assert (await appointment_of(bot)).status is AppointmentStatus.BOOKED

        question = await agent_taps(bot, button(notice, "Cancel"), notice["message_id"])
        mark = tg.mark()
        done = await agent_taps(bot, button(question, "Yes"), question["message_id"])
        assert done["text"].startswith("Cancelled")
        told = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert "had to cancel your meeting on Mon 7 Dec, 09:00" in told["text"]
        assert told["filename"] == "meeting.ics" and b"METHOD:CANCEL" in told["content"]
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)), after=mark)
        assert (await appointment_of(bot)).status is AppointmentStatus.CANCELLED
        assert bot.zoom.meetings == {}
        assert all(e.get("status") == "cancelled"
                   for e in bot.google.events.get(bot.agent.calendar_id, {}).values())
        assert (await lead_of(bot)).status is LeadStatus.CANCELLED


async def test_move_keeps_the_meeting_until_the_lead_books_the_new_time(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        notice = await book(bot)
        old = await appointment_of(bot)
        mark = tg.mark()
        asked = await agent_taps(bot, button(notice, "Move"), notice["message_id"])
        assert asked["text"].startswith("Asked")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)),
                                   after=mark)
        assert offers["text"].startswith("Alice Agent asked to find another time")
        assert (await bot.services.store.appointments.get(old.id)).status is \
            AppointmentStatus.BOOKED  # type: ignore[union-attr]
        mark = tg.mark()
        tg.push_callback(LEAD, offer_buttons(offers)[1][1], message_id=offers["message_id"])
        moved = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID
                                  and (r["text"] or "").startswith("Moved"), after=mark)
        assert any("Take over" in label for label, _ in
                   [(b["text"], "") for row in moved["reply_markup"]["inline_keyboard"]
                    for b in row])
        assert (await bot.services.store.appointments.get(old.id)).status is \
            AppointmentStatus.CANCELLED  # type: ignore[union-attr]
        assert len(bot.zoom.meetings) == 1


async def test_a_forged_or_stale_tap_changes_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        notice = await book(bot)
        appointment = await appointment_of(bot)
        for forged in ("ag:c:99999", "ag:zz:1", "ag:y:abc", f"ag:y:{appointment.id + 1}"):
            reply = await agent_taps(bot, forged, notice["message_id"])
            assert reply["text"] in ("There is no meeting with that number among yours.",
                                     "That button is out of date: nothing was changed.")
        # A lead forging this meeting's confirm button: refused in the tap's answer alone.
        callback = bot.telegram.push_callback(LEAD, f"ag:y:{appointment.id}")
        answer = await bot.telegram.wait_for_call(
            "answerCallbackQuery", lambda p: p["callback_query_id"] == callback)
        assert answer["text"] == "Sorry, that command is not available."
        assert (await appointment_of(bot)).status is AppointmentStatus.BOOKED
        assert len(bot.telegram.calls("answerCallbackQuery")) == 6  # the booking and each tap


async def test_a_meeting_not_marked_by_an_hour_after_its_end_is_held(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await book(bot)
        appointment = await appointment_of(bot)
        bot.clock.set(appointment.end + timedelta(minutes=59))
        assert await bot.services.team.meetings.settle_held() == 0
        bot.clock.set(appointment.end + timedelta(minutes=61))
        assert await bot.services.team.meetings.settle_held() == 1
        assert await bot.services.team.meetings.settle_held() == 0  # idempotent
        assert (await appointment_of(bot)).status is AppointmentStatus.HELD
        assert (await lead_of(bot)).status is LeadStatus.HELD
