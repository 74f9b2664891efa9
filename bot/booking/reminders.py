"""Reminders, timed from the database at start-up and every minute after, never sent twice.

Which ones a meeting gets depends on how far ahead it was booked (``plan``): a day and an hour
before; an hour before when booked less than a day ahead; ten minutes before when booked less
than an hour ahead. The confirmation promises exactly these, and each text says the time left
when it is sent (a reminder sent late after a restart says "in 45 minutes", not "in an hour").

Each replica on a shared database times every booked meeting, wherever it was booked (the
periodic ``rebuild`` picks up meetings booked elsewhere); sending claims the reminder in the
database first, so whichever replica's timer fires first sends it and the others skip.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.booking.notices import reminder
from bot.clock import Clock, zone
from bot.domain import Appointment, AppointmentStatus, LeadStatus, ReminderKind
from bot.i18n import speaking
from bot.observability.metrics import Metrics
from bot.ports import Notifier, Repositories

log = logging.getLogger(__name__)
BEFORE: dict[ReminderKind, timedelta] = {"24h": timedelta(hours=24), "1h": timedelta(hours=1),
                                         "10m": timedelta(minutes=10)}
"""How long before the meeting each reminder is due."""
LATE_GRACE = timedelta(minutes=30)
"""A reminder missed while the bot was down is still sent when at most this late."""


class Timers(Protocol):
    """Runs a callback at an instant (PTB's JobQueue in production)."""

    def at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` at ``when``; a timer of the same name is replaced."""
        ...

    def cancel(self, name: str) -> None:
        """Drop the timer of this name, if any."""
        ...


class AsyncioTimers:
    """Timers on the running event loop (the console chat and tests)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        self.cancel(name)
        delay = max(0.0, (when - self._clock.now()).total_seconds())

        def fire() -> None:
            self._handles.pop(name, None)
            task = asyncio.ensure_future(callback())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._handles[name] = asyncio.get_running_loop().call_later(delay, fire)

    def cancel(self, name: str) -> None:
        handle = self._handles.pop(name, None)
        if handle is not None:
            handle.cancel()

    def names(self) -> list[str]:
        return sorted(self._handles)

    def close(self) -> None:
        for name in list(self._handles):
            self.cancel(name)


class ReminderService:
    """Schedules, sends and forgets reminders."""

    def __init__(self, store: Repositories, notifier: Notifier, timers: Timers, clock: Clock,
                 metrics: Metrics, default_timezone: str = "UTC") -> None:
        self._store = store
        self._notifier = notifier
        self._timers = timers
        self._clock = clock
        self._metrics = metrics
        self._default_tz = default_timezone
        self._timed: set[int] = set()
        """Booked meetings whose timers are set (a meeting's time never changes: a move books a
        new appointment), so a rebuild only adds what was booked elsewhere."""

    def plan(self, appointment: Appointment) -> tuple[ReminderKind, ...]:
        """The reminders this meeting gets, fixed by how far ahead it was booked."""
        return plan(appointment, self._clock.now())

    def schedule(self, appointment: Appointment) -> None:
        """Set the timers of a booked appointment (past reminder times are skipped)."""
        now = self._clock.now()
        self._timed.add(appointment.id)
        for kind in self.plan(appointment):
            due = appointment.start - BEFORE[kind]
            if due > now:
                self._timers.at(due, _name(appointment.id, kind), self._sender(appointment.id,
                                                                                kind))

    def forget(self, appointment_id: int) -> None:
        """Drop an appointment's timers (cancelled or moved)."""
        self._timed.discard(appointment_id)
        for kind in BEFORE:
            self._timers.cancel(_name(appointment_id, kind))

    async def rebuild(self) -> int:
        """Time the reminders of booked future meetings not timed here yet, sending those missed
        by a short time; returns how many meetings were newly timed."""
        now = self._clock.now()
        booked = await self._store.appointments.booked_after(now)
        for gone in self._timed - {a.id for a in booked}:
            self.forget(gone)  # cancelled or moved on another replica, or begun
        count = 0
        for appointment in booked:
            if appointment.id in self._timed:
                continue
            self.schedule(appointment)
            for kind in self.plan(appointment):
                due = appointment.start - BEFORE[kind]
                if due <= now < due + LATE_GRACE:
                    await self.send(appointment.id, kind)
            count += 1
        return count

    def _sender(self, appointment_id: int, kind: ReminderKind) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.send(appointment_id, kind)
        return run

    async def send(self, appointment_id: int, kind: ReminderKind) -> bool:
        """Send one reminder unless it was sent already or the meeting is no longer booked."""
        appointment = await self._store.appointments.get(appointment_id)
        if appointment is None or appointment.status is not AppointmentStatus.BOOKED:
            return False
        if not await self._store.appointments.reminder_sent(appointment_id, kind):
            return False
        lead = await self._store.leads.get(appointment.lead_id)
        agent = await self._store.agents.get(appointment.agent_id)
        if lead is None or agent is None or lead.status is LeadStatus.OPTED_OUT:
            return False
        with speaking(lead.language):
            message = reminder(appointment, agent, zone(lead.timezone, agent.timezone),
                               self._clock.now())
        try:
            await self._notifier.send(lead.chat_id, message)
        except Exception:
            self._metrics.incr("errors.reminder")
            log.exception("reminder %s for appointment %s could not be sent", kind,
                          appointment_id)
            return False
        self._metrics.incr("reminders.sent")
        return True


def plan(appointment: Appointment, now: datetime) -> tuple[ReminderKind, ...]:
    """A day and an hour before; an hour before when booked less than a day ahead; ten minutes
    before when booked less than an hour ahead (none when even that has passed at booking).

    Measured from when it was booked (``created_at``), so a restart plans the same reminders.
    """
    ahead = appointment.start - (appointment.created_at or now)
    if ahead > BEFORE["24h"]:
        return ("24h", "1h")
    if ahead > BEFORE["1h"]:
        return ("1h",)
    if ahead > BEFORE["10m"]:
        return ("10m",)
    return ()


def _name(appointment_id: int, kind: ReminderKind) -> str:
    return f"reminder:{appointment_id}:{kind}"
