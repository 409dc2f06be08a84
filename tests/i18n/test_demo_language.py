"""The demo vault for a workshop in Azerbaijani or Russian: its titles, case names, note and
reasons are in that language, its invented messages keep their own languages, and it is as sound a
vault as the English one (issue 15: "`evault demo` ... read in Azerbaijani")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import fast_kdf
from vault import Vault, set_language
from vault.host.demo import DEMO_PASSPHRASE, MESSAGES, create_demo


@pytest.mark.parametrize(
    ("lang", "case", "note_start", "title"),
    [
        (
            "az",
            "DEMO — Məqalədən sonrakı hədələr (uydurma)",
            "DEMO QEYDİ",
            "DEMO: 'Son xəbərdarlıq'",
        ),
        ("ru", "DEMO — Угрозы после статьи (вымысел)", "ЗАМЕТКА (DEMO)", "DEMO: «Все увидят»"),
        ("en", "DEMO — Threats after the article (fictional)", "DEMO NOTE", "DEMO: 'Last warning'"),
    ],
)
def test_the_demo_is_written_in_the_workshops_language(
    tmp_path: Path, lang: str, case: str, note_start: str, title: str
) -> None:
    set_language(lang)
    made = create_demo(tmp_path / "Demo.evault", kdf=fast_kdf)
    set_language("en")  # what is stored does not depend on the language it is read in
    with Vault.open(made.path, passphrase=DEMO_PASSPHRASE) as vault:
        items = vault.list_items()
        assert {c.name for c in vault.list_cases()} >= {case}
        assert any(i.title.startswith(title) for i in items), [i.title for i in items]
        note = next(i for i in items if i.kind == "note")
        assert vault.read_text(note.id).startswith(note_start)
        # The invented messages themselves stay as written, in their own languages.
        texts = {vault.read_text(i.id) for i in items if i.kind == "message"}
        assert {m.text for m in MESSAGES} <= texts
        assert vault.check().ok
