"""What the rule-based brain says. Plain text only: the bot sends it as is, so no Markdown or
HTML, and every name quoted back is stripped of markup first."""

from __future__ import annotations

from bot.conversation.brain import BrainContext
from bot.domain import Awaiting
from integrations.rule_brain import patterns as rx
from integrations.rule_brain.reading import NAME_CHARS, Reading, plain

LABEL_CHARS = 80
# The question behind each detail the bot may wait on, asked again after a bare "ok".
_ASK_AGAIN = {
    Awaiting.NAME: "what name should I put on the booking?",
    Awaiting.PHONE: "what's the best number to reach you?",
    Awaiting.EMAIL: "what's your email address?",
    Awaiting.TIMEZONE: "which city are you in, so I can show times in your zone?",
    Awaiting.NOTES: "what would you like to talk about on the call?",
}


def _agent(context: BrainContext) -> str:
    name = plain(context.agent_name or "", NAME_CHARS)
    if name:
        return name
    agency = plain(context.agency_name or "", NAME_CHARS)
    return f"the {agency} team" if agency else "our team"


def _first_name(context: BrainContext) -> str:
    words = plain(context.lead.name or "", NAME_CHARS).split()
    return f" {words[0][:30]}" if words else ""


def _meeting(context: BrainContext) -> str:
    return plain(context.appointment.label if context.appointment else "", LABEL_CHARS)


def steer(context: BrainContext) -> str:
    """A polite way back to booking, fitted to where the lead is."""
    agent = _agent(context)
    if context.appointment:
        return (f"I can help with your call with {agent} on {_meeting(context)} - I can move it "
                "or cancel it. What would you like to do?")
    if context.offers:
        return (f"I can help you book a call with {agent}. Tap one of the times above, or tell "
                "me another day that suits you.")
    return f"I can help you book a call with {agent}. When would suit you?"


def your_meeting(context: BrainContext) -> str:
    return (f"Your call with {_agent(context)} is on {_meeting(context)}. If you need to move or "
            "cancel it, just tell me.")


def no_meeting(context: BrainContext) -> str:
    return (f"You don't have a call booked with {_agent(context)} yet. Tell me a day that suits "
            "you, e.g. 'Thursday morning', and I'll find a time.")


def another_day() -> str:
    return "No problem - tell me another day or time that suits you, e.g. 'Thursday morning'."


def _greeting(reading: Reading, context: BrainContext) -> str:
    opening = reading.text.lstrip().lower()
    hello = "Hi"
    for said in ("good morning", "good afternoon", "good evening", "hey", "hello"):
        if opening.startswith(said):
            hello = said.capitalize()
            break
    hello += _first_name(context) + "!"
    agent = _agent(context)
    if context.appointment:
        return (f"{hello} Your call with {agent} is booked for {_meeting(context)}. If you need "
                "to move or cancel it, just tell me.")
    if context.offers:
        return (f"{hello} The times I sent are still open - tap one to book it, or tell me "
                "another day that suits you.")
    agency = plain(context.agency_name or "", NAME_CHARS)
    me = f"I'm the {agency} booking assistant." if agency else "I'm the booking assistant."
    return (f"{hello} {me} I can find a time for a call with {agent} and book it for you - "
            "just tell me when suits you, e.g. 'tomorrow afternoon'.")


def _help(context: BrainContext) -> str:
    agency = plain(context.agency_name or "", NAME_CHARS)
    me = f"I'm the booking assistant for {agency}." if agency else "I'm a booking assistant."
    text = (f"{me} I can find a free time for a call with {_agent(context)}, book it, and move "
            "or cancel it later - just tell me when suits you, e.g. 'Thursday morning'.")
    if context.appointment:
        text += f" Your next call is on {_meeting(context)}."
    return text


def _goodbye(kind: str, context: BrainContext) -> str:
    """Thanks, bye, ok or no: a short friendly answer that keeps the way forward open."""
    if kind == "ok" and context.awaiting in _ASK_AGAIN:
        return f"Great - {_ASK_AGAIN[context.awaiting]}"
    agent = _agent(context)
    opening = {"thanks": "You're welcome", "bye": "Bye for now", "ok": "Great",
               "no": "No problem"}[kind]
    if context.appointment:
        return f"{opening}{_first_name(context)}! Your call with {agent} is on {_meeting(context)}."
    if context.offers:
        return f"{opening}! Tap one of the times above whenever you're ready."
    return f"{opening}! Whenever you'd like a call with {agent}, just tell me a day that suits you."


def small_talk(reading: Reading, context: BrainContext) -> str:
    """Rules 7-10: greeting, thanks/bye/ok, who/what/help, and the steer back."""
    rest = " ".join(reading.rest.split())
    bare = rest.strip(" .,!?;:-")
    if reading.greeted and not bare:
        return _greeting(reading, context)
    if rx.BYE.search(bare):
        return _goodbye("bye", context)
    if rx.DECLINE.fullmatch(bare):
        return _goodbye("no", context)
    if rx.THANKS.search(bare):
        return _goodbye("thanks", context)
    if rx.ACK.fullmatch(bare):
        return _goodbye("ok", context)
    if rx.HELP.search(rest):
        return _help(context)
    if reading.greeted:
        return _greeting(reading, context)
    return steer(context)
