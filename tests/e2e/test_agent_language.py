"""An agent who speaks German and a lead who speaks Spanish, through the real PTB application:
each reads the bot in their own language, the control labels keep their English words, and
the team's actions reach the lead in Spanish."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.harness import AGENT_ID, running_bot
from tests.e2e.team import LEAD, agent_says, agent_taps, button, buttons, lead_of, offer_buttons


async def test_a_german_agent_and_a_spanish_lead_each_read_their_own_language(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, agent={"language": "de"}) as bot:
        tg = bot.telegram
        tg.push_text(LEAD, "hola, ¿mañana por la tarde?", first_name="Lucía",
                     language_code="es")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(offer_buttons(r)))
        mark = tg.mark()
        tg.push_callback(LEAD, offer_buttons(offers)[0][1], message_id=offers["message_id"])
        notice = await tg.wait_for_text(
            AGENT_ID, "Neuer Termin: Dienstag, 8. Dezember 2026, 12:00 (UTC)", after=mark)
        assert "Interessent: Lucía" in notice["text"]
        labels = [label for label, _ in buttons(notice)]
        for word in ("Take over", "No-show", "Cancel", "Move"):
            assert any(word in label for label in labels), labels

        lead = await lead_of(bot)
        agenda = await agent_says(bot, "/agenda")
        assert agenda["text"].startswith("Dein nächster Termin:")
        unknown = await agent_says(bot, "/lead 999999")
        assert unknown["text"] == "Unter deinen Interessenten gibt es keinen mit dieser Nummer."

        question = await agent_taps(bot, button(notice, "Cancel"), notice["message_id"])
        assert question["text"].startswith(f"Den Termin mit Lucía (#lead{lead.id}) am ")
        mark = tg.mark()
        done = await agent_taps(bot, button(question, "Ja"), question["message_id"])
        assert done["text"].startswith(f"Abgesagt: Lucía (#lead{lead.id}), ")
        told = await tg.wait_for(lambda r: r["chat_id"] == LEAD, after=mark)
        assert told["text"].startswith("Lo siento, Alice Agent ha tenido que cancelar tu reunión "
                                       "del mar, 8 dic, 12:00 (UTC).")
