"""What the team's e2e tests share: a booked lead, the agent's notice and its buttons."""

from __future__ import annotations

from bot.domain import Appointment, Lead
from tests.e2e.harness import AGENT_ID, Bot
from tests.fakes.telegram import Record

LEAD = 5401


def buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def offer_buttons(record: Record) -> list[tuple[str, str]]:
    return [(label, data) for label, data in buttons(record) if data.startswith("o:")]


def button(record: Record, word: str) -> str:
    """The data of the record's button whose label contains ``word``."""
    (data,) = [d for label, d in buttons(record) if word in label]
    return data


async def lead_of(bot: Bot, telegram_id: int = LEAD) -> Lead:
    lead = await bot.services.store.leads.by_telegram_id(telegram_id)
    assert lead is not None
    return lead


async def book(bot: Bot, lead: int = LEAD, asked: str = "show me times") -> Record:
    """The lead asks and taps the first time; returns the agent's notice of the booking."""
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(lead, asked)
    offers = await tg.wait_for(lambda r: r["chat_id"] == lead and bool(offer_buttons(r)),
                               after=mark)
    mark = tg.mark()
    tg.push_callback(lead, offer_buttons(offers)[0][1], message_id=offers["message_id"])
    notice = await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID
                               and (r["text"] or "").startswith("New meeting"), after=mark)
    await tg.wait_for(lambda r: r["chat_id"] == lead and "phone number" in (r["text"] or ""),
                      after=mark)
    return notice


async def appointment_of(bot: Bot, lead: int = LEAD) -> Appointment:
    (appointment, *_) = await bot.services.store.appointments.for_lead(
        (await lead_of(bot, lead)).id)
    return appointment


async def agent_says(bot: Bot, text: str, **kwargs: object) -> Record:
    """The agent writes; returns the bot's first answer in the agent's chat."""
    tg = bot.telegram
    mark = tg.mark()
    tg.push_text(AGENT_ID, text, **kwargs)  # type: ignore[arg-type]
    return await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)


async def agent_taps(bot: Bot, data: str, message_id: int | None = None) -> Record:
    """The agent taps a button; returns the bot's answer in the agent's chat."""
    tg = bot.telegram
    mark = tg.mark()
    tg.push_callback(AGENT_ID, data, message_id=message_id)
    return await tg.wait_for(lambda r: r["chat_id"] == AGENT_ID, after=mark)
