"""ReminderService on in-memory fakes: a day and an hour before (an hour, or ten minutes, when
booked at shorter notice), saying the time really left, once, never for a cancel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.booking.notices import confirmation, time_left
from bot.domain import Appointment, AppointmentStatus, Interval, Lead
from tests.unit.fakes import MONDAY, Core, build_core, make_agent


async def booked_at(core: Core, start: datetime, lead: Lead | None = None, *,
                    booked: datetime | None = None) -> Appointment:
    """A booked meeting of the first agent with lead 1 (or ``lead``) starting at ``start``,
    booked now (or at ``booked``)."""
    agents = await core.repos.agents.list()
    agent = agents[0] if agents else await core.add_agent()
    lead = lead or await core.lead(1, timezone="Europe/Berlin")
    held = await core.repos.appointments.hold(
        lead.id, agent.id, Interval(start, start + timedelta(minutes=30)), buffer=timedelta(0),
        now=booked or core.clock.now())
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
    core.clock.set(start - timedelta(hours=24))
    await core.timers.fire(f"reminder:{appointment.id}:24h")
    core.clock.set(start - timedelta(hours=1))
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
    # Booked yesterday; its hour-before reminder was due 10 minutes ago, while the bot was down.
    soon = await booked_at(core, core.clock.now() + timedelta(minutes=50), lead,
                           booked=core.clock.now() - timedelta(days=1))
    assert await core.reminders.rebuild() == 2
    assert core.timers.names() == names(later)
    (text,) = core.notifier.to(lead.chat_id)
    assert "in 50 minutes" in text, "the time really left, not \"in an hour\""
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


async def test_a_meeting_booked_less_than_an_hour_ahead_gets_one_reminder_ten_minutes_before(
        ) -> None:
    core = build_core()
    start = core.clock.now() + timedelta(minutes=45)
    appointment = await booked_at(core, start)
    assert core.reminders.plan(appointment) == ("10m",)
    core.reminders.schedule(appointment)
    assert core.timers.names() == [f"reminder:{appointment.id}:10m"]
    assert core.timers.when(f"reminder:{appointment.id}:10m") == start - timedelta(minutes=10)
    core.clock.set(start - timedelta(minutes=10))
    assert await core.timers.fire_due(core.clock.now()) == [f"reminder:{appointment.id}:10m"]
    (text,) = core.notifier.to((await core.lead(1)).chat_id)
    assert "is in 10 minutes" in text


async def test_a_meeting_booked_hours_ahead_gets_only_the_hour_before_reminder() -> None:
    core = build_core()
    appointment = await booked_at(core, core.clock.now() + timedelta(hours=5))
    assert core.reminders.plan(appointment) == ("1h",)
    far = await booked_at(core, core.clock.now() + timedelta(days=3))
    assert core.reminders.plan(far) == ("24h", "1h")
    assert core.reminders.plan(await booked_at(
        core, core.clock.now() + timedelta(minutes=5))) == ()


async def test_after_a_restart_the_hour_before_reminder_goes_out_at_its_time() -> None:
    core = build_core()
    lead = await core.lead(1)
    start = core.clock.now() + timedelta(hours=3)
    appointment = await booked_at(core, start, lead)
    core.clock.set(start - timedelta(minutes=90))  # the bot comes back up
    assert await core.reminders.rebuild() == 1
    assert core.notifier.sent == [], "nothing is due yet"
    assert core.timers.when(f"reminder:{appointment.id}:1h") == start - timedelta(hours=1)
    core.clock.set(start - timedelta(hours=1))
    await core.timers.fire_due(core.clock.now())
    (text,) = core.notifier.to(lead.chat_id)
    assert "is in an hour" in text


async def test_after_a_restart_past_its_time_the_reminder_says_the_time_really_left() -> None:
    core = build_core()
    lead = await core.lead(1)
    start = core.clock.now() + timedelta(hours=3)
    await booked_at(core, start, lead)
    core.clock.set(start - timedelta(minutes=45))  # down over the hour-before mark
    await core.reminders.rebuild()
    (text,) = core.notifier.to(lead.chat_id)
    assert "is in 45 minutes" in text and "in an hour" not in text
    assert core.timers.names() == []


def test_time_left_is_said_as_people_say_it() -> None:
    assert [time_left(timedelta(minutes=m)) for m in (1, 10, 45, 60, 61, 75, 120, 125)] == [
        "in a minute", "in 10 minutes", "in 45 minutes", "in an hour",
        "in an hour and a minute", "in an hour and 15 minutes", "in 2 hours",
        "in 2 hours and 5 minutes"]
    assert time_left(timedelta(hours=24)) == "in a day"
    assert time_left(timedelta(hours=30)) == "in 30 hours"
    assert time_left(timedelta(seconds=20)) == "in a minute"


def test_the_confirmation_promises_exactly_the_reminders_planned() -> None:
    agent, lead = make_agent(id=1), Lead(id=1, telegram_id=1, chat_id=1)
    start = MONDAY + timedelta(days=2)
    appointment = Appointment(1, 1, 1, start, start + timedelta(minutes=30),
                              AppointmentStatus.BOOKED, join_url="https://meet.example.com/j/1",
                              created_at=MONDAY)
    zone = ZoneInfo("UTC")
    said = {plan: confirmation(appointment, agent, lead, zone, reminders=plan).text
            for plan in (("24h", "1h"), ("1h",), ("10m",), ())}
    assert "a day and an hour before" in said[("24h", "1h")]
    assert "remind you an hour before" in said[("1h",)]
    assert "ten minutes before" in said[("10m",)]
    assert "remind" not in said[()]
