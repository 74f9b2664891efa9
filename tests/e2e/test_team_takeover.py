"""An agent takes a lead over from Telegram, through the real PTB application: the bot falls
silent for the lead, messages go both ways (text and photos), both are stored, and after the
hand-back the AI answers with the agent's words in its history. The takeover survives a restart.

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain import Role
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.team import LEAD, agent_says, agent_taps, book, button, buttons, lead_of
from tests.fakes.telegram import Record


async def quiet_for_lead(bot: Bot, mark: int) -> None:
    """Nothing reached the lead since ``mark`` (after the bot has had time to answer)."""
    await asyncio.sleep(0.3)
    assert [r for r in bot.telegram.sent(LEAD)[mark:] if r["chat_id"] == LEAD] == []


def to_lead_since(bot: Bot, mark: int) -> list[Record]:
    return [r for r in bot.telegram.sent()[mark:] if r["chat_id"] == LEAD]


async def test_the_booking_notice_carries_the_four_controls(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        notice = await book(bot)
        labels = [label for label, _ in buttons(notice)]
        for word in ("Take over", "No-show", "Cancel", "Move"):
            assert any(word in label for label in labels), labels


async def test_take_over_relays_both_ways_then_the_ai_answers_with_the_agents_words(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        tg = bot.telegram
        tg.push_text(LEAD, "hi, I'm looking at the flat on Main St", first_name="Jane")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD)
        lead = await lead_of(bot)
        taken = await agent_says(bot, f"/takeover {lead.id}")
        assert "Jane" in taken["text"] and "muted" in taken["text"]
        assert any("Hand back" in label for label, _ in buttons(taken))
        asked = len(bot.openai.bodies)

        # The lead writes: the agent gets it, naming the lead; the bot says nothing.
        mark = tg.mark()
        tg.push_text(LEAD, "is the balcony south-facing?")
        relayed = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        assert "Jane" in relayed["text"] and "is the balcony south-facing?" in relayed["text"]
        mark = tg.mark()
        tg.push_photo(LEAD, caption="this one")
        photo = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        assert photo["method"] == "copyMessage" and photo["copied"] == ["photo"]
        assert "Jane" in photo["text"] and "this one" in photo["text"]
        await quiet_for_lead(bot, mark)
        assert len(bot.openai.bodies) == asked  # the AI was not asked while muted

        # The agent writes (plain, and as a reply to the relayed photo): the lead gets it as is.
        mark = tg.mark()
        tg.push_text(AGENT_ID, "Yes, south-facing, with evening sun.")
        text = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert (text["method"], text["text"]) == ("copyMessage",
                                                   "Yes, south-facing, with evening sun.")
        mark = tg.mark()
        tg.push_photo(AGENT_ID, caption="the view", reply_to=photo["message_id"])
        sent = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert sent["copied"] == ["photo"] and sent["text"] == "the view"

        stored = await bot.services.store.messages.last(lead.id, 20)
        assert [m.content for m in stored if m.role is Role.AGENT] == [
            "Yes, south-facing, with evening sun.", "the view"]
        assert "is the balcony south-facing?" in [m.content for m in stored
                                                  if m.role is Role.USER]

        back = await agent_taps(bot, button(taken, "Hand back"), taken["message_id"])
        assert "Handed back" in back["text"]
        bot.openai.script("Glad Alice could help! Shall we book a viewing?")
        mark = tg.mark()
        tg.push_text(LEAD, "great, thanks")
        answer = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert answer["text"] == "Glad Alice could help! Shall we book a viewing?"
        history = bot.openai.bodies[-1]["messages"]
        assert {"role": "assistant", "content": "[the agent, in person] Yes, south-facing, "
                "with evening sun."} in history
        assert {"role": "user", "content": "is the balcony south-facing?"} in history


async def test_a_takeover_survives_a_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        bot.telegram.push_text(LEAD, "hello")
        await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD)
        lead = await lead_of(bot)
        await agent_says(bot, f"/takeover {lead.id}")
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.continue_after(1000)  # past the ids the first run handled
        mark = tg.mark()
        tg.push_text(LEAD, "anyone there?")
        relayed = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        assert "anyone there?" in relayed["text"]
        await quiet_for_lead(bot, mark)
        mark = tg.mark()
        tg.push_text(AGENT_ID, "Yes, I'm here.")
        answer = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert answer["text"] == "Yes, I'm here."
        mark = tg.mark()
        tg.push_edit(AGENT_ID, answer["params"]["message_id"], "Yes, I'm here until 6.")
        edit = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert edit["text"] == "Yes, I'm here until 6."
        mark = tg.mark()
        tg.push_document(AGENT_ID, file_name="floor-plan.pdf", caption="the floor plan")
        document = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert document["copied"] == ["document"] and document["text"] == "the floor plan"
        mark = tg.mark()
        tg.push_document(LEAD, file_name="payslip.pdf")
        relayed = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        assert relayed["copied"] == ["document"] and "#lead" in relayed["text"]
        assert (await agent_says(bot, "/handback"))["text"].startswith("Handed back")
        mark = tg.mark()
        tg.push_text(LEAD, "show me times")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert buttons(offers)


async def test_take_over_button_of_the_notice_mutes_the_bot(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        notice = await book(bot)
        taken = await agent_taps(bot, button(notice, "Take over"), notice["message_id"])
        assert "muted" in taken["text"]
        assert (await lead_of(bot)).taken_over_by == bot.agent.id
        mark = bot.telegram.mark()
        bot.telegram.push_text(LEAD, "can we talk about the price?")
        await bot.telegram.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        await quiet_for_lead(bot, mark)
