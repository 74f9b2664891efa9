"""Pacing of Bot API calls: only what Telegram limits, and replies to leads before bulk work.

Telegram limits the messages a bot sends: about 30 a second in all, about one a second in one
chat (short bursts allowed) and 20 a minute in a group; beyond that it answers 429 with
``retry_after``. So:

- a message sent, copied, forwarded or edited, a document or a photo takes a token of the global
  bucket (29 a second by default: a little under Telegram's 30) and one of its chat's;
- a chat action ("typing…") takes none: it is best effort, skipped while a message to the chat
  is already on its way, dropped on a 429;
- every other call (callback answers, reads, ``getUpdates``) goes straight through;
- a 429 delays only its own call, by ``retry_after``, and empties the global bucket (the others
  go on at its pace, nobody freezes); the call is then tried again, ahead of the queue, up to
  ``MAX_ATTEMPTS`` times: a reply is not dropped for a flood limit;
- while calls wait for the global bucket, replies go first; a call marked
  ``rate_limit_args=BULK`` (reminders, nudges, notices to agents) waits behind them.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

BULK = "bulk"
"""``rate_limit_args`` of a call that may wait behind replies to leads."""
GLOBAL_RATE = 29.0
GLOBAL_BURST = 29
CHAT_RATE = 1.0
CHAT_BURST = 8
GROUP_MESSAGES = 20
GROUP_WINDOW = 60.0
MAX_ATTEMPTS = 10
_MAX_CHATS = 50_000
_RETRY, _REPLY, _BULK = 0, 1, 2
_PACED_PREFIXES = ("send", "copymessage", "forwardmessage", "editmessage")
_ACTION = "sendchataction"

Clock = Callable[[], float]
JSON = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, JSON]]


def paced(endpoint: str) -> bool:
    """True for a Bot API method that Telegram's message limits count."""
    key = endpoint.lower()
    return key.startswith(_PACED_PREFIXES) and key != _ACTION


