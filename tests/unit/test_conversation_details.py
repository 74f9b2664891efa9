"""What the lead tells about themselves: zones from places, numbers in the lead's country, the
open offers shown again in a zone learnt after them, and the phone keyboard taken away."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.conversation.actions import SaveDetails
from bot.conversation.brain import BrainReply
from bot.conversation.phones import zone_of_phone
from bot.conversation.service import KEEP
from tests.unit.chat import chat, labels, offers_in, text_of


@pytest.mark.parametrize(("said", "zone"), [
    ("I'm in New Jersey", "America/New_York"),
    ("I'm in Victoria BC", "America/Vancouver"),
    ("I live in St Petersburg", "Europe/Moscow"),
    ("my time zone is PST", "America/Los_Angeles"),
])
async def test_a_place_said_in_words_is_the_zone_of_that_place(said: str, zone: str) -> None:
    c = await chat()
    await c.says(said)
    assert (await c.lead()).timezone == zone


async def test_an_offset_is_read_with_the_bot_s_own_now_and_keeps_daylight_saving() -> None:
    # In December (the clock's month) GMT-5 is New York's standard time.
    c = await chat(BrainReply(tool_calls=(SaveDetails(timezone="GMT-5"),)))
    await c.says("GMT-5")
    assert (await c.lead()).timezone == "America/New_York"


async def test_a_number_is_read_in_the_zone_the_lead_gave_before_the_agent_s() -> None:
    c = await chat()
    await c.says("I'm in Shanghai")
    await c.says("my number is 155 1234 5678")
    lead = await c.lead()
    assert lead.phone_number == "+8615512345678" and lead.timezone == "Asia/Shanghai"


async def test_a_number_is_read_in_the_country_of_the_telegram_language() -> None:
    c = await chat()
    c.me = replace(c.me, language_code="de")
    await c.says("my number is 030 901820")
    lead = await c.lead()
    # Written in English, so spoken to in English; the country of the Telegram code stays.
    assert lead.language == "en-DE" and lead.phone_number == "+4930901820"


async def test_the_agent_s_zone_reads_a_number_when_nothing_else_is_known() -> None:
    c = await chat()
    c.repos.agents.rows[c.agent.id] = replace(c.agent, timezone="America/New_York")
    c.core.agents.invalidate()
    await c.says("my number is (212) 555-0100")
    assert (await c.lead()).phone_number == "+12125550100"


async def test_a_national_number_with_no_region_known_is_refused() -> None:
    c = await chat()
    c.repos.agents.rows[c.agent.id] = replace(c.agent, active=False)
    c.core.agents.invalidate()
    replies = await c.says("my number is 155 1234 5678")
    assert "include the country code" in text_of(replies)
    assert (await c.lead()).phone_number is None


async def test_the_telegram_language_is_stored_once_and_not_overwritten() -> None:
    c = await chat()
    c.me = replace(c.me, language_code="pt-br")
    await c.says("hello")
    c.me = replace(c.me, language_code="en")
    await c.says("hello again")
    assert (await c.lead()).language == "pt-br"


async def test_a_zone_given_after_offers_shows_the_same_offers_again_in_it() -> None:
    c = await chat()
    first = await c.says("tomorrow afternoon")
    assert labels(first)[0] == "Tue 8 Dec, 12:00 (UTC)"
    assert (await c.lead()).timezone_assumed
    again = await c.says("I'm in Berlin")
    assert "Thanks, I've saved your time zone (Berlin)." in text_of(again)
    assert "Here are the same times in Berlin time:" in text_of(again)
    assert labels(again)[0] == "Tue 8 Dec, 13:00 (Berlin)"
    assert offers_in(again) == offers_in(first)
    assert not (await c.lead()).timezone_assumed


async def test_a_bare_city_after_the_zone_note_shows_the_offers_in_its_zone() -> None:
    c = await chat()
    await c.says("tomorrow afternoon")
    again = await c.says("Berlin")
    assert labels(again)[0] == "Tue 8 Dec, 13:00 (Berlin)"


async def test_a_time_typed_after_the_zone_is_read_in_that_zone() -> None:
    c = await chat()
    await c.says("tomorrow afternoon")
    await c.says("I'm in Berlin")
    await c.says("13:00")
    (appointment,) = c.repos.appointments.rows.values()
    assert appointment.start.hour == 12  # 13:00 Berlin


async def test_a_time_typed_with_the_zone_in_one_message_is_read_in_that_zone() -> None:
    c = await chat()
    await c.says("tomorrow afternoon")
    await c.says("I'm in Berlin, 13:00 works")
    (appointment,) = c.repos.appointments.rows.values()
    assert appointment.start.hour == 12


async def test_a_zone_given_with_nothing_on_offer_shows_no_times() -> None:
    c = await chat()
    replies = await c.says("I'm in Berlin")
    assert offers_in(replies) == []


async def test_the_same_zone_again_does_not_repeat_the_offers() -> None:
    c = await chat()
    await c.says("I'm in Berlin")
    await c.says("tomorrow afternoon")
    replies = await c.says("I'm in Berlin")
    assert offers_in(replies) == []


async def test_a_number_implying_a_zone_replaces_the_assumed_one_and_shows_the_offers() -> None:
    c = await chat()
    await c.says("show me times")
    replies = await c.says("my number is +49 30 901820")
    assert labels(replies) and all(label.endswith("(Berlin)") for label in labels(replies))
    lead = await c.lead()
    assert lead.timezone == "Europe/Berlin" and not lead.timezone_assumed


async def test_a_number_does_not_replace_a_zone_the_lead_gave() -> None:
    c = await chat()
    await c.says("I'm in London")
    await c.says("show me times")
    replies = await c.says("my number is +49 30 901820")
    assert offers_in(replies) == []
    assert (await c.lead()).timezone == "Europe/London"


async def test_open_reschedule_offers_are_shown_again_with_the_keep_button() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    await c.says("can we reschedule to wednesday?")
    replies = await c.says("I'm in Berlin")
    assert "Your meeting is on Mon 7 Dec, 10:00 (Berlin)." in text_of(replies)
    assert KEEP in [b.data for m in replies for row in m.buttons for b in row]


async def test_a_typed_number_takes_the_phone_keyboard_away() -> None:
    c = await chat()
    await c.taps(offers_in(await c.says("show me times"))[0])
    replies = await c.says("+1 212 555 0100")
    saved = next(m for m in replies if "saved your phone number" in m.text)
    assert saved.extra == {"remove_keyboard": "1"}


def test_a_number_implies_a_zone_only_when_its_area_has_one() -> None:
    assert zone_of_phone("+4930901820") == "Europe/Berlin"
    assert zone_of_phone("+8615512345678") == "Asia/Shanghai"
    assert zone_of_phone("+74951234567") == "Europe/Moscow"
    assert zone_of_phone("not a number") is None
