"""Lead details as people type them, checked and normalised: phone to E.164, email, zone."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import available_timezones

import phonenumbers
from phonenumbers import timezone as phone_zones

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_ALIASES = {"nyc": "America/New_York", "new york city": "America/New_York",
            "sf": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
            "la": "America/Los_Angeles", "washington": "America/New_York",
            "boston": "America/New_York", "miami": "America/New_York",
            "seattle": "America/Los_Angeles", "dallas": "America/Chicago",
            "houston": "America/Chicago", "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin",
            "hamburg": "Europe/Berlin", "milan": "Europe/Rome", "barcelona": "Europe/Madrid",
            "manchester": "Europe/London", "edinburgh": "Europe/London", "uk": "Europe/London",
            "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
            "bangalore": "Asia/Kolkata", "beijing": "Asia/Shanghai", "kyiv": "Europe/Kyiv",
            "kiev": "Europe/Kyiv", "dubai": "Asia/Dubai", "utc": "UTC", "gmt": "Etc/GMT"}


def normalise_phone(text: str, region: str | None = None) -> str | None:
    """A typed or shared number in E.164 (``+12125550100``), or None when it is not valid."""
    candidate = text.strip()
    if candidate and candidate[0].isdigit() and region is None and len(candidate) > 10:
        candidate = "+" + candidate  # Telegram shares contacts without the plus
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def zone_of_phone(e164: str) -> str | None:
    """The one IANA zone of a number's area, when it has exactly one (e.g. +49 -> Berlin)."""
    try:
        zones = phone_zones.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] in available_timezones() else None


def normalise_email(text: str) -> str | None:
    """A plausible email address, lower-cased domain; None otherwise."""
    candidate = text.strip().strip(".,;")
    if not _EMAIL.match(candidate):
        return None
    local, domain = candidate.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for key in sorted(available_timezones()):
        if key.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        names.setdefault(key.lower(), key)
        city = key.rsplit("/", 1)[-1].replace("_", " ").lower()
        names.setdefault(city, key)
    names.update(_ALIASES)
    return names


def resolve_zone(text: str) -> str | None:
    """An IANA zone from a zone name or a city ("Europe/Paris", "I'm in new york") or None."""
    cleaned = re.sub(r"[^\w/+\- ]", " ", text.lower()).strip()
    cleaned = re.sub(r"^(i'?m|i am|i live|we are|we're|based|located|my time ?zone is|in|"
                     r"time ?zone)\b", "", cleaned).strip()
    names = _zone_names()
    if cleaned in names:
        return names[cleaned]
    words = cleaned.split()
    # The longest run of words that names a place wins ("near new york city" -> New York).
    for size in range(min(4, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            key = " ".join(words[i:i + size])
            if key in names and (size > 1 or len(key) > 2):
                return names[key]
    return None


