"""Search: folded, every word required, prefix matching, user input never parsed as FTS syntax."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vault.support import write
from vault import Vault
from vault.evidence.models import MessageFields, Metadata
from vault.evidence.search import fold, fts_expression, query_terms


def _found(vault: Vault, query: str) -> set[str]:
    return {i.id for i in vault.search(query)}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("təhdid", "TƏHDİD"),
        ("TƏHDİD", "tehdid"),
        ("TƏHDİD", "TEHDID"),
        ("tehdid", "təhdid"),
        ("угроза", "УГРОЗА"),
        ("УГРОЗА", "угроза"),
        ("ещё", "еще"),
        ("еще", "ещё"),
        ("Ёлка", "елка"),
        ("İstanbul", "istanbul"),
        ("istanbul", "İSTANBUL"),
        ("Qızıl", "qizil"),
        ("qizil", "QIZIL"),
        ("QIZIL", "qızıl"),
        ("öldürəcəyik", "OLDURECEYIK"),
        ("şəhər", "seher"),
        ("ağac", "AGAC"),
        ("çox", "COX"),
        ("naïve", "naive"),
        ("Straße", "strasse"),
    ],
)
def test_folding_finds_across_keyboards(vault: Vault, stored: str, typed: str) -> None:
    target = vault.add_note(f"Mesaj: {stored} gəldi").item_id
    vault.add_note("unrelated words only")
    assert _found(vault, typed) == {target}


def test_originals_are_not_folded(vault: Vault) -> None:
    text = "TƏHDİD: Səni tapacağıq, ещё раз"
    item_id = vault.add_note(text).item_id
    assert vault.read_text(item_id) == text
    assert vault.get_item(item_id).title == text


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("təhdidlər", "təhdid"),
        ("угрозы", "угроз"),
        ("threatening", "THREAT"),
        ("təhdidlər", "tehd"),
    ],
)
def test_prefix_matches_longer_words(vault: Vault, stored: str, typed: str) -> None:
    target = vault.add_note(f"bunlar {stored} idi").item_id
    assert _found(vault, typed) == {target}


def test_suffix_alone_does_not_match(vault: Vault) -> None:
    vault.add_note("təhdidlər")
    assert _found(vault, "lər") == set()


def test_every_word_is_required(vault: Vault) -> None:
    both = vault.add_note("police threat at the protest").item_id
    only_police = vault.add_note("police came to the office").item_id
    only_threat = vault.add_note("a threat by phone").item_id
    assert _found(vault, "police threat") == {both}
    assert _found(vault, "threat police") == {both}
    assert _found(vault, "police") == {both, only_police}
    assert _found(vault, "threat") == {both, only_threat}
    assert _found(vault, "police threat phone") == set()


def test_words_may_come_from_title_text_and_metadata(vault: Vault, tmp_path: Path) -> None:
    message = vault.add_message(
        "Bu son xəbərdarlıqdır",
        Metadata(
            title="Telegram hədə", platform="Telegram", sender_handle="@qaraqus", tags=("urgent",)
        ),
        MessageFields(sent="2026-03-09T21:14+04:00"),
    ).item_id
    file = vault.add_file(
        write(tmp_path, "screenshot_baku.png", b"\x89PNG\r\n\x1a\n"),
        Metadata(description="posted under my photo", case="Case Alpha"),
    ).item_id
    assert _found(vault, "xeberdarliqdir") == {message}
    assert _found(vault, "hede qaraqus") == {message}
    assert _found(vault, "urgent telegram") == {message}
    assert _found(vault, "screenshot") == {file}
    assert _found(vault, "alpha photo") == {file}


def test_file_contents_are_not_indexed(vault: Vault, tmp_path: Path) -> None:
    vault.add_file(write(tmp_path, "a.txt", b"zanzibarquartz inside the file"))
    assert _found(vault, "zanzibarquartz") == set()


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"threat',
        "threat\"'",
        "threat AND",
        "AND OR NOT",
        "NEAR(threat protest)",
        "threat*",
        "*",
        "(threat",
        "threat)",
        "title:threat",
        "body:",
        "^threat",
        "threat -police",
        "threat + protest",
        "{title body}: threat",
        "thr'eat",
        "\\",
        "%_",
        "'; DROP TABLE items; --",
        "\x00",
        "   ",
        "",
    ],
)
def test_fts_syntax_typed_by_the_user_never_raises(vault: Vault, query: str) -> None:
    vault.add_note("threat at the protest")
    result = vault.search(query)
    assert isinstance(result, list)
    assert len(vault.list_items()) == 1


def test_operators_are_plain_words(vault: Vault) -> None:
    plain = vault.add_note("threat and protest").item_id
    vault.add_note("threat or protest")
    vault.add_note("threat near protest")
    # "AND" is the word "and", not an operator: only the note containing "and" matches.
    assert _found(vault, "threat AND protest") == {plain}
    assert _found(vault, '"threat" AND "protest"') == {plain}
    # Parentheses, stars, quotes and colons are not syntax.
    assert _found(vault, "(threat)") == _found(vault, "threat")
    assert _found(vault, "title:threat") == set()
    assert len(_found(vault, '"threat*"')) == 3


def test_deleted_items_are_not_found(vault: Vault) -> None:
    item_id = vault.add_note("qaraqus threat").item_id
    assert _found(vault, "qaraqus") == {item_id}
    vault.delete_item(item_id, reason="entered by mistake")
    assert _found(vault, "qaraqus") == set()
    assert _found(vault, "threat") == set()


def test_edited_title_is_found_by_the_new_words_only(vault: Vault) -> None:
    item_id = vault.add_note("body words", Metadata(title="oldtitle zebra")).item_id
    vault.update_metadata(item_id, {"title": "newtitle giraffe"})
    assert _found(vault, "giraffe") == {item_id}
    assert _found(vault, "newtitle") == {item_id}
    assert _found(vault, "zebra") == set()
    assert _found(vault, "oldtitle") == set()
    assert _found(vault, "body") == {item_id}


def test_edited_tags_case_and_sender_are_reindexed(vault: Vault) -> None:
    item_id = vault.add_note("text", Metadata(tags=("alpha",), sender_handle="@first")).item_id
    vault.update_metadata(
        item_id, {"tags": ["omega"], "case": "Casebeta", "sender_handle": "@second"}
    )
    assert _found(vault, "omega casebeta second") == {item_id}
    assert _found(vault, "alpha") == set()
    assert _found(vault, "first") == set()


def test_limit(vault: Vault) -> None:
    for n in range(5):
        vault.add_note(f"common word {n}")
    assert len(vault.search("common", limit=3)) == 3
    assert len(vault.search("common")) == 5


def test_query_terms_fold_and_split() -> None:
    assert query_terms('TƏHDİD "ещё" (police)') == ["tehdid", "еще", "police"]
    assert query_terms("!!! ***") == []
    assert fts_expression("   ") is None
    assert len(query_terms(" ".join(f"w{n}" for n in range(40)))) == 16


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_is_idempotent_and_lowercase(text: str) -> None:
    once = fold(text)
    assert fold(once) == once
    assert once.casefold() == once
    assert "ə" not in once
    assert "ı" not in once


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
def test_any_query_is_safe(vault: Vault, query: str) -> None:
    """Any text at all is a valid search: it returns a list and never an error."""
    if not vault.list_items():
        vault.add_note("threat at the protest, təhdid, угроза")
    assert isinstance(vault.search(query), list)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    word=st.text(
        alphabet=st.sampled_from("abcçdeəfgğhxıijkqlmnoöprsştuüvyzабвгдеёжзийклмнопрстуфхцчшщыэюя"),
        min_size=2,
        max_size=12,
    )
)
def test_every_stored_word_is_found_by_itself_upper_and_lower(vault: Vault, word: str) -> None:
    """Typed exactly, in capitals, or folded, a stored word always finds its item."""
    item_id = vault.add_note(f"start {word} end").item_id
    for typed in (word, word.upper(), word.lower(), fold(word)):
        assert item_id in _found(vault, typed), typed
