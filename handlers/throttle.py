"""A per-chat flood limit: a chat past its rate is heard (stored) but not answered each time."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

LIMIT = 12
"""Messages answered per chat per window."""
WINDOW = 10.0
_MAX_CHATS = 50_000


@dataclass(frozen=True, slots=True)
class Verdict:
    """``allowed``: answer normally. ``warn``: the first message past the limit in a window,
    which gets one short notice; the rest are stored quietly."""

    allowed: bool
    warn: bool = False


class ChatThrottle:
    """Sliding-window counter per chat, in bounded memory."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: dict[int, float] = {}

    def check(self, chat_id: int) -> Verdict:
        """Count one message of ``chat_id`` and say whether to answer it."""
        now = self._clock()
        stamps = self._seen.pop(chat_id, None) or deque()
        while stamps and stamps[0] <= now - self._window:
            stamps.popleft()
        self._seen[chat_id] = stamps  # most recently active last
        if len(self._seen) > _MAX_CHATS:
            old, _ = self._seen.popitem(last=False)
            self._warned.pop(old, None)
        if len(stamps) < self._limit:
            stamps.append(now)
            return Verdict(True)
        warned_at = self._warned.get(chat_id)
        if warned_at is None or warned_at <= now - self._window:
            self._warned[chat_id] = now
            return Verdict(False, warn=True)
        return Verdict(False)
