"""What a booking asks of the calendar and the meeting provider: our own event id (which is
also the meeting's key and the root of the lead's invite UID), and the event itself."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

from bot.domain import Agent, Appointment, EventRequest, Lead, Meeting, Move, clean_text
from bot.i18n import _, speaking

_LINE = 300


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


def invite_uid_of(appointment: Appointment) -> str:
    """The UID the lead's calendar app knows the meeting by: unique across databases (salted
    like the event id) and kept by every move of the meeting."""
    return appointment.invite_uid or f"{event_id_of(appointment)}@leadbot"


def move_of(appointment: Appointment) -> Move:
    """What a hold moving ``appointment`` records: it, and the invite's UID and next SEQUENCE."""
    return Move(appointment.id, invite_uid_of(appointment), appointment.invite_sequence + 1)


def meeting_of(appointment: Appointment) -> Meeting | None:
    """The video meeting recorded on an appointment, if one was created."""
    if not appointment.meeting_id:
        return None
    return Meeting(appointment.meeting_id, appointment.join_url or "")


def event_request(appointment: Appointment, agent: Agent, lead: Lead, meeting: Meeting | None,
                  *, invite: bool, answers: Sequence[tuple[str, str]] = ()) -> EventRequest:
    """The agent's calendar event: who, how to reach them, the link, the qualifying
    ``answers``; the lead invited only when ``invite`` (domain-wide delegation is configured).
    In the agent's language."""
    with speaking(agent.language):
        return _event_request(appointment, agent, lead, meeting, invite=invite, answers=answers)


def _event_request(appointment: Appointment, agent: Agent, lead: Lead, meeting: Meeting | None,
                   *, invite: bool, answers: Sequence[tuple[str, str]]) -> EventRequest:
    name = clean_text(lead.name or "", _LINE) or None
    lines = [_("Lead: {lead}", lead=name or _("unknown")),
             _("Phone: {phone}", phone=lead.phone_number or _("not given yet"))]
    if lead.email:
        lines.append(_("Email: {email}", email=lead.email))
    topic = clean_text(lead.notes or appointment.topic or "", _LINE * 2)
    if topic:
        lines.append(_("About: {topic}", topic=topic))
    link = meeting.join_url if meeting is not None else appointment.join_url
    if link:
        lines.append(_("Join: {url}", url=link))
    lines += [clean_text(f"{question} {answer}", _LINE) for question, answer in answers]
    attendees = (lead.email,) if invite and lead.email else ()
    summary = _("Call with {lead}", lead=name or _("a lead"))
    return EventRequest(
        event_id=event_id_of(appointment), calendar_id=agent.calendar_id,
        summary=summary, description="\n".join(lines),
        location=link or "", start=appointment.start, end=appointment.end,
        timezone=agent.timezone, attendee_emails=attendees)
