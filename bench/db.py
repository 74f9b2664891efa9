"""Scenario 3: the hot queries on a big database, with the seed's indexes and without them.

The data is written fast with plain ``sqlite3`` (one transaction, indexes built after the rows),
then the database is copied and the copy loses the seed's three indexes. Both are opened with
``storage.store.Store`` and queried through the repositories, so every timing includes aiosqlite
exactly as the bot sees it.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.options import Options
from bench.stats import number, summarize
from bot.clock import FixedClock
from bot.domain import AppointmentStatus, HoldRules, Interval, LeadStatus
from bot.observability.metrics import Metrics
from storage.db import SCHEMA_PATH, SCHEMA_VERSION, to_db
from storage.store import Store

SEED_INDEXES = ("idx_appointments_lead_agent_status", "idx_leads_phone_status",
                "idx_messages_lead_created")
AGENTS = 20
BASE = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SLOT = timedelta(minutes=30)
STATUSES = tuple(LeadStatus)
APPOINTMENT_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED,
                        AppointmentStatus.FAILED, AppointmentStatus.BOOKED)
TEXTS = ("Hi! Could we talk tomorrow afternoon about the flat on Elm Street?",
         "Here are the next free times: Tue 10:00, Tue 14:30, Wed 09:00. Tap one to book it.",
         "Thanks, I've saved your phone number.",
         "Do you have anything later in the week, maybe Thursday after lunch?",
         "You're booked with Alice Agent on Thu 11 Dec, 14:00 (UTC). Join: https://zoom.us/j/1")
WARMUP = 10


def phone(lead_id: int) -> str:
    """The generated lead's E.164 number."""
    return f"+1555{lead_id:07d}"


