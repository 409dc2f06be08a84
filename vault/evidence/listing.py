"""Light, paged item rows for screens that show thousands of items (the evidence list).

A page is one query returning only the columns a table shows, so scrolling a 50,000-item vault never
loads every item with its tags and messages. Filters and search narrow the same query.
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


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses = ["i.deleted_at IS NULL"]
    params: list[Any] = []
    expression = fts_expression(filters.query) if filters.query.strip() else None
    if filters.query.strip() and expression is None:
        clauses.append("0")  # only punctuation typed: nothing matches
    if expression is not None:
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
    where, params = _where(filters)
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
    order = SORTS.get(sort, SORTS["captured"])
    direction = "DESC" if descending else "ASC"
    where, params = _where(filters)
    rows = session.conn.execute(
        "SELECT i.id, i.kind, i.title, i.captured_at, i.occurred_at, i.occurred_tz, i.platform,"  # noqa: S608
        " c.name, i.sensitive, i.size, i.media_type"
        f" FROM items i LEFT JOIN cases c ON c.id = i.case_id WHERE {where}"
        f" ORDER BY {order} {direction}, i.rowid {direction} LIMIT ? OFFSET ?",
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
