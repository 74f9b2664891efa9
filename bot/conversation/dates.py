"""When a lead wants to meet, and which offered time a lead picks.

The parser of times lives in ``bot.conversation.when`` (its conventions are written at the top of
``when/parser.py``); this module keeps the names callers use and the choice parser.
"""

from __future__ import annotations

import re

from bot.conversation.when import PARTS, When, find_when, parse_when
from bot.conversation.when.lexicon import MONTHS as _MONTHS
from bot.conversation.when.lexicon import WEEKDAYS as _WEEKDAYS

__all__ = ["PARTS", "When", "find_when", "parse_choice", "parse_when"]

_ORDINAL_SUFFIX = r"(?:st|nd|rd|th)"
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
_ORDINAL = (
    rf"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|\d{{1,2}}{_ORDINAL_SUFFIX}"
)
_NUMBER_WORD = r"one|two|three|four|five|six|seven|eight|nine|ten"
_CHOICE_MARKED = re.compile(
    rf"(?:#|\bno\.|\bnr\.?|\bnumber|\boption|\bslot|\bchoice)\s*#?\s*(?P<n>\d{{1,2}}|{_NUMBER_WORD})\b"
    r"(?!\s*(?:[:.]\d|[ap]\.?m\b|o'?clock))"
)
_CHOICE_ORDINAL = re.compile(
    rf"\b(?P<the>the\s+)?(?P<ord>{_ORDINAL})\b(?P<noun>\s+(?:one|option|slot|choice)\b)?"
)
_CHOICE_WORD = re.compile(rf"#?\d{{1,2}}|{_ORDINAL}|{_NUMBER_WORD}")
# "the first week", "the 2nd of december", "the last time": not picks.
_NOT_A_CHOICE_NEXT = re.compile(
    rf"\s+(?:of|week|weekend|days?|month|hour|half|time|thing|quarter|round|place|{_WEEKDAYS}"
    rf"|{_MONTHS})\b"
)
_MONTH_BEFORE = re.compile(rf"(?:^|[^a-z])(?:{_MONTHS})\.?\s*$")
_FILLERS = frozenset(
    (
        "please", "pls", "plz", "thanks", "thank", "you", "thx", "ok", "okay", "i", "i'll",
        "ill", "i'd", "id", "take", "lets", "let's", "do", "go", "with", "book", "the", "want",
        "pick", "choose", "like", "would", "prefer", "works", "work", "sounds", "good", "great",
        "perfect", "yes", "yeah", "yep", "sure", "that", "this", "is", "fine", "for", "me", "it",
        "then", "and", "a", "hmm", "oh", "um", "let", "have", "option", "number", "slot", "choice",
    )
)


def parse_choice(text: str, count: int) -> int | None:
    """The 1-based option a lead picks in words ("2", "#2", "the second one", "last"), else None."""
    low = _normalise(text)
    picks: set[int] = set()
    for m in _CHOICE_MARKED.finditer(low):
        picks.add(_choice_value(m.group("n"), count))
    for m in _CHOICE_ORDINAL.finditer(low):
        named = m.group("noun") or (m.group("the") and not _NOT_A_CHOICE_NEXT.match(low, m.end()))
        # "december 2nd" is a date; a month name and its dot fit in the 16 characters before.
        if named and not _MONTH_BEFORE.search(low[max(0, m.start() - 16) : m.start()]):
            picks.add(_choice_value(m.group("ord"), count))
    words = [w.strip(".,!?;:)(\"'") for w in low.split()]
    rest = [w for w in words if w and w not in _FILLERS]
    if len(rest) == 1 and _CHOICE_WORD.fullmatch(rest[0]):
        picks.add(_choice_value(rest[0].lstrip("#"), count))
    if len(picks) != 1:
        return None  # nothing, or contradicting picks
    (pick,) = picks
    return pick if 1 <= pick <= count else None


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def _choice_value(word: str, count: int) -> int:
    if word == "last":
        return count
    if word in _ORDINALS:
        return _ORDINALS[word]
    if word in _WORD_NUMBERS:
        return _WORD_NUMBERS[word]
    return int(word.rstrip("stndrh"))
