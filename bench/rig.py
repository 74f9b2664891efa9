"""The bot under test: the real PTB Application, real SQLite and the real Google, Zoom and
OpenAI clients, polling and calling the loopback fakes, with timestamps where the benchmark
needs them.

What the benchmark adds, all outside the bot's own code:

- ``BenchTelegram`` stamps each outbound message on arrival and wakes the one waiter that wants
  it (a marker in the text, a chat's next offer or document), so thousands of waiters cost O(1)
  each instead of rescanning the whole record;
- ``BenchOpenAI`` answers each request from its own text: ``[m123]`` markers are echoed back and
  "times" asks for ``find_slots``, so concurrent requests never take each other's scripted reply;
- ``TimedLimiter`` wraps the bot's own rate limiter and records how long each message waited
  for it, when it went out, and the 429s received;
- the fake Bot API enforces Telegram's flood limit (a bucket of 30 messages refilling 30 a
  second, 429 with ``retry_after`` beyond), as Telegram does.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

from bench.options import TELEGRAM_LIMIT
from bot.cli import telegram_application
from bot.clock import FixedClock
from bot.config import Config
from bot.domain import Agent
from bot.services import Services
from handlers.context import BotApp
from tests.fakes.flood import is_message
from tests.fakes.google import FakeGoogle, make_service_account_file
from tests.fakes.openai import FakeOpenAI, ScriptedReply
from tests.fakes.telegram import FakeTelegram, Params, Record
from tests.fakes.zoom import FakeZoom

TOKEN = "123456:" + "B" * 35
OPENAI_KEY = "sk-bench-key"
CALENDAR = "agent@example.com"
AGENT_CHAT = 777
MARKER = re.compile(r"\[m\d+\]")
OFFER_WORD = "times"
FREEBUSY_PATH = "/freeBusy"
EVENTS_PATH = "/events"
ZOOM_CREATE_PATH = "/users/me/meetings"

Callback = Callable[..., Coroutine[Any, Any, Any]]


def bench_monday(now: datetime | None = None) -> datetime:
    """The bot's fixed 'now': 07:00 UTC on the first Monday at least two days ahead.

    Ahead of the real date, so the reminders PTB's JobQueue schedules (on the real clock) for
    booked meetings never fire during the run.
    """
    day = (now or datetime.now(UTC)).date() + timedelta(days=2)
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)


class BenchTelegram(FakeTelegram):
    """The fake Bot API, with arrival times and one-shot waiters per message kind."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self._markers: dict[str, asyncio.Future[float]] = {}
        self._offers: dict[int, asyncio.Future[Record]] = {}
        self._documents: dict[int, asyncio.Future[float]] = {}

    def expect_marker(self, marker: str) -> asyncio.Future[float]:
        """Resolves to the arrival time of the first message whose text holds ``marker``."""
        future = asyncio.get_running_loop().create_future()
        self._markers[marker] = future
        return future

    def expect_offer(self, chat_id: int) -> asyncio.Future[Record]:
        """Resolves to the next message to ``chat_id`` with inline buttons."""
        future = asyncio.get_running_loop().create_future()
        self._offers[chat_id] = future
        return future

    def expect_document(self, chat_id: int) -> asyncio.Future[float]:
        """Resolves to the arrival time of the next document sent to ``chat_id``."""
        future = asyncio.get_running_loop().create_future()
        self._documents[chat_id] = future
        return future

    def _record(self, method: str, chat_id: int, message_id: int, text: Any,
                params: Params) -> Record:
        record = super()._record(method, chat_id, message_id, text, params)
        record["t"] = arrived = time.perf_counter()
        if method == "sendDocument":
            _resolve(self._documents.pop(chat_id, None), arrived)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            _resolve(self._offers.pop(chat_id, None), record)
        if text is not None and (found := MARKER.search(str(text))):
            _resolve(self._markers.pop(found.group(0), None), arrived)
        return record

    def trim(self) -> None:
        """Forget delivered updates and records, so a long run's memory is the bot's."""
        self._outbound.clear()
        self.requests.clear()
        self._history.clear()
        self._messages = {k: m for k, m in self._messages.items()
                          if m["from"].get("id") == self.bot_id}


def _resolve(future: asyncio.Future[Any] | None, value: Any) -> None:
    if future is not None and not future.done():
        future.set_result(value)


