"""Full-text search over folded text (docs/format.md §3.2).

The index holds a *folded* copy of titles, descriptions, message text and metadata, so a defender
typing on a keyboard without Azerbaijani letters still finds things. Originals are never folded.
"""

from __future__ import annotations

import re
import unicodedata

from vault.store.db import Connection

_EXTRA = str.maketrans({"ə": "e", "ı": "i"})
_MARKS_CACHED_MAX = 65536  # distinct characters remembered; beyond, each is looked up again


class _DropMarks(dict[int, int | None]):
    """A ``str.translate`` table deleting combining marks (category Mn), filled as characters
    are met: the per-character decision is then a lookup in C instead of a Python generator step
    (a fifth of an import's time went to that generator, docs/performance.md). Bounded, so text
    made of every Unicode character cannot grow it without limit."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Mn" else code
        if len(self) < _MARKS_CACHED_MAX:
            self[code] = kept
        return kept


_DROP_MARKS = _DropMarks()
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits; "_" separates, as in the index
# Letters (Lo) for Python that the tokenizer's tables still call spacing marks: New Tai Lue
# vowels and tone marks, two Vedic signs (found by checking every character, see _index_letter).
_MARKS_TO_THE_INDEX = frozenset([*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3])
MAX_QUERY_WORDS = 16


def fold(text: str) -> str:
    """Fold text for matching: strip accents, case-fold, map ə→e and ı→i."""
    if text.isascii():  # nothing to strip or map: skip the per-character pass
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = decomposed.translate(_DROP_MARKS)
    return stripped.casefold().translate(_EXTRA)


def _index_letter(char: str) -> bool:
    """Whether the index's tokenizer (unicode61) keeps ``char`` inside a word: a letter, digit
    or private-use character, but not one of the few that its Unicode tables, older than
    Python's, still call marks. The index keeps no word positions (detail = none,
    docs/format.md §3.2), so a typed word that the tokenizer would cut in two cannot be searched
    as a phrase: cut here, it becomes two words that must both match.
    tests/vault/test_search_order.py checks every character against the tokenizer."""
    category = unicodedata.category(char)
    return (category[0] in "LN" or category == "Co") and ord(char) not in _MARKS_TO_THE_INDEX


def query_terms(query: str) -> list[str]:
    """Split what the user typed into folded words; punctuation and FTS operators are plain text."""
    terms: list[str] = []
    for word in _WORD_RE.findall(fold(query)):
        if word.isascii():  # ASCII letters and digits: one word for the index too
            terms.append(word)
        else:
            terms.extend("".join(c if _index_letter(c) else " " for c in word).split())
    return terms[:MAX_QUERY_WORDS]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# The index keeps prefixes of one to six letters (migration 9, store/schema.py). A longer prefix
# makes FTS5 merge the hit lists of every word it begins, all of them, before the first row.
INDEXED_PREFIX_MAX = 6
# Longer prefixes are looked up as the words they begin when there are at most this many.
MAX_WORDS_FOR_A_PREFIX = 64
_VOCABULARY = "temp.search_words"


def _same_for_the_tokenizer(term: str) -> bool:
    """Whether the index's tokenizer (unicode61) would leave ``term`` as it is: only then may the
    index's word list be searched for it byte for byte. Our folding lower-cases with Python's
    newer Unicode tables; for Latin, Greek and Cyrillic letters and digits both agree (checked
    in tests/vault/test_search_order.py); anything else keeps FTS5's own prefix search."""
    return all(
        ch.isascii()
        or ("\u00c0" <= ch <= "\u052f" and ch.isalnum() and ch == ch.lower() == ch.casefold())
        for ch in term
    )


def _words_beginning(conn: Connection, prefix: str) -> list[str] | None:
    """The index's words that begin with ``prefix``, or None when they cannot be listed cheaply
    (more than :data:`MAX_WORDS_FOR_A_PREFIX`, or a prefix whose upper bound cannot be written)."""
    last = ord(prefix[-1])
    if last in (0xD7FF, 0x10FFFF):
        return None
    upper = prefix[:-1] + chr(last + 1)  # UTF-8 byte order is code point order
    # fts5vocab reads only the index's word list between the bounds; a temporary table lives in
    # memory (temp_store = MEMORY) and with this connection only.
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCABULARY} USING fts5vocab(main, search, row)"
    )
    rows = conn.execute(
        f"SELECT term FROM {_VOCABULARY} WHERE term >= ? AND term < ? LIMIT ?",  # noqa: S608
        (prefix, upper, MAX_WORDS_FOR_A_PREFIX + 1),
    ).fetchall()
    if len(rows) > MAX_WORDS_FOR_A_PREFIX:
        return None
    return [str(row[0]) for row in rows]


def fts_expression(query: str, conn: Connection | None = None) -> str | None:
    """An FTS5 MATCH expression: every word must match, each as a prefix. None if nothing to search.

    With ``conn``, a typed word longer than the index's prefixes is matched as the words of the
    index that begin with it (``"xeberdarliq" OR "xeberdarliqlar"``): FTS5 then hands out the
    newest hits first at once, where a long prefix made it merge every hit of every such word
    first (3.7 ms against 1 ms for a word in a sixth of 100,000 messages, docs/performance.md).
    The hits are the same either way."""
    terms = query_terms(query)
    if not terms:
        return None
    parts = []
    for term in terms:
        words = None
        if conn is not None and len(term) > INDEXED_PREFIX_MAX and _same_for_the_tokenizer(term):
            words = _words_beginning(conn, term)
        if words:
            parts.append("(" + " OR ".join(_quoted(w) for w in words) + ")")
        else:  # a short prefix (indexed), no such word at all, or too many: FTS5's own search
            parts.append(_quoted(term) + "*")
    return " AND ".join(parts)
