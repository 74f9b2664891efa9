"""``python -m bot doctor``: each configured integration checked for real, one line each."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TextIO

import openai
from telegram import Bot
from telegram.error import TelegramError

from bot.clock import SystemClock
from bot.config import Config
from bot.errors import BotError
from bot.observability.metrics import Metrics
from integrations.google_calendar import GoogleCalendarClient, GoogleCredentials
from integrations.http import GOOGLE_POOL, ZOOM_POOL, HttpClient
from integrations.zoom import ZoomClient
from storage.store import Store

Check = tuple[str, Callable[[], Awaitable[str]]]


async def run_checks(config: Config, out: TextIO | None = None) -> int:
    """Run every check that applies; 0 when all pass, 1 otherwise."""
    import sys

    out = out or sys.stdout
    metrics = Metrics()
    store = await Store.open(config.database_path, metrics, SystemClock())
    failed = 0
    try:
        agents = await store.agents.list(active_only=True)
        checks: list[Check] = [("database", _ok(f"{config.database_path}, "
                                                f"{len(agents)} active agent(s)"))]
        if config.telegram_bot_token:
            checks.append(("telegram", lambda: _telegram(config)))
        if config.openai_api_key:
            checks.append(("openai", lambda: _openai(config)))
        if config.google_service_account_file:
            checks.append(("google", lambda: _google(config, metrics,
                                                     [a.calendar_id for a in agents])))
        if config.zoom:
            checks.append(("zoom", lambda: _zoom(config, metrics)))
        for name, check in checks:
            start = time.perf_counter()
            try:
                detail = await check()
                out.write(f"ok    {name:<9} {detail} ({(time.perf_counter() - start) * 1000:.0f} "
                          "ms)\n")
            except (BotError, TelegramError, openai.OpenAIError, OSError) as err:
                failed += 1
                out.write(f"FAIL  {name:<9} {type(err).__name__}: {_one_line(err)}\n")
        skipped = [n for n, on in (("telegram", config.telegram_bot_token),
                                   ("openai", config.openai_api_key),
                                   ("google", config.google_service_account_file),
                                   ("zoom", config.zoom)) if not on]
        if skipped:
            out.write(f"skip  {', '.join(skipped)}: not configured (embedded defaults used)\n")
    finally:
        await store.close()
    return 1 if failed else 0


def _ok(detail: str) -> Callable[[], Awaitable[str]]:
    async def check() -> str:
        return detail
    return check


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or "no detail"


async def _telegram(config: Config) -> str:
    assert config.telegram_bot_token
    async with Bot(config.telegram_bot_token, base_url=config.telegram_api_base_url) as bot:
        return f"token accepted, bot @{bot.username}"


async def _openai(config: Config) -> str:
    async with openai.AsyncOpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url,
                                  timeout=15.0, max_retries=0) as client:
        model = await client.models.retrieve(config.openai_model)
        return f"key accepted, model {model.id} available"


async def _google(config: Config, metrics: Metrics, calendars: list[str]) -> str:
    assert config.google_service_account_file
    credentials = GoogleCredentials.from_file(config.google_service_account_file,
                                              subject=config.google_delegated_user)
    await credentials.token()
    if not calendars:
        return "token fetched; no agent calendars to check yet"
    http = HttpClient(GOOGLE_POOL.session(), service="google", metrics=metrics, max_attempts=1)
    try:
        client = GoogleCalendarClient(http, credentials, base_url=config.google_calendar_api_url)
        now = SystemClock().now()
        await client.busy(calendars, now, now + timedelta(days=1))
    finally:
        await http.close()
    return f"token fetched, free/busy read for {len(calendars)} calendar(s)"


async def _zoom(config: Config, metrics: Metrics) -> str:
    assert config.zoom
    http = HttpClient(ZOOM_POOL.session(), service="zoom", metrics=metrics, max_attempts=1)
    try:
        client = ZoomClient(http, account_id=config.zoom.account_id,
                            client_id=config.zoom.client_id,
                            client_secret=config.zoom.client_secret, api_url=config.zoom_api_url,
                            oauth_url=config.zoom_oauth_url, metrics=metrics)
        await client.token()
    finally:
        await http.close()
    return "server-to-server token fetched"
