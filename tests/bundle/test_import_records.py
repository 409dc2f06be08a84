"""Bundles of messages imported in format 2 (docs/format.md §7.7, "In a bundle"): each message's
creation record and its import's statement travel in the bundle, ``evault verify`` follows them
to the import's signed event, and so can a lawyer with ``sha256sum`` and ``grep``.

A real vault with two real Telegram imports (two chats, so two statements) and a typed note;
bundles are real ZIPs, changed the way support.rewrite changes them and signed again with the
vault's own key where a test says so (a forger holding the key): each tamper test names the one
check that must catch it, and the untouched bundle passes every check.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crypto import import_statement as fmt
from crypto.canonical import canonical_json
from crypto.custody import event_hash, signing_message
from crypto.fingerprint import fingerprint
from crypto.identity import SigningKey
from tests.bundle.support import (
    failed_checks,
    item_problems,
    manifest_of,
    member,
    outcome,
    read_members,
    replace,
    resign,
    rewrite,
    tool,
    unzip_to,
)
from tests.cli.runner import run_main
from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from tests.importers.test_importing import chat, first_export, message, write_folder
from tests.timestamps.tsa import LocalTSA
from vault import Vault
from vault.bundle import layout
from vault.bundle.documents import verify_txt
from vault.bundle.verify import VerifyResult
from vault.errors import EvaultError
from vault.evidence.models import Metadata
from vault.imports.options import ImportOptions

IMPORTED = "Imported messages"
CUSTODY = "Chain of custody"
HASHES = "Hashes of the bundle's own files"


@dataclass
class World:
    vault: Vault
    bundle: Path  # --all: two imports' messages and files, and a typed note
    typed: Path  # the note alone
    note: str

    @property
    def signer(self) -> SigningKey:
        return self.vault.session.signer


def _second_export(root: Path) -> Path:
    return write_folder(
        root / "ChatExport_2023-12-01",
        chat(
            [
                message(11, "İkinci söhbət: səni izləyirik.", offset=3600),
                message(12, "Последнее предупреждение.", offset=3660),
            ],
            chat_id=5550002222,
            name="Başqa Şəxs",
        ),
        {},
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("records")
    vault, _recovery = Vault.create(root / "v.evault", PASSPHRASE, kdf=fast_kdf)
    vault.import_export("telegram", first_export(root), ImportOptions(case="Case T"))
    vault.import_export("telegram", _second_export(root), ImportOptions(case="Case T"))
    note = vault.add_note("Typed by the defender.\n", Metadata(case="Case N")).item_id
    bundle, typed = root / "all.zip", root / "typed.zip"
    vault.export_bundle(bundle, everything=True)
    vault.export_bundle(typed, item_ids=[note])
    try:
        yield World(vault, bundle, typed, note)
    finally:
        vault.close()


def _result(path: Path, **kwargs: Any) -> VerifyResult:
    got = outcome(path, **kwargs)
    assert isinstance(got, VerifyResult), f"refused as unusable: {got}"
    return got


def _recorded(path: Path) -> list[dict[str, Any]]:
    """The manifest entries that name a creation record, in manifest order."""
    return [e for e in manifest_of(path)["items"] if "creation_record" in e]


def _statement_of(record_name: str) -> str:
    number = record_name.split("/")[1]
    return f"imports/{number}.statement"


def _problems_of(result: VerifyResult, path: str) -> list[str]:
    return next(i.problems for i in result.items if i.path == path)


# ---------------------------------------------------------------------------- what is written


def test_the_bundle_carries_records_and_statements_and_verifies(world: World) -> None:
    doc = manifest_of(world.bundle)
    assert doc["version"] == 3
    recorded = _recorded(world.bundle)
    assert len(recorded) == 6  # 4 + 2 messages; the exports and their photo are file items
    assert all(e["kind"] == "message" for e in recorded)
    names = [n for n, _d in read_members(world.bundle)]
    assert "imports/1.statement" in names and "imports/2.statement" in names
    assert {e["creation_record"] for e in recorded} == {
        n for n in names if re.fullmatch(r"imports/\d+/\d+\.json", n)
    }
    sums = member(world.bundle, layout.SUMS).decode("ascii")
    for name in (n for n in names if n.startswith("imports/")):
        assert f"  {name}\n" in sums  # signed like every other member
    # The record is exactly the vault's, for exactly this item.
    for entry in recorded:
        record = fmt.parse_record(member(world.bundle, entry["creation_record"]))
        assert (record.item_id, record.item_sha256, record.item_kind) == (
            entry["id"],
            entry["sha256"],
            "message",
        )
        assert (
            entry["creation_record"]
            == f"imports/{entry['creation_record'].split('/')[1]}/{record.leaf}.json"
        )
    result = _result(world.bundle, key=fingerprint(world.vault.public_key))
    assert result.ok, result.to_json()
    imported = next(c for c in result.checks if c.name == IMPORTED)
    assert imported.ok and imported.detail == (
        "6 creation records match their imports' signed statements"
    )


def test_imports_are_numbered_in_the_order_of_their_events(world: World) -> None:
    lines = [json.loads(x) for x in member(world.bundle, layout.CUSTODY).splitlines()]
    order = [
        e["body"]["details"]["import_id"] for e in lines if e["body"]["type"] == "import.completed"
    ]
    for number, import_id in enumerate(order, 1):
        statement = fmt.parse_statement(
            member(world.bundle, f"imports/{number}.statement").splitlines(keepends=True)
        )
        assert statement.import_id == import_id


def test_evault_verify_exits_0_with_the_key(world: World) -> None:
    code, out, err = run_main(
        ["verify", str(world.bundle), "--key", fingerprint(world.vault.public_key)]
    )
    assert code == 0, out + err
    assert f"passed  {IMPORTED}: 6 creation records match" in out


def test_a_bundle_without_imported_messages_stays_version_2(world: World) -> None:
    doc = manifest_of(world.typed)
    assert doc["version"] == 2
    assert not [n for n, _d in read_members(world.typed) if n.startswith("imports/")]
    assert all("creation_record" not in e for e in doc["items"])
    result = _result(world.typed)
    assert result.intact and IMPORTED not in [c.name for c in result.checks]
    assert "IMPORTED MESSAGES" not in member(world.typed, layout.VERIFY).decode("ascii")


def test_report_and_verify_txt_tell_the_import(world: World) -> None:
    entry = _recorded(world.bundle)[0]
    name = entry["creation_record"]
    report = member(world.bundle, layout.REPORT).decode("utf-8")
    assert report.count("The evidence was added to the vault from an import.") == 6
    assert f'<code class="path">{name}</code>' in report
    steps = member(world.bundle, layout.VERIFY).decode("ascii")
    assert "IMPORTED MESSAGES (optional)" in steps
    assert re.search(r"^    sha256sum imports/\d+/\d+\.json$", steps, re.M)
    assert re.search(r'^    grep -x "\d+ [0-9a-f]{64}" imports/\d+\.statement$', steps, re.M)
    assert max(len(line) for line in steps.splitlines()) <= 100


def test_a_lawyer_follows_a_message_with_stock_tools(world: World, tmp_path: Path) -> None:
    folder = unzip_to(world.bundle, tmp_path / "bundle")
    checked = tool("sha256sum", "-c", layout.SUMS, cwd=folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entry = _recorded(world.bundle)[-1]  # a message of the second import
    name = entry["creation_record"]
    statement = _statement_of(name)
    leaf = name.rsplit("/", 1)[1].removesuffix(".json")
    record_hash = tool("sha256sum", name, cwd=folder).stdout.decode().split()[0]
    found = tool("grep", "-x", f"{leaf} {record_hash}", statement, cwd=folder)
    assert found.returncode == 0 and found.stdout.decode() == f"{leaf} {record_hash}\n"
    statement_hash = tool("sha256sum", statement, cwd=folder).stdout.decode().split()[0]
    committed = tool(
        "grep", "-o", '"statement_sha256":"[0-9a-f]*"', layout.CUSTODY, cwd=folder
    ).stdout.decode()
    assert f'"statement_sha256":"{statement_hash}"' in committed.splitlines()
    # ...in the import.completed line of the record's own import.
    import_id = json.loads((folder / name).read_bytes())["import_id"]
    line = tool("grep", import_id, layout.CUSTODY, cwd=folder).stdout.decode().splitlines()
    assert any(statement_hash in x and '"import.completed"' in x for x in line)
    # The record holds the message's SHA-256: the evidence file's.
    original = tool("sha256sum", entry["path"], cwd=folder).stdout.decode().split()[0]
    assert json.loads((folder / name).read_bytes())["item"]["sha256"] == original


# ---------------------------------------------------------------------------- forgeries


def _resigned(
    world: World, dst: Path, change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]
) -> Path:
    """The bundle with members changed, SHA256SUMS recomputed and signed with the vault's key."""
    return rewrite(world.bundle, dst, lambda ms: resign(change(ms), world.signer))


