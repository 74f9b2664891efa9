"""Agent-facing handlers: /agenda."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.booking import notices
from bot.i18n import _, ngettext, speaking
from handlers.context import BotContext, chat_of, sender_of


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the agent handlers."""
    application.add_handler(CommandHandler("agenda", agenda, filters=filters.ChatType.PRIVATE))


async def agenda(update: Update, context: BotContext) -> None:
    """The agent's next booked meetings; anyone else learns nothing."""
    services = context.services
    user_id, chat_id = sender_of(update).telegram_id, chat_of(update)
    agent = await services.agents.by_telegram_id(user_id)
    if agent is None:
        await context.bot.send_message(chat_id, "Sorry, /agenda is only for our agents.")
        return
    upcoming = await services.store.appointments.upcoming_for_agent(agent.id,
                                                                    services.clock.now())
    with speaking(agent.language):
        if not upcoming:
            await context.bot.send_message(chat_id, _("No upcoming meetings."))
            return
        zone = ZoneInfo(agent.timezone)
        lines = [ngettext("Your next {n} meeting(s):", "Your next {n} meeting(s):",
                          len(upcoming))]
        for appointment in upcoming:
            lead = await services.store.leads.get(appointment.lead_id)
            who = (lead.name if lead and lead.name else _("a lead"))
            phone = f", {lead.phone_number}" if lead and lead.phone_number else ""
            lines.append(f"- {notices.slot_label(appointment.start, zone)}: {who}{phone}\n"
                         f"  {appointment.join_url}")
        await context.bot.send_message(chat_id, "\n".join(lines))
