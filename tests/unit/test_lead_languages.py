"""A lead books, moves and cancels in each supported language with the rule-based brain, and
every text they receive (buttons and the invite included) is in their language."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.conversation.actions import FindSlots
from bot.conversation.brain import BrainReply
from bot.conversation.when import parse_when, parse_words
from bot.domain import AppointmentStatus
from bot.ports import OutMessage
from tests.unit.chat import Chat, chat, labels, offers_in

# Words that only English has: one of them in a reply means an untranslated text.
ENGLISH = frozenset((
    "the", "your", "you", "you're", "meeting", "meetings", "times", "time", "tap", "book",
    "booked", "booking", "please", "and", "with", "is", "are", "remind", "tomorrow", "cancel",
    "cancelled", "reschedule", "sorry", "here", "join", "what", "when", "would", "which",
    "thanks", "hi", "hello", "available",
))
# (language, ask for a time, move, pick the second, cancel, yes)
SCRIPTS = [
    ("en", "Hi, anything tomorrow at 10?", "can we move it to thursday afternoon?",
     "the second one", "please cancel the meeting", "yes"),
    ("es", "Hola, ¿tienes algo mañana a las 10?", "quiero cambiar la cita al jueves por la tarde",
     "la segunda", "cancela la cita, por favor", "sí"),
    ("de", "Hallo, haben Sie morgen um 10 Uhr Zeit?",
     "ich möchte den Termin auf Donnerstag Nachmittag verschieben", "den zweiten",
     "bitte den Termin absagen", "ja"),
    ("fr", "Bonjour, vous avez un créneau demain à 10h ?",
     "je voudrais déplacer le rendez-vous à jeudi après-midi", "la deuxième",
     "annulez le rendez-vous s'il vous plaît", "oui"),
    ("pt", "Olá, tem horário amanhã às 10h?", "quero remarcar a reunião para quinta à tarde",
     "a segunda opção", "cancela a reunião, por favor", "sim"),
    ("ru", "Здравствуйте, можно завтра в 10?", "хочу перенести встречу на четверг днём",
     "вторую", "отмените встречу, пожалуйста", "да"),
]


def english_words(messages: list[OutMessage]) -> set[str]:
    """The English-only words in the texts, buttons and invites a lead received."""
    texts = [m.text for m in messages]
    texts += [b.label for m in messages for row in m.buttons for b in row]
    texts += [line for m in messages if m.attachment is not None
              for line in m.attachment.content.decode().splitlines()
              if line.startswith(("SUMMARY:", "DESCRIPTION:"))]
    words: set[str] = set()
    for text in texts:
        text = re.sub(r"https?://\S+|^[A-Z]+:", " ", text)  # links, the invite's field names
        words |= {w.lower() for w in re.findall(r"[A-Za-z']+", text)} & ENGLISH
    return words


async def start(language: str) -> Chat:
    c = await chat()
    c.me = replace(c.me, language_code=language)
    return c


@pytest.mark.parametrize(("language", "ask", "move", "second", "cancel", "yes"), SCRIPTS,
                         ids=[s[0] for s in SCRIPTS])
async def test_a_lead_books_moves_and_cancels_in_their_own_language(
        language: str, ask: str, move: str, second: str, cancel: str, yes: str) -> None:
    c = await start(language)
    received = await c.conversation.start(c.me)
    offered = await c.says(ask)
    received += offered
    assert offers_in(offered), offered
    # Tuesday 8 December at 10:00 is among the offers, labelled in the lead's language.
    (ten,) = [i for i, label in enumerate(labels(offered)) if "10:00" in label]
    received += (booked := await c.taps(offers_in(offered)[ten]))
    (appointment,) = await c.repos.appointments.for_lead((await c.lead()).id)
    assert appointment.status is AppointmentStatus.BOOKED
    assert appointment.start.day == 8 and appointment.start.hour == 10
    assert any(m.attachment is not None for m in booked)

    received += (moving := await c.says(move))
    assert len(offers_in(moving)) >= 2, moving
    received += await c.says(second)
    meetings = await c.repos.appointments.for_lead((await c.lead()).id)
    (moved,) = [a for a in meetings if a.status is AppointmentStatus.BOOKED]
    assert moved.start.day == 10 and 12 <= moved.start.hour < 17  # Thursday afternoon

    received += (question := await c.says(cancel))
    assert any(b.data.startswith("c:") for m in question for row in m.buttons for b in row)
    assert any(a.status is AppointmentStatus.BOOKED  # asked first, not yet cancelled
               for a in await c.repos.appointments.for_lead((await c.lead()).id))
    received += await c.says(yes)
    assert all(a.status is not AppointmentStatus.BOOKED
               for a in await c.repos.appointments.for_lead((await c.lead()).id))
    if language != "en":
        assert english_words(received) == set(), [m.text for m in received]


async def test_english_please_switches_a_spanish_lead_to_english() -> None:
    c = await start("es")
    assert "Hola" in (await c.conversation.start(c.me))[0].text
    await c.says("English please")
    assert (await c.lead()).language == "en"
    reply = await c.says("tomorrow afternoon")
    assert reply[0].text.startswith("Times on Tuesday 8 December in the afternoon")


async def test_a_message_clearly_in_german_switches_the_lead_to_german() -> None:
    c = await start("en")
    reply = await c.says("Hallo, ich möchte einen Termin morgen Nachmittag")
    assert (await c.lead()).language.startswith("de")
    assert reply[0].text.startswith("Zeiten für Dienstag, 8. Dezember am Nachmittag")
    assert labels(reply)[0] == "Di., 8. Dez., 12:00 (UTC)"


async def test_a_short_answer_does_not_switch_the_language() -> None:
    c = await start("de")
    await c.says("ok")
    await c.says("Anna")
    assert (await c.lead()).language == "de"


async def test_the_agent_gets_the_notice_in_their_own_language_whatever_the_lead_speaks(
        ) -> None:
    c = await start("ru")
    c.agent = await c.repos.agents.update(c.agent.id, language="es")
    c.core.agents.invalidate()
    offered = await c.says("завтра в 10")
    (ten,) = [i for i, label in enumerate(labels(offered)) if "10:00" in label]
    await c.taps(offers_in(offered)[ten])
    (notice,) = c.to_agent()
    assert notice.startswith("Nueva reunión: martes, 8 de diciembre de 2026, 10:00")
    assert "Cliente: " in notice
    (event,) = c.calendar.created
    assert event.summary == "Llamada con Ann"
    assert event.description.startswith("Cliente: Ann\nTeléfono: aún no indicado")


async def test_a_reminder_reaches_the_lead_in_their_language_with_russian_plurals() -> None:
    c = await start("ru")
    offered = await c.says("завтра в 10")
    (ten,) = [i for i, label in enumerate(labels(offered)) if "10:00" in label]
    await c.taps(offers_in(offered)[ten])
    (appointment,) = await c.repos.appointments.for_lead((await c.lead()).id)
    assert await c.core.reminders.send(appointment.id, "24h")
    c.clock.advance(appointment.start - c.clock.now() - timedelta(minutes=22))
    assert await c.core.reminders.send(appointment.id, "1h")
    day, hour = c.core.notifier.to(c.me.chat_id)[-2:]
    assert day == ("Напоминание: ваша встреча с Alice Agent — завтра, вторник, 8 декабря "
                   "2026\u202fг., 10:00 (UTC).\nСсылка для подключения: " + appointment.join_url)
    assert hour.startswith("Напоминание: ваша встреча с Alice Agent — через 22 минуты, ")


async def test_an_ai_that_passes_the_time_untranslated_still_gets_the_times_asked_for() -> None:
    c = await chat(BrainReply(tool_calls=(FindSlots("mañana por la tarde"),)))
    c.me = replace(c.me, language_code="es")
    reply = await c.says("¿y mañana por la tarde?")
    assert reply[0].text.startswith("Horarios para martes, 8 de diciembre por la tarde:")
    assert labels(reply)[0] == "mar, 8 dic, 12:00 (UTC)"


def test_english_words_from_an_ai_keep_their_english_meaning_for_any_lead() -> None:
    now = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    for language in ("es", "de", "fr", "pt", "ru"):
        assert parse_words("next tuesday at 15:00", now, language) == \
            parse_when("next tuesday at 15:00", now)
