"""Reading when a lead wants to meet, per message, over the corpus of lead phrases (the parse is
on every message's path, so it must cost next to nothing)."""

from __future__ import annotations

import time
from typing import Any

from bench.stats import summarize
from bot.conversation.when import find_when
from tests.unit.when_corpus import CASES, NOWS

ROUNDS = 20


def run(rounds: int = ROUNDS) -> dict[str, Any]:
    """Time ``find_when`` on every corpus phrase, ``rounds`` times; per-message percentiles."""
    cases = [(text, NOWS[key]) for key, text, _ in CASES]
    for text, now in cases:  # warm the compiled patterns and the zone table
        find_when(text, now)
    samples: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for text, now in cases:
            start = clock()
            find_when(text, now)
            samples.append(clock() - start)
    return {"phrases": len(cases), **summarize(samples).as_dict(1000.0, 4)}
