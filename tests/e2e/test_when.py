"""The issue's ways of saying when, through the real application: with the rule-based brain,
and with the fake OpenAI passing the lead's own words to find_slots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.harness import running_bot
from tests.e2e.test_lead_journey import buttons

Check = Callable[[str, list[str]], bool]

# Now is Monday 7 December 2026 in UTC; the agent works 09:00-17:00.
EXAMPLES: list[tuple[str, Check]] = [
    ("tuesday of next week at 10", lambda text, b: b[0].startswith("Tue 15 Dec")
     and any("10:00" in x for x in b)),
    ("the 14th at 4", lambda text, b: all(x.startswith("Mon 14 Dec") for x in b)
     and any("16:00" in x for x in b)),
    ("weds after 3", lambda text, b: all(x.startswith("Wed 9 Dec") and x >= "Wed 9 Dec, 15"
                                         for x in b) and "after 3 pm" in text),
    ("friday before 10am", lambda text, b: bool(b) and all(
        x.startswith("Fri 11 Dec") and x[12:17] < "10:00" for x in b)),
    ("sunday late afternoon", lambda text, b: "Nothing is free on Sunday 13 December" in text),
    ("half 4 tomorrow", lambda text, b: all(x.startswith("Tue 8 Dec") for x in b)),
    ("between 1 and 3 on thursday", lambda text, b: all(
        x.startswith("Thu 10 Dec") and "13:00" <= x[12:17] < "15:00" for x in b)),
    ("end of the week", lambda text, b: all(x.startswith(("Thu 10", "Fri 11")) for x in b)),
    ("ok sounds great, let's chat", lambda text, b: len(b) >= 2),
    ("asap", lambda text, b: "earliest" in text and len(b) >= 2),
]


async def _ask(bot, chat_id: int, text: str) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    bot.telegram.push_text(chat_id, text)
    record = await bot.telegram.wait_for(lambda r: r["chat_id"] == chat_id and bool(buttons(r)),
                                         timeout=10)
    return record["text"], [label for label, _ in buttons(record)]


@pytest.mark.parametrize("with_openai", [False, True], ids=["rules", "openai"])
async def test_the_issues_examples_are_understood(tmp_path: Path, with_openai: bool) -> None:
    async with running_bot(tmp_path, with_openai=with_openai) as bot:
        for i, (words, check) in enumerate(EXAMPLES):
            if with_openai:
                assert bot.openai is not None
                bot.openai.script("Let me look.", tool_calls=[("find_slots", {"when": words})])
            text, labels = await _ask(bot, 7100 + i, words)
            assert check(text, labels), (words, text, labels)


async def test_a_city_in_the_same_message_applies_to_its_times(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        text, labels = await _ask(bot, 7200, "I'm in Berlin, is wednesday 2pm my time ok?")
        assert "Times on Wednesday 9 December at 2 pm:" in text
        assert any(label.startswith("Wed 9 Dec, 14:00") for label in labels)
