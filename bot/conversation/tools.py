"""The brain's tool calls, acted on: one handler per command type, through the same validated
services as a button tap, so the brain can never book by itself."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.conversation import wording
from bot.conversation.actions import BookSlot, Cancel, FindSlots, Reschedule, SaveDetails, ToolCall
from bot.conversation.appointments import Appointments, Intent
from bot.conversation.brain import BrainContext, BrainReply
from bot.conversation.profile import Profile
from bot.conversation.qualifying import Qualifying
from bot.conversation.turn import Turn
from bot.domain import Awaiting
from bot.errors import BotError
from bot.observability.metrics import Metrics
from bot.ports import OutMessage

log = logging.getLogger(__name__)
MAX_TOOL_CALLS = 4

_Tool = Callable[[Turn, Any, BrainContext], Awaitable[None]]


class Tools:
    """Acts on the brain's reply: its words said, its tool calls run (a few at most)."""

    def __init__(self, appointments: Appointments, profile: Profile, qualifying: Qualifying,
                 metrics: Metrics) -> None:
        self._appointments = appointments
        self._profile = profile
        self._qualifying = qualifying
        self._metrics = metrics
        # What each tool call does: one handler per command type.
        self._tools: dict[type[ToolCall], _Tool] = {
            FindSlots: self._find_slots,
            BookSlot: self._book_slot,
            Cancel: self._cancel,
            Reschedule: self._reschedule,
            SaveDetails: self._save_details,
        }

    async def act(self, turn: Turn, reply: BrainReply, context: BrainContext) -> None:
        """Say the brain's words and run its tool calls; a failed tool is a polite line."""
        text = reply.text.strip()
        if text:
            turn.say(text)
        for call in reply.tool_calls[:MAX_TOOL_CALLS]:
            try:
                await self._tools[type(call)](turn, call, context)
            except BotError as err:
                self._metrics.incr("errors.tool")
                log.warning("tool %s failed: %s", call.tool, err)
                turn.say(wording.TOOL_FAILED)
        if not turn.messages:
            turn.say(wording.ASK_WHEN)
        elif text and len(turn.messages) > 1 and not turn.messages[0].buttons:
            # The brain's words lead the tool's message, sent as one.
            first, second = turn.messages[0], turn.messages[1]
            turn.messages[0:2] = [OutMessage(f"{first.text}\n\n{second.text}", second.buttons,
                                             second.request_contact, second.attachment,
                                             first.extra | second.extra)]

    # ----- one handler per command ----------------------------------------------------------

    async def _find_slots(self, turn: Turn, call: FindSlots, context: BrainContext) -> None:
        # Asked "move it, or book another?", a lead who asks for times without saying "move"
        # wants another: the question is asked once.
        intent = Intent.NEW if context.awaiting is Awaiting.MOVE_OR_NEW else Intent.UNSURE
        await self._appointments.offer_times(turn, call.when, intent=intent)

    async def _book_slot(self, turn: Turn, call: BookSlot, context: BrainContext) -> None:
        await self._appointments.book_choice(turn, call.choice)

    async def _cancel(self, turn: Turn, call: Cancel, context: BrainContext) -> None:
        # A cancel is asked first; the call that answers the question is the yes.
        await self._appointments.ask_cancel(
            turn, confirmed=context.awaiting is Awaiting.CANCEL_CONFIRM)

    async def _reschedule(self, turn: Turn, call: Reschedule, context: BrainContext) -> None:
        await self._appointments.reschedule(turn, call.when)

    async def _save_details(self, turn: Turn, call: SaveDetails, context: BrainContext) -> None:
        await self._profile.save(turn, call)
        if call.answers:
            await self._qualifying.fill(turn, dict(call.answers))
