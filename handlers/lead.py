"""Lead-facing handlers: parse the update, call the conversation, send the replies. Thin."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.conversation.service import OFFER_PREFIX
from bot.i18n import _, speaking
from bot.ports import OutMessage
from handlers.context import BotContext, UnexpectedUpdateError, chat_of, sender_of
from handlers.delivery import TelegramNotifier
from handlers.ordering import ChatOrderedProcessor
from handlers.throttle import Verdict

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
NEW = PRIVATE & filters.UpdateType.MESSAGE
"""A new message in a private chat; an edit of one comes as an ``edited_message``."""
WORDS = filters.TEXT | filters.CAPTION
"""A message with words to read: a text, or the caption of a photo, document, video..."""
TYPING_AFTER = 0.25
"""Seconds into a turn with the AI before "typing…" is shown (a quicker reply goes without)."""
LEAD_TEXT = NEW & filters.TEXT & ~filters.COMMAND
"""A lead's typed line (``text`` takes it): its update is claimed as the line is stored, in one
write, instead of on its own first."""


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the lead handlers (and the duplicate-update guard) to the application."""
    application.add_handler(TypeHandler(Update, claim_update), group=-1)
    application.add_handler(CommandHandler("start", start, filters=NEW))
    application.add_handler(CommandHandler(["cancel", "reschedule", "times", "stop"], command,
                                           filters=NEW))
    application.add_handler(CommandHandler("forget", forget, filters=NEW))
    application.add_handler(MessageHandler(NEW & filters.CONTACT, contact))
    application.add_handler(MessageHandler(NEW & WORDS, text))
    application.add_handler(MessageHandler(
        PRIVATE & filters.UpdateType.EDITED_MESSAGE & WORDS, edited))
    application.add_handler(CallbackQueryHandler(tap))
    application.add_handler(MessageHandler(NEW & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                           other))


async def claim_update(update: Update, context: BotContext) -> None:
    """An update id seen before (redelivered after a restart) is not handled again."""
    if LEAD_TEXT.check_update(update):
        return  # claimed by ``text`` with the line it brings
    if not await claim(update, context):
        raise ApplicationHandlerStop


async def claim(update: Update, context: BotContext) -> bool:
    """Claim the update now: False when it was handled before. A handler other than ``text``
    that takes a ``LEAD_TEXT`` update (the agents' relay) claims it with this first."""
    if await context.services.store.updates.claim(update.update_id):
        return True
    context.services.metrics.incr("updates.duplicate")
    return False


async def _answer(update: Update, context: BotContext, started: float,
                  work: Callable[[], Awaitable[list[OutMessage]]]) -> None:
    messages = await work()
    processor = context.application.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        processor.release(update)
    notifier = TelegramNotifier(context.bot)
    chat = chat_of(update)
    for message in messages:
        try:
            await notifier.send(chat, message)
        except TelegramError as err:
            # The turn is done and stored (a booking stands): send the rest, don't apologise.
            context.services.metrics.incr("errors.send")
            log.warning("a reply to chat %s was not delivered: %s", chat, type(err).__name__)
    context.services.metrics.observe("response", time.perf_counter() - started)


async def start(update: Update, context: BotContext) -> None:
    """/start, or ``/start <source>`` from a deep link."""
    started = time.perf_counter()
    payload = context.args[0] if context.args else None
    await _answer(update, context, started,
                  lambda: context.services.conversation.start(sender_of(update), payload))


async def forget(update: Update, context: BotContext) -> None:
    """/forget: the lead's personal data erased."""
    started = time.perf_counter()
    await _answer(update, context, started,
                  lambda: context.services.conversation.forget(sender_of(update)))


async def command(update: Update, context: BotContext) -> None:
    """/cancel, /reschedule, /times, /stop."""
    started = time.perf_counter()
    name = _text_of(update).text.split()[0].lstrip("/").split("@")[0].lower()
    await _answer(update, context, started,
                  lambda: context.services.conversation.command(sender_of(update), name))


