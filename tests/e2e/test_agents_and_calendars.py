"""Which agents a Telegram lead is offered: not one whose calendar is broken, not the console's
demo agent, and not a stored agent's bad numbers crashing the offer. Through the real PTB
Application against the fake Bot API and the fake Google Calendar."""

from __future__ import annotations

import io
import itertools
import logging
import re
import sqlite3
from pathlib import Path

import pytest

from bot.config import Config
from bot.console import run_console
from bot.domain import AppointmentStatus
from tests.e2e.harness import ADMIN_ID, Bot, running_bot
from tests.e2e.test_lead_journey import buttons
from tests.world import add_agent

LEAD = 5101
BROKEN = "bob@example.com"


def freebusy_calendars(bot: Bot) -> set[str]:
    """Every calendar id the bot asked Google's freeBusy about."""
    return {item["id"] for r in bot.google.requests if r.path.endswith("/freeBusy")
            for item in r.body["items"]}


async def offered_agents(bot: Bot, telegram_id: int) -> set[int]:
    lead = await bot.services.store.leads.by_telegram_id(telegram_id)
    assert lead is not None
    offers = await bot.services.store.offers.open_for_lead(lead.id, bot.clock.now())
    return {o.agent_id for o in offers}


async def test_an_agent_whose_calendar_errors_does_not_block_the_other_agents_leads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        bot.google.add_calendar(BROKEN)
        bot.google.fail_calendar(BROKEN, "notFound")
        bob = await add_agent(bot.services, name="Bob Broken", telegram_id=778,
                              calendar_id=BROKEN)

        tg.push_text(LEAD, "can we talk tomorrow afternoon?", first_name="Dana")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        assert "can't check the calendar" not in (offers["text"] or "")
        assert await offered_agents(bot, LEAD) == {bot.agent.id}
        assert BROKEN in freebusy_calendars(bot), "it was asked, in the same request"

        mark = tg.mark()
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert "You're booked with Alice Agent" in confirmation["text"]
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        (appointment,) = await bot.services.store.appointments.for_lead(lead.id)
        assert appointment.status is AppointmentStatus.BOOKED
        assert appointment.agent_id == bot.agent.id

        # A second lead a moment later: offered too, and no second log line for the calendar.
        tg.push_text(LEAD + 1, "any time this week?")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD + 1 and bool(buttons(r)))
        warnings = [r.getMessage() for r in caplog.records
                    if r.levelno == logging.WARNING and BROKEN in r.getMessage()]
        assert len(warnings) == 1, warnings
        assert "Bob Broken" in warnings[0] and "notFound" in warnings[0]

        tg.push_command(ADMIN_ID, "/stats")
        report = (await tg.wait_for_text(ADMIN_ID, "Throughput"))["text"]
        assert re.search(rf"Bob Broken #{bob.id} \({re.escape(BROKEN)}\): notFound", report), \
            report
        failing = report[report.index("Calendars failing"):].splitlines()
        failing = failing[:1] + list(itertools.takewhile(lambda line: line.startswith(" "),
                                                         failing[1:]))
        assert len(failing) == 2 and "Bob Broken" in failing[1], failing
        assert "Alice Agent #" not in "\n".join(failing)


async def test_when_every_calendar_errors_the_lead_hears_the_calendar_cannot_be_checked(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        bot.google.fail_calendar(bot.agent.calendar_id, "notFound")
        bot.telegram.push_text(LEAD, "show me times")
        answer = await bot.telegram.wait_for_text(LEAD, "can't check the calendar")
        assert not buttons(answer)


async def test_the_consoles_demo_agent_is_never_offered_to_a_telegram_lead(
    tmp_path: Path,
) -> None:
    # The README's quick start: the console chat first, on the same database.
    out = io.StringIO()
    console_config = Config.from_env({"DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    assert await run_console(console_config, stdin=io.StringIO("/quit\n"), stdout=out) == 0
    assert "demo agent" in out.getvalue()

    async with running_bot(tmp_path) as bot:  # Google configured, a real agent added
        (demo,) = [a for a in await bot.services.store.agents.list()
                   if a.calendar_id == "demo@local"]
        tg = bot.telegram
        tg.push_text(LEAD, "show me times", first_name="Dana")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        assert await offered_agents(bot, LEAD) == {bot.agent.id}
        assert "demo@local" not in freebusy_calendars(bot)
        # Nor does the demo agent's Telegram id count as an agent's.
        assert await bot.services.agents.by_telegram_id(demo.telegram_id) is None

        mark = tg.mark()
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert "Alice Agent" in confirmation["text"]
        assert "demo@local" not in freebusy_calendars(bot)


async def test_a_stored_agent_with_an_absurd_horizon_still_gets_offers(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        # As an older version stored `agents add --horizon-days 99999999 --slot-minutes 0`.
        with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
            conn.execute("UPDATE agents SET horizon_days = 99999999, slot_minutes = 0, "
                         "notice_minutes = 999999999 WHERE id = ?", (bot.agent.id,))
        conn.close()
        bot.services.agents.invalidate()
        bot.telegram.push_text(LEAD, "show me times")
        offers = await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        assert "went wrong" not in (offers["text"] or "")
        assert await offered_agents(bot, LEAD) == {bot.agent.id}
