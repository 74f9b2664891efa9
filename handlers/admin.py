"""Admin handlers: /stats for ADMIN_TELEGRAM_IDS and registered agents only."""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, filters

from bot.observability.funnel import Funnel
from bot.observability.stats import Totals, render
from handlers.context import BotContext, chat_of, sender_of


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the admin handlers."""
    application.add_handler(CommandHandler("stats", stats, filters=filters.ChatType.PRIVATE))


async def allowed(context: BotContext, user_id: int) -> bool:
    """Admins by id, and registered agents."""
    services = context.services
    if user_id in services.config.admin_telegram_ids:
        return True
    return await services.agents.by_telegram_id(user_id) is not None


async def stats(update: Update, context: BotContext) -> None:
    """The live figures; anyone else gets a polite refusal and learns nothing."""
    user_id, chat_id = sender_of(update).telegram_id, chat_of(update)
    if not await allowed(context, user_id):
        await context.bot.send_message(chat_id, "Sorry, that command is not available.")
        return
    services = context.services
    if context.args and context.args[0].lower() == "chart":
        # Plotting takes tens of milliseconds: off the event loop.
        png = await asyncio.to_thread(services.chart, services.metrics)
        await context.bot.send_photo(chat_id, photo=png,
                                     caption="Latency p50/p95 per minute, last hour")
        return
    now = services.clock.now()
    totals = Totals(
        day=await services.store.appointments.outcomes_since(now - timedelta(days=1)),
        week=await services.store.appointments.outcomes_since(now - timedelta(days=7)))
    quota = services.zoom_quota() if services.zoom_quota is not None else None
    funnels = [Funnel(window, by, await services.funnel.funnel(now - timedelta(days=days), by))
               for window, days in (("7d", 7), ("30d", 30)) for by in ("source", "agent")
               ] if services.funnel is not None else []
    outbox = (await services.events.backlog()
              if services.events is not None and services.events.enabled else None)
    text = render(services.metrics, totals, quota=quota,
                  calendars=services.slots.health.recent(), funnels=funnels, outbox=outbox)
    await context.bot.send_message(chat_id, f"<pre>{html.escape(text)}</pre>",
                                   parse_mode=ParseMode.HTML)
