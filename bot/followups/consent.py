"""What a lead says to opt out of (or back into) messages, and the deep link's source.

Only a whole message counts ("stop", "please stop", "don't message me"), so "stop by at 3?" or
"can we start at 10?" are ordinary messages.
"""

from __future__ import annotations

import re

_OUT = re.compile(
    r"(?:please )?(?:stop|unsubscribe|opt out|opt-out|stop all|"
    r"(?:do not|dont|don't) (?:message|text|contact|write to|write|bother) me(?: again| anymore)?|"
    r"stop (?:messaging|texting|contacting|writing to|writing|bothering) me|"
    r"no more messages|leave me alone)(?: please)?(?: thanks| thank you)?")
_IN = re.compile(r"(?:please )?(?:start|/start|start again|restart|resume|subscribe|opt in|"
                 r"unstop|you can message me again)(?: please)?")
_SOURCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Telegram's deep-link payload: up to 64 of these characters."""


def _words(text: str) -> str:
    flat = text.lower().replace("\u2019", "'")
    flat = re.sub(r"[!.,;:?\"()]+", " ", flat)
    return " ".join(flat.split())


def opts_out(text: str) -> bool:
    """Whether the whole message asks the bot to stop messaging."""
    return _OUT.fullmatch(_words(text)) is not None


def opts_in(text: str) -> bool:
    """Whether the whole message asks the bot to start again."""
    return _IN.fullmatch(_words(text)) is not None


def source(payload: str | None) -> str | None:
    """The source of a ``/start <payload>`` deep link, or None when absent or not valid."""
    if payload is None:
        return None
    return payload if _SOURCE.fullmatch(payload) else None
