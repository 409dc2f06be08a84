"""Secrets read from files (tui/secrets_input.py) are refused in whole sentences of the chosen
language, one per purpose: no English word ("passphrase", "recovery key") put into a sentence.

Real files on disk; the sentences are the ones a command prints after ``evault:``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.secrets_input import (
    EMPTY,
    GIVE_IN_FILE,
    MAX_SECRET_FILE_BYTES,
    NO_TERMINAL,
    NOT_TEXT,
    NOT_TYPED,
    STDIN_USED,
    TOO_LARGE,
    UNREADABLE,
    StdinBudget,
    read_first_line,
    read_secret_text,
)
from vault import InvalidInput, set_language
from vault.i18n import translations


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def _refusal(call: object, *args: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.message


@pytest.mark.parametrize(
    ("lang", "empty", "not_text", "stdin"),
    [
        (
            "az",
            "Bərpa açarı faylı boşdur; onun ilk sətrində bərpa açarı olmalıdır.",
            "Parol ifadəsi faylı UTF-8 mətni deyil.",
            "Standart giriş artıq parol ifadəsi üçün istifadə olunur; mesaj mətnini faylda verin.",
        ),
        (
            "ru",
            "Файл с ключом восстановления пуст; в его первой строке должен быть ключ "
            "восстановления.",
            "Файл с парольной фразой — не текст в UTF-8.",
            "Стандартный ввод уже используется для парольной фразы; "
            "передайте текст сообщения в файле.",
        ),
        (
            "en",
            "The recovery key file is empty; its first line should hold the recovery key.",
            "The passphrase file is not UTF-8 text.",
            "Standard input is already used for the passphrase; "
            "give the message text in a file instead.",
        ),
    ],
    ids=["az", "ru", "en"],
)
def test_secret_files_refused_in_the_chosen_language(
    tmp_path: Path, lang: str, empty: str, not_text: str, stdin: str
) -> None:
    set_language(lang)
    blank = tmp_path / "recovery.txt"
    blank.write_text("\n", encoding="utf-8")
    latin1 = tmp_path / "passphrase.txt"
    latin1.write_bytes("şifre".encode("cp1254"))  # Windows Turkish: not UTF-8
    assert _refusal(read_first_line, str(blank), "recovery key", StdinBudget()) == empty
    assert _refusal(read_secret_text, str(latin1), "passphrase", StdinBudget()) == not_text
    budget = StdinBudget("passphrase")
    budget.take("passphrase")
    assert _refusal(budget.take, "message text") == stdin


@pytest.mark.parametrize("lang", ["az", "ru"])
def test_every_purpose_has_its_own_translated_sentences(tmp_path: Path, lang: str) -> None:
    """Each purpose's sentences are in the catalog, and none of them is left in English; a file
    too large or missing is refused in the language too."""
    catalog = translations(lang)
    for table in (EMPTY, UNREADABLE, TOO_LARGE, NOT_TEXT, STDIN_USED, GIVE_IN_FILE):
        for purpose, sentence in table.items():
            assert catalog.gettext(sentence) != sentence, (purpose, sentence)
    for table in (NO_TERMINAL, NOT_TYPED):
        for purpose, sentence in table.items():
            assert catalog.gettext(sentence) != sentence, (purpose, sentence)
    set_language(lang)
    large = tmp_path / "shares.txt"
    large.write_bytes(b"x" * (MAX_SECRET_FILE_BYTES + 1))
    refused = _refusal(read_secret_text, str(large), "recovery shares", StdinBudget())
    assert refused == catalog.gettext(TOO_LARGE["recovery shares"])
    missing = tmp_path / "nowhere.txt"
    refused = _refusal(read_first_line, str(missing), "bundle passphrase", StdinBudget())
    assert str(missing) in refused and "could not be read" not in refused
