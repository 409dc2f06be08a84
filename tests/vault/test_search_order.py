"""Search as the defender types it (issue 18): newest first, the right page, nothing deleted.

The first page of a search no longer ranks every hit: `evault search` and the evidence list show
the items in the order they were added, newest first (docs/user-guide.md §10, docs/cli.md). The
search index of migration 9 (prefix indexes, no word positions) must keep every live item
findable in a vault made before it, and drop the words of deleted ones.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlcipher3

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.pages import found_in_pages
from tests.vault.support import db_key, raw_db
from tests.vault.test_deletion import table_hits
from vault import Filters, Metadata, Vault
from vault.evidence.search import (
    MAX_WORDS_FOR_A_PREFIX,
    _same_for_the_tokenizer,
    fts_expression,
)
from vault.store import schema

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _add_hits(vault: Vault, n: int) -> list[str]:
    """``n`` notes holding "harbour"; the older ones say it more often (a higher bm25 rank)."""
    ids = []
    for k in range(n):
        words = "harbour " * 3 if k < n // 2 else "harbour and a long tail of other words " * 3
        ids.append(vault.add_note(f"note {k}: {words}", Metadata(title=f"note {k}")).item_id)
    return ids


def test_evault_search_gives_the_newest_first_and_the_right_first_page(vault: Vault) -> None:
    ids = _add_hits(vault, 60)
    vault.add_note("nothing to find here")
    newest = list(reversed(ids))
    assert [i.id for i in vault.search("harbour", limit=50)] == newest[:50]
    assert [i.id for i in vault.search("HARB")] == newest  # a prefix, folded, every hit


def test_the_list_searches_in_the_order_added_even_if_the_clock_went_back(vault: Vault) -> None:
    # The computer's clock was turned back between the additions: "added" times go down.
    ids = [vault.add_note(f"harbour {k}", now=START - timedelta(days=k)).item_id for k in range(25)]
    vault.add_note("unrelated", now=START - timedelta(days=100))
    query = Filters(query="harbour")
    pages = [vault.item_page(query, offset=o, limit=10) for o in (0, 10, 20, 30)]
    assert [r.id for page in pages for r in page] == list(reversed(ids))
    assert [r.id for r in vault.item_page(query, descending=False, limit=5)] == ids[:5]
    assert vault.count_items(query) == 25
    # Without words, the list keeps its order by the "added" time.
    assert vault.item_page(Filters(), limit=1)[0].id == ids[0]


def test_other_filters_and_orders_still_apply_to_a_search(vault: Vault) -> None:
    ids = [
        vault.add_note(
            f"harbour {k}",
            Metadata(title=f"t{k:02d}", platform="Telegram" if k % 2 else ""),
            now=START - timedelta(hours=k),  # the clock going back again: the order added wins
        ).item_id
        for k in range(12)
    ]
    telegram = Filters(query="harbour", platform="Telegram")
    assert [r.id for r in vault.item_page(telegram, limit=3)] == [ids[11], ids[9], ids[7]]
    assert [r.id for r in vault.item_page(telegram, offset=3, limit=10)] == [ids[5], ids[3], ids[1]]
    assert vault.count_items(telegram) == 6
    by_title = vault.item_page(Filters(query="harbour"), sort="title", descending=False, limit=3)
    assert [r.id for r in by_title] == ids[:3]


def test_deleted_items_never_appear_and_the_page_is_refilled(vault: Vault) -> None:
    ids = _add_hits(vault, 60)
    for gone in ids[-5:]:
        vault.delete_item(gone, reason="entered twice")
    live = list(reversed(ids[:-5]))
    assert [i.id for i in vault.search("harbour", limit=50)] == live[:50]
    assert [r.id for r in vault.item_page(Filters(query="harb"), limit=50)] == live[:50]
    assert vault.count_items(Filters(query="harbour")) == 55


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Xəbərdarlıq", "xeber"),  # ə and ı, inside the prefix index's six letters
        ("XƏBƏRDARLIQ", "xəbərdarlıq"),  # past six letters
        ("Təhdidlər", "T"),
        ("naïve", "nai"),
        ("ещё", "ЕЩЕ"),
        ("snake_case_name", "case"),  # "_" separates words in the index
        ("snake_case_name", "snake_case"),
    ],
)
def test_a_search_still_folds_and_finds_prefixes(vault: Vault, stored: str, typed: str) -> None:
    older = vault.add_note(f"qeyd: {stored} {stored} {stored}").item_id  # ranked first before
    newer = vault.add_note(f"qeyd: {stored}, başqa sözlər də var").item_id
    vault.add_note("başqa söz")
    assert [i.id for i in vault.search(typed)] == [newer, older]
    assert [r.id for r in vault.item_page(Filters(query=typed))] == [newer, older]


@pytest.mark.slow
def test_query_words_are_cut_where_the_index_cuts_them() -> None:
    """Every character kept inside a typed word is kept inside a word by the index's tokenizer
    (the SQLite that SQLCipher brings): otherwise the word would be a phrase, which an index
    without word positions refuses."""
    from vault.evidence.search import _index_letter  # new with migration 9

    letters = [
        chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c <= 0xDFFF and _index_letter(chr(c))
    ]
    conn = sqlcipher3.connect(":memory:")
    cut = []
    try:
        for start in range(0, len(letters), 20_000):
            chunk = letters[start : start + 20_000]
            conn.execute("DROP TABLE IF EXISTS probe")
            conn.execute(
                "CREATE VIRTUAL TABLE probe USING fts5(x, tokenize = 'unicode61 remove_diacritics 0')"
            )
            conn.executemany(
                "INSERT INTO probe (rowid, x) VALUES (?, ?)",
                [(k, f"q{ch}q") for k, ch in enumerate(chunk)],
            )
            rows = conn.execute("SELECT rowid FROM probe WHERE probe MATCH 'q'").fetchall()
            cut += [hex(ord(chunk[r[0]])) for r in rows]
    finally:
        conn.close()
    assert cut == []
    assert len(letters) > 100_000  # the letters of every script, not a handful
    assert not _index_letter("_")
    assert not _index_letter(unicodedata.lookup("NEW TAI LUE VOWEL SIGN AA"))


def test_a_vault_from_before_migration_9_keeps_every_live_item_findable(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
        mp.setattr(schema, "LATEST", 8)
        old, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
        kept = [
            old.add_note(f"Xəbərdarlıq {k}: harbour", Metadata(title=f"kept {k}")).item_id
            for k in range(3)
        ]
        gone = old.add_note("They wrote qxgoneword to me", Metadata(title="gone")).item_id
        later = old.add_note("harbour qxlaterword", Metadata(title="later")).item_id
        old.delete_item(gone, reason="not needed")
        old.close()
        with raw_db(folder) as conn:
            assert max(r[0] for r in conn.execute("SELECT version FROM schema_migrations")) == 8

    with Vault.open(folder, passphrase=PASSPHRASE) as upgraded:
        assert [i.id for i in upgraded.search("harbour")] == [later, *reversed(kept)]
        assert [r.id for r in upgraded.item_page(Filters(query="xeber"))] == list(reversed(kept))
        assert upgraded.search("qxgoneword") == []
        assert upgraded.check().ok
        upgraded.delete_item(later, reason="not needed")  # secure-delete still on after it
        assert [i.id for i in upgraded.search("harb")] == list(reversed(kept))
    with raw_db(folder) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'search'").fetchone()[0]
        config = dict(conn.execute("SELECT k, v FROM search_config").fetchall())
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
        assert table_hits(conn, ["qxgoneword", "qxlaterword"]) == set()
    assert "prefix" in sql and "detail = none" in sql
    assert config.get("secure-delete") == 1
    assert 9 in versions
    # The prefix indexes hold every word's first one to six letters: "qxgo", "qxla" are the
    # first four of the deleted words (and inside every longer prefix), in no live word.
    words = [b"qxgoneword", b"qxlaterword", b"qxgo", b"qxla"]
    assert found_in_pages(folder / "vault.db", db_key(folder), words) == set()


def test_sorted_by_when_it_happened_a_search_gives_pages_in_that_order(vault: Vault) -> None:
    # The list walks the time index and keeps the hits (listing.py); the order is computed here.
    expected: list[tuple[str, int, str]] = []
    for k in range(40):
        # Times out of order, some equal (the order added breaks the tie), some unknown.
        occurred = None if k % 7 == 0 else f"2024-05-{1 + (k * 13) % 9:02d}T10:00:00+00:00"
        word = "harbour" if k % 3 else "quay"
        item = vault.add_note(f"{word} note {k}", Metadata(title=f"n{k}", occurred=occurred))
        if word == "harbour":
            key = "" if occurred is None else occurred.replace("+00:00", ".000000Z")
            expected.append((key, k, item.item_id))
    vault.delete_item(expected[3][2], reason="not needed")
    del expected[3]
    newest = [i for _, _, i in sorted(expected, reverse=True)]
    oldest = [i for _, _, i in sorted(expected)]
    query = Filters(query="harbour")
    pages = [vault.item_page(query, sort="occurred", offset=o, limit=10) for o in (0, 10, 20)]
    assert [r.id for page in pages for r in page] == newest
    ascending = vault.item_page(query, sort="occurred", descending=False, limit=5)
    assert [r.id for r in ascending] == oldest[:5]
    assert vault.item_page(Filters(query="nowhere"), sort="occurred") == []


@pytest.mark.parametrize("extra", [3, 70])
def test_a_long_typed_prefix_finds_exactly_what_fts5s_own_prefix_search_finds(
    vault: Vault, extra: int
) -> None:
    """Past the prefix indexes' six letters a typed word is looked up as the words it begins
    (fewer than 65) or left to FTS5's own prefix search (more): the same items either way,
    newest first, and a deleted item's word never brings it back."""
    words = [f"xeberdarliq{suffix}" for suffix in ("", "lar", "dan")]
    words += [f"xeberdar{n:03d}q" for n in range(extra)]
    ids = [vault.add_note(f"qeyd {k}: {w} sözü").item_id for k, w in enumerate(words)]
    other = vault.add_note("xeberdir, başqa söz").item_id  # shares six letters, not eight
    gone = vault.add_note("xeberdarliqsiz").item_id
    vault.delete_item(gone, reason="entered twice")
    conn = vault.session.conn
    expression = fts_expression("Xəbərdarlıq xeberd", conn)
    own = fts_expression("Xəbərdarlıq xeberd")
    assert own == '"xeberdarliq"* AND "xeberd"*'
    # The three words that begin with it as an OR of exact words (the deleted item's word left
    # the index with it); the short word keeps the prefix index.
    assert expression == '("xeberdarliq" OR "xeberdarliqdan" OR "xeberdarliqlar") AND "xeberd"*'
    for typed, expected in (
        ("xeberdarliq", ids[2::-1]),
        ("xeberdar", list(reversed(ids))),
        ("XƏBƏRDARLIQLAR", [ids[1]]),
        ("xeberdarliqsiz", []),
        ("xeberdarz", []),
    ):
        assert [i.id for i in vault.search(typed, limit=500)] == expected, typed
        assert [r.id for r in vault.item_page(Filters(query=typed), limit=500)] == expected
        assert vault.count_items(Filters(query=typed)) == len(expected)
    assert other not in [i.id for i in vault.search("xeberdar", limit=500)]
    many = fts_expression("xeberdar", conn)
    if len(words) > MAX_WORDS_FOR_A_PREFIX:
        assert many == '"xeberdar"*'  # too many words: FTS5's own prefix search
    else:
        assert many is not None and many.count(" OR ") == len(words) - 1  # each word once


def test_letters_the_word_list_is_searched_for_are_left_alone_by_the_tokenizer() -> None:
    """The index's word list is searched byte for byte only for words made of characters the
    tokenizer (unicode61 of the SQLite that SQLCipher brings) keeps exactly as typed: checked
    for every one of them, and a few it changes are refused."""
    kept = [chr(c) for c in range(0x80, 0x530) if _same_for_the_tokenizer(chr(c))]
    assert len(kept) > 500  # Latin, Greek and Cyrillic lower-case letters
    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute(
            "CREATE VIRTUAL TABLE probe USING fts5(x, tokenize = 'unicode61 remove_diacritics 0')"
        )
        conn.executemany("INSERT INTO probe (rowid, x) VALUES (?, ?)", [(1, " ".join(kept))])
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, probe, row)")
        stored = {r[0] for r in conn.execute("SELECT term FROM words")}
    finally:
        conn.close()
    assert set(kept) <= stored
    assert not _same_for_the_tokenizer("Ə")  # upper case: the tokenizer lower-cases it
    assert not _same_for_the_tokenizer("ꭰ")  # Cherokee: casefold gives upper case
    assert not _same_for_the_tokenizer("ς")  # final sigma: the tokenizer makes it σ
