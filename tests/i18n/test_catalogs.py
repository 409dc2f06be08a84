"""The catalogs are complete and safe: every sentence the code marks is translated into Azerbaijani
and Russian, every translation keeps the original's placeholders, and the compiled files the
program reads match the catalogs (issue 15)."""

from __future__ import annotations

import string

import pytest

from vault.i18n import catalogs


def _fields(text: str) -> set[str]:
    """The ``{name}`` placeholders of a format string (``{{`` is a literal brace)."""
    names = set()
    for _literal, field, _spec, _conversion in string.Formatter().parse(text):
        if field is not None:
            names.add(field)
    return names


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    return catalogs.extract()


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_every_marked_sentence_has_a_translation(lang: str, template) -> None:  # type: ignore[no-untyped-def]
    catalog = catalogs.read(lang)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None:
            missing.append(message.id)
            continue
        if found.fuzzy or not all(catalogs.texts(found.string)):
            missing.append(message.id)
    assert not missing, f"{len(missing)} sentences have no {lang} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    """A translation that drops ``{path}`` hides what the sentence is about; one that adds
    ``{paht}`` crashes the program at the moment it should calm someone down."""
    wrong = []
    for message in catalogs.read(lang):
        if not message.id or not message.string:
            continue
        originals = catalogs.texts(message.id)
        translations = catalogs.texts(message.string)
        expected = set().union(*(_fields(text) for text in originals))
        for text in translations:
            try:
                got = _fields(text)
            except ValueError:  # an unbalanced brace
                wrong.append((message.id, text))
                continue
            # A plural form may leave out the number ("one item" for n == 1), never add a name.
            if got - expected or (len(translations) == 1 and got != expected):
                wrong.append((message.id, text))
    assert not wrong, f"{lang}: placeholders differ: {wrong[:5]}"


def test_catalog_files_are_in_step_with_the_code() -> None:
    """The template lists what the code says now, and each compiled ``.mo`` matches its ``.po``
    (the program reads the ``.mo``: a stale one shows old or missing translations)."""
    assert catalogs.problems() == []


def test_azerbaijani_is_written_in_latin_script() -> None:
    cyrillic = [
        message.id
        for message in catalogs.read("az")
        if message.string
        and any(
            "\u0400" <= char <= "\u04ff" for text in catalogs.texts(message.string) for char in text
        )
    ]
    assert not cyrillic, cyrillic[:5]
