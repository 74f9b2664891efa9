"""Every text an agent (or an admin) reads from the team's controls, in one place.

Plain text, no Markdown. Lead names are quoted as the lead gave them, cleaned to one line.
``LEAD_TAG`` names a lead in a way the bot reads back from a reply; keep it as it is in every
language.

Said in the agent's language (``bot.i18n``; the handlers speak it for the agent who acts), the
fixed texts read as ``wording.STALE`` like before (the module's ``__getattr__``). The five
control labels stay English in every language: other tools find the buttons by those words.
"""

from __future__ import annotations

import re
from datetime import date

from bot.domain import Lead, LeadStatus, clean_text
from bot.i18n import N_, _
from bot.i18n import dates as local

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

_STATUS_NAMES: dict[LeadStatus, str] = {
    LeadStatus.NEW: N_("New"), LeadStatus.ENGAGED: N_("Engaged"),
    LeadStatus.QUALIFIED: N_("Qualified"), LeadStatus.BOOKED: N_("Booked"),
    LeadStatus.HELD: N_("Held"), LeadStatus.NO_SHOW: N_("No-show"),
    LeadStatus.CANCELLED: N_("Cancelled"), LeadStatus.LOST: N_("Lost"),
    LeadStatus.OPTED_OUT: N_("Opted out"),
}


def status_name(status: LeadStatus) -> str:
    """A pipeline status as the agent reads it."""
    return _(_STATUS_NAMES[status])


_TEXTS: dict[str, str] = {
    "CONFIRM_CANCEL_LABEL": N_("Yes, cancel it"),
    "KEEP_LABEL": N_("No, keep it"),
    # A lead (or anyone not on the team) tries an agent command: nothing else is said.
    "NOT_FOR_YOU": N_("Sorry, that command is not available."),
    "STALE": N_("That button is out of date: nothing was changed."),
    "NOT_YOURS": N_("That lead is not one of yours: nothing was changed."),
    "NO_SUCH_LEAD": N_("There is no lead with that number among yours."),
    "NO_SUCH_MEETING": N_("There is no meeting with that number among yours."),
    "NOT_BOOKED": N_("That meeting is no longer booked: nothing was changed."),
    "TOO_EARLY": N_("That meeting has not started yet: a no-show can be marked from its start "
                    "on."),
    "NEEDS_AGENT": N_("Only an agent can take a lead over."),
    "NOT_TAKING_OVER": N_("You are not talking to any lead directly."),
    "KEPT": N_("Kept: the meeting stays as it is."),
    "NO_LEADS": N_("You have no leads yet."),
    "AWAY_OFF": N_("You are no longer away: your times are offered again."),
    "TAKEOVER_USAGE": N_("Usage: /takeover LEAD_ID (the number /leads shows)."),
    "LEAD_USAGE": N_("Usage: /lead LEAD_ID (the number /leads shows)."),
    "NOSHOW_USAGE": N_("Usage: /noshow APPOINTMENT_ID (the number /lead shows for the "
                       "meeting)."),
    "HOURS_USAGE": N_("Usage: /hours mon-fri 09:00-17:00 (several entries joined by ;)."),
    "AWAY_USAGE": N_("Usage: /away 2026-12-24 2027-01-02 (first and last day off, in your "
                     "zone), or /away off."),
    "HANDBACK_USAGE": N_("You are talking to several leads: /handback LEAD_ID says which one "
                         "to hand back."),
    "MEETINGS_HEADING": N_("Meetings:"),
    "QUALIFICATION_HEADING": N_("Qualification:"),
    "NO_MEETINGS": N_("Meetings: none"),
    "HISTORY_HEADING": N_("Status history:"),
    "MESSAGES_HEADING": N_("Last messages:"),
}


def __getattr__(name: str) -> str:
    """``wording.STALE`` and the other fixed texts, in the speaking language."""
    if name in _TEXTS:
        return _(_TEXTS[name])
    raise AttributeError(name)

def who(lead: Lead) -> str:
    """The lead as an agent sees them: name and tag, ``Jane Doe (#lead12)``."""
    name = clean_text(lead.name or "", _NAME) or _("A lead")
    return f"{name} ({tag(lead.id)})"


def tag(lead_id: int) -> str:
    """``#lead12``: the lead's number, read back from a reply."""
    return LEAD_TAG.format(id=lead_id)


def relayed(lead: Lead, text: str) -> str:
    """A lead's message relayed to the agent who took them over."""
    return f"💬 {who(lead)}:\n{text}" if text else f"💬 {who(lead)}"


_KINDS = {"sticker": N_("a sticker"), "photo": N_("a photo"),
          "voice message": N_("a voice message"), "video": N_("a video"),
          "location": N_("a location"), "document": N_("a document"),
          "audio file": N_("an audio file"), "poll": N_("a poll"), "message": N_("a message"),
          "button tap": N_("a button tap")}


