"""Attribution through the real PTB Application: a ``t.me/<bot>?start=<source>`` deep link's
payload is the lead's source (the first one valid), and /stats shows the funnel per source and
per agent, with the events outbox beside it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import AppointmentStatus
from tests.e2e.harness import ADMIN_ID, AGENT_ID, Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap
from tests.fakes.webhook import FakeWebhook


async def source_of(bot: Bot, telegram_id: int) -> str | None:
    lead = await bot.services.store.leads.by_telegram_id(telegram_id)
    assert lead is not None
    row = await bot.services.store.db.fetchone("SELECT source FROM leads WHERE id = ?",
                                               (lead.id,))
    assert row is not None
    return row["source"]  # type: ignore[no-any-return]


async def start(bot: Bot, telegram_id: int, command: str) -> None:
    mark = bot.telegram.mark()
    bot.telegram.push_command(telegram_id, command)
    await bot.telegram.wait_for_text(telegram_id, "booking assistant", after=mark)


@pytest.mark.both_engines
async def test_a_deep_links_source_is_kept_validated_and_first_touch_wins(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await start(bot, 8101, "/start fb_spring-2026")
        assert await source_of(bot, 8101) == "fb_spring-2026"
        await start(bot, 8101, "/start google_ads")
        assert await source_of(bot, 8101) == "fb_spring-2026", "the first source stays"
        # Telegram allows 64 characters of A-Z, a-z, 0-9, _ and -: anything else is no source.
        await start(bot, 8102, "/start " + "x" * 65)
        await start(bot, 8103, "/start bad$source")
        assert await source_of(bot, 8102) is None and await source_of(bot, 8103) is None
        await start(bot, 8104, "/start " + "y" * 64)
        assert await source_of(bot, 8104) == "y" * 64


@pytest.mark.both_engines
async def test_stats_shows_the_funnel_per_source_and_per_agent_and_the_outbox(
        tmp_path: Path) -> None:
    async with FakeWebhook() as hook, running_bot(
            tmp_path, env={"EVENTS_WEBHOOK_URL": hook.hook_url,
                           "EVENTS_WEBHOOK_SECRET": hook.secret}) as bot:
        tg = bot.telegram
        await start(bot, 8201, "/start fb_spring")
        offers = await offers_for(tg, 8201, "can we talk today at 2pm?")
        mark = tg.mark()
        await tap(tg, 8201, offers, "Mon 7 Dec, 14:00 (UTC)")
        await tg.wait_for(lambda r: r["chat_id"] == 8201 and r["method"] == "sendDocument",
                          after=mark)
        await start(bot, 8202, "/start fb_spring")
        await offers_for(tg, 8202, "any time tomorrow?")
        await start(bot, 8203, "/start")

        tg.push_command(ADMIN_ID, "/stats")
        report = (await tg.wait_for_text(ADMIN_ID, "Funnel 7d by source"))["text"]
        lines = report.splitlines()
        week = lines.index("Funnel 7d by source (leads/engaged/qualified/booked/held/no-show):")
        assert lines[week + 1] == " fb_spring: 2/2/0/1/0/0"
        assert lines[week + 2] == " (direct): 1/0/0/0/0/0"
        by_agent = lines.index("Funnel 7d by agent (leads/engaged/qualified/booked/held/no-show):")
        assert f" Alice Agent #{bot.agent.id}: 1/1/0/1/0/0" in lines[by_agent + 1:by_agent + 3]
        assert "Funnel 30d by source (leads/engaged/qualified/booked/held/no-show):" in lines
        assert any(line.startswith("Events outbox: ") for line in lines)
        assert len(report) < 4096


@pytest.mark.both_engines
async def test_a_no_show_the_agent_marks_reaches_the_webhook_with_the_meeting(
        tmp_path: Path) -> None:
    async with FakeWebhook() as hook, running_bot(
            tmp_path, env={"EVENTS_WEBHOOK_URL": hook.hook_url,
                           "EVENTS_WEBHOOK_SECRET": hook.secret}) as bot:
        tg = bot.telegram
        offers = await offers_for(tg, 8301, "can we talk today at 2pm?")
        mark = tg.mark()
        await tap(tg, 8301, offers, "Mon 7 Dec, 14:00 (UTC)")
        await tg.wait_for(lambda r: r["chat_id"] == 8301 and r["method"] == "sendDocument",
                          after=mark)
        (appointment,) = await bot.services.store.appointments.by_status(
            AppointmentStatus.BOOKED)
        bot.clock.set(appointment.start + timedelta(minutes=10))
        mark = tg.mark()
        tg.push_text(AGENT_ID, f"/noshow {appointment.id}")
        await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
        assert bot.services.events is not None
        await bot.services.events.deliver_due()
        assert hook.events()[-1] == "booking.no_show"
        body = hook.accepted[-1]
        assert body["appointment"]["id"] == appointment.id
        assert body["appointment"]["status"] == "no_show"
        assert body["lead"]["status"] == "no_show"
        assert hook.events().count("booking.created") == 1 and hook.refused == 0
