"""SlotService on in-memory fakes: both validations, the cache, offers shaped by a wish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.domain import Interval
from bot.scheduling.offers import NoSlotsReason
from tests.unit.fakes import build_core

UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Wish:
    """A lead's time preference: a window to start in, maybe a time of day to start nearest."""

    start: datetime | None = None
    end: datetime | None = None
    time: dt.time | None = None

    asap: bool = False

    def windows(self, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        if self.start is None or self.end is None:
            return []
        return [(self.start, self.end)]

    def preferred(self, tz: tzinfo) -> datetime | None:
        if self.start is None or self.time is None:
            return None
        return datetime.combine(self.start.astimezone(tz).date(), self.time, tzinfo=tz)


async def test_the_first_validation_leaves_out_time_busy_in_the_calendar() -> None:
    core = build_core()
    agent = await core.add_agent()
    monday = core.clock.now()
    core.calendar.block(agent.calendar_id, monday.replace(hour=9), monday.replace(hour=12))
    found = await core.slots.search([agent], monday, monday.replace(hour=23))
    assert found.slots[0][1].start == monday.replace(hour=12)
    assert len(found.slots) == 10  # 12:00-17:00 in half hours
    assert len(core.calendar.busy_calls) == 1


async def test_the_bots_own_holds_count_as_busy_time() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    monday = core.clock.now()
    nine = monday.replace(hour=9)
    await core.repos.appointments.hold(lead.id, agent.id,
                                       Interval(nine, nine + timedelta(minutes=30)),
                                       buffer=timedelta(0))
    found = await core.slots.search([agent], monday, monday.replace(hour=10))
    assert [s.start for _, s in found.slots] == [monday.replace(hour=9, minute=30)]


async def test_the_second_validation_asks_once_for_exactly_the_slots_shown() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    result = await core.slots.offer(lead.id, [agent], zone=UTC, count=4)
    assert len(result.offers) == 4
    whole, fresh = core.calendar.busy_calls
    assert fresh[1] == min(o.start for o in result.offers)
    assert fresh[2] == max(o.end for o in result.offers)
    assert whole[2] - whole[1] > timedelta(days=14), "the first covers the whole horizon"


async def test_a_slot_taken_since_the_cached_range_is_dropped_and_replaced() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    first = await core.slots.offer(lead.id, [agent], zone=UTC, count=3)
    taken = first.offers[0]
    core.calendar.block(agent.calendar_id, taken.start, taken.end)  # behind the cache's back
    again = await core.slots.offer(lead.id, [agent], zone=UTC, count=3)
    assert taken.start not in [o.start for o in again.offers]
    assert len(again.offers) == 3, "the next free slot replaces the one dropped"


async def test_later_offers_take_the_range_from_the_cache() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    for _ in range(4):
        await core.slots.offer(lead.id, [agent], zone=UTC, count=2)
    assert len(core.calendar.busy_calls) == 1 + 4, "one range, then one re-check per offer"


async def test_a_booking_forgets_the_cached_range() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    first = await core.slots.offer(lead.id, [agent], zone=UTC, count=2)
    await core.booking.book(lead, first.offers[0].token)
    calls = len(core.calendar.busy_calls)
    again = await core.slots.offer(lead.id, [agent], zone=UTC, count=2)
    assert first.offers[0].start not in [o.start for o in again.offers]
    assert len(core.calendar.busy_calls) == calls + 2, "the range is asked for afresh"


async def test_a_cancellation_forgets_the_cached_range() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    booked = await core.booking.book(
        lead, (await core.slots.offer(lead.id, [agent], zone=UTC, count=1)).offers[0].token)
    await core.slots.search([agent])
    await core.booking.cancel(lead, booked.appointment.id)
    calls = len(core.calendar.busy_calls)
    found = await core.slots.search([agent])
    assert len(core.calendar.busy_calls) == calls + 1
    assert found.slots[0][1].start == booked.appointment.start


async def test_offers_lie_in_the_window_the_lead_asked_for() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    wednesday = core.clock.now().replace(day=9, hour=13)
    result = await core.slots.offer(
        lead.id, [agent], zone=UTC, when=Wish(wednesday, wednesday.replace(hour=15)))
    assert not result.widened and len(result.offers) == 4
    assert all(wednesday <= o.start < wednesday.replace(hour=15) for o in result.offers)


async def test_the_time_asked_for_is_offered_with_the_nearest_times_that_day() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    tuesday = core.clock.now().replace(day=8, hour=0)
    result = await core.slots.offer(
        lead.id, [agent], zone=UTC, count=3,
        when=Wish(tuesday, tuesday + timedelta(days=1), dt.time(14)))
    assert [o.start for o in result.offers] == [tuesday.replace(hour=13, minute=30),
                                                tuesday.replace(hour=14),
                                                tuesday.replace(hour=14, minute=30)]


async def test_a_wish_with_nothing_free_is_widened_to_the_nearest_times() -> None:
    core = build_core()
    agent = await core.add_agent()
    lead = await core.lead()
    saturday = core.clock.now().replace(day=12, hour=0)
    result = await core.slots.offer(lead.id, [agent], zone=UTC,
                                    when=Wish(saturday, saturday + timedelta(days=1)))
    assert result.widened and result.offers
    assert all(o.start.weekday() < 5 for o in result.offers)


async def test_nothing_free_says_why() -> None:
    core = build_core()
    agent = await core.add_agent()
    assert (await core.slots.search([])).reason is NoSlotsReason.NO_AGENTS
    saturday = core.clock.now().replace(day=12, hour=0)
    weekend = await core.slots.search([agent], saturday, saturday.replace(hour=23))
    assert weekend.slots == [] and weekend.reason is NoSlotsReason.NO_HOURS
    core.clock.set(core.clock.now().replace(hour=9, minute=10))
    soon = await core.slots.search([agent], core.clock.now(), core.clock.now().replace(hour=10))
    assert soon.slots == [] and soon.reason is NoSlotsReason.NOTICE
    core.calendar.block(agent.calendar_id, core.clock.now(), core.clock.now().replace(day=23))
    core.slots.invalidate(agent)
    busy = await core.slots.search([agent], core.clock.now(), core.clock.now().replace(day=12))
    assert busy.slots == [] and busy.reason is NoSlotsReason.ALL_BUSY


async def test_an_offer_with_every_shown_slot_taken_meanwhile_offers_nothing() -> None:
    core = build_core()
    agent = await core.add_agent(working_hours="mon 09:00-10:00", horizon_days=1)
    lead = await core.lead()
    await core.slots.search([agent])  # the range is cached now
    monday = core.clock.now()
    core.calendar.block(agent.calendar_id, monday.replace(hour=9), monday.replace(hour=10))
    result = await core.slots.offer(lead.id, [agent], zone=UTC)
    assert result.offers == [] and result.reason is NoSlotsReason.ALL_BUSY


async def test_a_time_several_agents_have_free_is_offered_once_agents_shared_out() -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id="bob@example.com")
    lead = await core.lead()
    tuesday = core.clock.now().replace(day=8, hour=0)
    result = await core.slots.offer(lead.id, [alice, bob], zone=UTC, count=3,
                                    when=Wish(tuesday, tuesday + timedelta(days=1), dt.time(14)))
    starts = [o.start for o in result.offers]
    assert len(starts) == len(set(starts)) == 3, "each time once, whoever is free then"
    assert {o.agent_id for o in result.offers} == {alice.id, bob.id}


async def test_free_validated_drops_slots_the_fresh_check_finds_busy() -> None:
    core = build_core()
    agent = await core.add_agent()
    monday = core.clock.now()
    await core.slots.search([agent])  # cached
    core.calendar.block(agent.calendar_id, monday.replace(hour=9), monday.replace(hour=10))
    found = await core.slots.free_validated([agent], monday, monday.replace(hour=11))
    assert [s.start for _, s in found.slots] == [monday.replace(hour=10),
                                                 monday.replace(hour=10, minute=30)]

