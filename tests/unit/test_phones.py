"""Phone numbers read in the lead's own country, never turned into a foreign number."""

from __future__ import annotations

import pytest

from bot.conversation.phones import lead_regions, normalise_phone, region_of_language


def test_a_national_number_from_a_lead_in_china_is_chinese() -> None:
    regions = lead_regions(zone="Asia/Shanghai", language="en")
    assert normalise_phone("155 1234 5678", regions) == "+8615512345678"


def test_a_national_number_with_no_known_region_is_refused_not_guessed() -> None:
    # Before, a "+" was put in front: +1 551 234 5678, a New York number.
    assert normalise_phone("155 1234 5678") is None


@pytest.mark.parametrize(("typed", "e164"), [
    ("0044 20 7946 0958", "+442079460958"),
    ("0049 30 901820", "+4930901820"),
    ("001 212 555 0100", "+12125550100"),
    ("+1 212 555 0100", "+12125550100"),
])
def test_the_00_prefix_and_the_plus_are_international_wherever_the_lead_is(typed: str,
                                                                          e164: str) -> None:
    assert normalise_phone(typed, ("DE",)) == e164
    assert normalise_phone(typed) == e164


@pytest.mark.parametrize(("zone", "language", "typed", "e164"), [
    ("America/New_York", None, "(212) 555-0100", "+12125550100"),
    ("Europe/Berlin", None, "030 901820", "+4930901820"),
    (None, "de", "030 901820", "+4930901820"),
    (None, "pt-br", "(11) 91234-5678", "+5511912345678"),
    ("Europe/London", "en", "020 7946 0958", "+442079460958"),
])
def test_national_formats_are_read_in_the_region_of_the_zone_or_the_language(
        zone: str | None, language: str | None, typed: str, e164: str) -> None:
    assert normalise_phone(typed, lead_regions(zone=zone, language=language)) == e164


def test_the_lead_s_zone_counts_before_the_agent_s() -> None:
    regions = lead_regions(zone="Asia/Shanghai", language=None, fallback_zone="America/New_York")
    assert regions == ("CN", "US")
    assert normalise_phone("155 1234 5678", regions) == "+8615512345678"


def test_a_shared_telegram_contact_is_international_without_its_plus() -> None:
    assert normalise_phone("12125550100", shared_contact=True) == "+12125550100"


@pytest.mark.parametrize("typed", ["", "call me", "12", "+1 555", "9" * 30])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    assert normalise_phone(typed, ("US",)) is None


def test_languages_of_many_countries_name_no_region() -> None:
    assert region_of_language("en") is None
    assert region_of_language("es") is None
    assert region_of_language("en-GB") == "GB"
