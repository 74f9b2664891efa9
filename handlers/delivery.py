"""Delivery to Telegram: ``OutMessage``s sent through the PTB bot, and the Bot API's ping."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, NetworkError
from telegram.ext import ExtBot

from bot.ports import OutMessage
from bot.services import Ping
from bot.team.controls import COPY_CHAT, COPY_MESSAGE

RESEND_AFTER = 0.5


class TelegramNotifier:
    """Sends ``OutMessage``s through the PTB bot (buttons, contact request, files)."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def send(self, chat_id: int, message: OutMessage) -> None:
        """Send once more after a 5xx or a dropped connection; a bad request is final."""
        markup: Any = None
        if message.buttons:
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                            for b in row] for row in message.buttons])
        elif message.request_contact:
            markup = ReplyKeyboardMarkup(
                [[KeyboardButton("Share my phone number", request_contact=True)]],
                resize_keyboard=True, one_time_keyboard=True)
        elif message.extra.get("remove_keyboard"):
            markup = ReplyKeyboardRemove()
        try:
            await self._send(chat_id, message, markup)
        except BadRequest:
            raise
        except NetworkError:
            # A 5xx or a dropped connection: once more (a timeout may have delivered it already;
            # a rare duplicate beats a lost confirmation).
            await asyncio.sleep(RESEND_AFTER)
            await self._send(chat_id, message, markup)

    async def _send(self, chat_id: int, message: OutMessage, markup: Any) -> None:
        if COPY_MESSAGE in message.extra:
            await self._copy(chat_id, message, markup)
        elif message.attachment is not None:
            await self._bot.send_document(
                chat_id, document=message.attachment.content,
                filename=message.attachment.filename, caption=message.text[:1024],
                reply_markup=markup)
        else:
            await self._bot.send_message(chat_id, message.text[:4096], reply_markup=markup)


    async def _copy(self, chat_id: int, message: OutMessage, markup: Any) -> None:
        """A message of another chat copied along, the text as its caption; a message that
        takes no caption (a sticker, a location) follows the text instead."""
        source, message_id = int(message.extra[COPY_CHAT]), int(message.extra[COPY_MESSAGE])
        try:
            await self._bot.copy_message(chat_id, source, message_id,
                                         caption=message.text[:1024], reply_markup=markup)
        except BadRequest:
            await self._bot.send_message(chat_id, message.text[:4096], reply_markup=markup)
            await self._bot.copy_message(chat_id, source, message_id)


def telegram_ping(token: str, base_url: str) -> Ping:
    """A health ping: the Bot API accepts the token (``getMe``)."""
    async def ping() -> str:
        async with Bot(token, base_url=base_url) as bot:
            return f"token accepted, bot @{bot.username}"
    return ping
