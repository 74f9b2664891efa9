"""The sales figures /stats shows beside the technical ones: the funnel and the events outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_ROWS = 5
"""Rows per grouping, the largest first, so the report stays one message."""


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """One line of the funnel: leads created in a window, and how many reached each stage."""

    key: str
    leads: int
    engaged: int
    qualified: int
    booked: int
    held: int
    no_show: int


@dataclass(frozen=True, slots=True)
class Funnel:
    """The funnel of one window (``7d``) grouped one way (``source`` or ``agent``)."""

    window: str
    by: str
    rows: Sequence[FunnelRow]


@dataclass(frozen=True, slots=True)
class Backlog:
    """The events outbox: waiting, being retried, given up, delivered in the last day."""

    pending: int
    retrying: int
    failed: int
    delivered_24h: int
    last_error: str | None


def funnel_lines(funnels: Sequence[Funnel]) -> list[str]:
    """Each funnel as a header and one ``key: leads/engaged/qualified/booked/held/no-show``."""
    lines: list[str] = []
    for funnel in funnels:
        lines.append(f"Funnel {funnel.window} by {funnel.by} "
                     "(leads/engaged/qualified/booked/held/no-show):")
        if not funnel.rows:
            lines.append(" none")
        for row in funnel.rows[:MAX_ROWS]:
            lines.append(f" {row.key[:30]}: {row.leads}/{row.engaged}/{row.qualified}/"
                         f"{row.booked}/{row.held}/{row.no_show}")
        if len(funnel.rows) > MAX_ROWS:
            lines.append(f" and {len(funnel.rows) - MAX_ROWS} more")
    return lines


def outbox_lines(backlog: Backlog | None) -> list[str]:
    """The outbox in a line (two with the last error); nothing when the webhook is off."""
    if backlog is None:
        return []
    lines = [f"Events outbox: {backlog.pending} waiting ({backlog.retrying} retrying), "
             f"{backlog.failed} failed, {backlog.delivered_24h} delivered 24h"]
    if backlog.last_error:
        lines.append(f" last error: {backlog.last_error[:80]}")
    return lines
