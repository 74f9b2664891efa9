"""The Telegram adapter: PTB application, notifier, per-chat ordering, timers, lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackContext,
    ContextTypes,
    ExtBot,
    JobQueue,
)

from bot.app import Services, build_services, startup
from bot.config import Config
from bot.ports import OutMessage
from handlers.throttle import ChatThrottle, Verdict

log = logging.getLogger(__name__)
RESEND_AFTER = 0.5
COMMANDS = [BotCommand("start", "Start over"), BotCommand("times", "Show free times"),
            BotCommand("reschedule", "Move my meeting"), BotCommand("cancel", "Cancel my meeting")]


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handlers' context, with the services typed."""

    @property
    def services(self) -> Services:
        services = self.application.bot_data.get("services")
        if not isinstance(services, Services):
            raise RuntimeError("services are not ready")
        return services


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any],
                     JobQueue[BotContext]]


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; updates of one chat run in order.

    A concurrency slot is taken only once the chat's turn has come, so one chat's queue never
    holds slots that other chats need. The flood limit is applied as updates arrive (not as they
    are processed), and its verdict waits here for the handler (``verdict``).
    """

    def __init__(self, max_concurrent_updates: int = 256,
                 throttle: ChatThrottle | None = None) -> None:
        # PTB's own semaphore only bounds the waiting; ours bounds the work.
        super().__init__(max(max_concurrent_updates * 64, 16_384))
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._throttle = throttle or ChatThrottle()
        self._verdicts: dict[int, Verdict] = {}
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._waiting: defaultdict[int, int] = defaultdict(int)

    def verdict(self, update: Update) -> Verdict:
        """The flood-limit verdict taken when this update arrived."""
        return self._verdicts.pop(update.update_id, Verdict(True))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await coroutine
            return
        key = chat.id
        assert isinstance(update, Update)
        if update.message is not None and update.message.text is not None:
            self._verdicts[update.update_id] = self._throttle.check(key)
        self._waiting[key] += 1
        try:
            async with self._locks[key], self._slots:
                await coroutine
        finally:
            self._verdicts.pop(update.update_id, None)
            self._waiting[key] -= 1
            if not self._waiting[key]:  # forget idle chats so memory stays flat
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class TelegramNotifier:
    """Sends ``OutMessage``s through the PTB bot (buttons, contact request, files)."""

    def __init__(self, bot: ExtBot[None]) -> None:
        self._bot = bot

    async def send(self, chat_id: int, message: OutMessage) -> None:
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
        if message.attachment is not None:
            await self._bot.send_document(
                chat_id, document=message.attachment.content,
                filename=message.attachment.filename, caption=message.text[:1024],
                reply_markup=markup)
        else:
            await self._bot.send_message(chat_id, message.text[:4096], reply_markup=markup)


class JobQueueTimers:
    """``Timers`` on PTB's JobQueue."""

    def __init__(self, job_queue: JobQueue[BotContext]) -> None:
        self._queue = job_queue

    def at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        self.cancel(name)

        async def job(_: BotContext) -> None:
            await callback()

        self._queue.run_once(job, when=when, name=name)

    def cancel(self, name: str) -> None:
        for job in self._queue.get_jobs_by_name(name):
            job.schedule_removal()


def build_application(config: Config, **overrides: Any) -> BotApp:
    """The PTB application; services open in ``post_init`` and close in ``post_shutdown``."""
    from handlers import admin, agent, lead

    assert config.telegram_bot_token is not None
    application = (
        ApplicationBuilder()
        .token(config.telegram_bot_token)
        .base_url(config.telegram_api_base_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(ChatOrderedProcessor())
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init(config, overrides))
        .post_shutdown(_post_shutdown)
        .build()
    )
    # Agent and admin commands first: the lead module ends with a catch-all.
    admin.register(application)
    agent.register(application)
    lead.register(application)
    application.add_error_handler(_on_error)
    return application  # type: ignore[return-value]  # PTB's builder loses the bot's type


def _post_init(config: Config, overrides: dict[str, Any]
               ) -> Callable[[Any], Coroutine[Any, Any, None]]:
    async def post_init(application: BotApp) -> None:
        assert application.job_queue is not None
        services = await build_services(
            config, notifier=TelegramNotifier(application.bot),
            timers=JobQueueTimers(application.job_queue), serve_metrics=True,
            **overrides)
        application.bot_data["services"] = services
        await startup(services)
        try:
            await application.bot.set_my_commands(COMMANDS)
        except TelegramError as err:
            log.warning("could not set the command menu: %s", err)
    return post_init


async def _post_shutdown(application: BotApp) -> None:
    services = application.bot_data.pop("services", None)
    if isinstance(services, Services):
        await services.close()


async def _on_error(update: object, context: BotContext) -> None:
    """Log the failure and tell the lead something useful instead of going silent."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("a user blocked the bot")
        return
    log.error("handler error: %s", type(error).__name__, exc_info=error)
    services = context.application.bot_data.get("services")
    if isinstance(services, Services):
        services.metrics.incr("errors.handler")
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, something went wrong on my side. Please try again in a moment.")


async def run_polling(config: Config, *, poll_timeout: int = 30) -> int:
    """Run until SIGINT/SIGTERM; exit 1 with one line if another instance polls the token."""
    application = build_application(config)
    stop = asyncio.Event()
    conflict: list[str] = []

    def on_poll_error(error: TelegramError) -> None:
        if isinstance(error, Conflict) and not conflict:
            conflict.append(str(error))
            stop.set()
        elif not isinstance(error, Conflict):
            log.warning("polling error: %s", type(error).__name__)

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await application.initialize()
    except InvalidToken:
        # PTB's message repeats the token: say it without.
        print("TELEGRAM_BOT_TOKEN was rejected by Telegram: check it with @BotFather.")
        return 2
    try:
        if application.post_init:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(timeout=poll_timeout,
                                                error_callback=on_poll_error,
                                                drop_pending_updates=False)
        await application.start()
        log.info("polling for updates as @%s", application.bot.username)
        started = time.monotonic()
        await stop.wait()
        log.info("stopping after %.0f s", time.monotonic() - started)
    finally:
        if application.updater and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()  # waits for in-flight handlers (bookings) to finish
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
    if conflict:
        print("another instance is polling with this TELEGRAM_BOT_TOKEN; stopping this one.")
        return 1
    return 0
