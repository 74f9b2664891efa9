"""The events outbox and its webhook, with real storage and a loopback receiver that checks the
signature, fails and answers slowly: every event reaches the CRM at least once, signed, with one
id however often it is retried, and never holds up a lead's turn."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.followups.events import EventDelivery
from bot.observability.funnel import outbox_lines
from tests.fakes.webhook import FakeWebhook
from tests.integration.test_conversation import book_first, taps
from tests.world import World, world

SECRET = "whsec-test"


def delivery(w: World) -> EventDelivery:
    assert w.services.events is not None and w.services.events.enabled
    return w.services.events


async def test_each_change_is_posted_once_signed_with_the_lead_and_the_appointment(
        tmp_path: Path) -> None:
    async with FakeWebhook(SECRET) as hook, world(
            tmp_path, EVENTS_WEBHOOK_URL=hook.hook_url, EVENTS_WEBHOOK_SECRET=SECRET) as w:
        lead = w.lead(1)
        await book_first(w, lead)
        assert await delivery(w).deliver_due() == 2
        assert hook.events() == ["lead.created", "booking.created"]
        created, booked = hook.accepted
        assert set(booked) == {"event", "id", "occurred_at", "lead", "appointment"}
        assert booked["lead"]["id"] == created["lead"]["id"]
        assert booked["lead"]["status"] == "booked" and booked["lead"]["name"] == "Lead1"
        assert booked["appointment"]["status"] == "booked"
        assert booked["appointment"]["start"].endswith("+00:00")
        assert created["id"] != booked["id"] and len(created["id"]) == 32
        # Nothing new: nothing posted again.
        assert await delivery(w).deliver_due() == 0 and len(hook.requests) == 2

        # A move is one rescheduled event, not a cancellation; a cancel is one cancellation.
        replies = await w.services.conversation.text(lead, "can we move it to wednesday?")
        token = next(d for d in taps(replies) if d.startswith("o:"))
        await w.services.conversation.tap(lead, token)
        replies = await w.services.conversation.command(lead, "cancel")
        await w.services.conversation.tap(lead, next(d for d in taps(replies)
                                                     if d.startswith("c:")))
        await w.services.conversation.text(lead, "stop")
        await delivery(w).deliver_due()
        assert hook.events()[2:] == ["booking.rescheduled", "booking.cancelled",
                                     "lead.opted_out"]
        assert hook.accepted[2]["appointment"]["replaces"] == booked["appointment"]["id"]
        # The receiver checked every signature (HMAC-SHA256 of the body) and refused none.
        assert hook.refused == 0 and len(hook.requests) == 5


async def test_a_failing_receiver_gets_the_same_event_again_with_backoff_until_it_takes_it(
        tmp_path: Path) -> None:
    async with FakeWebhook(SECRET) as hook, world(
            tmp_path, EVENTS_WEBHOOK_URL=hook.hook_url, EVENTS_WEBHOOK_SECRET=SECRET) as w:
        hook.fail("/hook", 500, times=2)
        await w.services.conversation.text(w.lead(1), "hello")
        assert await delivery(w).deliver_due() == 0
        assert await delivery(w).deliver_due() == 0, "not again before the backoff"
        backlog = await delivery(w).backlog()
        assert (backlog.pending, backlog.retrying, backlog.failed) == (1, 1, 0)
        assert "500" in (backlog.last_error or "")
        w.clock.set(w.clock.now() + timedelta(seconds=30))
        assert await delivery(w).deliver_due() == 0  # the second failure: a minute now
        w.clock.set(w.clock.now() + timedelta(seconds=59))
        assert await delivery(w).deliver_due() == 0
        w.clock.set(w.clock.now() + timedelta(seconds=1))
        assert await delivery(w).deliver_due() == 1
        assert len(hook.requests) == 3 and hook.events() == ["lead.created"]
        backlog = await delivery(w).backlog()
        assert (backlog.pending, backlog.failed, backlog.delivered_24h) == (0, 0, 1)


async def test_a_receiver_that_refuses_the_signature_is_retried_for_a_day_then_given_up(
        tmp_path: Path) -> None:
    async with FakeWebhook("another-secret") as hook, world(
            tmp_path, EVENTS_WEBHOOK_URL=hook.hook_url, EVENTS_WEBHOOK_SECRET=SECRET) as w:
        await w.services.conversation.text(w.lead(1), "hello")
        start = w.clock.now()
        attempts = 0
        while w.clock.now() - start < timedelta(hours=25):
            await delivery(w).deliver_due()
            attempts = len(hook.requests)
            w.clock.set(w.clock.now() + timedelta(minutes=30))
        assert hook.accepted == [] and hook.refused == attempts
        # 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: about 30 attempts in a day, not thousands.
        assert 20 <= attempts <= 35
        backlog = await delivery(w).backlog()
        assert (backlog.pending, backlog.failed) == (0, 1)
        lines = outbox_lines(backlog)
        assert lines[0].startswith("Events outbox: 0 waiting") and "1 failed" in lines[0]
        assert "401" in lines[1]
        await delivery(w).deliver_due()
        assert len(hook.requests) == attempts, "given up: not tried again"


async def test_a_slow_receiver_never_holds_up_the_leads_turn(tmp_path: Path) -> None:
    async with FakeWebhook(SECRET) as hook, world(
            tmp_path, EVENTS_WEBHOOK_URL=hook.hook_url, EVENTS_WEBHOOK_SECRET=SECRET) as w:
        hook.delay("/hook", 2.0)
        await w.services.conversation.text(w.lead(1), "hello")
        posting = asyncio.create_task(delivery(w).deliver_due())
        while hook.in_flight == 0:  # noqa: ASYNC110  # the receiver's counter, not an event
            await asyncio.sleep(0.01)
        replies = await w.services.conversation.text(w.lead(2), "show me times")
        assert taps(replies), "the second lead got offers while the webhook was still busy"
        assert not posting.done() and hook.in_flight == 1
        assert await posting >= 1
        await delivery(w).deliver_due()
        assert hook.events() == ["lead.created", "lead.created"]


async def test_settled_events_are_forgotten_after_a_week_and_without_a_webhook_all_are(
        tmp_path: Path) -> None:
    async with FakeWebhook(SECRET) as hook, world(
            tmp_path, EVENTS_WEBHOOK_URL=hook.hook_url, EVENTS_WEBHOOK_SECRET=SECRET) as w:
        await w.services.conversation.text(w.lead(1), "hello")
        await delivery(w).deliver_due()
        await w.services.conversation.text(w.lead(2), "hello")  # not delivered yet
        w.clock.set(w.clock.now() + timedelta(days=8))
        await delivery(w).prune()
        backlog = await delivery(w).backlog()
        assert (backlog.pending, backlog.delivered_24h) == (1, 0)
        unsent = EventDelivery(w.services.store.outbox, None,  # type: ignore[attr-defined]
                               w.services.timers, w.clock, w.services.metrics)
        w.clock.set(w.clock.now() + timedelta(days=30))
        await unsent.prune()
        assert (await delivery(w).backlog()).pending == 0
