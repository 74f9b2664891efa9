"""Which offered time the lead picked: by number, by words, or by a time (and day) only one
offer has. Offers are matched by their start in the lead's zone, never by their labels."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import tzinfo

from bot.conversation.brain import OfferedTime
from bot.conversation.dates import When, parse_choice
from bot.domain import Awaiting
from integrations.rule_brain import patterns as rx
from integrations.rule_brain.reading import SCAN_CHARS

log = logging.getLogger(__name__)


def pick_offer(rest: str, when: When | None, offers: Sequence[OfferedTime],
               awaiting: Awaiting | None, zone: tzinfo | None) -> int | None:
    """The number of the offer the lead picked; None when it is not a pick."""
    day_said = rx.DAY_SAID.search(rest) is not None
    wanted = _said_minutes(rest)
    if wanted:
        day = when.day if when is not None and day_said else None
        hits = []
        for offer in offers:
            local = offer.start.astimezone(zone)
            if local.hour * 60 + local.minute in wanted and (day is None or local.date() == day):
                hits.append(offer.number)
        # A time that fits none or several offers is a new request, not a pick.
        return hits[0] if len(hits) == 1 else None
    # "friday the 4th" asks for a day and "the 2nd phase of our rollout" is a topic, while
    # "the 2nd one on friday" is a pick: outside short answers, a pick names itself.
    words = len(rest.split())
    short = words <= (3 if awaiting is Awaiting.NOTES else 6)
    if (day_said or not short) and not rx.PICK_WORD.search(rest):
        return None
    try:
        choice = parse_choice(rest[:SCAN_CHARS], len(offers))
    except Exception:
        log.warning("choice parser failed on a message", exc_info=True)
        return None
    if choice is None or not 1 <= choice <= len(offers):
        return None
    return offers[choice - 1].number


def _said_minutes(text: str) -> set[int]:
    """Minutes after midnight the lead may mean by a time ("15:00", "3pm", "at 3"); a bare
    hour without am/pm may be either half of the day."""
    match = re.search(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\b", text, re.IGNORECASE) \
        or re.search(r"\b(\d{1,2})[:.](\d{2})\b()", text) \
        or re.search(r"\bat\s+(\d{1,2})\b()()(?![:.]\d)", text, re.IGNORECASE)
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
