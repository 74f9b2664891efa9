"""The ``Services`` bundle the adapters receive, its start-up work and its periodic sweep.

``bot.app`` builds it; the Telegram handlers, the console chat and the command line use it.
It owns the lifetime of what the composition root opened (``close`` or ``async with``), and the
health pings each adapter registered there, which ``doctor`` runs.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property, partial
from types import TracebackType

from bot.booking import notices
from bot.booking.reconcile import PENDING_LEASE, THIS_PROCESS
from bot.booking.reminders import ReminderService, Timers
from bot.booking.service import BookingService
from bot.clock import Clock, zone
from bot.config import Config
from bot.conversation.service import ConversationService
from bot.domain import Agent, Appointment, AppointmentStatus, Lead
from bot.followups.events import EventDelivery
from bot.followups.nudges import Nudges
from bot.followups.ports import FunnelStore
from bot.observability.metrics import Metrics, Quota
from bot.ports import CalendarProvider, MeetingProvider, Notifier, OutMessage, Repositories
from bot.scheduling.agents import AgentDirectory
from bot.scheduling.service import SlotService
from bot.team.controls import with_meeting_buttons
from bot.team.service import TeamService

log = logging.getLogger(__name__)

Ping = Callable[[], Awaitable[str]]
"""Checks one adapter for real; returns a short detail, raises when it is not healthy."""

TICK = timedelta(minutes=1)
"""How often the periodic work looks for something to do."""
SWEEP_EVERY = timedelta(minutes=5)
"""How often the clean-up sweep runs, on whichever replica claims it."""
KEEP_UPDATES = timedelta(days=7)
"""How long a processed update id is remembered (Telegram redelivers within a day)."""


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """One adapter's ping, registered by the composition root under the adapter's name."""

    name: str
    ping: Ping


@dataclass(eq=False)
class Services:
    """Everything the handlers need, with types; closes what the composition root opened."""

    config: Config
    store: Repositories
    metrics: Metrics
    clock: Clock
    calendar: CalendarProvider
    meetings: MeetingProvider
    slots: SlotService
    booking: BookingService
    conversation: ConversationService
    reminders: ReminderService
    notifier: Notifier
    timers: Timers
    chart: Callable[[Metrics], bytes]
    """Draws the /stats chart as PNG bytes; blocking, so run it in a thread."""
    health: tuple[HealthCheck, ...] = ()
    zoom_quota: Callable[[], Quota] | None = None
    """Zoom's daily request cap and today's use, when the meetings are Zoom's."""
    lifetime: AsyncExitStack = field(default_factory=AsyncExitStack, repr=False)
    nudges: Nudges | None = None
    events: EventDelivery | None = None
    """Delivers the events outbox to EVENTS_WEBHOOK_URL (does nothing without it)."""
    funnel: FunnelStore | None = None

    @property
    def agents(self) -> AgentDirectory:
        """The cached agent directory the slot service reads."""
        return self.slots.agents

    @cached_property
    def team(self) -> TeamService:
        """The sales team's controls, on the same stores, services and notifier."""
        return TeamService(self.store, self.slots, self.booking, self.reminders,
                           self.conversation, self.notifier, self.clock, self.metrics,
                           admins=self.config.admin_telegram_ids,
                           default_timezone=self.config.default_timezone)

    async def close(self) -> None:
        """Close the HTTP sessions, the servers and the database, last opened first."""
        try:
            await self.lifetime.aclose()
        except Exception:
            log.exception("error while closing")

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.close()


ServicesFactory = Callable[[Notifier, Timers], Awaitable[Services]]
"""Builds the services once the adapter's notifier and timers exist (Telegram's in post_init)."""


async def startup(services: Services) -> None:
    """Reconcile bookings a crash interrupted, then rebuild reminders and start the sweep."""
    await settle_interrupted(services)
    await sweep_once(services)
    count = await services.reminders.rebuild()
    log.info("start-up: reminders scheduled for %d meetings", count)
    if services.nudges is not None:
        # Nudges due while the bot was down: sent now if at most an hour late, else skipped.
        log.info("start-up: %d nudges sent", await services.nudges.run_due())
        services.nudges.start()
    if services.events is not None:
        services.events.start()
    schedule_tick(services)
    # Start-up objects live as long as the process: keep them out of the collector's full scans,
    # whose pauses were the tail of the response time in the benchmark.
    gc.collect()
    gc.freeze()