def _only_item_fails(result: VerifyResult, path: str, message: str) -> None:
    assert not result.intact
    problems = _problems_of(result, path)
    assert any(message in p for p in problems), problems
    failed = failed_checks(result)
    assert HASHES not in failed and CUSTODY not in failed, failed  # the sums were signed again
    others = {p: ps for p, ps in item_problems(result).items() if p != path}
    assert not others, others


def test_a_changed_record_fails(world: World, tmp_path: Path) -> None:
    entry = _recorded(world.bundle)[0]
    name = entry["creation_record"]
    record = json.loads(member(world.bundle, name))
    record["details"]["metadata"]["title"] = "A quieter title"
    changed = canonical_json(record)
    result = _result(_resigned(world, tmp_path / "c.zip", lambda ms: replace(ms, name, changed)))
    _only_item_fails(result, entry["path"], "does not list its creation record at line")


def test_another_items_record_swapped_in_fails(world: World, tmp_path: Path) -> None:
    first, second = _recorded(world.bundle)[:2]
    theirs = member(world.bundle, second["creation_record"])
    result = _result(
        _resigned(
            world, tmp_path / "c.zip", lambda ms: replace(ms, first["creation_record"], theirs)
        )
    )
    _only_item_fails(result, first["path"], "does not name this item")


