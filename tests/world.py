"""A whole bot wired to the loopback fakes: real clients, real SQLite, a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import build_services
from bot.clock import FixedClock
from bot.config import Config
from bot.conversation.service import Sender
from bot.domain import Agent
from bot.ports import OutMessage
from bot.services import Services
from tests.engines import current_url
from tests.fakes.google import FakeGoogle, make_service_account_file
from tests.fakes.zoom import FakeZoom

# A Monday morning, before working hours (09:00-17:00 UTC).
MONDAY = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
CALENDAR = "agent@example.com"


@dataclass
class RecordingNotifier:
    """Records what the bot sends to other chats (agents, reminders)."""

    sent: list[tuple[int, OutMessage]] = field(default_factory=list)

    async def send(self, chat_id: int, message: OutMessage) -> None:
        self.sent.append((chat_id, message))

    def to(self, chat_id: int) -> list[str]:
        return [m.text for c, m in self.sent if c == chat_id]


@dataclass
class World:
    services: Services
    google: FakeGoogle
    zoom: FakeZoom
    notifier: RecordingNotifier
    clock: FixedClock
    agent: Agent
    config: Config

    def lead(self, n: int) -> Sender:
        return Sender(1000 + n, 1000 + n, f"Lead{n}")

    def orphans(self) -> tuple[int, int]:
        """Live Zoom meetings and calendar events (a deleted event stays, marked cancelled)."""
        events = self.google.events.get(CALENDAR, {}).values()
        live = [e for e in events if e.get("status") != "cancelled"]
        return len(self.zoom.meetings), len(live)


def env_for(tmp_path: Path, google: FakeGoogle | None, zoom: FakeZoom | None,
            **extra: str) -> dict[str, str]:
    env = {"DATABASE_PATH": str(tmp_path / "bot.sqlite3")}
    if current_url() is not None:
        env["DATABASE_URL"] = str(current_url())
    if google is not None:
        key = make_service_account_file(tmp_path, google.token_uri)
        env |= {"GOOGLE_SERVICE_ACCOUNT_FILE": str(key), "GOOGLE_CALENDAR_API_URL": google.api_url}
    if zoom is not None:
        env |= {"ZOOM_ACCOUNT_ID": zoom.account_id, "ZOOM_CLIENT_ID": zoom.client_id,
                "ZOOM_CLIENT_SECRET": zoom.client_secret, "ZOOM_API_URL": zoom.api_url,
                "ZOOM_OAUTH_URL": zoom.oauth_url}
    return env | extra


async def add_agent(services: Services, **changes: Any) -> Agent:
    values: dict[str, Any] = dict(
        id=0, name="Alice Agent", telegram_id=777, calendar_id=CALENDAR, timezone="UTC",
        working_hours="mon-fri 09:00-17:00", slot_minutes=30, notice_minutes=60)
    agent = await services.store.agents.add(Agent(**(values | changes)))
    services.agents.invalidate()
    return agent


@asynccontextmanager
async def world(tmp_path: Path, **extra: str) -> AsyncIterator[World]:
    """Fakes started, services built against them, one agent added."""
    async with FakeGoogle(calendars=(CALENDAR,)) as google, FakeZoom() as zoom:
        config = Config.from_env(env_for(tmp_path, google, zoom, **extra))
        clock = FixedClock(MONDAY)
        notifier = RecordingNotifier()
        services = await build_services(config, notifier=notifier, clock=clock)
        try:
            agent = await add_agent(services)
            yield World(services, google, zoom, notifier, clock, agent, config)
        finally:
            await services.close()
