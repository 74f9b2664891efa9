"""Undoing what a booking made, and the debt left when an undo fails.

A failed undo marks the appointment ``CLEANUP``; the sweep (``reconcile.py``) pays it later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from bot.booking.events import event_id_of
from bot.domain import CLEANUP, Agent, Appointment, Meeting
from bot.errors import BotError
from bot.observability.metrics import Metrics
from bot.ports import AppointmentStore, CalendarProvider, MeetingProvider

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["CLEANUP", "LATE_CREATE", "Compensation", "timed"]
LATE_CREATE = timedelta(minutes=5)
"""How long a video meeting whose create timed out may take to appear (then we stop looking)."""


async def timed(metrics: Metrics, name: str, step: Awaitable[T]) -> T:
    """Await one external step, timed into ``name`` (also when it fails)."""
    with metrics.timer(name):
        return await step


class Compensation:
    """Deletes a booking's meeting and event; records what could not be deleted."""

    def __init__(self, appointments: AppointmentStore, calendar: CalendarProvider,
                 meetings: MeetingProvider, metrics: Metrics) -> None:
        self._appointments = appointments
        self._calendar = calendar
        self._meetings = meetings
        self._metrics = metrics

    async def undo(self, appointment: Appointment, agent: Agent, meeting: Meeting | None, *,
                   event: bool) -> bool:
        """Delete what a booking created, in parallel; True when everything is gone."""
        steps: list[Awaitable[None]] = []
        if meeting is not None:
            steps.append(timed(self._metrics, "zoom.delete", self._meetings.delete(meeting.id)))
        if event:
            steps.append(timed(self._metrics, "calendar.delete", self._calendar.delete_event(
                agent.calendar_id, event_id_of(appointment))))
        results = await asyncio.gather(*steps, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        for err in errors:
            self._metrics.incr("errors.integration")
            log.warning("undo of appointment %s left something behind: %s", appointment.id, err)
        return not errors

    async def owe(self, appointment: Appointment, clean: bool) -> None:
        """An undo that left something behind is retried by the sweep."""
        if not clean:
            await self._appointments.note_failure(appointment.id, CLEANUP)

    async def look_for_meeting(self, appointment: Appointment) -> tuple[bool, Meeting | None]:
        """(whether the provider could be asked, the meeting made with this appointment's key)."""
        try:
            return True, await self._meetings.find(event_id_of(appointment))
        except BotError as err:
            log.warning("could not look for the meeting of appointment %s: %s",
                        appointment.id, err)
            return False, None
