"""A message the lead edited is answered again only when what it asks for changed.

Two readings of the message, before and after the edit, are compared by what the replies would
do: their tool calls, with the lead's words for when resolved ("tomorow" and "tomorrow" are one
day), and their text. A typo fixed means the same and gets no second answer.
"""

from __future__ import annotations

from datetime import datetime

from bot.conversation.actions import FindSlots, Reschedule, ToolCall
from bot.conversation.brain import BrainReply
from bot.conversation.dates import When, parse_when


def meaning(reply: BrainReply, now: datetime) -> tuple[str, tuple[object, ...]]:
    """What a reply says and does, with times resolved at ``now`` (aware, the lead's zone)."""
    return " ".join(reply.text.split()), tuple(_resolved(call, now) for call in reply.tool_calls)


def _resolved(call: ToolCall, now: datetime) -> object:
    if isinstance(call, FindSlots | Reschedule):
        when: When | None = parse_when(call.when, now) if call.when else None
        return type(call), when
    return call
