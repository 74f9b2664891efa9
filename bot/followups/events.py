"""Delivering the outbox's events to the CRM webhook: at least once, in the background.

Events are written by the database with the change itself (the schema's triggers), so one is
never lost between a booking and its announcement. Delivery runs on a timer, never inside a
lead's turn: a slow or failing receiver delays only the events. Each failure is retried with
exponential backoff (``BACKOFF_FIRST`` doubling up to ``BACKOFF_MAX``) until a day
(``GIVE_UP_AFTER``) after the first attempt; the body carries the event's ``id`` for the
receiver to de-duplicate.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from bot.booking.reminders import Timers
from bot.clock import Clock
from bot.followups.ports import EventSender, OutboxStore, PendingEvent
from bot.observability.funnel import Backlog
from bot.observability.metrics import Metrics

log = logging.getLogger(__name__)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
CLAIM_FOR = timedelta(minutes=2)
"""An event being posted is hidden from other deliverers this long (past the post timeout)."""
EVERY = timedelta(seconds=15)
KEEP = timedelta(days=7)
TIMER = "events"
EVENTS = ("lead.created", "lead.qualified", "booking.created", "booking.rescheduled",
          "booking.cancelled", "booking.no_show", "lead.opted_out")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, ... at most 1 h."""
    wait: timedelta = BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, BACKOFF_MAX)


def body_of(payload: dict[str, object]) -> bytes:
    """The exact bytes posted (and signed): compact JSON, keys sorted."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True,
                      ensure_ascii=False).encode()


class EventDelivery:
    """Posts due outbox events to the webhook; without a webhook it does nothing."""

    def __init__(self, outbox: OutboxStore, sender: EventSender | None, timers: Timers,
                 clock: Clock, metrics: Metrics) -> None:
        self._outbox = outbox
        self._sender = sender
        self._timers = timers
        self._clock = clock
        self._metrics = metrics
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        return self._sender is not None

    def start(self) -> None:
        """Deliver now and every ``EVERY`` from now on (only with a webhook)."""
        if self._sender is None:
            return

        async def tick() -> None:
            try:
                await self.deliver_due()
            except Exception:
                self._metrics.incr("errors.events")
                log.exception("event delivery failed")
            self._timers.at(self._clock.now() + EVERY, TIMER, tick)

        self._timers.at(self._clock.now(), TIMER, tick)

    async def deliver_due(self) -> int:
        """Attempt every event due now, oldest first; returns how many were delivered."""
        if self._sender is None:
            return 0
        async with self._lock:  # one run at a time in this process; claims guard the others
            delivered = 0
            while True:
                now = self._clock.now()
                batch = await self._outbox.claim(now, now + CLAIM_FOR)
                if not batch:
                    return delivered
                for event in batch:
                    delivered += await self._attempt(self._sender, event)

    async def _attempt(self, sender: EventSender, event: PendingEvent) -> bool:
        body = body_of(await self._outbox.payload(event))
        try:
            await sender.post(body)
        except Exception as err:
            now = self._clock.now()
            reason = f"{type(err).__name__}: {err}"[:200]
            self._metrics.incr("errors.events")
            if now - event.first_attempt >= GIVE_UP_AFTER:
                log.error("event %s (%s) given up after %d attempts: %s", event.event_id,
                          event.event, event.attempts, reason)
                await self._outbox.give_up(event.id, now, reason)
            else:
                log.warning("event %s (%s) attempt %d failed: %s", event.event_id, event.event,
                            event.attempts, reason)
                await self._outbox.retry(event.id, now + backoff(event.attempts), reason)
            return False
        await self._outbox.delivered(event.id, self._clock.now())
        self._metrics.incr("events.delivered")
        return True

    async def prune(self) -> None:
        """Keep the outbox small: settled events go after ``KEEP``; without a webhook nothing
        will send the others, so they go after ``KEEP`` too (a webhook set up later gets the
        last week's)."""
        now = self._clock.now()
        try:
            gone = await self._outbox.prune(now - KEEP, now - KEEP if self._sender is None
                                            else None)
        except Exception:
            log.exception("pruning the events outbox failed")
            return
        if gone:
            log.info("forgot %d events older than %s", gone, KEEP)

    async def backlog(self) -> Backlog:
        """The outbox as /stats shows it."""
        return await self._outbox.backlog(self._clock.now())

