"""The per-chat flood limit."""

from __future__ import annotations

from handlers.throttle import ChatThrottle


class Tick:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_flooding_chat_is_limited_and_warned_once_per_window() -> None:
    tick = Tick()
    throttle = ChatThrottle(limit=5, window=10, clock=tick)
    verdicts = [throttle.check(1) for _ in range(100)]
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(v.warn for v in verdicts) == 1
    assert throttle.check(2).allowed, "another chat is not slowed"
    tick.now = 10.5
    again = [throttle.check(1) for _ in range(7)]
    assert [v.allowed for v in again] == [True] * 5 + [False] * 2
    assert [v.warn for v in again] == [False] * 5 + [True, False]


def test_a_steady_chat_is_never_limited() -> None:
    tick = Tick()
    throttle = ChatThrottle(limit=5, window=10, clock=tick)
    for i in range(100):
        tick.now = i * 2.5
        assert throttle.check(1).allowed
