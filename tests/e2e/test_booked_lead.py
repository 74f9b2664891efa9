"""A lead with a booked meeting, through the real PTB Application: what they ask about it, and
asking for other times, which moves it (one lead, one upcoming meeting).

The agent works mon-fri 09:00-17:00 UTC; the clock stands on Monday 7 Dec 2026, 07:00 UTC.
"""

from __future__ import annotations

from pathlib import Path

from bot.domain import AppointmentStatus, Lead
from tests.e2e.harness import Bot, running_bot
from tests.fakes.telegram import Record

LEAD = 5301


def buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def offer_buttons(record: Record) -> list[tuple[str, str]]:
    return [(label, data) for label, data in buttons(record) if data.startswith("o:")]


def with_offers(record: Record) -> bool:
    return record["chat_id"] == LEAD and bool(offer_buttons(record))


async def lead_of(bot: Bot) -> Lead:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead


async def book_first(bot: Bot, asked: str = "show me times") -> None:
    """Ask, tap the first time, and wait for the confirmation and the question after it."""
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(LEAD, asked)
    offers = await tg.wait_for(with_offers, after=mark)
    mark = tg.mark()
    tg.push_callback(LEAD, offer_buttons(offers)[0][1], message_id=offers["message_id"])
    await tg.wait_for(lambda r: r["chat_id"] == LEAD and "phone number" in (r["text"] or ""),
                      after=mark)


async def test_questions_and_topics_about_cancelling_are_read_for_what_they_say(
        tmp_path: Path) -> None:
    # Before: the topic asked the lead to confirm cancelling the meeting, and the questions
    # about the booking got fresh offers.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        await book_first(bot)
        tg.push_contact(LEAD, "12125550100")
        await tg.wait_for_text(LEAD, "What would you like to talk about?")
        mark = tg.mark()
        tg.push_text(LEAD, "We need to cancel our current CRM contract")
        await tg.wait_for_text(LEAD, "saved your topic", after=mark)
        for question in ("what time is our meeting?", "is my meeting still on?"):
            mark = tg.mark()
            tg.push_text(LEAD, question)
            answer = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
            # 09:00 UTC, in the lead's zone now that a New York number implied it.
            assert "Mon 7 Dec, 04:00 (New York)" in answer["text"]
            assert not buttons(answer)
        assert not [r for r in tg.sent(LEAD) if (r["text"] or "").startswith("Cancel your")]
        (appointment,) = await bot.services.store.appointments.for_lead((await lead_of(bot)).id)
        assert appointment.status is AppointmentStatus.BOOKED
        assert (await lead_of(bot)).notes == "We need to cancel our current CRM contract"


async def test_a_call_cancelled_elsewhere_gets_offers_for_the_time_the_lead_is_free(
        tmp_path: Path) -> None:
    # Before: "You don't have a meeting booked."
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "my other call got cancelled so I'm free tomorrow afternoon")
        offers = await tg.wait_for(with_offers)
        assert all(label.startswith("Tue 8 Dec") for label, _ in offer_buttons(offers))
        assert "meeting booked" not in offers["text"]
