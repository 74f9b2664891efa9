"""What the bot says about meetings: labels in the reader's zone, confirmations, agent notices,
reminders and the .ics invite. Plain text only (no Markdown), so names never break formatting.

A lead's texts are said in the lead's language and an agent's in the agent's (``bot.i18n``):
each function that knows its reader speaks their language itself, so a notice built during a
lead's turn still reaches the agent in the agent's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.booking.events import invite_uid_of
from bot.domain import Agent, Appointment, Lead, ReminderKind, clean_text
from bot.i18n import N_, _, ngettext, speaking
from bot.i18n import dates as local
from bot.ports import Attachment, OutMessage

_PROMISES: dict[tuple[ReminderKind, ...], str] = {
    ("24h", "1h"): N_("I'll remind you a day and an hour before."),
    ("1h",): N_("I'll remind you an hour before."),
    ("10m",): N_("I'll remind you ten minutes before."),
}
_ICS_LINE = 300


def zone_label(zone: ZoneInfo) -> str:
    """A zone's everyday name: America/New_York -> New York (Nueva York in Spanish)."""
    return local.zone_name(zone)


def slot_label(start: datetime, zone: ZoneInfo) -> str:
    """``Tue 2 Dec, 15:00 (New York)``."""
    return f"{local.slot(start, zone)} ({zone_label(zone)})"


def time_label(start: datetime, zone: ZoneInfo) -> str:
    """``Tue 2 Dec 2026, 15:00-15:30 New York`` style for confirmations."""
    return f"{local.full(start, zone)} ({zone_label(zone)})"


def confirmation(appointment: Appointment, agent: Agent, lead: Lead, zone: ZoneInfo, *,
                 reminders: Sequence[ReminderKind], moved: bool = False) -> OutMessage:
    """The lead's confirmation, with the link, the reminders that will really be sent, and an
    .ics invite (for a move: an update of the one sent before)."""
    with speaking(lead.language):
        lead_in = _("Your meeting is moved. ") if moved else ""
        promise = _PROMISES.get(tuple(reminders))
        text = (lead_in + _("You're booked with {agent} on {time}.", agent=agent.name,
                            time=time_label(appointment.start, zone)) + "\n"
                + (_join_line(appointment.join_url) + "\n" if appointment.join_url else "")
                + (f"{_(promise)} " if promise else "")
                + _("Say \"reschedule\" or \"cancel\" if plans change."))
        return OutMessage(text, attachment=invite(appointment, agent, lead))


def _join_line(url: str | None) -> str:
    return _("Join link: {url}", url=url)


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
    with speaking(lead.language):
        mine = OutMessage(_("Sorry, your booking for {time} was interrupted and did not go "
                            "through. Say \"times\" to pick a new one.",
                            time=slot_label(appointment.start, zone)))
    with speaking(agent.language):
        theirs = OutMessage(_("A booking by {lead} for {time} was interrupted and undone; "
                              "nothing is booked.", lead=lead.name or _("a lead"),
                              time=slot_label(appointment.start, ZoneInfo(agent.timezone))))
    return mine, theirs


def move_interrupted(appointment: Appointment, kept: Appointment, agent: Agent, lead: Lead,
                     zone: ZoneInfo) -> tuple[OutMessage, OutMessage]:
    """(to the lead, to the agent): a move a crash interrupted was undone; the meeting stays."""
    agent_zone = ZoneInfo(agent.timezone)
    with speaking(lead.language):
        mine = OutMessage(_("Sorry, moving your meeting to {new} was interrupted and did not go "
                            "through. Your meeting on {old} stays as it was.",
                            new=slot_label(appointment.start, zone),
                            old=time_label(kept.start, zone)) + "\n"
                          + _join_line(kept.join_url))
    with speaking(agent.language):
        theirs = OutMessage(_("A move by {lead} to {new} was interrupted and undone; the "
                              "meeting on {old} stays.", lead=lead.name or _("a lead"),
                              new=slot_label(appointment.start, agent_zone),
                              old=time_label(kept.start, agent_zone)))
    return mine, theirs


def _lead_line(lead: Lead) -> str:
    parts = [lead.name or _("A lead")]
    parts.append(lead.phone_number or _("no phone yet"))
    if lead.email:
        parts.append(lead.email)
    return ", ".join(parts)


def agent_booked(appointment: Appointment, agent: Agent, lead: Lead,
                 answers: Sequence[tuple[str, str]] = ()) -> OutMessage:
    """Tells the agent about a new booking (with the lead's qualifying answers so far)."""
    with speaking(agent.language):
        zone = ZoneInfo(agent.timezone)
        about = "\n" + _("About: {topic}", topic=appointment.topic) if appointment.topic else ""
        return OutMessage(_("New meeting: {time}", time=time_label(appointment.start, zone))
                          + "\n" + _lead(lead) + about + "\n" + _link(appointment.join_url)
                          + "".join(f"\n- {question} {answer}" for question, answer in answers))


