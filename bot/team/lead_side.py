"""What the team's controls need of the conversation with a lead (a port: the conversation
service fits it), so every change to a lead goes through the conversation's one writer and
every lead-facing word stays in the conversation's wording."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from bot.domain import Appointment, Lead
from bot.ports import OutMessage


class Reoffer(StrEnum):
    """Why the lead is offered new times by the team's hand."""

    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    MOVE = "move"


class LeadSide(Protocol):
    async def set_lead(self, lead_id: int, **fields: object) -> Lead:
        """Store these changes to the lead, seen at once by the conversation."""
        ...

    async def reoffer(self, lead: Lead, why: Reoffer, about: Appointment) -> list[OutMessage]:
        """What the lead is told about ``about`` with fresh times (stored as the bot's)."""
        ...
