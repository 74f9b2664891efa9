"""The services' periodic work on in-memory fakes: a tick every minute, the sweep every five
minutes on whichever replica claims it, interrupted bookings settled once, and reminders of
meetings booked on another replica timed here too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.booking.reconcile import PENDING_LEASE
from bot.booking.reminders import ReminderService
from bot.booking.service import BookingService
from bot.config import Config
from bot.conversation.service import ConversationService
from bot.domain import CLEANUP, Appointment, AppointmentStatus, Interval
from bot.services import (
    KEEP_UPDATES,
    SWEEP_EVERY,
    TICK,
    Services,
    schedule_tick,
    startup,
    sweep_once,
)
from integrations.rule_brain import RuleBrain
from tests.unit.fakes import Core, FakeNotifier, FakeTimers, build_core


@dataclass
class Replica:
    """One process's services over the shared stores, with its own notifier and timers."""

    services: Services
    notifier: FakeNotifier
    timers: FakeTimers

    async def tick(self, core: Core) -> None:
        await self.timers.fire_due(core.clock.now())


def services_on(core: Core) -> Replica:
    """The first replica: the core's own booking service, reminders, notifier and timers."""
    return _replica(core, core.booking, core.reminders, core.notifier, core.timers)


def another(core: Core) -> Replica:
    """A second process up on the same database: services, notifier and timers of its own."""
    core.repos.leases.processes += 1
    notifier, timers = FakeNotifier(), FakeTimers()
    booking = BookingService(core.repos, core.slots, core.calendar, core.meetings, core.clock,
                             core.metrics)
    reminders = ReminderService(core.repos, notifier, timers, core.clock, core.metrics)
    return _replica(core, booking, reminders, notifier, timers)


def _replica(core: Core, booking: BookingService,
             reminders: ReminderService, notifier: FakeNotifier, timers: FakeTimers) -> Replica:
    brain = RuleBrain()
    conversation = ConversationService(
        core.repos, core.slots, booking, brain, brain, notifier, reminders,
        core.clock, core.metrics, agency_name="Acme", default_timezone="UTC")
    services = Services(Config.from_env({}), core.repos, core.metrics, core.clock,
                        core.calendar, core.meetings, core.slots, booking, conversation,
                        reminders, notifier, timers, chart=lambda _: b"")
    return Replica(services, notifier, timers)


async def pending(core: Core, hours_ahead: int = 3) -> Appointment:
    """A booking held now, as a replica in the middle of booking it leaves it."""
    agent = await core.add_agent() if not await core.agents.active() else \
        (await core.agents.active())[0]
    lead = await core.lead()
    start = core.clock.now() + timedelta(hours=hours_ahead)
    return await core.repos.appointments.hold(lead.id, agent.id,
                                              Interval(start, start + timedelta(minutes=30)),
                                              buffer=timedelta(0))


