"""The repositories' SQL, written for SQLite, as PostgreSQL takes it.

One set of repositories serves both engines, so their statements are translated here, once per
distinct statement (cached): ``?`` and ``:name`` placeholders become ``$n``, SQLite's clock
(``strftime(..., 'now')``) becomes ``now()``, ``INSERT OR IGNORE`` becomes ``ON CONFLICT DO
NOTHING``, ``IS NOT ?`` becomes ``IS DISTINCT FROM``, and the ``ORDER BY +col`` that keeps
SQLite's planner on the right index loses its plus. An INSERT into a table with an ``id`` gains
``RETURNING id`` so the caller gets the row id as from SQLite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storage.sql import Params

# A quoted literal (left alone), a placeholder, or a cast (``::``, left alone).
_TOKEN = re.compile(r"'(?:[^']|'')*'|::|\?|(?<![\w:]):([A-Za-z_]\w*)")
_NOW = re.compile(r"strftime\(\s*'%Y-%m-%dT%H:%M:%fZ'\s*,\s*'now'\s*\)", re.IGNORECASE)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+", re.IGNORECASE)
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?=\?|:\w)", re.IGNORECASE)
_IS = re.compile(r"\bIS\s+(?=\?|:\w)", re.IGNORECASE)
_UNARY_PLUS = re.compile(r"(\b(?:ORDER\s+BY|WHERE|AND)\s+)\+(?=[A-Za-z_])", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Statement:
    """A translated statement and how to order its arguments."""

    sql: str
    names: tuple[str, ...] | None  # None: positional ``?``; else the ``:name`` of each ``$n``
    returns_id: bool               # RETURNING id was added: the first column is the row id

    def args(self, params: Params) -> list[Any]:
        """The arguments in ``$n`` order."""
        if self.names is None:
            if isinstance(params, dict):
                raise TypeError("named parameters given to a statement with '?'")
            return list(params)
        if not isinstance(params, dict):
            raise TypeError("positional parameters given to a statement with ':name'")
        return [params[name] for name in self.names]


@lru_cache(maxsize=1024)
def translate(sql: str, id_tables: frozenset[str] = frozenset()) -> Statement:
    """``sql`` as PostgreSQL takes it; INSERTs into ``id_tables`` return the new row's id."""
    text = _NOW.sub("now()", sql)
    conflict = _OR_IGNORE.match(text) is not None
    if conflict:
        text = _OR_IGNORE.sub("INSERT ", text) + " ON CONFLICT DO NOTHING"
    text = _IS_NOT.sub("IS DISTINCT FROM ", text)
    text = _IS.sub("IS NOT DISTINCT FROM ", text)
    text = _UNARY_PLUS.sub(r"\1", text)
    names: list[str] = []
    positional = 0

    def number(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token == "?":
            positional += 1
            return f"${positional}"
        if match.group(1) is None:
            return token  # a literal or a cast
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKEN.sub(number, text)
    if positional and names:
        raise ValueError("a statement mixes '?' and ':name' placeholders")
    insert = _INSERT.match(text)
    returns_id = (insert is not None and insert.group(1) in id_tables
                  and _RETURNING.search(text) is None)
    if returns_id:
        text += " RETURNING id"
    return Statement(text, tuple(names) if names else None, returns_id)
