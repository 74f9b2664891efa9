"""Keep the message catalogs in step with the code.

``python tools/catalogs.py`` extracts every text marked ``_()``, ``N_()`` or ``ngettext()`` in
``bot``, ``handlers`` and ``integrations`` into ``bot/i18n/locales/messages.pot``, then adds
the new texts (untranslated) to each language's ``messages.po`` and drops the ones the code no
longer has. ``--check`` changes nothing: it lists every text a language lacks and exits 1.
Add a language with ``--add CODE`` (then translate its file, and add the code to
``bot.i18n.LANGUAGES``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "i18n" / "locales"
SOURCES = ("bot", "handlers", "integrations")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    """Every text the code marks for translation, English, with where it is used."""
    template = Catalog(project="leadbot", locale=None)
    for source in SOURCES:
        for filename, line, message, comments, _ in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS):
            template.add(message, locations=[(f"{source}/{filename}", line)],
                         auto_comments=comments)
    return template


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALES.iterdir() if catalog_path(p.name).exists())


def read(language: str) -> Catalog:
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def write(language: str, catalog: Catalog) -> None:
    path = catalog_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, omit_header=False, ignore_obsolete=True,
                 sort_output=False)


def missing(template: Catalog, catalog: Catalog) -> list[str]:
    """The texts of ``template`` that ``catalog`` lacks or leaves untranslated."""
    lacking = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        if isinstance(strings, tuple):
            done = len(strings) == catalog.num_plurals and all(strings)
        else:
            done = bool(strings)
        if found is None or found.fuzzy or not done:
            lacking.append(message.id if isinstance(message.id, str) else message.id[0])
    return lacking


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list what each language lacks")
    parser.add_argument("--add", metavar="CODE", help="start the catalog of a new language")
    args = parser.parse_args(argv)
    template = extract()
    if args.check:
        failed = False
        for language in languages():
            for text in missing(template, read(language)):
                print(f"{language}: {text!r}")
                failed = True
        return 1 if failed else 0
    with (LOCALES / "messages.pot").open("wb") as pot:
        write_po(pot, template, width=100, sort_output=False)
    if args.add:
        write(args.add, Catalog(locale=args.add, project="leadbot"))
    for language in languages():
        catalog = read(language)
        catalog.update(template, no_fuzzy_matching=True)
        write(language, catalog)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
