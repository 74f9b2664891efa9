"""What the rule-based brain says. Plain text only: the bot sends it as is, so no Markdown or
HTML, and every name quoted back is stripped of markup first."""

from __future__ import annotations

from bot.conversation.brain import BrainContext
from bot.domain import Awaiting
from bot.i18n import N_, _
from integrations.rule_brain import patterns as rx
from integrations.rule_brain.reading import NAME_CHARS, Reading, plain

LABEL_CHARS = 80
# The question behind each detail the bot may wait on, asked again after a bare "ok".
_ASK_AGAIN = {
    Awaiting.NAME: N_("what name should I put on the booking?"),
    Awaiting.PHONE: N_("what's the best number to reach you?"),
    Awaiting.EMAIL: N_("what's your email address?"),
    Awaiting.TIMEZONE: N_("which city are you in, so I can show times in your zone?"),
    Awaiting.NOTES: N_("what would you like to talk about on the call?"),
}


def _agent(context: BrainContext) -> str:
    name = plain(context.agent_name or "", NAME_CHARS)
    if name:
        return name
    agency = plain(context.agency_name or "", NAME_CHARS)
    return _("the {agency} team", agency=agency) if agency else _("our team")


def _first_name(context: BrainContext) -> str:
    words = plain(context.lead.name or "", NAME_CHARS).split()
    return f" {words[0][:30]}" if words else ""


def _meeting(context: BrainContext) -> str:
    return plain(context.appointment.label if context.appointment else "", LABEL_CHARS)


def steer(context: BrainContext) -> str:
    """A polite way back to booking, fitted to where the lead is."""
    agent = _agent(context)
    if context.appointment:
        return _("I can help with your call with {agent} on {meeting} - I can move it or cancel "
                 "it. What would you like to do?", agent=agent, meeting=_meeting(context))
    if context.offers:
        return _("I can help you book a call with {agent}. Tap one of the times above, or tell "
                 "me another day that suits you.", agent=agent)
    return _("I can help you book a call with {agent}. When would suit you?", agent=agent)


def your_meeting(context: BrainContext) -> str:
    return _("Your call with {agent} is on {meeting}. If you need to move or cancel it, just "
             "tell me.", agent=_agent(context), meeting=_meeting(context))


def no_meeting(context: BrainContext) -> str:
    return _("You don't have a call booked with {agent} yet. Tell me a day that suits you, "
             "e.g. 'Thursday morning', and I'll find a time.", agent=_agent(context))


def another_day() -> str:
    return _("No problem - tell me another day or time that suits you, e.g. 'Thursday "
             "morning'.")


def _greeting(reading: Reading, context: BrainContext) -> str:
    opening = reading.text.lstrip().lower()
    hello = _("Hi")
    for said, word in _HELLOS:
        if opening.startswith(said):
            hello = _(word)
            break
    hello += _first_name(context) + "!"
    agent = _agent(context)
    if context.appointment:
        return hello + " " + _("Your call with {agent} is booked for {meeting}. If you need to "
                               "move or cancel it, just tell me.", agent=agent,
                               meeting=_meeting(context))
    if context.offers:
        return hello + " " + _("The times I sent are still open - tap one to book it, or tell "
                               "me another day that suits you.")
    agency = plain(context.agency_name or "", NAME_CHARS)
    me = (_("I'm the {agency} booking assistant.", agency=agency) if agency
          else _("I'm the booking assistant."))
    return f"{hello} {me} " + _("I can find a time for a call with {agent} and book it for "
                                "you - just tell me when suits you, e.g. 'tomorrow "
                                "afternoon'.", agent=agent)


_HELLOS = (("good morning", N_("Good morning")), ("good afternoon", N_("Good afternoon")),
           ("good evening", N_("Good evening")), ("hey", N_("Hey")), ("hello", N_("Hello")))


def _help(context: BrainContext) -> str:
    agency = plain(context.agency_name or "", NAME_CHARS)
    me = (_("I'm the booking assistant for {agency}.", agency=agency) if agency
          else _("I'm a booking assistant."))
    text = f"{me} " + _("I can find a free time for a call with {agent}, book it, and move or "
                        "cancel it later - just tell me when suits you, e.g. 'Thursday "
                        "morning'.", agent=_agent(context))
    if context.appointment:
        text += " " + _("Your next call is on {meeting}.", meeting=_meeting(context))
    return text


_OPENINGS = {"thanks": N_("You're welcome"), "bye": N_("Bye for now"), "ok": N_("Great"),
             "no": N_("No problem")}


def _goodbye(kind: str, context: BrainContext) -> str:
    """Thanks, bye, ok or no: a short friendly answer that keeps the way forward open."""
    if kind == "ok" and context.awaiting in _ASK_AGAIN:
        return _("Great - {question}", question=_(_ASK_AGAIN[context.awaiting]))
    agent = _agent(context)
    opening = _(_OPENINGS[kind])
    if context.appointment:
        return f"{opening}{_first_name(context)}! " + _("Your call with {agent} is on {meeting}.",
                                                       agent=agent, meeting=_meeting(context))
    if context.offers:
        return f"{opening}! " + _("Tap one of the times above whenever you're ready.")
    return f"{opening}! " + _("Whenever you'd like a call with {agent}, just tell me a day that "
                              "suits you.", agent=agent)


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
