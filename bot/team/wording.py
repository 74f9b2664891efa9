"""Every text an agent (or an admin) reads from the team's controls, in one place.

Plain text, no Markdown. Lead names are quoted as the lead gave them, cleaned to one line.
``LEAD_TAG`` names a lead in a way the bot reads back from a reply; keep it as it is in every
language.
"""

from __future__ import annotations

import re
from datetime import date

from bot.domain import Lead, LeadStatus, clean_text

LEAD_TAG = "#lead{id}"
TAG = re.compile(r"#lead(\d{1,12})\b")
_NAME = 60

# Button labels: the words "Take over", "No-show", "Cancel", "Move" and "Hand back" are a
# contract (other tools find the buttons by them).
TAKE_OVER_LABEL = "🙋 Take over"
NO_SHOW_LABEL = "🚫 No-show"
CANCEL_LABEL = "✖️ Cancel"
MOVE_LABEL = "🔁 Move"
HAND_BACK_LABEL = "🤖 Hand back"
CONFIRM_CANCEL_LABEL = "Yes, cancel it"
KEEP_LABEL = "No, keep it"

STATUS_NAMES: dict[LeadStatus, str] = {
    LeadStatus.NEW: "New", LeadStatus.ENGAGED: "Engaged", LeadStatus.QUALIFIED: "Qualified",
    LeadStatus.BOOKED: "Booked", LeadStatus.HELD: "Held", LeadStatus.NO_SHOW: "No-show",
    LeadStatus.CANCELLED: "Cancelled", LeadStatus.LOST: "Lost",
    LeadStatus.OPTED_OUT: "Opted out",
}

NOT_FOR_YOU = "Sorry, that command is not available."
"""A lead (or anyone not on the team) tries an agent command: nothing else is said."""
STALE = "That button is out of date: nothing was changed."
NOT_YOURS = "That lead is not one of yours: nothing was changed."
NO_SUCH_LEAD = "There is no lead with that number among yours."
NO_SUCH_MEETING = "There is no meeting with that number among yours."
NOT_BOOKED = "That meeting is no longer booked: nothing was changed."
TOO_EARLY = "That meeting has not started yet: a no-show can be marked from its start on."
NEEDS_AGENT = "Only an agent can take a lead over."
NOT_TAKING_OVER = "You are not talking to any lead directly."
KEPT = "Kept: the meeting stays as it is."
NO_LEADS = "You have no leads yet."
AWAY_OFF = "You are no longer away: your times are offered again."
TAKEOVER_USAGE = "Usage: /takeover LEAD_ID (the number /leads shows)."
LEAD_USAGE = "Usage: /lead LEAD_ID (the number /leads shows)."
NOSHOW_USAGE = "Usage: /noshow APPOINTMENT_ID (the number /lead shows for the meeting)."
HOURS_USAGE = "Usage: /hours mon-fri 09:00-17:00 (several entries joined by ;)."
AWAY_USAGE = ("Usage: /away 2026-12-24 2027-01-02 (first and last day off, in your zone), "
              "or /away off.")
HANDBACK_USAGE = "You are talking to several leads: /handback LEAD_ID says which one to hand back."


def who(lead: Lead) -> str:
    """The lead as an agent sees them: name and tag, ``Jane Doe (#lead12)``."""
    name = clean_text(lead.name or "", _NAME) or "A lead"
    return f"{name} ({tag(lead.id)})"


def tag(lead_id: int) -> str:
    """``#lead12``: the lead's number, read back from a reply."""
    return LEAD_TAG.format(id=lead_id)


def relayed(lead: Lead, text: str) -> str:
    """A lead's message relayed to the agent who took them over."""
    return f"💬 {who(lead)}:\n{text}" if text else f"💬 {who(lead)}"


def relayed_kind(kind: str) -> str:
    """What a relayed message without words was: ``(a sticker)``."""
    return f"(sent a {kind})"


def taken_over(lead: Lead) -> str:
    return (f"You are now talking to {who(lead)} directly; the bot is muted for them. "
            "Whatever you write here goes to them as it is (text, photos, documents). "
            "Tap Hand back, or send /handback, to let the bot answer again.")