def _lead(lead: Lead) -> str:
    return _("Lead: {lead}", lead=_lead_line(lead))


def _link(url: str | None) -> str:
    return _("Link: {url}", url=url)


def agent_cancelled(appointment: Appointment, agent: Agent, lead: Lead) -> OutMessage:
    """Tells the agent a meeting was cancelled."""
    with speaking(agent.language):
        zone = ZoneInfo(agent.timezone)
        return OutMessage(_("Cancelled: {time}", time=time_label(appointment.start, zone))
                          + "\n" + _lead(lead))


def agent_rescheduled(old: Appointment, new: Appointment, agent: Agent,
                      lead: Lead) -> OutMessage:
    """Tells the agent a meeting moved."""
    with speaking(agent.language):
        zone = ZoneInfo(agent.timezone)
        return OutMessage(_("Moved: {time}", time=time_label(old.start, zone))
                          + f"\n  -> {time_label(new.start, zone)}\n"
                          + _lead(lead) + "\n" + _link(new.join_url))


def agent_details(agent: Agent, lead: Lead, appointment: Appointment) -> OutMessage:
    """Tells the agent a booked lead added details."""
    with speaking(agent.language):
        zone = ZoneInfo(agent.timezone)
        about = "\n" + _("About: {topic}", topic=lead.notes) if lead.notes else ""
        return OutMessage(_("Update for {time}", time=time_label(appointment.start, zone))
                          + "\n" + _lead(lead) + about)


def time_left(left: timedelta) -> str:
    """``in 45 minutes``, ``in an hour``, ``in 2 hours and 5 minutes``, ``in a day``."""
    minutes = max(1, round(left.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and not hours and not mins:
        return ngettext("in a day", "in {n} days", days)
    if days:
        return ngettext("in {n} hour", "in {n} hours", days * 24 + hours)
    if hours and mins:
        return _("in {hours} and {minutes}", hours=_hours(hours), minutes=_minutes(mins))
    return _("in {span}", span=_hours(hours) if hours else _minutes(mins))


def _hours(n: int) -> str:
    return ngettext("an hour", "{n} hours", n)


def _minutes(n: int) -> str:
    return ngettext("a minute", "{n} minutes", n)


def reminder(appointment: Appointment, agent: Agent, zone: ZoneInfo,
             now: datetime) -> OutMessage:
    """A reminder to the lead, saying the time really left ("tomorrow" a day ahead)."""
    left = appointment.start - now
    tomorrow = (now.astimezone(zone).date() + timedelta(days=1)
                == appointment.start.astimezone(zone).date())
    when = _("tomorrow") if tomorrow and left >= timedelta(hours=12) else time_left(left)
    link = "\n" + _join_line(appointment.join_url) if appointment.join_url else ""
    return OutMessage(_("Reminder: your meeting with {agent} is {when}, {time}.",
                        agent=agent.name, when=when,
                        time=time_label(appointment.start, zone)) + link)


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
    """A one-event iCalendar file (RFC 5545) for the lead's calendar app, in their language.

    The UID is the meeting's for good (a move keeps it, with a higher SEQUENCE), so the app
    updates the event it has; a cancel is METHOD:CANCEL of that UID.
    """
    with speaking(lead.language):
        return _ics(appointment, agent, lead, cancel=cancel)


def _ics(appointment: Appointment, agent: Agent, lead: Lead, *, cancel: bool) -> bytes:
    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    changed = appointment.updated_at or appointment.created_at or appointment.start
    summary = _("Meeting with {agent}", agent=agent.name)
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
        f"SUMMARY:{_ics_text(summary)}",
    ]
    if "@" in agent.calendar_id:
        lines.append(f"ORGANIZER;CN={_ics_param(agent.name)}:"
                     f"mailto:{clean_text(agent.calendar_id, _ICS_LINE)}")
    if lead.email:
        lines.append(f"ATTENDEE;CN={_ics_param(lead.name or lead.email)}:"
                     f"mailto:{clean_text(lead.email, _ICS_LINE)}")
    if appointment.join_url and not cancel:
        description = _("Join: {url}", url=appointment.join_url)
        lines.append(f"DESCRIPTION:{_ics_text(description)}")
        lines.append(f"LOCATION:{_ics_text(appointment.join_url)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_ics_fold(line) for line in lines) + "\r\n").encode()