class BenchOpenAI(FakeOpenAI):
    """Chat completions that answer each request from its own last user message."""

    def __init__(self) -> None:
        super().__init__(api_key=OPENAI_KEY)
        self.answered = 0
        self.answered_at: dict[str, float] = {}
        """When the answer to each marker left (after the injected delay)."""
        self.stale = 0
        """Requests whose history did not end with the lead's message (it should, always)."""

    def routes(self, app: web.Application) -> None:
        """Serve the one endpoint with per-request answers."""
        app.router.add_post(self.PATH, self._answer)

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(self.error_body(401, "Incorrect API key provided."),
                                     status=401)
        body = await request.json()
        messages = body.get("messages") or [{}]
        self.answered += 1
        if messages[-1].get("role") != "user":
            self.stale += 1
        said = str(messages[-1].get("content") or "")
        found = MARKER.search(said)
        if found:
            self.answered_at[found.group(0)] = time.perf_counter()
        marker = f" {found.group(0)}" if found else ""
        if OFFER_WORD in said:
            reply = ScriptedReply(f"Let me look.{marker}", (("find_slots", {}),))
        else:
            reply = ScriptedReply(f"Happy to help! When would suit you for a short call?{marker}")
        return web.json_response(self._completion(reply, str(body.get("model", "fake-model"))))

    def trim(self) -> None:
        """Forget recorded request bodies (the system prompt makes each one large)."""
        self.requests.clear()
        self.bodies.clear()


class TimedLimiter(BaseRateLimiter[Any]):
    """The bot's own rate limiter, wrapped: per chat, how long each message waited for the
    limit; when each message went out; and how many 429s the calls received."""

    def __init__(self, inner: BaseRateLimiter[Any]) -> None:
        self.inner = inner
        self.waits: defaultdict[int, list[tuple[float, float]]] = defaultdict(list)
        """Per chat: (queued, released) of each message that waited for the limit."""
        self.sent_at: list[float] = []
        self.refused = 0
        self._refused_at_reset = 0

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    def waited(self, chat: int, start: float, end: float) -> float:
        """Seconds requests to ``chat`` spent waiting for the limit within [start, end]."""
        return sum(max(0.0, min(b, end) - max(a, start)) for a, b in self.waits.get(chat, ()))

    def retried_since_reset(self) -> int:
        """429s the calls received since the last ``reset``."""
        return self.refused - self._refused_at_reset

    def reset(self) -> None:
        """A fresh overall limit, as after a quiet spell (each run starts from one)."""
        self._refused_at_reset = self.refused
        inner = self.inner
        if isinstance(inner, AIORateLimiter):
            inner._base_limiter = AsyncLimiter(TELEGRAM_LIMIT, 1)
        elif (gate := getattr(inner, "_gate", None)) is not None:
            gate.bucket = type(gate.bucket)(gate.bucket.capacity, gate.bucket.rate)

    def lift(self) -> None:
        """Once a timed run is over: let whatever is queued through at once, so the backlog
        the run built up drains in a moment instead of at 30/s (nothing is measured then)."""
        inner = self.inner
        if isinstance(inner, AIORateLimiter):
            base = inner._base_limiter
            if base is None:
                return
            base.max_rate = 1e9
            base._rate_per_sec = 1e9
            wake = getattr(base, "_wake_next", None)
            if callable(wake):
                wake()
        elif (gate := getattr(inner, "_gate", None)) is not None:
            gate.bucket.rate = gate.bucket.capacity = 1e9

    async def process_request(self, callback: Callback, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: Any) -> Any:
        """Run the request through the bot's limiter, noting waits, departures and 429s."""
        chat = data.get("chat_id")
        message = is_message(endpoint)
        queued = [time.perf_counter()]

        async def timed(*a: Any, **k: Any) -> Any:
            now = time.perf_counter()
            if message and isinstance(chat, int) and now - queued[0] > 1e-4:
                self.waits[chat].append((queued[0], now))
            try:
                result = await callback(*a, **k)
            except RetryAfter:
                self.refused += 1
                queued[0] = time.perf_counter()
                raise
            if message:
                self.sent_at.append(time.perf_counter())
            return result

        return await self.inner.process_request(timed, args, kwargs, endpoint, data,
                                                rate_limit_args)


