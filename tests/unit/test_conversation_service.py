"""ConversationService on in-memory fakes: what a lead sees for what they write or tap.

The clock stands on Monday 2026-12-07 07:00 UTC; the agent works mon-fri 09:00-17:00 UTC in
30-minute slots with an hour's notice. The rule-based brain answers unless a test scripts one.
"""

from __future__ import annotations

import typing
from datetime import time
from zoneinfo import ZoneInfo

from bot.booking.notices import slot_label
from bot.conversation.actions import BookSlot, Cancel, FindSlots, Reschedule, SaveDetails, ToolCall
from bot.conversation.brain import BrainReply
from bot.conversation.service import CANCEL_PREFIX, KEEP, OFFER_PREFIX, Sender
from bot.domain import AppointmentStatus, Awaiting, LeadStatus
from bot.errors import Unavailable
from tests.unit.chat import chat, labels, offers_in, text_of

# Offering times

async def test_asking_for_times_shows_numbered_times_as_buttons_and_says_the_zone_once() -> None:
    c = await chat()
    first = await c.says("any times tomorrow?")
    assert labels(first) and all(label.startswith("Tue 8 Dec") for label in labels(first))
    assert "1. Tue 8 Dec, 09:00 (UTC)" in text_of(first) and "Tap one to book it." in text_of(first)
    assert "Times are in UTC time" in text_of(first)
    again = await c.says("and wednesday?")
    assert "Times are in" not in text_of(again)
    assert (await c.lead()).status is LeadStatus.ENGAGED


async def test_a_brains_words_for_the_time_are_resolved_in_the_leads_zone() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots("tuesday afternoon"),)))
    replies = await c.says("Tuesday afternoon maybe?")
    starts = [o.start for o in await c.repos.offers.open_for_lead((await c.lead()).id,
                                                                   c.clock.now())]
    assert starts and all(s.date().isoformat() == "2026-12-08" for s in starts)
    assert all(time(12) <= s.time() < time(17) for s in starts)
    # The reply echoes the reading, so the lead can correct it.
    assert "Times on Tuesday 8 December in the afternoon:" in text_of(replies)


async def test_when_the_calendar_is_down_the_lead_is_told_instead_of_shown_times() -> None:
    c = await chat()
    c.calendar.fail("busy")
    replies = await c.says("show me times")
    assert "I can't check the calendar right now" in text_of(replies)
    assert offers_in(replies) == []


# Booking

async def test_tapping_a_time_books_it_confirms_with_the_link_and_tells_the_agent() -> None:
    c = await chat()
    token = offers_in(await c.says("show me times"))[0]
    replies = await c.taps(token)
    (meeting,) = c.meetings.live()
    assert "You're booked with Alice Agent" in replies[0].text
    assert meeting.join_url in replies[0].text and replies[0].attachment is not None
    assert any(t.startswith("New meeting") for t in c.to_agent())
    assert c.timers.names()  # reminders are scheduled
    lead = await c.lead()
    assert lead.status is LeadStatus.BOOKED and lead.agent_id == c.agent.id
    assert "Could you share your phone number" in replies[-1].text and replies[-1].request_contact


async def test_the_brain_sees_the_booking_at_once_without_a_reload() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots(),)))
    await c.taps(offers_in(await c.says("show me times"))[0])
    await c.says("thanks")
    seen = c.brain.contexts[-1]
    assert seen.lead.status is LeadStatus.BOOKED and seen.lead.agent_id == c.agent.id
    assert seen.awaiting is Awaiting.PHONE
    assert seen.appointment is not None and seen.appointment.label == "Mon 7 Dec, 09:00 (UTC)"
    assert seen.offers == []


async def test_the_brain_is_shown_the_offers_as_numbered_times_with_their_slots() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots(),)))
    shown = await c.says("times?")
    await c.says("hmm")
    seen = c.brain.contexts[-1]
    stored = await c.repos.offers.open_for_lead((await c.lead()).id, c.clock.now())
    assert [o.number for o in seen.offers] == list(range(1, len(stored) + 1))
    assert [(o.start, o.end) for o in seen.offers] == [(s.start, s.end) for s in stored]
    assert [o.label for o in seen.offers] == labels(shown)


async def test_a_pick_by_number_books_the_time_the_lead_saw() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots(),)),
                   BrainReply("Great choice!", (BookSlot(2),)))
    second = labels(await c.says("what do you have?"))[1]
    replies = await c.says("the second please")
    assert replies[0].text.startswith("Great choice!\n\nYou're booked")
    (appointment,) = c.repos.appointments.rows.values()
    assert second == slot_label(appointment.start, ZoneInfo("UTC"))


async def test_a_pick_made_in_the_same_turn_as_the_offers_books_nothing() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots(), BookSlot(1))))
    replies = await c.says("book me the first thing you have")
    assert offers_in(replies)
    assert c.repos.appointments.rows == {}


async def test_a_number_beyond_the_offers_asks_the_lead_to_pick_one_shown() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots(),)), BrainReply(tool_calls=(BookSlot(9),)))
    await c.says("times please")
    replies = await c.says("number nine")
    assert text_of(replies) == "Please pick one of the 4 times above (1-4)."


async def test_a_second_tap_on_the_booked_batch_says_already_booked_and_offers_nothing() -> None:
    c = await chat()
    tokens = offers_in(await c.says("show me times"))
    await c.taps(tokens[0])
    replies = await c.taps(tokens[1])
    assert text_of(replies).startswith("You're already booked for Mon 7 Dec, 09:00 (UTC)")
    assert offers_in(replies) == [] and len(c.meetings.live()) == 1


