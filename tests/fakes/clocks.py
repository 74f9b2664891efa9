"""Stand-ins for time in client tests: a hand-moved monotonic clock and a recording sleep."""

from __future__ import annotations


class Monotonic:
    """A hand-moved monotonic clock for token expiry."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingSleep:
    """Stands in for asyncio.sleep: records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
