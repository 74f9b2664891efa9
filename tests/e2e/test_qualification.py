"""Qualifying questions through the real PTB Application, from the shipped real-estate file:
one at a time, choices as buttons, never asked twice, never in the way of a lead who wants
times; all answered makes the lead qualified, and the answers reach the agent and the event."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.domain import LeadStatus
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.test_booking_rules import tap, taps
from tests.world import CALENDAR

LEAD = 7101
EXAMPLE = Path(__file__).resolve().parents[2] / "qualification.example.yaml"
QUESTIONS = ("Are you looking to buy or to sell?",
             "Which area or neighbourhood are you interested in?",
             "What budget do you have in mind?", "When would you like to move?",
             "How will you finance it?")


def env(tmp_path: Path) -> dict[str, str]:
    shutil.copy(EXAMPLE, tmp_path / "questions.yaml")
    return {"QUALIFICATION_FILE": str(tmp_path / "questions.yaml")}


def choices(record: dict[str, Any]) -> dict[str, str]:
    """A question's choice buttons: label -> data."""
    markup = record.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", [])
            for b in row if b.get("callback_data", "").startswith("q:")}


async def question(bot: Bot, text: str, after: int) -> dict[str, Any]:
    return await bot.telegram.wait_for_text(LEAD, text, after=after)


async def answer_by_text(bot: Bot, words: str, next_question: str) -> dict[str, Any]:
    mark = bot.telegram.mark()
    bot.telegram.push_text(LEAD, words)
    await question(bot, "Thanks, noted!", mark)
    return await question(bot, next_question, mark)


async def answer_by_tap(bot: Bot, asked: dict[str, Any], label: str,
                        next_question: str | None) -> dict[str, Any] | None:
    mark = bot.telegram.mark()
    bot.telegram.push_callback(LEAD, choices(asked)[label], message_id=asked["message_id"])
    await question(bot, "Thanks, noted!", mark)
    return await question(bot, next_question, mark) if next_question else None


async def lead_status(bot: Bot) -> LeadStatus:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead.status


@pytest.mark.both_engines
@pytest.mark.parametrize("with_openai", [False, True], ids=["rule-brain", "openai"])
async def test_five_questions_one_at_a_time_make_the_lead_qualified_and_reach_the_agent(
        tmp_path: Path, with_openai: bool) -> None:
    async with running_bot(tmp_path, with_openai=with_openai, env=env(tmp_path)) as bot:
        mark = bot.telegram.mark()
        bot.telegram.push_command(LEAD, "/start", first_name="Maria")
        first = await question(bot, QUESTIONS[0], mark)
        assert list(choices(first)) == ["Buying", "Selling", "Both"]
        area = await answer_by_tap(bot, first, "Buying", QUESTIONS[1])
        assert area is not None and choices(area) == {}
        budget = await answer_by_text(bot, "Kensington, near the park", QUESTIONS[2])
        assert list(choices(budget)) == ["Under 250k", "250k-500k", "500k-1M", "Over 1M"]
        timeline = await answer_by_text(bot, "2", QUESTIONS[3])  # the second choice
        financing = await answer_by_tap(bot, timeline, "Within 3 months", QUESTIONS[4])
        assert financing is not None and await lead_status(bot) is not LeadStatus.QUALIFIED
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "we'd pay cash")
        notice = await bot.telegram.wait_for_text(AGENT_ID, "Qualified", after=mark)
        assert notice["text"].splitlines()[1:] == [
            "- Are you looking to buy or to sell? Buying",
            "- Which area or neighbourhood are you interested in? Kensington, near the park",
            "- What budget do you have in mind? 250k-500k",
            "- When would you like to move? Within 3 months",
            "- How will you finance it? Cash"]
        assert await lead_status(bot) is LeadStatus.QUALIFIED
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        mark = bot.telegram.mark()
        bot.telegram.push_text(AGENT_ID, f"/lead {lead.id}")
        card = (await bot.telegram.wait_for_text(AGENT_ID, "Qualification:", after=mark))["text"]
        assert "- What budget do you have in mind? 250k-500k" in card.splitlines()
        for text in QUESTIONS:
            asked = [r for r in bot.telegram.sent(LEAD) if text in (r["text"] or "")]
            assert len(asked) == 1, f"asked twice: {text}"
        if bot.openai is not None:
            assert bot.openai.requests == [], "every answer was read without the AI"

        # Booked now: the agent's notice and the calendar event carry the answers.
        if bot.openai is not None:
            bot.openai.script("Here you go.", tool_calls=[("find_slots", {"day": "today"})])
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "can we talk today at 2pm?")
        offers = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(taps(r)),
                                             after=mark)
        mark = bot.telegram.mark()
        await tap(bot.telegram, LEAD, offers, taps(offers)[0][0])
        booked = await bot.telegram.wait_for_text(AGENT_ID, "New meeting", after=mark)
        assert "- How will you finance it? Cash" in booked["text"]
        (event,) = bot.google.events[CALENDAR].values()
        assert "What budget do you have in mind? 250k-500k" in event["description"]


async def test_a_lead_who_wants_times_gets_them_and_the_question_is_not_asked_again(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, env=env(tmp_path)) as bot:
        mark = bot.telegram.mark()
        bot.telegram.push_command(LEAD, "/start")
        await question(bot, QUESTIONS[0], mark)
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "can we talk tomorrow at 10?")
        offers = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(taps(r)),
                                             after=mark)
        following = await question(bot, QUESTIONS[1], mark)
        assert following["message_id"] > offers["message_id"], "times first, then a question"
        # The area question waits on a reply; a request for times is not one.
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "actually, what about friday morning?")
        await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(taps(r)), after=mark)
        await question(bot, QUESTIONS[2], mark)
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        answers = await bot.services.store.answers.of(lead.id)
        assert all(a.answer is None for a in answers.values())
        assert [r for r in bot.telegram.sent(LEAD) if QUESTIONS[0] in (r["text"] or "")][1:] == []


@pytest.mark.both_engines
async def test_the_ai_saves_answers_the_lead_gave_unprompted_and_they_are_not_asked(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True, env=env(tmp_path)) as bot:
        assert bot.openai is not None
        bot.openai.script("Lovely, selling in Chelsea it is!", tool_calls=[(
            "save_lead_details", {"answers": {"intent": "Selling", "area": "Chelsea",
                                              "pets": "two cats"}})])
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "Hi! We want to sell our flat in Chelsea.")
        await bot.telegram.wait_for_text(LEAD, "selling in Chelsea", after=mark)
        budget = await question(bot, QUESTIONS[2], mark)
        assert choices(budget)
        (request,) = [r for r in bot.openai.requests if r.path.endswith("/chat/completions")]
        prompt = request.body["messages"][0]["content"]
        assert "intent: Are you looking to buy or to sell?" in prompt
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        answers = await bot.services.store.answers.of(lead.id)
        assert {k: a.answer for k, a in answers.items() if a.answer} == {
            "intent": "Selling", "area": "Chelsea"}, "an unknown key is ignored"
        assert not [r for r in bot.telegram.sent(LEAD) if QUESTIONS[0] in (r["text"] or "")]