def test_a_statement_with_one_line_changed_fails(world: World, tmp_path: Path) -> None:
    """One line changed: its message's record is no longer listed, and every other message of
    that import fails too, since the signed event commits to every line."""
    entry = _recorded(world.bundle)[0]
    statement = _statement_of(entry["creation_record"])
    lines = member(world.bundle, statement).splitlines(keepends=True)
    leaf = int(entry["creation_record"].rsplit("/", 1)[1].removesuffix(".json"))
    number, digest = lines[3 + leaf].split()
    lines[3 + leaf] = number + b" " + hashlib.sha256(digest).hexdigest().encode() + b"\n"
    result = _result(
        _resigned(world, tmp_path / "c.zip", lambda ms: replace(ms, statement, b"".join(lines)))
    )
    assert not result.intact
    assert not {HASHES, CUSTODY} & set(failed_checks(result))
    users = [e for e in _recorded(world.bundle) if _statement_of(e["creation_record"]) == statement]
    assert len(users) > 1
    for user in users:
        problems = _problems_of(result, user["path"])
        expected = (
            f"does not list its creation record at line {leaf}"
            if user["id"] == entry["id"]
            else "is not the one the signed import event"
        )
        assert any(expected in p for p in problems), problems


def test_the_statement_of_another_import_fails(world: World, tmp_path: Path) -> None:
    entry = _recorded(world.bundle)[0]
    statement = _statement_of(entry["creation_record"])
    other = "imports/2.statement" if statement == "imports/1.statement" else "imports/1.statement"
    theirs = member(world.bundle, other)
    result = _result(
        _resigned(world, tmp_path / "c.zip", lambda ms: replace(ms, statement, theirs))
    )
    assert not result.intact
    problems = _problems_of(result, entry["path"])
    assert any("is not the statement of its record's import" in p for p in problems), problems