def already_taken(lead: Lead, agent_name: str) -> str:
    return f"{who(lead)} is already taken over by {clean_text(agent_name, _NAME)}."


def already_yours(lead: Lead) -> str:
    return f"You are already talking to {who(lead)} directly."


def handed_back(lead: Lead) -> str:
    return f"Handed back: the bot answers {who(lead)} again, with your messages in its history."


def several(count: int) -> str:
    return (f"You are talking to {count} leads directly: reply to one of their messages so I "
            "know whom it is for.")


def sent_to(lead: Lead) -> str:
    return f"Sent to {who(lead)}."


def not_delivered(lead: Lead) -> str:
    return f"Could not deliver that to {who(lead)} (they may have blocked the bot)."


def no_show_marked(lead: Lead, when: str) -> str:
    return f"Marked a no-show: {who(lead)}, {when}. They were offered new times."


def cancel_question(lead: Lead, when: str) -> str:
    return (f"Cancel the meeting with {who(lead)} on {when}? The video meeting and the calendar "
            "event are deleted and the lead is offered new times.")


def cancelled(lead: Lead, when: str) -> str:
    return f"Cancelled: {who(lead)}, {when}. They were offered new times."


def move_asked(lead: Lead, when: str) -> str:
    return (f"Asked {who(lead)} to pick a new time; the meeting on {when} stays until they "
            "book one.")


def hours_set(hours: str) -> str:
    return f"Your working hours are now: {hours}. Leads are offered times within them."


def hours_error(problem: str) -> str:
    return f"Those hours could not be read: {problem}. {HOURS_USAGE}"


def away_set(first: date, last: date) -> str:
    return (f"You are away from {first:%a %d %b %Y} to {last:%a %d %b %Y} (your zone): no "
            "times are offered then. /away off ends it.")


def away_error(problem: str) -> str:
    return f"{problem}. {AWAY_USAGE}"


MEETINGS_HEADING = "Meetings:"
QUALIFICATION_HEADING = "Qualification:"
NO_MEETINGS = "Meetings: none"
HISTORY_HEADING = "Status history:"
MESSAGES_HEADING = "Last messages:"


def status_heading(name: str, count: int) -> str:
    return f"\n{name} ({count})"


def lead_line(lead: Lead, when: str) -> str:
    phone = f", {lead.phone_number}" if lead.phone_number else ""
    taken = " [taken over]" if lead.taken_over_by is not None else ""
    return f"- {who(lead)}{phone}{taken}, {when}"


def page_footer(page: int, pages: int) -> str:
    return f"\nPage {page}/{pages}" + (f": /leads {page + 1} for more." if page < pages else "")


def lead_details(lead: Lead, agent_name: str | None, taken_by: str | None) -> list[str]:
    lines = [f"{who(lead)}: {STATUS_NAMES[lead.status]}",
             f"Phone: {lead.phone_number or 'not given'}",
             f"Email: {lead.email or 'not given'}",
             f"Time zone: {lead.timezone or 'not known'}",
             f"Agent: {clean_text(agent_name, _NAME) if agent_name else 'none yet'}"]
    if lead.notes:
        lines.append(f"About: {clean_text(lead.notes, 500)}")
    if taken_by:
        lines.append(f"Taken over by {clean_text(taken_by, _NAME)}: the bot is muted.")
    return lines


def meeting_line(appointment_id: int, when: str, status: str, link: str | None) -> str:
    return f"- meeting {appointment_id}: {when}, {status}" + (f", {link}" if link else "")


def history_line(status: str, when: str) -> str:
    return f"- {when}: {status}"


def message_line(speaker: str, when: str, text: str) -> str:
    return f"- {when} {speaker}: {text}"


def edited(text: str) -> str:
    """A relayed lead's edit of an earlier message."""
    return f"(edited) {text}"


def tapped_time(label: str) -> str:
    """A lead taken over tapped an offered time: not booked while the bot is muted."""
    return (f"(tapped the time {label}; nothing is booked while you talk to them: hand back "
            "and they can tap it again)")
