"""The message catalogs: no supported language lacks a text the code says, every translation
keeps its placeholders, and whatever a catalog lacks comes out in English instead of failing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.booking.notices import slot_label, time_label, time_left
from bot.conversation import wording
from bot.i18n import LANGUAGES, _, speaking, supported
from bot.i18n import catalogs as catalogs_module
from tools.catalogs import extract, languages, missing, read

_TEMPLATE = extract()
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_every_supported_language_but_english_has_a_catalog() -> None:
    assert sorted(languages()) == sorted(set(LANGUAGES) - {"en"})


def test_the_code_marks_its_texts_for_translation() -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _TEMPLATE if m.id}
    assert len(ids) > 150
    assert "Show available times" in ids and "Reminder: your meeting with {agent} is {when}, " \
        "{time}." in ids and "Meeting with {agent}" in ids


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_no_language_lacks_a_message(language: str) -> None:
    assert missing(_TEMPLATE, read(language)) == []


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_each_translation_keeps_the_placeholders_of_its_english(language: str) -> None:
    wrong = []
    for message in read(language):
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(" ".join(sources))) - {"n"}
        for string in strings:
            if set(_PLACEHOLDER.findall(string)) - {"n"} != wanted:
                wrong.append((sources[0], string))
    assert wrong == []


def test_a_text_no_catalog_has_comes_out_in_english() -> None:
    with speaking("ru"):
        assert _("A text added after the catalogs, {name}.", name="Ann") == \
            "A text added after the catalogs, Ann."


def test_a_translation_with_a_wrong_placeholder_falls_back_to_english(
        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = catalogs_module.translations("es")
    monkeypatch.setattr(broken, "_catalog", {**broken._catalog,  # type: ignore[attr-defined]
                                             "Times on {label}:": "Horarios {etiqueta}:"})
    with speaking("es"):
        assert wording.times_on("martes") == "Times on martes:"


def test_a_language_code_is_read_as_the_supported_language_it_names() -> None:
    assert [supported(c) for c in ("pt-BR", "de_AT", "ES", "zh-hans", None, "")] == \
        ["pt", "de", "es", "en", "en", "en"]


_START = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
_MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(("language", "slot", "full"), [
    ("en", "Tue 8 Dec, 10:30 (Madrid)", "Tuesday 8 December 2026, 10:30 (Madrid)"),
    ("es", "mar, 8 dic, 10:30 (Madrid)", "martes, 8 de diciembre de 2026, 10:30 (Madrid)"),
    ("de", "Di., 8. Dez., 10:30 (Madrid)", "Dienstag, 8. Dezember 2026, 10:30 (Madrid)"),
    ("fr", "mar. 8 déc., 10:30 (Madrid)", "mardi 8 décembre 2026, 10:30 (Madrid)"),
    ("pt", "ter., 8 de dez., 10:30 (Madri)", "terça-feira, 8 de dezembro de 2026, 10:30 (Madri)"),
    ("ru", "вт, 8 дек., 10:30 (Мадрид)", "вторник, 8 декабря 2026\u202fг., 10:30 (Мадрид)"),
])
def test_times_are_written_with_the_locale_s_cldr_patterns_in_the_lead_s_zone(
        language: str, slot: str, full: str) -> None:
    with speaking(language):
        assert slot_label(_START, _MADRID) == slot
        assert time_label(_START, _MADRID) == full


def test_russian_counts_take_their_three_plural_forms() -> None:
    with speaking("ru"):
        said = [time_left(timedelta(minutes=n)) for n in (1, 3, 5, 21, 22, 25)]
    assert said == ["через 1 минуту", "через 3 минуты", "через 5 минут", "через 21 минуту",
                    "через 22 минуты", "через 25 минут"]
