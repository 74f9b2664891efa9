"""The rule-based brain: deterministic keyword rules, pure CPU, no I/O.

It answers when no OpenAI key is set and whenever OpenAI fails, so it never raises and always
returns text or a tool call. Rules, first match wins (details may ride along with an action):

1. a yes/no to "cancel your meeting?"     5. details: email, phone, name, time zone, notes
2. cancel                                 6. a day/time or booking words -> find_slots
3. reschedule                             7. greeting   8. thanks/bye/ok   9. who/what/help
4. a pick from the offered times          10. anything else -> a polite steer back to booking

Times are never written in text: they only come from find_slots, shown by the bot as buttons.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.actions import (
    BOOK_SLOT,
    CANCEL,
    FIND_SLOTS,
    MAX_TEXT,
    RESCHEDULE,
    SAVE_DETAILS,
)
from bot.conversation.dates import When, parse_choice, parse_when
from bot.domain import BrainReply, Role, ToolCall
from bot.ports import BrainContext

log = logging.getLogger(__name__)

# The date parser and the choice parser see at most this much; a date is said early, and a
# 4,096-character message must not cost more than a short one.
_SCAN_CHARS = 600
_LABEL_CHARS = 80
_NAME_CHARS = 60

_I = re.IGNORECASE
_SUSPICIOUS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,30}\b(?:instructions?|rules|prompts?|above)\b"
    r"|system prompt|developer mode|jailbreak|\byou are now\b|\bact as\b|\bpretend\b"
    r"|drop\s+table|select\s+\*|union\s+select|insert\s+into|delete\s+from|;\s*--"
    r"|\bor\s+'?1'?\s*=\s*'?1|<script"
    r"|\b(?:other|another)\s+(?:leads?|clients?|customers?|users?|people|person)'?s?\b"
    r"|\b(?:all|every)\s+(?:the\s+)?(?:leads?|users?|clients?|customers?|bookings?"
    r"|appointments?|meetings|phone numbers|emails|contacts)\b"
    r"|\bsomeone else'?s?\b|\bwho else\b|\beveryone'?s\b|\beverybody'?s\b",
    _I,
)
_URL = re.compile(r"^(?:https?://|www\.)", _I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
                    r"\.[A-Za-z]{2,24}")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,24}\d(?!\w)")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}")
_PHONE_CUE = re.compile(
    r"(?:(?:my|our)\s+(?:phone|mobile|cell|whatsapp|number|contact)(?:\s+number)?"
    r"(?:\s+is)?|(?:call|reach|text|ring)\s+me\s+(?:at|on)|phone(?:\s+number)?|tel"
    r"|mobile|cell|whatsapp|number)\s*(?:is)?\s*[:\-]?\s*$",
    _I,
)
_WORD = r"[^\W\d_][\w'.\-]*"
_NAME_CUE = re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|name\s*:|call\s+me)\s+"
                       rf"({_WORD}(?:\s+{_WORD}){{0,3}})", _I)
# "I'm Anna" is a name only when capitalised: "I'm free", "I'm interested" are not.
_NAME_SAID = re.compile(r"\b(?:[Ii]'?m|[Ii]\s+am|[Tt]his\s+is|[Ii]t'?s)\s+"
                        r"([A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,2})(?![\w'])")
_NOT_NAME_WORDS = (
    "interested looking free available good fine ok okay sorry here back ready busy new not "
    "just also still very so really glad happy curious calling writing trying going planning "
    "thinking sure done late early in at on from the a an great perfect thanks it that this "
    "what how"
)
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
_ZONE_OFFSET = r"(?:utc|gmt)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?"
_PLACE = rf"(?:{_ZONE_OFFSET}|{_WORD}(?:/{_WORD})*)(?:\s+{_WORD}(?:/{_WORD})*){{0,3}}"
_ZONE_STRONG = re.compile(
    rf"\b(?:my\s+time\s?zone\s+is|time\s?zone\s*(?:is|:)|i\s+live\s+in|we\s+live\s+in"
    rf"|(?:i'm|i\s+am|we're|we\s+are)\s+(?:based|located)\s+in)\s+(?:the\s+)?({_PLACE})",
    _I,
)
_ZONE_WEAK = re.compile(
    rf"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:currently\s+|now\s+)?in\s+(?:the\s+)?({_PLACE})", _I
)
# Case matters: "CET" is a zone, "town" is not.
_ZONE_LIKE = re.compile(rf"^(?:(?i:{_ZONE_OFFSET})|[A-Za-z_]+/[A-Za-z_/\-]+|[A-Z]{{2,5}})$")
# Words that end a name or a place ("I'm in Berlin and free tomorrow" -> "Berlin").
_STOP_WORDS = (
    "and but so until till for from at on by in i my me we our right now tomorrow today tonight "
    "next this that time which where if because with currently please thanks thank you tho "
    "though or to is am are was be back later soon again asap when then here there anytime "
    "morning afternoon evening night noon monday tuesday wednesday thursday friday saturday "
    "sunday week weekend a an"
)
_STOP = frozenset(_STOP_WORDS.split())
_NOT_PLACE_WORDS = (
    "meeting office class bed hurry rush love town trouble charge touch need favor favour "
    "school work traffic transit hospital line queue doubt luck bath shower car call session "
    "lecture middle process pain debt business sales marketing tech it finance talks contact "
    "discussions"
)
_NOT_PLACE = frozenset(_NOT_PLACE_WORDS.split())
_CANCEL = re.compile(r"\bcancel\w*|\bcall\s+(?:it|this|that|the\s+\w+)?\s*off\b", _I)
_CANT_MAKE = re.compile(r"\b(?:can'?t|cannot|won'?t|unable\s+to|not\s+able\s+to)\s+make\s+it"
                        r"|\bnot\s+going\s+to\s+make\s+it", _I)
_NEGATED_CANCEL = re.compile(r"\b(?:don'?t|do\s+not|no\s+need\s+to|not|never|shouldn'?t"
                             r"|won'?t)\s+(?:\w+\s+){0,2}cancel", _I)
_RESCHEDULE = re.compile(
    r"\bre-?schedul\w*|\bpostpon\w*|\brebook\w*|\bmove\s+(?:my|the|our|it|this|that)\b"
    r"|\b(?:another|different|other|new)\s+(?:time|day|date|slot)s?\b"
    r"|\bchange\s+(?:the|my|our|its)\s+(?:time|date|day|meeting|call|appointment|slot)\b"
    r"|\bpush\s+(?:it|this|that|the\s+\w+)\s+(?:back|forward|later)\b"
    r"|\bbring\s+(?:it|this|that|the\s+\w+)\s+forward\b",
    _I,
)
_REJECT = re.compile(r"\bnone\s+of\s+(?:these|those|them|the\s+times)\b|\bneither\b"
                     r"|\b(?:doesn'?t|don'?t|do\s+not|does\s+not)\s+(?:work|suit|fit)\b", _I)
_BOOKING = re.compile(
    r"\b(?:book\w*|meet|meeting|meetings|call|calls|appointment|appointments|schedule|demo"
    r"|available|availability|free|slots?|times|openings?|consultation|asap|earliest|soonest)\b"
    r"|\bwhen\s+can\b|\bas\s+soon\s+as\s+possible\b", _I)
_WHEN_IS_MINE = re.compile(
    r"\b(?:when|what\s+time|what\s+day|what'?s)\s+(?:is\s+)?my\s+(?:meeting|booking|appointment"
    r"|call)\b|\bdo\s+i\s+have\s+(?:a|an|any)\s+(?:meeting|booking|appointment|call)s?\b", _I)
_GREETING = re.compile(
    r"^\s*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|hola|hallo|bonjour|salut|/start\b\S*"
    r"|good\s+(?:morning|afternoon|evening|day))(?:\s+there)?\b[\s,!.:;-]*", _I)
_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|thx|ty|cheers|appreciated?|much\s+appreciated)\b",
                     _I)
_BYE = re.compile(r"\b(?:bye|goodbye|see\s+(?:you|ya)|cya|good\s+night"
                  r"|have\s+a\s+(?:good|nice|great)\s+\w+)\b", _I)
_ACK = re.compile(
    r"^(?:ok(?:ay)?|k|great|perfect|cool|nice|awesome|good|fine|got\s+it|sounds\s+good|alright"
    r"|all\s+right|sure|yes|yep|yeah|👍|👌|🙏)(?:\s+(?:thanks?|thank\s+you))?$", _I)
_DECLINE = re.compile(
    r"^(?:no|nope|nah|skip|nothing|none|n/?a|not\s+now|maybe\s+later|later|not\s+really"
    r"|no\s+thanks?|no\s+thank\s+you|rather\s+not|i'?d\s+rather\s+not)$", _I)
# The question behind each detail the bot may wait on, asked again after a bare "ok".
_ASK_AGAIN = {
    "name": "what name should I put on the booking?",
    "phone": "what's the best number to reach you?",
    "email": "what's your email address?",
    "timezone": "which city are you in, so I can show times in your zone?",
    "notes": "what would you like to talk about on the call?",
}
_HELP = re.compile(
    r"^/help\b|\bhelp\b|\bwho\s+are\s+you\b|\bwhat\s+are\s+you\b|\bwhat\s+can\s+you\s+do\b"
    r"|\bwhat\s+do\s+you\s+do\b|\bhow\s+does\s+(?:this|it)\s+work\b|\bwhat\s+is\s+this\b"
    r"|\bwhat's\s+this\b|\b(?:are\s+you|is\s+(?:this|it))\s+(?:a\s+)?(?:bot|human|robot|real|ai"
    r"|person)\b", _I)
_YES = re.compile(r"\b(?:yes|yeah|yep|yup|sure|confirm\w*|ok(?:ay)?|please\s+do|do\s+it|go\s+ahead"
                  r"|absolutely|definitely|correct|right)\b|^y$|👍", _I)
_NO = re.compile(r"\b(?:no|nope|nah|keep|don'?t|do\s+not|not|never|stop|wait)\b|^n$", _I)
_OFFER_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\s*([ap])?\.?m?\b|\b(\d{1,2})\s*([ap])\.?m\b", _I)
_USER_TIME = re.compile(r"(?:^|\bat\s+)(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.?m\.?)?\s*$"
                        r"|\b(\d{1,2}):(\d{2})\s*(?:([ap])\.?m\.?)?|\b(\d{1,2})\s*([ap])\.?m\b",
                        _I)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Whether a day was said at all: the date parser fills in today or tomorrow for a bare time.
_DAY_SAID = re.compile(
    r"\b(?:today|tonight|tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|weekend|week"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s*\d|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec)|\d{4}-\d{2}-\d{2}|in\s+\w+\s+(?:days?|weeks?))\b", _I)
_SPAN_SAID = re.compile(r"\b(?:next|this|coming)\s+week(?:end)?\b|\bweekend\b", _I)
_LABEL_DAY = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3})")
_PICK_WORD = re.compile(r"\b(?:one|option|slot|choice|number)\b|#\s*\d", _I)
_MARKUP = re.compile(r"[*_`<>\[\]#~|\\]")
_WORDS_ONLY = re.compile(rf"^{_WORD}(?:\s+{_WORD}){{0,4}}$")


_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00]")
_SAY_PREFIX = re.compile(
    r"^(?:(?:it's|it\s+is|i'm|i\s+am|we're|we\s+are|this\s+is|my\s+name\s+is|name\s*:"
    r"|call\s+me|my\s+time\s?zone\s+is|time\s?zone\s*(?:is|:)?|based\s+in|located\s+in"
    r"|living\s+in|in|the)\s+)+",
    _I,
)
_MAX_INPUT = 4096  # a Telegram message is at most this long


@dataclass
class _Reading:
    """One message read once: what it said explicitly, and the rest with those parts masked."""

    text: str
    rest: str
    greeted: bool = False
    details: dict[str, str] = field(default_factory=dict)
    when: When | None = None


class RuleBrain:
    """Answers by deterministic rules; every answer is text and/or tool calls, never an error."""

    async def reply(self, context: BrainContext) -> BrainReply:
        """Answer the lead's latest message by the first rule that matches."""
        try:
            return _decide(context)
        except Exception:  # the fallback brain must answer whatever a parser does
            log.exception("rule brain failed on a message; steering back")
            try:
                return BrainReply(text=_steer(context))
            except Exception:
                return BrainReply(text="I can help you book a call. When would suit you?")


