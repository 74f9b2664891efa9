"""Time words in the other languages, said again in the English the parser reads.

Each language module lists ordered rules (a pattern and its English), the longer and more
specific phrases first: "pasado mañana" before "mañana", "por la mañana" before both. The
result is only ever read by the parser (and passed on as the words that said when), so it
may be plain, even clumsy, English; what matters is that it reads as the same ``When``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from bot.conversation.when.languages import de, es, fr, pt, ru
from bot.conversation.when.languages.shared import Rules

_RULES: dict[str, Rules] = {"es": es.RULES, "de": de.RULES, "fr": fr.RULES,
                                 "pt": pt.RULES, "ru": ru.RULES}


@cache
def _compiled(language: str) -> tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]],
                                      ...]:
    return tuple((re.compile(pattern), english) for pattern, english in _RULES[language])


def to_english(text: str, language: str) -> str:
    """``text`` (lower case) with the time words of ``language`` said in English; English and
    languages without rules come back as they are."""
    if language not in _RULES:
        return text
    for pattern, english in _compiled(language):
        text = pattern.sub(english, text)
    return " ".join(text.split())

