"""The PTB application: built from the config and a services factory, run by PTB itself.

The services are built in ``post_init`` (the bot exists by then, so the notifier is the real
``TelegramNotifier`` and the timers PTB's JobQueue) and closed in ``post_shutdown``.
``run_polling`` is PTB's ``Application.run_polling`` (SIGINT/SIGTERM stop it after the handlers
in flight, bookings included, have finished), plus the two exits an operator must tell apart:
a token Telegram rejects (one line without the token, exit 2; PTB's own traceback of it is held
back) and another instance polling the same token (one line, exit 1; the error handler stops
the application on the first 409). ``run_webhook`` is PTB's ``Application.run_webhook``: it
tells Telegram the public URL and the secret token, and its server answers 403, changing
nothing, to a request without that token.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from telegram import BotCommand, Update
from telegram.error import Conflict, Forbidden, InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, JobQueue

from bot.config import Config, Webhook
from bot.errors import ConfigError
from bot.services import ServicesFactory, startup
from handlers import admin, agent, lead
from handlers.context import BotApp, BotContext, BotData
from handlers.delivery import TelegramNotifier
from handlers.ordering import ChatOrderedProcessor

log = logging.getLogger(__name__)
COMMANDS = [BotCommand("start", "Start over"), BotCommand("times", "Show free times"),
            BotCommand("reschedule", "Move my meeting"), BotCommand("cancel", "Cancel my meeting")]
POLL_TIMEOUT = 30
"""Seconds one long poll waits for updates."""
WEBHOOK_RETRIES = 3
"""Retries of ``setWebhook`` at start-up (about 5 s in all) before giving up with one line."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


class JobQueueTimers:
    """``Timers`` on PTB's JobQueue."""

    def __init__(self, job_queue: JobQueue[BotContext]) -> None:
        self._queue = job_queue

    def at(self, when: datetime, name: str, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` at ``when``, replacing a job of the same name."""
        self.cancel(name)

        async def job(_: BotContext) -> None:
            await callback()

        self._queue.run_once(job, when=when, name=name)

    def cancel(self, name: str) -> None:
        """Drop the job of this name, if any."""
        for job in self._queue.get_jobs_by_name(name):
            job.schedule_removal()


def build_application(config: Config, open_services: ServicesFactory) -> BotApp:
    """The PTB application with every handler; ``open_services`` runs in ``post_init``."""
    if config.telegram_bot_token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN: not set")
    builder = (
        ApplicationBuilder()
        .token(config.telegram_bot_token)
        .base_url(config.telegram_api_base_url)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .concurrent_updates(ChatOrderedProcessor())
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(_post_init(open_services))
        .post_shutdown(_post_shutdown)
    )
    application: BotApp = builder.build()  # type: ignore[assignment]  # PTB loses the bot type
    # Agent and admin commands first: the lead module ends with a catch-all.
    admin.register(application)
    agent.register(application)
    lead.register(application)
    application.add_error_handler(on_error)
    return application


def _post_init(open_services: ServicesFactory) -> Callable[[BotApp], Coroutine[Any, Any, None]]:
    async def post_init(application: BotApp) -> None:
        if application.job_queue is None:
            raise RuntimeError("PTB's job queue is missing: install python-telegram-bot"
                               "[job-queue]")
        services = await open_services(TelegramNotifier(application.bot),
                                       JobQueueTimers(application.job_queue))
        application.bot_data.services = services
        await startup(services)
        try:
            await application.bot.set_my_commands(COMMANDS)
        except TelegramError as err:
            log.warning("could not set the command menu: %s", err)
        log.info("ready for updates as @%s", application.bot.username)
    return post_init


async def _post_shutdown(application: BotApp) -> None:
    services, application.bot_data.services = application.bot_data.services, None
    if services is not None:
        await services.close()


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure and tell the lead something useful instead of going silent.

    Errors while fetching updates come here too (no update, no job): a 409 means another
    instance polls this token, so this one stops.
    """
    error = context.error
    if update is None and context.job is None and isinstance(error, TelegramError):
        if isinstance(error, Conflict):
            context.bot_data.conflict = True
            context.application.stop_running()
        else:
            log.warning("polling error: %s", type(error).__name__)
        return
    if isinstance(error, Forbidden):
        log.info("a user blocked the bot")
        return
    log.error("handler error: %s", type(error).__name__, exc_info=error)
    services = context.bot_data.services
    if services is not None:
        services.metrics.incr("errors.handler")
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, something went wrong on my side. Please try again in a moment.")


def run_polling(application: BotApp, *, poll_timeout: float = POLL_TIMEOUT,
                stop_signals: Sequence[int] = STOP_SIGNALS) -> int:
    """Long polling until one of ``stop_signals``; returns the process exit code.

    PTB runs its own event loop here: call it outside ``asyncio.run``. Pass no signals when
    running outside the main thread.
    """
    code = _run(lambda: application.run_polling(
        timeout=timedelta(seconds=poll_timeout), drop_pending_updates=False,
        stop_signals=stop_signals))
    if code == 0 and application.bot_data.conflict:
        print("another instance is polling with this TELEGRAM_BOT_TOKEN; stopping this one.")
        return 1
    return code


def webhook_arguments(webhook: Webhook) -> dict[str, Any]:
    """PTB's ``run_webhook``/``start_webhook`` arguments for this webhook configuration.

    Every replica sets the same URL and secret, so a restart or a second replica changes
    nothing at Telegram; updates queued there while no replica ran are kept.
    """
    return {"listen": webhook.host, "port": webhook.port, "url_path": webhook.path,
            "webhook_url": webhook.url, "secret_token": webhook.secret,
            "drop_pending_updates": False, "bootstrap_retries": WEBHOOK_RETRIES}


def run_webhook(application: BotApp, webhook: Webhook, *,
                stop_signals: Sequence[int] = STOP_SIGNALS) -> int:
    """Serve Telegram's webhook requests until one of ``stop_signals``; the exit code."""
    try:
        return _run(lambda: application.run_webhook(**webhook_arguments(webhook),
                                                    stop_signals=stop_signals))
    except OSError as err:
        print(f"WEBHOOK_LISTEN: cannot listen on {webhook.host}:{webhook.port} "
              f"({err.strerror or type(err).__name__})")
        return 2
    except TelegramError as err:
        # A refused URL (400) or Telegram out of reach through every retry.
        print(f"TELEGRAM_WEBHOOK_URL: Telegram did not set the webhook: {err}")
        return 1


def _run(serve: Callable[[], None]) -> int:
    quiet = _RejectedTokenReportedHere()
    ptb = logging.getLogger("telegram.ext")  # PTB's start-up retry loop logs there
    ptb.addFilter(quiet)
    try:
        serve()
    except InvalidToken:
        # PTB's message repeats the token: say it without.
        print("TELEGRAM_BOT_TOKEN was rejected by Telegram: check it with @BotFather.")
        return 2
    finally:
        ptb.removeFilter(quiet)
    return 0


class _RejectedTokenReportedHere(logging.Filter):
    """PTB logs a rejected token, and a start-up request it gave up on, with a whole traceback;
    ``run_polling`` and ``run_webhook`` say them in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, InvalidToken):
            return False
        # The retry loop's "Bootstrap Set Webhook ... Aborting", whose error is reported.
        return not (isinstance(error, TelegramError) and "Bootstrap" in record.getMessage())