def _decide(context: BrainContext) -> BrainReply:
    text = _normalize(context.text)
    if not text.strip() or _SUSPICIOUS.search(text):
        return BrainReply(text=_steer(context))
    reading = _read(text, context)
    rest = reading.rest
    if context.awaiting == "cancel_confirm" and _cancel_was_just_asked(context):
        answer = _confirmation(rest)
        if answer is not None:
            return answer
    rescheduling = bool(_RESCHEDULE.search(rest))
    if _CANCEL.search(rest) and not _NEGATED_CANCEL.search(rest) and not rescheduling:
        return BrainReply(tool_calls=(ToolCall(CANCEL, {}),))
    slots = _slot_arguments(reading.when, rest)
    if rescheduling or (_CANT_MAKE.search(rest) and slots):
        if context.appointment:
            return _reply(reading.details, ToolCall(RESCHEDULE, slots))
        if context.offers and not slots:
            return _reply(reading.details, text=_another_day())
        return _reply(reading.details, ToolCall(FIND_SLOTS, slots))
    if _CANT_MAKE.search(rest):
        return BrainReply(tool_calls=(ToolCall(CANCEL, {}),))
    if context.offers:
        choice = _pick_offer(rest, reading.when, context.offers, context.awaiting)
        if choice is not None:
            return _reply(reading.details, ToolCall(BOOK_SLOT, {"choice": choice}))
        if _REJECT.search(rest) and not slots:
            return _reply(reading.details, text=_another_day())
    if context.appointment and _WHEN_IS_MINE.search(rest):
        return _reply(reading.details, text=_your_meeting(context))
    awaited = _awaited_detail(context.awaiting, reading)
    if awaited and context.awaiting not in reading.details:
        # The lead answered the question asked: save it and do not read booking words into it.
        return _reply({**reading.details, **awaited})
    if slots or _BOOKING.search(rest):
        return _reply(reading.details, ToolCall(FIND_SLOTS, slots))
    if reading.details:
        return _reply(reading.details)  # the bot confirms what it saved, and what it refused
    return BrainReply(text=_small_talk(reading, context))