async def text(update: Update, context: BotContext) -> None:
    """Any typed message (unknown /commands included) or caption: the brain answers."""
    started = time.perf_counter()
    message = _text_of(update)
    chat = chat_of(update)
    processor = context.application.update_processor
    verdict = (processor.verdict(update) if isinstance(processor, ChatOrderedProcessor)
               else Verdict(True))
    claim = update.update_id if LEAD_TEXT.check_update(update) else None
    if not verdict.allowed:
        await _answer(update, context, started, lambda: context.services.conversation.throttled(
            sender_of(update), message.text, warn=verdict.warn,
            telegram_message_id=message.message_id, update_id=claim))
        return
    typing = None
    if context.services.conversation.thinks_slowly:
        # "typing…" only when the AI will take a while, and only once the turn is under way:
        # the update's own work (and the AI request) goes first, and a reply that is ready by
        # then needs no "typing…" at all.
        typing = context.application.create_task(_typing(context, chat), update=update)
    try:
        await _answer(update, context, started, lambda: context.services.conversation.text(
            sender_of(update), message.text, message.message_id, media=message.media,
            update_id=claim))
    finally:
        if typing is not None:
            typing.cancel()


async def _typing(context: BotContext, chat: int) -> None:
    await asyncio.sleep(TYPING_AFTER)
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat, ChatAction.TYPING)


async def edited(update: Update, context: BotContext) -> None:
    """An edited message: the stored text follows; an answer only if the meaning changed."""
    started = time.perf_counter()
    message = _text_of(update)
    processor = context.application.update_processor
    verdict = (processor.verdict(update) if isinstance(processor, ChatOrderedProcessor)
               else Verdict(True))
    await _answer(update, context, started, lambda: context.services.conversation.edited(
        sender_of(update), message.text, message.message_id, answer=verdict.allowed))


async def contact(update: Update, context: BotContext) -> None:
    """A shared contact."""
    started = time.perf_counter()
    message = update.effective_message
    if message is None or message.contact is None:
        raise UnexpectedUpdateError("a contact update without a contact")
    shared = message.contact
    await _answer(update, context, started, lambda: context.services.conversation.contact(
        sender_of(update), shared.phone_number, shared.user_id))


async def tap(update: Update, context: BotContext) -> None:
    """An inline button: immediate feedback, then the conversation decides."""
    started = time.perf_counter()
    query = update.callback_query
    if query is None:
        raise UnexpectedUpdateError("a button update without a callback query")
    data = query.data or ""
    booking = data.startswith(OFFER_PREFIX)
    # Feedback only: a tap answered late (e.g. after a restart) must still be handled.
    with contextlib.suppress(TelegramError), speaking(query.from_user.language_code):
        await query.answer(_("Booking…") if booking else None)
    if query.message is not None and update.effective_chat is not None:
        # Take the buttons off the message tapped, so the same offer cannot be tapped again
        # (it may fail: already edited, too old to edit, or the network).
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(reply_markup=None)
    if update.effective_chat is None or update.effective_user is None:
        return
    await _answer(update, context, started,
                  lambda: context.services.conversation.tap(sender_of(update), data))
    if booking:
        context.services.metrics.observe("booking", time.perf_counter() - started)


_KINDS = ((filters.Sticker.ALL, "sticker"), (filters.PHOTO, "photo"),
          (filters.VOICE, "voice message"),
          (filters.VIDEO | filters.VIDEO_NOTE, "video"), (filters.LOCATION, "location"),
          (filters.Document.ALL, "document"), (filters.AUDIO, "audio file"),
          (filters.POLL, "poll"))


async def other(update: Update, context: BotContext) -> None:
    """Anything that is not text: a short polite answer, never silence."""
    started = time.perf_counter()
    kind = next((name for f, name in _KINDS if f.check_update(update)), "message")
    message = update.effective_message
    message_id = message.message_id if message is not None else None
    await _answer(update, context, started, lambda: context.services.conversation.unsupported(
        sender_of(update), kind, message_id))


@dataclass(frozen=True, slots=True)
class _Text:
    text: str
    message_id: int
    media: bool = False
    """The words are a caption: a photo, a document... came with them."""


def _text_of(update: Update) -> _Text:
    message = update.effective_message
    words = None if message is None else message.text or message.caption
    if message is None or words is None:
        raise UnexpectedUpdateError("a text update without a text")
    return _Text(words, message.message_id, media=message.text is None)