def _resign_events(
    world: World, lines: list[bytes], index: int, change: Callable[[dict[str, Any]], None]
) -> tuple[list[bytes], dict[str, Any]]:
    """custody.jsonl with event ``index`` changed and signed again with the vault's key, and
    every later event re-linked and signed again (as a forger holding the key would); and the
    manifest with its custody head following."""
    entries = [json.loads(x) for x in lines]
    change(entries[index]["body"])
    for position in range(index, len(entries)):
        body = entries[position]["body"]
        before = entries[position - 1]
        if position > index and body["seq"] == before["body"]["seq"] + 1:
            body["prev"] = before["hash"]
        data = canonical_json(body)
        entries[position]["hash"] = event_hash(data)
        signature = world.signer.sign(signing_message(data))
        entries[position]["signature"] = base64.b64encode(signature).decode("ascii")
    doc = manifest_of(world.bundle)
    if doc["custody"]["head_seq"] == entries[-1]["body"]["seq"]:
        doc["custody"]["head_hash"] = entries[-1]["hash"]
    return [canonical_json(e) + b"\n" for e in entries], doc


def _import_index(lines: list[bytes], import_id: str) -> int:
    return next(
        n
        for n, x in enumerate(lines)
        if json.loads(x)["body"]["type"] == "import.completed"
        and json.loads(x)["body"]["details"]["import_id"] == import_id
    )


def test_messages_committed_that_differs_fails(world: World, tmp_path: Path) -> None:
    """The import event signed again (with the vault's key) over another count: the chain
    holds, the statement no longer is what the event commits to."""
    entry = _recorded(world.bundle)[0]
    import_id = json.loads(member(world.bundle, entry["creation_record"]))["import_id"]
    lines = member(world.bundle, layout.CUSTODY).splitlines(keepends=True)

    def recount(body: dict[str, Any]) -> None:
        body["details"]["messages_committed"]["count"] += 1

    forged, doc = _resign_events(world, lines, _import_index(lines, import_id), recount)

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        ms = replace(ms, layout.CUSTODY, b"".join(forged))
        return replace(ms, layout.MANIFEST, canonical_json(doc))

    result = _result(_resigned(world, tmp_path / "c.zip", change))
    _only_item_fails_for_import(result, world, import_id, "is not the one the signed import event")


def _only_item_fails_for_import(
    result: VerifyResult, world: World, import_id: str, message: str
) -> None:
    assert not result.intact
    failed = failed_checks(result)
    assert CUSTODY not in failed and HASHES not in failed, failed
    for entry in _recorded(world.bundle):
        record = json.loads(member(world.bundle, entry["creation_record"]))
        problems = _problems_of(result, entry["path"])
        if record["import_id"] == import_id:
            assert any(message in p for p in problems), problems
        else:
            assert not problems, problems


def test_a_record_whose_snapshot_differs_from_the_manifest_fails(
    world: World, tmp_path: Path
) -> None:
    """A forger with the key changes a record's title and carries it through consistently (the
    statement's line, the statement's hash in the import event, the chain after it): every
    commitment holds, and the record's snapshot no longer replays to the manifest's metadata."""
    entry = _recorded(world.bundle)[0]
    name = entry["creation_record"]
    record = json.loads(member(world.bundle, name))
    record["details"]["metadata"]["title"] = "A quieter title"
    changed = canonical_json(record)
    statement_name = _statement_of(name)
    old = hashlib.sha256(member(world.bundle, name)).hexdigest()
    statement = member(world.bundle, statement_name).replace(
        f" {old}\n".encode(), f" {hashlib.sha256(changed).hexdigest()}\n".encode()
    )
    lines = member(world.bundle, layout.CUSTODY).splitlines(keepends=True)

    def recommit(body: dict[str, Any]) -> None:
        committed = body["details"]["messages_committed"]
        committed["statement_sha256"] = hashlib.sha256(statement).hexdigest()

    index = _import_index(lines, record["import_id"])
    forged, doc = _resign_events(world, lines, index, recommit)

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        ms = replace(ms, name, changed)
        ms = replace(ms, statement_name, statement)
        ms = replace(ms, layout.CUSTODY, b"".join(forged))
        return replace(ms, layout.MANIFEST, canonical_json(doc))

    result = _result(_resigned(world, tmp_path / "c.zip", change))
    assert _problems_of(result, entry["path"]) == [
        "its description differs from what the custody log records"
    ]
    assert [p for p in item_problems(result)] == [entry["path"]]
    assert not failed_checks(result)


