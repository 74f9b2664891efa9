"""A lead with a booked meeting, through the real PTB Application: what they ask about it, and
asking for other times, which moves it (one lead, one upcoming meeting).

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.conversation.service import SHOW_TIMES
from bot.domain import AppointmentStatus, Interval, Lead
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.fakes.telegram import Record
from tests.world import CALENDAR, add_agent

LEAD = 5301
BOB_ID = 778
BOB_CALENDAR = "bob@example.com"


def buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def offer_buttons(record: Record) -> list[tuple[str, str]]:
    return [(label, data) for label, data in buttons(record) if data.startswith("o:")]


def with_offers(record: Record) -> bool:
    return record["chat_id"] == LEAD and bool(offer_buttons(record))


async def lead_of(bot: Bot) -> Lead:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead


async def book_first(bot: Bot, asked: str = "show me times") -> None:
    """Ask, tap the first time, and wait for the confirmation and the question after it."""
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(LEAD, asked)
    offers = await tg.wait_for(with_offers, after=mark)
    mark = tg.mark()
    tg.push_callback(LEAD, offer_buttons(offers)[0][1], message_id=offers["message_id"])
    await tg.wait_for(lambda r: r["chat_id"] == LEAD and "phone number" in (r["text"] or ""),
                      after=mark)


async def test_questions_and_topics_about_cancelling_are_read_for_what_they_say(
        tmp_path: Path) -> None:
    # Before: the topic asked the lead to confirm cancelling the meeting, and the questions
    # about the booking got fresh offers.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        await book_first(bot)
        tg.push_contact(LEAD, "12125550100")
        await tg.wait_for_text(LEAD, "What would you like to talk about?")
        mark = tg.mark()
        tg.push_text(LEAD, "We need to cancel our current CRM contract")
        await tg.wait_for_text(LEAD, "saved your topic", after=mark)
        for question in ("what time is our meeting?", "is my meeting still on?"):
            mark = tg.mark()
            tg.push_text(LEAD, question)
            answer = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
            # 09:00 UTC, in the lead's zone now that a New York number implied it.
            assert "Mon 7 Dec, 04:00 (New York)" in answer["text"]
            assert not buttons(answer)
        assert not [r for r in tg.sent(LEAD) if (r["text"] or "").startswith("Cancel your")]
        (appointment,) = await bot.services.store.appointments.for_lead((await lead_of(bot)).id)
        assert appointment.status is AppointmentStatus.BOOKED
        assert (await lead_of(bot)).notes == "We need to cancel our current CRM contract"


async def test_a_call_cancelled_elsewhere_gets_offers_for_the_time_the_lead_is_free(
        tmp_path: Path) -> None:
    # Before: "You don't have a meeting booked."
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "my other call got cancelled so I'm free tomorrow afternoon")
        offers = await tg.wait_for(with_offers)
        assert all(label.startswith("Tue 8 Dec") for label, _ in offer_buttons(offers))
        assert "meeting booked" not in offers["text"]


def live_events(bot: Bot, calendar: str = CALENDAR) -> list[dict[str, Any]]:
    return [e for e in bot.google.events.get(calendar, {}).values()
            if e.get("status") != "cancelled"]


async def booked_rows(bot: Bot) -> list[int]:
    appointments = await bot.services.store.appointments.for_lead((await lead_of(bot)).id)
    return [a.id for a in appointments if a.status is AppointmentStatus.BOOKED]


async def one_meeting_everywhere(bot: Bot) -> int:
    """One booked row, one Zoom meeting, one live event, and reminders for that one only."""
    (booked,) = await booked_rows(bot)
    assert len(bot.zoom.meetings) == 1
    assert len(live_events(bot)) == 1
    assert bot.app.job_queue is not None
    reminders = [job.name for job in bot.app.job_queue.jobs()
                 if (job.name or "").startswith("reminder:")]
    assert reminders and all(name.startswith(f"reminder:{booked}:") for name in reminders)
    return booked


async def tap_first(bot: Bot, offers: Record) -> None:
    tg = bot.telegram
    assert offers["text"].startswith("Your meeting is on"), offers["text"]
    mark = tg.mark()
    tg.push_callback(LEAD, offer_buttons(offers)[0][1], message_id=offers["message_id"])
    await tg.wait_for(lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument",
                      after=mark)
    await tg.wait_for_text(AGENT_ID, "Moved", after=mark)
    # The turn's last line, which one chat's pace (about a message a second) may hold back.
    await tg.wait_for(lambda r: r["chat_id"] == LEAD and "phone number" in (r["text"] or ""),
                      after=mark)


async def test_asking_for_other_times_while_booked_moves_the_meeting(tmp_path: Path) -> None:
    # Before: each tap booked a second meeting (two rows, two Zoom meetings, two events,
    # reminders for both), and "what's my booking?" showed the old one.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        await book_first(bot)
        seen = {await one_meeting_everywhere(bot)}
        for asked in ("can we make it thursday?", "switch to thursday", "/times",
                      "none of these work, how about friday afternoon?", "the button"):
            mark = tg.mark()
            if asked == "the button":
                tg.push_callback(LEAD, SHOW_TIMES)
            else:
                tg.push_text(LEAD, asked)
            offers = await tg.wait_for(with_offers, after=mark)
            if asked.startswith("none of these"):
                assert all(label.startswith("Fri 11 Dec") for label, _ in offer_buttons(offers))
            if asked != "/times":  # the next phrase answers the offers /times shows
                await tap_first(bot, offers)
                seen.add(await one_meeting_everywhere(bot))
        assert len(seen) == 5  # every tap moved the meeting to a new one
        (latest,) = await booked_rows(bot)
        meeting = await bot.services.store.appointments.get(latest)
        assert meeting is not None
        mark = tg.mark()
        tg.push_text(LEAD, "what's my booking?")
        answer = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert f"{meeting.start:%a} {meeting.start.day} {meeting.start:%b}, " \
               f"{meeting.start:%H:%M}" in answer["text"]


async def test_after_cancelling_the_lead_books_the_agent_who_has_time(tmp_path: Path) -> None:
    # Before: the lead stayed tied to the first agent, who had no time left.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        bot.google.add_calendar(BOB_CALENDAR)
        bob = await add_agent(bot.services, name="Bob Agent", telegram_id=BOB_ID,
                              calendar_id=BOB_CALENDAR, working_hours="wed-fri 09:00-17:00")
        await book_first(bot)  # Monday: only Alice works
        (alice_meeting,) = await bot.services.store.appointments.for_lead(
            (await lead_of(bot)).id)
        assert alice_meeting.agent_id == bot.agent.id
        mark = tg.mark()
        tg.push_text(LEAD, "cancel")
        question = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                     after=mark)
        mark = tg.mark()
        tg.push_callback(LEAD, buttons(question)[0][1], message_id=question["message_id"])
        await tg.wait_for_text(LEAD, "is cancelled", after=mark)
        now = bot.clock.now()
        bot.google.busy[CALENDAR].append(Interval(now, now + timedelta(days=30)))

        mark = tg.mark()
        tg.push_text(LEAD, "show me times")
        offers = await tg.wait_for(with_offers, after=mark)
        mark = tg.mark()
        tg.push_callback(LEAD, offer_buttons(offers)[0][1], message_id=offers["message_id"])
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert "You're booked with Bob Agent" in confirmation["text"]
        await tg.wait_for_text(BOB_ID, "New meeting", after=mark)
        (meeting,) = await booked_rows(bot)
        stored = await bot.services.store.appointments.get(meeting)
        assert stored is not None and stored.agent_id == bob.id
        assert len(live_events(bot, BOB_CALENDAR)) == 1 and live_events(bot) == []
