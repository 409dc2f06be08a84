"""Deleted for good (issue 13, items 1c and 1d): after ``rm --purge`` nothing of the item is left.

The done-when test plants unique words in a message and in a file (title, sender, tag, text,
content, file name), deletes both with ``--purge``, and looks for the words everywhere a person
holding the passphrase could: every table, every page of ``vault.db`` decrypted with the current
key (free pages included), and every byte of every file in the folder.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from tests.vault.pages import found_in_pages
from tests.vault.support import db_key, raw_db
from tests.vault.test_deletion import table_hits
from tui.cli import main
from vault import MessageFields, Metadata, Vault, verify_bundle
from vault.store import schema

MESSAGE_WORDS = {
    "title": "qxmsgtitle",
    "sender": "qxmsgsender",
    "tag": "qxmsgtag",
    "text": "qxmsgtext",
    "description": "qxmsgdescr",
}
FILE_WORDS = {
    "title": "qxfiletitle",
    "sender": "qxfilesender",
    "tag": "qxfiletag",
    "content": "qxfilecontent",
    "name": "qxfilename",
}
ALL = [*MESSAGE_WORDS.values(), *FILE_WORDS.values()]


def _plant(vault: Vault, tmp_path: Path) -> tuple[str, str]:
    w = MESSAGE_WORDS
    message = vault.add_message(
        f"You will regret it {w['text']}",
        Metadata(
            title=w["title"],
            sender_handle=w["sender"],
            tags=(w["tag"],),
            description=w["description"],
        ),
        MessageFields(recipient="me"),
    )
    f = FILE_WORDS
    path = tmp_path / f"{f['name']}.txt"
    path.write_bytes(f"the leaked words {f['content']} end".encode())
    added = vault.add_file(
        path, Metadata(title=f["title"], sender_handle=f["sender"], tags=(f["tag"],))
    )
    return message.item_id, added.item_id


def leftovers(folder: Path) -> set[str]:
    """Every planted word still found in the folder, read as someone with the passphrase would."""
    found: set[str] = set()
    with raw_db(folder) as conn:
        found |= table_hits(conn, ALL)
    key = db_key(folder)
    found |= {
        w.decode() for w in found_in_pages(folder / "vault.db", key, [w.encode() for w in ALL])
    }
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found |= {w for w in ALL if w.encode() in data}
    return found


def test_after_a_purge_no_word_of_the_items_is_anywhere_in_the_vault(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, recovery = make_vault()
    folder = vault.folder
    kept = vault.add_note("a note that stays", Metadata(title="stays"))
    message_id, file_id = _plant(vault, tmp_path)
    vault.close()
    assert leftovers(folder) == set(ALL)  # the scan finds what is there (in the clear, opened)

    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    for item_id in (message_id, file_id):
        out, err = io.StringIO(), io.StringIO()
        args = ["--vault", str(folder), "--passphrase-file", str(secret)]
        code = main(
            [*args, "rm", item_id, "--reason", "threat", "--purge", "--yes"], stdout=out, stderr=err
        )
        assert code == 0, err.getvalue()
        assert "Note:" not in out.getvalue()  # no older record in the clear

    assert leftovers(folder) == set()
    assert sorted(p.name for p in folder.iterdir()) == ["vault.db", "vault.keys"]
    for way in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with Vault.open(folder, **way) as reopened:  # type: ignore[arg-type]
            report = reopened.check()
            assert report.ok, report.problems
            assert reopened.get_item(kept.item_id).title == "stays"
            tomb = [e for e in reopened.custody_log(file_id) if e.type == "item.deleted"]
            assert tomb[0].details == {"purged": True} and tomb[0].reason == "threat"
            assert tomb[0].item_sha256  # what the record proves: which bytes were deleted


def test_a_plain_rm_keeps_the_details_sealed_and_the_log_opens_them(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Without --purge the custody log still tells what the item was (for the defender and a
    lawyer), but only beside the signed events, never in their bodies."""
    vault, _ = make_vault()
    folder = vault.folder
    message_id, _ = _plant(vault, tmp_path)
    vault.delete_item(message_id, reason="not needed")
    log = vault.custody_log(message_id)
    assert log[0].details["metadata"]["title"] == MESSAGE_WORDS["title"]
    assert log[-1].details == {"title": MESSAGE_WORDS["title"]}
    vault.close()
    with raw_db(folder) as conn:
        bodies = b"".join(bytes(r[0]) for r in conn.execute("SELECT body FROM custody"))
        kept = b"".join(
            bytes(r[0]) for r in conn.execute("SELECT details FROM custody_disclosures")
        )
    for word in ALL:
        assert word.encode() not in bodies
    assert MESSAGE_WORDS["title"].encode() in kept


def test_bundles_disclose_the_sealed_details_and_still_verify(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault()
    _, file_id = _plant(vault, tmp_path)
    target = tmp_path / "out" / "bundle.zip"
    target.parent.mkdir(mode=0o700)
    vault.export_bundle(target, item_ids=[file_id])
    with zipfile.ZipFile(target) as zf:
        lines = [json.loads(x) for x in zf.read("custody.jsonl").splitlines()]
    created = next(line for line in lines if line["body"]["type"] == "item.created")
    assert set(created["body"]["details"]) == {"sealed"}
    assert created["disclosed"]["details"]["metadata"]["title"] == FILE_WORDS["title"]
    result = verify_bundle(target).result
    assert result.intact, [c for c in result.checks if not c.ok]


def test_an_older_vaults_events_keep_their_cleartext_and_purge_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:5])
    monkeypatch.setattr(schema, "LATEST", 5)
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    old = vault.add_note("old words", Metadata(title="qxoldtitle"))
    vault.close()
    monkeypatch.undo()

    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    args = ["--vault", str(folder), "--passphrase-file", str(secret)]
    code = main(
        [*args, "rm", old.item_id, "--reason", "x", "--purge", "--yes"], stdout=out, stderr=err
    )
    assert code == 0, err.getvalue()
    assert "Note: 1 older custody record" in out.getvalue()
    with raw_db(folder) as conn:  # the signed body cannot change: it still holds the title
        assert table_hits(conn, ["qxoldtitle"]) == {"qxoldtitle"}
    with Vault.open(folder, passphrase=PASSPHRASE) as reopened:
        assert reopened.check().ok


def test_an_item_deleted_before_can_be_deleted_for_good_later(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    message_id, file_id = _plant(vault, tmp_path)
    vault.delete_item(message_id, reason="not needed")
    vault.delete_item(file_id, reason="not needed")
    vault.close()
    # A plain rm: the text and the bytes are gone, what the log said about them is kept.
    assert leftovers(folder) == set(ALL) - {MESSAGE_WORDS["text"], FILE_WORDS["content"]}

    with Vault.open(folder, passphrase=PASSPHRASE) as reopened:
        reopened.delete_item(message_id, reason="for good", purge=True)
        reopened.delete_item(file_id, reason="for good", purge=True)
        assert reopened.check().ok
    assert leftovers(folder) == set()
