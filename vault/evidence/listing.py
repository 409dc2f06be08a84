"""Light, paged item rows for screens that show thousands of items (the evidence list).

A page is one query returning only the columns a table shows, so scrolling a 50,000-item vault never
loads every item with its tags and messages. Filters and search narrow the same query.

A search in the default order (by when added) walks the search index newest first and stops at the
page's end, so the first page of a word in a third of 100,000 messages costs the same as that of a
rare word (the app searches as the defender types, issue 18). "When added" is then the order the
items were added in (their row id), which is the order of their "added" times unless the computer's
clock was turned back between two additions.

Sorted by when it happened, a search walks that order's index and keeps the rows among the hits
(their row ids are gathered once, straight from the search index), again stopping at the page's
end: a word in a third of 20,000 messages took 111 ms sorting every hit and takes about 12 ms this
way. A word with few hits may make the walk pass every row, which costs about 60 ns a row (6 ms at
100,000 items), no more than sorting a few thousand hits. The other orders (title, platform,
kind, case) have no index and sort every hit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.evidence.search import fts_expression
from vault.store.session import Session

SORTS = {
    "captured": "i.captured_at",
    "occurred": "coalesce(i.occurred_utc, i.occurred_at, '')",
    "platform": "i.platform",
    "title": "i.title",
    "kind": "i.kind",
    "case": "coalesce(c.name, '')",
}


# Orders with an index of the same expression (schema migration 2).
ORDER_INDEXES = {"occurred": "items_occurred"}


@dataclass(frozen=True)
class ItemRow:
    id: str
    kind: str
    title: str
    captured_at: str
    occurred_at: str | None
    occurred_tz: str
    platform: str
    case: str | None
    sensitive: bool
    size: int
    media_type: str


@dataclass(frozen=True)
class Filters:
    query: str = ""
    case: str | None = None
    tag: str | None = None
    platform: str | None = None
    kind: str | None = None


def _expression(session: Session, filters: Filters) -> str | None:
    """The search's MATCH expression, or None when no words were typed (worked out once per
    query: a long typed word is looked up in the index's word list)."""
    return fts_expression(filters.query, session.conn) if filters.query.strip() else None


def _where(
    filters: Filters, expression: str | None, *, matched: bool = False
) -> tuple[str, list[Any]]:
    """The WHERE clause and its parameters, given the search's ``expression``; ``matched``: the
    query already joins the search table as ``s`` (its MATCH goes first in the parameters)."""
    clauses = ["i.deleted_at IS NULL"]
    params: list[Any] = []
    if filters.query.strip() and expression is None:
        clauses.append("0")  # only punctuation typed: nothing matches
    if expression is not None:
        if matched:
            clauses.insert(0, "search MATCH ?")
        else:
            clauses.append("i.rowid IN (SELECT rowid FROM search WHERE search MATCH ?)")
        params.append(expression)
    if filters.case is not None:
        clauses.append("c.name = ?")
        params.append(filters.case)
    if filters.tag is not None:
        clauses.append("EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = i.id AND t.tag = ?)")
        params.append(filters.tag)
    if filters.platform is not None:
        clauses.append("i.platform = ?")
        params.append(filters.platform)
    if filters.kind is not None:
        clauses.append("i.kind = ?")
        params.append(filters.kind)
    return " AND ".join(clauses), params


def count(session: Session, filters: Filters) -> int:
    expression = _expression(session, filters)
    if expression is not None and filters == Filters(query=filters.query):
        # Words only: the index's own count, without looking up every hit's item row (a third
        # of 100,000 items cost 25 ms that way). A deleted item's entry leaves the index in the
        # same transaction as the deletion (issue 13), so every entry is a live item.
        row = session.conn.execute(
            "SELECT count(*) FROM search WHERE search MATCH ?", (expression,)
        ).fetchone()
        return int(row[0])
    where, params = _where(filters, expression)
    # The cases table is joined only when filtering by case: a plain count stays an index scan.
    join = " LEFT JOIN cases c ON c.id = i.case_id" if filters.case is not None else ""
    row = session.conn.execute(
        f"SELECT count(*) FROM items i{join} WHERE {where}",  # noqa: S608
        params,
    ).fetchone()
    return int(row[0])


def page(
    session: Session,
    filters: Filters,
    *,
    sort: str = "captured",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[ItemRow]:
    """One page of rows; a search in the default order comes in the order added (see above)."""
    direction = "DESC" if descending else "ASC"
    if sort not in SORTS:
        sort = "captured"
    expression = _expression(session, filters)
    if sort == "captured" and expression is not None:
        # The search index hands out its hits by row id, newest first when asked, and the CROSS
        # JOIN keeps it the outer loop: the query stops after offset + limit rows that pass the
        # other filters instead of sorting every hit.
        where, params = _where(filters, expression, matched=True)
        source = "search s CROSS JOIN items i ON i.rowid = s.rowid"
        order = f"s.rowid {direction}"
    else:
        where, params = _where(filters, expression)
        source = "items i"
        if sort in ORDER_INDEXES and expression is not None:
            source = f"items i INDEXED BY {ORDER_INDEXES[sort]}"
        order = f"{SORTS[sort]} {direction}, i.rowid {direction}"
    rows = session.conn.execute(
        "SELECT i.id, i.kind, i.title, i.captured_at, i.occurred_at, i.occurred_tz, i.platform,"  # noqa: S608
        " c.name, i.sensitive, i.size, i.media_type"
        f" FROM {source} LEFT JOIN cases c ON c.id = i.case_id WHERE {where}"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [
        ItemRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), int(r[9]), r[10])
        for r in rows
    ]


def distinct_values(session: Session) -> dict[str, list[str]]:
    """The cases, tags, platforms and kinds in use: the choices of the filter menus."""
    conn = session.conn
    live = "deleted_at IS NULL"
    return {
        "case": [r[0] for r in conn.execute("SELECT name FROM cases ORDER BY name").fetchall()],
        "tag": [
            r[0] for r in conn.execute("SELECT DISTINCT tag FROM item_tags ORDER BY tag").fetchall()
        ],
        "platform": [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT platform FROM items WHERE {live} AND platform != '' ORDER BY 1"  # noqa: S608
            ).fetchall()
        ],
        "kind": [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT kind FROM items WHERE {live} ORDER BY 1"  # noqa: S608
            ).fetchall()
        ],
    }