def _appointment(i: int, leads: int) -> tuple[int, int, int, str, str, str]:
    """Appointment ``i``: a unique (agent, start) slot in the past, one lead in four has one;
    every agent has a history of booked, cancelled and failed ones."""
    lead = (i * 4) % leads + 1
    agent = i % AGENTS + 1
    start = BASE + SLOT * (i // AGENTS)
    status = APPOINTMENT_STATUSES[(i // AGENTS) % len(APPOINTMENT_STATUSES)]
    return i + 1, lead, agent, to_db(start), to_db(start + SLOT), status.value


def generate(path: Path, leads: int, messages: int, seed: int = 7) -> dict[str, int]:
    """Write the database; returns the row counts."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(SCHEMA_PATH.read_text())
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                               "AND sql IS NOT NULL").fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO agents (id, name, telegram_id, calendar_id, timezone) "
            "VALUES (?, ?, ?, ?, 'UTC')",
            ((a, f"Agent {a}", 9_000 + a, f"agent{a}@example.com") for a in range(1, AGENTS + 1)))
        conn.executemany(
            "INSERT INTO leads (id, telegram_id, chat_id, name, phone_number, status, agent_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((i, 1_000_000 + i, 1_000_000 + i, f"Lead {i}", phone(i),
              STATUSES[i % len(STATUSES)].value, i % AGENTS + 1) for i in range(1, leads + 1)))
        conn.executemany(
            "INSERT INTO messages (lead_id, role, content, created_at) VALUES (?, ?, ?, ?)",
            _messages(rng, leads, messages))
        count = max(1, leads // 4)
        conn.executemany(
            "INSERT INTO appointments (id, lead_id, agent_id, start_at, end_at, status) "
            "VALUES (?, ?, ?, ?, ?, ?)", (_appointment(i, leads) for i in range(count)))
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return {"leads": leads, "messages": messages, "appointments": count, "agents": AGENTS}
    finally:
        conn.close()


def _messages(rng: random.Random, leads: int, count: int) -> Iterator[tuple[int, str, str, str]]:
    start = BASE - timedelta(days=365)
    for i in range(count):
        moment = start + timedelta(seconds=i * 3)
        yield (rng.randrange(1, leads + 1), "user" if i % 2 else "assistant",
               TEXTS[i % len(TEXTS)], moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z"))


def without_seed_indexes(source: Path, target: Path) -> None:
    """A copy of the database with the seed's three indexes dropped."""
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for name in SEED_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
    finally:
        conn.close()


Query = Callable[[Store, random.Random, int], Awaitable[Any]]


async def _last_messages(store: Store, rng: random.Random, leads: int) -> Any:
    return await store.messages.last(rng.randrange(1, leads + 1), 15)


async def _lead_by_phone(store: Store, rng: random.Random, leads: int) -> Any:
    lead = rng.randrange(1, leads + 1)
    return await store.leads.by_phone(phone(lead), STATUSES[lead % len(STATUSES)])


async def _appointments_of_lead(store: Store, rng: random.Random, leads: int) -> Any:
    _, lead, agent, _, _, status = _appointment(rng.randrange(max(1, leads // 4)), leads)
    return await store.appointments.for_lead(lead, agent, AppointmentStatus(status))


class _Holds:
    """Slot holds on fresh times (after the generated ones), a different agent each time, with
    the notice and a daily cap checked as at a tap."""

    def __init__(self, leads: int) -> None:
        self.n = 0
        self.first = BASE + SLOT * (leads // 4 // AGENTS + 10)

    async def __call__(self, store: Store, rng: random.Random, leads: int) -> Any:
        self.n += 1
        start = self.first + SLOT * (self.n // AGENTS)
        day = start.replace(hour=0, minute=0)
        rules = HoldRules(not_before=BASE, max_per_day=1_000_000,
                          day=Interval(day, day + timedelta(days=1)))
        return await store.appointments.hold(rng.randrange(1, leads + 1), self.n % AGENTS + 1,
                                             Interval(start, start + SLOT), buffer=timedelta(0),
                                             rules=rules)


async def _measure(path: Path, leads: int, samples: int, budget: float | None,
                   drop: tuple[str, ...] = ()) -> dict[str, list[float]]:
    queries: dict[str, Query] = {
        "last_15_messages": _last_messages, "lead_by_phone_status": _lead_by_phone,
        "appointments_by_lead_agent_status": _appointments_of_lead,
        "slot_hold": _Holds(leads),
    }
    store = await Store.open(path, Metrics(), FixedClock(BASE))
    timings: dict[str, list[float]] = {}
    try:
        for name in drop:  # opening migrated the file to schema.sql, indexes included
            await store.db.execute(f"DROP INDEX IF EXISTS {name}")
        for name, query in queries.items():
            rng = random.Random(name)
            for _ in range(WARMUP if budget is None else 1):
                await query(store, rng, leads)
            times: list[float] = []
            deadline = time.perf_counter() + budget if budget is not None else None
            while len(times) < samples:
                start = time.perf_counter()
                await query(store, rng, leads)
                times.append(time.perf_counter() - start)
                if deadline is not None and start >= deadline and len(times) >= 5:
                    break
            timings[name] = times
    finally:
        await store.close()
    return timings


def prepare(workdir: Path, options: Options) -> tuple[Path, Path, dict[str, Any]]:
    """Write the database and its copy without the seed's indexes; (indexed, bare, facts)."""
    workdir.mkdir(parents=True, exist_ok=True)
    indexed, bare = workdir / "indexed.sqlite3", workdir / "no-seed-indexes.sqlite3"
    started = time.perf_counter()
    sizes = generate(indexed, options.db_leads, options.db_messages)
    facts = {"rows": sizes, "generate_s": round(time.perf_counter() - started, 1),
             "file_mb": round(indexed.stat().st_size / 2**20, 1)}
    without_seed_indexes(indexed, bare)
    return indexed, bare, facts


async def run(workdir: Path, options: Options) -> dict[str, Any]:
    """Generate, copy without the seed's indexes, and time the hot queries on both."""
    indexed, bare, facts = prepare(workdir, options)
    with_idx = await _measure(indexed, options.db_leads, options.db_samples, None)
    without = await _measure(bare, options.db_leads, options.db_samples,
                             options.db_unindexed_budget, SEED_INDEXES)
    queries: dict[str, Any] = {}
    for name, times in with_idx.items():
        a, b = summarize(times), summarize(without[name])
        queries[name] = {
            "indexed_ms": a.as_dict(1000, 3), "without_seed_indexes_ms": b.as_dict(1000, 3),
            "slowdown_p50": number(b.p50 / a.p50, 1) if a.p50 > 0 else None,
            "slowdown_p95": number(b.p95 / a.p95, 1) if a.p95 > 0 else None,
        }
    return facts | {"queries": queries}
