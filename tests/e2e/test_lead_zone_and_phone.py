"""Where a lead is and how they write their number, through the real PTB Application.

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import AppointmentStatus, Lead
from tests.e2e.harness import Bot, running_bot
from tests.fakes.telegram import Record

LEAD = 5101


def buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def with_buttons(record: Record) -> bool:
    return record["chat_id"] == LEAD and bool(buttons(record))


async def lead_of(bot: Bot) -> Lead:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead


@pytest.mark.parametrize(("said", "zone", "label"), [
    ("I'm in New Jersey", "America/New_York", "New York"),
    ("I'm in Victoria BC", "America/Vancouver", "Vancouver"),
])
async def test_a_place_the_lead_names_sets_the_zone_of_that_place(
        tmp_path: Path, said: str, zone: str, label: str) -> None:
    # Before, "New Jersey" was the island of Jersey and "Victoria BC" the Australian state.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, said)
        answer = await tg.wait_for_text(LEAD, "saved your time zone")
        assert label in answer["text"]
        assert (await lead_of(bot)).timezone == zone


async def test_a_national_number_is_read_in_the_lead_s_country(tmp_path: Path) -> None:
    # Before, "155 1234 5678" became +1 551 234 5678 and the lead's zone New York.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "I'm in Shanghai")
        await tg.wait_for_text(LEAD, "saved your time zone")
        mark = tg.mark()
        tg.push_text(LEAD, "155 1234 5678")
        await tg.wait_for_text(LEAD, "saved your phone number", after=mark)
        lead = await lead_of(bot)
        assert lead.phone_number == "+8615512345678"
        assert lead.timezone == "Asia/Shanghai"


async def test_a_national_number_is_read_in_the_country_of_the_telegram_language(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "my number is 030 901820", language_code="de")
        await tg.wait_for_text(LEAD, "saved your phone number")
        lead = await lead_of(bot)
        # Written in English, so answered in English; the country of the Telegram code stays.
        assert lead.language == "en-DE"
        assert lead.phone_number == "+4930901820"


async def test_a_zone_given_after_the_offers_shows_them_again_and_reads_times_in_it(
        tmp_path: Path) -> None:
    # Before, the buttons stayed in UTC after "I'm in Berlin".
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "can we talk tomorrow afternoon?")
        first = await tg.wait_for(with_buttons)
        assert buttons(first)[0][0] == "Tue 8 Dec, 12:00 (UTC)"
        mark = tg.mark()
        tg.push_text(LEAD, "I'm in Berlin")
        again = await tg.wait_for(with_buttons, after=mark)
        assert "Berlin" in again["text"]
        labels = [label for label, _ in buttons(again)]
        assert labels[0] == "Tue 8 Dec, 13:00 (Berlin)"
        # The same offers: the old buttons and the new ones book the same times.
        assert [data for _, data in buttons(again)] == [data for _, data in buttons(first)]

        mark = tg.mark()
        tg.push_text(LEAD, "13:00")
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert "13:00" in confirmation["text"]
        (appointment,) = await bot.services.store.appointments.for_lead((await lead_of(bot)).id)
        assert appointment.status is AppointmentStatus.BOOKED
        assert appointment.start.hour == 12  # 13:00 in Berlin is 12:00 UTC


async def test_a_number_that_implies_a_zone_counts_after_the_first_offer(tmp_path: Path) -> None:
    # Before, the zone assumed with the first offers (the agent's) was never replaced.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "show me times")
        await tg.wait_for(with_buttons)
        mark = tg.mark()
        tg.push_text(LEAD, "my number is +49 30 901820")
        again = await tg.wait_for(with_buttons, after=mark)
        assert all("(Berlin)" in label for label, _ in buttons(again))
        lead = await lead_of(bot)
        assert lead.timezone == "Europe/Berlin"
        assert not lead.timezone_assumed
