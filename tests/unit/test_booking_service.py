"""BookingService on in-memory fakes: hold, parallel create, undo, cancel, reconcile."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.compensation import CLEANUP, LATE_CREATE
from bot.booking.events import event_id_of
from bot.domain import AppointmentStatus, Interval, Lead, LeadStatus
from bot.errors import BookingFailed, ExpiryReason, NotFound, OfferExpired, SlotTaken
from tests.unit.fakes import Core, build_core

UTC = ZoneInfo("UTC")


async def offer_first(core: Core, lead: Lead, **kwargs: object) -> str:
    """Offer the lead times of every agent; the first offer's token."""
    result = await core.slots.offer(lead.id, await core.agents.active(), zone=UTC, **kwargs)
    assert result.offers, result.reason
    return result.offers[0].token


def nothing_left(core: Core) -> bool:
    """No meeting and no calendar event exists."""
    return not core.meetings.live() and not core.calendar.live()


async def test_a_booking_makes_one_meeting_and_one_event_that_carries_the_join_link() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead(1, phone_number="+14155550100", email="ann@example.com")
    booked = await core.booking.book(lead, await offer_first(core, lead))
    appointment = booked.appointment
    assert appointment.status is AppointmentStatus.BOOKED
    assert appointment.start == core.clock.now().replace(hour=9)
    (meeting,) = core.meetings.live()
    (event,) = core.calendar.live()
    assert appointment.join_url == meeting.join_url
    assert event.location == meeting.join_url and meeting.join_url in event.description
    assert "Lead1" in event.summary and "+14155550100" in event.description
    assert event.calendar_id == agent.calendar_id and event.event_id == event_id_of(appointment)
    assert event.attendee_emails == ()  # no delegation: nobody is invited
    # The lead's status and agent are the conversation's to record (its tests check them).
    assert await core.repos.leads.get(lead.id) == lead
    assert await core.repos.offers.open_for_lead(lead.id, core.clock.now()) == []


async def test_with_delegation_the_lead_is_invited_to_the_event() -> None:
    core = build_core(invite_attendees=True)
    await core.add_agent()
    lead = await core.lead(1, email="ann@example.com")
    await core.booking.book(lead, await offer_first(core, lead))
    (event,) = core.calendar.live()
    assert event.attendee_emails == ("ann@example.com",)


async def test_the_sequential_flow_books_the_same_meeting() -> None:
    core = build_core(parallel=False)
    await core.add_agent()
    lead = await core.lead()
    booked = await core.booking.book(lead, await offer_first(core, lead))
    assert booked.appointment.status is AppointmentStatus.BOOKED
    assert len(core.meetings.live()) == 1 and len(core.calendar.live()) == 1


async def test_a_slot_another_lead_holds_is_refused_at_the_hold_and_nothing_is_made() -> None:
    core = build_core()
    agent = await core.add_agent()
    ann, bob = await core.lead(1), await core.lead(2)
    token = await offer_first(core, ann)
    offer = await core.repos.offers.by_token(token)
    assert offer is not None
    await core.repos.appointments.hold(bob.id, agent.id, offer.interval, buffer=timedelta(0))
    with pytest.raises(SlotTaken):
        await core.booking.book(ann, token)
    assert core.meetings.created == [] and core.calendar.created == []
    assert await core.repos.appointments.for_lead(ann.id) == []


async def test_a_hold_refuses_a_slot_inside_the_agents_buffer() -> None:
    core = build_core()
    agent = await core.add_agent(buffer_minutes=15)
    ann, bob = await core.lead(1), await core.lead(2)
    token = await offer_first(core, ann)
    offer = await core.repos.offers.by_token(token)
    assert offer is not None
    later = offer.end + timedelta(minutes=10)
    await core.repos.appointments.hold(bob.id, agent.id,
                                       Interval(later, later + timedelta(minutes=30)),
                                       buffer=timedelta(0))
    with pytest.raises(SlotTaken):
        await core.booking.book(ann, token)


async def test_time_the_calendar_shows_busy_at_the_recheck_is_refused_and_the_meeting_undone(
) -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    offer = await core.repos.offers.by_token(token)
    assert offer is not None
    core.calendar.block(agent.calendar_id, offer.start, offer.end)
    with pytest.raises(SlotTaken):
        await core.booking.book(lead, token)
    assert len(core.meetings.created) == 1, "the meeting was made alongside the re-check"
    assert nothing_left(core)
    (appointment,) = await core.repos.appointments.for_lead(lead.id)
    assert appointment.status is AppointmentStatus.FAILED
    assert appointment.failure_reason == "slot taken"


