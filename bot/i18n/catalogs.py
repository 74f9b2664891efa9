"""The message catalogs and the speaking language (see the package's docstring)."""

from __future__ import annotations

import gettext
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DEFAULT = "en"
LANGUAGES = ("en", "es", "de", "fr", "pt", "ru")
"""Every language a lead or an agent can be spoken to in; English is the source."""
DOMAIN = "messages"

_speaking: ContextVar[str] = ContextVar("speaking", default=DEFAULT)


def supported(code: str | None) -> str:
    """The supported language a code names ("pt-BR" -> "pt", "de_AT" -> "de"), else English."""
    if not code:
        return DEFAULT
    base = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in LANGUAGES else DEFAULT


def current() -> str:
    """The language texts come out in now."""
    return _speaking.get()


def speak(code: str | None) -> None:
    """Speak this language for the rest of the current task (a lead's turn)."""
    _speaking.set(supported(code))


@contextmanager
def speaking(code: str | None) -> Iterator[str]:
    """Speak this language inside the block (an agent's notice, a reminder), then as before."""
    token = _speaking.set(supported(code))
    try:
        yield token.var.get()
    finally:
        _speaking.reset(token)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of a language, read from its .po file once."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    source = resources.files(__package__).joinpath("locales", language, "LC_MESSAGES",
                                                  f"{DOMAIN}.po")
    try:
        with source.open("rb") as po:
            catalog = read_po(po, locale=language)
    except (OSError, ValueError):
        log.exception("the %s catalog could not be read; speaking English", language)
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _format(translated: str, source: str, values: dict[str, object]) -> str:
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        log.warning("a %s translation does not fit its placeholders: %r", current(), source)
        return source.format(**values)


def _(message: str, **values: object) -> str:
    """``message`` in the speaking language, its ``{placeholders}`` filled in."""
    return _format(translations(current()).gettext(message), message, values)


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The form for ``n`` in the speaking language (Russian has three), ``{n}`` filled in."""
    chosen = translations(current()).ngettext(singular, plural, n)
    return _format(chosen, singular if n == 1 else plural, {"n": n, **values})


def N_(message: str) -> str:
    """Marks a text for the catalogs where it is defined; ``_`` translates it when it is said."""
    return message
