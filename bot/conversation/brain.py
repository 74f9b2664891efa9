"""The brain port: what a brain sees of one lead (``BrainContext``) and what it answers.

A brain answers with text and/or typed tool calls (``bot.conversation.actions``); the
conversation runs those through the same validated services as a button tap. The port lives
with the conversation because its answers are the conversation's own commands.
Real: OpenAI with function calling. Embedded and fallback: the rule-based brain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.conversation.actions import ToolCall
from bot.domain import Awaiting, Lead, Message


@dataclass(frozen=True, slots=True)
class OfferedTime:
    """A time currently offered to the lead: its number in the list, the slot, and the label
    the lead was shown (in the lead's zone)."""

    number: int
    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True, slots=True)
class UpcomingMeeting:
    """The lead's next booked meeting, and its label in the lead's zone."""

    start: datetime
    end: datetime
    label: str


@dataclass(frozen=True, slots=True)
class BrainContext:
    """Everything a brain may see for one reply. Nothing of other leads is ever in here."""

    lead: Lead
    history: Sequence[Message]
    """The last messages of this lead, oldest first, the current inbound one last."""
    now: datetime
    """Now, in the lead's zone (the agent's zone while the lead's is unknown)."""
    agency_name: str
    agent_name: str | None = None
    offers: Sequence[OfferedTime] = ()
    """The slots currently offered, numbered from 1 in this order."""
    appointment: UpcomingMeeting | None = None
    """The lead's upcoming booked meeting, if any."""
    missing: tuple[str, ...] = ()
    """Lead details still missing, by tool argument name (``name``, ``phone``...)."""
    questions: tuple[tuple[str, str], ...] = ()
    """Qualifying questions not answered yet, (key, question): the bot asks them itself; a
    brain may save an answer the lead gave unprompted."""

    @property
    def text(self) -> str:
        """The lead's current message."""
        return self.history[-1].content if self.history else ""

    @property
    def awaiting(self) -> Awaiting | None:
        """What the bot last asked the lead for and waits on."""
        return self.lead.awaiting


@dataclass(frozen=True, slots=True)
class BrainReply:
    """What a brain answers: text for the lead and/or tool calls."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()


class Brain(Protocol):
    """Turns the conversation so far into a reply and/or tool calls."""

    async def reply(self, context: BrainContext) -> BrainReply:
        """Answer the lead's latest message."""
        ...