class TokenBucket:
    """``capacity`` tokens refilling at ``rate`` a second. A reservation may take the level
    below zero: each caller learns at once how far away its own token is, in arrival order."""

    def __init__(self, capacity: float, rate: float, clock: Clock = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._tokens = float(capacity)
        self._at = clock()

    def _level(self) -> float:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def wait(self) -> float:
        """Seconds until a whole token is there (0: now)."""
        return max(0.0, (1.0 - self._level()) / self.rate)

    def reserve(self) -> float:
        """Take a token, possibly one not yet there; the seconds until it is."""
        level = self._level()
        self._tokens = level - 1.0
        return max(0.0, (1.0 - level) / self.rate)

    def empty(self) -> None:
        """Telegram refused a call: whatever this side counted as spare is not there."""
        self._tokens = min(self._level(), 0.0)

    def give_back(self) -> None:
        """A token taken for a call that was then not made."""
        self._tokens = min(self.capacity, self._tokens + 1.0)


class SlidingWindow:
    """At most ``limit`` calls in any ``window`` seconds (a group's 20 a minute)."""

    def __init__(self, limit: int, window: float, clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._times: deque[float] = deque()

    def reserve(self) -> float:
        """Book the earliest moment allowed; the seconds until it."""
        now = self._clock()
        at = now if len(self._times) < self._limit else max(now, self._times[0] + self._window)
        self._times.append(at)
        if len(self._times) > self._limit:
            self._times.popleft()
        return at - now


class _Gate:
    """The global bucket, served in priority order, then in arrival order."""

    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._server: asyncio.Task[None] | None = None

    async def enter(self, priority: int) -> None:
        """Return once this call holds a token of the bucket."""
        if not self._queue and self.bucket.wait() == 0.0:
            self.bucket.reserve()
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (priority, next(self._order), future))
        if self._server is None or self._server.done():
            self._server = asyncio.create_task(self._serve())
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.bucket.give_back()
            raise

    async def _serve(self) -> None:
        while self._queue:
            future = self._queue[0][2]
            if future.done():
                heapq.heappop(self._queue)
                continue
            if (wait := self.bucket.wait()) > 0:
                await asyncio.sleep(wait)
                continue
            heapq.heappop(self._queue)
            self.bucket.reserve()
            future.set_result(None)

    async def close(self) -> None:
        """Stop serving; a call still waiting goes at once rather than waiting forever."""
        if self._server is not None:
            self._server.cancel()
            await asyncio.gather(self._server, return_exceptions=True)
            self._server = None
        for _, _, future in self._queue:
            if not future.done():
                future.set_result(None)
        self._queue.clear()


def _chat_key(chat_id: object) -> int | str | None:
    if isinstance(chat_id, int) or chat_id is None:
        return chat_id
    text = str(chat_id)
    return int(text) if text.lstrip("-").isdigit() else text


def retry_after(err: RetryAfter) -> float:
    """The seconds Telegram asked to wait (PTB's own limiter reads the same field)."""
    return err._retry_after.total_seconds()


class TelegramRateLimiter(BaseRateLimiter[str]):
    """PTB's rate limiter for this bot: see the module's docstring."""

    def __init__(self, rate: float = GLOBAL_RATE, burst: int = GLOBAL_BURST, *,
                 chat_rate: float = CHAT_RATE, chat_burst: int = CHAT_BURST,
                 clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._gate = _Gate(TokenBucket(burst, rate, clock))
        self._chat_rate, self._chat_burst = chat_rate, chat_burst
        self._chats: OrderedDict[int | str, TokenBucket | SlidingWindow] = OrderedDict()
        self._pending: defaultdict[int | str | None, int] = defaultdict(int)
        self.retried = 0
        """429s received for paced calls (each retried, unless it was the last attempt)."""
        self.actions_skipped = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Stop serving the queue."""
        await self._gate.close()

    def _chat(self, key: int | str) -> TokenBucket | SlidingWindow:
        limit = self._chats.pop(key, None)
        if limit is None:
            group = isinstance(key, str) or key < 0
            limit = (SlidingWindow(GROUP_MESSAGES, GROUP_WINDOW, self._clock) if group
                     else TokenBucket(self._chat_burst, self._chat_rate, self._clock))
        self._chats[key] = limit  # the least recently used chat first, forgotten first
        if len(self._chats) > _MAX_CHATS:
            self._chats.popitem(last=False)
        return limit

    async def process_request(self, callback: Callback, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: str | None) -> JSON:
        """Pace, skip or pass the call as its kind asks; see the module's docstring."""
        chat = _chat_key(data.get("chat_id"))
        if endpoint.lower() == _ACTION:
            return await self._action(chat, callback, args, kwargs)
        if not paced(endpoint):
            return await callback(*args, **kwargs)
        priority = _BULK if rate_limit_args == BULK else _REPLY
        self._pending[chat] += 1
        attempt = 0
        try:
            while True:
                attempt += 1
                if chat is not None and (delay := self._chat(chat).reserve()) > 0:
                    await asyncio.sleep(delay)
                await self._gate.enter(priority)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as err:
                    self.retried += 1
                    if attempt >= MAX_ATTEMPTS:
                        log.warning("%s refused by the flood limit %d times; giving up",
                                    endpoint, attempt)
                        raise
                    self._gate.bucket.empty()
                    priority = _RETRY
                    await asyncio.sleep(retry_after(err))
        finally:
            self._pending[chat] -= 1
            if not self._pending[chat]:
                del self._pending[chat]

    async def _action(self, chat: int | str | None, callback: Callback, args: Any,
                      kwargs: dict[str, Any]) -> JSON:
        if self._pending.get(chat):
            # A message to the chat is on its way already: "typing…" would only cost a call.
            self.actions_skipped += 1
            return True
        try:
            return await callback(*args, **kwargs)
        except RetryAfter:
            self.actions_skipped += 1
            return True
