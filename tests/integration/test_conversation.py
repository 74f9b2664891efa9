"""The conversation service with real storage and the Google/Zoom fakes, rule-based brain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.booking.reminders import AsyncioTimers
from bot.conversation.service import CANCEL_PREFIX, KEEP, OFFER_PREFIX, Sender
from bot.domain import AppointmentStatus
from bot.ports import OutMessage
from tests.world import World, world


def taps(messages: list[OutMessage]) -> list[str]:
    return [b.data for m in messages for row in m.buttons for b in row]


def texts(messages: list[OutMessage]) -> str:
    return "\n".join(m.text for m in messages)


async def book_first(w: World, lead: Sender, ask: str = "show me times") -> list[OutMessage]:
    offers = await w.services.conversation.text(lead, ask)
    token = next(d for d in taps(offers) if d.startswith(OFFER_PREFIX))
    return await w.services.conversation.tap(lead, token)


async def test_every_inbound_and_outbound_line_is_stored(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        replies = await w.services.conversation.text(lead, "hello there")
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None
        history = await w.services.store.messages.last(stored.id)
        assert [m.content for m in history] == ["hello there"] + [r.text for r in replies]


async def test_offers_are_in_the_leads_zone_once_known(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await w.services.conversation.text(lead, "I'm in New York")
        offers = await w.services.conversation.text(lead, "any times tomorrow?")
        labels = [b.label for m in offers for row in m.buttons for b in row]
        # Agent works 09:00-17:00 UTC = 04:00-12:00 in New York (EST, UTC-5).
        assert labels and all(label.endswith("(New York)") for label in labels)
        assert labels[0] == "Tue 8 Dec, 04:00 (New York)"


async def test_words_pick_an_offer_and_book_it(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await w.services.conversation.text(lead, "book me tuesday")
        replies = await w.services.conversation.text(lead, "the second one")
        assert "You're booked" in texts(replies)
        assert replies[0].attachment is not None
        assert any("New meeting" in t for t in w.notifier.to(w.agent.telegram_id))


async def test_phone_is_asked_after_booking_and_agent_is_updated(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        replies = await book_first(w, lead)
        assert any(m.request_contact for m in replies)
        replies = await w.services.conversation.contact(lead, "12125550100", lead.telegram_id)
        assert "saved your phone number" in texts(replies)
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None and stored.phone_number == "+12125550100"
        assert any("+12125550100" in t for t in w.notifier.to(w.agent.telegram_id))


async def test_someone_elses_contact_is_not_saved(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        replies = await w.services.conversation.contact(lead, "+12125550100", 999)
        assert "only save your own number" in texts(replies)
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None and stored.phone_number is None


async def test_cancel_asks_first_then_deletes_everything(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await book_first(w, lead)
        question = await w.services.conversation.text(lead, "I need to cancel")
        assert "Cancel your meeting on" in texts(question)
        yes = next(d for d in taps(question) if d.startswith(CANCEL_PREFIX))
        assert KEEP in taps(question)
        done = await w.services.conversation.tap(lead, yes)
        assert "is cancelled" in texts(done)
        assert w.orphans() == (0, 0)
        assert any(t.startswith("Cancelled") for t in w.notifier.to(w.agent.telegram_id))


async def test_a_forged_cancel_button_cannot_touch_another_leads_meeting(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await book_first(w, w.lead(1))
        victim = await w.services.store.leads.by_telegram_id(w.lead(1).telegram_id)
        assert victim is not None
        (appointment,) = await w.services.store.appointments.for_lead(victim.id)
        replies = await w.services.conversation.tap(w.lead(2), f"{CANCEL_PREFIX}{appointment.id}")
        assert "couldn't find" in texts(replies)
        still = await w.services.store.appointments.get(appointment.id)
        assert still is not None and still.status is AppointmentStatus.BOOKED


async def test_a_forged_or_foreign_offer_books_nothing(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        offers = await w.services.conversation.text(w.lead(1), "show me times")
        token = next(d for d in taps(offers) if d.startswith(OFFER_PREFIX))
        foreign = await w.services.conversation.tap(w.lead(2), token)
        forged = await w.services.conversation.tap(w.lead(2), OFFER_PREFIX + "x" * 16)
        for replies in (foreign, forged):
            assert "no longer on offer" in texts(replies)
        assert w.orphans() == (0, 0)


async def test_reschedule_moves_the_meeting_and_tells_the_agent(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await book_first(w, lead)
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None
        (old,) = await w.services.store.appointments.for_lead(stored.id)
        offers = await w.services.conversation.command(lead, "reschedule")
        assert KEEP in taps(offers)
        token = next(d for d in taps(offers) if d.startswith(OFFER_PREFIX))
        replies = await w.services.conversation.tap(lead, token)
        assert "You're booked" in texts(replies)
        moved = await w.services.store.appointments.get(old.id)
        assert moved is not None and moved.status is AppointmentStatus.CANCELLED
        assert w.orphans() == (1, 1)
        assert any(t.startswith("Moved") for t in w.notifier.to(w.agent.telegram_id))


async def test_reminders_are_sent_once_and_never_for_cancelled(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await book_first(w, lead)
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None
        (appointment,) = await w.services.store.appointments.for_lead(stored.id)
        assert isinstance(w.services.timers, AsyncioTimers)
        # The booking is at 09:00 and it is 07:00: the 1 h reminder is due, the 24 h one passed.
        assert w.services.timers.names() == [f"reminder:{appointment.id}:1h"]
        w.clock.set(appointment.start - timedelta(hours=1))  # when its timer fires
        assert await w.services.reminders.send(appointment.id, "1h")
        assert not await w.services.reminders.send(appointment.id, "1h")
        reminders = [t for c, t in ((c, m.text) for c, m in w.notifier.sent)
                     if c == lead.chat_id and t.startswith("Reminder")]
        assert len(reminders) == 1 and "in an hour" in reminders[0]
        await w.services.conversation.command(lead, "cancel")
        await w.services.conversation.text(lead, "yes")
        cancelled = await w.services.store.appointments.get(appointment.id)
        assert cancelled is not None and cancelled.status is AppointmentStatus.CANCELLED
        assert not await w.services.reminders.send(appointment.id, "24h")


async def test_two_agents_earliest_slot_wins_and_the_lead_keeps_that_agent(
        tmp_path: Path) -> None:
    from tests.world import add_agent

    async with world(tmp_path) as w:
        w.google.add_calendar("bob@example.com")
        bob = await add_agent(w.services, name="Bob Agent", telegram_id=778,
                              calendar_id="bob@example.com",
                              working_hours="mon-fri 08:00-17:00")
        lead = w.lead(1)
        offers = await w.services.conversation.text(lead, "show me times")
        labels = [b.label for m in offers for row in m.buttons for b in row]
        assert labels[0] == "Mon 7 Dec, 08:00 (UTC)"  # only Bob starts at 08:00
        token = next(d for d in taps(offers) if d.startswith(OFFER_PREFIX))
        await w.services.conversation.tap(lead, token)
        stored = await w.services.store.leads.by_telegram_id(lead.telegram_id)
        assert stored is not None and stored.agent_id == bob.id
        assert any("New meeting" in t for t in w.notifier.to(bob.telegram_id))
        assert not w.notifier.to(w.agent.telegram_id)
        # Later offers (to move the meeting, issue 12) come from Bob alone: 08:00-09:00 slots
        # exist only in his hours.
        again = await w.services.conversation.text(lead, "and what about tuesday?")
        labels = [b.label for m in again for row in m.buttons for b in row
                  if b.data.startswith(OFFER_PREFIX)]
        assert labels and all("Tue 8 Dec" in label for label in labels)
        offer_rows = await w.services.store.offers.open_for_lead(stored.id, w.clock.now())
        assert {o.agent_id for o in offer_rows} == {bob.id}


async def test_saying_no_to_the_cancel_question_keeps_asking_next_time(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = w.lead(1)
        await book_first(w, lead)
        await w.services.conversation.text(lead, "cancel")
        kept = await w.services.conversation.text(lead, "no")
        assert "stays" in texts(kept)
        again = await w.services.conversation.text(lead, "cancel please")
        assert "Cancel your meeting on" in texts(again)
        assert w.orphans() == (1, 1)
