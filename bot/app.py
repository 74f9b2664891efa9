"""The composition root: builds every service from the configuration.

Real clients by default; tests and the benchmark pass replacements. This module and the CLI are
the only parts of ``bot`` that import adapters.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openai

from bot.booking import notices
from bot.booking.reminders import AsyncioTimers, ReminderService, Timers
from bot.booking.service import BookingService
from bot.clock import Clock, SystemClock, zone
from bot.config import Config
from bot.conversation.brain import Brain
from bot.conversation.service import ConversationService
from bot.domain import Agent, Interval
from bot.errors import ConfigError, NotFound
from bot.observability.logs import configure
from bot.observability.metrics import Metrics
from bot.ports import CalendarProvider, MeetingProvider, Notifier, OutMessage
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.service import SlotService
from integrations.chart import latency_chart
from integrations.google_calendar import GoogleCalendarClient, GoogleCredentials
from integrations.http import GOOGLE_POOL, ZOOM_POOL, HttpClient
from integrations.local import LocalCalendar, TemplateMeetings
from integrations.openai_brain import OpenAIBrain
from integrations.prometheus import PrometheusServer
from integrations.rule_brain import RuleBrain
from integrations.zoom import ZoomClient
from storage.store import Store

log = logging.getLogger(__name__)
Closer = Callable[[], Awaitable[object]]


@dataclass
class Services:
    """Everything the handlers need, with types (PTB's ``bot_data`` holds just this)."""

    config: Config
    store: Store
    metrics: Metrics
    clock: Clock
    calendar: CalendarProvider
    meetings: MeetingProvider
    slots: SlotService
    booking: BookingService
    conversation: ConversationService
    reminders: ReminderService
    notifier: Relay
    timers: Timers
    chart: Callable[[Metrics], bytes]  # the /stats chart as PNG bytes; blocking, run in a thread
    closers: list[Closer] = field(default_factory=list)

    @property
    def agents(self) -> AgentDirectory:
        return self.slots.agents

    async def close(self) -> None:
        """Close HTTP sessions and the database, last opened first."""
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:
                log.exception("error while closing")
        self.closers.clear()


class Relay:
    """A notifier whose target is attached later (the Telegram bot exists only once PTB is
    built); until then sending fails loudly rather than dropping a message."""

    def __init__(self, target: Notifier | None = None) -> None:
        self.target = target

    def attach(self, target: Notifier) -> None:
        self.target = target

    async def send(self, chat_id: int, message: OutMessage) -> None:
        if self.target is None:
            raise RuntimeError("no notifier attached")
        await self.target.send(chat_id, message)


async def open_store(config: Config, metrics: Metrics, clock: Clock) -> Store:
    """The database named by the configuration, created and migrated as needed."""
    return await Store.open(config.database_path, metrics, clock)


async def build_services(
    config: Config, *, notifier: Notifier | None = None, timers: Timers | None = None,
    calendar: CalendarProvider | None = None, meetings: MeetingProvider | None = None,
    brain: Brain | None = None, clock: Clock | None = None, metrics: Metrics | None = None,
    parallel_booking: bool = True, serve_metrics: bool = False,
) -> Services:
    """Open the database and clients; optional replacements for tests and the benchmark."""
    clock = clock or SystemClock()
    metrics = metrics or Metrics()
    store = await open_store(config, metrics, clock)
    closers: list[Closer] = [store.close]
    try:
        if calendar is None:
            calendar = _calendar(config, store, metrics, closers)
        if meetings is None:
            meetings = _meetings(config, metrics, closers)
        fallback = RuleBrain()
        if brain is None:
            brain = _brain(config, metrics, closers) or fallback
    except BaseException:
        for closer in reversed(closers):
            await closer()
        raise
    notify = Relay(notifier)
    agents = AgentDirectory(store.agents, metrics)
    slots = SlotService(agents, store.appointments, store.offers, calendar, clock, metrics)
    booking = BookingService(store, slots, calendar, meetings, clock, metrics,
                             parallel=parallel_booking,
                             invite_attendees=config.google_delegated_user is not None)
    timers = timers or AsyncioTimers(clock)
    reminders = ReminderService(store, notify, timers, clock, metrics, config.default_timezone)
    conversation = ConversationService(
        store, slots, booking, brain, fallback, notify, reminders, clock, metrics,
        agency_name=config.agency_name, default_timezone=config.default_timezone,
        log_texts=config.app_env == "development")
    services = Services(config, store, metrics, clock, calendar, meetings, slots, booking,
                        conversation, reminders, notify, timers, chart=latency_chart,
                        closers=closers)
    if isinstance(timers, AsyncioTimers):
        closers.append(_sync_closer(timers.close))
    if serve_metrics and config.metrics_port is not None:
        quota = getattr(meetings, "quota_today", None)
        server = PrometheusServer(metrics, quota if callable(quota) else None)
        try:
            await server.start(config.metrics_port)
        except OSError as err:
            await services.close()
            raise ConfigError(f"METRICS_PORT: cannot listen on 127.0.0.1:"
                              f"{config.metrics_port} ({err.strerror})") from err
        closers.append(server.close)
        log.info("Prometheus metrics on http://127.0.0.1:%d/metrics", server.port)
    return services


def _sync_closer(fn: Callable[[], None]) -> Closer:
    async def close() -> None:
        fn()
    return close


def _calendar(config: Config, store: Store, metrics: Metrics,
              closers: list[Closer]) -> CalendarProvider:
    if config.google_service_account_file is None:
        return LocalCalendar(store.agents, store.appointments)
    http = HttpClient(GOOGLE_POOL.session(), service="google", metrics=metrics)
    closers.append(http.close)
    credentials = GoogleCredentials.from_file(config.google_service_account_file,
                                              subject=config.google_delegated_user,
                                              metrics=metrics)
    return GoogleCalendarClient(http, credentials, base_url=config.google_calendar_api_url,
                                invite_attendees=config.google_delegated_user is not None)


def _meetings(config: Config, metrics: Metrics, closers: list[Closer]) -> MeetingProvider:
    if config.zoom is None:
        return TemplateMeetings(config.meeting_url_template)
    http = HttpClient(ZOOM_POOL.session(), service="zoom", metrics=metrics)
    closers.append(http.close)
    return ZoomClient(http, account_id=config.zoom.account_id, client_id=config.zoom.client_id,
                      client_secret=config.zoom.client_secret, api_url=config.zoom_api_url,
                      oauth_url=config.zoom_oauth_url, metrics=metrics)


def _brain(config: Config, metrics: Metrics, closers: list[Closer]) -> Brain | None:
    if config.openai_api_key is None:
        return None
    client = openai.AsyncOpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url,
                                timeout=10.0, max_retries=1)
    closers.append(client.close)
    # Past 6 s the lead gets the rule-based answer instead of waiting on.
    return OpenAIBrain(client, model=config.openai_model, metrics=metrics, deadline=6.0)


