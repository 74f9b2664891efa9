"""A Spanish lead books, moves and cancels end to end with the rule-based brain, through the real
PTB Application: every message, button, keyboard and invite they receive is in Spanish, while
the agent's notices stay in the agent's language (English)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.domain import AppointmentStatus
from tests.e2e.harness import AGENT_ID, running_bot

LEAD = 5301
# Words only English has: any of them in what the lead received is an untranslated text.
ENGLISH = frozenset((
    "the", "your", "you", "you're", "meeting", "meetings", "times", "time", "tap", "book",
    "booked", "please", "and", "with", "is", "are", "remind", "tomorrow", "cancel",
    "cancelled", "reschedule", "sorry", "here", "join", "what", "when", "would", "share",
    "phone", "number", "thanks", "hi", "available", "keep", "move", "yes",
))


def buttons(record: dict[str, Any]) -> list[tuple[str, str]]:
    markup = record.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for b in row]


def seen(record: dict[str, Any]) -> list[str]:
    """Everything the lead reads in one message: text, buttons, keyboard, invite fields."""
    markup = record.get("reply_markup") or {}
    texts = [record.get("text") or ""]
    texts += [b["text"] for rows in (markup.get("inline_keyboard", []), markup.get("keyboard", []))
              for row in rows for b in row]
    content = record.get("content")
    if content:
        texts += [line.split(":", 1)[1] for line in bytes(content).decode().splitlines()
                  if line.startswith(("SUMMARY:", "DESCRIPTION:"))]
    return texts


def english_in(records: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for record in records:
        for text in seen(record):
            text = re.sub(r"https?://\S+", " ", text)
            found |= {w.lower() for w in re.findall(r"[A-Za-z']+", text)} & ENGLISH
    return found


async def test_a_spanish_lead_books_moves_and_cancels_hearing_only_spanish(
        tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_command(LEAD, "/start", first_name="Lucía", language_code="es")
        greeting = await tg.wait_for_text(LEAD, "¡Hola, Lucía!")
        assert "Soy el asistente de reservas de Alice Agent de Acme Realty" in greeting["text"]
        assert buttons(greeting)[0][0] == "Ver horarios disponibles"

        mark = tg.mark()
        tg.push_text(LEAD, "¿Podemos hablar mañana por la tarde?")
        offers = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                   after=mark)
        assert offers["text"].startswith("Horarios para martes, 8 de diciembre por la tarde:")
        assert buttons(offers)[0][0] == "mar, 8 dic, 12:00 (UTC)"

        mark = tg.mark()
        tg.push_callback(LEAD, buttons(offers)[0][1], message_id=offers["message_id"])
        confirmation = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert confirmation["text"].startswith(
            "Tienes reunión con Alice Agent el martes, 8 de diciembre de 2026, 12:00 (UTC).")
        assert b"SUMMARY:Reuni\xc3\xb3n con Alice Agent" in bytes(confirmation["content"])
        ask = await tg.wait_for(lambda r: r["chat_id"] == LEAD and "teléfono" in (r["text"] or ""),
                                after=mark)
        assert ask["reply_markup"]["keyboard"][0][0]["text"] == "Compartir mi número de teléfono"
        notice = await tg.wait_for_text(AGENT_ID, "New meeting: Tuesday 8 December 2026, 12:00")

        mark = tg.mark()
        tg.push_text(LEAD, "quiero cambiar la cita al jueves por la mañana")
        moving = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                   after=mark)
        assert moving["text"].startswith("Tu reunión es el mar, 8 dic, 12:00 (UTC).")
        assert buttons(moving)[0][0].startswith("jue, 10 dic, ")
        mark = tg.mark()
        tg.push_callback(LEAD, buttons(moving)[0][1], message_id=moving["message_id"])
        moved = await tg.wait_for(
            lambda r: r["chat_id"] == LEAD and r["method"] == "sendDocument", after=mark)
        assert moved["text"].startswith("Tu reunión se ha cambiado. Tienes reunión con Alice Agent "
                                        "el jueves, 10 de diciembre de 2026")
        await tg.wait_for_text(AGENT_ID, "Moved: Tuesday 8 December 2026, 12:00")

        mark = tg.mark()
        tg.push_text(LEAD, "cancela la cita, por favor")
        question = await tg.wait_for(lambda r: r["chat_id"] == LEAD and bool(buttons(r)),
                                     after=mark)
        assert question["text"].startswith("¿Cancelar tu reunión del jue, 10 dic")
        assert [label for label, _ in buttons(question)] == ["Sí, cancélala", "No, mantenla"]
        mark = tg.mark()
        tg.push_text(LEAD, "sí")
        done = await tg.wait_for_text(LEAD, "Hecho: tu reunión del jue, 10 dic", after=mark)
        assert "está cancelada" in done["text"]
        await tg.wait_for_text(AGENT_ID, "Cancelled: Thursday 10 December 2026")

        lead = await bot.services.store.leads.by_telegram_id(LEAD)
        assert lead is not None and lead.language == "es"
        meetings = await bot.services.store.appointments.for_lead(lead.id)
        assert all(a.status is not AppointmentStatus.BOOKED for a in meetings)
        received = tg.sent(LEAD)
        assert len(received) >= 8
        assert english_in(received) == set(), [seen(r) for r in received]
        assert "Lead: Lucía" in notice["text"]
