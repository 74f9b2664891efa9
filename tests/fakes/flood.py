"""Telegram's flood control for the fake Bot API: a token bucket on message-sending methods.

Telegram lets a bot send about 30 messages a second and answers ``429 Too Many Requests`` with
``parameters.retry_after`` (whole seconds) beyond that. The model here is a bucket of
``capacity`` tokens refilling at ``rate`` a second; each message sent, copied, forwarded or
edited, and each file, takes one. Chat actions, callback answers and reads are not messages and
take none. Opt in with ``FakeTelegram.flood_control()``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

CAPACITY = 30
RATE = 30.0
_FREE_SENDS = frozenset({"sendchataction"})
_PREFIXES = ("send", "copymessage", "forwardmessage", "editmessage")


def is_message(method: str) -> bool:
    """True for a Bot API method that puts a message in front of a user (case-insensitive)."""
    key = method.lower()
    return key.startswith(_PREFIXES) and key not in _FREE_SENDS


class FloodBucket:
    """Tokens refilling continuously; ``take`` answers None or the ``retry_after`` to send."""

    def __init__(self, capacity: int = CAPACITY, rate: float = RATE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.rate = rate
        self._clock = clock
        self._tokens = float(capacity)
        self._at = clock()
        self.accepted = 0
        self.refused = 0

    def take(self) -> int | None:
        """Spend a token: None when there was one, else the whole seconds to wait (>= 1)."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self.accepted += 1
            return None
        self.refused += 1
        return max(1, math.ceil((1.0 - self._tokens) / self.rate))
