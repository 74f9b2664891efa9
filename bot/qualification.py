"""Qualifying questions: what the sales team wants to know about a lead, from
``QUALIFICATION_FILE`` (a JSON or YAML list of ``{key, question, choices?}``).

``load_questions`` reads and checks the file; a problem raises ``ValueError`` with one line
naming the entry (``bot.config`` names the variable). ``AnswerStore`` keeps what each lead was
asked and answered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import yaml

KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
MAX_QUESTION = 300
MAX_CHOICE = 40
"""A choice is a button label: short, and its index is what the button carries."""
MAX_CHOICES = 8
MAX_QUESTIONS = 20
_FIELDS = frozenset({"key", "question", "choices"})


@dataclass(frozen=True, slots=True)
class Question:
    """One qualifying question; with ``choices`` it is answered with a tap."""

    key: str
    question: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """What a lead was asked (and when), and what they answered (None: not yet)."""

    key: str
    answer: str | None
    asked_at: datetime | None
    passed: bool = False
    """Asked, and the lead's next message was about something else."""

    @property
    def waiting(self) -> bool:
        """Asked, not answered, and the lead has not written anything else since."""
        return self.asked_at is not None and self.answer is None and not self.passed


class AnswerStore(Protocol):
    """Each lead's qualification: asked once, answered once (a later answer replaces it)."""

    async def asked(self, lead_id: int, key: str, now: datetime) -> bool:
        """Record that the question was asked; False when it had been asked before."""
        ...

    async def answer(self, lead_id: int, key: str, text: str, now: datetime) -> None:
        """Store the lead's answer (asked or not: the brain may fill it unprompted)."""
        ...

    async def of(self, lead_id: int) -> dict[str, Answer]:
        """The lead's questions asked or answered, by key."""
        ...

    async def pass_on(self, lead_id: int, key: str) -> None:
        """The lead wrote something else: the question is no longer waiting for an answer."""
        ...


class Qualification:
    """The questions of ``QUALIFICATION_FILE`` and each lead's answers to them."""

    def __init__(self, questions: Sequence[Question], answers: AnswerStore) -> None:
        self.questions = tuple(questions)
        self.answers = answers

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    async def summary(self, lead_id: int) -> list[tuple[str, str]]:
        """(question, answer) of each question answered, in the file's order."""
        if not self.questions:
            return []
        return [(q.question, text) for q, text in
                answered(self.questions, await self.answers.of(lead_id))]


def answered(questions: Sequence[Question], answers: dict[str, Answer]
             ) -> list[tuple[Question, str]]:
    """The questions answered, in the file's order, with their answers."""
    return [(q, a.answer) for q in questions
            if (a := answers.get(q.key)) is not None and a.answer is not None]


def parse_questions(data: object) -> tuple[Question, ...]:
    """The questions of a loaded file; ValueError naming the first bad entry."""
    if not isinstance(data, list) or not data:
        raise ValueError("must be a non-empty list of {key, question, choices?} entries")
    if len(data) > MAX_QUESTIONS:
        raise ValueError(f"has {len(data)} questions; at most {MAX_QUESTIONS}")
    questions: list[Question] = []
    for number, entry in enumerate(data, 1):
        questions.append(_question(number, entry, {q.key for q in questions}))
    return tuple(questions)


def _question(number: int, entry: object, seen: set[str]) -> Question:
    if not isinstance(entry, dict):
        raise ValueError(f"entry {number}: must be a mapping with key and question")
    key = entry.get("key")
    where = f"entry {number}" + (f" ({key})" if isinstance(key, str) and key else "")
    unknown = sorted(str(k) for k in entry if k not in _FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r} (use key, question, choices)")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise ValueError(f"{where}: key must be lower-case letters, digits and _ (at most 32), "
                         f"starting with a letter")
    if key in seen:
        raise ValueError(f"{where}: the key is used twice")
    text = entry.get("question")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUESTION:
        raise ValueError(f"{where}: question must be a text of 1-{MAX_QUESTION} characters")
    choices = entry.get("choices", [])
    if choices is None:
        choices = []
    if not isinstance(choices, list) or len(choices) == 1 or len(choices) > MAX_CHOICES or any(
            not isinstance(c, str | int | float) or not str(c).strip()
            or len(str(c)) > MAX_CHOICE for c in choices):
        raise ValueError(f"{where}: choices must be a list of 2-{MAX_CHOICES} texts of at most "
                         f"{MAX_CHOICE} characters")
    if any(isinstance(c, bool) for c in choices):
        raise ValueError(f"{where}: YAML reads yes/no/on/off as true or false: put choices "
                         f"such as \"Yes\" in quotes")
    labels = tuple(str(c).strip() for c in choices)
    if len({c.lower() for c in labels}) != len(labels):
        raise ValueError(f"{where}: a choice is listed twice")
    return Question(key, " ".join(text.split()), labels)


def load_questions(path: Path) -> tuple[Question, ...]:
    """Read ``path`` (``.json``, else YAML, which JSON also is) and check every entry."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(f"cannot read {path} ({type(err).__name__})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise ValueError(f"{path} is not valid {kind}{where}") from None
    return parse_questions(data)
