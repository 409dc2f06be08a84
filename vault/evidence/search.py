"""Full-text search over folded text (docs/format.md §3.2).

The index holds a *folded* copy of titles, descriptions, message text and metadata, so a defender
typing on a keyboard without Azerbaijani letters still finds things. Originals are never folded.
"""

from __future__ import annotations

import re
import unicodedata

_EXTRA = str.maketrans({"ə": "e", "ı": "i"})
_WORD_RE = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 16


def fold(text: str) -> str:
    """Fold text for matching: strip accents, case-fold, map ə→e and ı→i."""
    if text.isascii():  # nothing to strip or map: skip the per-character pass
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
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
