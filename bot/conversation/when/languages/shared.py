"""What the languages' rules share: the clock arithmetic some languages say the other way
round, and the English of a unit word."""

from __future__ import annotations

import re
from collections.abc import Callable

Rules = list[tuple[str, str | Callable[[re.Match[str]], str]]]
"""Ordered (pattern, English) pairs; the English may be a function of the match."""


def quarter_to(m: re.Match[str]) -> str:
    """ "4 menos cuarto", "Viertel vor 4", "quinze para as 4": 3:45 (group ``h``)."""
    return f" {int(m.group('h')) - 1 or 12}:45 "


def half_to(m: re.Match[str]) -> str:
    """German "halb 4": half way *to* four, 3:30 (group ``h``)."""
    return f" {int(m.group('h')) - 1 or 12}:30 "


def unit(word: str, stems: dict[str, str]) -> str:
    """The English unit ("hour", "day") of a unit word, by the stem it starts with."""
    return next(english for stem, english in stems.items() if word.startswith(stem))
