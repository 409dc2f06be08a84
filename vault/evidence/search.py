"""Full-text search over folded text (docs/format.md §3.2).

The index holds a *folded* copy of titles, descriptions, message text and metadata, so a defender
typing on a keyboard without Azerbaijani letters still finds things. Originals are never folded.
"""

from __future__ import annotations

import re
import unicodedata

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


def fts_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: every word must match, each as a prefix. None if nothing to search."""
    terms = query_terms(query)
    if not terms:
        return None
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)
