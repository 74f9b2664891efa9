"""A lead from /start to a confirmed booking, through the real PTB Application."""

from __future__ import annotations

from pathlib import Path

from bot.domain import AppointmentStatus
from tests.e2e.harness import ADMIN_ID, AGENT_ID, running_bot
from tests.world import CALENDAR

LEAD = 5001


def buttons(record: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


async def test_start_to_confirmed_booking(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_command(LEAD, "/start", first_name="Dana")
        greeting = await tg.wait_for_text(LEAD, "Hi, Dana!")
        assert "Alice Agent from Acme Realty" in greeting["text"]

        mark = tg.mark()
        tg.push_text(LEAD, "can we talk tomorrow afternoon?")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                   after=mark)
        choices = buttons(offers)
        assert choices[0][0] == "Tue 8 Dec, 12:00 (UTC)"
        assert all(len(data.encode()) <= 64 for _, data in choices)
        # The rule-based brain answers at once: no "typing…" spent of Telegram's rate.
        assert not tg.calls("sendChatAction")

        mark = tg.mark()
        tg.push_callback(LEAD, choices[0][1], message_id=offers["message_id"])
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert "You're booked with Alice Agent" in confirmation["text"]
        assert confirmation["filename"] == "meeting.ics"
        assert b"BEGIN:VEVENT" in confirmation["content"]
        answered = tg.calls("answerCallbackQuery")
        assert answered and answered[0].get("text") == "Booking…"

        notice = await tg.wait_for_text(AGENT_ID, "New meeting")
        (meeting,) = bot.zoom.meetings.values()
        (event,) = bot.google.events[CALENDAR].values()
        assert meeting["join_url"] in confirmation["text"]
        assert meeting["join_url"] in notice["text"]
        assert event["location"] == meeting["join_url"]
        (appointment,) = await bot.services.store.appointments.for_lead(
            (await bot.services.store.leads.by_telegram_id(LEAD)).id)  # type: ignore[union-attr]
        assert appointment.status is AppointmentStatus.BOOKED
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and "phone number" in (r["text"] or ""),
                          after=mark)


async def test_the_same_update_delivered_twice_is_answered_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        update_id = tg.push_command(LEAD, "/start")
        await tg.wait_for_text(LEAD, "booking assistant")
        tg.redeliver(update_id)
        tg.push_text(LEAD, "thanks")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and len(tg.sent(LEAD)) >= 2)
        greetings = [r for r in tg.sent(LEAD) if "booking assistant" in (r["text"] or "")]
        assert len(greetings) == 1


async def test_stats_only_for_admins_and_agents(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_command(LEAD, "/start")
        await tg.wait_for_text(LEAD, "booking assistant")
        tg.push_command(LEAD, "/stats")
        refusal = await tg.wait_for_text(LEAD, "not available")
        assert "Response" not in refusal["text"]
        tg.push_command(ADMIN_ID, "/stats")
        report = await tg.wait_for_text(ADMIN_ID, "Response")
        assert "Throughput" in report["text"]
        tg.push_command(AGENT_ID, "/stats")
        await tg.wait_for_text(AGENT_ID, "Throughput")


async def test_stickers_and_photos_get_a_polite_answer(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_sticker(LEAD)
        await tg.wait_for_text(LEAD, "Thanks for the sticker")
        tg.push_photo(LEAD)
        await tg.wait_for_text(LEAD, "Thanks for the photo")
        tg.push_voice(LEAD)
        await tg.wait_for_text(LEAD, "voice message")


async def test_stats_chart_is_a_png(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "hello")
        await tg.wait_for(lambda r: r["chat_id"] == LEAD)
        tg.push_text(ADMIN_ID, "/stats chart")
        photo = await tg.wait_for(lambda r: r["chat_id"] == ADMIN_ID
                                  and r["method"] == "sendPhoto", timeout=20)
        assert photo["content"].startswith(b"\x89PNG")


async def test_agent_sees_the_booking_in_agenda_and_a_lead_cannot(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "show me times", first_name="Dana")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        await tg.wait_for(lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument")
        tg.push_command(AGENT_ID, "/agenda")
        agenda = await tg.wait_for_text(AGENT_ID, "Your next 1 meeting")
        assert "Dana" in agenda["text"] and "Mon 7 Dec, 09:00" in agenda["text"]
        tg.push_command(LEAD, "/agenda")
        refusal = await tg.wait_for_text(LEAD, "only for our agents")
        assert "Dana" not in refusal["text"]


async def test_a_booking_survives_telegram_failing_around_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "show me times")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)))
        tg.fail("answerCallbackQuery", 400, description="Bad Request: query is too old")
        tg.fail("sendDocument", 502)  # once: the confirmation is sent again
        mark = tg.mark()
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        await tg.wait_for_text(AGENT_ID, "New meeting")
        phone = await tg.wait_for(lambda r: r["chat_id"] == LEAD
                                  and "phone number" in (r["text"] or ""), after=mark)
        assert phone
        assert not [r for r in tg.sent(LEAD)[mark:] if "went wrong" in (r["text"] or "")]
        assert [r["filename"] for r in tg.sent(LEAD)[mark:]
                if r["method"] == "sendDocument"] == ["meeting.ics"]
        assert bot.services.metrics.count("errors.send") == 0
        (appointment,) = await bot.services.store.appointments.for_lead(
            (await bot.services.store.leads.by_telegram_id(LEAD)).id)  # type: ignore[union-attr]
        assert appointment.status is AppointmentStatus.BOOKED


async def test_the_command_menu_is_set_at_start_up(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        menu = [c["command"] for c in bot.telegram.commands]
        assert menu == ["start", "times", "reschedule", "cancel"]
