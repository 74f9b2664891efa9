"""The agent's buttons (Take over, No-show, Cancel, Move, Hand back): answered at once, then
checked by the team's controls; a stale or forged tap gets a clear answer and changes nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.ports import OutMessage
from bot.team import controls, wording
from bot.team.access import Actor, Refused
from bot.team.controls import Verb
from bot.team.service import TeamService
from handlers.context import BotContext, UnexpectedUpdateError, chat_of, sender_of
from handlers.delivery import TelegramNotifier

_Action = Callable[[TeamService, Actor, int], Awaitable[OutMessage]]
_ACTIONS: dict[Verb, _Action] = {
    Verb.TAKE_OVER: lambda team, actor, n: team.takeover.take_over_meeting(actor, n),
    Verb.HAND_BACK: lambda team, actor, n: team.takeover.hand_back(actor, n),
    Verb.NO_SHOW: lambda team, actor, n: team.meetings.no_show(actor, n),
    Verb.CANCEL: lambda team, actor, n: team.meetings.ask_cancel(actor, n),
    Verb.CONFIRM_CANCEL: lambda team, actor, n: team.meetings.cancel(actor, n),
    Verb.KEEP: lambda team, actor, n: team.meetings.keep(actor, n),
    Verb.MOVE: lambda team, actor, n: team.meetings.move(actor, n),
}
_ONE_TAP = frozenset({Verb.CONFIRM_CANCEL, Verb.KEEP})
"""The answer to a question: its buttons go once tapped."""


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the button handler (before the lead's catch-all one)."""
    application.add_handler(CallbackQueryHandler(tap, pattern=f"^{controls.PREFIX}"))


async def tap(update: Update, context: BotContext) -> None:
    """One of the team's buttons."""
    query = update.callback_query
    if query is None:
        raise UnexpectedUpdateError("a button update without a callback query")
    team = context.services.team
    actor = await team.access.actor(sender_of(update).telegram_id)
    parsed = controls.parse(query.data or "")
    refusal = (wording.NOT_FOR_YOU if not actor.on_team
               else wording.STALE if parsed is None else None)
    with contextlib.suppress(TelegramError):
        await query.answer(refusal)
    if refusal is not None or parsed is None:
        if actor.on_team:
            await context.bot.send_message(chat_of(update), refusal or wording.STALE)
        return
    if parsed.verb in _ONE_TAP and query.message is not None:
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
    try:
        reply = await _ACTIONS[parsed.verb](team, actor, parsed.id)
    except Refused as err:
        reply = OutMessage(str(err))
    await TelegramNotifier(context.bot).send(chat_of(update), reply)