def _settled(services: Services, appointment: Appointment, completed: bool,
             moved: Appointment | None, agent: Agent, lead: Lead) -> tuple[OutMessage, OutMessage]:
    """What the lead and the agent are told about a booking (or move) start-up settled."""
    tz = zone(lead.timezone, agent.timezone)
    if completed:
        confirm = notices.confirmation(appointment, agent, lead, tz,
                                       reminders=services.reminders.plan(appointment),
                                       moved=moved is not None)
        if moved is not None:
            return confirm, with_meeting_buttons(
                notices.agent_rescheduled(moved, appointment, agent, lead), appointment)
        return confirm, with_meeting_buttons(notices.agent_booked(appointment, agent, lead),
                                             appointment)
    if moved is not None and moved.status is AppointmentStatus.BOOKED:
        return notices.move_interrupted(appointment, moved, agent, lead, tz)
    return notices.booking_interrupted(appointment, agent, lead, tz)


async def settle_interrupted(services: Services) -> int:
    """Settle bookings left pending and tell the lead and the agent how each ended; returns
    how many were settled here. Alone on the database, nothing pending but this process's own
    bookings is in flight; with other replicas up, one of theirs may be, unless it is older
    than ``PENDING_LEASE``."""
    others = await services.store.leases.others()
    settled = await services.booking.reconcile(PENDING_LEASE if others else timedelta(0))
    for appointment, completed in settled:
        lead = await services.store.leads.get(appointment.lead_id)
        agent = await services.agents.get(appointment.agent_id)
        if lead is None or agent is None:
            continue
        moved = (await services.store.appointments.get(appointment.replaces)
                 if appointment.replaces is not None else None)
        lead_msg, agent_msg = _settled(services, appointment, completed, moved, agent, lead)
        for chat_id, message in ((lead.chat_id, lead_msg), (agent.telegram_id, agent_msg)):
            try:
                await services.notifier.send(chat_id, message)
            except Exception:
                log.exception("could not tell chat about reconciled appointment %s",
                              appointment.id)
    return len(settled)


def schedule_tick(services: Services) -> None:
    """Every minute: settle bookings a replica that died left pending, time the reminders of
    meetings booked on another replica, and run the sweep when it is due (``sweep_once``)."""
    async def tick() -> None:
        work: tuple[tuple[str, Callable[[], Awaitable[object]]], ...] = (
            ("settling interrupted bookings", partial(settle_interrupted, services)),
            ("timing reminders", services.reminders.rebuild),
            ("the clean-up sweep", partial(sweep_once, services)))
        for name, run in work:
            try:
                await run()
            except Exception:
                log.exception("%s failed", name)
        schedule_tick(services)

    services.timers.at(services.clock.now() + TICK, "tick", tick)


async def sweep_once(services: Services) -> bool:
    """Every few minutes, on the one replica that claims it: delete what a failed undo or a late
    Zoom answer left behind, mark past meetings held, forget old update ids, events and
    leases. False when another replica (or this one) swept lately."""
    now = services.clock.now()
    if not await services.store.leases.claim("sweep", THIS_PROCESS, now, now + SWEEP_EVERY):
        return False
    try:
        await services.booking.sweep()
    except Exception:
        log.exception("clean-up sweep failed")
    try:
        await services.team.meetings.settle_held()
    except Exception:
        log.exception("marking meetings held failed")
    await prune_updates(services)
    if services.events is not None:
        await services.events.prune()
    await services.store.leases.prune(now)
    return True


async def prune_updates(services: Services) -> None:
    """Forget processed update ids older than ``KEEP_UPDATES``, so the table stays small."""
    try:
        forgotten = await services.store.updates.prune(services.clock.now() - KEEP_UPDATES)
    except Exception:
        log.exception("pruning processed updates failed")
        return
    if forgotten:
        log.info("forgot %d processed update ids older than %s", forgotten, KEEP_UPDATES)
