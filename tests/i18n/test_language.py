"""Which language is chosen, and that a document's language stays on its own thread (issue 15)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from vault.i18n import (
    choose_language,
    document_language,
    language,
    ngettext,
    normalise_language,
    set_language,
    translations,
)
from vault.i18n.dates import date_time


@pytest.fixture(autouse=True)
def _english_after() -> object:
    yield None
    set_language("en")


@pytest.mark.parametrize(
    ("asked", "environ", "expected"),
    [
        ("ru", {"EVAULT_LANG": "az", "LANG": "en_US.UTF-8"}, "ru"),  # --lang wins
        (None, {"EVAULT_LANG": "az", "LC_ALL": "ru_RU.UTF-8"}, "az"),  # then EVAULT_LANG
        (None, {"LC_ALL": "ru_RU.UTF-8", "LANG": "az_AZ.UTF-8"}, "ru"),  # LC_ALL over LANG
        (None, {"LC_MESSAGES": "az_AZ.UTF-8", "LANG": "ru_RU.UTF-8"}, "az"),
        (None, {"LANG": "az_AZ.UTF-8"}, "az"),
        (None, {"LANG": "ru_RU.KOI8-R"}, "ru"),
        (None, {"LANG": "az_Latn_AZ"}, "az"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),  # a language we have no catalog for
        (None, {"LC_ALL": "C", "LANG": "ru_RU.UTF-8"}, "en"),  # LC_ALL=C means C, as in C
        (None, {"EVAULT_LANG": "fr", "LANG": "ru_RU.UTF-8"}, "ru"),  # unknown: next source
        (None, {}, "en"),
    ],
)
def test_language_is_chosen_in_the_documented_order(
    asked: str | None, environ: dict[str, str], expected: str
) -> None:
    assert choose_language(asked, environ) == expected


def test_names_of_languages_are_normalised() -> None:
    assert normalise_language("AZ") == "az"
    assert normalise_language("ru-RU") == "ru"
    assert normalise_language("en_GB.UTF-8@euro") == "en"
    assert normalise_language("POSIX") is None
    assert normalise_language("") is None


def test_russian_plurals_take_three_forms() -> None:
    catalog = translations("ru")
    plural = catalog.plural  # type: ignore[attr-defined]
    assert [plural(n) for n in (1, 2, 5, 11, 21, 22, 25, 111)] == [0, 1, 2, 2, 0, 1, 2, 2]
    assert translations("az").plural(1) == 0  # type: ignore[attr-defined]
    assert translations("az").plural(3) == 1  # type: ignore[attr-defined]


def test_english_is_unchanged() -> None:
    set_language("en")
    assert ngettext("{n} item", "{n} items", 2) == "{n} items"


def test_a_documents_language_stays_on_its_thread() -> None:
    """An export writes the lawyer's report in Russian on a worker while the app, on the main
    thread, keeps speaking Azerbaijani."""
    set_language("az")
    seen: list[str] = []
    inside = threading.Event()
    leave = threading.Event()

    def worker() -> None:
        with document_language("ru"):
            seen.append(language())
            inside.set()
            leave.wait(5)
        seen.append(language())

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    assert language() == "az"
    leave.set()
    thread.join(5)
    assert seen == ["ru", "az"]


def test_dates_are_written_in_the_documents_language_with_their_zone() -> None:
    when = datetime(2026, 3, 1, 9, 5, 7, tzinfo=UTC)
    assert date_time(when, "az") == "1 mart 2026, 09:05:07 UTC"
    assert date_time(when, "ru").startswith("1 марта 2026")
    assert date_time(when, "ru").endswith("09:05:07 UTC")


def test_english_documents_put_the_day_first() -> None:
    assert (
        date_time(datetime(2026, 3, 1, 9, 5, 7, tzinfo=UTC), "en") == "1 March 2026, 09:05:07 UTC"
    )