async def test_a_forged_offer_is_refused_with_fresh_times() -> None:
    c = await chat()
    replies = await c.taps(OFFER_PREFIX + "x" * 16)
    assert text_of(replies).startswith("That time is no longer on offer.")
    assert offers_in(replies) and c.repos.appointments.rows == {}


async def test_a_failed_booking_tells_the_lead_nothing_was_booked_and_the_agent_why() -> None:
    c = await chat()
    c.meetings.fail("create")
    replies = await c.taps(offers_in(await c.says("show me times"))[0])
    assert "nothing was booked" in text_of(replies) and offers_in(replies)
    assert any("failed and was undone" in t for t in c.to_agent())
    assert (await c.lead()).status is LeadStatus.ENGAGED
    assert c.calendar.live() == [] and c.meetings.live() == []


# Details

async def test_the_phone_asked_after_booking_is_saved_and_the_topic_asked_next() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    replies = await c.says("+1 212 555 0100")
    assert "Thanks, I've saved your phone number." in text_of(replies)
    assert "What would you like to talk about?" in text_of(replies)
    lead = await c.lead()
    assert lead.phone_number == "+12125550100" and lead.awaiting is Awaiting.NOTES
    assert any(t.startswith("Update for") and "+12125550100" in t for t in c.to_agent())
    await c.says("Buying a flat in Berlin")
    assert (await c.lead()).notes == "Buying a flat in Berlin"
    assert (await c.lead()).awaiting is None


async def test_a_detail_that_does_not_check_out_is_refused_with_the_reason() -> None:
    c = await chat(BrainReply(tool_calls=(SaveDetails(name="Ann Lee", email="ann@"),)))
    replies = await c.says("I'm Ann Lee, ann@")
    assert text_of(replies) == ("Thanks, I've saved your name. But that email address doesn't "
                                "look right.")
    assert (await c.lead()).name == "Ann Lee"


async def test_only_the_senders_own_shared_contact_is_saved() -> None:
    c = await chat()
    foreign = await c.conversation.contact(c.me, "+12125550100", 999)
    assert "only save your own number" in text_of(foreign)
    own = await c.conversation.contact(c.me, "+12125550100", c.me.telegram_id)
    assert own[0].text == "Thanks, I've saved your phone number."
    assert own[0].extra == {"remove_keyboard": "1"}


# Cancelling and moving

async def test_cancel_is_asked_first_and_a_yes_cancels_and_frees_everything() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    question = await c.says("I need to cancel")
    assert text_of(question) == "Cancel your meeting on Mon 7 Dec, 09:00 (UTC)?"
    assert [b.data for row in question[0].buttons for b in row][1] == KEEP
    done = await c.says("yes")
    assert text_of(done).startswith("Done: your meeting on Mon 7 Dec, 09:00 (UTC) is cancelled.")
    assert c.meetings.live() == [] and c.calendar.live() == []
    assert any(t.startswith("Cancelled") for t in c.to_agent())
    assert c.timers.names() == []
    lead = await c.lead()
    assert lead.status is LeadStatus.CANCELLED and lead.awaiting is None


async def test_anything_but_a_yes_closes_the_cancel_question() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    await c.says("cancel")
    assert "stays" in text_of(await c.says("no"))
    assert (await c.lead()).awaiting is None
    again = await c.says("cancel please")
    assert text_of(again).startswith("Cancel your meeting on")
    assert len(c.meetings.live()) == 1


async def test_a_cancel_button_for_someone_elses_meeting_touches_nothing() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    (appointment,) = c.repos.appointments.rows.values()
    bob = Sender(1002, 1002, "Bob")
    replies = await c.conversation.tap(bob, f"{CANCEL_PREFIX}{appointment.id}")
    assert "couldn't find an active meeting" in text_of(replies)
    assert c.repos.appointments.rows[appointment.id].status is AppointmentStatus.BOOKED


async def test_reschedule_offers_new_times_near_the_words_and_a_tap_moves_the_meeting() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    offers = await c.says("can we move it to wednesday afternoon?")
    assert text_of(offers).startswith("Your meeting is on Mon 7 Dec, 09:00 (UTC). Pick a new")
    assert labels(offers) and all(label.startswith("Wed 9 Dec") for label in labels(offers))
    assert KEEP in [b.data for m in offers for row in m.buttons for b in row]
    moved = await c.taps(offers_in(offers)[0])
    assert "You're booked" in text_of(moved)
    assert any(t.startswith("Moved") for t in c.to_agent())
    statuses = sorted(a.status for a in c.repos.appointments.rows.values())
    assert statuses == [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED]
    assert (await c.lead()).status is LeadStatus.BOOKED


# The brain

async def test_when_the_ai_fails_the_rule_based_brain_answers() -> None:
    c = await chat(Unavailable("openai", "down", status=500))
    replies = await c.says("hello")
    assert replies[0].text.startswith("Hello Ann! I'm the Acme Realty booking assistant.")
    assert c.metrics.count("errors.ai_fallback") == 1


async def test_every_tool_a_brain_may_call_gets_an_answer() -> None:
    commands = typing.get_args(ToolCall)
    calls: dict[type, ToolCall] = {FindSlots: FindSlots(), BookSlot: BookSlot(1),
                                   Cancel: Cancel(), Reschedule: Reschedule(),
                                   SaveDetails: SaveDetails(notes="pricing")}
    assert set(commands) == set(calls)
    for command in commands:
        c = await chat(BrainReply(tool_calls=(calls[command],)))
        replies = await c.says("do it")
        assert replies and all(m.text for m in replies)
        assert c.metrics.count("errors.tool") == 0
