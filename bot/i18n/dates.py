"""Dates and times in the speaking language, from Babel's CLDR data (no hand-made tables).

English keeps the bot's own compact layout ("Tue 2 Dec, 15:00"), drawn from the same CLDR
names; every other language uses its locale's own patterns ("mar, 8 dic, 15:00").
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time, get_timezone_location

from bot.i18n.catalogs import DEFAULT, _, current


def zone_name(zone: ZoneInfo) -> str:
    """A zone's everyday name in the speaking language: America/New_York -> "Nueva York"."""
    key = zone.key
    plain = key.rsplit("/", 1)[-1].replace("_", " ") if "/" in key else key
    if current() == DEFAULT or "/" not in key:
        return plain
    try:
        return str(get_timezone_location(zone, locale=current(), return_city=True))
    except (LookupError, ValueError):
        return plain


def slot(start: datetime, zone: ZoneInfo) -> str:
    """A button's time: ``Tue 2 Dec, 15:00`` / ``mar, 2 dic, 15:00``."""
    local = start.astimezone(zone)
    if current() == DEFAULT:
        return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    return f"{format_skeleton('MMMEd', local, locale=current())}, {hour(local)}"


def full(start: datetime, zone: ZoneInfo) -> str:
    """A confirmation's time: ``Tuesday 2 December 2026, 15:00`` / ``martes, 2 de diciembre de
    2026, 15:00``."""
    local = start.astimezone(zone)
    if current() == DEFAULT:
        return f"{local:%A} {local.day} {local:%B} {local.year}, {local:%H:%M}"
    return f"{format_date(local.date(), 'full', locale=current())}, {hour(local)}"


def hour(moment: datetime | dt.time) -> str:
    """A clock time as the locale writes it (24-hour in every language but English)."""
    if current() == DEFAULT:
        return f"{moment:%H:%M}"
    return str(format_time(moment, "short", locale=current()))


def day(value: date) -> str:
    """A day without its year: ``Thursday 3 December`` / ``jueves, 3 de diciembre``."""
    if current() == DEFAULT:
        return f"{value:%A} {value.day} {value:%B}"
    return _("{weekday} {day_month}", weekday=weekday(value),
             day_month=format_skeleton("MMMMd", value, locale=current()))


def weekday(value: date) -> str:
    """The day's name: ``Thursday`` / ``jueves``."""
    if current() == DEFAULT:
        return f"{value:%A}"
    return str(format_date(value, "EEEE", locale=current()))


def month_day(value: date) -> str:
    """``December 3`` / ``3 de diciembre``."""
    if current() == DEFAULT:
        return f"{value:%B} {value.day}"
    return str(format_skeleton("MMMMd", value, locale=current()))


def date_label(value: date) -> str:
    """A day with its year: ``Thu 24 Dec 2026`` / ``jue, 24 dic 2026``."""
    if current() == DEFAULT:
        return f"{value:%a %d %b %Y}"
    return str(format_skeleton("yMMMEd", value, locale=current()))


def clock(minutes: int) -> str:
    """Minutes after midnight as said in a reading: ``2:30 pm`` / ``14:30``."""
    hours, minute = divmod(minutes % (24 * 60), 60)
    if current() == DEFAULT:
        suffix = "am" if hours < 12 else "pm"
        shown = hours % 12 or 12
        return f"{shown}:{minute:02d} {suffix}" if minute else f"{shown} {suffix}"
    return hour(dt.time(hours, minute))
