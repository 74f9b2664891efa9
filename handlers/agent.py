"""Agent-facing commands: /agenda, /takeover, /handback, /noshow, /leads, /lead, /hours, /away.

Anyone not on the team (a lead) who tries one is refused politely and learns nothing. The
buttons are in ``agent_buttons``, the relay of an agent's own messages in ``relay``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.booking import notices
from bot.ports import OutMessage
from bot.team import wording
from bot.team.access import Actor, Refused
from bot.team.service import TeamService
from handlers import agent_buttons, relay
from handlers.context import BotContext, chat_of, sender_of
from handlers.delivery import TelegramNotifier

COMMAND = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
Work = Callable[[TeamService, Actor, list[str]], Awaitable[OutMessage]]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the agent handlers (before the lead's: the relay falls back to them)."""
    application.add_handler(CommandHandler("agenda", agenda, filters=filters.ChatType.PRIVATE))
    for name, work in _COMMANDS.items():
        application.add_handler(CommandHandler(name, _command(work), filters=COMMAND))
    agent_buttons.register(application)
    relay.register(application)


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
    if not upcoming:
        await context.bot.send_message(chat_id, "No upcoming meetings.")
        return
    zone = ZoneInfo(agent.timezone)
    lines = [f"Your next {len(upcoming)} meeting(s):"]
    for appointment in upcoming:
        lead = await services.store.leads.get(appointment.lead_id)
        who = (lead.name if lead and lead.name else "a lead")
        phone = f", {lead.phone_number}" if lead and lead.phone_number else ""
        lines.append(f"- {notices.slot_label(appointment.start, zone)}: {who}{phone}\n"
                     f"  {appointment.join_url}")
    await context.bot.send_message(chat_id, "\n".join(lines))


def _command(work: Work) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    async def handle(update: Update, context: BotContext) -> None:
        chat = chat_of(update)
        actor = await context.services.team.access.actor(sender_of(update).telegram_id)
        if not actor.on_team:
            await context.bot.send_message(chat, wording.NOT_FOR_YOU)
            return
        try:
            reply = await work(context.services.team, actor, list(context.args or []))
        except Refused as err:
            reply = OutMessage(str(err))
        await TelegramNotifier(context.bot).send(chat, reply)
    return handle


def _number(args: list[str], usage: str) -> int:
    """The one id argument (``12``, ``#lead12`` as the bot writes it)."""
    digits = args[0].lstrip("#").removeprefix("lead") if len(args) == 1 else ""
    if not digits.isdigit() or len(digits) > 12:
        raise Refused(usage)
    return int(digits)


async def _takeover(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    return await team.takeover.take_over(actor, _number(args, wording.TAKEOVER_USAGE))


async def _handback(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    lead_id = _number(args, wording.HANDBACK_USAGE) if args else None
    return await team.takeover.hand_back(actor, lead_id)


async def _noshow(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    return await team.meetings.no_show(actor, _number(args, wording.NOSHOW_USAGE))


async def _leads(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    page = int(args[0]) if len(args) == 1 and args[0].isdigit() and len(args[0]) < 6 else 1
    return OutMessage(await team.listing.page(actor, page))


async def _lead(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    return OutMessage(await team.listing.detail(actor, _number(args, wording.LEAD_USAGE)))


async def _hours(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    return await team.availability.set_hours(actor, " ".join(args))


async def _away(team: TeamService, actor: Actor, args: list[str]) -> OutMessage:
    return await team.availability.set_away(actor, args)


_COMMANDS: dict[str, Work] = {
    "takeover": _takeover, "handback": _handback, "noshow": _noshow, "leads": _leads,
    "lead": _lead, "hours": _hours, "away": _away,
}
