"""The command line: ``python -m bot [run|console|agents|slots|doctor]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime
from typing import NoReturn

from bot.config import Config, check_timezone, load_environment
from bot.domain import Agent
from bot.errors import BotError, ConfigError
from bot.scheduling.hours import format_hours, parse_hours


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
    from bot import app  # the composition root pulls in every adapter: import it only here

    command = args.command or "run"
    if command == "run":
        return await app.run(config)
    if command == "console":
        return await app.console(config)
    if command == "doctor":
        return await app.doctor(config)
    if command == "agents" and args.agents_command == "add":
        agent = Agent(id=0, name=args.name.strip(), telegram_id=args.telegram_id,
                      calendar_id=args.calendar_id.strip(), timezone=args.timezone,
                      working_hours=args.hours, slot_minutes=args.slot_minutes,
                      buffer_minutes=args.buffer_minutes, notice_minutes=args.notice_minutes,
                      horizon_days=args.horizon_days, max_per_day=args.max_per_day)
        if not agent.name or not agent.calendar_id:
            print("error: --name and --calendar-id must not be empty", file=sys.stderr)
            return 2
        added = await app.add_agent(config, agent)
        print(added.id)
        return 0
    if command == "agents":
        agents = await app.list_agents(config)
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
        found = await app.list_slots(config, agent_id=args.agent, start=args.start,
                                     days=args.days)
        if args.json:
            print(json.dumps([{"agent_id": agent_id, "start": s.start.isoformat(),
                               "end": s.end.isoformat()} for agent_id, s in found], indent=2))
        else:
            for agent_id, s in found:
                print(f"agent {agent_id}  {_local(s.start)} - {_local(s.end)}")
            if not found:
                print("no free slots in that range")
        return 0
    raise AssertionError(command)


def _local(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M %z")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