def _reply(details: dict[str, str], call: ToolCall | None = None, text: str = "") -> BrainReply:
    """Details first, then the action, so the action sees the saved details."""
    calls: list[ToolCall] = []
    if details:
        calls.append(ToolCall(SAVE_DETAILS, dict(details)))
    if call is not None:
        calls.append(call)
    return BrainReply(text=text, tool_calls=tuple(calls))


def _normalize(text: str) -> str:
    """NFKC (full-width digits become digits), straight quotes, no invisible or bidi marks."""
    text = unicodedata.normalize("NFKC", text[:_MAX_INPUT])
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _INVISIBLE.sub("", text)


def _read(text: str, context: BrainContext) -> _Reading:
    """Find the explicit details, mask them, strip a leading greeting, and parse the when."""
    details: dict[str, str] = {}
    masked = list(text)

    def mask(start: int, end: int) -> None:
        masked[start:end] = " " * (end - start)

    for token in re.finditer(r"\S+", text):
        word = token.group()
        if _URL.match(word):
            mask(*token.span())
        elif "@" in word:
            core = word.strip(".,;:!?()[]<>\"'")
            if len(core) <= MAX_TEXT and _EMAIL.fullmatch(core):
                details.setdefault("email", core)
                mask(*token.span())
    flat = "".join(masked)
    phone = _find_phone(flat, context)
    if phone is not None:
        details["phone"] = flat[phone[1]:phone[2]].strip()
        mask(phone[0], phone[2])
        flat = "".join(masked)
    for pattern, key, strict in ((_NAME_CUE, "name", False), (_ZONE_STRONG, "timezone", False),
                                 (_ZONE_WEAK, "timezone", True), (_NAME_SAID, "name", True)):
        if key in details:
            continue
        found = _cued_words(pattern, flat, key, strict)
        if found is not None:
            details[key] = found[2]
            mask(found[0], found[1])
            flat = "".join(masked)
    greeting = _GREETING.match(flat)
    rest = flat[greeting.end():] if greeting else flat
    return _Reading(text, rest, bool(greeting), details, _when(rest, context))


