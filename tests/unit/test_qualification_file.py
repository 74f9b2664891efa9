"""QUALIFICATION_FILE: the shipped example loads; a malformed file stops start-up with one
line naming the variable and the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.errors import ConfigError
from bot.qualification import Question

EXAMPLE = Path(__file__).resolve().parents[2] / "qualification.example.yaml"


def test_the_example_file_lists_the_real_estate_questions() -> None:
    config = Config.from_env({"QUALIFICATION_FILE": str(EXAMPLE)})
    assert [q.key for q in config.qualification] == ["intent", "area", "budget", "timeline",
                                                     "financing"]
    assert config.qualification[0] == Question("intent", "Are you looking to buy or to sell?",
                                               ("Buying", "Selling", "Both"))
    assert config.qualification[1].choices == ()


def test_json_is_read_too_and_no_file_means_no_questions(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text('[{"key": "budget", "question": "Budget?", "choices": ["Low", "High"]}]')
    assert Config.from_env({"QUALIFICATION_FILE": str(path)}).qualification == (
        Question("budget", "Budget?", ("Low", "High")),)
    assert Config.from_env({}).qualification == ()


@pytest.mark.parametrize(("content", "says"), [
    ("- key: intent\n  question: Buy or sell?\n- key: budget\n", "entry 2 (budget): question"),
    ("- key: Budget Range\n  question: How much?\n", "entry 1 (Budget Range): key must be"),
    ("- key: a\n  question: A?\n- key: a\n  question: B?\n", "entry 2 (a): the key is used twice"),
    ("- key: a\n  question: A?\n  choices: [only one]\n", "entry 1 (a): choices must be"),
    ("- key: a\n  question: A?\n  choices: [Yes, No]\n", "entry 1 (a): YAML reads yes/no"),
    ("- key: a\n  question: A?\n  hint: x\n", "entry 1 (a): unknown field 'hint'"),
    ("- just a question?\n", "entry 1: must be a mapping"),
    ("key: a\nquestion: A?\n", "must be a non-empty list"),
    ("- key: a\n  question: [unclosed\n", "is not valid YAML at line"),
    ("[]", "must be a non-empty list"),
])
def test_a_malformed_file_stops_start_up_with_one_line_naming_the_entry(
        tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "questions.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        Config.from_env({"QUALIFICATION_FILE": str(path)})
    text = str(caught.value)
    assert text.startswith("QUALIFICATION_FILE: ") and says in text and "\n" not in text


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"QUALIFICATION_FILE: file .*nope\.yaml does not exist"):
        Config.from_env({"QUALIFICATION_FILE": str(tmp_path / "nope.yaml")})