async def test_a_meeting_provider_failure_undoes_the_hold_and_frees_the_slot() -> None:
    core = build_core()
    await core.add_agent()
    ann = await core.lead(1)
    token = await offer_first(core, ann)
    core.meetings.fail("create", times=1)
    with pytest.raises(BookingFailed):
        await core.booking.book(ann, token)
    assert nothing_left(core) and core.calendar.created == []
    (appointment,) = await core.repos.appointments.for_lead(ann.id)
    assert appointment.status is AppointmentStatus.FAILED
    # The next lead is offered the same time and can book it.
    bob = await core.lead(2)
    again = await offer_first(core, bob)
    offer = await core.repos.offers.by_token(again)
    assert offer is not None and offer.start == appointment.start
    assert (await core.booking.book(bob, again)).appointment.start == appointment.start


async def test_an_event_insert_failure_deletes_the_meeting_and_the_event() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.calendar.fail("create_event")
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    (meeting,) = core.meetings.created
    assert core.meetings.deleted == [meeting.meeting.id]
    (appointment,) = await core.repos.appointments.for_lead(lead.id)
    assert core.calendar.deleted == [(agent.calendar_id, event_id_of(appointment))]
    assert appointment.status is AppointmentStatus.FAILED
    assert nothing_left(core)


async def test_an_event_made_whose_answer_was_lost_is_deleted_with_the_meeting() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.calendar.fail("create_event", after=True)
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    assert len(core.calendar.created) == 1
    assert nothing_left(core)


async def test_an_undo_that_fails_is_owed_and_the_sweep_pays_it() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.calendar.fail("create_event")
    core.meetings.fail("delete", times=1)
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    (appointment,) = await core.repos.appointments.for_lead(lead.id)
    assert appointment.failure_reason == CLEANUP
    assert len(core.meetings.live()) == 1
    assert await core.booking.sweep() == 0
    assert nothing_left(core)
    (appointment,) = await core.repos.appointments.for_lead(lead.id)
    assert appointment.failure_reason is None


async def test_a_meeting_whose_create_answer_was_lost_is_found_by_the_sweep() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.meetings.fail("create", after=True, times=1)
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    assert len(core.meetings.live()) == 1, "the provider made it; we never heard back"
    assert await core.booking.sweep() == 0
    assert nothing_left(core)


async def test_a_late_meeting_is_looked_for_until_it_could_no_longer_appear() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.meetings.fail("create", times=1)  # a timeout: it may still land later
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    assert await core.booking.sweep() == 1, "still owed: a late create may yet appear"
    core.clock.advance(LATE_CREATE + timedelta(seconds=1))
    assert await core.booking.sweep() == 0
    (appointment,) = await core.repos.appointments.for_lead(lead.id)
    assert appointment.failure_reason is None


async def refused(book: Awaitable[object]) -> ExpiryReason:
    """Why booking was refused as no longer on offer."""
    with pytest.raises(OfferExpired) as caught:
        await book
    assert str(caught.value) == caught.value.reason.value
    return caught.value.reason


async def test_an_offer_is_refused_when_unknown_foreign_used_or_expired() -> None:
    core = build_core()
    await core.add_agent()
    ann, bob = await core.lead(1), await core.lead(2)
    token = await offer_first(core, ann)
    assert await refused(core.booking.book(ann, "forged")) is ExpiryReason.UNKNOWN
    assert await refused(core.booking.book(bob, token)) is ExpiryReason.UNKNOWN
    await core.booking.book(ann, token)
    assert await refused(core.booking.book(ann, token)) is ExpiryReason.USED
    later = await offer_first(core, bob)
    core.clock.advance(timedelta(hours=7))
    assert await refused(core.booking.book(bob, later)) is ExpiryReason.EXPIRED
    assert core.meetings.created[1:] == [], "only the one booking made a meeting"


async def test_a_tap_on_another_offer_of_a_booked_batch_is_refused_as_expired() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    result = await core.slots.offer(lead.id, [agent], zone=UTC, count=2)
    first, second = result.offers
    await core.booking.book(lead, first.token)
    assert await refused(core.booking.book(lead, second.token)) is ExpiryReason.EXPIRED


async def test_a_deactivated_agents_offer_is_refused() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    core.repos.agents.rows[agent.id] = replace(agent, active=False)
    core.agents.invalidate()
    assert await refused(core.booking.book(lead, token)) is ExpiryReason.AGENT_GONE
    assert core.meetings.created == []


