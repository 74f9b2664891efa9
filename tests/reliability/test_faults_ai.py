"""OpenAI failing: the lead still gets a useful, rule-based answer within seconds, and the
failure is counted."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.ports import OutMessage
from tests.fakes.openai import FakeOpenAI
from tests.reliability.helpers import fault_world, offer_taps, texts
from tests.world import World

ASK = "can we talk tomorrow afternoon?"
TOMORROW_AFTERNOON = "Tue 8 Dec, 12:00 (UTC)"


@asynccontextmanager
async def ai_world(tmp_path: Path,
                   deadline: float = 3.0) -> AsyncIterator[tuple[World, FakeOpenAI]]:
    """A world whose brain is OpenAI on a fake, with the rule-based fallback."""
    async with FakeOpenAI(api_key="sk-test-reliability-key-0123456789") as ai, \
            fault_world(tmp_path, openai_fake=ai, ai_deadline=deadline) as w:
        yield w, ai


def first_label(replies: list[OutMessage]) -> str:
    """The first button's label."""
    return next(b.label for m in replies for row in m.buttons for b in row)


async def assert_rule_based_offer(w: World, started: float, replies: list[OutMessage]) -> None:
    """Within seconds, the times the rules find for ``ASK``, and nothing booked."""
    assert time.perf_counter() - started < 3.0
    assert offer_taps(replies), texts(replies)
    assert first_label(replies) == TOMORROW_AFTERNOON
    assert w.orphans() == (0, 0)


async def test_openai_unreachable_falls_back_at_once(tmp_path: Path) -> None:
    async with ai_world(tmp_path) as (w, ai):
        await ai.close()  # connection refused from now on
        started = time.perf_counter()
        replies = await w.services.conversation.text(w.lead(1), ASK)
        await assert_rule_based_offer(w, started, replies)
        assert w.services.metrics.count("errors.ai_fallback") == 1


async def test_openai_slower_than_the_deadline_falls_back_at_the_deadline(
        tmp_path: Path) -> None:
    async with ai_world(tmp_path, deadline=0.5) as (w, ai):
        ai.hang(FakeOpenAI.PATH)
        started = time.perf_counter()
        replies = await w.services.conversation.text(w.lead(1), ASK)
        assert time.perf_counter() - started >= 0.5
        await assert_rule_based_offer(w, started, replies)
        assert w.services.metrics.count("errors.ai_fallback") == 1


async def test_malformed_tool_arguments_are_dropped_and_the_rules_answer(tmp_path: Path) -> None:
    async with ai_world(tmp_path) as (w, ai):
        ai.script(None, tool_calls=[("find_slots", '{"day": "tomorrow", '),
                                    ("book_slot", {"choice": "first"})])
        started = time.perf_counter()
        replies = await w.services.conversation.text(w.lead(1), ASK)
        await assert_rule_based_offer(w, started, replies)
        assert w.services.metrics.count("errors.ai_bad_tool") == 2
        assert w.services.metrics.count("errors.ai_fallback") == 1


async def test_an_unknown_tool_is_ignored_and_the_valid_one_runs(tmp_path: Path) -> None:
    async with ai_world(tmp_path) as (w, ai):
        ai.script("Let me look.", tool_calls=[("export_all_leads", {"format": "csv"}),
                                              ("find_slots", {"day": "tomorrow",
                                                              "part_of_day": "afternoon"})])
        started = time.perf_counter()
        replies = await w.services.conversation.text(w.lead(1), ASK)
        await assert_rule_based_offer(w, started, replies)
        assert texts(replies).startswith("Let me look.")
        assert w.services.metrics.count("errors.ai_bad_tool") == 1
        assert w.services.metrics.count("errors.ai_fallback") == 0


async def test_a_200_answer_without_choices_falls_back(tmp_path: Path) -> None:
    async with ai_world(tmp_path) as (w, ai):
        ai.script_raw({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                       "choices": []})
        started = time.perf_counter()
        replies = await w.services.conversation.text(w.lead(1), ASK)
        await assert_rule_based_offer(w, started, replies)
        assert w.services.metrics.count("errors.ai_fallback") == 1


async def test_a_tool_call_that_books_without_offers_only_offers(tmp_path: Path) -> None:
    """The model cannot book by itself: book_slot with nothing offered shows times instead."""
    async with ai_world(tmp_path) as (w, ai):
        ai.script(None, tool_calls=[("book_slot", {"choice": 1})])
        replies = await w.services.conversation.text(w.lead(1), "just book anything")
        assert offer_taps(replies)
        assert "You're booked" not in texts(replies)
        assert w.orphans() == (0, 0)
