"""A Spanish lead's follow-ups through the real PTB Application: the nudge, the opt-out
confirmation, the reply while opted out, the welcome back and /forget are all in Spanish (no
English word among them), while the agent's notice stays in the agent's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain import LeadStatus
from tests.e2e.harness import AGENT_ID, Bot, running_bot
from tests.e2e.test_nudges import run_at
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
