"""Zoom and Google failing in every way they do, seen from the lead's chat.

Each test ends with what the lead was told and what is left live in Zoom and the calendar.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.domain import AppointmentStatus
from bot.services import sweep_once
from tests.reliability.helpers import appointments, fault_world, offer_taps, texts, until
from tests.world import CALENDAR, World

MEETINGS = "/users/me/meetings"
EVENTS = f"/calendars/{CALENDAR}/events"
FAST = 0.01  # seconds of retry back-off: the retries still happen, the test does not wait
SORRY = "couldn't book that time because of a problem on our side; nothing was booked"


async def first_offer(w: World, n: int = 1) -> str:
    """Lead n asks for times; the first offer's button data."""
    offers = await w.services.conversation.text(w.lead(n), "show me times")
    taps = offer_taps(offers)
    assert taps, texts(offers)
    return taps[0]


def agent_heard(w: World, words: str) -> bool:
    """Whether the agent was sent a message containing ``words``."""
    return any(words in t for t in w.notifier.to(w.agent.telegram_id))


async def test_zoom_down_books_nothing_and_offers_fresh_times(tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        tap = await first_offer(w)
        w.zoom.fail(MEETINGS, 500, times=None)
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert SORRY in texts(replies)
        assert offer_taps(replies), "the lead gets alternatives to tap"
        assert w.zoom.count("POST", MEETINGS) == 1, "a create is never retried blindly"
        assert agent_heard(w, "failed and was undone")
        assert [a.status for a in await appointments(w)] == [AppointmentStatus.FAILED]
        assert w.orphans() == (0, 0)


async def test_zoom_hanging_past_the_timeout_fails_fast_and_cleanly(tmp_path: Path) -> None:
    async with fault_world(tmp_path, zoom_timeout=0.5) as w:
        tap = await first_offer(w)
        w.zoom.hang(MEETINGS)
        started = time.perf_counter()
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert time.perf_counter() - started < 2.0
        assert SORRY in texts(replies) and offer_taps(replies)
        assert [a.status for a in await appointments(w)] == [AppointmentStatus.FAILED]
        assert w.orphans() == (0, 0)


async def test_zoom_rate_limit_is_answered_at_once_and_the_next_try_books(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        tap = await first_offer(w)
        w.zoom.fail(MEETINGS, 429, times=1, retry_after=30,
                    body={"code": 429, "message": "You have exceeded the daily rate limit"})
        started = time.perf_counter()
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert time.perf_counter() - started < 2.0, "a 30 s Retry-After is not waited out"
        assert SORRY in texts(replies)
        assert w.orphans() == (0, 0)
        again = await w.services.conversation.tap(w.lead(1), offer_taps(replies)[0])
        assert "You're booked" in texts(again)
        assert w.orphans() == (1, 1)


async def test_an_expired_zoom_token_is_refreshed_once_and_the_booking_succeeds(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path) as w:
        first = await w.services.conversation.tap(w.lead(1), await first_offer(w, 1))
        assert "You're booked" in texts(first)
        w.zoom.expire_tokens()
        second = await w.services.conversation.tap(w.lead(2), await first_offer(w, 2))
        assert "You're booked" in texts(second)
        assert w.zoom.token_requests == 2
        assert w.zoom.count("POST", MEETINGS) == 3  # the refused one, then the retry
        assert w.orphans() == (2, 2)


async def test_calendar_down_while_offering_says_so_politely(tmp_path: Path) -> None:
    async with fault_world(tmp_path, retry_backoff=FAST) as w:
        w.google.fail("/freeBusy", 503, times=None)
        lead = w.lead(1)
        for replies in (await w.services.conversation.text(lead, "show me times"),
                        await w.services.conversation.tap(lead, "s"),
                        await w.services.conversation.command(lead, "times")):
            said = texts(replies)
            assert "can't check the calendar right now" in said, said
            assert not offer_taps(replies)
        w.google.clear_faults()
        recovered = await w.services.conversation.text(lead, "show me times")
        assert offer_taps(recovered)
        assert w.orphans() == (0, 0)


async def test_calendar_down_during_a_booking_undoes_zoom_and_says_so(tmp_path: Path) -> None:
    async with fault_world(tmp_path, retry_backoff=FAST) as w:
        tap = await first_offer(w)
        w.google.fail("/freeBusy", 500, times=None)
        replies = await w.services.conversation.tap(w.lead(1), tap)
        said = texts(replies)
        assert SORRY in said and "can't check the calendar right now" in said
        assert w.zoom.count("DELETE", "/meetings/") == 1
        assert w.orphans() == (0, 0)


async def test_event_insert_down_deletes_the_meeting_and_tells_both(tmp_path: Path) -> None:
    async with fault_world(tmp_path, retry_backoff=FAST) as w:
        tap = await first_offer(w)
        w.google.fail(EVENTS, 500, times=None)
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert SORRY in texts(replies) and offer_taps(replies)
        assert agent_heard(w, "failed and was undone")
        assert w.orphans() == (0, 0)


async def test_insert_lost_after_the_event_was_created_is_found_by_the_retry(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path, google_timeout=0.5) as w:
        tap = await first_offer(w)
        w.google.hang_after_insert(1)
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert "You're booked" in texts(replies)
        assert w.google.count("POST", EVENTS) == 2  # the lost answer, then a 409 on our id
        (booked,) = await appointments(w, AppointmentStatus.BOOKED)
        (event,) = w.google.events[CALENDAR].values()
        assert event["id"] == booked.calendar_event_id
        assert w.orphans() == (1, 1)


async def test_an_event_left_behind_by_a_failed_undo_is_deleted_at_start_up(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path, google_timeout=0.5, retry_backoff=FAST) as w:
        tap = await first_offer(w)
        # Google stores the event but the answer is lost; then it goes down entirely, so
        # neither the retried insert nor the undo's delete gets through.
        w.google.hang_after_insert(1)
        booking = asyncio.create_task(w.services.conversation.tap(w.lead(1), tap))
        await until(lambda: bool(w.google.events[CALENDAR]), what="the event to be stored")
        w.google.fail(EVENTS, 500, times=None)
        replies = await booking
        assert SORRY in texts(replies)
        assert w.orphans() == (0, 1), "the event could not be deleted yet"
        w.google.clear_faults()
        await w.services.booking.reconcile()  # what start-up runs: settle, then sweep
        assert await sweep_once(w.services)
        assert w.orphans() == (0, 0)
        (failed,) = await appointments(w)
        assert failed.status is AppointmentStatus.FAILED


async def test_a_zoom_create_that_finishes_after_our_timeout_leaves_no_meeting(
        tmp_path: Path) -> None:
    async with fault_world(tmp_path, zoom_timeout=0.3) as w:
        tap = await first_offer(w)
        w.zoom.delay(MEETINGS, 0.6)  # Zoom is slow, but does create the meeting
        replies = await w.services.conversation.tap(w.lead(1), tap)
        assert SORRY in texts(replies)
        await asyncio.sleep(0.5)  # the slow create lands
        assert len(w.zoom.meetings) == 1
        w.zoom.clear_faults()
        # The periodic sweep finds the meeting by the key in its agenda and deletes it.
        assert await w.services.booking.sweep() == 0
        assert w.orphans() == (0, 0)
