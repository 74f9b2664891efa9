"""The real PTB Application, polling a fake Bot API, with Google, Zoom and OpenAI fakes.

With ``TELEGRAM_WEBHOOK_URL`` in ``env`` it runs PTB's webhook server instead, started with
the arguments ``python -m bot run`` passes to ``run_webhook``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli import telegram_application
from bot.clock import FixedClock
from bot.config import Config
from bot.domain import Agent
from bot.services import Services
from handlers.application import webhook_arguments
from handlers.context import BotApp
from tests.fakes.google import FakeGoogle
from tests.fakes.openai import FakeOpenAI
from tests.fakes.telegram import FakeTelegram
from tests.fakes.zoom import FakeZoom
from tests.world import CALENDAR, MONDAY, add_agent, env_for

TOKEN = "123456:" + "A" * 35
AGENT_ID = 777
ADMIN_ID = 4242


@dataclass
class Bot:
    app: BotApp
    telegram: FakeTelegram
    google: FakeGoogle
    zoom: FakeZoom
    openai: FakeOpenAI | None
    clock: FixedClock
    agent: Agent

    @property
    def services(self) -> Services:
        services = self.app.bot_data.services
        assert services is not None
        return services


@asynccontextmanager
async def running_bot(tmp_path: Path, *, with_openai: bool = False, at: datetime = MONDAY,
                      env: Mapping[str, str] | None = None,
                      agent: Mapping[str, Any] | None = None,
                      **overrides: Any) -> AsyncIterator[Bot]:
    """Start everything, yield, then stop it all the way PTB does at shutdown.

    The clock stands at ``at``; ``env`` adds settings; ``agent`` changes the agent added (on a
    database that has one already, a restart, that one is kept).
    """
    async with (FakeTelegram(token=TOKEN) as telegram, FakeGoogle(calendars=(CALENDAR,)) as google,
                FakeZoom() as zoom):
        openai_fake = FakeOpenAI(api_key="sk-test-key") if with_openai else None
        if openai_fake is not None:
            await openai_fake.start()
        extra = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": f"{telegram.url}/bot",
                 "ADMIN_TELEGRAM_IDS": str(ADMIN_ID), "AGENCY_NAME": "Acme Realty"}
        if openai_fake is not None:
            extra |= {"OPENAI_API_KEY": "sk-test-key", "OPENAI_BASE_URL": f"{openai_fake.url}/v1"}
        config = Config.from_env(env_for(tmp_path, google, zoom, **extra, **(env or {})))
        clock = FixedClock(at)
        app = telegram_application(config, clock=clock, **overrides)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        services = app.bot_data.services
        assert services is not None
        known = await services.agents.active()
        the_agent = known[0] if known else await add_agent(
            services, **{"telegram_id": AGENT_ID, **(agent or {})})
        await app.start()
        assert app.updater is not None
        if config.webhook is not None:
            await app.updater.start_webhook(**webhook_arguments(config.webhook))
        else:
            await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield Bot(app, telegram, google, zoom, openai_fake, clock, the_agent)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            assert app.post_shutdown is not None
            await app.post_shutdown(app)
            if openai_fake is not None:
                await openai_fake.close()
