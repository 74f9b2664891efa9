"""The /stats report: the seed's figures, measured, beside its targets; fits a phone screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from bot.observability.calendars import CalendarTrouble
from bot.observability.funnel import Backlog, Funnel, funnel_lines, outbox_lines
from bot.observability.metrics import WINDOWS, Metrics, Quota

# (metric name, label, the seed's target in seconds: low, high)
FIGURES: tuple[tuple[str, str, tuple[float, float] | None], ...] = (
    ("response", "Response", (2.0, 3.0)),
    ("booking", "Booking", (3.0, 5.0)),
    ("db", "DB query", (0.05, 0.15)),
    ("ai", "AI", (1.5, 3.0)),
    ("freebusy", "Free/busy", None),
    ("zoom.create", "Zoom create", None),
    ("calendar.insert", "Event insert", None),
)
ERROR_KINDS = ("errors.ai_fallback", "errors.integration", "errors.handler")


@dataclass(frozen=True, slots=True)
class Totals:
    """Booking outcomes from the database (they survive restarts)."""

    day: dict[str, int]
    week: dict[str, int]


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms >= 10_000:
        return f"{seconds:.0f}s"
    if ms >= 1000:
        return f"{seconds:.1f}s"
    return f"{ms:.0f}ms" if ms >= 10 else f"{ms:.1f}ms"


def render(metrics: Metrics, totals: Totals | None = None, *, quota: Quota | None = None,
           calendars: Sequence[CalendarTrouble] = (), funnels: Sequence[Funnel] = (),
           outbox: Backlog | None = None) -> str:
    """The whole report as monospace text (well under Telegram's 4,096 characters);
    ``calendars``: the agents' calendars that could not be read in the last hour;
    ``funnels``: the sales funnel per window and grouping; ``outbox``: the events webhook's."""
    lines = [f"Uptime {_duration(metrics.uptime)}. p50/p95/p99 (n), ✗ = seed target missed"]
    for name, label, target in FIGURES:
        rows = []
        for window, span in WINDOWS:
            s = metrics.summary(name, span)
            if s.count == 0:
                rows.append(f" {window:>3}: -")
                continue
            missed = target is not None and s.p95 > target[1]
            rows.append(f" {window:>3}: {_ms(s.p50)}/{_ms(s.p95)}/{_ms(s.p99)} avg {_ms(s.mean)}"
                        f" ({s.count}){' ✗' if missed else ''}")
        goal = f" [target {_ms(target[0])}-{_ms(target[1])}]" if target else ""
        if any(not r.endswith("-") for r in rows):
            lines.append(f"{label}{goal}")
            lines.extend(rows)
    messages = metrics.count("messages", 300)
    errors_5m = sum(metrics.count(k, 300) for k in ERROR_KINDS)
    rate = errors_5m / messages * 100 if messages else 0.0
    lines.append(f"Throughput: {metrics.rate_per_minute('messages', 300):.1f} msg/min (5m), "
                 f"{metrics.count('messages')} since start")
    lines.append(f"Errors 5m: {errors_5m} ({rate:.1f}% of messages); since start: " + ", ".join(
        f"{k.removeprefix('errors.')} {metrics.count(k)}" for k in ERROR_KINDS))
    for cache in ("agent", "freebusy"):
        hit, miss = metrics.count(f"cache.{cache}.hit"), metrics.count(f"cache.{cache}.miss")
        if hit + miss:
            lines.append(f"Cache {cache}: {hit / (hit + miss) * 100:.0f}% hits of {hit + miss}")
    if quota is not None:
        lines.append(f"Zoom quota today: {quota.used}/{quota.limit}")
    lines.extend(_calendar_lines(calendars))
    if totals is not None:
        for label, counts in (("24h", totals.day), ("7d", totals.week)):
            text = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"
            lines.append(f"Bookings {label}: {text}")
    lines.extend(funnel_lines(funnels))
    lines.extend(outbox_lines(outbox))
    return "\n".join(lines)


_MAX_CALENDARS = 10  # a broken shared calendar of many agents must not outgrow the message


def _calendar_lines(calendars: Sequence[CalendarTrouble]) -> list[str]:
    if not calendars:
        return []
    lines = ["Calendars failing (1h), their agents not offered:"]
    for trouble in calendars[:_MAX_CALENDARS]:
        who = ", ".join(f"{name} #{agent_id}" for agent_id, name in trouble.agents[:3])
        more = f" +{len(trouble.agents) - 3}" if len(trouble.agents) > 3 else ""
        last = trouble.last_at.astimezone(UTC)
        state = (f", readable again {trouble.recovered_at.astimezone(UTC):%H:%M}"
                 if trouble.recovered_at else "")
        lines.append(f" {who or '-'}{more} ({trouble.calendar_id[:60]}): {trouble.reason[:60]},"
                     f" {trouble.failures}x, last {last:%H:%M} UTC{state}")
    if len(calendars) > _MAX_CALENDARS:
        lines.append(f" and {len(calendars) - _MAX_CALENDARS} more")
    return lines


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"
