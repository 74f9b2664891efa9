"""The conversation's fixed texts for the lead (and the one for the agent about a failed booking).

Plain text only: the bot sends it as is, so no Markdown or HTML. Labels of times come from
``bot.booking.notices``; the brains have their own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.scheduling.offers import NoSlotsReason

# Buttons
SHOW_TIMES_LABEL = "Show available times"
KEEP_CURRENT_LABEL = "Keep my current time"
YES_CANCEL_LABEL = "Yes, cancel it"
NO_KEEP_LABEL = "No, keep it"
MOVE_LABEL = "Move my meeting"
NEW_LABEL = "Book another"

# The turn
EMPTY = "I didn't catch that. When would you like to talk?"
ASK_WHEN = "When would you like to talk? For example \"tomorrow afternoon\"."
THROTTLED = ("You're sending messages faster than I can read them. Give me a few seconds, then "
             "tell me what you need.")
NOT_YOUR_CONTACT = ("Thanks! I can only save your own number: please use the \"Share my phone "
                    "number\" button, or type your number.")
STALE_BUTTON = "That button is no longer valid."
ANSWER_NOTED = "Thanks, noted!"
TOOL_FAILED = "Sorry, something went wrong on my side. Please try again in a moment."

# Offers
NO_SLOTS = {
    NoSlotsReason.NO_AGENTS: "No one is taking bookings right now, sorry. Please try again later.",
    NoSlotsReason.NO_HOURS: "There are no working hours in that range. Try another day?",
    NoSlotsReason.NOTICE: "Everything left in that range is too soon to book. How about a later "
                          "day?",
    NoSlotsReason.ALL_BUSY: "Everything in that range is already taken. Would another day work?",
}
CALENDAR_DOWN = ("I can't check the calendar right now, so I can't show free times. Please try "
                 "again in a few minutes.")
WIDENED = "Nothing is free then, sorry. The nearest free times are:"
AS_ASKED = "Here are some times that work:"
NEXT_FREE = "Here are the next free times:"
EARLIEST = "Here are the earliest free times:"


def times_on(label: str) -> str:
    """The offers' intro, echoing how the lead's words were read."""
    return f"Times on {label}:" if label else AS_ASKED


def nothing_on(label: str) -> str:
    """Nothing free in what the lead asked for: the nearest times instead, labelled so."""
    if not label:
        return WIDENED
    return f"Nothing is free on {label}, sorry. The nearest free times instead:"


def taken_closest(wanted: str, closest: Sequence[str]) -> str:
    """The exact time asked for is taken: the nearest ones that day."""
    if not closest:
        return f"{wanted} is taken. Here are other times:"
    named = closest[0] if len(closest) == 1 else f"{closest[0]} and {closest[1]}"
    return f"{wanted} is taken; the closest are {named}:"
TAP_TO_BOOK = "Tap one to book it."

# Booking, cancelling, moving
NO_LONGER_OFFERED = "That time is no longer on offer. "
JUST_TAKEN = "Sorry, that time was just taken. "
TOO_SOON = "That time is now too close to book. "
NOT_BOOKED = ("Sorry, I couldn't book that time because of a problem on our side; nothing was "
              "booked. ")
KEPT = "Okay, your meeting stays as it is."
NO_MEETING = "You don't have a meeting booked. Would you like to find a time?"
NO_MEETING_YET = "You don't have a meeting booked yet. "
NOTHING_TO_CANCEL = "I couldn't find an active meeting to cancel."


def greeting(first_name: str | None, names: Sequence[str]) -> str:
    """/start: who the bot is (for the agent and agency named) and what it does."""
    first = f", {first_name}" if first_name else ""
    who = f" for {' from '.join(names)}" if names else ""
    return (f"Hi{first}! I'm the booking assistant{who}. I can find a time for a video call, "
            "book it, and remind you before it starts.\n"
            "When would suit you? For example \"tomorrow afternoon\" or \"Friday at 10\".")


def unsupported(kind: str) -> str:
    """A sticker, photo, voice message...: thanks, but only text is read."""
    return (f"Thanks for the {kind}! I can only read text, though. Tell me when you'd like to "
            "talk, or tap \"Show available times\".")


def zone_note(zone: str) -> str:
    """Said once, with the first offers: the zone the times are shown in."""
    return (f"Times are in {zone} time. If you're somewhere else, tell me your city and I'll "
            "convert them.")


def in_your_zone(zone: str) -> str:
    """The intro of the open offers shown again in the zone the lead just gave."""
    return f"Here are the same times in {zone} time:"


def moving(label: str) -> str:
    """The intro of the offers for a reschedule."""
    return f"Your meeting is on {label}. Pick a new time:"


def move_or_new(weekday: str) -> str:
    """Asked once, when the lead may book another meeting and did not say which they want."""
    return f"Move your {weekday} meeting, or book another?"


def already_booked(label: str) -> str:
    """A second tap on a batch that was just booked."""
    return f"You're already booked for {label}. Say \"reschedule\" if you'd like to move it."


def pick_one(count: int) -> str:
    """The brain named a number that is not on the list."""
    return f"Please pick one of the {count} times above (1-{count})."


def cancel_question(label: str) -> str:
    """Asked before anything is cancelled."""
    return f"Cancel your meeting on {label}?"


def cancelled(label: str) -> str:
    """The meeting is gone."""
    return f"Done: your meeting on {label} is cancelled. If you'd like another time, just say when."


def meeting_is(label: str) -> str:
    """The meeting's time again, in a zone the lead just gave."""
    return f"Your meeting is on {label}."


