"""The slot hold on a real SQLite file: overlap, the daily cap and the notice in one statement,
also across two processes' connections racing for an agent's last slot of a day."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.domain import Agent, AppointmentStatus, HoldRules, Interval, Move
from bot.errors import DayFull, SlotTaken, TooSoon
from bot.observability.metrics import Metrics
from storage.store import Store
from tests.engines import location

NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
DAY = Interval(NOW.replace(hour=0), NOW.replace(hour=0) + timedelta(days=1))
CAP = HoldRules(not_before=NOW + timedelta(hours=1), max_per_day=2, day=DAY)


def slot(hour: int, minute: int = 0) -> Interval:
    start = NOW.replace(hour=hour, minute=minute)
    return Interval(start, start + timedelta(minutes=30))


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores on one file, as the bot and a second replica (or the CLI) would be."""
    path = location(tmp_path / "bot.sqlite3")
    one = await Store.open(path, Metrics(), FixedClock(NOW))
    two = await Store.open(path, Metrics(), FixedClock(NOW))
    await one.agents.add(Agent(id=0, name="Agent", telegram_id=900, calendar_id="a@example.com",
                               timezone="UTC", working_hours="mon-fri 09:00-17:00"))
    for n in (1, 2, 3):
        await one.leads.get_or_create(100 + n, 100 + n, f"Lead {n}")
    yield one, two
    await two.close()
    await one.close()


async def test_two_connections_racing_for_the_last_slot_of_a_capped_day_hold_it_once(
        stores: tuple[Store, Store]) -> None:
    one, two = stores
    early = await one.appointments.hold(1, 1, slot(9), buffer=timedelta(0), rules=CAP)
    await one.appointments.mark_booked(early.id)
    results = await asyncio.gather(
        one.appointments.hold(2, 1, slot(11), buffer=timedelta(0), rules=CAP),
        two.appointments.hold(3, 1, slot(15), buffer=timedelta(0), rules=CAP),
        return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Appointment", "DayFull"], results
    active = [a for a in await one.appointments.by_status(AppointmentStatus.PENDING)]
    assert len(active) == 1


async def test_a_meeting_that_already_ended_counts_and_a_cancelled_one_does_not(
        stores: tuple[Store, Store]) -> None:
    one, _ = stores
    ended = await one.appointments.hold(1, 1, slot(0, 30), buffer=timedelta(0))
    await one.appointments.mark_booked(ended.id)
    gone = await one.appointments.hold(2, 1, slot(9), buffer=timedelta(0))
    await one.appointments.mark_cancelled(gone.id)
    await one.appointments.hold(2, 1, slot(10), buffer=timedelta(0), rules=CAP)
    with pytest.raises(DayFull):
        await one.appointments.hold(3, 1, slot(12), buffer=timedelta(0), rules=CAP)
    # The next day is another day.
    later = timedelta(days=1)
    tomorrow = Interval(slot(12).start + later, slot(12).end + later)
    await one.appointments.hold(3, 1, tomorrow, buffer=timedelta(0), rules=HoldRules(
        max_per_day=2, day=Interval(DAY.start + later, DAY.end + later)))


async def test_an_overlap_is_still_an_overlap_and_too_soon_is_refused_before_anything(
        stores: tuple[Store, Store]) -> None:
    one, _ = stores
    await one.appointments.hold(1, 1, slot(9), buffer=timedelta(0), rules=CAP)
    with pytest.raises(SlotTaken) as taken:
        await one.appointments.hold(2, 1, slot(9, 15), buffer=timedelta(0), rules=CAP)
    assert not isinstance(taken.value, DayFull)
    with pytest.raises(TooSoon):
        await one.appointments.hold(2, 1, slot(7, 30), buffer=timedelta(0), rules=CAP)
    assert len(await one.appointments.by_status(AppointmentStatus.PENDING)) == 1


async def test_a_move_is_not_refused_by_the_meeting_it_replaces(
        stores: tuple[Store, Store]) -> None:
    one, _ = stores
    first = await one.appointments.hold(1, 1, slot(9), buffer=timedelta(0), rules=CAP)
    second = await one.appointments.hold(1, 1, slot(13), buffer=timedelta(0), rules=CAP)
    for held in (first, second):
        await one.appointments.mark_booked(held.id)
    moved = await one.appointments.hold(1, 1, slot(9, 15), buffer=timedelta(0), rules=CAP,
                                        move=Move(first.id, "u@leadbot", 1))
    assert moved.replaces == first.id and moved.invite_uid == "u@leadbot"
    assert await one.appointments.mark_booked(moved.id)
    old = await one.appointments.get(first.id)
    assert old is not None and old.status is AppointmentStatus.CANCELLED
