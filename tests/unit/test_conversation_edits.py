"""A message the lead edits: stored once with the new text, answered only if it means more."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation.actions import BookSlot, FindSlots, SaveDetails
from bot.conversation.brain import BrainReply
from bot.conversation.edits import meaning
from bot.domain import Role
from tests.unit.chat import Chat, chat, labels, offers_in

NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def inbound(c: Chat) -> list[tuple[str, int | None]]:
    return [(m.content, m.telegram_message_id) for m in c.repos.messages.rows
            if m.role is Role.USER]


async def test_an_edit_that_means_the_same_is_stored_and_not_answered() -> None:
    c = await chat()
    await c.conversation.text(c.me, "can we talk tomorow afternoon?", 11)
    replies = await c.conversation.edited(c.me, "Can we talk tomorrow afternoon, please?", 11)
    assert replies == []
    assert inbound(c) == [("Can we talk tomorrow afternoon, please?", 11)]


async def test_an_edit_that_asks_for_another_time_gets_new_offers() -> None:
    c = await chat()
    first = await c.conversation.text(c.me, "tomorrow afternoon?", 11)
    replies = await c.conversation.edited(c.me, "wednesday afternoon?", 11)
    assert labels(replies) and all(label.startswith("Wed 9 Dec") for label in labels(replies))
    assert offers_in(replies) != offers_in(first)
    assert inbound(c) == [("wednesday afternoon?", 11)]


async def test_an_edit_of_a_message_never_stored_is_read_as_a_new_one() -> None:
    c = await chat()
    replies = await c.conversation.edited(c.me, "show me times", 5)
    assert offers_in(replies)
    assert inbound(c) == [("show me times", 5)]


async def test_an_edit_of_a_line_older_than_the_history_is_stored_not_answered() -> None:
    c = await chat()
    await c.conversation.text(c.me, "tomorrow afternoon?", 1)
    for n in range(2, 12):
        await c.conversation.text(c.me, "thanks", n)
    replies = await c.conversation.edited(c.me, "wednesday afternoon?", 1)
    assert replies == []
    assert inbound(c)[0] == ("wednesday afternoon?", 1)


async def test_an_edit_past_the_flood_limit_is_stored_not_answered() -> None:
    c = await chat()
    await c.conversation.text(c.me, "tomorrow afternoon?", 11)
    assert await c.conversation.edited(c.me, "wednesday?", 11, answer=False) == []
    assert inbound(c) == [("wednesday?", 11)]


async def test_the_ai_is_asked_only_when_the_meaning_changed() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots("tomorrow"),)),
                   BrainReply(tool_calls=(FindSlots("wednesday"),)))
    await c.conversation.text(c.me, "tomorrow?", 11)
    assert await c.conversation.edited(c.me, "tomorrow ?", 11) == []
    assert len(c.brain.contexts) == 1
    replies = await c.conversation.edited(c.me, "wednesday?", 11)
    assert all(label.startswith("Wed 9 Dec") for label in labels(replies))
    assert c.brain.contexts[-1].text == "wednesday?"


def test_the_words_for_a_time_mean_the_day_they_resolve_to() -> None:
    one = BrainReply(tool_calls=(FindSlots("tomorow afternoon"),))
    two = BrainReply(tool_calls=(FindSlots("tomorrow afternoon"),))
    three = BrainReply(tool_calls=(FindSlots("wednesday afternoon"),))
    assert meaning(one, NOW) == meaning(two, NOW) != meaning(three, NOW)


def test_other_calls_and_texts_mean_what_they_say() -> None:
    assert meaning(BrainReply(tool_calls=(BookSlot(1),)), NOW) != \
        meaning(BrainReply(tool_calls=(BookSlot(2),)), NOW)
    assert meaning(BrainReply(tool_calls=(SaveDetails(email="a@b.co"),)), NOW) != \
        meaning(BrainReply(tool_calls=(SaveDetails(email="a@b.com"),)), NOW)
    assert meaning(BrainReply("Hi  there"), NOW) == meaning(BrainReply("Hi there"), NOW)