def ask_phone(agent_name: str, lead_name: str | None) -> str:
    """After booking, when the lead's number is missing."""
    named = (f" I have your name as {lead_name}; say \"my name is ...\" if that's not right."
             if lead_name else "")
    return f"Could you share your phone number, in case {agent_name} needs to reach you?{named}"


def ask_notes(agent_name: str) -> str:
    """After booking (and the phone), when the topic is missing."""
    return f"What would you like to talk about? A line or two helps {agent_name} prepare."


def saved(items: Sequence[str], problems: Sequence[str]) -> str:
    """What was saved of the details given, and what was refused."""
    text = "Thanks, I've saved your " + _join(items) + "."
    if problems:
        text += " But " + "; ".join(problems) + "."
    return text


def refused(problems: Sequence[str]) -> str:
    """Nothing was saved: why."""
    joined = "; ".join(problems)
    return joined[0].upper() + joined[1:] + "."


BAD_PHONE = ("that phone number doesn't look right; please include the country code, e.g. "
             "+1 212 555 0100")
BAD_EMAIL = "that email address doesn't look right"
UNKNOWN_PLACE = "I don't know that place; try a big city nearby or a zone like Europe/Berlin"


def booking_failed(lead_name: str | None, reason: str) -> str:
    """To the agent: a booking failed and was undone."""
    return (f"A booking by {lead_name or 'a lead'} failed and was undone (nothing was created): "
            f"{reason[:200]}")


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ----- the sales team's hand on a lead's meeting (bot.team) -----------------------------------

def missed_you(label: str) -> str:
    """The agent marked the meeting a no-show: kind, no blame, new times follow."""
    return (f"We missed you at our meeting on {label}. No problem, these things happen! "
            "Would one of these times suit you instead? ")


def agent_cancelled(agent: str, label: str) -> str:
    """The agent cancelled the meeting; new times follow."""
    return (f"Sorry, {agent} had to cancel your meeting on {label}. Let's find another time "
            "that suits you.")


def agent_moves(agent: str) -> str:
    """The agent asks to move the meeting; the old one stands until a new time is booked."""
    return f"{agent} asked to find another time for our meeting. "
