"""Reading one message once: the details it gives, the words that say when, and the rest.

Explicit details (email, phone, name, place) are found first and masked, so that a number in a
phone or a word in a name is never read as a time or a pick.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from bot.conversation.actions import MAX_TEXT
from bot.conversation.brain import BrainContext
from bot.conversation.dates import When, find_when
from bot.domain import Awaiting, clean_text
from bot.i18n import supported
from integrations.rule_brain import patterns as rx
from integrations.rule_brain.languages import in_english

log = logging.getLogger(__name__)

# The date parser and the choice parser see at most this much; a date is said early, and a
# 4,096-character message must not cost more than a short one.
SCAN_CHARS = 600
NAME_CHARS = 60


@dataclass
class Reading:
    """One message read once: what it said explicitly, and the rest with those parts masked."""

    text: str
    rest: str
    """The message without its details and greeting, in English (``languages``)."""
    greeted: bool = False
    details: dict[str, str] = field(default_factory=dict)
    when: When | None = None
    words: str = ""
    """The words that said when ("friday morning"), passed on for the bot to resolve."""
    said: str = ""
    """``rest`` as the lead wrote it, in their language: what a topic or a name is saved as."""


def plain(value: str, limit: int) -> str:
    """Text fit to quote back: markup characters removed, one line, capped."""
    return clean_text(rx.MARKUP.sub("", value), limit, ellipsis="…")


def normalize(text: str) -> str:
    """NFKC (full-width digits become digits), straight quotes, no invisible or bidi marks."""
    text = unicodedata.normalize("NFKC", text[:rx.MAX_INPUT])
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return rx.INVISIBLE.sub("", text)


def read(text: str, context: BrainContext) -> Reading:
    """Find the explicit details, mask them, strip a leading greeting, and parse the when."""
    details: dict[str, str] = {}
    masked = list(text)

    def mask(start: int, end: int) -> None:
        masked[start:end] = " " * (end - start)

    for token in re.finditer(r"\S+", text):
        word = token.group()
        if rx.URL.match(word):
            mask(*token.span())
        elif "@" in word:
            core = word.strip(".,;:!?()[]<>\"'")
            if len(core) <= MAX_TEXT and rx.EMAIL.fullmatch(core):
                details.setdefault("email", core)
                mask(*token.span())
    flat = "".join(masked)
    phone = _find_phone(flat, context)
    if phone is not None:
        details["phone"] = flat[phone[1]:phone[2]].strip()
        mask(phone[0], phone[2])
        flat = "".join(masked)
    for pattern, key, strict in ((rx.NAME_CUE, "name", False),
                                 (rx.ZONE_STRONG, "timezone", False),
                                 (rx.ZONE_WEAK, "timezone", True), (rx.NAME_SAID, "name", True)):
        if key in details:
            continue
        found = _cued_words(pattern, flat, key, strict)
        if found is not None:
            details[key] = found[2]
            mask(found[0], found[1])
            flat = "".join(masked)
    greeting = rx.GREETING.match(flat)
    said = flat[greeting.end():] if greeting else flat
    rest = in_english(said, supported(context.lead.language))
    when, words = _when(rest, context)
    return Reading(text, rest, bool(greeting), details, when, words, said)


def _find_phone(text: str, context: BrainContext) -> tuple[int, int, int] | None:
    """(cue start, number start, number end) of a phone number the lead clearly gave."""
    awaited = context.awaiting is Awaiting.PHONE
    for match in rx.PHONE.finditer(text):
        number = match.group().strip()
        digits = sum(ch.isdigit() for ch in number)
        if not 7 <= digits <= 15 or rx.DATE_LIKE.fullmatch(number):
            continue
        cue = rx.PHONE_CUE.search(text[max(0, match.start() - 40):match.start()])
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
        offset = re.match(rx.ZONE_OFFSET, match.group(1), re.IGNORECASE)
        words = () if offset else re.finditer(r"\S+", match.group(1))
        if offset:
            kept, end = [offset.group()], match.start(1) + offset.end()
        for word in words:
            clean = word.group().rstrip(".,;:!?")
            digits = any(ch.isdigit() for ch in clean)
            if not clean or clean.lower() in rx.STOP or (digits and not rx.ZONE_LIKE.match(clean)):
                break
            kept.append(clean)
            end = match.start(1) + word.start() + len(clean)
            if clean != word.group():
                break
        value = " ".join(kept)
        if not value or len(value) > NAME_CHARS:
            continue
        if strict and key == "timezone" and not (value[0].isupper() or rx.ZONE_LIKE.match(value)) \
                and kept[0].lower() in rx.NOT_PLACE:
            continue
        if strict and key == "name" and kept[0].lower() in rx.NOT_NAME:
            continue
        if key == "name":
            value = plain(value, NAME_CHARS)
        return match.start(), end, value
    return None


def _when(rest: str, context: BrainContext) -> tuple[When | None, str]:
    """What the lead said about when, and the words that said it; a parser failure only loses
    the when, not the reply."""
    try:
        found = find_when(rest[:SCAN_CHARS], context.now)
    except Exception:
        log.warning("date parser failed on a message", exc_info=True)
        return None, ""
    return found if found is not None else (None, "")


def awaited_detail(awaiting: Awaiting | None, reading: Reading) -> dict[str, str]:
    """The whole message as the detail the bot asked for, when it reads like an answer."""
    if awaiting not in (Awaiting.NAME, Awaiting.TIMEZONE, Awaiting.NOTES):
        return {}
    rest = clean_text(reading.rest, rx.MAX_INPUT)  # control characters are no answer
    bare = rest.strip(" .,!")
    if (not bare or rest.endswith("?") or bare.startswith("/") or rx.ACK.fullmatch(bare)
            or rx.DECLINE.fullmatch(bare) or rx.THANKS.fullmatch(bare)
            or rx.BYE.fullmatch(bare)):
        return {}
    # Checked in English, saved as the lead wrote it.
    own = clean_text(reading.said or reading.rest, rx.MAX_INPUT).strip(" .,!")
    if awaiting is Awaiting.NOTES:
        if reading.when is not None and len(bare.split()) <= 4:
            return {}  # "friday afternoon" is a when, not a topic
        notes = clean_text(own, MAX_TEXT)  # control characters alone are no topic
        return {"notes": notes} if notes else {}
    answer = rx.SAY_PREFIX.sub("", own).strip(" .,!")
    if not answer or reading.when is not None or rx.BOOKING.search(answer) \
            or rx.BOOKING.search(bare):
        return {}
    words = answer.replace(",", " ").split()
    if words[0].lower() in rx.STOP or len(answer) > NAME_CHARS:
        return {}
    if awaiting is Awaiting.NAME:
        # "Anna Smith, CEO at Acme": the name is what comes before the comma.
        name = re.split(r"[,;]|\s-\s", answer)[0].strip()
        return {"name": plain(name, NAME_CHARS)} if rx.WORDS_ONLY.fullmatch(name) else {}
    if len(words) <= 4 and (rx.ZONE_LIKE.match(answer)
                            or all(re.fullmatch(rf"{rx.WORD}(?:/{rx.WORD})*", w) for w in words)):
        return {"timezone": answer}
    return {}
