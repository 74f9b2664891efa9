"""The composition root: builds the adapters and the services from the configuration.

Real clients by default; tests and the benchmark pass replacements. Each adapter built here
registers what closes it (one ``AsyncExitStack``, closed last opened first) and a health ping
(``doctor`` runs them). This is the only module of ``bot`` that imports adapters; only the
command line and the console chat use it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import openai

from bot.booking.reminders import AsyncioTimers, ReminderService, Timers
from bot.booking.service import BookingService
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.conversation.brain import Brain
from bot.conversation.service import ConversationService
from bot.errors import ConfigError
from bot.followups.events import EventDelivery
from bot.followups.nudges import Nudges
from bot.observability.metrics import Metrics, Quota
from bot.ports import CalendarProvider, MeetingProvider, Notifier, OutMessage, Repositories
from bot.qualification import Qualification
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.service import SlotService
from bot.services import HealthCheck, Ping, Services
from handlers.delivery import telegram_ping
from integrations.chart import latency_chart
from integrations.google_calendar import GoogleCalendarClient, GoogleCredentials
from integrations.http import GOOGLE_POOL, ZOOM_POOL, HttpClient
from integrations.local import LocalCalendar, SplitCalendar, TemplateMeetings
from integrations.monitoring import MonitoringServer
from integrations.openai_brain import OpenAIBrain
from integrations.rule_brain import RuleBrain
from integrations.webhook import WEBHOOK_POOL, WebhookClient
from integrations.zoom import ZoomClient
from storage.store import Store, describe

log = logging.getLogger(__name__)


class NoNotifier:
    """For commands that never message a chat: sending fails loudly rather than dropping."""

    async def send(self, chat_id: int, message: OutMessage) -> None:
        """Refuse: nothing is wired to deliver it."""
        raise RuntimeError("this command has no way to send messages")


@asynccontextmanager
async def repositories(config: Config) -> AsyncIterator[Repositories]:
    """The database named by the configuration alone (created and migrated as needed)."""
    store = await Store.open(config.database, Metrics(), SystemClock())
    try:
        yield store
    finally:
        await store.close()


async def build_services(
    config: Config, *, notifier: Notifier | None = None, timers: Timers | None = None,
    calendar: CalendarProvider | None = None, meetings: MeetingProvider | None = None,
    brain: Brain | None = None, clock: Clock | None = None, metrics: Metrics | None = None,
    parallel_booking: bool = True, serve_metrics: bool = False, console: bool = False,
) -> Services:
    """Open the database and the clients; optional replacements for tests and the benchmark.

    ``console``: the services of the console chat, whose leads may book console-only agents
    (its demo agent); nobody else's do. The services own what was opened here:
    ``await services.close()`` (or ``async with``).
    """
    clock = clock or SystemClock()
    metrics = metrics or Metrics()
    stack = AsyncExitStack()
    try:
        store = await Store.open(config.database, metrics, clock)
        stack.push_async_callback(store.close)
        health = [HealthCheck("database", _database_ping(config, store))]
        if config.telegram_bot_token is not None:
            health.append(HealthCheck("telegram", telegram_ping(
                config.telegram_bot_token, config.telegram_api_base_url)))
        fallback = RuleBrain()
        if brain is None:
            brain = _brain(config, metrics, stack, health) or fallback
        if calendar is None:
            calendar = _calendar(config, store, metrics, clock, stack, health)
        if meetings is None:
            meetings = _meetings(config, metrics, stack, health)
        zoom_quota = meetings.quota_today if isinstance(meetings, ZoomClient) else None
        if timers is None:
            own_timers = AsyncioTimers(clock)
            stack.callback(own_timers.close)
            timers = own_timers
        notifier = notifier or NoNotifier()
        agents = AgentDirectory(store.agents, metrics, console=console)
        slots = SlotService(agents, store.appointments, store.offers, calendar, clock, metrics)
        qualification = (Qualification(config.qualification, store.answers)
                         if config.qualification else None)
        booking = BookingService(store, slots, calendar, meetings, clock, metrics,
                                 parallel=parallel_booking,
                                 invite_attendees=config.google_delegated_user is not None,
                                 qualification=qualification)
        reminders = ReminderService(store, notifier, timers, clock, metrics,
                                    config.default_timezone)
        nudges = Nudges(store.jobs, store.leads, store.appointments, store.privacy, notifier,
                        timers, clock, metrics, schedule=config.follow_up_schedule,
                        quiet=config.quiet_hours)
        conversation = ConversationService(
            store, slots, booking, brain, fallback, notifier, reminders, clock, metrics,
            agency_name=config.agency_name, default_timezone=config.default_timezone,
            log_texts=config.app_env == "development", nudges=nudges, privacy=store.privacy,
            qualification=qualification)
        nudges.attach(conversation)
        events = EventDelivery(store.outbox, _webhook(config, metrics, stack), timers, clock,
                               metrics)
        if serve_metrics and config.metrics_port is not None:
            await _serve_metrics(config.metrics_host, config.metrics_port, metrics, zoom_quota,
                                 health, stack)
    except BaseException:
        await stack.aclose()
        raise
    return Services(config, store, metrics, clock, calendar, meetings, slots, booking,
                    conversation, reminders, notifier, timers, chart=latency_chart,
                    health=tuple(health),
                    zoom_quota=zoom_quota, lifetime=stack, nudges=nudges, events=events,
                    funnel=store.funnel)


READINESS = ("database", "telegram")
"""The health checks ``/readyz`` runs: without them no update can be handled."""


@asynccontextmanager
async def standby_health(config: Config) -> AsyncIterator[None]:
    """While a replica waits as a hot standby: ``/healthz`` 200 (the process runs, so a container
    is not restarted) and ``/readyz`` 503 ("standby"); the real server replaces it on take-over."""
    if config.metrics_port is None:
        yield
        return

    async def standby() -> str:
        raise RuntimeError("another replica polls Telegram")

    async with AsyncExitStack() as stack:
        await _serve_metrics(config.metrics_host, config.metrics_port, Metrics(), None,
                             [HealthCheck("standby", standby)], stack, ready=("standby",))
        yield


async def _serve_metrics(host: str, port: int, metrics: Metrics,
                         quota: Callable[[], Quota] | None, health: list[HealthCheck],
                         stack: AsyncExitStack, ready: Collection[str] = READINESS) -> None:
    """``/metrics``, ``/healthz`` and ``/readyz`` on ``METRICS_HOST:METRICS_PORT``."""
    server = MonitoringServer(metrics, quota, ready=[(check.name, check.ping) for check in health
                                                     if check.name in ready])
    shown = f"[{host}]" if ":" in host else host
    try:
        await server.start(port, host)
    except OSError as err:
        raise ConfigError(f"METRICS_PORT: cannot listen on {shown}:{port} "
                          f"({err.strerror or type(err).__name__})") from err
    stack.push_async_callback(server.close)
    log.info("metrics and health on http://%s:%d (/metrics, /healthz, /readyz)", shown,
             server.port)


def _webhook(config: Config, metrics: Metrics, stack: AsyncExitStack) -> WebhookClient | None:
    if config.events_webhook_url is None:
        return None
    http = HttpClient(WEBHOOK_POOL.session(), service="webhook", metrics=metrics)
    stack.push_async_callback(http.close)
    return WebhookClient(http, config.events_webhook_url, config.events_webhook_secret)


def _database_ping(config: Config, store: Store) -> Ping:
    async def ping() -> str:
        agents = await store.agents.list(active_only=True)
        demo = sum(a.console_only for a in agents)
        extra = f" (+{demo} console-only)" if demo else ""
        return f"{describe(config.database)}, {len(agents) - demo} active agent(s){extra}"
    return ping


def _brain(config: Config, metrics: Metrics, stack: AsyncExitStack,
           health: list[HealthCheck]) -> Brain | None:
    if config.openai_api_key is None:
        return None
    client = openai.AsyncOpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url,
                                timeout=10.0, max_retries=1)
    stack.push_async_callback(client.close)

    async def ping() -> str:
        model = await client.models.retrieve(config.openai_model)
        return f"key accepted, model {model.id} available"

    health.append(HealthCheck("openai", ping))
    # Past 6 s the lead gets the rule-based answer instead of waiting on.
    return OpenAIBrain(client, model=config.openai_model, metrics=metrics, deadline=6.0)


def _calendar(config: Config, store: Store, metrics: Metrics, clock: Clock,
              stack: AsyncExitStack, health: list[HealthCheck]) -> CalendarProvider:
    local = LocalCalendar(store.agents, store.appointments)
    if config.google_service_account_file is None:
        return local
    http = HttpClient(GOOGLE_POOL.session(), service="google", metrics=metrics)
    stack.push_async_callback(http.close)
    credentials = GoogleCredentials.from_file(config.google_service_account_file,
                                              subject=config.google_delegated_user,
                                              metrics=metrics)
    client = GoogleCalendarClient(http, credentials, base_url=config.google_calendar_api_url,
                                  invite_attendees=config.google_delegated_user is not None)

    async def ping() -> str:
        await credentials.token()
        calendars = [a.calendar_id for a in await store.agents.list(active_only=True)
                     if not a.console_only]
        if not calendars:
            return "token fetched; no agent calendars to check yet"
        now = clock.now()
        await client.busy(calendars, now, now + timedelta(days=1))
        return f"token fetched, free/busy read for {len(calendars)} calendar(s)"

    health.append(HealthCheck("google", ping))
    return SplitCalendar(client, local, store.agents)


def _meetings(config: Config, metrics: Metrics, stack: AsyncExitStack,
              health: list[HealthCheck]) -> MeetingProvider:
    if config.zoom is None:
        return TemplateMeetings(config.meeting_url_template)
    http = HttpClient(ZOOM_POOL.session(), service="zoom", metrics=metrics)
    stack.push_async_callback(http.close)
    client = ZoomClient(http, account_id=config.zoom.account_id,
                        client_id=config.zoom.client_id,
                        client_secret=config.zoom.client_secret, api_url=config.zoom_api_url,
                        oauth_url=config.zoom_oauth_url, metrics=metrics)

    async def ping() -> str:
        await client.token()
        return "server-to-server token fetched"

    health.append(HealthCheck("zoom", ping))
    return client