def _find_phone(text: str, context: BrainContext) -> tuple[int, int, int] | None:
    """(cue start, number start, number end) of a phone number the lead clearly gave."""
    awaited = context.awaiting == "phone"
    for match in _PHONE.finditer(text):
        number = match.group().strip()
        digits = sum(ch.isdigit() for ch in number)
        if not 7 <= digits <= 15 or _DATE_LIKE.fullmatch(number):
            continue
        cue = _PHONE_CUE.search(text[max(0, match.start() - 40):match.start()])
        alone = not (text[:match.start()] + text[match.end():]).strip(" .,!")
        wanted = "phone" in context.missing
        if awaited or cue or (number.startswith("+") and digits >= 8) or (alone and wanted):
            start = match.start() - (len(cue.group()) if cue else 0)
            return start, match.start(), match.end()
    return None


def _cued_words(pattern: re.Pattern[str], text: str, key: str,
                strict: bool) -> tuple[int, int, str] | None:
    """The words after a cue ("my name is", "I live in"), cut at the first word that is not
    part of a name or place; (span start, span end, words)."""
    for match in pattern.finditer(text):
        kept: list[str] = []
        end = match.start(1)
        offset = re.match(_ZONE_OFFSET, match.group(1), _I)
        words = () if offset else re.finditer(r"\S+", match.group(1))
        if offset:
            kept, end = [offset.group()], match.start(1) + offset.end()
        for word in words:
            clean = word.group().rstrip(".,;:!?")
            digits = any(ch.isdigit() for ch in clean)
            if not clean or clean.lower() in _STOP or (digits and not _ZONE_LIKE.match(clean)):
                break
            kept.append(clean)
            end = match.start(1) + word.start() + len(clean)
            if clean != word.group():
                break
        value = " ".join(kept)
        if not value or len(value) > _NAME_CHARS:
            continue
        if strict and key == "timezone" and not (value[0].isupper() or _ZONE_LIKE.match(value)) \
                and kept[0].lower() in _NOT_PLACE:
            continue
        if strict and key == "name" and kept[0].lower() in _NOT_NAME:
            continue
        if key == "name":
            value = _plain(value, _NAME_CHARS)
        return match.start(), end, value
    return None


