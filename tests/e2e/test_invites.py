"""The .ics files a lead gets, through the real PTB Application, read with ``icalendar``: the
calendar app can follow a booking, its move and its cancel as one event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar

from tests.e2e.harness import Bot, running_bot
from tests.e2e.test_booking_rules import offers_for, tap, taps
from tests.world import MONDAY

LEAD = 5001


def invite(record: dict[str, Any]) -> tuple[icalendar.Calendar, icalendar.Event]:
    assert record["filename"].endswith(".ics")
    calendar = icalendar.Calendar.from_ical(record["content"])
    (event,) = calendar.walk("VEVENT")
    return calendar, event


async def document(bot: Bot, mark: int) -> dict[str, Any]:
    return await bot.telegram.wait_for(
        lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)


async def book_nine(bot: Bot) -> dict[str, Any]:
    offers = await offers_for(bot.telegram, LEAD, "can we talk today at 9am?")
    mark = bot.telegram.mark()
    await tap(bot.telegram, LEAD, offers, "Mon 7 Dec, 09:00 (UTC)")
    return await document(bot, mark)


async def test_a_booking_its_move_and_its_cancel_are_one_event_in_the_leads_calendar(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        calendar, booked = invite(await book_nine(bot))
        assert calendar["METHOD"] == "PUBLISH" and int(booked["SEQUENCE"]) == 0
        uid = str(booked["UID"])
        assert uid.endswith("@leadbot") and not uid.startswith("appointment-")

        mark = tg.mark()
        tg.push_text(LEAD, "reschedule")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(taps(r)), after=mark)
        _, data = taps(offers)[-1]
        mark = tg.mark()
        tg.push_callback(LEAD, data, message_id=offers["message_id"])
        moved_record = await document(bot, mark)
        assert "moved" in moved_record["text"]
        _, moved = invite(moved_record)
        assert str(moved["UID"]) == uid and int(moved["SEQUENCE"]) == 1
        assert moved.decoded("DTSTART") != booked.decoded("DTSTART")

        mark = tg.mark()
        tg.push_text(LEAD, "cancel")
        question = await tg.wait_for_text(LEAD, "Cancel your meeting", after=mark)
        (yes,) = [b["callback_data"] for row in question["reply_markup"]["inline_keyboard"]
                  for b in row if b["callback_data"].startswith("c:")]
        mark = tg.mark()
        tg.push_callback(LEAD, yes, message_id=question["message_id"])
        cancelled_record = await document(bot, mark)
        assert "cancelled" in cancelled_record["text"].lower()
        calendar, cancelled = invite(cancelled_record)
        assert calendar["METHOD"] == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
        assert str(cancelled["UID"]) == uid and int(cancelled["SEQUENCE"]) == 2
        assert cancelled.decoded("DTSTART") == moved.decoded("DTSTART")


async def test_two_fresh_databases_never_give_two_meetings_the_same_uid(tmp_path: Path) -> None:
    """Both number their first appointment 1; booked at different moments (as two databases
    always are), their invites differ."""
    uids = []
    for n, name in enumerate(("first", "second")):
        (tmp_path / name).mkdir()
        async with running_bot(tmp_path / name, at=MONDAY + timedelta(seconds=n)) as bot:
            _, event = invite(await book_nine(bot))
            uids.append(str(event["UID"]))
    assert uids[0] != uids[1], "a calendar app would overwrite one booking with the other"


async def test_a_carriage_return_in_the_agents_name_injects_nothing(tmp_path: Path) -> None:
    name = "Alice\rX-INJECTED:yes"
    async with running_bot(tmp_path, agent={"name": name}) as bot:
        record = await book_nine(bot)
        _, event = invite(record)
        assert "X-INJECTED" not in event
        assert str(event["SUMMARY"]) == "Meeting with Alice X-INJECTED:yes"
        assert b"None" not in record["content"]
