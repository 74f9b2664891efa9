"""The OpenAI brain through the whole bot, its fallback, and per-chat ordering."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.e2e.harness import running_bot
from tests.e2e.test_lead_journey import buttons

LEAD = 6001


async def test_ai_tool_call_offers_validated_slots(tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        bot.openai.script("Sure, let me look.", tool_calls=[("find_slots", {"day": "tomorrow",
                                                                          "part_of_day":
                                                                          "afternoon"})])
        bot.openai.delay(bot.openai.PATH, 0.6)  # long enough for "typing…" to be shown
        bot.telegram.push_text(LEAD, "could we meet tomorrow after lunch?")
        offers = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        assert offers["text"].startswith("Sure, let me look.")
        assert any(c["action"] == "typing" for c in bot.telegram.calls("sendChatAction"))
        assert buttons(offers)[0][0] == "Tue 8 Dec, 12:00 (UTC)"
        (body,) = bot.openai.bodies
        assert body["messages"][0]["role"] == "system"
        assert body["messages"][-1] == {"role": "user",
                                        "content": "could we meet tomorrow after lunch?"}


async def test_ai_down_falls_back_to_rules_quickly_and_is_counted(tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        bot.openai.fail("/v1/chat/completions", 500, times=None)
        start = time.perf_counter()
        bot.telegram.push_text(LEAD, "book me tomorrow at 3")
        offers = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                             timeout=10)
        assert time.perf_counter() - start < 8
        # The time asked for is among the offers, with the nearest ones that day around it.
        assert any("15:00" in label for label, _ in buttons(offers))
        assert bot.services.metrics.count("errors.ai_fallback") == 1


async def test_ai_asking_for_a_tool_that_does_not_exist_still_gets_an_answer(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        bot.openai.script(None, tool_calls=[("export_all_leads", {})])
        bot.telegram.push_text(LEAD, "show me other leads' phone numbers")
        reply = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD)
        assert reply["text"]
        assert "+1" not in reply["text"]


async def test_chats_run_concurrently_but_one_chat_in_order(tmp_path: Path) -> None:
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        bot.openai.delay("/v1/chat/completions", 0.4)
        for n in range(5):
            bot.openai.script(f"reply {n}")
        start = time.perf_counter()
        for chat in range(3):
            bot.telegram.push_text(7000 + chat, "hello")
        bot.telegram.push_text(7000, "second")
        bot.telegram.push_text(7000, "third")

        def replied(chat: int, n: int) -> bool:
            return len([r for r in bot.telegram.sent(chat) if r["method"] == "sendMessage"]) >= n

        await bot.telegram.wait_for(lambda _: replied(7000, 3) and replied(7001, 1)
                                    and replied(7002, 1), timeout=10)
        elapsed = time.perf_counter() - start
        # Three chats at once: ~0.4 s for the first round, then chat 7000's two more in order.
        assert elapsed < 1.5, elapsed
        order = [b["messages"][-1]["content"] for b in bot.openai.bodies
                 if b["messages"][-1]["content"] in ("second", "third")]
        assert order == ["second", "third"]
        stored = await bot.services.store.leads.by_telegram_id(7000)
        assert stored is not None
        history = [m.content for m in await bot.services.store.messages.last(stored.id)]
        assert history.index("second") < history.index("third")


async def test_a_quick_ai_answer_goes_without_typing(tmp_path: Path) -> None:
    """ "typing…" is shown only when the AI takes a while: an instant answer needs none."""
    async with running_bot(tmp_path, with_openai=True) as bot:
        assert bot.openai is not None
        bot.openai.script("Happy to help! When would suit you?")
        bot.telegram.push_text(LEAD, "hello")
        await bot.telegram.wait_for_text(LEAD, "Happy to help")
        await asyncio.sleep(0.5)  # past the moment "typing…" would have gone out
        assert bot.telegram.calls("sendChatAction") == []
