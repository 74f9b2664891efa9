"""Opting out and back in is understood in every language the bot speaks, only as a whole
message, and the word each translation tells the lead to write does what it says."""

from __future__ import annotations

import re

import pytest

from bot.followups import wording
from bot.followups.consent import opts_in, opts_out
from bot.i18n import LANGUAGES, speaking

STOPS = {
    "en": ["stop", "STOP!", "Unsubscribe", "please don't message me", "leave me alone"],
    "es": ["Baja", "para", "Basta, gracias", "No me escribas más", "darme de baja",
           "déjame en paz", "No quiero más mensajes, por favor"],
    "de": ["Stopp!", "abmelden", "Bitte nicht mehr schreiben", "Hör auf",
           "Keine Nachrichten mehr", "Lass mich in Ruhe"],
    "fr": ["Arrêtez", "stop s'il vous plaît", "Désabonner", "Ne m’écrivez plus",
           "Laissez-moi tranquille", "plus de messages merci"],
    "pt": ["Parar", "pare", "descadastrar", "Não me mande mais mensagens",
           "me deixe em paz", "chega de mensagens, obrigado"],
    "ru": ["Стоп", "Хватит!", "отписаться", "Не пишите мне больше",
           "Оставьте меня в покое", "стоп, пожалуйста"],
}
STARTS = {
    "en": ["start", "Start again", "resume please"],
    "es": ["Empezar", "volver", "puedes escribirme de nuevo"],
    "de": ["Start", "starten", "weiter bitte"],
    "fr": ["Reprendre", "recommencer", "démarrer"],
    "pt": ["Começar", "voltar", "iniciar por favor"],
    "ru": ["Старт", "начать", "продолжить"],
}
ORDINARY = ["stop by at 3?", "can we start at 10?", "para el martes por la tarde",
            "baja la hora a las 10", "Start um 10 Uhr?", "arrêtez-vous à la gare ?",
            "pare no estacionamento", "стоп-кран", "не пишите мне в выходные", "Hallo"]


@pytest.mark.parametrize(("language", "text"),
                         [(lang, t) for lang, texts in STOPS.items() for t in texts])
def test_a_whole_message_asking_to_stop_opts_out(language: str, text: str) -> None:
    assert opts_out(text) and not opts_in(text)


@pytest.mark.parametrize(("language", "text"),
                         [(lang, t) for lang, texts in STARTS.items() for t in texts])
def test_a_whole_message_asking_to_start_again_opts_in(language: str, text: str) -> None:
    assert opts_in(text) and not opts_out(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_the_same_words_inside_an_ordinary_message_are_not_consent(text: str) -> None:
    assert not opts_out(text) and not opts_in(text)


def _quoted(text: str) -> list[str]:
    return re.findall(r"[\"«]\s*([^\"»]+?)\s*[\"»]", text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_word_each_text_tells_the_lead_to_write_is_understood(language: str) -> None:
    with speaking(language):
        stop = _quoted(wording.nudge(0, 1, None))
        start = _quoted(wording.OPTED_OUT) + _quoted(wording.STILL_OPTED_OUT)
    assert len(stop) == 1 and len(start) == 2, (stop, start)
    assert opts_out(stop[0]), stop
    assert all(opts_in(word) for word in start), start


def test_the_agent_s_notices_are_in_the_speaking_language_and_count_the_meetings() -> None:
    assert wording.agent_forgotten(7, ["#3 Mon 7 Dec, 14:00 (UTC)"]).endswith(
        "Their meeting still stands: #3 Mon 7 Dec, 14:00 (UTC).")
    assert wording.agent_forgotten(7, ["#3 a", "#4 b"]).endswith(
        "Their meetings still stand: #3 a; #4 b.")
    with speaking("de"):
        assert wording.agent_forgotten(7, ["#3 a", "#4 b"]).startswith(
            "Interessent #7 hat die Löschung")
        assert wording.agent_qualified(7, None, [("Budget?", "1M")]) == (
            "Qualifiziert: Interessent #7 hat alle Fragen beantwortet.\n- Budget? 1M")
    with speaking("ru"):
        assert wording.agent_qualified(7, "Анна", []) == (
            "Квалифицирован: Анна (клиент №7) ответил на все вопросы.")
