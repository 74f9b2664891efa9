"""Booking against the real Google and Zoom clients talking to loopback fakes."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services
from bot.booking.compensation import CLEANUP
from bot.booking.events import event_id_of
from bot.domain import AppointmentStatus, Interval, Lead
from bot.errors import BookingFailed, OfferExpired, SlotTaken
from bot.observability.metrics import Metrics
from bot.services import startup
from storage.store import Store
from tests.world import CALENDAR, RecordingNotifier, World, world


async def offer_first(w: World, n: int = 1) -> tuple[Lead, str]:
    """Make lead n an offer; return (the lead, the first offer's token)."""
    lead = await w.services.store.leads.get_or_create(1000 + n, 1000 + n, f"Lead{n}")
    result = await w.services.slots.offer(lead.id, [w.agent], zone=ZoneInfo("UTC"))
    assert result.offers, result.reason
    return lead, result.offers[0].token


async def test_a_booking_creates_one_meeting_and_one_event_holding_the_link(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        booked = await w.services.booking.book(lead, token)
        appointment = booked.appointment
        assert appointment.status is AppointmentStatus.BOOKED
        assert appointment.start == w.clock.now().replace(hour=9)
        (meeting,) = w.zoom.meetings.values()
        (event,) = w.google.events[CALENDAR].values()
        assert appointment.join_url == meeting["join_url"]
        assert event["location"] == appointment.join_url
        assert appointment.join_url in event["description"]
        assert "Lead1" in event["description"]
        assert "attendees" not in event  # no delegation configured
        stored = await w.services.store.appointments.get(appointment.id)
        assert stored is not None and stored.calendar_event_id == event["id"]


async def test_the_same_button_twice_books_once(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        results = await asyncio.gather(w.services.booking.book(lead, token),
                                       w.services.booking.book(lead, token),
                                       return_exceptions=True)
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert any(isinstance(r, OfferExpired) for r in results)
        assert w.orphans() == (1, 1)


async def test_twenty_leads_tapping_one_slot_book_exactly_once(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        leads, tokens = [], []
        for n in range(20):
            lead, token = await offer_first(w, n)
            leads.append(lead)
            tokens.append(token)
        offers = [await w.services.store.offers.by_token(t) for t in tokens]
        assert len({o.start for o in offers if o}) == 1, "every lead was offered the same slot"
        results = await asyncio.gather(*(w.services.booking.book(lead, token)
                                         for lead, token in zip(leads, tokens, strict=True)),
                                       return_exceptions=True)
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        assert sum(isinstance(r, SlotTaken) for r in results) == 19
        assert w.orphans() == (1, 1)
        assert w.zoom.count("POST", "/users/me/meetings") == 1


async def test_zoom_failure_undoes_the_hold_and_leaves_nothing(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        w.zoom.fail("/users/me/meetings", 500)
        with pytest.raises(BookingFailed):
            await w.services.booking.book(lead, token)
        assert w.orphans() == (0, 0)
        (appointment,) = await w.services.store.appointments.for_lead(lead.id)
        assert appointment.status is AppointmentStatus.FAILED
        # The slot is free again for the next lead.
        _, again = await offer_first(w, 2)
        offer = await w.services.store.offers.by_token(again)
        assert offer is not None and offer.start == appointment.start


async def test_event_insert_failure_deletes_the_zoom_meeting(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        w.google.fail(f"/calendars/{CALENDAR}/events", 500, times=None)
        with pytest.raises(BookingFailed):
            await w.services.booking.book(lead, token)
        w.google.clear_faults()
        assert w.orphans() == (0, 0)
        assert w.zoom.count("DELETE", "/meetings/") == 1


async def test_slot_taken_in_the_calendar_meanwhile_is_refused_and_undone(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        offer = await w.services.store.offers.by_token(token)
        assert offer is not None
        w.google.busy[CALENDAR].append(Interval(offer.start, offer.end))
        with pytest.raises(SlotTaken):
            await w.services.booking.book(lead, token)
        assert w.orphans() == (0, 0)


async def test_recheck_and_zoom_run_in_parallel(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        w.google.delay("/freeBusy", 0.3)
        w.zoom.delay("/users/me/meetings", 0.5)
        start = time.perf_counter()
        await w.services.booking.book(lead, token)
        elapsed = time.perf_counter() - start
        # Sequential would be >= 0.8 s; parallel is about 0.5 s plus the insert.
        assert elapsed < 0.78, elapsed


async def test_cancel_deletes_meeting_and_event_and_frees_the_slot(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        booked = await w.services.booking.book(lead, token)
        cancelled, _ = await w.services.booking.cancel(lead, booked.appointment.id)
        assert cancelled.status is AppointmentStatus.CANCELLED
        assert w.orphans() == (0, 0)
        found = await w.services.slots.free_validated([w.agent], booked.appointment.start,
                                                      booked.appointment.end)
        assert [s.start for _, s in found.slots] == [booked.appointment.start]


async def test_pending_booking_left_by_a_crash_is_reconciled(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = await w.services.store.leads.get_or_create(5, 5, "Crash")
        start = w.clock.now().replace(hour=10)
        # Crashed after the hold: nothing external exists, the row is undone.
        held = await w.services.store.appointments.hold(
            lead.id, w.agent.id, Interval(start, start + timedelta(minutes=30)),
            buffer=timedelta(0))
        # Crashed after Zoom: the meeting exists and is recorded; the booking is finished.
        later = start + timedelta(hours=1)
        zoomed = await w.services.store.appointments.hold(
            lead.id, w.agent.id, Interval(later, later + timedelta(minutes=30)),
            buffer=timedelta(0))
        meeting = await w.services.meetings.create(topic="t", start=later, duration_minutes=30,
                                                   timezone="UTC")
        await w.services.store.appointments.set_meeting(zoomed.id, meeting.id, meeting.join_url)
        outcomes = dict((a.id, done) for a, done in await w.services.booking.reconcile())
        assert outcomes == {held.id: False, zoomed.id: True}
        first = await w.services.store.appointments.get(held.id)
        second = await w.services.store.appointments.get(zoomed.id)
        assert first is not None and first.status is AppointmentStatus.FAILED
        assert second is not None and second.status is AppointmentStatus.BOOKED
        assert w.orphans() == (1, 1)
        (event,) = w.google.events[CALENDAR].values()
        assert event["location"] == meeting.join_url


async def test_a_meeting_made_just_before_a_crash_is_found_and_the_booking_finished(
        tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = await w.services.store.leads.get_or_create(5, 5, "Crash")
        start = w.clock.now().replace(hour=10)
        held = await w.services.store.appointments.hold(
            lead.id, w.agent.id, Interval(start, start + timedelta(minutes=30)),
            buffer=timedelta(0))
        # Zoom made the meeting; the process died before its id was saved.
        meeting = await w.services.meetings.create(topic="t", start=start, duration_minutes=30,
                                                   timezone="UTC", key=event_id_of(held))
        ((appointment, completed),) = await w.services.booking.reconcile()
        assert completed and appointment.meeting_id == meeting.id
        assert w.orphans() == (1, 1)


async def test_an_undo_that_fails_at_start_up_is_swept_later(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead = await w.services.store.leads.get_or_create(5, 5, "Crash")
        start = w.clock.now().replace(hour=10)
        held = await w.services.store.appointments.hold(
            lead.id, w.agent.id, Interval(start, start + timedelta(minutes=30)),
            buffer=timedelta(0), now=w.clock.now())
        meeting = await w.services.meetings.create(topic="t", start=start, duration_minutes=30,
                                                   timezone="UTC")
        await w.services.store.appointments.set_meeting(held.id, meeting.id, meeting.join_url)
        w.clock.set(start + timedelta(hours=1))  # restarted after the slot: undo, not finish
        w.zoom.fail("/meetings/", 500, times=None)
        ((appointment, completed),) = await w.services.booking.reconcile()
        assert not completed and appointment.status is AppointmentStatus.FAILED
        assert appointment.failure_reason == CLEANUP
        assert w.orphans() == (1, 0)
        w.zoom.clear_faults()
        assert await w.services.booking.sweep() == 0
        assert w.orphans() == (0, 0)


@pytest.mark.postgres_only
async def test_a_replica_starting_leaves_another_replicas_booking_in_flight_alone(
        tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        lead, token = await offer_first(w)
        w.google.delay("/events", 1.0)  # the event insert is slow: the booking is in flight
        booking = asyncio.create_task(w.services.booking.book(lead, token))
        await until_pending(w)
        told = RecordingNotifier()
        second = await build_services(w.config, notifier=told, clock=w.clock)
        try:
            await startup(second)  # another replica starts on the same database meanwhile
            booked = await booking
        finally:
            await second.close()
        assert booked.appointment.status is AppointmentStatus.BOOKED
        assert w.orphans() == (1, 1), "the second replica undid nothing"
        assert not told.to(lead.chat_id)


async def until_pending(w: World) -> None:
    for _ in range(200):
        if await w.services.store.appointments.by_status(AppointmentStatus.PENDING):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the booking was never held")


async def test_leases_are_taken_by_one_holder_until_they_expire(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        leases, now = w.services.store.leases, w.clock.now()
        later = now + timedelta(minutes=5)
        assert await leases.claim("sweep", "one", now, later)
        assert not await leases.claim("sweep", "two", now, later), "taken until it expires"
        assert not await leases.claim("sweep", "one", now + timedelta(minutes=4), later)
        assert await leases.claim("other", "two", now, later), "each name on its own"
        assert await leases.prune(now) == 0
        assert await leases.claim("sweep", "two", later, later + timedelta(minutes=5))
        assert await leases.prune(later + timedelta(minutes=1)) == 1  # "other" expired
        rows = await w.services.store.db.fetchall("SELECT name, holder FROM leases")
        assert [(r["name"], r["holder"]) for r in rows] == [("sweep", "two")]


async def test_a_store_knows_whether_another_process_has_the_database_open(
        tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        leases = w.services.store.leases
        assert await leases.others() == 0
        second = await Store.open(w.config.database, Metrics(), w.clock)
        try:
            # A SQLite file is one process's; on PostgreSQL each open store is counted.
            expected = 1 if w.config.database_url else 0
            assert await leases.others() == expected
            assert await second.leases.others() == expected
        finally:
            await second.close()
        assert await leases.others() == 0, "a closed store is not counted"
