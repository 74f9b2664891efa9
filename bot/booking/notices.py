"""What the bot says about meetings: labels in the reader's zone, confirmations, agent notices,
reminders and the .ics invite. Plain text only (no Markdown), so names never break formatting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.booking.events import invite_uid_of
from bot.domain import Agent, Appointment, Lead, ReminderKind, clean_text
from bot.ports import Attachment, OutMessage

_PROMISES: dict[tuple[ReminderKind, ...], str] = {
    ("24h", "1h"): "I'll remind you a day and an hour before.",
    ("1h",): "I'll remind you an hour before.",
    ("10m",): "I'll remind you ten minutes before.",
}
_ICS_LINE = 300


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


def confirmation(appointment: Appointment, agent: Agent, lead: Lead, zone: ZoneInfo, *,
                 reminders: Sequence[ReminderKind], moved: bool = False) -> OutMessage:
    """The lead's confirmation, with the link, the reminders that will really be sent, and an
    .ics invite (for a move: an update of the one sent before)."""
    lead_in = "Your meeting is moved. " if moved else ""
    promise = _PROMISES.get(tuple(reminders))
    text = (f"{lead_in}You're booked with {agent.name} on "
            f"{time_label(appointment.start, zone)}.\n"
            + (f"Join link: {appointment.join_url}\n" if appointment.join_url else "")
            + (f"{promise} " if promise else "")
            + "Say \"reschedule\" or \"cancel\" if plans change.")
    return OutMessage(text, attachment=invite(appointment, agent, lead))


def invite(appointment: Appointment, agent: Agent, lead: Lead) -> Attachment:
    """The .ics file of a booked (or moved) meeting."""
    return Attachment("meeting.ics", ics(appointment, agent, lead), "text/calendar")


def cancellation_invite(appointment: Appointment, agent: Agent, lead: Lead) -> Attachment:
    """The .ics file that removes a cancelled meeting from the lead's calendar app."""
    return Attachment("meeting.ics", ics(appointment, agent, lead, cancel=True),
                      "text/calendar")


def booking_interrupted(appointment: Appointment, agent: Agent, lead: Lead,
                        zone: ZoneInfo) -> tuple[OutMessage, OutMessage]:
    """(to the lead, to the agent): a booking a crash interrupted was undone."""
    mine, theirs = slot_label(appointment.start, zone), slot_label(appointment.start,
                                                                    ZoneInfo(agent.timezone))
    return (OutMessage(f"Sorry, your booking for {mine} was interrupted and did not go "
                       "through. Say \"times\" to pick a new one."),
            OutMessage(f"A booking by {lead.name or 'a lead'} for {theirs} was interrupted and "
                       "undone; nothing is booked."))


def move_interrupted(appointment: Appointment, kept: Appointment, agent: Agent, lead: Lead,
                     zone: ZoneInfo) -> tuple[OutMessage, OutMessage]:
    """(to the lead, to the agent): a move a crash interrupted was undone; the meeting stays."""
    agent_zone = ZoneInfo(agent.timezone)
    return (OutMessage(f"Sorry, moving your meeting to {slot_label(appointment.start, zone)} "
                       f"was interrupted and did not go through. Your meeting on "
                       f"{time_label(kept.start, zone)} stays as it was.\n"
                       f"Join link: {kept.join_url}"),
            OutMessage(f"A move by {lead.name or 'a lead'} to "
                       f"{slot_label(appointment.start, agent_zone)} was interrupted and undone; "
                       f"the meeting on {time_label(kept.start, agent_zone)} stays."))


def _lead_line(lead: Lead) -> str:
    parts = [lead.name or "A lead"]
    parts.append(lead.phone_number or "no phone yet")
    if lead.email:
        parts.append(lead.email)
    return ", ".join(parts)


