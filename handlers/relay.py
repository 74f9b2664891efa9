"""What an agent writes while taking a lead over goes to that lead as it is (text, photos,
documents: Telegram copies the message), and is stored as the agent's words.

Registered before the lead's handlers, it sees every new private message that is not a command
or a contact; whatever is not an agent's message to a lead they took over goes on to the lead
handlers, as it would have without this module.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, MessageHandler, filters

from bot.team import wording
from bot.team.access import Refused
from handlers import lead
from handlers.context import BotContext, UnexpectedUpdateError, chat_of, sender_of

MESSAGES = (filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
            & ~filters.CONTACT & ~filters.StatusUpdate.ALL)


EDITS = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & lead.WORDS


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the relay of the agents' messages (and of their edits: sent again as edited)."""
    application.add_handler(MessageHandler(MESSAGES, relay))
    application.add_handler(MessageHandler(EDITS, relay_edit))


async def relay_edit(update: Update, context: BotContext) -> None:
    """An agent's edit while taking a lead over: the lead gets the message as it is now."""
    if not await _relayed(update, context):
        await lead.edited(update, context)


async def relay(update: Update, context: BotContext) -> None:
    """An agent's message to the lead they took over; anything else to the lead handlers."""
    if await _relayed(update, context):
        return
    message = update.effective_message
    words = message is not None and bool(message.text or message.caption)
    await (lead.text if words else lead.other)(update, context)


async def _relayed(update: Update, context: BotContext) -> bool:
    """Copy an agent's message to the lead they took over; False when it is not one."""
    message = update.effective_message
    if message is None:
        raise UnexpectedUpdateError("a message update without a message")
    team = context.services.team
    actor = await team.access.actor(sender_of(update).telegram_id)
    target = None
    if actor.agent is not None:
        try:
            target = await team.takeover.recipient(actor, _replied_to(message, context.bot.id))
        except Refused as err:
            await context.bot.send_message(chat_of(update), str(err))
            return True
    if target is None:
        return False
    # Stored first, as a lead's message is: the AI's history has it whatever happens next.
    await team.takeover.said(target, message.text or message.caption
                             or wording.relayed_kind(_kind(message)))
    try:
        await context.bot.copy_message(target.chat_id, chat_of(update), message.message_id)
    except TelegramError:
        await context.bot.send_message(chat_of(update), wording.not_delivered(target))
    return True


def _replied_to(message: Message, bot_id: int) -> str | None:
    """The words of the bot's message the agent replied to (a relayed one names its lead)."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id:
        return None
    return replied.text or replied.caption


def _kind(message: Message) -> str:
    return next((kind for kind in ("photo", "document", "video", "voice", "sticker", "audio")
                 if getattr(message, kind)), "message")
