"""Two replicas of the bot on one PostgreSQL, each fed by a Bot API of its own, as webhook
replicas behind a load balancer are: the test decides which replica gets each update.

An update delivered to both is handled once; racing taps spread over both book one meeting; one
lead's messages alternated between them make one conversation, stored in order; with one
replica stopped the other goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.domain import AppointmentStatus
from tests.e2e.harness import Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, taps
from tests.reliability.helpers import until

pytestmark = pytest.mark.postgres_only
LEAD = 6001


@asynccontextmanager
async def replicas(tmp_path: Path, *, same_update_ids: bool = False
                   ) -> AsyncIterator[tuple[Bot, Bot]]:
    """Two bots on the test's PostgreSQL database; both take updates (no standby)."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    async with running_bot(tmp_path / "one", standby=False) as one, \
            running_bot(tmp_path / "two", standby=False,
                        first_update_id=1 if same_update_ids else 100_000) as two:
        yield one, two


def to_lead(*bots: Bot, lead: int = LEAD) -> list[str]:
    return [r["text"] or "" for bot in bots for r in bot.telegram.sent(lead)]


async def idle(*bots: Bot) -> None:
    """Until every delivered update was fetched and handled by its replica."""
    def done() -> bool:
        return all(not b.telegram.pending and b.app.update_queue.empty()
                   and b.app.update_processor.current_concurrent_updates == 0 for b in bots)
    await until(done, 10, "the replicas to finish their updates")


async def test_an_update_delivered_to_both_replicas_is_answered_once(tmp_path: Path) -> None:
    async with replicas(tmp_path, same_update_ids=True) as (one, two):
        for bot in (one, two):  # the same update_id, 1, on both
            bot.telegram.push_text(LEAD, "Hello there", first_name="Dup")
        await until(lambda: len(to_lead(one, two)) >= 1, 10, "an answer")
        await idle(one, two)
        assert len(to_lead(one, two)) == 1, to_lead(one, two)
        rows = await one.services.store.db.fetchall(
            "SELECT role FROM messages ORDER BY id")
        assert [r["role"] for r in rows] == ["user", "assistant"]


async def test_racing_taps_spread_over_both_replicas_book_one_meeting(tmp_path: Path) -> None:
    async with replicas(tmp_path) as (one, two):
        shown = {}
        for n, bot in enumerate((one, two, one, two)):
            shown[LEAD + n] = (bot, await offers_for(bot.telegram, LEAD + n, "any time today?"))
        label = taps(shown[LEAD][1])[0][0]
        for lead, (bot, offers) in shown.items():  # the same time, tapped at once on both
            (data,) = [d for text, d in taps(offers) if text == label]
            bot.telegram.push_callback(lead, data, message_id=offers["message_id"])
        await until(lambda: any("You're booked" in t for b in (one, two)
                                for lead in shown for t in to_lead(b, lead=lead)), 20,
                    "a confirmation")
        await idle(one, two)
        booked = await one.services.store.appointments.by_status(AppointmentStatus.BOOKED)
        assert len(booked) == 1, booked
        confirmed = [lead for lead in shown for b in (one, two)
                     if any("You're booked" in t for t in to_lead(b, lead=lead))]
        winner = await one.services.store.leads.get(booked[0].lead_id)
        assert winner is not None and confirmed == [winner.telegram_id]


async def test_one_leads_messages_alternated_between_replicas_make_one_ordered_conversation(
        tmp_path: Path) -> None:
    async with replicas(tmp_path) as (one, two):
        said = ["Hi, I'm looking at the flat", "My name is Ann Lee", "Is tomorrow at 10 free?",
                "Thanks", "Sure, what about Thursday?", "Bye"]
        for n, text in enumerate(said):
            bot = (one, two)[n % 2]
            mark = bot.telegram.mark()
            bot.telegram.push_text(LEAD, text, first_name="Ann")
            await bot.telegram.wait_for(lambda r: r["chat_id"] == LEAD, after=mark, timeout=15)
        await idle(one, two)
        lead = await two.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None
        history = await one.services.store.messages.last(lead.id, 100)
        assert [m.content for m in history if m.role.value == "user"] == said
        roles = [m.role.value for m in history]
        assert roles[0] == "user" and "assistant" in roles[1:]


async def test_with_one_replica_stopped_the_other_goes_on(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    async with running_bot(tmp_path / "two", standby=False, first_update_id=100_000) as two:
        async with running_bot(tmp_path / "one", standby=False) as one:
            await offers_for(one.telegram, LEAD, "times tomorrow?")
        offers = await asyncio.wait_for(offers_for(two.telegram, LEAD, "and on Friday?"), 15)
        assert taps(offers)
