"""The tools every brain may call, their JSON schemas, and the validation of a call's arguments.

The model's arguments are untrusted input: ``parse_tool_call`` keeps only known keys of the right
type, trims and caps strings, and returns ``None`` for anything it cannot use (it never raises).
Dates stay phrases ("tomorrow", "next tuesday"): the bot resolves them in the lead's zone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.domain import ToolCall

FIND_SLOTS = "find_slots"
BOOK_SLOT = "book_slot"
CANCEL = "cancel_appointment"
RESCHEDULE = "reschedule_appointment"
SAVE_DETAILS = "save_lead_details"

TOOL_NAMES = frozenset({FIND_SLOTS, BOOK_SLOT, CANCEL, RESCHEDULE, SAVE_DETAILS})
PARTS_OF_DAY = ("morning", "afternoon", "evening")
DETAIL_FIELDS = ("name", "email", "phone", "timezone", "notes")
MAX_TEXT = 200
MAX_CHOICE = 10

_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


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


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description, "maxLength": MAX_TEXT}


TOOL_SCHEMAS: list[dict[str, Any]] = [
    _function(
        FIND_SLOTS,
        "Find free meeting times to offer the lead; the bot shows them as numbered buttons. "
        "Never state times yourself.",
        {
            "day": _text('The day exactly as the lead said it, e.g. "tomorrow", '
                         '"next tuesday", "2026-12-02". Omit for the next free days.'),
            "part_of_day": {"type": "string", "enum": list(PARTS_OF_DAY),
                            "description": "Part of the day the lead prefers."},
            "time": {"type": "string", "pattern": "^[0-2]?[0-9]:[0-5][0-9]$",
                     "description": 'Preferred start time "HH:MM" in the lead\'s time.'},
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
            "name": _text("The lead's name."),
            "email": _text("The lead's email address."),
            "phone": _text("The lead's phone number."),
            "timezone": _text('The lead\'s time zone: an IANA zone or a city, e.g. "Berlin".'),
            "notes": _text("What the lead wants to talk about in the meeting."),
        },
    ),
]


class _Invalid(Exception):
    """An argument of the wrong type or value; the whole call is refused."""


def _clean_text(value: Any) -> str | None:
    """A trimmed, single-line, capped string; None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid
    # Collapsing whitespace keeps newlines out of prompts, logs and agent notifications.
    text = " ".join(value.split())[:MAX_TEXT].strip()
    return text or None


def _find_slots(args: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    day = _clean_text(args.get("day"))
    if day:
        out["day"] = day
    part = _clean_text(args.get("part_of_day"))
    if part:
        if part.lower() not in PARTS_OF_DAY:
            raise _Invalid
        out["part_of_day"] = part.lower()
    time = _clean_text(args.get("time"))
    if time:
        match = _TIME.fullmatch(time)
        if match is None:
            raise _Invalid
        out["time"] = f"{int(match[1]):02d}:{match[2]}"
    return out


def _book_slot(args: dict[str, Any]) -> dict[str, Any]:
    choice = args.get("choice")
    # bool is an int subclass; True must not book option 1.
    if isinstance(choice, bool) or not isinstance(choice, int) or not 1 <= choice <= MAX_CHOICE:
        raise _Invalid
    return {"choice": choice}


def _save_details(args: dict[str, Any]) -> dict[str, Any]:
    out = {key: _clean_text(args.get(key)) for key in DETAIL_FIELDS}
    kept = {key: value for key, value in out.items() if value}
    if not kept:
        raise _Invalid
    return kept


def _no_arguments(args: dict[str, Any]) -> dict[str, Any]:
    return {}


_PARSERS = {
    FIND_SLOTS: _find_slots,
    BOOK_SLOT: _book_slot,
    CANCEL: _no_arguments,
    RESCHEDULE: _no_arguments,
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
        return ToolCall(name, parser(args))
    except _Invalid:
        return None