async def test_two_taps_at_once_book_once() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    results = await asyncio.gather(core.booking.book(lead, token),
                                   core.booking.book(lead, token), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert any(isinstance(r, OfferExpired) for r in results)
    assert len(core.meetings.live()) == 1 and len(core.calendar.live()) == 1


async def test_a_reschedule_books_the_new_time_and_cancels_the_old_meeting() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    first = await core.booking.book(lead, await offer_first(core, lead))
    moved = await core.booking.book(
        lead, await offer_first(core, lead, reschedule_of=first.appointment.id))
    assert moved.replaced is not None and moved.replaced.id == first.appointment.id
    assert moved.replaced.status is AppointmentStatus.CANCELLED
    assert [m.id for m in core.meetings.live()] == [moved.appointment.meeting_id]
    assert [e.event_id for e in core.calendar.live()] == [event_id_of(moved.appointment)]


async def test_cancel_deletes_the_meeting_and_the_event_and_frees_the_slot() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    booked = await core.booking.book(lead, await offer_first(core, lead))
    cancelled, who = await core.booking.cancel(lead, booked.appointment.id)
    assert cancelled.status is AppointmentStatus.CANCELLED and who.id == agent.id
    assert nothing_left(core)
    assert await core.repos.leads.get(lead.id) == lead  # the conversation records the cancel
    found = await core.slots.free_validated([agent], booked.appointment.start,
                                            booked.appointment.end)
    assert [s.start for _, s in found.slots] == [booked.appointment.start]


async def test_cancel_refuses_another_leads_meeting_and_one_already_cancelled() -> None:
    core = build_core()
    await core.add_agent()
    ann, bob = await core.lead(1), await core.lead(2)
    booked = await core.booking.book(ann, await offer_first(core, ann))
    with pytest.raises(NotFound):
        await core.booking.cancel(bob, booked.appointment.id)
    await core.booking.cancel(ann, booked.appointment.id)
    with pytest.raises(NotFound):
        await core.booking.cancel(ann, booked.appointment.id)


async def test_a_cancel_while_the_booking_is_in_flight_leaves_nothing_booked() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    pause = core.meetings.pause("create")
    booking = asyncio.create_task(core.booking.book(lead, token))
    await pause.reached.wait()
    (pending,) = await core.repos.appointments.for_lead(lead.id)
    assert pending.status is AppointmentStatus.PENDING
    cancelled, _ = await core.booking.cancel(lead, pending.id)
    assert cancelled.status is AppointmentStatus.CANCELLED
    pause.release()
    with pytest.raises(BookingFailed, match="cancelled"):
        await booking
    assert nothing_left(core)
    (final,) = await core.repos.appointments.for_lead(lead.id)
    assert final.status is AppointmentStatus.CANCELLED


async def test_reconcile_undoes_a_pending_booking_that_made_nothing() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    start = core.clock.now().replace(hour=10)
    held = await core.repos.appointments.hold(lead.id, agent.id,
                                              Interval(start, start + timedelta(minutes=30)),
                                              buffer=timedelta(0))
    ((appointment, completed),) = await core.booking.reconcile()
    assert appointment.id == held.id and not completed
    assert appointment.status is AppointmentStatus.FAILED
    assert appointment.failure_reason == "interrupted"
    assert nothing_left(core)


async def test_reconcile_finishes_a_pending_booking_whose_meeting_was_recorded() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    start = core.clock.now().replace(hour=11)
    held = await core.repos.appointments.hold(lead.id, agent.id,
                                              Interval(start, start + timedelta(minutes=30)),
                                              buffer=timedelta(0))
    meeting = await core.meetings.create(topic="t", start=start, duration_minutes=30,
                                         timezone="UTC")
    await core.repos.appointments.set_meeting(held.id, meeting.id, meeting.join_url)
    ((appointment, completed),) = await core.booking.reconcile()
    assert completed and appointment.status is AppointmentStatus.BOOKED
    (event,) = core.calendar.live()
    assert event.location == meeting.join_url
    stored = await core.repos.leads.get(lead.id)
    assert stored is not None and stored.status is LeadStatus.BOOKED


async def test_reconcile_finds_a_meeting_made_just_before_a_crash_and_finishes() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    start = core.clock.now().replace(hour=11)
    held = await core.repos.appointments.hold(lead.id, agent.id,
                                              Interval(start, start + timedelta(minutes=30)),
                                              buffer=timedelta(0))
    meeting = await core.meetings.create(topic="t", start=start, duration_minutes=30,
                                         timezone="UTC", key=event_id_of(held))
    ((appointment, completed),) = await core.booking.reconcile()
    assert completed and appointment.meeting_id == meeting.id
    assert len(core.calendar.live()) == 1


async def test_reconcile_undoes_a_pending_booking_whose_time_has_passed() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    start = core.clock.now().replace(hour=10)
    held = await core.repos.appointments.hold(lead.id, agent.id,
                                              Interval(start, start + timedelta(minutes=30)),
                                              buffer=timedelta(0))
    meeting = await core.meetings.create(topic="t", start=start, duration_minutes=30,
                                         timezone="UTC")
    await core.repos.appointments.set_meeting(held.id, meeting.id, meeting.join_url)
    core.clock.set(start + timedelta(hours=1))
    ((appointment, completed),) = await core.booking.reconcile()
    assert not completed and appointment.status is AppointmentStatus.FAILED
    assert nothing_left(core)


async def test_reconcile_leaves_a_booking_in_flight_alone() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    token = await offer_first(core, lead)
    pause = core.meetings.pause("create")
    booking = asyncio.create_task(core.booking.book(lead, token))
    await pause.reached.wait()
    assert await core.booking.reconcile() == []
    pause.release()
    booked = await booking
    assert booked.appointment.status is AppointmentStatus.BOOKED
