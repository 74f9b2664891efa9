"""Per-chat ordering: updates of different chats run concurrently, one chat's run in order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers.throttle import ChatThrottle, Verdict

ChatLock = Callable[[int], AbstractAsyncContextManager[None]]
"""A chat's lock shared with other processes, held while one of its updates is handled."""


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; updates of one chat run in order.

    A concurrency slot is taken only once the chat's turn has come, so one chat's queue never
    holds slots that other chats need. The flood limit is applied as updates arrive (not as they
    are processed), and its verdict waits here for the handler (``verdict``).
    """

    def __init__(self, max_concurrent_updates: int = 256,
                 throttle: ChatThrottle | None = None) -> None:
        # PTB's own semaphore only bounds the waiting; ours bounds the work.
        super().__init__(max(max_concurrent_updates * 64, 16_384))
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._throttle = throttle or ChatThrottle()
        self._verdicts: dict[int, Verdict] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._waiting: defaultdict[int, int] = defaultdict(int)
        self._shared: ChatLock | None = None
        self._holding: set[int] = set()
        """Updates holding a concurrency slot."""

    def share(self, lock: ChatLock) -> None:
        """Also hold ``lock(chat_id)`` while handling a chat's update: replicas that all take
        updates (webhooks) then handle one chat's updates one at a time between them."""
        self._shared = lock

    def release(self, update: Update) -> None:
        """The update's own work is done and only its replies remain to be sent: its slot goes
        to the next update now, not after the wait for Telegram's rate limit (the chat's lock
        is kept, so the chat's order holds)."""
        if update.update_id in self._holding:
            self._holding.discard(update.update_id)
            self._slots.release()

    def verdict(self, update: Update) -> Verdict:
        """The flood-limit verdict taken when this update arrived."""
        return self._verdicts.pop(update.update_id, Verdict(True))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once its chat's earlier updates are done."""
        if not isinstance(update, Update) or update.effective_chat is None:
            async with self._slots:
                await coroutine
            return
        key = update.effective_chat.id
        message = update.message or update.edited_message
        if message is not None and (message.text or message.caption) is not None:
            # Texts, captions and edits count towards the chat's flood limit alike.
            self._verdicts[update.update_id] = self._throttle.check(key)
        self._waiting[key] += 1
        try:
            # Another replica's turn is waited for without holding a concurrency slot.
            shared = self._shared(key) if self._shared else nullcontext()
            async with self._locks[key], shared:
                await self._slots.acquire()
                self._holding.add(update.update_id)
                try:
                    await coroutine
                finally:
                    self.release(update)
        finally:
            self._verdicts.pop(update.update_id, None)
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so memory stays flat
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""
