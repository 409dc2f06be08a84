"""Cases: incidents that group evidence (e.g. "Facebook account hacked, 9 March")."""

from __future__ import annotations

import uuid

from vault.custody import log as custody
from vault.errors import InvalidInput
from vault.evidence.models import Case, check_case_name
from vault.i18n import _
from vault.store.session import Session


def ensure_case(session: Session, name: str | None, stamp: str) -> str | None:
    """The id of the case called ``name``, creating it (with a custody event) if new."""
    if name is None:
        return None
    name = check_case_name(name)
    row = session.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
    if row:
        return str(row[0])
    case_id = str(uuid.uuid4())
    session.conn.execute(
        "INSERT INTO cases (id, name, description, created) VALUES (?, ?, '', ?)",
        (case_id, name, stamp),
    )
    session.event(custody.CASE_CREATED, stamp, details={"case_id": case_id, "name": name})
    return case_id


def load_case(session: Session, case_id: str) -> Case:
    row = session.conn.execute(
        "SELECT id, name, description, created FROM cases WHERE id = ?", (case_id,)
    ).fetchone()
    return Case(*row)


def list_cases(session: Session) -> list[Case]:
    rows = session.conn.execute(
        "SELECT id, name, description, created FROM cases ORDER BY name"
    ).fetchall()
    return [Case(*r) for r in rows]


def rename_case(session: Session, old: str, new: str, stamp: str) -> Case:
    """Rename a case; one ``case.renamed`` event (its items' case name changes with it)."""
    new = check_case_name(new)
    row = session.conn.execute("SELECT id FROM cases WHERE name = ?", (old.strip(),)).fetchone()
    if row is None:
        raise InvalidInput(_("There is no case called '{name}'.").format(name=old[:60]))
    if session.conn.execute("SELECT 1 FROM cases WHERE name = ?", (new,)).fetchone():
        raise InvalidInput(_("There is already a case called '{name}'.").format(name=new[:60]))
    session.conn.execute("UPDATE cases SET name = ? WHERE id = ?", (new, row[0]))
    session.event(
        custody.CASE_RENAMED,
        stamp,
        details={"case_id": str(row[0]), "from": old.strip(), "to": new},
    )
    return load_case(session, str(row[0]))
