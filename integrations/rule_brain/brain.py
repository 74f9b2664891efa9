"""The rules, first match wins (details may ride along with an action):

1. a yes/no to "cancel your meeting?"     6. the detail the bot asked for
2. cancel                                 7. a day/time or booking words -> find slots
3. reschedule                             8. details: email, phone, name, time zone, notes
4. a pick from the offered times          9. greeting, thanks/bye/ok, who/what/help
5. a question about the booked meeting    10. anything else -> a polite steer back to booking
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.conversation import wording
from bot.conversation.actions import (
    BookSlot,
    Cancel,
    FindSlots,
    Reschedule,
    SaveDetails,
    ToolCall,
)
from bot.conversation.brain import BrainContext, BrainReply
from bot.conversation.places import resolve_zone
from bot.domain import Awaiting, Role
from bot.i18n import _, supported
from integrations.rule_brain import patterns as rx
from integrations.rule_brain import replies
from integrations.rule_brain.languages import in_english
from integrations.rule_brain.picking import pick_offer
from integrations.rule_brain.reading import Reading, awaited_detail, normalize, read

log = logging.getLogger(__name__)


class RuleBrain:
    """Answers by deterministic rules; every answer is text and/or tool calls, never an error."""

    async def reply(self, context: BrainContext) -> BrainReply:
        """Answer the lead's latest message by the first rule that matches."""
        try:
            return _decide(context)
        except Exception:  # the fallback brain must answer whatever a parser does
            log.exception("rule brain failed on a message; steering back")
            try:
                return BrainReply(text=replies.steer(context))
            except Exception:
                return BrainReply(text=_("I can help you book a call. When would suit you?"))


def _decide(context: BrainContext) -> BrainReply:
    text = normalize(context.text)
    if not text.strip() or rx.SUSPICIOUS.search(text):
        return BrainReply(text=replies.steer(context))
    reading = read(text, context)
    rest, words, details = reading.rest, reading.words, reading.details
    if context.awaiting is Awaiting.CANCEL_CONFIRM and _cancel_was_just_asked(context):
        answer = _confirmation(rest)
        if answer is not None:
            return answer
    rescheduling = bool(rx.RESCHEDULE.search(rest))
    if rx.CANCEL.search(rest) and not rx.NEGATED_CANCEL.search(rest) and not rescheduling:
        return BrainReply(tool_calls=(Cancel(),))
    if rescheduling or (rx.CANT_MAKE.search(rest) and words):
        if context.appointment:
            return _reply(details, Reschedule(words))
        if context.offers and not words:
            return _reply(details, text=replies.another_day())
        return _reply(details, FindSlots(words))
    if rx.CANT_MAKE.search(rest):
        return BrainReply(tool_calls=(Cancel(),))
    if context.offers:
        # "I'm in Berlin, 13:00 works": the time is the lead's, in the zone just given.
        said = resolve_zone(details["timezone"], context.now) if "timezone" in details else None
        choice = pick_offer(rest, reading.when, context.offers, context.awaiting,
                            ZoneInfo(said) if said else context.now.tzinfo)
        if choice is not None:
            return _reply(details, BookSlot(choice))
        if rx.REJECT.search(rest) and not words:
            return _reply(details, text=replies.another_day())
    if rx.WHEN_IS_MINE.search(rest):
        # A question about the booking is answered with it (or that there is none), never
        # with fresh times.
        return _reply(details, text=replies.your_meeting(context) if context.appointment
                      else replies.no_meeting(context))
    awaited = awaited_detail(context.awaiting, reading) or _city_for_the_offers(context, reading)
    if awaited and context.awaiting not in details:
        # The lead answered the question asked: save it and do not read booking words into it.
        return _reply({**details, **awaited})
    if words or rx.BOOKING.search(rest):
        return _reply(details, FindSlots(words))
    if details:
        return _reply(details)  # the bot confirms what it saved, and what it refused
    return BrainReply(text=replies.small_talk(reading, context))


def _city_for_the_offers(context: BrainContext, reading: Reading) -> dict[str, str]:
    """A bare place ("Berlin") while times are shown in a zone only assumed for the lead:
    the answer to "tell me your city and I'll convert them"."""
    if context.awaiting is not None or not context.offers or not context.lead.timezone_assumed:
        return {}
    found = awaited_detail(Awaiting.TIMEZONE, reading)
    return found if found and resolve_zone(found["timezone"], context.now) else {}


def _reply(details: dict[str, str], call: ToolCall | None = None, text: str = "") -> BrainReply:
    """Details first, then the action, so the action sees the saved details."""
    calls: list[ToolCall] = []
    if details:
        calls.append(SaveDetails(name=details.get("name"), email=details.get("email"),
                                 phone=details.get("phone"), timezone=details.get("timezone"),
                                 notes=details.get("notes")))
    if call is not None:
        calls.append(call)
    return BrainReply(text=text, tool_calls=tuple(calls))


def _cancel_was_just_asked(context: BrainContext) -> bool:
    """Whether "cancel your meeting?" is still the open question: a "yes" must not cancel
    because of a question asked, and answered, several messages ago."""
    earlier = context.history[:-1]
    if not earlier or earlier[-1].role is not Role.ASSISTANT:
        return True
    asked = in_english(earlier[-1].content, supported(context.lead.language))
    return bool(rx.CANCEL.search(asked))


def _confirmation(rest: str) -> BrainReply | None:
    """A yes or no to "cancel your meeting?"; None when it is neither."""
    if rx.CANCEL.search(rest) and not rx.NEGATED_CANCEL.search(rest):
        return BrainReply(tool_calls=(Cancel(),))
    if rx.NO.search(rest):
        return BrainReply(text=wording.KEPT)
    if rx.YES.search(rest):
        return BrainReply(tool_calls=(Cancel(),))
    return None