@dataclass
class Rig:
    """A running bot and its fakes."""

    app: BotApp
    telegram: BenchTelegram
    google: FakeGoogle
    zoom: FakeZoom
    openai: BenchOpenAI
    limiter: TimedLimiter
    clock: FixedClock
    agent: Agent
    ai: float = 0.0

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        if services is None:
            raise RuntimeError("the bot is not running")
        return services

    def set_latency(self, *, ai: float | None = None, freebusy: float | None = None,
                    zoom: float | None = None, insert: float | None = None) -> None:
        """Injected latency per external call (None leaves one as it is)."""
        if ai is not None:
            self.ai = ai
            self.openai.delay(FakeOpenAI.PATH, ai)
        if freebusy is not None:
            self.google.delay(FREEBUSY_PATH, freebusy)
        if insert is not None:
            self.google.delay(EVENTS_PATH, insert)
        if zoom is not None:
            self.zoom.delay(ZOOM_CREATE_PATH, zoom)

    def lift(self) -> None:
        """End of a timed run: the AI answers at once and the rate limits open (the bot's and
        the fake's), so what is still in flight finishes quickly (replies after this are not
        counted)."""
        self.openai.delay(FakeOpenAI.PATH, 0)
        self.telegram.flood = None
        self.limiter.lift()

    def reset_limits(self) -> None:
        """Full buckets on both sides, as after a quiet spell: each run starts from one."""
        self.limiter.reset()
        self.telegram.flood_control()

    def trim(self) -> None:
        """Drop the fakes' records that only grow (between and during load runs)."""
        self.telegram.trim()
        self.openai.trim()


def _env(workdir: Path, telegram: FakeTelegram, google: FakeGoogle, zoom: FakeZoom,
         openai_fake: FakeOpenAI) -> dict[str, str]:
    workdir.mkdir(parents=True, exist_ok=True)
    key = make_service_account_file(workdir, google.token_uri)
    return {
        "DATABASE_PATH": str(workdir / "bot.sqlite3"),
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
        "AGENCY_NAME": "Acme Realty", "APP_ENV": "production",
        "OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": f"{openai_fake.url}/v1",
        "GOOGLE_SERVICE_ACCOUNT_FILE": str(key), "GOOGLE_CALENDAR_API_URL": google.api_url,
        "ZOOM_ACCOUNT_ID": zoom.account_id, "ZOOM_CLIENT_ID": zoom.client_id,
        "ZOOM_CLIENT_SECRET": zoom.client_secret, "ZOOM_API_URL": zoom.api_url,
        "ZOOM_OAUTH_URL": zoom.oauth_url,
    }


@asynccontextmanager
async def running(workdir: Path) -> AsyncIterator[Rig]:
    """Start the fakes and the bot (long polling with a 1 s poll timeout), yield, stop all."""
    telegram = BenchTelegram()
    async with (telegram, FakeGoogle(calendars=(CALENDAR,)) as google, FakeZoom() as zoom,
                BenchOpenAI() as openai_fake):
        config = Config.from_env(_env(workdir, telegram, google, zoom, openai_fake))
        clock = FixedClock(bench_monday())
        app = telegram_application(config, clock=clock)
        if app.bot.rate_limiter is None:
            raise RuntimeError("the bot has no rate limiter")
        limiter = TimedLimiter(app.bot.rate_limiter)
        app.bot._rate_limiter = limiter  # the bot's own limits, plus timestamps
        telegram.flood_control()  # Telegram's flood limit, enforced by the fake
        await app.initialize()
        if app.post_init is None or app.post_shutdown is None:
            raise RuntimeError("the application has no post_init/post_shutdown")
        await app.post_init(app)
        try:
            services = app.bot_data.services
            if services is None:
                raise RuntimeError("post_init did not build the services")
            agent = await services.store.agents.add(Agent(
                id=0, name="Alice Agent", telegram_id=AGENT_CHAT, calendar_id=CALENDAR,
                timezone="UTC", working_hours="mon-fri 09:00-17:00", slot_minutes=30,
                notice_minutes=60))
            services.agents.invalidate()
            await app.start()
            if app.updater is None:
                raise RuntimeError("the application has no updater")
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield Rig(app, telegram, google, zoom, openai_fake, limiter, clock, agent)
            finally:
                await app.updater.stop()
                await app.stop()
        finally:
            await app.shutdown()
            await app.post_shutdown(app)
