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
from dataclasses import asdict
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import NoReturn, TextIO
from zoneinfo import ZoneInfo

from bot import app
from bot.booking.reminders import Timers
from bot.clock import Clock
from bot.config import Config, check_timezone, load_environment
from bot.console import run_console
from bot.domain import Agent, Interval
from bot.errors import BotError, ConfigError, NotFound
from bot.observability.logs import configure
from bot.ports import Notifier
from bot.scheduling.hours import format_hours, parse_hours
from bot.services import Services
from handlers.application import build_application, run_polling
from handlers.context import BotApp


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one clear line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)


def _non_negative(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text)


def _telegram_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a numeric Telegram id, got {text!r}") from None


def _zone(text: str) -> str:
    try:
        return check_timezone("--timezone", text)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--timezone: ")) from None


def _hours(text: str) -> str:
    try:
        return format_hours(parse_hours(text))
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The whole command-line grammar."""
    parser = _Parser(prog="python -m bot", description="Lead-booking Telegram bot.")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("run", help="Telegram long polling (the console chat when no token)")
    commands.add_parser("console", help="chat as a lead in the terminal")
    commands.add_parser("doctor", help="check each configured integration for real")

    agents = commands.add_parser("agents", help="manage agents").add_subparsers(
        dest="agents_command", required=True, parser_class=_Parser)
    add = agents.add_parser("add", help="register an agent; prints the new id")
    add.add_argument("--name", required=True)
    add.add_argument("--telegram-id", required=True, type=_telegram_id)
    add.add_argument("--calendar-id", required=True)
    add.add_argument("--timezone", required=True, type=_zone)
    add.add_argument("--hours", default="mon-fri 09:00-17:00", type=_hours,
                     help='working hours, e.g. "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00"')
    add.add_argument("--slot-minutes", default=30, type=_positive)
    add.add_argument("--buffer-minutes", default=0, type=_non_negative)
    add.add_argument("--notice-minutes", default=120, type=_non_negative)
    add.add_argument("--horizon-days", default=14, type=_positive)
    add.add_argument("--max-per-day", default=None, type=_positive,
                     help="at most this many meetings a day (default: no cap)")
    listing = agents.add_parser("list", help="list agents")
    listing.add_argument("--json", action="store_true")

    slots = commands.add_parser("slots", help="every free slot in a range, after both checks")
    slots.add_argument("--agent", type=_positive, help="agent id (default: every active agent)")
    slots.add_argument("--from", dest="start", type=_day,
                       help="first day, YYYY-MM-DD in the agent's zone (default today)")
    slots.add_argument("--days", type=_positive, default=7)
    slots.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
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
    if command == "agents" and args.agents_command == "add":
        agent = Agent(id=0, name=args.name.strip(), telegram_id=args.telegram_id,
                      calendar_id=args.calendar_id.strip(), timezone=args.timezone,
                      working_hours=args.hours, slot_minutes=args.slot_minutes,
                      buffer_minutes=args.buffer_minutes, notice_minutes=args.notice_minutes,
                      horizon_days=args.horizon_days, max_per_day=args.max_per_day)
        if not agent.name or not agent.calendar_id:
            print("error: --name and --calendar-id must not be empty", file=sys.stderr)
            return 2
        async with app.repositories(config) as store:
            added = await store.agents.add(agent)
        print(added.id)
        return 0
    if command == "agents":
        async with app.repositories(config) as store:
            agents = await store.agents.list()
        if args.json:
            print(json.dumps([asdict(a) for a in agents], indent=2))
        elif not agents:
            print("no agents yet: add one with `python -m bot agents add --help`")
        else:
            for a in agents:
                state = "" if a.active else "  (inactive)"
                print(f"{a.id:>4}  {a.name}  tg:{a.telegram_id}  {a.calendar_id}  {a.timezone}  "
                      f"{a.working_hours}  {a.slot_minutes}m{state}")
        return 0
    if command == "slots":
        found = await list_slots(config, agent_id=args.agent, start=args.start, days=args.days)
        if args.json:
            print(json.dumps([{"agent_id": agent_id, "start": s.start.isoformat(),
                               "end": s.end.isoformat()} for agent_id, s in found], indent=2))
        else:
            for agent_id, s in found:
                print(f"agent {agent_id}  {_local(s.start)} - {_local(s.end)}")
            if not found:
                print("no free slots in that range")
        return 0
    raise ValueError(f"unknown command {command!r}")


def _local(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %z")


# ----- the commands' bodies ------------------------------------------------------------------


def run(config: Config) -> int:
    """``python -m bot run``: Telegram long polling, or the console chat without a token.

    Not a coroutine: PTB's ``run_polling`` runs its own event loop.
    """
    configure(config.log_level, config.app_env, config.secrets)
    if config.telegram_bot_token is None:
        print("TELEGRAM_BOT_TOKEN is not set: starting the console chat on the embedded "
              "calendar, meeting links and brain (set it in .env to run the Telegram bot).")
        return asyncio.run(console(config))
    return run_polling(telegram_application(config))


def telegram_application(config: Config, *, clock: Clock | None = None) -> BotApp:
    """The PTB application whose services the composition root builds in ``post_init``."""
    async def open_services(notifier: Notifier, timers: Timers) -> Services:
        return await app.build_services(config, notifier=notifier, timers=timers, clock=clock,
                                        serve_metrics=True)

    return build_application(config, open_services)


async def console(config: Config) -> int:
    """``python -m bot console``: chat as a lead in the terminal."""
    configure("WARNING" if config.log_level == "INFO" else config.log_level, config.app_env,
              config.secrets)
    return await run_console(config)


async def list_slots(config: Config, *, agent_id: int | None, start: date | None,
                     days: int) -> list[tuple[int, Interval]]:
    """``slots``: every free slot in range after both validations, in each agent's zone."""
    async with await app.build_services(config) as services:
        if agent_id is not None:
            agent = await services.agents.get(agent_id)
            if agent is None:
                raise NotFound(f"no agent with id {agent_id}")
            agents = [agent]
        else:
            agents = await services.agents.active()
        result: list[tuple[int, Interval]] = []
        for agent in agents:
            zone = ZoneInfo(agent.timezone)
            first = start or services.clock.now().astimezone(zone).date()
            begin = datetime.combine(first, clock_time(0), zone)
            end = datetime.combine(first + timedelta(days=days), clock_time(0), zone)
            found = await services.slots.free_validated([agent], begin, end)
            result += [(a.id, Interval(s.start.astimezone(zone), s.end.astimezone(zone)))
                       for a, s in found.slots]
        return result


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
