"""What an import asks of the database per message (issue 16: imports ten times cheaper).

A first import of a chat cannot find an earlier copy of its messages, so it does not look for one
(one query per message saved); a later import of the chat still does, so re-imports add nothing
and changed messages are still linked to the copy they replace. (Should a parser ever yield the
same message key twice in one export, the pipeline looks that one up too; today's parsers keep the
first copy themselves.)
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Any

from vault import Vault
from vault.evidence.search import fold
from vault.imports.options import ImportOptions

EARLIER_COPY = "SELECT m.item_id, i.sha256 FROM import_messages m"
T0 = 1699963200


def _message(mid: int, text: str) -> dict[str, Any]:
    return {
        "id": mid,
        "type": "message",
        "date": "2023-11-14T16:00:00",
        "date_unixtime": str(T0 + 60 * mid),
        "from": "Naməlum Şəxs",
        "from_id": "user5550001111",
        "text": text,
    }


def _export(folder: Path, messages: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True)
    data = {"name": "Naməlum Şəxs", "type": "personal_chat", "id": 5550001111, "messages": messages}
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return folder


def _import_counting(vault: Vault, folder: Path) -> tuple[Any, int]:
    statements: list[str] = []
    conn = vault.session.conn
    conn.set_trace_callback(statements.append)
    try:
        summary = vault.import_export("telegram", folder, ImportOptions())
    finally:
        conn.set_trace_callback(None)
    return summary, sum(1 for s in statements if s.startswith(EARLIER_COPY))


def test_first_import_of_a_chat_does_not_look_for_earlier_copies(
    vault: Vault, tmp_path: Path
) -> None:
    first = _export(tmp_path / "one", [_message(n, f"Message {n}") for n in range(1, 31)])
    summary, lookups = _import_counting(vault, first)
    assert summary.messages_new == 30
    assert lookups == 0  # before issue 16: 30, one per message

    # A later export of the same chat: every message is looked up, the old ones add nothing.
    later = [_message(n, f"Message {n}") for n in range(1, 31)]
    later[4] = _message(5, "Message 5, edited")
    later.append(_message(31, "Message 31"))
    summary, lookups = _import_counting(vault, _export(tmp_path / "two", later))
    assert lookups == 31
    assert (summary.messages_already, summary.messages_changed, summary.messages_new) == (29, 1, 2)
    assert vault.check().ok


def _mail(message_id: str, body: str) -> bytes:
    return (
        "From anonim@tehdid.example Tue Nov 14 08:05:30 2023\n"
        "From: Anonim <anonim@tehdid.example>\n"
        "To: rehime@jurnalist.example\n"
        "Date: Wed, 15 Nov 2023 09:00:00 +0300\n"
        f"Subject: {body}\n"
        f"Message-ID: <{message_id}>\n"
        "Content-Type: text/plain; charset=utf-8\n"
        f"\n{body}\n\n"
    ).encode()


def test_a_mailbox_with_a_message_id_twice(vault: Vault, tmp_path: Path) -> None:
    # An mbox may hold the same Message-ID twice: the same mail saved twice, and a different
    # mail under an id already used.
    mbox = tmp_path / "Inbox.mbox"
    mbox.write_bytes(
        _mail("m1@tehdid.example", "Same")
        + _mail("m2@tehdid.example", "Before")
        + _mail("m1@tehdid.example", "Same")
        + _mail("m2@tehdid.example", "After")
    )
    statements: list[str] = []
    conn = vault.session.conn
    conn.set_trace_callback(statements.append)
    try:
        summary = vault.import_export("email", mbox, ImportOptions())
    finally:
        conn.set_trace_callback(None)
    # The parser keeps the exact copy once (and says so) and keys the other two mails by their
    # bytes; none of the three can have an earlier copy in a vault that never saw this mailbox.
    assert sum(1 for s in statements if s.startswith(EARLIER_COPY)) == 0  # before: 3
    assert (summary.messages, summary.messages_new, summary.messages_already) == (3, 3, 0)
    assert summary.problems == [
        "Inbox.mbox, message 3: This message is an exact copy of an earlier one here; it was kept once."
    ]
    # Importing the mailbox again (one more mail, so not the same export) finds every copy.
    mbox.write_bytes(mbox.read_bytes() + _mail("m3@tehdid.example", "New"))
    conn.set_trace_callback(statements.append)
    statements.clear()
    try:
        summary = vault.import_export("email", mbox, ImportOptions())
    finally:
        conn.set_trace_callback(None)
    assert sum(1 for s in statements if s.startswith(EARLIER_COPY)) == 4
    assert (summary.messages_new, summary.messages_already) == (1, 3)


def _fold_reference(text: str) -> str:
    """Search folding as it was written before the translate table (one character at a time)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.casefold().replace("ə", "e").replace("ı", "i")


def test_folding_with_the_table_matches_the_character_loop() -> None:
    rng = random.Random(16)  # noqa: S311 - test data, not a secret
    alphabet = "İIıiƏəÄäÇçŞşĞğÖöÜüЙйЁёéñ ŝ̂a\u0301\u0307ﬁ①"
    for _ in range(3000):
        text = "".join(
            chr(rng.randrange(0x110000)) if rng.random() < 0.2 else rng.choice(alphabet)
            for _ in range(rng.randint(0, 24))
        )
        assert fold(text) == _fold_reference(text), ascii(text)
