"""Offers honour what the lead said about when: every slot inside the reading, the exact time
first or the nearest that day, the reading echoed, the nearest times labelled as such, a plain
yes answered with times, and a zone said in the same message applied to its times."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from tests.unit.test_conversation_service import chat, offers_in, text_of


async def _starts(c) -> list[datetime]:  # type: ignore[no-untyped-def]
    lead = await c.lead()
    return [o.start for o in await c.repos.offers.open_for_lead(lead.id, c.clock.now())]


async def test_every_offer_lies_inside_the_constraint_and_the_reading_is_echoed() -> None:
    c = await chat()
    replies = await c.says("thurs after 2")
    starts = await _starts(c)
    assert starts and all(s.date().isoformat() == "2026-12-10" and s.time() >= time(14)
                          for s in starts)
    assert "Times on Thursday 10 December after 2 pm:" in text_of(replies)


async def test_a_range_and_a_before_are_honoured() -> None:
    c = await chat()
    await c.says("friday before 11am")
    assert all(s.time() < time(11) and s.weekday() == 4 for s in await _starts(c))
    await c.says("2-4pm wednesday")
    assert all(time(14) <= s.time() < time(16) and s.weekday() == 2 for s in await _starts(c))


async def test_an_exact_time_that_is_free_comes_first() -> None:
    c = await chat()
    await c.says("wednesday at 3pm")
    starts = await _starts(c)
    assert datetime(2026, 12, 9, 15, 0, tzinfo=UTC) in starts
    assert all(s.date().isoformat() == "2026-12-09" for s in starts)


async def test_an_exact_time_that_is_taken_gets_the_closest_times_that_day() -> None:
    c = await chat()
    c.calendar.block(c.agent.calendar_id, datetime(2026, 12, 9, 15, 0, tzinfo=UTC),
                     datetime(2026, 12, 9, 16, 0, tzinfo=UTC))
    replies = await c.says("wednesday at 3pm")
    starts = await _starts(c)
    assert datetime(2026, 12, 9, 15, 0, tzinfo=UTC) not in starts
    assert all(s.date().isoformat() == "2026-12-09" for s in starts)
    assert "3 pm is taken; the closest are" in text_of(replies)


async def test_nothing_free_in_the_window_says_so_and_labels_the_nearest_times() -> None:
    c = await chat()
    c.calendar.block(c.agent.calendar_id, datetime(2026, 12, 11, 0, 0, tzinfo=UTC),
                     datetime(2026, 12, 12, 0, 0, tzinfo=UTC))
    replies = await c.says("friday morning")
    assert offers_in(replies)
    assert ("Nothing is free on Friday 11 December in the morning, sorry. The nearest free times "
            "instead:") in text_of(replies)


async def test_a_plain_yes_gets_the_next_free_times() -> None:
    for text in ("ok sounds great, let's chat", "any time is fine",
                 "we're a team of 40, could we set up a call?", "sure, let's talk"):
        c = await chat()
        replies = await c.says(text)
        assert offers_in(replies), text
        assert "Here are the next free times:" in text_of(replies)


async def test_asap_gets_the_earliest_free_times() -> None:
    c = await chat()
    replies = await c.says("asap please")
    starts = await _starts(c)
    assert "Here are the earliest free times:" in text_of(replies)
    assert starts == sorted(starts) and len(starts) >= 2
    assert (starts[1] - starts[0]).total_seconds() <= 3600


async def test_a_city_in_the_same_message_applies_to_its_times() -> None:
    c = await chat()
    replies = await c.says("I'm in Berlin, is wednesday 2pm my time ok?")
    starts = await _starts(c)
    berlin = ZoneInfo("Europe/Berlin")
    assert datetime(2026, 12, 9, 14, 0, tzinfo=berlin) in starts
    assert "Wed 9 Dec, 14:00" in text_of(replies)
    assert "Times on Wednesday 9 December at 2 pm:" in text_of(replies)


async def test_a_zone_abbreviation_applies_to_that_messages_times() -> None:
    c = await chat()
    await c.says("wednesday 10am EST")
    starts = await _starts(c)
    assert datetime(2026, 12, 9, 15, 0, tzinfo=UTC) in starts  # 10:00 in New York
