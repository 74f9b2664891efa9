"""What a booking asks of the calendar and the meeting provider: our own event id (which is
also the meeting's key), and the event itself."""

from __future__ import annotations

import base64
import hashlib

from bot.domain import Agent, Appointment, EventRequest, Lead, Meeting


def event_id_for(appointment_id: int, salt: str = "") -> str:
    """A stable, valid Calendar event id (base32hex: a-v, 0-9) for one appointment.

    ``salt`` (the appointment's creation time) keeps a new database whose ids restart at 1 from
    reusing the id of an old, deleted event: Google would answer 409 and keep it deleted.
    """
    digest = hashlib.sha256(f"appointment:{salt}:{appointment_id}".encode()).digest()
    return "lb" + base64.b32hexencode(digest[:20]).decode().rstrip("=").lower()


def event_id_of(appointment: Appointment) -> str:
    """The event id (and meeting key) of an appointment, salted with its creation time."""
    created = appointment.created_at.isoformat() if appointment.created_at else ""
    return event_id_for(appointment.id, created)


def meeting_of(appointment: Appointment) -> Meeting | None:
    """The video meeting recorded on an appointment, if one was created."""
    if not appointment.meeting_id:
        return None
    return Meeting(appointment.meeting_id, appointment.join_url or "")


def event_request(appointment: Appointment, agent: Agent, lead: Lead, meeting: Meeting, *,
                  invite: bool) -> EventRequest:
    """The agent's calendar event: who, how to reach them, the link; the lead invited only
    when ``invite`` (domain-wide delegation is configured)."""
    lines = [f"Lead: {lead.name or 'unknown'}",
             f"Phone: {lead.phone_number or 'not given yet'}"]
    if lead.email:
        lines.append(f"Email: {lead.email}")
    if appointment.topic:
        lines.append(f"About: {appointment.topic}")
    lines.append(f"Join: {meeting.join_url}")
    attendees = (lead.email,) if invite and lead.email else ()
    return EventRequest(
        event_id=event_id_of(appointment), calendar_id=agent.calendar_id,
        summary=f"Call with {lead.name or 'a lead'}", description="\n".join(lines),
        location=meeting.join_url, start=appointment.start, end=appointment.end,
        timezone=agent.timezone, attendee_emails=attendees)
