"""The fake Bot API server works with the real python-telegram-bot: polling, replies, faults."""

import asyncio
import datetime as dtm
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeTelegram

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")

LEAD = 4242
REPORT = b"%PDF-1.4 fake report \x00\xff bytes"


class EchoBot:
    """A tiny bot: echoes text, offers a button on /start, sends a file on /doc."""

    def __init__(self) -> None:
        self.seen_update_ids: list[int] = []

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply with the same text."""
        assert update.effective_message is not None and update.effective_message.text
        self.seen_update_ids.append(update.update_id)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Offer one inline button."""
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Slot A", callback_data="pick:a")]])
        await update.effective_message.reply_text("Pick a slot", reply_markup=keyboard)

    async def doc(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send a generated file."""
        assert update.effective_message is not None
        await update.effective_message.reply_document(REPORT, filename="report.pdf",
                                                       caption="Your report")

    async def pick(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the tap and replace the buttons with the choice."""
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer(text="Booked!")
        await query.edit_message_text(f"You picked {query.data.removeprefix('pick:')}")


@asynccontextmanager
async def running_bot(fake: FakeTelegram, bot: EchoBot,
                      rate_limiter: AIORateLimiter | None = None,
                      ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run the real PTB Application against the fake with manual lifecycle."""
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot"))
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("start", bot.start))
    app.add_handler(CommandHandler("doc", bot.doc))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, bot.echo))
    app.add_handler(CallbackQueryHandler(bot.pick))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def plain_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    """A bare PTB Bot pointed at the fake, for protocol-level checks."""
    return Bot(token or fake.token, base_url=f"{fake.url}/bot",
               base_file_url=f"{fake.url}/file/bot")


async def test_ptb_starts_polling_and_echo_reply_arrives(fake_telegram: FakeTelegram) -> None:
    """PTB's getMe/deleteWebhook/getUpdates work and the lead sees the echo."""
    async with running_bot(fake_telegram, EchoBot()) as app:
        fake_telegram.push_text(LEAD, "hello there", first_name="Lena")
        reply = await fake_telegram.wait_for_text(LEAD, "echo: hello there")
        assert app.bot.username == "fake_test_bot"
    assert reply["method"] == "sendMessage"
    assert fake_telegram.calls("getMe") and fake_telegram.calls("deleteWebhook")
    assert fake_telegram.pending == []  # PTB's shutdown poll confirmed the update


async def test_button_tap_is_answered_and_message_edited(fake_telegram: FakeTelegram) -> None:
    """/start shows a button; tapping it records the callback answer and edits the message."""
    async with running_bot(fake_telegram, EchoBot()):
        fake_telegram.push_command(LEAD, "/start")
        offer = await fake_telegram.wait_for_text(LEAD, "Pick a slot")
        assert offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "pick:a"

        callback_id = fake_telegram.push_callback(LEAD, "pick:a")
        answer = await fake_telegram.wait_for_call("answerCallbackQuery")
        edit = await fake_telegram.wait_for(lambda r: r["method"] == "editMessageText")
    assert answer["callback_query_id"] == callback_id
    assert answer["text"] == "Booked!"
    assert edit["message_id"] == offer["message_id"]
    shown = fake_telegram.message(LEAD, offer["message_id"])
    assert shown is not None and shown["text"] == "You picked a"
    assert "reply_markup" not in shown  # an edit without markup drops the buttons


async def test_document_bytes_arrive(fake_telegram: FakeTelegram) -> None:
    """A multipart upload from PTB keeps its file name, bytes and caption."""
    async with running_bot(fake_telegram, EchoBot()):
        fake_telegram.push_command(LEAD, "/doc")
        sent = await fake_telegram.wait_for(lambda r: r["method"] == "sendDocument")
    assert sent["chat_id"] == LEAD
    assert sent["filename"] == "report.pdf"
    assert sent["content"] == REPORT
    assert sent["text"] == "Your report"


# PTB's own AIORateLimiter reads RetryAfter.retry_after, which warns about its future type.
@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
async def test_rate_limited_send_is_retried_by_aioratelimiter(
    fake_telegram: FakeTelegram,
) -> None:
    """A 429 with retry_after makes PTB's AIORateLimiter wait and retry; the reply still comes."""
    fake_telegram.fail("sendMessage", status=429, retry_after=1)
    async with running_bot(fake_telegram, EchoBot(), AIORateLimiter(max_retries=2)):
        began = time.monotonic()
        fake_telegram.push_text(LEAD, "are you there?")
        await fake_telegram.wait_for_text(LEAD, "echo: are you there?")
        waited = time.monotonic() - began
    assert len(fake_telegram.calls("sendMessage")) == 2
    assert waited >= 1.0
    assert len(fake_telegram.sent(LEAD)) == 1


async def test_redelivered_update_reaches_the_handler_again(fake_telegram: FakeTelegram) -> None:
    """The fake really serves an update twice; deduplication is the bot's job."""
    bot = EchoBot()
    async with running_bot(fake_telegram, bot):
        update_id = fake_telegram.push_text(LEAD, "once")
        await fake_telegram.wait_for_text(LEAD, "echo: once")
        mark = fake_telegram.mark()
        fake_telegram.redeliver(update_id)
        await fake_telegram.wait_for_text(LEAD, "echo: once", after=mark)
        later = fake_telegram.push_text(LEAD, "after")
        await fake_telegram.wait_for_text(LEAD, "echo: after")
    assert bot.seen_update_ids == [update_id, update_id, later]


async def test_pushed_updates_parse_in_ptb(fake_telegram: FakeTelegram) -> None:
    """Every push_* helper produces an update PTB decodes into the expected object."""
    fake_telegram.push_contact(LEAD, "+15551234567", first_name="Lena")
    fake_telegram.push_sticker(LEAD)
    fake_telegram.push_photo(LEAD, caption="look")
    fake_telegram.push_voice(LEAD)
    fake_telegram.push_location(LEAD, 52.52, 13.405)
    fake_telegram.push_document(LEAD, file_name="brief.pdf")
    fake_telegram.push_command(-100, "/stats@fake_test_bot", first_name="Ops")
    async with plain_bot(fake_telegram) as bot:
        messages = [u.message for u in await bot.get_updates(timeout=0)]
    assert all(m is not None for m in messages)
    contact, sticker, photo, voice, location, document, command = messages
    assert contact and contact.contact and contact.contact.user_id == LEAD
    assert contact.contact.phone_number == "+15551234567"
    assert sticker and sticker.sticker and sticker.sticker.emoji
    assert photo and photo.photo[-1].width == 800 and photo.caption == "look"
    assert voice and voice.voice and voice.voice.mime_type == "audio/ogg"
    assert location and location.location and location.location.latitude == 52.52
    assert document and document.document and document.document.file_name == "brief.pdf"
    assert command and command.chat.type == "group" and command.from_user
    assert command.parse_entities() == {command.entities[0]: "/stats@fake_test_bot"}


async def test_long_poll_waits_for_an_update_and_honours_offset(
    fake_telegram: FakeTelegram,
) -> None:
    """getUpdates returns as soon as an update is pushed, and offset confirms it."""
    async with plain_bot(fake_telegram) as bot:
        asyncio.get_running_loop().call_later(0.1, fake_telegram.push_text, LEAD, "late")
        began = time.monotonic()
        updates = await bot.get_updates(timeout=3)
        assert time.monotonic() - began < 2
        assert [u.message.text for u in updates if u.message] == ["late"]
        assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
        assert fake_telegram.pending == []


async def test_faults_map_to_ptb_errors(fake_telegram: FakeTelegram) -> None:
    """Scripted failures reach PTB as its own exception types, then the method works again."""
    fake_telegram.fail("sendMessage", status=500, times=1)
    fake_telegram.conflict_polling()
    fake_telegram.block(777)
    async with plain_bot(fake_telegram) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(LEAD, "hi")
        sent = await bot.send_message(LEAD, "hi")
        with pytest.raises(Conflict, match="only one bot instance"):
            await bot.get_updates(timeout=0)
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(777, "hi")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("hi", chat_id=LEAD, message_id=sent.message_id)
    assert [r["text"] for r in fake_telegram.sent()] == ["hi"]


async def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegram) -> None:
    """A bot with another token gets 401, which PTB reports as InvalidToken."""
    with pytest.raises(InvalidToken):
        async with plain_bot(fake_telegram, token="999:WRONG"):  # closes its client on failure
            pass
    assert fake_telegram.unauthorized_requests == 1
    assert fake_telegram.requests == []


async def test_wait_for_timeout_lists_what_was_sent(fake_telegram: FakeTelegram) -> None:
    """A failed wait says what the bot did send, so a broken test explains itself."""
    async with plain_bot(fake_telegram) as bot:
        await bot.send_message(LEAD, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await fake_telegram.wait_for_text(LEAD, "expected", timeout=0.2)


async def test_other_methods_answer_as_ptb_expects(fake_telegram: FakeTelegram) -> None:
    """Chat actions, commands, getChat, other send* methods and deletes give PTB what it parses."""
    fake_telegram.push_text(LEAD, "hi", first_name="Lena", username="lena")
    async with plain_bot(fake_telegram) as bot:
        assert await bot.send_chat_action(LEAD, "typing") is True
        assert await bot.set_my_commands([("start", "Begin"), ("cancel", "Cancel a meeting")])
        chat = await bot.get_chat(LEAD)
        location = await bot.send_location(LEAD, latitude=52.5, longitude=13.4)
        assert await bot.delete_message(LEAD, location.message_id) is True
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(LEAD, location.message_id)
        assert await bot.do_api_request("someFutureMethod", {"x": 1}) is True
    assert chat.username == "lena" and chat.first_name == "Lena"
    assert [c["command"] for c in fake_telegram.commands] == ["start", "cancel"]
    assert [r["method"] for r in fake_telegram.sent(LEAD)] == ["sendLocation"]
    assert fake_telegram.calls("someFutureMethod") == [{"x": 1}]
    assert fake_telegram.message(LEAD, location.message_id) is None
