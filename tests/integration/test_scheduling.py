"""Slots validated twice, against the real Google client and the fake calendar."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain import Interval
from bot.scheduling.offers import NoSlotsReason
from tests.world import CALENDAR, world

UTC = ZoneInfo("UTC")


async def test_freebusy_requests_per_offer_are_fixed(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        slots = w.services.slots
        lead = await w.services.store.leads.get_or_create(1, 1, "Ann")
        await slots.offer(lead.id, [w.agent], zone=UTC, count=4)
        assert w.google.count("POST", "/freeBusy") == 2  # whole range, then the four offered
        for n in range(5):
            result = await slots.offer(lead.id, [w.agent], zone=UTC, count=2 + n)
            assert len(result.offers) == 2 + n
        # Each later offer: the range from the cache, one fresh call for the offered slots.
        assert w.google.count("POST", "/freeBusy") == 2 + 5


async def test_a_busy_block_added_after_the_first_query_is_not_offered(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        slots = w.services.slots
        lead = await w.services.store.leads.get_or_create(1, 1, "Ann")
        first = await slots.offer(lead.id, [w.agent], zone=UTC, count=3)
        taken = first.offers[0]
        # The range is cached now; the calendar changes behind the bot's back.
        w.google.busy[CALENDAR].append(Interval(taken.start, taken.end))
        again = await slots.offer(lead.id, [w.agent], zone=UTC, count=3)
        assert taken.start not in [o.start for o in again.offers]
        assert len(again.offers) == 3, "the next free slot replaces the one dropped"


async def test_a_booking_invalidates_the_cached_range(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        slots = w.services.slots
        lead = await w.services.store.leads.get_or_create(1, 1, "Ann")
        first = await slots.offer(lead.id, [w.agent], zone=UTC, count=2)
        before = w.google.count("POST", "/freeBusy")
        await w.services.booking.book(lead, first.offers[0].token)
        after_booking = w.google.count("POST", "/freeBusy")  # the booking's own re-check
        again = await slots.offer(lead.id, [w.agent], zone=UTC, count=2)
        assert first.offers[0].start not in [o.start for o in again.offers]
        assert w.google.count("POST", "/freeBusy") == after_booking + 2
        assert after_booking == before + 1


async def test_nothing_free_says_why(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        slots = w.services.slots
        saturday = w.clock.now().replace(day=12, hour=0)
        result = await slots.search([w.agent], saturday, saturday.replace(hour=23))
        assert result.slots == [] and result.reason is NoSlotsReason.NO_HOURS
        w.clock.set(w.clock.now().replace(hour=9, minute=10))
        # 09:30 is a working slot but inside the 60 minutes' notice.
        soon = await slots.search([w.agent], w.clock.now(), w.clock.now().replace(hour=10))
        assert soon.slots == [] and soon.reason is NoSlotsReason.NOTICE
        w.google.busy[CALENDAR].append(Interval(w.clock.now(), w.clock.now().replace(day=23)))
        w.services.slots.invalidate(w.agent)
        busy = await slots.search([w.agent], w.clock.now(), w.clock.now().replace(day=12))
        assert busy.slots == [] and busy.reason is NoSlotsReason.ALL_BUSY
        assert (await slots.search([], None, None)).reason is NoSlotsReason.NO_AGENTS


async def test_the_daily_cap_counts_meetings_not_calendar_blocks(tmp_path: Path) -> None:
    from tests.world import add_agent

    async with world(tmp_path) as w:
        w.google.add_calendar("cap@example.com")
        capped = await add_agent(w.services, name="Cap", telegram_id=779,
                                 calendar_id="cap@example.com", max_per_day=2)
        slots = w.services.slots
        tuesday = w.clock.now().replace(day=8, hour=0)
        # A lunch block in the calendar is busy time, not a meeting.
        w.google.busy["cap@example.com"].append(
            Interval(tuesday.replace(hour=12), tuesday.replace(hour=13)))
        lead = await w.services.store.leads.get_or_create(1, 1, "Ann")
        offer = await slots.offer(lead.id, [capped], zone=UTC, count=1)
        await w.services.booking.book(lead, offer.offers[0].token)  # Monday 09:00
        day = await slots.search([capped], tuesday, tuesday.replace(hour=23))
        assert len(day.slots) == 14, "one lunch block, no meetings: Tuesday stays open"
        monday = w.clock.now().replace(hour=0)
        # One meeting on Monday (an event in the calendar and a row of ours): still open.
        first = await slots.search([capped], monday, monday.replace(hour=23))
        assert first.slots
        lead2 = await w.services.store.leads.get_or_create(20, 20, "Bo")
        offer2 = await slots.offer(lead2.id, [capped], zone=UTC, count=1)
        await w.services.booking.book(lead2, offer2.offers[0].token)
        full = await slots.search([capped], monday, monday.replace(hour=23))
        assert full.slots == [] and full.reason is NoSlotsReason.ALL_BUSY
