"""``python -m bot agents ...``: the operator's commands on the agents, grammar and bodies.

``add`` and ``edit`` share their options and so their validation. A running bot on the same
database sees a change within its agent cache's five minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC
from zoneinfo import ZoneInfo

from bot import arguments
from bot.clock import Clock
from bot.domain import Agent
from bot.i18n import LANGUAGES
from bot.ports import Repositories
from bot.scheduling.limits import AGENT_LIMITS

_DEFAULTS = {"hours": "mon-fri 09:00-17:00", "slot_minutes": 30, "buffer_minutes": 0,
             "notice_minutes": 120, "horizon_days": 14, "max_per_day": None, "language": "en"}
_NUMBERS = ("slot_minutes", "buffer_minutes", "notice_minutes", "horizon_days")
_EDITABLE = ("name", "calendar_id", "timezone", "hours", *_NUMBERS, "max_per_day", "language")


def add_parsers(commands: argparse._SubParsersAction[arguments.Parser]) -> None:
    """``agents add|list|edit|activate|deactivate|remove``."""
    agents = commands.add_parser("agents", help="manage agents").add_subparsers(
        dest="agents_command", required=True, parser_class=arguments.Parser)
    add = agents.add_parser("add", help="register an agent; prints the new id")
    add.add_argument("--telegram-id", required=True, type=arguments.telegram_id)
    _agent_options(add, editing=False)
    listing = agents.add_parser("list", help="list agents")
    listing.add_argument("--json", action="store_true")
    edit = agents.add_parser("edit", help="change an agent's details (a running bot sees "
                                          "them within 5 minutes)")
    edit.add_argument("id", type=arguments.record_id, metavar="ID")
    _agent_options(edit, editing=True)
    for verb, text in (("activate", "offer the agent's times again"),
                       ("deactivate", "stop offering the agent's times; booked meetings stay"),
                       ("remove", "remove an agent without upcoming meetings (its past "
                                  "meetings are kept)")):
        agents.add_parser(verb, help=text).add_argument("id", type=arguments.record_id,
                                                        metavar="ID")


def _agent_options(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The options ``add`` and ``edit`` share; ``edit`` leaves out what is not given."""
    def default(name: str) -> object:
        return argparse.SUPPRESS if editing else _DEFAULTS.get(name)

    parser.add_argument("--name", required=not editing, type=arguments.text,
                        default=default("name"))
    parser.add_argument("--calendar-id", required=not editing, type=arguments.text,
                        default=default("calendar_id"))
    parser.add_argument("--timezone", required=not editing, type=arguments.zone,
                        default=default("timezone"))
    parser.add_argument("--hours", type=arguments.hours, default=default("hours"),
                        help='working hours, e.g. "mon-fri 09:00-12:00,13:00-17:00; '
                             'sat 10:00-14:00"')
    for name in _NUMBERS:
        limit = AGENT_LIMITS[name]
        parser.add_argument(f"--{name.replace('_', '-')}", type=arguments.bounded(limit),
                            default=default(name), help=limit.describe() + (
                                "" if editing else f" (default {_DEFAULTS[name]})"))
    cap = AGENT_LIMITS["max_per_day"]
    parser.add_argument("--max-per-day", default=default("max_per_day"),
                        type=arguments.daily_cap if editing else arguments.bounded(cap),
                        help=f"at most this many meetings a day, {cap.describe()} "
                             + ("(none: no cap)" if editing else "(default: no cap)"))
    parser.add_argument("--language", type=arguments.language, default=default("language"),
                        help="the language of the agent's notices: "
                             + ", ".join(LANGUAGES) + ("" if editing else " (default en)"))


async def run(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    """Run one ``agents`` command; returns the exit code."""
    return await _COMMANDS[args.agents_command](args, store, clock)


async def _add(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    agent = Agent(id=0, name=args.name, telegram_id=args.telegram_id,
                  calendar_id=args.calendar_id, timezone=args.timezone,
                  working_hours=args.hours, slot_minutes=args.slot_minutes,
                  buffer_minutes=args.buffer_minutes, notice_minutes=args.notice_minutes,
                  horizon_days=args.horizon_days, max_per_day=args.max_per_day,
                  language=args.language)
    print((await store.agents.add(agent)).id)
    return 0


async def _list(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    agents = await store.agents.list()
    if args.json:
        print(json.dumps([asdict(a) for a in agents], indent=2))
    elif not agents:
        print("no agents yet: add one with `python -m bot agents add --help`")
    else:
        for agent in agents:
            print(line(agent))
    return 0


def line(a: Agent) -> str:
    """One agent on one line, as ``agents list`` shows it."""
    cap = f"  max {a.max_per_day}/day" if a.max_per_day else ""
    state = ("" if a.active else "  (inactive)") + ("  (console only)" if a.console_only else "")
    state += f"  language:{a.language}" if a.language != "en" else ""
    return (f"{a.id:>4}  {a.name}  tg:{a.telegram_id}  {a.calendar_id}  {a.timezone}  "
            f"{a.working_hours}  {a.slot_minutes}m{cap}{state}")


async def _edit(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    given = vars(args)
    changes = {("working_hours" if key == "hours" else key): given[key]
               for key in _EDITABLE if key in given}
    if not changes:
        print("python -m bot agents edit: error: nothing to change: give at least one option "
              "(see --help)", file=sys.stderr)
        return 2
    print(line(await store.agents.update(args.id, **changes)))
    return 0


async def _set_active(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    active = args.agents_command == "activate"
    agent = await store.agents.update(args.id, active=active)
    if active:
        state = f"active: its times are offered{' in the console' if agent.console_only else ''}"
    else:
        state = "inactive: its times are no longer offered; booked meetings stay"
    print(f"agent {agent.id} ({agent.name}) is {state}")
    return 0


async def _remove(args: argparse.Namespace, store: Repositories, clock: Clock) -> int:
    agent = await store.agents.get(args.id)
    upcoming = await store.agents.remove(args.id, clock.now())
    name = agent.name if agent is not None else "?"
    if upcoming:
        tz = ZoneInfo(agent.timezone) if agent is not None else UTC
        first = upcoming[0].astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")
        print(f"error: agent {args.id} ({name}) has {len(upcoming)} upcoming meeting(s), the "
              f"next {first}: cancel or move them first, or `python -m bot agents deactivate "
              f"{args.id}` to stop new bookings", file=sys.stderr)
        return 1
    print(f"agent {args.id} ({name}) removed; its past meetings are kept")
    return 0


_Command = Callable[[argparse.Namespace, Repositories, Clock], Awaitable[int]]
_COMMANDS: dict[str, _Command] = {"add": _add, "list": _list, "edit": _edit,
                                  "activate": _set_active, "deactivate": _set_active,
                                  "remove": _remove}