def agent_booked(appointment: Appointment, agent: Agent, lead: Lead,
                 answers: Sequence[tuple[str, str]] = ()) -> OutMessage:
    """Tells the agent about a new booking (with the lead's qualifying answers so far)."""
    zone = ZoneInfo(agent.timezone)
    about = f"\nAbout: {appointment.topic}" if appointment.topic else ""
    return OutMessage(f"New meeting: {time_label(appointment.start, zone)}\n"
                      f"Lead: {_lead_line(lead)}{about}\nLink: {appointment.join_url}"
                      + "".join(f"\n- {question} {answer}" for question, answer in answers))


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


def time_left(left: timedelta) -> str:
    """``in 45 minutes``, ``in an hour``, ``in 2 hours and 5 minutes``, ``in a day``."""
    minutes = max(1, round(left.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and not hours and not mins:
        return "in a day" if days == 1 else f"in {days} days"
    if days:
        return f"in {days * 24 + hours} hours"
    parts = []
    if hours:
        parts.append("an hour" if hours == 1 else f"{hours} hours")
    if mins:
        parts.append("a minute" if mins == 1 else f"{mins} minutes")
    return "in " + " and ".join(parts)


def reminder(appointment: Appointment, agent: Agent, zone: ZoneInfo,
             now: datetime) -> OutMessage:
    """A reminder to the lead, saying the time really left ("tomorrow" a day ahead)."""
    left = appointment.start - now
    tomorrow = (now.astimezone(zone).date() + timedelta(days=1)
                == appointment.start.astimezone(zone).date())
    when = "tomorrow" if tomorrow and left >= timedelta(hours=12) else time_left(left)
    link = f"\nJoin link: {appointment.join_url}" if appointment.join_url else ""
    return OutMessage(f"Reminder: your meeting with {agent.name} is {when}, "
                      f"{time_label(appointment.start, zone)}.{link}")


def _ics_text(value: str, limit: int = _ICS_LINE) -> str:
    """A TEXT value: one line, no control characters (a bare CR cannot start a property),
    RFC 5545 escapes."""
    return (clean_text(value, limit).replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,"))


def _ics_param(value: str) -> str:
    """A parameter value (CN=...): quoted, without the characters a quoted value may not hold."""
    return '"' + clean_text(value, _ICS_LINE).replace('"', "'") + '"'


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


def ics(appointment: Appointment, agent: Agent, lead: Lead, *, cancel: bool = False) -> bytes:
    """A one-event iCalendar file (RFC 5545) for the lead's calendar app.

    The UID is the meeting's for good (a move keeps it, with a higher SEQUENCE), so the app
    updates the event it has; a cancel is METHOD:CANCEL of that UID.
    """
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    changed = appointment.updated_at or appointment.created_at or appointment.start
    sequence = appointment.invite_sequence + (1 if cancel else 0)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//leadbot//booking//EN",
        f"METHOD:{'CANCEL' if cancel else 'PUBLISH'}",
        "BEGIN:VEVENT",
        f"UID:{_ics_text(invite_uid_of(appointment))}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{stamp(changed)}",
        f"DTSTART:{stamp(appointment.start)}",
        f"DTEND:{stamp(appointment.end)}",
        f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
        f"SUMMARY:{_ics_text(f'Meeting with {agent.name}')}",
    ]
    if "@" in agent.calendar_id:
        lines.append(f"ORGANIZER;CN={_ics_param(agent.name)}:"
                     f"mailto:{clean_text(agent.calendar_id, _ICS_LINE)}")
    if lead.email:
        lines.append(f"ATTENDEE;CN={_ics_param(lead.name or lead.email)}:"
                     f"mailto:{clean_text(lead.email, _ICS_LINE)}")
    if appointment.join_url and not cancel:
        lines.append(f"DESCRIPTION:{_ics_text(f'Join: {appointment.join_url}')}")
        lines.append(f"LOCATION:{_ics_text(appointment.join_url)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_ics_fold(line) for line in lines) + "\r\n").encode()
