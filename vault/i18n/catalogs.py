"""Keeping the catalogs in step with the code: extract, update, compile, check (Babel).

Not used by the running program, only by developers and tests::

    python -m vault.i18n.catalogs update   # code -> evault.pot -> az/ru .po (new ids untranslated)
    python -m vault.i18n.catalogs compile  # .po -> .mo (the files the program reads)
    python -m vault.i18n.catalogs check    # exit 1 if anything is out of step or untranslated
    python -m vault.i18n.catalogs fill FILE.json...  # take translations from JSON files

A JSON file of translations is ``{"az": {"English id": "tərcümə", "{n} item": ["{n} material",
"{n} material"]}, "ru": {...}}`` (a plural id is its singular; its value has one string per plural
form; a context is written ``"context\u0004id"``). Several people can translate different parts of
the program in their own files at the same time without editing the same ``.po`` lines.

The compiled ``.mo`` files are committed beside their ``.po``, so ``pip install .`` and the portable
build carry them with no build step of their own (``pyproject.toml`` lists them as package data,
the portable build collects them); ``tests/i18n/test_catalogs.py`` fails when a ``.mo`` no longer
matches its ``.po`` or when the code has a sentence a catalog lacks.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from vault.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("vault", "tui")
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")
COMMENT_TAG = "TRANSLATORS:"
WIDTH = 100
# Fixed header dates and names: the files change only when a sentence changes, so a diff of a
# catalog shows translations, and ``check`` can compare files byte for byte.
FIXED_DATE = datetime(2026, 12, 7, tzinfo=UTC)
HEADER = {
    "project": "evidence-vault",
    "copyright_holder": "evidence-vault contributors",
    "msgid_bugs_address": "the issue tracker named in README.md",
    "last_translator": "evidence-vault engineers (review by native speakers wanted: docs/glossary.md)",
    "language_team": "evidence-vault translators",
    "creation_date": FIXED_DATE,
    "revision_date": FIXED_DATE,
    "charset": "utf-8",
    "fuzzy": False,
}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract(root: Path = ROOT) -> Catalog:
    """Every marked sentence in ``vault/`` and ``tui/``, with the file it comes from."""
    template = Catalog(**HEADER)  # type: ignore[arg-type]
    for package in PACKAGES:
        found = extract_from_dir(
            root / package,
            method_map=[("**.py", "python")],
            keywords=DEFAULT_KEYWORDS,
            comment_tags=(COMMENT_TAG,),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            if "__pycache__" in filename:
                continue
            template.add(
                message,
                None,
                [(f"{package}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, sort_output=True, include_lineno=False, omit_header=False)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def read(lang: str) -> Catalog:
    """The ``.po`` catalog of ``lang`` (an empty one if there is none yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, **HEADER)  # type: ignore[arg-type]
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=DOMAIN)


def updated(lang: str, template: Catalog) -> Catalog:
    """``lang``'s catalog with the template's ids: new ones empty, gone ones dropped."""
    catalog = read(lang)
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()  # a sentence the code no longer says is not kept to confuse anyone
    catalog.fuzzy = False
    for name, value in HEADER.items():
        setattr(catalog, name, value)
    return catalog


def update() -> None:
    template = extract()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_bytes(_po_bytes(template))
    for lang in TRANSLATED:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(updated(lang, template)))


def compile_all() -> None:
    for lang in TRANSLATED:
        mo_path(lang).write_bytes(_mo_bytes(read(lang)))


def texts(value: object) -> list[str]:
    """A message's id or translation as a list of strings (one per plural form)."""
    if isinstance(value, (tuple, list)):
        return [str(text or "") for text in value]
    return [str(value or "")]


def untranslated(catalog: Catalog) -> list[str]:
    """Ids with no translation (or any empty plural form, or marked fuzzy)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not all(texts(message.string)):
            missing.append(str(message.id if isinstance(message.id, str) else message.id[0]))
    return missing


def problems() -> list[str]:
    """What ``check`` reports: out-of-step files and untranslated ids, one line each."""
    found: list[str] = []
    template = extract()
    ids = {message.id for message in template if message.id}
    if not TEMPLATE.exists() or TEMPLATE.read_bytes() != _po_bytes(template):
        found.append(f"{TEMPLATE.relative_to(ROOT)} is out of date: run 'update'")
    for lang in TRANSLATED:
        catalog = read(lang)
        have = {message.id for message in catalog if message.id}
        for missing_id in sorted(str(i) for i in ids - have):
            found.append(f"{lang}: not in the catalog: {missing_id!r}")
        found.extend(f"{lang}: untranslated: {text!r}" for text in untranslated(catalog))
        if not mo_path(lang).exists() or mo_path(lang).read_bytes() != _mo_bytes(catalog):
            found.append(f"{mo_path(lang).relative_to(ROOT)} does not match its .po: run 'compile'")
    return found


def fill(paths: list[Path]) -> list[str]:
    """Copy translations from JSON files into the ``.po`` catalogs (after ``update``); ids the
    catalogs do not have are returned, so a translation of a sentence that changed is noticed."""
    unused: list[str] = []
    for lang in TRANSLATED:
        catalog = read(lang)
        for path in paths:
            given = json.loads(path.read_text(encoding="utf-8")).get(lang, {})
            for key, value in given.items():
                context, _, message_id = key.rpartition("\u0004")
                message = catalog.get(message_id, context=context or None)
                if message is None:
                    unused.append(f"{path.name}: {lang}: {key!r}")
                    continue
                if isinstance(message.id, (tuple, list)):
                    forms = [value] if isinstance(value, str) else list(value)
                    count = catalog.num_plurals
                    message.string = tuple((forms + forms[-1:] * count)[:count])
                else:
                    message.string = value if isinstance(value, str) else value[0]
                message.flags.discard("fuzzy")
        po_path(lang).write_bytes(_po_bytes(catalog))
    return unused


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "fill":
        for line in fill([Path(name) for name in argv[1:]]):
            print(f"not in the catalog (changed or gone?): {line}")
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print("usage: python -m vault.i18n.catalogs update|compile|check|fill FILE.json...")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