def _when(rest: str, context: BrainContext) -> When | None:
    """What the lead said about when; a parser failure only loses the when, not the reply."""
    try:
        return parse_when(rest[:_SCAN_CHARS], context.now)
    except Exception:
        log.warning("date parser failed on a message", exc_info=True)
        return None


def _slot_arguments(when: When | None, rest: str) -> dict[str, Any]:
    """find_slots arguments: the day as an ISO date (a span such as "next week" as said), the
    part of day, the time as HH:MM."""
    if when is None:
        return {}
    out: dict[str, Any] = {}
    span = _SPAN_SAID.search(rest) if when.days > 1 else None
    if span is not None:
        out["day"] = " ".join(span.group().lower().split())
    elif when.day is not None:
        out["day"] = when.day.isoformat()
    if when.part:
        out["part_of_day"] = when.part
    if when.time is not None:
        out["time"] = f"{when.time.hour:02d}:{when.time.minute:02d}"
    return out


def _cancel_was_just_asked(context: BrainContext) -> bool:
    """Whether "cancel your meeting?" is still the open question: a "yes" must not cancel
    because of a question asked, and answered, several messages ago."""
    earlier = context.history[:-1]
    if not earlier or earlier[-1].role is not Role.ASSISTANT:
        return True
    return bool(_CANCEL.search(earlier[-1].content))


