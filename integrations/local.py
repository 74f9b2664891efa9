"""Embedded providers used when a credential is absent: the bot's own calendar and links."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from bot.domain import AppointmentStatus, EventRequest, Interval, Meeting
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
