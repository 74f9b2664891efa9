"""The time words in Spanish, German, French, Portuguese and Russian read as the English ones:
at least 60 phrases per language, each resolving to the windows of its English twin."""

from __future__ import annotations

import pytest

from bot.conversation.when import parse_when
from tests.unit.test_when_corpus import check
from tests.unit.when_corpus import CASES, NOWS
from tests.unit.when_corpus_languages import LANGUAGES, ROWS

_SPECS = {text: spec for key, text, spec in CASES if key == "MON"}
_CASES = [(language, row[0], row[1 + i]) for row in ROWS
          for i, language in enumerate(LANGUAGES)]


def test_each_language_has_at_least_60_phrases_each_with_its_english_twin() -> None:
    assert len(ROWS) >= 60
    assert all(row[0] in _SPECS for row in ROWS), [r[0] for r in ROWS if r[0] not in _SPECS]
    assert all(all(row[1:]) and len(row) == 1 + len(LANGUAGES) for row in ROWS)


@pytest.mark.parametrize(("language", "english", "text"), _CASES,
                         ids=[f"{lang}:{text}" for lang, _, text in _CASES])
def test_a_phrase_resolves_as_its_english_twin(language: str, english: str, text: str) -> None:
    assert check("MON", text, _SPECS[english], language) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_english_words_are_not_read_as_another_language(language: str) -> None:
    """An English phrase read with another language's words still means what it says (the
    OpenAI brain passes the time in English whatever the lead speaks)."""
    now = NOWS["MON"]
    for text in ("tomorrow at 3", "next tuesday at 15:00", "friday before 10am"):
        assert parse_when(text, now, language) == parse_when(text, now), text
