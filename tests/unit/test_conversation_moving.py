"""A lead with a booked meeting who asks for times is moving it; a lead with none gets times of
whichever agent has the earliest, not of the agent they once had."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.conversation.actions import FindSlots, Reschedule
from bot.conversation.brain import BrainReply
from bot.conversation.service import (
    KEEP,
    SHOW_TIMES,
    ConversationService,
)
from bot.conversation.turn import MOVE_PREFIX, NEW_PREFIX
from bot.domain import AppointmentStatus, Awaiting
from integrations.rule_brain import RuleBrain
from tests.unit.chat import Chat, chat, labels, offers_in, text_of
from tests.unit.fakes import FakeBrain


def booked(c: Chat) -> list[int]:
    return [a.id for a in c.repos.appointments.rows.values()
            if a.status is AppointmentStatus.BOOKED]


def buttons(replies: list) -> list[str]:  # type: ignore[type-arg]
    return [b.data for m in replies for row in m.buttons for b in row]


async def book(c: Chat, asked: str = "show me times") -> None:
    await c.taps(offers_in(await c.says(asked))[0])


def allowing(c: Chat, meetings: int) -> Chat:
    """The same chat, with a conversation that lets a lead have ``meetings`` upcoming ones."""
    rules = RuleBrain()
    c.conversation = ConversationService(
        c.repos, c.core.slots, c.core.booking, rules, rules, c.core.notifier, c.core.reminders,
        c.clock, c.metrics, agency_name="Acme Realty", default_timezone="UTC",
        meetings_per_lead=meetings)
    c.brain = FakeBrain()
    return c


@pytest.mark.parametrize("asked", ["can we make it thursday?", "switch to thursday",
                                   "how about thursday instead?", "thursday?",
                                   "do you have anything on thursday"])
async def test_asking_for_times_while_booked_offers_to_move_the_meeting(asked: str) -> None:
    c = await chat()
    await book(c)
    offers = await c.says(asked)
    assert text_of(offers).startswith("Your meeting is on Mon 7 Dec, 09:00 (UTC). Pick a new")
    assert all(label.startswith("Thu 10 Dec") for label in labels(offers))
    assert KEEP in buttons(offers)
    await c.taps(offers_in(offers)[0])
    assert len(booked(c)) == 1 and len(c.meetings.live()) == 1 and len(c.calendar.live()) == 1


async def test_the_show_times_button_and_times_command_while_booked_move_the_meeting() -> None:
    c = await chat()
    await book(c)
    for replies in (await c.taps(SHOW_TIMES), await c.conversation.command(c.me, "times")):
        assert text_of(replies).startswith("Your meeting is on")
    await c.taps(offers_in(await c.conversation.command(c.me, "times"))[0])
    (kept,) = booked(c)
    assert c.timers.names() and all(f":{kept}:" in name for name in c.timers.names())


async def test_none_of_these_work_while_moving_keeps_moving() -> None:
    c = await chat()
    await book(c)
    await c.says("can we make it thursday?")
    offers = await c.says("none of these work, how about friday afternoon?")
    assert text_of(offers).startswith("Your meeting is on")
    assert all(label.startswith("Fri 11 Dec") for label in labels(offers))


async def test_whats_my_booking_after_a_move_is_the_new_meeting() -> None:
    c = await chat()
    await book(c)
    await c.taps(offers_in(await c.says("switch to thursday"))[0])
    answer = await c.says("what's my booking?")
    assert "Thu 10 Dec" in text_of(answer) and "Mon 7 Dec" not in text_of(answer)


async def test_a_lead_allowed_another_meeting_is_asked_once_which_they_want() -> None:
    c = allowing(await chat(), 2)
    await book(c)
    question = await c.says("thursday?")
    assert text_of(question) == "Move your Monday meeting, or book another?"
    assert buttons(question) == [MOVE_PREFIX + "thursday", NEW_PREFIX + "thursday"]
    assert (await c.lead()).awaiting is Awaiting.MOVE_OR_NEW
    another = await c.taps(NEW_PREFIX + "thursday")
    assert text_of(another).startswith("Times on Thursday")  # new times, not a move
    assert all(label.startswith("Thu 10 Dec") for label in labels(another))
    await c.taps(offers_in(another)[0])
    assert len(booked(c)) == 2
    assert (await c.lead()).awaiting is not Awaiting.MOVE_OR_NEW


async def test_the_move_answer_offers_to_move_the_meeting() -> None:
    c = allowing(await chat(), 2)
    await book(c)
    await c.says("thursday?")
    moving = await c.taps(MOVE_PREFIX + "thursday")
    assert text_of(moving).startswith("Your meeting is on Mon 7 Dec")
    assert all(label.startswith("Thu 10 Dec") for label in labels(moving))


async def test_a_request_typed_after_the_question_books_another_the_question_is_asked_once(
) -> None:
    c = allowing(await chat(), 2)
    await book(c)
    await c.says("thursday?")
    typed = await c.says("friday please")
    assert text_of(typed).startswith("Times on Friday")  # new times, not a move
    assert (await c.lead()).awaiting is None


async def test_clear_words_to_move_are_not_asked_about() -> None:
    c = allowing(await chat(), 2)
    await book(c)
    offers = await c.says("can we make it thursday?")
    assert text_of(offers).startswith("Your meeting is on")


async def test_a_lead_at_the_limit_is_not_asked_but_moves() -> None:
    c = allowing(await chat(), 2)
    await book(c)
    await c.taps(NEW_PREFIX + "thursday")
    await c.taps(offers_in(await c.taps(NEW_PREFIX + "thursday"))[0])
    assert len(booked(c)) == 2
    replies = await c.says("friday?")
    assert text_of(replies).startswith("Your meeting is on")


async def test_a_brain_s_find_slots_while_booked_is_a_move() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots("thursday"),)))
    c.brain.script(BrainReply(tool_calls=(FindSlots("thursday"),)))
    await c.taps(offers_in(await c.says("show me times"))[0])
    offers = await c.says("thursday works better")
    assert text_of(offers).startswith("Your meeting is on")


async def test_reschedule_without_a_meeting_offers_new_times_and_says_so() -> None:
    c = await chat(BrainReply(tool_calls=(Reschedule("thursday"),)))
    replies = await c.says("move it to thursday")
    assert text_of(replies).startswith("You don't have a meeting booked yet.")
    assert offers_in(replies)


async def test_after_cancelling_the_lead_gets_the_agent_who_has_time() -> None:
    c = await chat()
    bob = await c.core.add_agent(name="Bob", telegram_id=778, calendar_id="bob@example.com",
                                 working_hours="wed-fri 09:00-17:00")
    await book(c)  # Monday: only Alice works
    await c.says("cancel")
    await c.says("yes")
    now = c.clock.now()
    c.calendar.block(c.agent.calendar_id, now, now + timedelta(days=30))
    offers = await c.says("show me times")
    assert offers_in(offers), text_of(offers)
    await c.taps(offers_in(offers)[0])
    (appointment,) = [a for a in c.repos.appointments.rows.values()
                      if a.status is AppointmentStatus.BOOKED]
    assert appointment.agent_id == bob.id
    assert (await c.lead()).agent_id == bob.id


async def test_a_lead_with_a_meeting_moves_it_with_the_same_agent() -> None:
    c = await chat()
    await c.core.add_agent(name="Bob", telegram_id=778, calendar_id="bob@example.com")
    await book(c)
    (first,) = c.repos.appointments.rows.values()
    offers = await c.says("friday?")
    stored = await c.repos.offers.open_for_lead((await c.lead()).id, c.clock.now())
    assert offers_in(offers) and {o.agent_id for o in stored} == {first.agent_id}
