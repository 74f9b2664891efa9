"""A Spanish lead's follow-ups through the real PTB Application: the nudge, the opt-out
confirmation, the reply while opted out, the welcome back, /forget and the thanks for an
answer are all in Spanish (no English word among them), while the agent's notices stay in the
agent's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain import LeadStatus
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.test_nudges import run_at
from tests.e2e.test_qualification import choices
from tests.e2e.test_qualification import env as qualification_env
from tests.e2e.test_spanish_lead import buttons, english_in, seen

LEAD = 5401
MONDAY_7 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


async def say(bot: Bot, text: str, expect: str) -> dict[str, Any]:
    """The Spanish lead sends ``text``; the first reply to it containing ``expect``."""
    mark = bot.telegram.mark()
    bot.telegram.push_text(LEAD, text, first_name="Lucía", language_code="es")
    return await bot.telegram.wait_for_text(LEAD, expect, after=mark)


async def status(bot: Bot) -> LeadStatus:
    lead = await bot.services.store.leads.by_telegram_id(LEAD)
    assert lead is not None
    return lead.status


async def test_a_spanish_lead_is_nudged_and_opts_out_in_spanish(tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        tg = bot.telegram
        await say(bot, "hola, quería hablar de un piso", "")
        mark = tg.mark()
        assert await run_at(bot, MONDAY_7 + timedelta(hours=6)) == 1
        nudge = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                  after=mark)
        first = nudge["text"].splitlines()[0]
        assert "Lucía" in first and first.endswith("(Responde \"baja\" y no volveré a "
                                                   "escribirte.)"), first
        assert "Toca uno para reservarlo." in nudge["text"]
        assert buttons(nudge)[0][0] == "lun, 7 dic, 14:00 (UTC)"
        assert english_in([nudge]) == set(), seen(nudge)

        mark = tg.mark()
        confirmation = await say(bot, "baja", "no te enviaré más mensajes")
        assert confirmation["text"] == ("Hecho: no te enviaré más mensajes ni recordatorios. Si "
                                        "cambias de opinión, escribe \"empezar\".")
        assert await status(bot) is LeadStatus.OPTED_OUT
        quiet = await say(bot, "¿qué horarios tienes mañana?", "Me pediste que no te escribiera")
        back = await say(bot, "empezar", "¡Bienvenido de nuevo!")
        assert buttons(back)[0][0] == "Ver horarios disponibles"
        assert await status(bot) is not LeadStatus.OPTED_OUT
        assert english_in(tg.sent(LEAD)[mark:]) == set(), [seen(r) for r in (quiet, back)]


async def test_a_spanish_lead_s_forget_is_confirmed_in_spanish_and_told_to_the_agent_in_english(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, at=MONDAY_7) as bot:
        await say(bot, "hola, quería hablar de un piso", "")
        mark = bot.telegram.mark()
        bot.telegram.push_command(LEAD, "/forget", first_name="Lucía", language_code="es")
        done = await bot.telegram.wait_for_text(LEAD, "he borrado tu nombre", after=mark)
        assert done["text"] == ("Hecho: he borrado tu nombre, tus datos de contacto, tus notas y "
                                "nuestros mensajes. Ya se lo he comunicado al agente.")
        notice = await bot.telegram.wait_for_text(AGENT_ID, "asked to have their personal data "
                                                  "deleted", after=mark)
        assert notice["text"].startswith("Lead #")
        assert english_in(bot.telegram.sent(LEAD)[mark:]) == set()


async def test_a_spanish_lead_s_answers_are_thanked_in_spanish_and_the_agent_told_in_english(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path, env=qualification_env(tmp_path)) as bot:
        tg = bot.telegram
        mark = tg.mark()
        tg.push_command(LEAD, "/start", first_name="Lucía", language_code="es")
        asked = await tg.wait_for_text(LEAD, "Are you looking to buy or to sell?", after=mark)
        # The operator's questions are said as written; the bot's own words are Spanish.
        for label, text in (("Buying", None), (None, "Salamanca"), ("250k-500k", None),
                            ("Within 3 months", None), ("Cash", None)):
            mark = tg.mark()
            if label is not None:
                tg.push_callback(LEAD, choices(asked)[label], message_id=asked["message_id"])
            else:
                tg.push_text(LEAD, text or "", first_name="Lucía", language_code="es")
            thanks = await tg.wait_for_text(LEAD, "anotado", after=mark)
            assert thanks["text"].startswith("¡Gracias, anotado!"), thanks["text"]
            if label != "Cash":
                asked = await tg.wait_for(lambda r: r["chat_id"] == LEAD and "?" in (
                    r["text"] or "") and "anotado" not in r["text"], after=mark)
        notice = await tg.wait_for_text(AGENT_ID, "answered every question", after=mark)
        assert notice["text"].splitlines()[0].startswith("Qualified: Lucía (lead #")
        assert "- Which area or neighbourhood are you interested in? Salamanca" in \
            notice["text"].splitlines()
