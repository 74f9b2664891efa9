"""The command line: ``python -m bot [run|console|agents|slots|doctor]``.

The entry point: the one module that imports the composition root and the Telegram
application, and joins them (``telegram_application``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import TextIO
from zoneinfo import ZoneInfo

from bot import app, arguments, roster
from bot.booking.reminders import Timers
from bot.clock import Clock, SystemClock
from bot.config import Config, load_environment
from bot.console import run_console
from bot.domain import Agent, Interval
from bot.errors import BotError, CalendarsUnreadable, ConfigError, NotFound
from bot.observability.logs import configure
from bot.ports import Notifier
from bot.scheduling.limits import LISTING_DAYS, listing_start_problem
from bot.services import Services
from handlers.application import build_application, run_polling, run_webhook
from handlers.context import BotApp
from handlers.ordering import ChatOrderedProcessor
from storage.postgres.chats import ChatLocks
from storage.postgres.leader import PollingLeadership


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar."""
    parser = arguments.Parser(prog="python -m bot", description="Lead-booking Telegram bot.")
    commands = parser.add_subparsers(dest="command", parser_class=arguments.Parser)
    commands.add_parser("run", help="Telegram long polling (the console chat when no token)")
    commands.add_parser("console", help="chat as a lead in the terminal")
    commands.add_parser("doctor", help="check each configured integration for real")
    roster.add_parsers(commands)
    slots = commands.add_parser("slots", help="every free slot in a range, after both checks")
    slots.add_argument("--agent", type=arguments.record_id,
                       help="agent id (default: every active agent)")
    slots.add_argument("--from", dest="start", type=arguments.day,
                       help="first day, YYYY-MM-DD in the agent's zone (default today), "
                            "within 5 years of today")
    slots.add_argument("--days", type=arguments.bounded(LISTING_DAYS), default=7,
                       help=f"how many days, {LISTING_DAYS.describe()} (default 7)")
    slots.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "slots" and args.start is not None:
        problem = listing_start_problem(args.start, date.today())
        if problem is not None:
            parser.error(f"argument --from: {problem}")
    try:
        config = Config.from_env(load_environment())
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    try:
        if (args.command or "run") == "run":
            return run(config)
        return asyncio.run(_dispatch(args, config))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`slots | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except BotError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


async def _dispatch(args: argparse.Namespace, config: Config) -> int:
    command = args.command
    if command == "console":
        return await console(config)
    if command == "doctor":
        return await doctor(config)
    if command == "agents":
        async with app.repositories(config) as store:
            return await roster.run(args, store, SystemClock())
    if command == "slots":
        found, unreadable = await list_slots(config, agent_id=args.agent, start=args.start,
                                             days=args.days)
        if args.json:
            print(json.dumps([{"agent_id": agent_id, "start": s.start.isoformat(),
                               "end": s.end.isoformat()} for agent_id, s in found], indent=2))
        else:
            for agent_id, s in found:
                print(f"agent {agent_id}  {_local(s.start)} - {_local(s.end)}")
            if not found:
                print("no free slots in that range")
        for agent, reason in unreadable:
            print(f"warning: the calendar of agent {agent.id} ({agent.name}), "
                  f"{agent.calendar_id}, cannot be read ({reason}): its slots are not listed",
                  file=sys.stderr)
        return 1 if unreadable else 0
    raise ValueError(f"unknown command {command!r}")


def _local(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %z")


# ----- the commands' bodies ------------------------------------------------------------------


def run(config: Config) -> int:
    """``python -m bot run``: Telegram long polling (a webhook server with
    ``TELEGRAM_WEBHOOK_URL``), or the console chat without a token.

    Not a coroutine: PTB's ``run_polling`` and ``run_webhook`` run their own event loop.
    """
    configure(config.log_level, config.app_env, config.secrets, log_format=config.log_format)
    if config.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN is not set: starting the console chat on the embedded "
              "calendar, meeting links and brain (set it in .env to run the Telegram bot).")
        return asyncio.run(console(config))
    if config.webhook is not None:
        return run_webhook(telegram_application(config), config.webhook)
    return run_polling(telegram_application(config))


def telegram_application(config: Config, *, clock: Clock | None = None,
                         standby: bool | None = None) -> BotApp:
    """The PTB application whose services the composition root builds in ``post_init``.

    ``standby`` (long polling): on PostgreSQL, only the replica holding the polling lock polls;
    another waits in ``post_init`` until it gets the lock, then builds its services (timers from
    the database) and polls. Webhook replicas all take updates (False, the default with a
    webhook), and one chat's updates are then handled by one replica at a time (a lock per chat
    in the database).
    """
    if standby is None:
        standby = config.webhook is None
    async def open_services(notifier: Notifier, timers: Timers) -> Services:
        leader = None
        if standby and config.database_url is not None:
            # Replicas on one PostgreSQL: the others wait here as hot standbys.
            leader = PollingLeadership(config.database_url)
            async with app.standby_health(config):
                await leader.acquire()
            leader.watch(application.stop_running)
        services = await app.build_services(config, notifier=notifier, timers=timers,
                                            clock=clock, serve_metrics=True)
        if leader is not None:
            services.lifetime.push_async_callback(leader.release)
        if not standby and config.database_url is not None:
            # Every replica takes updates: one chat's are handled by one replica at a time.
            chats = ChatLocks(config.database_url)
            services.lifetime.push_async_callback(chats.close)
            if isinstance(application.update_processor, ChatOrderedProcessor):
                application.update_processor.share(chats.chat)
        return services

    application = build_application(config, open_services)
    return application


async def console(config: Config) -> int:
    """``python -m bot console``: chat as a lead in the terminal."""
    configure("WARNING" if config.log_level == "INFO" else config.log_level, config.app_env,
              config.secrets, log_format=config.log_format)
    return await run_console(config)


async def list_slots(config: Config, *, agent_id: int | None, start: date | None,
                     days: int) -> tuple[list[tuple[int, Interval]], list[tuple[Agent, str]]]:
    """``slots``: every free slot in range after both validations, in each agent's zone; and
    the agents left out because their calendar cannot be read, with why."""
    async with await app.build_services(config) as services:
        if agent_id is not None:
            listed = {a.id for a in await services.store.agents.list()}
            agent = await services.agents.get(agent_id) if agent_id in listed else None
            if agent is None:
                raise NotFound(f"no agent with id {agent_id}")
            agents = [agent]
        else:
            agents = await services.agents.active()
        result: list[tuple[int, Interval]] = []
        unreadable: list[tuple[Agent, str]] = []
        for agent in agents:
            zone = ZoneInfo(agent.timezone)
            first = start or services.clock.now().astimezone(zone).date()
            begin = datetime.combine(first, clock_time(0), zone)
            end = datetime.combine(first + timedelta(days=days), clock_time(0), zone)
            try:
                found = await services.slots.free_validated([agent], begin, end)
            except CalendarsUnreadable as err:
                unreadable.append((agent, "; ".join(err.failed.values())))
                continue
            unreadable += [(agent, why) for why in found.unreadable.values()]
            result += [(a.id, Interval(s.start.astimezone(zone), s.end.astimezone(zone)))
                       for a, s in found.slots]
        return result, unreadable


_OPTIONAL = ("telegram", "openai", "google", "zoom")


async def doctor(config: Config, out: TextIO | None = None) -> int:
    """``doctor``: run every adapter's health ping, one line each; 0 when all pass."""
    out = out or sys.stdout
    failed = 0
    async with await app.build_services(config) as services:
        for check in services.health:
            started = time.perf_counter()
            try:
                detail = await check.ping()
            except Exception as err:  # any failure is one FAIL line, never a traceback
                failed += 1
                out.write(f"FAIL  {check.name:<9} {type(err).__name__}: {_one_line(err)}\n")
            else:
                took = (time.perf_counter() - started) * 1000
                out.write(f"ok    {check.name:<9} {detail} ({took:.0f} ms)\n")
        checked = {check.name for check in services.health}
    skipped = [name for name in _OPTIONAL if name not in checked]
    if skipped:
        out.write(f"skip  {', '.join(skipped)}: not configured (embedded defaults used)\n")
    return 1 if failed else 0


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or "no detail"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
