"""Which language a lead writes in or asks for: a clear message switches, a short answer, a
name or a message shared by two languages does not."""

from __future__ import annotations

import pytest

from bot.i18n.detect import language_said


@pytest.mark.parametrize(("text", "speaking", "switched"), [
    ("English please", "es", "en"),
    ("Do you speak English?", "de", "en"),
    ("auf Deutsch, bitte", "en", "de"),
    ("en español por favor", "en", "es"),
    ("parlez-vous français ?", "en", "fr"),
    ("em português, por favor", "en", "pt"),
    ("по-русски", "en", "ru"),
    ("mañana a las 3", "en", "es"),
    ("morgen um 15 Uhr", "en", "de"),
    ("demain à 15h", "en", "fr"),
    ("amanhã às 15h", "en", "pt"),
    ("завтра в 15:00", "en", "ru"),
    ("Hola, quiero una cita", "en", "es"),
    ("Bonjour, je voudrais un rendez-vous", "en", "fr"),
    ("can we meet tomorrow at 3?", "es", "en"),
])
def test_a_clear_message_or_request_switches_the_language(text: str, speaking: str,
                                                          switched: str) -> None:
    assert language_said(text, speaking) == switched


@pytest.mark.parametrize(("text", "speaking"), [
    ("ok", "de"), ("sí", "en"), ("ja", "en"), ("Anna", "ru"), ("Pedro Sánchez", "de"),
    ("+34 612 345 678", "en"), ("thursday after 2", "es"), ("por favor", "en"),
    ("mañana a las 3", "es"), ("👍", "fr"),
])
def test_a_short_answer_a_name_or_the_language_already_spoken_switches_nothing(
        text: str, speaking: str) -> None:
    assert language_said(text, speaking) is None
