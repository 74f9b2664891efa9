"""The conversation's fixed texts for the lead (and the one for the agent about a failed booking).

Plain text only: the bot sends it as is, so no Markdown or HTML. Labels of times come from
``bot.booking.notices``; the brains have their own words.

English is the source of the catalogs (``bot.i18n``). A constant such as ``wording.EMPTY`` is
said in the speaking language each time it is read (the module's ``__getattr__``), so callers
read it as before; the functions translate as they build their text.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _
from bot.scheduling.offers import NoSlotsReason

_TEXTS: dict[str, str] = {
    # Buttons
    "SHOW_TIMES_LABEL": N_("Show available times"),
    "KEEP_CURRENT_LABEL": N_("Keep my current time"),
    "YES_CANCEL_LABEL": N_("Yes, cancel it"),
    "NO_KEEP_LABEL": N_("No, keep it"),
    "MOVE_LABEL": N_("Move my meeting"),
    "NEW_LABEL": N_("Book another"),
    "SHARE_PHONE_LABEL": N_("Share my phone number"),
    # The turn
    "EMPTY": N_("I didn't catch that. When would you like to talk?"),
    "ASK_WHEN": N_("When would you like to talk? For example \"tomorrow afternoon\"."),
    "THROTTLED": N_("You're sending messages faster than I can read them. Give me a few "
                    "seconds, then tell me what you need."),
    "NOT_YOUR_CONTACT": N_("Thanks! I can only save your own number: please use the \"Share "
                           "my phone number\" button, or type your number."),
    "STALE_BUTTON": N_("That button is no longer valid."),
    "ANSWER_NOTED": N_("Thanks, noted!"),
    "TOOL_FAILED": N_("Sorry, something went wrong on my side. Please try again in a moment."),
    # Offers
    "CALENDAR_DOWN": N_("I can't check the calendar right now, so I can't show free times. "
                        "Please try again in a few minutes."),
    "WIDENED": N_("Nothing is free then, sorry. The nearest free times are:"),
    "AS_ASKED": N_("Here are some times that work:"),
    "NEXT_FREE": N_("Here are the next free times:"),
    "EARLIEST": N_("Here are the earliest free times:"),
    "TAP_TO_BOOK": N_("Tap one to book it."),
    # Booking, cancelling, moving
    "NO_LONGER_OFFERED": N_("That time is no longer on offer. "),
    "JUST_TAKEN": N_("Sorry, that time was just taken. "),
    "TOO_SOON": N_("That time is now too close to book. "),
    "NOT_BOOKED": N_("Sorry, I couldn't book that time because of a problem on our side; "
                     "nothing was booked. "),
    "KEPT": N_("Okay, your meeting stays as it is."),
    "NO_MEETING": N_("You don't have a meeting booked. Would you like to find a time?"),
    "NO_MEETING_YET": N_("You don't have a meeting booked yet. "),
    "NOTHING_TO_CANCEL": N_("I couldn't find an active meeting to cancel."),
    # Details
    "BAD_PHONE": N_("that phone number doesn't look right; please include the country code, "
                    "e.g. +1 212 555 0100"),
    "BAD_EMAIL": N_("that email address doesn't look right"),
    "UNKNOWN_PLACE": N_("I don't know that place; try a big city nearby or a zone like "
                        "Europe/Berlin"),
}
_NO_SLOTS = {
    NoSlotsReason.NO_AGENTS: N_("No one is taking bookings right now, sorry. Please try again "
                                "later."),
    NoSlotsReason.NO_HOURS: N_("There are no working hours in that range. Try another day?"),
    NoSlotsReason.NOTICE: N_("Everything left in that range is too soon to book. How about a "
                             "later day?"),
    NoSlotsReason.ALL_BUSY: N_("Everything in that range is already taken. Would another day "
                               "work?"),
}


def __getattr__(name: str) -> str:
    """``wording.EMPTY`` and the other fixed texts, in the speaking language."""
    if name in _TEXTS:
        return _(_TEXTS[name])
    raise AttributeError(name)


def no_slots(reason: NoSlotsReason) -> str:
    """Why nothing can be offered."""
    return _(_NO_SLOTS[reason])


def times_on(label: str) -> str:
    """The offers' intro, echoing how the lead's words were read."""
    return _("Times on {label}:", label=label) if label else _(_TEXTS["AS_ASKED"])


def nothing_on(label: str) -> str:
    """Nothing free in what the lead asked for: the nearest times instead, labelled so."""
    if not label:
        return _(_TEXTS["WIDENED"])
    return _("Nothing is free on {label}, sorry. The nearest free times instead:", label=label)


def taken_closest(wanted: str, closest: Sequence[str]) -> str:
    """The exact time asked for is taken: the nearest ones that day."""
    if not closest:
        return _("{wanted} is taken. Here are other times:", wanted=wanted)
    named = closest[0] if len(closest) == 1 else _("{first} and {second}", first=closest[0],
                                                   second=closest[1])
    return _("{wanted} is taken; the closest are {named}:", wanted=wanted, named=named)


def greeting(first_name: str | None, names: Sequence[str]) -> str:
    """/start: who the bot is (for the agent and agency named) and what it does."""
    first = f", {first_name}" if first_name else ""
    who = _(" for {names}", names=_(" from ").join(names)) if names else ""
    return (_("Hi{first}! I'm the booking assistant{who}. I can find a time for a video call, "
              "book it, and remind you before it starts.", first=first, who=who) + "\n"
            + _("When would suit you? For example \"tomorrow afternoon\" or \"Friday at 10\"."))


_KINDS = {
    "sticker": N_("sticker"), "photo": N_("photo"), "voice message": N_("voice message"),
    "video": N_("video"), "location": N_("location"), "document": N_("document"),
    "audio file": N_("audio file"), "poll": N_("poll"), "message": N_("message"),
}


def unsupported(kind: str) -> str:
    """A sticker, photo, voice message...: thanks, but only text is read."""
    return _("Thanks for the {kind}! I can only read text, though. Tell me when you'd like to "
             "talk, or tap \"Show available times\".", kind=_(_KINDS.get(kind, kind)))


def zone_note(zone: str) -> str:
    """Said once, with the first offers: the zone the times are shown in."""
    return _("Times are in {zone} time. If you're somewhere else, tell me your city and I'll "
             "convert them.", zone=zone)


def in_your_zone(zone: str) -> str:
    """The intro of the open offers shown again in the zone the lead just gave."""
    return _("Here are the same times in {zone} time:", zone=zone)


def moving(label: str) -> str:
    """The intro of the offers for a reschedule."""
    return _("Your meeting is on {label}. Pick a new time:", label=label)


def move_or_new(weekday: str) -> str:
    """Asked once, when the lead may book another meeting and did not say which they want."""
    return _("Move your {weekday} meeting, or book another?", weekday=weekday)


def already_booked(label: str) -> str:
    """A second tap on a batch that was just booked."""
    return _("You're already booked for {label}. Say \"reschedule\" if you'd like to move it.",
             label=label)


def pick_one(count: int) -> str:
    """The brain named a number that is not on the list."""
    return _("Please pick one of the {count} times above (1-{count}).", count=count)


def cancel_question(label: str) -> str:
    """Asked before anything is cancelled."""
    return _("Cancel your meeting on {label}?", label=label)


def cancelled(label: str) -> str:
    """The meeting is gone."""
    return _("Done: your meeting on {label} is cancelled. If you'd like another time, just say "
             "when.", label=label)


def meeting_is(label: str) -> str:
    """The meeting's time again, in a zone the lead just gave."""
    return _("Your meeting is on {label}.", label=label)


