"""Moving a booked meeting, on in-memory fakes: the new appointment records what it replaces, so
booking it cancels the old one in the same step, and a crash at any point is settled once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.events import event_id_of, invite_uid_of, move_of
from bot.domain import CLEANUP, Agent, Appointment, AppointmentStatus, Interval, Lead
from bot.errors import BookingFailed
from tests.unit.fakes import Core, build_core

UTC = ZoneInfo("UTC")


async def booked(core: Core, lead: Lead) -> Appointment:
    """Book the lead's first offered time through the service."""
    result = await core.slots.offer(lead.id, await core.agents.active(), zone=UTC)
    return (await core.booking.book(lead, result.offers[0].token)).appointment


async def move_token(core: Core, lead: Lead, old: Appointment) -> str:
    """Offer the lead times to move ``old`` to; the last offer's token."""
    result = await core.slots.offer(lead.id, await core.agents.active(), zone=UTC,
                                    reschedule_of=old.id)
    return result.offers[-1].token


async def pending_move(core: Core, agent: Agent, lead: Lead, old: Appointment,
                       start: datetime) -> Appointment:
    """What a crash mid-move leaves: the new hold, its meeting made, no event yet."""
    held = await core.repos.appointments.hold(
        lead.id, agent.id, Interval(start, start + timedelta(minutes=30)),
        buffer=timedelta(0), now=core.clock.now(), move=move_of(old))
    meeting = await core.meetings.create(topic="t", start=start, duration_minutes=30,
                                         timezone="UTC", key=event_id_of(held))
    await core.repos.appointments.set_meeting(held.id, meeting.id, meeting.join_url)
    found = await core.repos.appointments.get(held.id)
    assert found is not None
    return found


async def status(core: Core, appointment: Appointment) -> AppointmentStatus:
    found = await core.repos.appointments.get(appointment.id)
    assert found is not None
    return found.status


async def test_a_move_books_the_new_time_and_cancels_the_old_one_with_its_meeting_and_event(
        ) -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    done = await core.booking.book(lead, await move_token(core, lead, old))
    assert done.replaced is not None and done.replaced.id == old.id
    assert done.appointment.replaces == old.id
    assert await status(core, old) is AppointmentStatus.CANCELLED
    assert done.replaced.failure_reason is None, "nothing owed"
    (meeting,) = core.meetings.live()
    (event,) = core.calendar.live()
    assert meeting.id == done.appointment.meeting_id
    assert event.event_id == event_id_of(done.appointment)
    # The lead's calendar app is told it is the same meeting, moved.
    assert invite_uid_of(done.appointment) == invite_uid_of(old)
    assert done.appointment.invite_sequence == old.invite_sequence + 1


async def test_a_move_may_overlap_the_meeting_it_replaces() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    later = old.start + timedelta(minutes=15)
    moved = await core.repos.appointments.hold(
        lead.id, agent.id, Interval(later, later + timedelta(minutes=30)), buffer=timedelta(0),
        move=move_of(old))
    assert moved.replaces == old.id


async def test_reconcile_finishes_an_interrupted_move_and_cancels_the_old_meeting_once() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    new = await pending_move(core, agent, lead, old, old.start + timedelta(hours=3))
    ((settled, completed),) = await core.booking.reconcile()
    assert settled.id == new.id and completed
    assert await status(core, old) is AppointmentStatus.CANCELLED
    assert [m.id for m in core.meetings.live()] == [new.meeting_id]
    assert [e.event_id for e in core.calendar.live()] == [event_id_of(new)]
    assert old.meeting_id in core.meetings.deleted
    # A second start-up finds nothing to do and deletes nothing more.
    deleted = len(core.meetings.deleted)
    assert await core.booking.reconcile() == []
    assert len(core.meetings.deleted) == deleted


async def test_reconcile_undoes_a_move_it_cannot_finish_and_the_old_meeting_stays() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    new = await pending_move(core, agent, lead, old, old.start + timedelta(hours=3))
    core.calendar.fail("create_event")
    ((settled, completed),) = await core.booking.reconcile()
    assert settled.id == new.id and not completed
    assert await status(core, new) is AppointmentStatus.FAILED
    assert await status(core, old) is AppointmentStatus.BOOKED
    assert [m.id for m in core.meetings.live()] == [old.meeting_id]


async def test_a_crash_after_the_move_was_booked_leaves_the_old_meeting_to_the_sweep() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    new = await pending_move(core, agent, lead, old, old.start + timedelta(hours=3))
    # The process dies right after the transaction that booked the new one.
    assert await core.repos.appointments.mark_booked(new.id)
    cancelled = await core.repos.appointments.get(old.id)
    assert cancelled is not None and cancelled.status is AppointmentStatus.CANCELLED
    assert cancelled.failure_reason == CLEANUP
    assert await core.booking.sweep() == 0
    assert old.meeting_id in core.meetings.deleted
    assert (agent.calendar_id, event_id_of(old)) in core.calendar.deleted
    swept = await core.repos.appointments.get(old.id)
    assert swept is not None and swept.failure_reason is None


async def test_an_old_meeting_that_cannot_be_deleted_yet_is_owed_to_the_sweep() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    core.meetings.fail("delete", times=1)
    done = await core.booking.book(lead, await move_token(core, lead, old))
    assert done.replaced is not None and done.replaced.failure_reason == CLEANUP
    assert old.meeting_id in [m.id for m in core.meetings.live()]
    assert await core.booking.sweep() == 0
    assert [m.id for m in core.meetings.live()] == [done.appointment.meeting_id]


async def test_a_failed_move_keeps_the_old_meeting_booked() -> None:
    core = build_core()
    await core.add_agent()
    lead = await core.lead()
    old = await booked(core, lead)
    token = await move_token(core, lead, old)
    core.calendar.fail("create_event")
    with pytest.raises(BookingFailed):
        await core.booking.book(lead, token)
    assert await status(core, old) is AppointmentStatus.BOOKED
    assert [m.id for m in core.meetings.live()] == [old.meeting_id]
