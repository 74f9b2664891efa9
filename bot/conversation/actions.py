"""The tools every brain may call: typed commands, their JSON schemas for OpenAI, and the
validation that turns a model's untrusted JSON arguments into those commands.

``parse_tool_call`` keeps only known keys of the right type, trims and caps strings, and returns
``None`` for anything it cannot use (it never raises). Times stay the lead's own words
("tomorrow", "next tuesday at 15:00"): the conversation resolves them in the lead's zone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.domain import clean_text

FIND_SLOTS = "find_slots"
BOOK_SLOT = "book_slot"
CANCEL = "cancel_appointment"
RESCHEDULE = "reschedule_appointment"
SAVE_DETAILS = "save_lead_details"

TOOL_NAMES = frozenset({FIND_SLOTS, BOOK_SLOT, CANCEL, RESCHEDULE, SAVE_DETAILS})
PARTS_OF_DAY = ("morning", "afternoon", "evening")
DETAIL_FIELDS = ("name", "email", "phone", "timezone", "notes")
MAX_TEXT = 200
MAX_WHEN = 2 * MAX_TEXT + len("  afternoon at 00:00")
"""A model's words for when: the lead's words (or an older call's day), then the part of day
and the time."""
MAX_CHOICE = 10

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_ANSWERS = 20


@dataclass(frozen=True, slots=True)
class FindSlots:
    """Offer free times; ``when`` is the lead's own words for the time ("" for the next free)."""

    when: str = ""
    tool: ClassVar[str] = FIND_SLOTS


@dataclass(frozen=True, slots=True)
class BookSlot:
    """Book the offered time with this number (1-based, as listed to the lead)."""

    choice: int
    tool: ClassVar[str] = BOOK_SLOT


@dataclass(frozen=True, slots=True)
class Cancel:
    """Cancel the lead's upcoming meeting (the conversation asks first)."""

    tool: ClassVar[str] = CANCEL


@dataclass(frozen=True, slots=True)
class Reschedule:
    """Offer new times for the lead's upcoming meeting, near ``when`` if the lead said one."""

    when: str = ""
    tool: ClassVar[str] = RESCHEDULE


@dataclass(frozen=True, slots=True)
class SaveDetails:
    """Details the lead gave about themselves, as said (the conversation checks each)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    timezone: str | None = None
    notes: str | None = None
    answers: tuple[tuple[str, str], ...] = ()
    """Answers to qualifying questions, (key, answer), as the lead gave them."""
    tool: ClassVar[str] = SAVE_DETAILS


ToolCall = FindSlots | BookSlot | Cancel | Reschedule | SaveDetails
"""A tool call from a brain, already validated; ``call.tool`` is its name as the model knows it
(safe to log: it holds no argument)."""


def _function(name: str, description: str, properties: dict[str, Any],
              required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": required or [],
                "additionalProperties": False,
            },
        },
    }


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description, "maxLength": MAX_TEXT}


TOOL_SCHEMAS: list[dict[str, Any]] = [
    _function(
        FIND_SLOTS,
        "Find free meeting times to offer the lead; the bot shows them as numbered buttons. "
        "Never state times yourself.",
        {
            "when": _string("The lead's own words for the time, in English, e.g. \"thurs after "
                            "2\", \"the 14th at 4\", \"not before 10 on friday\", \"asap\". "
                            "Never compute dates. Omit for the next free times."),
        },
    ),
    _function(
        BOOK_SLOT,
        "Book one of the times currently offered to the lead, by its number in the list.",
        {"choice": {"type": "integer", "minimum": 1, "maximum": MAX_CHOICE,
                    "description": "1-based number of the offered time."}},
        ["choice"],
    ),
    _function(CANCEL, "Cancel the lead's upcoming meeting, when the lead asks to.", {}),
    _function(RESCHEDULE, "Move the lead's upcoming meeting to another time, when the lead asks "
              "to; the bot then offers new times.", {}),
    _function(
        SAVE_DETAILS,
        "Save details the lead has just given about themselves.",
        {
            "name": _string("The lead's name."),
            "email": _string("The lead's email address."),
            "phone": _string("The lead's phone number."),
            "timezone": _string('The lead\'s time zone: an IANA zone or a city, e.g. "Berlin".'),
            "notes": _string("What the lead wants to talk about in the meeting."),
            "answers": {"type": "object", "maxProperties": MAX_ANSWERS,
                        "additionalProperties": {"type": "string", "maxLength": MAX_TEXT},
                        "description": "Answers the lead has already given to the qualifying "
                                       "questions listed in the instructions, by their key."},
        },
    ),
]


class _Invalid(Exception):
    """An argument of the wrong type or value; the whole call is refused."""


def _text(value: Any) -> str | None:
    """A trimmed, single-line, capped string; None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid
    # One line keeps newlines out of prompts, logs and agent notifications.
    return clean_text(value, MAX_TEXT) or None


def _when(args: dict[str, Any]) -> str:
    """The lead's words for the time; the older day, part of day and time fields (still
    accepted) are folded into one phrase after them."""
    parts: list[str] = []
    words = _text(args.get("when"))
    if words:
        parts.append(words)
    day = _text(args.get("day"))
    if day:
        parts.append(day)
    part = _text(args.get("part_of_day"))
    if part:
        if part.lower() not in PARTS_OF_DAY:
            raise _Invalid
        parts.append(part.lower())
    time = _text(args.get("time"))
    if time:
        match = _TIME.fullmatch(time)
        if match is None:
            raise _Invalid
        parts.append(f"at {int(match[1]):02d}:{match[2]}")
    return " ".join(parts)


def _find_slots(args: dict[str, Any]) -> FindSlots:
    return FindSlots(_when(args))


def _book_slot(args: dict[str, Any]) -> BookSlot:
    choice = args.get("choice")
    # bool is an int subclass; True must not book option 1.
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= MAX_CHOICE:
        raise _Invalid
    return BookSlot(choice)


def _save_details(args: dict[str, Any]) -> SaveDetails:
    kept = {key: _text(args.get(key)) for key in DETAIL_FIELDS}
    answers = _answers(args.get("answers"))
    if not any(kept.values()) and not answers:
        raise _Invalid
    return SaveDetails(**kept, answers=answers)


def _answers(value: Any) -> tuple[tuple[str, str], ...]:
    """(key, answer) pairs of well-formed keys; the conversation keeps only known ones."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise _Invalid
    pairs = []
    for key, answer in list(value.items())[:MAX_ANSWERS]:
        text = _text(answer) if isinstance(answer, str) else None
        if isinstance(key, str) and _KEY.fullmatch(key) and text:
            pairs.append((key, text))
    return tuple(pairs)


def _cancel(args: dict[str, Any]) -> Cancel:
    return Cancel()


def _reschedule(args: dict[str, Any]) -> Reschedule:
    return Reschedule()  # the model is given no arguments: new times follow, then a tap


_PARSERS: dict[str, Callable[[dict[str, Any]], ToolCall]] = {
    FIND_SLOTS: _find_slots,
    BOOK_SLOT: _book_slot,
    CANCEL: _cancel,
    RESCHEDULE: _reschedule,
    SAVE_DETAILS: _save_details,
}


def parse_tool_call(name: str, raw_arguments: str) -> ToolCall | None:
    """Validate a tool call from a model; None when the tool or its arguments are unusable."""
    parser = _PARSERS.get(name)
    if parser is None:
        return None
    try:
        args = json.loads(raw_arguments) if raw_arguments and raw_arguments.strip() else {}
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(args, dict):
        return None
    try:
        return parser(args)
    except _Invalid:
        return None
