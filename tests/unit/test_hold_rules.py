"""The agent's minimum notice and daily cap at the tap, on in-memory fakes: the hold checks them
when the lead taps, and a meeting that already ended today counts toward the cap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.service import hold_rules
from bot.domain import AppointmentStatus, Interval, Lead
from bot.errors import DayFull, SlotTaken, TooSoon
from tests.unit.fakes import Core, build_core, make_agent

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


async def offer_at(core: Core, lead: Lead, start: datetime) -> str:
    """Offer the lead the first agent's 30 minutes at ``start`` (a free time, as the slot
    service would have shown it now); the button's token."""
    (agent,) = (await core.agents.active())[:1]
    found = await core.slots.search([agent])
    assert start in [s.start for _, s in found.slots], "offered only when free"
    now = core.clock.now()
    (offer,) = await core.repos.offers.replace(
        lead.id, [(agent.id, Interval(start, start + timedelta(minutes=30)))], now=now,
        expires_at=now + timedelta(hours=6))
    return offer.token


async def test_an_offer_tapped_after_the_notice_ran_out_is_refused_and_nothing_is_made() -> None:
    core = build_core(at=MONDAY_9)
    await core.add_agent(notice_minutes=120)
    lead = await core.lead()
    two_pm = MONDAY_9.replace(hour=14)
    token = await offer_at(core, lead, two_pm)
    core.clock.set(MONDAY_9.replace(hour=13, minute=50))
    with pytest.raises(TooSoon):
        await core.booking.book(lead, token)
    assert core.repos.appointments.rows == {}
    assert not core.meetings.calls and not core.calendar.created
    assert core.metrics.count("bookings.too_soon") == 1


async def test_the_last_slot_of_a_capped_day_goes_to_one_of_two_racing_leads() -> None:
    core = build_core()
    agent = await core.add_agent(max_per_day=2)
    ann, bob, cy = await core.lead(1), await core.lead(2), await core.lead(3)
    monday = core.clock.now().replace(hour=9)
    await core.booking.book(ann, await offer_at(core, ann, monday))
    first = await offer_at(core, bob, monday.replace(hour=11))
    second = await offer_at(core, cy, monday.replace(hour=15))
    pause = core.meetings.pause("create")
    racing = [asyncio.create_task(core.booking.book(bob, first)),
              asyncio.create_task(core.booking.book(cy, second))]
    await pause.reached.wait()
    pause.release()
    results = await asyncio.gather(*racing, return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1, results
    (refused,) = [r for r in results if isinstance(r, BaseException)]
    assert isinstance(refused, DayFull) and isinstance(refused, SlotTaken)
    active = [a for a in core.repos.appointments.rows.values()
              if a.agent_id == agent.id and a.status is AppointmentStatus.BOOKED]
    assert len(active) == 2


async def test_a_move_within_a_full_day_is_not_refused_by_the_meeting_it_replaces() -> None:
    core = build_core()
    agent = await core.add_agent(max_per_day=1)
    lead = await core.lead()
    monday = core.clock.now().replace(hour=9)
    old = (await core.booking.book(lead, await offer_at(core, lead, monday))).appointment
    now = core.clock.now()
    three = monday.replace(hour=15)
    (offer,) = await core.repos.offers.replace(
        lead.id, [(agent.id, Interval(three, three + timedelta(minutes=30)))], now=now,
        expires_at=now + timedelta(hours=1), reschedule_of=old.id)
    moved = await core.booking.book(lead, offer.token)
    assert moved.replaced is not None and moved.replaced.id == old.id
    assert moved.appointment.start == three


async def test_a_meeting_that_already_ended_today_counts_toward_the_daily_cap() -> None:
    core = build_core()
    await core.add_agent(max_per_day=1)
    ann, bob = await core.lead(1), await core.lead(2)
    monday = core.clock.now().replace(hour=9)
    await core.booking.book(ann, await offer_at(core, ann, monday))
    core.clock.set(monday.replace(hour=10))  # Ann's meeting is over
    found = await core.slots.search(await core.agents.active())
    assert found.slots and min(s.start for _, s in found.slots).date() > monday.date()
    result = await core.slots.offer(bob.id, await core.agents.active(), zone=ZoneInfo("UTC"))
    assert all(o.start.date() > monday.date() for o in result.offers)


def test_the_daily_cap_counts_the_agents_own_local_day() -> None:
    agent = make_agent(timezone="America/New_York", max_per_day=3, notice_minutes=30)
    # 02:00 UTC on Tuesday is still Monday evening in New York.
    slot = Interval(datetime(2026, 12, 8, 2, 0, tzinfo=UTC), datetime(2026, 12, 8, 2, 30,
                                                                       tzinfo=UTC))
    rules = hold_rules(agent, slot, MONDAY_9)
    assert rules.max_per_day == 3
    assert rules.day == Interval(datetime(2026, 12, 7, 5, 0, tzinfo=UTC),
                                 datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert rules.not_before == MONDAY_9 + timedelta(minutes=30)
    assert hold_rules(make_agent(), slot, MONDAY_9).day is None
