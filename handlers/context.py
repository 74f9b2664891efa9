"""The handlers' typed context: the services and what the application keeps between updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.conversation.service import Sender
from bot.services import Services


class UnexpectedUpdateError(Exception):
    """An update lacks what its handler's filter promised (a user, a chat, a text)."""


@dataclass
class BotData:
    """PTB's ``bot_data``, typed: the services once ``post_init`` built them."""

    services: Services | None = None
    conflict: bool = False
    """Another instance polls the same token: this one stops (exit code 1)."""


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The handlers' context, with the services typed."""

    @property
    def services(self) -> Services:
        """The services ``post_init`` built; refuses before that."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not ready")
        return services


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData,
                     JobQueue[BotContext]]


def chat_of(update: Update) -> int:
    """The id of the chat an update came from."""
    chat = update.effective_chat
    if chat is None:
        raise UnexpectedUpdateError("an update without a chat")
    return chat.id


def sender_of(update: Update) -> Sender:
    """The Telegram user and chat behind an update."""
    user = update.effective_user
    if user is None:
        raise UnexpectedUpdateError("an update without a user")
    return Sender(user.id, chat_of(update), user.first_name, user.last_name,
                  user.language_code)
