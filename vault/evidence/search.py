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
_WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 16


def fold(text: str) -> str:
    """Fold text for matching: strip accents, case-fold, map ə→e and ı→i."""
    if text.isascii():  # nothing to strip or map: skip the per-character pass
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = decomposed.translate(_DROP_MARKS)
    return stripped.casefold().translate(_EXTRA)


def query_terms(query: str) -> list[str]:
    """Split what the user typed into folded words; punctuation and FTS operators are plain text."""
    return _WORD_RE.findall(fold(query))[:MAX_QUERY_WORDS]


def fts_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: every word must match, each as a prefix. None if nothing to search."""
    terms = query_terms(query)
    if not terms:
        return None
    return " AND ".join('"' + t.replace('"', '""') + '"*' for t in terms)
