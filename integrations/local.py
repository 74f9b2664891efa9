"""Embedded providers used when a credential is absent: the bot's own calendar and links.

With Google configured, ``SplitCalendar`` still keeps console-only agents in the bot's own
calendar.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from bot.domain import AppointmentStatus, EventRequest, Interval, Meeting
from bot.errors import CalendarsUnreadable
from bot.ports import CalendarProvider
from storage.agents import AgentRepository
from storage.appointments import AppointmentRepository


class LocalCalendar:
    """A calendar kept in SQLite: an agent's busy time is their active appointments."""

    def __init__(self, agents: AgentRepository, appointments: AppointmentRepository) -> None:
        self._agents = agents
        self._appointments = appointments

    async def busy(self, calendar_ids: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[Interval]]:
        """Booked appointments of the agents owning these calendars, per calendar id.

        Pending holds are left out: the slot engine adds them itself, and a booking's re-check
        must not see its own hold.
        """
        agents = [a for a in await self._agents.list() if a.calendar_id in set(calendar_ids)]
        result: dict[str, list[Interval]] = {cal: [] for cal in calendar_ids}
        by_id = {a.id: a.calendar_id for a in agents}
        for appointment in await self._appointments.active_between(list(by_id), start, end):
            if appointment.status is not AppointmentStatus.BOOKED:
                continue
            result[by_id[appointment.agent_id]].append(appointment.interval)
        return result

    async def create_event(self, event: EventRequest) -> str:
        """The appointment row is the event; nothing else to write."""
        return event.event_id

    async def update_event(self, event: EventRequest) -> None:
        """The lead's details live on the lead: nothing to update."""

    async def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Nothing to delete: cancelling the appointment frees the time."""


class SplitCalendar:
    """Google (or another remote calendar) for real agents, the bot's own database for the
    console-only ones: the console's demo agent (``demo@local``) is never asked of Google."""

    def __init__(self, remote: CalendarProvider, local: LocalCalendar,
                 agents: AgentRepository) -> None:
        self._remote = remote
        self._local = local
        self._agents = agents

    async def _console_calendars(self) -> set[str]:
        return {a.calendar_id for a in await self._agents.list() if a.console_only}

    async def busy(self, calendar_ids: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[Interval]]:
        """The local calendars' busy time and the remote ones', one remote request for all."""
        console = await self._console_calendars()
        local = [c for c in calendar_ids if c in console]
        remote = [c for c in calendar_ids if c not in console]
        found = await self._local.busy(local, start, end) if local else {}
        if not remote:
            return found
        try:
            return found | await self._remote.busy(remote, start, end)
        except CalendarsUnreadable as err:
            raise CalendarsUnreadable(err.service, err.failed, found | err.answered) from err

    async def create_event(self, event: EventRequest) -> str:
        """Create the event where the agent's calendar lives."""
        if event.calendar_id in await self._console_calendars():
            return await self._local.create_event(event)
        return await self._remote.create_event(event)

    async def update_event(self, event: EventRequest) -> None:
        """Update the event where the agent's calendar lives."""
        if event.calendar_id in await self._console_calendars():
            await self._local.update_event(event)
        else:
            await self._remote.update_event(event)

    async def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Delete the event where the agent's calendar lives."""
        if calendar_id in await self._console_calendars():
            await self._local.delete_event(calendar_id, event_id)
        else:
            await self._remote.delete_event(calendar_id, event_id)


class TemplateMeetings:
    """Meeting links from ``MEETING_URL_TEMPLATE`` with an unguessable room name; no API."""

    def __init__(self, template: str) -> None:
        self._template = template

    async def create(self, *, topic: str, start: datetime, duration_minutes: int,
                     timezone: str, key: str = "") -> Meeting:
        """A fresh room: 128 random bits, so nobody can guess another lead's link."""
        room = f"leadbot-{secrets.token_urlsafe(16)}"
        return Meeting(id=room, join_url=self._template.format(room=room))

    async def delete(self, meeting_id: str) -> None:
        """A template room has no server-side state to delete."""

    async def find(self, key: str) -> Meeting | None:
        """Nothing is created remotely, so nothing can be left behind."""
        return None
