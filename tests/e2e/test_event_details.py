"""Details a lead gives after booking reach the agent's calendar event (PATCH on the fake Google),
through the real PTB Application; with delegation the lead is invited, without it never."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.harness import Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap
from tests.fakes.base import Recorded
from tests.world import CALENDAR

LEAD = 5001


async def book(bot: Bot) -> str:
    """The lead books Monday 09:00; the calendar event's id."""
    tg = bot.telegram
    offers = await offers_for(tg, LEAD, "can we talk today at 9am?")
    mark = tg.mark()
    await tap(tg, LEAD, offers, "Mon 7 Dec, 09:00 (UTC)")
    await tg.wait_for(lambda r: r["chat_id"] == LEAD and "phone number" in (r["text"] or ""),
                      after=mark)
    (event_id,) = bot.google.events[CALENDAR]
    return event_id


async def say(bot: Bot, text: str) -> dict[str, Any]:
    """The lead says ``text``; the bot's answer that says what was saved."""
    mark = bot.telegram.mark()
    bot.telegram.push_text(LEAD, text)
    return await bot.telegram.wait_for_text(LEAD, "I've saved your", after=mark)


def patches(bot: Bot, event_id: str) -> list[Recorded]:
    return [r for r in bot.google.requests
            if r.method == "PATCH" and r.path.endswith(f"/events/{event_id}")]


async def test_a_phone_email_and_topic_given_after_booking_reach_the_event(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        event_id = await book(bot)
        assert "not given yet" in bot.google.events[CALENDAR][event_id]["description"]
        await say(bot, "+1 415 555 0100")
        await say(bot, "we want to talk about the lease on Main Street")
        await say(bot, "my email is ann@example.com")
        stored = bot.google.events[CALENDAR][event_id]
        assert "+14155550100" in stored["description"]
        assert "lease on Main Street" in stored["description"]
        assert "ann@example.com" in stored["description"]
        assert len(patches(bot, event_id)) == 3
        # No delegation: the lead is never invited (Google would answer 403).
        assert all("attendees" not in p.body and "sendUpdates" not in p.query
                   for p in patches(bot, event_id))
        assert "attendees" not in stored


async def test_with_delegation_the_email_given_after_booking_invites_the_lead(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, env={"GOOGLE_DELEGATED_USER": "sales@example.com"}) as bot:
        event_id = await book(bot)
        assert "attendees" not in bot.google.events[CALENDAR][event_id]
        await say(bot, "my email is ann@example.com")
        (patch,) = patches(bot, event_id)
        assert patch.body["attendees"] == [{"email": "ann@example.com"}]
        assert patch.query == {"sendUpdates": "all"}
        assert bot.google.events[CALENDAR][event_id]["attendees"] == [
            {"email": "ann@example.com"}]


async def test_an_event_update_that_fails_is_counted_never_shown_to_the_lead(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        event_id = await book(bot)
        bot.google.fail(f"/events/{event_id}", 500, times=None)
        mark = bot.telegram.mark()
        answer = await say(bot, "+1 415 555 0100")
        assert "phone number" in answer["text"]
        assert patches(bot, event_id), "it was tried"
        texts = [r["text"] or "" for r in bot.telegram.sent()[mark:] if r["chat_id"] == LEAD]
        assert not any("Sorry" in t or "wrong" in t for t in texts), texts
        assert bot.services.metrics.count("errors.calendar_update") == 1