def ask_phone(agent_name: str, lead_name: str | None) -> str:
    """After booking, when the lead's number is missing."""
    named = (_(" I have your name as {name}; say \"my name is ...\" if that's not right.",
               name=lead_name) if lead_name else "")
    return _("Could you share your phone number, in case {agent} needs to reach you?",
             agent=agent_name) + named


def ask_notes(agent_name: str) -> str:
    """After booking (and the phone), when the topic is missing."""
    return _("What would you like to talk about? A line or two helps {agent} prepare.",
             agent=agent_name)


_DETAILS = {"name": N_("name"), "email": N_("email"), "phone": N_("phone"),
            "phone number": N_("phone number"), "time zone": N_("time zone"),
            "timezone": N_("time zone"), "notes": N_("notes"), "topic": N_("topic")}


def saved(items: Sequence[str], problems: Sequence[str]) -> str:
    """What was saved of the details given, and what was refused."""
    text = _("Thanks, I've saved your {items}.",
             items=_join([_(_DETAILS[i]) if i in _DETAILS else i for i in items]))
    if problems:
        text += _(" But {problems}.", problems="; ".join(problems))
    return text


def refused(problems: Sequence[str]) -> str:
    """Nothing was saved: why."""
    joined = "; ".join(problems)
    return joined[0].upper() + joined[1:] + "."


def booking_failed(lead_name: str | None, reason: str) -> str:
    """To the agent: a booking failed and was undone."""
    return _("A booking by {lead} failed and was undone (nothing was created): {reason}",
             lead=lead_name or _("a lead"), reason=reason[:200])


def _join(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("{first} and {last}", first=", ".join(items[:-1]), last=items[-1])


def zone_saved(zone: str) -> str:
    """The time zone, as one of the details saved."""
    return _("time zone ({zone})", zone=zone)


# ----- the sales team's hand on a lead's meeting (bot.team) -----------------------------------

def missed_you(label: str) -> str:
    """The agent marked the meeting a no-show: kind, no blame, new times follow."""
    return _("We missed you at our meeting on {label}. No problem, these things happen! Would "
             "one of these times suit you instead? ", label=label)


def agent_cancelled(agent: str, label: str) -> str:
    """The agent cancelled the meeting; new times follow."""
    return _("Sorry, {agent} had to cancel your meeting on {label}. Let's find another time "
             "that suits you.", agent=agent, label=label)


def agent_moves(agent: str) -> str:
    """The agent asks to move the meeting; the old one stands until a new time is booked."""
    return _("{agent} asked to find another time for our meeting. ", agent=agent)
