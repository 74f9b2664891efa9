"""Messages as Telegram delivers them: captions, edits, and the phone keyboard, through the real
PTB Application and the fake Bot API (what the bot sends is read from the fake's records)."""

from __future__ import annotations

from pathlib import Path

from bot.domain import Role
from tests.e2e.harness import Bot, running_bot
from tests.fakes.telegram import Record

LEAD = 5201


def buttons(record: Record) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def with_buttons(record: Record) -> bool:
    return record["chat_id"] == LEAD and bool(buttons(record))


async def inbound(bot: Bot) -> list[tuple[str, int | None]]:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return [(m.content, m.telegram_message_id)
            for m in await bot.services.store.messages.last(lead.id, 100) if m.role is Role.USER]


async def test_a_photo_s_caption_is_read_as_what_the_lead_wrote(tmp_path: Path) -> None:
    # Before, the caption was lost: "Thanks for the photo! I can only read text".
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_photo(LEAD, caption="Can we meet tomorrow at 3pm?")
        offers = await tg.wait_for(with_buttons)
        assert "Tue 8 Dec, 15:00 (UTC)" in [label for label, _ in buttons(offers)]
        assert not [r for r in tg.sent(LEAD) if "photo" in (r["text"] or "")]
        mark = tg.mark()
        tg.push_document(LEAD, caption="or wednesday morning")
        later = await tg.wait_for(with_buttons, after=mark)
        assert all(label.startswith("Wed 9 Dec") for label, _ in buttons(later))


async def test_an_edit_updates_the_stored_text_and_is_answered_only_when_it_means_more(
        tmp_path: Path) -> None:
    # Before, every edit was answered as a new message and stored again with the same id.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        update_id = tg.push_text(LEAD, "can we talk tomorrow afternoon?")
        message_id = tg.pushed(update_id)["message"]["message_id"]
        first = await tg.wait_for(with_buttons)
        await tg.wait_for_text(LEAD, "Times are in UTC")  # the last line of that answer

        mark = tg.mark()
        tg.push_edit(LEAD, message_id, "Can we talk tomorrow afternoon, please?")
        tg.push_text(LEAD, "thanks")  # answered: the edit before it was handled in order
        await tg.wait_for_text(LEAD, "You're welcome", after=mark)
        assert len(tg.sent(LEAD)[mark:]) == 1  # the edit itself got no answer
        assert ("Can we talk tomorrow afternoon, please?", message_id) in await inbound(bot)
        assert [i for _, i in await inbound(bot)].count(message_id) == 1

        mark = tg.mark()
        tg.push_edit(LEAD, message_id, "can we talk on wednesday afternoon?")
        offers = await tg.wait_for(with_buttons, after=mark)
        assert all(label.startswith("Wed 9 Dec") for label, _ in buttons(offers))
        assert buttons(offers) != buttons(first)
        assert [i for _, i in await inbound(bot)].count(message_id) == 1


async def test_the_phone_keyboard_goes_away_once_the_number_is_typed(tmp_path: Path) -> None:
    # Before, the "Share my phone number" keyboard stayed after a typed number.
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "show me times")
        offers = await tg.wait_for(with_buttons)
        mark = tg.mark()
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        ask = await tg.wait_for(lambda r: r["chat_id"] == LEAD
                                and "phone number" in (r["text"] or ""), after=mark)
        assert ask["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        mark = tg.mark()
        tg.push_text(LEAD, "+1 212 555 0100")
        saved = await tg.wait_for_text(LEAD, "saved your phone number", after=mark)
        assert saved["reply_markup"] == {"remove_keyboard": True}


async def test_the_phone_keyboard_goes_away_once_the_number_is_shared(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_contact(LEAD, "12125550100")
        saved = await tg.wait_for_text(LEAD, "saved your phone number")
        assert saved["reply_markup"] == {"remove_keyboard": True}
        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None and lead.phone_number == "+12125550100"
