"""The agent directory: who a lead may be offered, the cache, and the numeric bounds."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest

from bot.observability.metrics import Metrics
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.limits import AGENT_LIMITS, agent_problems, listing_start_problem, within_limits
from tests.unit.fakes import FakeAgents, make_agent


async def test_telegram_never_serves_a_console_only_agent_and_the_console_does() -> None:
    store = FakeAgents()
    real = await store.add(make_agent())
    demo = await store.add(make_agent(name="Demo", telegram_id=2, calendar_id="demo@local",
                                      console_only=True))
    telegram, console = AgentDirectory(store, Metrics()), AgentDirectory(store, Metrics(),
                                                                         console=True)

    assert [a.id for a in await telegram.active()] == [real.id]
    assert [a.id for a in await console.active()] == [real.id, demo.id]
    assert not telegram.serves(demo) and console.serves(demo)
    assert await telegram.by_telegram_id(2) is None
    # Past meetings still name it: looking it up by id works everywhere.
    assert await telegram.get(demo.id) == demo


async def test_an_inactive_agent_is_served_by_nobody() -> None:
    store = FakeAgents()
    agent = await store.add(make_agent(active=False))
    for directory in (AgentDirectory(store, Metrics()), AgentDirectory(store, Metrics(),
                                                                       console=True)):
        assert await directory.active() == []
        assert not directory.serves(agent)


async def test_a_change_in_the_store_is_seen_once_the_cache_expires() -> None:
    store = FakeAgents()
    agent = await store.add(make_agent())
    directory = AgentDirectory(store, Metrics(), ttl=0.05)
    assert (await directory.get(agent.id)).working_hours == "mon-fri 09:00-17:00"  # type: ignore[union-attr]
    await store.update(agent.id, working_hours="sat 10:00-12:00", active=False)
    assert (await directory.get(agent.id)).working_hours == "mon-fri 09:00-17:00"  # type: ignore[union-attr]
    await asyncio.sleep(0.1)
    assert (await directory.get(agent.id)).working_hours == "sat 10:00-12:00"  # type: ignore[union-attr]
    assert await directory.active() == []


async def test_an_agent_stored_out_of_range_comes_out_clamped_with_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FakeAgents()
    agent = await store.add(make_agent(horizon_days=99_999_999, slot_minutes=0,
                                       buffer_minutes=-5, max_per_day=0))
    caplog.set_level(logging.WARNING, logger="bot.scheduling.limits")
    (served,) = await AgentDirectory(store, Metrics()).active()
    assert (served.horizon_days, served.slot_minutes, served.buffer_minutes,
            served.max_per_day) == (365, 5, 0, 1)
    assert served.notice_minutes == agent.notice_minutes
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "horizon_days=99999999" in logged and "1-365" in logged


def test_the_limits_are_the_ones_the_issue_names() -> None:
    assert {k: (v.low, v.high) for k, v in AGENT_LIMITS.items()} == {
        "slot_minutes": (5, 480), "buffer_minutes": (0, 240), "notice_minutes": (0, 43_200),
        "horizon_days": (1, 365), "max_per_day": (1, 100)}
    assert agent_problems(make_agent()) == {}
    assert agent_problems(make_agent(max_per_day=None)) == {}
    assert set(agent_problems(make_agent(horizon_days=366, slot_minutes=481))) == {
        "horizon_days", "slot_minutes"}
    sane = make_agent()
    assert within_limits(sane) is sane


def test_a_listing_may_start_within_five_years_of_today() -> None:
    today = date(2026, 12, 7)
    assert listing_start_problem(date(2031, 12, 1), today) is None
    assert listing_start_problem(date(2021, 12, 10), today) is None
    assert "5 years" in (listing_start_problem(date(9999, 12, 30), today) or "")
    assert listing_start_problem(date(1, 1, 1), today) is not None
