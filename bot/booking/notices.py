"""What the bot says about meetings: labels in the reader's zone, confirmations, agent notices,
reminders and the .ics invite. Plain text only (no Markdown), so names never break formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain import Agent, Appointment, Lead, ReminderKind
from bot.ports import Attachment, OutMessage


def zone_label(zone: ZoneInfo) -> str:
    """A zone's everyday name: America/New_York -> New York."""
    key = zone.key
    return key.rsplit("/", 1)[-1].replace("_", " ") if "/" in key else key


def slot_label(start: datetime, zone: ZoneInfo) -> str:
    """``Tue 2 Dec, 15:00 (New York)``."""
    local = start.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({zone_label(zone)})"


def time_label(start: datetime, zone: ZoneInfo) -> str:
    """``Tue 2 Dec 2026, 15:00-15:30 New York`` style for confirmations."""
    local = start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B} {local.year}, {local:%H:%M} ({zone_label(zone)})"


def confirmation(appointment: Appointment, agent: Agent, lead: Lead,
                 zone: ZoneInfo) -> OutMessage:
    """The lead's confirmation, with the link and an .ics invite."""
    text = (f"You're booked with {agent.name} on {time_label(appointment.start, zone)}.\n"
            f"Join link: {appointment.join_url}\n"
            "I'll remind you a day and an hour before. Say \"reschedule\" or \"cancel\" "
            "if plans change.")
    return OutMessage(text, attachment=Attachment("meeting.ics", ics(appointment, agent, lead),
                                                  "text/calendar"))


def _lead_line(lead: Lead) -> str:
    parts = [lead.name or "A lead"]
    parts.append(lead.phone_number or "no phone yet")
    if lead.email:
        parts.append(lead.email)
    return ", ".join(parts)


def agent_booked(appointment: Appointment, agent: Agent, lead: Lead) -> OutMessage:
    """Tells the agent about a new booking."""
    zone = ZoneInfo(agent.timezone)
    about = f"\nAbout: {appointment.topic}" if appointment.topic else ""
    return OutMessage(f"New meeting: {time_label(appointment.start, zone)}\n"
                      f"Lead: {_lead_line(lead)}{about}\nLink: {appointment.join_url}")


def agent_cancelled(appointment: Appointment, agent: Agent, lead: Lead) -> OutMessage:
    """Tells the agent a meeting was cancelled."""
    zone = ZoneInfo(agent.timezone)
    return OutMessage(f"Cancelled: {time_label(appointment.start, zone)}\n"
                      f"Lead: {_lead_line(lead)}")


def agent_rescheduled(old: Appointment, new: Appointment, agent: Agent,
                      lead: Lead) -> OutMessage:
    """Tells the agent a meeting moved."""
    zone = ZoneInfo(agent.timezone)
    return OutMessage(f"Moved: {time_label(old.start, zone)}\n"
                      f"  -> {time_label(new.start, zone)}\n"
                      f"Lead: {_lead_line(lead)}\nLink: {new.join_url}")


def agent_details(agent: Agent, lead: Lead, appointment: Appointment) -> OutMessage:
    """Tells the agent a booked lead added details."""
    zone = ZoneInfo(agent.timezone)
    about = f"\nAbout: {lead.notes}" if lead.notes else ""
    return OutMessage(f"Update for {time_label(appointment.start, zone)}\n"
                      f"Lead: {_lead_line(lead)}{about}")


def reminder(appointment: Appointment, agent: Agent, zone: ZoneInfo,
             kind: ReminderKind) -> OutMessage:
    """A reminder to the lead, a day or an hour before."""
    when = "tomorrow" if kind == "24h" else "in an hour"
    return OutMessage(f"Reminder: your meeting with {agent.name} is {when}, "
                      f"{time_label(appointment.start, zone)}.\n"
                      f"Join link: {appointment.join_url}")


def _ics_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545 folds lines longer than 75 octets."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    chunk = b""
    for char in line:
        encoded = char.encode()
        if len(chunk) + len(encoded) > (75 if not parts else 74):
            parts.append(chunk.decode())
            chunk = b""
        chunk += encoded
    parts.append(chunk.decode())
    return "\r\n ".join(parts)


def ics(appointment: Appointment, agent: Agent, lead: Lead) -> bytes:
    """A one-event iCalendar file (RFC 5545) for the lead's calendar app."""
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    created = appointment.created_at or appointment.start
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//leadbot//booking//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.id}@leadbot",
        f"DTSTAMP:{stamp(created)}",
        f"DTSTART:{stamp(appointment.start)}",
        f"DTEND:{stamp(appointment.end)}",
        f"SUMMARY:{_ics_text(f'Meeting with {agent.name}')}",
        f"DESCRIPTION:{_ics_text(f'Join: {appointment.join_url}')}",
        f"LOCATION:{_ics_text(appointment.join_url or '')}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(_ics_fold(line) for line in lines) + "\r\n").encode()