def relayed_kind(kind: str) -> str:
    """What a relayed message without words was: ``(sent a sticker)``."""
    return _("(sent {kind})", kind=_(_KINDS[kind]) if kind in _KINDS else f"a {kind}")


def taken_over(lead: Lead) -> str:
    return _("You are now talking to {lead} directly; the bot is muted for them. Whatever you "
             "write here goes to them as it is (text, photos, documents). Tap Hand back, or "
             "send /handback, to let the bot answer again.", lead=who(lead))


def already_taken(lead: Lead, agent_name: str) -> str:
    return _("{lead} is already taken over by {agent}.", lead=who(lead),
             agent=clean_text(agent_name, _NAME))


def already_yours(lead: Lead) -> str:
    return _("You are already talking to {lead} directly.", lead=who(lead))


def handed_back(lead: Lead) -> str:
    return _("Handed back: the bot answers {lead} again, with your messages in its history.",
             lead=who(lead))


def several(count: int) -> str:
    return _("You are talking to {count} leads directly: reply to one of their messages so I "
             "know whom it is for.", count=count)


def sent_to(lead: Lead) -> str:
    return _("Sent to {lead}.", lead=who(lead))


def not_delivered(lead: Lead) -> str:
    return _("Could not deliver that to {lead} (they may have blocked the bot).", lead=who(lead))


def no_show_marked(lead: Lead, when: str) -> str:
    return _("Marked a no-show: {lead}, {when}. They were offered new times.", lead=who(lead),
             when=when)


def cancel_question(lead: Lead, when: str) -> str:
    return _("Cancel the meeting with {lead} on {when}? The video meeting and the calendar "
             "event are deleted and the lead is offered new times.", lead=who(lead), when=when)


def cancelled(lead: Lead, when: str) -> str:
    return _("Cancelled: {lead}, {when}. They were offered new times.", lead=who(lead),
             when=when)


def move_asked(lead: Lead, when: str) -> str:
    return _("Asked {lead} to pick a new time; the meeting on {when} stays until they book "
             "one.", lead=who(lead), when=when)


def hours_set(hours: str) -> str:
    return _("Your working hours are now: {hours}. Leads are offered times within them.",
             hours=hours)


def hours_error(problem: str) -> str:
    return _("Those hours could not be read: {problem}.", problem=problem) + " " + \
        _(_TEXTS["HOURS_USAGE"])


def away_set(first: date, last: date) -> str:
    return _("You are away from {first} to {last} (your zone): no times are offered then. "
             "/away off ends it.", first=local.date_label(first), last=local.date_label(last))


def away_error(problem: str) -> str:
    return f"{problem}. {_(_TEXTS['AWAY_USAGE'])}"


def status_heading(name: str, count: int) -> str:
    return f"\n{name} ({count})"


def lead_line(lead: Lead, when: str) -> str:
    phone = f", {lead.phone_number}" if lead.phone_number else ""
    taken = " " + _("[taken over]") if lead.taken_over_by is not None else ""
    return f"- {who(lead)}{phone}{taken}, {when}"


def page_footer(page: int, pages: int) -> str:
    more = _(": /leads {next} for more.", next=page + 1) if page < pages else ""
    return "\n" + _("Page {page}/{pages}", page=page, pages=pages) + more


def lead_details(lead: Lead, agent_name: str | None, taken_by: str | None) -> list[str]:
    not_given = _("not given")
    lines = [f"{who(lead)}: {status_name(lead.status)}",
             _("Phone: {phone}", phone=lead.phone_number or not_given),
             _("Email: {email}", email=lead.email or not_given),
             _("Time zone: {zone}", zone=lead.timezone or _("not known")),
             _("Agent: {agent}", agent=clean_text(agent_name, _NAME) if agent_name
               else _("none yet"))]
    if lead.notes:
        lines.append(_("About: {topic}", topic=clean_text(lead.notes, 500)))
    if taken_by:
        lines.append(_("Taken over by {agent}: the bot is muted.",
                       agent=clean_text(taken_by, _NAME)))
    return lines


def meeting_line(appointment_id: int, when: str, status: str, link: str | None) -> str:
    return _("- meeting {id}: {when}, {status}", id=appointment_id, when=when, status=status) \
        + (f", {link}" if link else "")


def history_line(status: str, when: str) -> str:
    return f"- {when}: {status}"


def message_line(speaker: str, when: str, text: str) -> str:
    return f"- {when} {speaker}: {text}"


def edited(text: str) -> str:
    """A relayed lead's edit of an earlier message."""
    return _("(edited) {text}", text=text)


def tapped_time(label: str) -> str:
    """A lead taken over tapped an offered time: not booked while the bot is muted."""
    return _("(tapped the time {label}; nothing is booked while you talk to them: hand back and "
             "they can tap it again)", label=label)