async def test_the_tick_comes_every_minute_and_the_sweep_every_five() -> None:
    core = build_core()
    services = services_on(core).services
    await core.repos.updates.claim(1)
    core.clock.advance(KEEP_UPDATES - timedelta(minutes=1))
    await core.repos.updates.claim(2)
    core.clock.advance(timedelta(minutes=2))
    assert await sweep_once(services), "the first sweep runs"
    assert sorted(core.repos.updates.seen) == [2]  # the week-old id is forgotten

    schedule_tick(services)
    swept = []
    for minute in range(1, 2 * SWEEP_EVERY // TICK + 1):
        assert core.timers.when("tick") == core.clock.now() + TICK
        core.clock.advance(TICK)
        lease = core.repos.leases.held["sweep"]
        await core.timers.fire("tick")
        if core.repos.leases.held["sweep"] != lease:
            swept.append(minute)
    assert swept == [5, 10], "the sweep at the start keeps the ticks from sweeping for 5 min"


async def test_two_replicas_ticking_together_sweep_once() -> None:
    core = build_core()
    one, two = services_on(core), another(core)
    appointment = await pending(core)
    meeting = await core.meetings.create(topic="t", start=appointment.start,
                                         duration_minutes=30, timezone="UTC")
    await core.repos.appointments.set_meeting(appointment.id, meeting.id, meeting.join_url)
    await core.repos.appointments.mark_cancelled(appointment.id)
    await core.repos.appointments.note_failure(appointment.id, CLEANUP)  # an undo owed
    assert [await sweep_once(one.services), await sweep_once(two.services)] == [True, False]
    assert core.meetings.deleted == [meeting.id], "the debt is paid once"
    core.clock.advance(SWEEP_EVERY)
    assert [await sweep_once(two.services), await sweep_once(one.services)] == [True, False]


async def test_alone_on_its_database_start_up_settles_every_pending_booking() -> None:
    """What a restart after a crash does, when the crashed process was the only one."""
    core = build_core()
    held = await pending(core)
    await startup(services_on(core).services)
    settled = await core.repos.appointments.get(held.id)
    assert settled is not None and settled.status is AppointmentStatus.FAILED
    lead = await core.repos.leads.get(held.lead_id)
    assert lead is not None and core.notifier.to(lead.chat_id), "the lead is told"


async def test_a_replica_starting_leaves_a_young_pending_booking_to_the_one_making_it() -> None:
    core = build_core()
    starting = another(core)
    held = await pending(core)  # another replica is booking it right now
    await startup(starting.services)
    still = await core.repos.appointments.get(held.id)
    assert still is not None and still.status is AppointmentStatus.PENDING
    assert starting.notifier.sent == []


async def test_a_pending_booking_a_dead_replica_left_is_settled_once_by_the_others() -> None:
    core = build_core()
    one, two = services_on(core), another(core)
    held = await pending(core)
    lead = await core.repos.leads.get(held.lead_id)
    assert lead is not None
    for replica in (one, two):
        schedule_tick(replica.services)
    core.clock.advance(PENDING_LEASE - TICK)
    for replica in (one, two):
        await replica.tick(core)
    young = await core.repos.appointments.get(held.id)
    assert young is not None and young.status is AppointmentStatus.PENDING
    core.clock.advance(2 * TICK)
    for replica in (one, two):
        await replica.tick(core)
    settled = await core.repos.appointments.get(held.id)
    assert settled is not None and settled.status is AppointmentStatus.FAILED
    core.repos.leases.processes = 1  # the other replica is gone too: nothing to settle twice
    await one.tick(core)
    told = one.notifier.to(lead.chat_id) + two.notifier.to(lead.chat_id)
    assert len(told) == 1, told


async def test_reminders_of_a_meeting_booked_on_another_replica_are_timed_and_sent_once() -> None:
    core = build_core()
    one, two = services_on(core), another(core)
    for replica in (one, two):
        await startup(replica.services)
    held = await pending(core, hours_ahead=30)
    assert await core.repos.appointments.mark_booked(held.id)
    booked = await core.repos.appointments.get(held.id)
    assert booked is not None
    one.services.reminders.schedule(booked)  # replica one booked it and timed it
    assert f"reminder:{held.id}:24h" not in two.timers.names()
    core.clock.advance(TICK)
    await two.tick(core)
    assert {f"reminder:{held.id}:24h", f"reminder:{held.id}:1h"} <= set(two.timers.names())
    core.clock.set(booked.start - timedelta(hours=24))
    for replica in (one, two):
        await replica.timers.fire(f"reminder:{held.id}:24h")
    lead = await core.repos.leads.get(held.lead_id)
    assert lead is not None
    sent = one.notifier.to(lead.chat_id) + two.notifier.to(lead.chat_id)
    assert len(sent) == 1 and "Reminder" in sent[0], sent


async def test_a_meeting_cancelled_on_another_replica_loses_its_timers_here() -> None:
    core = build_core()
    one, two = services_on(core), another(core)
    held = await pending(core, hours_ahead=30)
    assert await core.repos.appointments.mark_booked(held.id)
    for replica in (one, two):
        await startup(replica.services)
    assert f"reminder:{held.id}:24h" in two.timers.names()
    assert await core.repos.appointments.mark_cancelled(held.id)  # on replica one
    one.services.reminders.forget(held.id)
    core.clock.advance(TICK)
    await two.tick(core)
    assert not [n for n in two.timers.names() if n.startswith("reminder:")]
