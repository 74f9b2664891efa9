"""What one benchmark run does: latencies, counts and sizes, from the command line."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

SCENARIOS = ("booking", "response", "burst", "throughput", "db", "parse")
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"
TELEGRAM_LIMIT = 30.0
"""Messages per second Telegram accepts from one bot: its bucket refills at this rate."""
TELEGRAM_BURST = 30
"""Messages Telegram's bucket holds when full."""


@dataclass(frozen=True, slots=True)
class Options:
    """One run's settings; seconds for latencies and durations."""

    ai: float = 2.0
    freebusy: float = 0.3
    zoom: float = 0.5
    insert: float = 0.4
    bookings: int = 30
    booking_concurrency: int = 1
    levels: tuple[int, ...] = (1, 10, 100, 500)
    rounds: int = 3
    """Messages each lead sends at a concurrency level below the throughput run's."""
    min_plain: int = 10
    """Plain (not asking for times) messages at least, per level, for its percentiles."""
    think: float = 0.0
    """Pause of a lead between a reply and its next message."""
    offer_every: int = 5
    """Every n-th message of a lead asks for times (the AI answers with find_slots)."""
    burst_levels: tuple[int, ...] = (60, 500)
    """Leads writing at the same moment, one burst per size."""
    burst_ai: float = 1.0
    """The AI's answer time in the bursts."""
    throughput_leads: int = 500
    throughput_seconds: float = 60.0
    db_leads: int = 100_000
    db_messages: int = 1_000_000
    db_samples: int = 400
    db_unindexed_budget: float = 4.0
    """Seconds spent per query kind on the copy without the seed's indexes."""
    reply_timeout: float = 120.0
    db: str = "sqlite"
    """The engine of the db scenario: ``sqlite`` or ``postgres``."""
    database_url: str | None = None
    """The PostgreSQL server of ``--db postgres``; a throwaway one when None."""
    only: tuple[str, ...] = SCENARIOS
    out: Path = DEFAULT_OUT
    profile: Path | None = None
    quick: bool = False
    markdown: bool = False

    @property
    def booking_floor(self) -> float:
        """The parallel flow's floor: max(free/busy, Zoom) + event insert."""
        return max(self.freebusy, self.zoom) + self.insert

    @property
    def sequential_floor(self) -> float:
        """The seed's sequential flow: free/busy + Zoom + event insert."""
        return self.freebusy + self.zoom + self.insert


QUICK = dict(bookings=10, booking_concurrency=1, levels=(1, 10, 100), rounds=2, min_plain=1,
             burst_levels=(60, 200),
             throughput_leads=100, throughput_seconds=18.0, db_leads=10_000,
             db_messages=100_000, db_samples=200, db_unindexed_budget=0.5)


def parse(argv: list[str] | None = None) -> Options:
    """Options from the command line (``--quick`` first picks the reduced sizes)."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the real bot against the loopback fakes with injected latency.")
    parser.add_argument("--quick", action="store_true", help="reduced run (about a minute)")
    parser.add_argument("--ai", type=float, help="OpenAI answer time, s (default 2.0)")
    parser.add_argument("--freebusy", type=float, help="Google free/busy time, s (default 0.3)")
    parser.add_argument("--zoom", type=float, help="Zoom meeting create time, s (default 0.5)")
    parser.add_argument("--insert", type=float, help="Calendar event insert time, s (default 0.4)")
    parser.add_argument("--bookings", type=int, help="bookings per flow (30; quick 10)")
    parser.add_argument("--booking-concurrency", type=int,
                        help="leads tapping at the same moment (1)")
    parser.add_argument("--levels", help="comma-separated concurrent-lead levels "
                        "(1,10,100,500; quick 1,10,100)")
    parser.add_argument("--rounds", type=int, help="messages per lead per level (3; quick 2)")
    parser.add_argument("--think", type=float,
                        help="pause of a lead between a reply and its next message, s (0)")
    parser.add_argument("--bursts", help="comma-separated sizes of the bursts of leads writing "
                        "at once (60,500; quick 60,200)")
    parser.add_argument("--burst-ai", type=float, help="AI answer time in the bursts, s (1.0)")
    parser.add_argument("--throughput-leads", type=int, help="leads in the throughput run "
                        "(500; quick 100)")
    parser.add_argument("--seconds", type=float, help="throughput run length (60; quick 18)")
    parser.add_argument("--db-leads", type=int, help="leads in the DB (100000; quick 10000)")
    parser.add_argument("--db-messages", type=int,
                        help="messages in the DB (1000000; quick 100000)")
    parser.add_argument("--db", choices=("sqlite", "postgres"),
                        help="engine of the db scenario (sqlite)")
    parser.add_argument("--database-url", help="PostgreSQL server for --db postgres "
                        "(default: a throwaway one, started for the run)")
    parser.add_argument("--reply-timeout", type=float,
                        help="give up on one reply after this long, s (120)")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, help=f"JSON results path ({DEFAULT_OUT.name})")
    parser.add_argument("--markdown", action="store_true",
                        help="print the table in Markdown (for the README)")
    parser.add_argument("--profile", type=Path,
                        help="profile the run with pyinstrument and write the text report here")
    args = parser.parse_args(argv)
    options = Options(quick=True, **QUICK) if args.quick else Options()  # type: ignore[arg-type]
    changes: dict[str, object] = {}
    for name in ("ai", "freebusy", "zoom", "insert", "bookings", "booking_concurrency", "rounds",
                 "think", "burst_ai", "throughput_leads", "db_leads", "db_messages",
                 "reply_timeout", "out", "profile", "db", "database_url"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.markdown:
        changes["markdown"] = True
    if args.seconds is not None:
        changes["throughput_seconds"] = args.seconds
    if args.bursts:
        changes["burst_levels"] = tuple(int(x) for x in args.bursts.split(",") if x.strip())
    if args.levels:
        changes["levels"] = tuple(int(x) for x in args.levels.split(",") if x.strip())
    if args.only:
        only = tuple(x.strip() for x in args.only.split(",") if x.strip())
        unknown = set(only) - set(SCENARIOS)
        if unknown:
            parser.error(f"--only: unknown scenario(s) {', '.join(sorted(unknown))}")
        changes["only"] = only
    options = replace(options, **changes)  # type: ignore[arg-type]
    for name in ("ai", "freebusy", "zoom", "insert", "think", "burst_ai"):
        if getattr(options, name) < 0:
            parser.error(f"--{name}: must not be negative")
    if options.bookings < 1 or options.booking_concurrency < 1 or options.rounds < 1:
        parser.error("--bookings, --booking-concurrency and --rounds must be at least 1")
    if not options.burst_levels or min(options.burst_levels) < 1:
        parser.error("--bursts: sizes of at least 1")
    if not options.levels or min(options.levels) < 1 or options.throughput_leads < 1 \
            or options.db_leads < 1:
        parser.error("--levels, --throughput-leads and --db-leads must be at least 1")
    if options.throughput_seconds <= 0 or options.reply_timeout <= 0:
        parser.error("--seconds and --reply-timeout must be positive")
    if not 1 <= options.booking_concurrency <= 4:
        parser.error("--booking-concurrency: 1 to 4 (a lead is offered four times)")
    return options