def _confirmation(rest: str) -> BrainReply | None:
    """A yes or no to "cancel your meeting?"; None when it is neither."""
    if _CANCEL.search(rest) and not _NEGATED_CANCEL.search(rest):
        return BrainReply(tool_calls=(ToolCall(CANCEL, {"confirm": True}),))
    if _NO.search(rest):
        return BrainReply(text="Okay, your meeting stays as it is.")
    if _YES.search(rest):
        return BrainReply(tool_calls=(ToolCall(CANCEL, {"confirm": True}),))
    return None


def _pick_offer(rest: str, when: When | None, offers: Sequence[str],
                awaiting: str | None) -> int | None:
    """The 1-based offer the lead picked, by number, by words, or by a time (and day) that only
    one offer has; None when it is not a pick."""
    day_said = _DAY_SAID.search(rest) is not None
    wanted = _said_minutes(rest)
    if wanted:
        day = when.day if when is not None and day_said else None
        hits = [i for i, label in enumerate(offers) if _label_minutes(label) in wanted
                and (day is None or _label_day(label) == (day.day, day.month))]
        # A time that fits none or several offers is a new request, not a pick.
        return hits[0] + 1 if len(hits) == 1 else None
    # "friday the 4th" asks for a day and "the 2nd phase of our rollout" is a topic, while
    # "the 2nd one on friday" is a pick: outside short answers, a pick names itself.
    words = len(rest.split())
    short = words <= (3 if awaiting == "notes" else 6)
    if (day_said or not short) and not _PICK_WORD.search(rest):
        return None
    try:
        choice = parse_choice(rest[:_SCAN_CHARS], len(offers))
    except Exception:
        log.warning("choice parser failed on a message", exc_info=True)
        return None
    return choice if choice is not None and 1 <= choice <= len(offers) else None


def _said_minutes(text: str) -> set[int]:
    """Minutes after midnight the lead may mean by a time ("15:00", "3pm", "at 3"); a bare
    hour without am/pm may be either half of the day."""
    match = re.search(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b", text, _I) or re.search(
        r"\b(\d{1,2})[:.](\d{2})\b()", text) or re.search(r"\bat\s+(\d{1,2})\b()()(?![:.]\d)",
                                                          text, _I)
    if match is None:
        return set()
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return set()
    if match[3]:
        if hour > 12:
            return set()
        return {(hour % 12 + (12 if match[3].lower() == "p" else 0)) * 60 + minute}
    if 1 <= hour <= 11 and not match[1].startswith("0"):
        return {hour * 60 + minute, (hour + 12) * 60 + minute}
    return {hour * 60 + minute}


def _label_minutes(label: str) -> int | None:
    """The start time of an offer label, in minutes after midnight."""
    match = _OFFER_TIME.search(label)
    if match is None:
        return None
    hour = int(match[1] or match[4])
    minute = int(match[2] or 0)
    half = (match[3] or match[5] or "").lower()
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return hour * 60 + minute


def _label_day(label: str) -> tuple[int, int] | None:
    """(day of month, month) of an offer label such as "Tue 2 Dec, 15:00 (New York)"."""
    match = _LABEL_DAY.search(label)
    if match is None or match[2].lower() not in _MONTHS:
        return None
    return int(match[1]), _MONTHS.index(match[2].lower()) + 1


