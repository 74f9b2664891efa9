"""Leads (and agents) in their own language: the catalogs, the language of a turn, dates.

Texts live in gettext catalogs (``locales/<lang>/LC_MESSAGES/messages.po``), read with Babel at
first use, so an installed or editable package needs no compile step. English is the source
language: a message a catalog lacks (or a translation that does not fit its placeholders) is
said in English, never an error.

Which language a text comes out in is the *speaking* language: set for a lead's turn, and
around each text for someone else (an agent's notice, a reminder sent by a timer) with
``speaking(language)``. It is a context variable, so concurrent turns never mix.
"""

from bot.i18n.catalogs import (
    DEFAULT,
    LANGUAGES,
    N_,
    _,
    current,
    ngettext,
    speak,
    speaking,
    supported,
)

__all__ = ["DEFAULT", "LANGUAGES", "N_", "_", "current", "ngettext", "speak", "speaking",
           "supported"]