def test_an_unreferenced_imports_member_fails(world: World, tmp_path: Path) -> None:
    extra = "imports/1/999999.json"
    copy = member(world.bundle, _recorded(world.bundle)[0]["creation_record"])
    result = _result(_resigned(world, tmp_path / "c.zip", lambda ms: [*ms, (extra, copy)]))
    failed = failed_checks(result)
    assert set(failed) == {IMPORTED}, failed
    assert f"{extra} belongs to no item of the manifest" in failed[IMPORTED]


def test_an_item_without_its_record_or_event_fails_as_before(world: World, tmp_path: Path) -> None:
    """The manifest no longer names the record: nothing says how the message was added (and the
    record left behind is unexplained)."""
    doc = manifest_of(world.bundle)
    entry = next(e for e in doc["items"] if "creation_record" in e)
    name = entry.pop("creation_record")
    result = _result(
        rewrite(world.bundle, tmp_path / "c.zip", lambda ms: resign(ms, world.signer, manifest=doc))
    )
    assert _problems_of(result, entry["path"]) == [
        "the custody log has no record of it being added"
    ]
    assert f"{name} belongs to no item of the manifest" in failed_checks(result)[IMPORTED]


def test_records_in_a_version_2_bundle_fail(world: World, tmp_path: Path) -> None:
    doc = {**manifest_of(world.bundle), "version": 2}
    result = _result(
        rewrite(world.bundle, tmp_path / "c.zip", lambda ms: resign(ms, world.signer, manifest=doc))
    )
    assert "bundles of version 2 carry no creation records" in failed_checks(result)[IMPORTED]


def test_export_refuses_a_vault_whose_records_no_longer_match(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """A record hash changed inside the vault: no bundle that would fail for the lawyer."""
    vault, _recovery = make_vault()
    vault.import_export("telegram", first_export(tmp_path), ImportOptions(case="Case T"))
    conn = vault.session.conn
    (blob,) = conn.execute("SELECT record_hashes FROM imports WHERE format = 2").fetchone()
    conn.execute("UPDATE imports SET record_hashes = ?", (bytes(32) + bytes(blob)[32:],))
    conn.commit()
    out = tmp_path / "b.zip"
    with pytest.raises(EvaultError, match="Run 'evault check'"):
        vault.export_bundle(out, case="Case T")
    assert not out.exists()


@pytest.mark.slow  # a real local time-stamping authority (openssl processes)
def test_a_proof_of_time_covers_imported_messages_through_their_import(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _recovery = make_vault()
    vault.import_export("telegram", first_export(tmp_path), ImportOptions(case="Case T"))
    tsa = LocalTSA(tmp_path / "tsa")
    request = tmp_path / "head.tsq"
    vault.timestamp_request(request)
    token = vault.timestamp_add(tsa.answer(request), ca=tsa.ca_pem)
    late = vault.add_note("Added after the stamp.\n", Metadata(case="Case T")).item_id
    bundle = tmp_path / "b.zip"
    vault.export_bundle(bundle, case="Case T")
    result = _result(bundle)
    assert result.intact, result.to_json()
    by_path = {i.path: i for i in result.items}
    entries = manifest_of(bundle)["items"]
    messages = [e for e in entries if "creation_record" in e]
    assert len(messages) == 4
    for entry in messages:
        assert by_path[entry["path"]].existed_by == token.gen_time
        assert by_path[entry["path"]].existed_by_tsa == "Test TSA"
    (note,) = [e for e in entries if e["id"] == late]
    assert by_path[note["path"]].existed_by is None


def test_verify_txt_keeps_lines_short_for_a_long_line_number() -> None:
    """An import of a hundred million messages in a bundle of twelve imports: the grep command
    goes over two lines (a shell continuation) rather than past 100 characters."""
    record = ("imports/12/123456789.json", 123456789, "imports/12.statement", "a" * 64)
    text = verify_txt(manifest_of_nothing(), record=record).decode("ascii")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert f'    grep -x "123456789 {"a" * 64}" \\\n        imports/12.statement\n' in text


def manifest_of_nothing() -> dict[str, Any]:
    return {"items": [], "signer": {}}