def _awaited_detail(awaiting: str | None, reading: _Reading) -> dict[str, str]:
    """The whole message as the detail the bot asked for, when it reads like an answer."""
    if awaiting not in ("name", "timezone", "notes"):
        return {}
    rest = " ".join(reading.rest.split())
    bare = rest.strip(" .,!")
    if (not bare or rest.endswith("?") or bare.startswith("/") or _ACK.fullmatch(bare)
            or _DECLINE.fullmatch(bare) or _THANKS.fullmatch(bare) or _BYE.fullmatch(bare)):
        return {}
    if awaiting == "notes":
        if reading.when is not None and len(bare.split()) <= 4:
            return {}  # "friday afternoon" is a when, not a topic
        return {"notes": bare[:MAX_TEXT]}
    answer = _SAY_PREFIX.sub("", bare).strip(" .,!")
    if not answer or reading.when is not None or _BOOKING.search(answer):
        return {}
    words = answer.replace(",", " ").split()
    if words[0].lower() in _STOP or len(answer) > _NAME_CHARS:
        return {}
    if awaiting == "name":
        # "Anna Smith, CEO at Acme": the name is what comes before the comma.
        name = re.split(r"[,;]|\s-\s", answer)[0].strip()
        return {"name": _plain(name, _NAME_CHARS)} if _WORDS_ONLY.fullmatch(name) else {}
    if len(words) <= 4 and (_ZONE_LIKE.match(answer)
                            or all(re.fullmatch(rf"{_WORD}(?:/{_WORD})*", w) for w in words)):
        return {"timezone": answer}
    return {}


# Wording. Plain text only: the bot sends it as is, so no Markdown or HTML.

def _plain(value: str, limit: int) -> str:
    """Text fit to quote back: markup characters removed, one line, capped."""
    flat = " ".join(_MARKUP.sub("", value).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _agent(context: BrainContext) -> str:
    name = _plain(context.agent_name or "", _NAME_CHARS)
    if name:
        return name
    agency = _plain(context.agency_name or "", _NAME_CHARS)
    return f"the {agency} team" if agency else "our team"


def _first_name(context: BrainContext) -> str:
    words = _plain(context.lead.name or "", _NAME_CHARS).split()
    return f" {words[0][:30]}" if words else ""


def _meeting(context: BrainContext) -> str:
    return _plain(context.appointment or "", _LABEL_CHARS)


def _steer(context: BrainContext) -> str:
    """A polite way back to booking, fitted to where the lead is."""
    agent = _agent(context)
    if context.appointment:
        return (f"I can help with your call with {agent} on {_meeting(context)} - I can move it "
                "or cancel it. What would you like to do?")
    if context.offers:
        return (f"I can help you book a call with {agent}. Tap one of the times above, or tell "
                "me another day that suits you.")
    return f"I can help you book a call with {agent}. When would suit you?"


def _your_meeting(context: BrainContext) -> str:
    return (f"Your call with {_agent(context)} is on {_meeting(context)}. If you need to move or "
            "cancel it, just tell me.")


def _another_day() -> str:
    return "No problem - tell me another day or time that suits you, e.g. 'Thursday morning'."


def _greeting(reading: _Reading, context: BrainContext) -> str:
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
    agency = _plain(context.agency_name or "", _NAME_CHARS)
    me = f"I'm the {agency} booking assistant." if agency else "I'm the booking assistant."
    return (f"{hello} {me} I can find a time for a call with {agent} and book it for you - "
            "just tell me when suits you, e.g. 'tomorrow afternoon'.")


def _help(context: BrainContext) -> str:
    agency = _plain(context.agency_name or "", _NAME_CHARS)
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


def _small_talk(reading: _Reading, context: BrainContext) -> str:
    """Rules 7-10: greeting, thanks/bye/ok, who/what/help, and the steer back."""
    rest = " ".join(reading.rest.split())
    bare = rest.strip(" .,!?;:-")
    if reading.greeted and not bare:
        return _greeting(reading, context)
    if _BYE.search(bare):
        return _goodbye("bye", context)
    if _DECLINE.fullmatch(bare):
        return _goodbye("no", context)
    if _THANKS.search(bare):
        return _goodbye("thanks", context)
    if _ACK.fullmatch(bare):
        return _goodbye("ok", context)
    if _HELP.search(rest):
        return _help(context)
    if reading.greeted:
        return _greeting(reading, context)
    return _steer(context)
