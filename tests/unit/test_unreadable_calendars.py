"""One agent's calendar that cannot be read leaves that agent out; the others are offered."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import CalendarsUnreadable
from bot.observability.stats import render
from tests.unit.fakes import build_core

UTC = ZoneInfo("UTC")
BROKEN = "bob@example.com"


async def test_an_unreadable_calendar_leaves_only_its_agent_out_of_the_offers() -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id=BROKEN)
    core.calendar.unreadable[BROKEN] = "notFound"
    lead = await core.lead()

    result = await core.slots.offer(lead.id, [alice, bob], zone=UTC, count=4)

    assert len(result.offers) == 4
    assert {o.agent_id for o in result.offers} == {alice.id}
    # One request for both calendars, as before: the error is per calendar inside the answer.
    assert BROKEN in core.calendar.busy_calls[0][0]
    assert alice.calendar_id in core.calendar.busy_calls[0][0]


async def test_when_every_calendar_is_unreadable_the_search_fails() -> None:
    core = build_core()
    alice = await core.add_agent()
    core.calendar.unreadable[alice.calendar_id] = "forbidden"
    lead = await core.lead()
    with pytest.raises(CalendarsUnreadable, match="forbidden"):
        await core.slots.offer(lead.id, [alice], zone=UTC)


async def test_the_failure_is_logged_once_a_minute_per_calendar_not_per_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id=BROKEN)
    core.calendar.unreadable[BROKEN] = "notFound"
    caplog.set_level(logging.WARNING, logger="bot.observability.calendars")

    for _ in range(5):
        await core.slots.search([alice, bob])
    lines = [r.getMessage() for r in caplog.records if BROKEN in r.getMessage()]
    assert len(lines) == 1
    assert "Bob" in lines[0] and "notFound" in lines[0]

    core.clock.advance(timedelta(seconds=61))
    await core.slots.search([alice, bob])
    assert len([r for r in caplog.records if BROKEN in r.getMessage()]) == 2


async def test_an_unreadable_calendar_is_not_asked_again_within_the_cache_ttl() -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id=BROKEN)
    core.calendar.unreadable[BROKEN] = "notFound"
    await core.slots.search([alice, bob])
    await core.slots.search([alice, bob])
    assert len(core.calendar.busy_calls) == 1, "both answers are remembered for the TTL"


async def test_stats_name_the_agents_whose_calendar_failed_recently() -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id=BROKEN)
    core.calendar.unreadable[BROKEN] = "notFound"
    await core.slots.search([alice, bob])

    report = render(core.metrics, calendars=core.slots.health.recent())
    line = next(x for x in report.splitlines() if BROKEN in x)
    assert f"Bob #{bob.id}" in line and "notFound" in line and "1x" in line
    assert "Calendars failing" in report
    assert "Alice" not in report

    del core.calendar.unreadable[BROKEN]
    core.slots.invalidate(bob)
    await core.slots.search([alice, bob])
    assert "readable again" in render(core.metrics, calendars=core.slots.health.recent())

    core.clock.advance(timedelta(hours=1, minutes=1))
    assert "Calendars failing" not in render(core.metrics, calendars=core.slots.health.recent())


async def test_a_calendar_that_fails_at_the_second_check_drops_only_its_slots() -> None:
    core = build_core()
    alice = await core.add_agent()
    bob = await core.add_agent(name="Bob", telegram_id=778, calendar_id=BROKEN)
    found = await core.slots.search([alice, bob])
    assert {a.id for a, _ in found.slots} == {alice.id, bob.id}
    core.calendar.unreadable[BROKEN] = "internalError"
    ok = await core.slots.verify(found.slots[:6])
    assert ok == [a.id == alice.id for a, _ in found.slots[:6]]
