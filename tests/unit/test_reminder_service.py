"""ReminderService on in-memory fakes: a day and an hour before, once, never for a cancel."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import Appointment, Interval, Lead
from tests.unit.fakes import Core, build_core


async def booked_at(core: Core, start: datetime, lead: Lead | None = None) -> Appointment:
    """A booked meeting of the first agent with lead 1 (or ``lead``) starting at ``start``."""
    agents = await core.repos.agents.list()
    agent = agents[0] if agents else await core.add_agent()
    lead = lead or await core.lead(1, timezone="Europe/Berlin")
    held = await core.repos.appointments.hold(
        lead.id, agent.id, Interval(start, start + timedelta(minutes=30)), buffer=timedelta(0),
        now=core.clock.now())
    await core.repos.appointments.set_meeting(held.id, "m1", "https://meet.example.com/j/1")
    await core.repos.appointments.mark_booked(held.id)
    found = await core.repos.appointments.get(held.id)
    assert found is not None
    return found


def names(appointment: Appointment) -> list[str]:
    return [f"reminder:{appointment.id}:1h", f"reminder:{appointment.id}:24h"]


async def test_a_booked_meeting_is_reminded_a_day_and_an_hour_before() -> None:
    core = build_core()
    start = core.clock.now() + timedelta(days=2)
    appointment = await booked_at(core, start)
    core.reminders.schedule(appointment)
    assert core.timers.names() == names(appointment)
    assert core.timers.when(f"reminder:{appointment.id}:24h") == start - timedelta(hours=24)
    assert core.timers.when(f"reminder:{appointment.id}:1h") == start - timedelta(hours=1)
    lead = await core.lead(1)
    await core.timers.fire(f"reminder:{appointment.id}:24h")
    await core.timers.fire(f"reminder:{appointment.id}:1h")
    day, hour = core.notifier.to(lead.chat_id)
    assert "Alice Agent" in day and "tomorrow" in day and "https://meet.example.com/j/1" in day
    assert "in an hour" in hour
    # Times in the lead's zone: 07:00 UTC is 08:00 in Berlin.
    assert "08:00 (Berlin)" in day


async def test_a_reminder_time_already_past_is_not_scheduled() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(hours=5))
    core.reminders.schedule(appointment)
    assert core.timers.names() == [f"reminder:{appointment.id}:1h"]


async def test_forget_drops_both_reminders() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(days=2))
    core.reminders.schedule(appointment)
    core.reminders.forget(appointment.id)
    assert core.timers.names() == []


async def test_a_cancelled_meeting_gets_no_reminder() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(days=2))
    core.reminders.schedule(appointment)
    await core.repos.appointments.mark_cancelled(appointment.id)
    await core.timers.fire(f"reminder:{appointment.id}:24h")
    assert core.notifier.sent == []
    assert not await core.reminders.send(appointment.id, "1h")


async def test_a_reminder_is_sent_once() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(days=2))
    assert await core.reminders.send(appointment.id, "24h")
    assert not await core.reminders.send(appointment.id, "24h")
    assert len(core.notifier.sent) == 1


async def test_rebuild_schedules_future_meetings_and_sends_one_missed_by_a_short_time() -> None:
    core = build_core()
    lead = await core.lead(1)
    later = await booked_at(core, core.clock.now() + timedelta(days=3), lead)
    # Its hour-before reminder was due 10 minutes ago, while the bot was down.
    soon = await booked_at(core, core.clock.now() + timedelta(minutes=50), lead)
    assert await core.reminders.rebuild() == 2
    assert core.timers.names() == names(later)
    (text,) = core.notifier.to(lead.chat_id)
    assert "in an hour" in text
    assert await core.repos.appointments.reminder_sent(soon.id, "1h") is False, "claimed"


async def test_rebuild_does_not_send_a_reminder_missed_long_ago() -> None:
    core = build_core()
    lead = await core.lead(1)
    # The day-before reminder was due 20 hours ago: too late to be useful.
    await booked_at(core, core.clock.now() + timedelta(hours=4), lead)
    assert await core.reminders.rebuild() == 1
    assert core.notifier.sent == []


async def test_rebuild_skips_cancelled_and_past_meetings() -> None:
    core = build_core()
    lead = await core.lead(1)
    gone = await booked_at(core, core.clock.now() + timedelta(days=2), lead)
    await core.repos.appointments.mark_cancelled(gone.id)
    await booked_at(core, core.clock.now() + timedelta(days=1), lead)
    core.clock.advance(timedelta(days=1, hours=1))  # the second meeting has begun
    assert await core.reminders.rebuild() == 0
    assert core.timers.names() == [] and core.notifier.sent == []


async def test_a_reminder_that_cannot_be_delivered_is_counted_not_raised() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(days=2))
    core.notifier.fail("send")
    assert not await core.reminders.send(appointment.id, "24h")
    assert core.metrics.count("errors.reminder") == 1