async def startup(services: Services) -> None:
    """Reconcile bookings a crash interrupted, then rebuild reminders."""
    for appointment, completed in await services.booking.reconcile():
        lead = await services.store.leads.get(appointment.lead_id)
        agent = await services.agents.get(appointment.agent_id)
        if lead is None or agent is None:
            continue
        tz = zone(lead.timezone, agent.timezone)
        if completed:
            lead_msg = notices.confirmation(appointment, agent, lead, tz)
            agent_msg = notices.agent_booked(appointment, agent, lead)
        else:
            lead_msg = OutMessage("Sorry, your booking for "
                                  f"{notices.slot_label(appointment.start, tz)} was interrupted "
                                  "and did not go through. Say \"times\" to pick a new one.")
            agent_msg = OutMessage(f"A booking by {lead.name or 'a lead'} for "
                                   f"{notices.slot_label(appointment.start, tz)} was interrupted "
                                   "and undone; nothing is booked.")
        for chat_id, message in ((lead.chat_id, lead_msg), (agent.telegram_id, agent_msg)):
            try:
                await services.notifier.send(chat_id, message)
            except Exception:
                log.exception("could not tell chat about reconciled appointment %s",
                              appointment.id)
    count = await services.reminders.rebuild()
    log.info("start-up: reminders scheduled for %d meetings", count)
    schedule_sweep(services)
    # Start-up objects live as long as the process: keep them out of the collector's full scans,
    # whose pauses were the tail of the response time in the benchmark.
    gc.collect()
    gc.freeze()


SWEEP_EVERY = timedelta(minutes=5)


def schedule_sweep(services: Services) -> None:
    """Every few minutes, delete what a failed undo or a late Zoom answer left behind."""
    async def sweep() -> None:
        try:
            await services.booking.sweep()
        except Exception:
            log.exception("clean-up sweep failed")
        schedule_sweep(services)

    services.timers.at(services.clock.now() + SWEEP_EVERY, "sweep", sweep)



# ----- commands -----------------------------------------------------------------------------


async def run(config: Config) -> int:
    """``python -m bot run``: Telegram long polling, or the console chat without a token."""
    configure(config.log_level, config.app_env, config.secrets)
    if config.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN is not set: starting the console chat on the embedded "
              "calendar, meeting links and brain (set it in .env to run the Telegram bot).")
        return await console(config)
    from handlers.telegram import run_polling

    return await run_polling(config)


async def console(config: Config) -> int:
    """``python -m bot console``: chat as a lead in the terminal."""
    from bot.console import run_console

    configure("WARNING" if config.log_level == "INFO" else config.log_level, config.app_env,
              config.secrets)
    return await run_console(config)


async def add_agent(config: Config, agent: Agent) -> Agent:
    """``agents add``: store a new agent."""
    metrics, clock = Metrics(), SystemClock()
    store = await open_store(config, metrics, clock)
    try:
        return await store.agents.add(agent)
    finally:
        await store.close()


async def list_agents(config: Config) -> list[Agent]:
    """``agents list``."""
    store = await open_store(config, Metrics(), SystemClock())
    try:
        return await store.agents.list()
    finally:
        await store.close()


async def list_slots(config: Config, *, agent_id: int | None, start: date | None,
                     days: int) -> list[tuple[int, Interval]]:
    """``slots``: every free slot in range after both validations, in each agent's zone."""
    services = await build_services(config)
    try:
        if agent_id is not None:
            agent = await services.agents.get(agent_id)
            if agent is None:
                raise NotFound(f"no agent with id {agent_id}")
            agents = [agent]
        else:
            agents = await services.agents.active()
        result: list[tuple[int, Interval]] = []
        for agent in agents:
            zone = ZoneInfo(agent.timezone)
            first = start or services.clock.now().astimezone(zone).date()
            begin = datetime.combine(first, time(0), zone)
            end = datetime.combine(first + timedelta(days=days), time(0), zone)
            found = await services.slots.free_validated([agent], begin, end)
            result += [(a.id, Interval(s.start.astimezone(zone), s.end.astimezone(zone)))
                       for a, s in found.slots]
        return result
    finally:
        await services.close()


async def doctor(config: Config) -> int:
    """``doctor``: check each configured integration for real, one line per check."""
    from integrations.doctor import run_checks

    return await run_checks(config)
