"""The command line's argument types: each bad value is one clear line and exit code 2.

The numeric bounds are the core's (``bot.scheduling.limits``), so the command line and any later
way of changing an agent agree on them.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import date
from typing import NoReturn

from bot.config import check_timezone
from bot.errors import ConfigError
from bot.i18n import LANGUAGES
from bot.scheduling.hours import format_hours, parse_hours
from bot.scheduling.limits import AGENT_LIMITS, RECORD_ID, Limit

_DIGITS = re.compile(r"[0-9]{1,30}")


class Parser(argparse.ArgumentParser):
    """Bad arguments: one clear line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def bounded(limit: Limit) -> Callable[[str], int]:
    """A whole number within ``limit``."""
    def parse(text: str) -> int:
        if not _DIGITS.fullmatch(text) or limit.problem(int(text)) is not None:
            raise argparse.ArgumentTypeError(f"expected {limit.describe()}, got {text!r}")
        return int(text)
    return parse


def daily_cap(text: str) -> int | None:
    """A number of meetings a day, or ``none`` for no cap."""
    if text.strip().lower() in ("none", "off"):
        return None
    return bounded(AGENT_LIMITS["max_per_day"])(text)


def record_id(text: str) -> int:
    """A database id: a positive whole number."""
    if not _DIGITS.fullmatch(text) or RECORD_ID.problem(int(text)) is not None:
        raise argparse.ArgumentTypeError(f"expected a positive id, got {text!r}")
    return int(text)


def telegram_id(text: str) -> int:
    """A Telegram user id: a positive whole number."""
    if not _DIGITS.fullmatch(text) or RECORD_ID.problem(int(text)) is not None:
        raise argparse.ArgumentTypeError(f"expected a numeric Telegram user id, got {text!r}")
    return int(text)


def text(value: str) -> str:
    """Text that is not blank, trimmed."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value.strip()


def zone(value: str) -> str:
    """An IANA time zone name."""
    try:
        return check_timezone("--timezone", value)
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--timezone: ")) from None


def language(value: str) -> str:
    """One of the supported languages ("es"; "ES" and "es-MX" read as "es")."""
    code = value.strip().replace("_", "-").split("-", 1)[0].lower()
    if code not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LANGUAGES)}, got {value!r}")
    return code


def hours(value: str) -> str:
    """Working hours, in their canonical form."""
    try:
        return format_hours(parse_hours(value))
    except ConfigError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def day(value: str) -> date:
    """A date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None
