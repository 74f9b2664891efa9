"""Exact percentiles of measured samples (nearest rank: a reported p95 was really observed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Summary:
    """Count and percentiles of one set of samples, in the samples' unit."""

    count: int
    p50: float
    p95: float
    p99: float
    mean: float
    max: float

    def as_dict(self, scale: float = 1.0, digits: int = 2) -> dict[str, Any]:
        """The summary with values multiplied by ``scale`` (1000: seconds to ms) and rounded."""
        return {k: v if k == "count" else number(v * scale, digits)
                for k, v in asdict(self).items()}


def number(value: float, digits: int = 2) -> float | None:
    """``value`` rounded, or None when it is not a number (JSON has no NaN)."""
    return None if math.isnan(value) else round(value, digits)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0 < q <= 1) of already sorted values."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def summarize(samples: Sequence[float]) -> Summary:
    """Count, p50, p95, p99, mean and max (NaN for no samples)."""
    ordered = sorted(samples)
    if not ordered:
        return Summary(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    return Summary(len(ordered), percentile(ordered, 0.50), percentile(ordered, 0.95),
                   percentile(ordered, 0.99), sum(ordered) / len(ordered), ordered[-1])
