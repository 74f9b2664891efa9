"""Phone numbers as leads type them, read in the lead's own country.

- ``+44 20 7946 0958`` and ``0044 20 7946 0958`` (the ``00`` international prefix) are
  international as written.
- A number without either is national: it is read in the lead's region, taken from what the bot
  knows in this order: the lead's zone (``Asia/Shanghai`` -> CN), the region of their Telegram
  language (``pt-BR`` -> BR; a language spoken in one main country, ``de`` -> DE), then the
  agent's zone. "155 1234 5678" from a lead in China is +86 155 1234 5678, never +1 551...
- A national number with no region known is refused (the bot asks for the country code) rather
  than guessed: a "+" is never put in front of a national number. Telegram's shared contacts
  are the exception: they are always international, sent without the plus.
- A number may imply the lead's zone (``zone_of_phone``): +49 is Berlin, while +1 212 is
  New York only by its area code and a country of several zones implies none.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from zoneinfo import available_timezones

import phonenumbers
from phonenumbers import timezone as phone_zones

# Languages spoken mostly in one country; English, Spanish, Portuguese, French, Arabic... are not.
_LANGUAGE_REGIONS = {
    "de": "DE", "it": "IT", "nl": "NL", "pl": "PL", "ru": "RU", "uk": "UA", "ja": "JP",
    "ko": "KR", "zh": "CN", "tr": "TR", "cs": "CZ", "sk": "SK", "hu": "HU", "ro": "RO",
    "bg": "BG", "el": "GR", "he": "IL", "iw": "IL", "fa": "IR", "th": "TH", "vi": "VN",
    "id": "ID", "ms": "MY", "hi": "IN", "bn": "BD", "da": "DK", "sv": "SE", "nb": "NO",
    "no": "NO", "fi": "FI", "et": "EE", "lv": "LV", "lt": "LT", "hr": "HR", "sl": "SI",
    "sr": "RS", "ka": "GE", "hy": "AM", "kk": "KZ", "uz": "UZ", "az": "AZ", "be": "BY",
}


@lru_cache(maxsize=1)
def _zone_regions() -> dict[str, str]:
    """IANA zone -> ISO country, from tzdata's zone table (a zone may serve several; the
    first listed is the zone's own country)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    regions: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _, zone = line.split("\t")[:3]
            regions.setdefault(zone, country)
    return regions


def region_of_zone(zone: str | None) -> str | None:
    """The country of an IANA zone (``Europe/Berlin`` -> DE), if it names one."""
    return _zone_regions().get(zone) if zone else None


def region_of_language(code: str | None) -> str | None:
    """The country a Telegram language code points to (``pt-br`` -> BR, ``de`` -> DE)."""
    if not code:
        return None
    language, _, country = code.replace("_", "-").partition("-")
    if len(country) == 2 and country.isalpha():
        return country.upper()
    return _LANGUAGE_REGIONS.get(language.lower())


def lead_regions(*, zone: str | None, language: str | None,
                 fallback_zone: str | None = None) -> tuple[str, ...]:
    """The regions to read a national number in, most likely first."""
    found = (region_of_zone(zone), region_of_language(language), region_of_zone(fallback_zone))
    return tuple(dict.fromkeys(r for r in found if r))


def normalise_phone(text: str, regions: Iterable[str] = (), *,
                    shared_contact: bool = False) -> str | None:
    """A number in E.164 (``+12125550100``), read in the first region where it is valid."""
    candidate = text.strip()
    digits = "".join(c for c in candidate if c.isdigit())
    if not digits or len(digits) > 17:
        return None
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:].lstrip()
    elif shared_contact and not candidate.startswith("+"):
        candidate = "+" + candidate
    tries: Iterable[str | None] = (None,) if candidate.startswith("+") else regions
    for region in tries:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def zone_of_phone(e164: str) -> str | None:
    """The one IANA zone of a number's area, when it has exactly one (e.g. +49 -> Berlin)."""
    try:
        zones = phone_zones.time_zones_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] in available_timezones() else None
