"""Shared set-up for the reliability tests: a world whose clients can be given short timeouts,
an OpenAI brain on the fake, and helpers to read replies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import openai

from bot.app import build_services
from bot.clock import FixedClock
from bot.config import Config
from bot.conversation.service import OFFER_PREFIX
from bot.domain import Appointment, AppointmentStatus
from bot.observability.metrics import Metrics
from bot.ports import OutMessage
from integrations.google_calendar import GoogleCalendarClient, GoogleCredentials
from integrations.http import HttpClient, make_session
from integrations.openai_brain import OpenAIBrain
from integrations.zoom import ZoomClient
from tests.fakes.google import FakeGoogle
from tests.fakes.openai import FakeOpenAI
from tests.fakes.zoom import FakeZoom
from tests.world import CALENDAR, MONDAY, RecordingNotifier, World, add_agent, env_for

OPENAI_KEY = "sk-test-reliability-key-0123456789"


async def until(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:  # noqa: ASYNC109
    """Wait (polling) until ``predicate()`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(0.01)


def texts(messages: Iterable[OutMessage]) -> str:
    """Every reply's text, one per line."""
    return "\n".join(m.text for m in messages)


def offer_taps(messages: Iterable[OutMessage]) -> list[str]:
    """The callback data of every offer button in the replies."""
    return [b.data for m in messages for row in m.buttons for b in row
            if b.data.startswith(OFFER_PREFIX)]


def markup_taps(record: dict[str, Any]) -> list[str]:
    """The offer buttons' callback data of one message the fake Telegram received."""
    markup = record.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row
            if b.get("callback_data", "").startswith(OFFER_PREFIX)]


async def appointments(w: World, status: AppointmentStatus | None = None) -> list[Appointment]:
    """Every appointment in the database (optionally of one status), oldest first."""
    rows = await w.services.store.db.fetchall("SELECT id FROM appointments ORDER BY id")
    found = [await w.services.store.appointments.get(r["id"]) for r in rows]
    return [a for a in found if a is not None and (status is None or a.status is status)]


@asynccontextmanager
async def fault_world(
    tmp_path: Path, *, zoom_timeout: float | None = None, google_timeout: float | None = None,
    retry_backoff: float | None = None, openai_fake: FakeOpenAI | None = None,
    ai_deadline: float = 3.0,
) -> AsyncIterator[World]:
    """``tests.world.world`` whose Zoom/Google clients may time out after ``*_timeout`` seconds
    or back off ``retry_backoff`` seconds between retries (short, to keep tests fast), and whose
    brain may be OpenAI on ``openai_fake`` (rule-based fallback as in production)."""
    async with AsyncExitStack() as stack:
        google = await stack.enter_async_context(FakeGoogle(calendars=(CALENDAR,)))
        zoom = await stack.enter_async_context(FakeZoom())
        config = Config.from_env(env_for(tmp_path, google, zoom))
        metrics = Metrics()
        overrides: dict[str, Any] = {}
        if zoom_timeout is not None:
            http = HttpClient(make_session(limit=5, total_timeout=zoom_timeout), service="zoom",
                              metrics=metrics)
            stack.push_async_callback(http.close)
            overrides["meetings"] = ZoomClient(
                http, account_id=zoom.account_id, client_id=zoom.client_id,
                client_secret=zoom.client_secret, api_url=zoom.api_url,
                oauth_url=zoom.oauth_url, metrics=metrics)
        if google_timeout is not None or retry_backoff is not None:
            assert config.google_service_account_file is not None
            http = HttpClient(make_session(limit=10, total_timeout=google_timeout or 30.0),
                              service="google", metrics=metrics,
                              backoff_base=retry_backoff or 0.25)
            stack.push_async_callback(http.close)
            credentials = GoogleCredentials.from_file(config.google_service_account_file,
                                                      metrics=metrics)
            overrides["calendar"] = GoogleCalendarClient(http, credentials,
                                                         base_url=google.api_url)
        if openai_fake is not None:
            client = openai.AsyncOpenAI(api_key=OPENAI_KEY, base_url=f"{openai_fake.url}/v1",
                                        max_retries=0, timeout=ai_deadline + 1)
            stack.push_async_callback(client.close)
            overrides["brain"] = OpenAIBrain(client, model="gpt-test", metrics=metrics,
                                             deadline=ai_deadline)
        clock = FixedClock(MONDAY)
        notifier = RecordingNotifier()
        services = await build_services(config, notifier=notifier, clock=clock, metrics=metrics,
                                        **overrides)
        stack.push_async_callback(services.close)
        agent = await add_agent(services)
        yield World(services, google, zoom, notifier, clock, agent, config)
