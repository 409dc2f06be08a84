"""Nothing readable leaves the vault: distinctive markers put into evidence, metadata, messages and
secrets must never appear in any file of the vault folder, and no other file is ever written."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import fast_kdf
from tests.vault.support import db_key, snapshot
from vault import Vault
from vault.evidence.models import MessageFields, Metadata

ROOT = Path(__file__).resolve().parents[2]


def new_markers() -> dict[str, str]:
    names = [
        "file_content",
        "file_name",
        "title",
        "description",
        "tag",
        "case",
        "sender",
        "message",
        "note",
        "edited_title",
        "deleted_content",
        "deleted_title",
        "reason",
        "passphrase",
    ]
    return {name: f"MRK{name.upper()}{secrets.token_hex(12)}" for name in names}


def run_scenario(workdir: Path, markers: dict[str, str]) -> dict[str, str]:
    """Create a vault, put every marker in, edit, delete, search, close. Returns the secrets used."""
    sources = workdir / "sources"
    sources.mkdir()
    folder = workdir / "Evidence.evault"
    passphrase = f"my passphrase {markers['passphrase']} ə ё"
    vault, recovery = Vault.create(folder, passphrase, kdf=fast_kdf)
    try:
        content = (f"header {markers['file_content']} " * 2000).encode()
        photo = sources / f"{markers['file_name']}.txt"
        photo.write_bytes(content)
        kept = vault.add_file(
            photo,
            Metadata(
                title=markers["title"],
                description=markers["description"],
                tags=(markers["tag"],),
                case=markers["case"],
                sender_handle=markers["sender"],
            ),
        )
        message = vault.add_message(
            f"Threat: {markers['message']}", Metadata(sender_handle="@x"), MessageFields()
        )
        vault.add_note(f"I was followed. {markers['note']}")
        gone_file = sources / "gone.bin"
        gone_file.write_bytes(f"secret {markers['deleted_content']}".encode() * 500)
        gone = vault.add_file(gone_file, Metadata(title=markers["deleted_title"]))
        assert sorted(p.name for p in folder.iterdir()) == ["vault.db", "vault.keys"]

        vault.update_metadata(kept.item_id, {"title": markers["edited_title"]})
        vault.delete_item(gone.item_id, reason=markers["reason"])
        assert vault.search(markers["edited_title"])
        assert vault.read_text(message.item_id).endswith(markers["message"])
        assert b"".join(vault.read_content(kept.item_id)) == content
        assert vault.check().ok
        vault.change_passphrase(passphrase + " new", kdf=fast_kdf)
        assert sorted(p.name for p in folder.iterdir()) == ["vault.db", "vault.keys"]
    finally:
        vault.close()
    with Vault.open(folder, passphrase=passphrase + " new") as again:
        assert again.check().ok
    return {"passphrase": passphrase, "new_passphrase": passphrase + " new", "recovery": recovery}


def _encodings(text: str) -> list[bytes]:
    raw = text.encode("utf-8")
    return [raw, text.encode("utf-16-le"), text.encode("utf-16-be"), raw.hex().encode()]


def test_markers_never_appear_in_the_vault_folder(tmp_path: Path) -> None:
    markers = new_markers()
    used = run_scenario(tmp_path, markers)
    folder = tmp_path / "Evidence.evault"

    files = snapshot(folder)
    assert sorted(files) == ["vault.db", "vault.keys"]

    key = db_key(folder, used["new_passphrase"])
    needles: dict[str, list[bytes]] = {name: _encodings(m) for name, m in markers.items()}
    needles["passphrase (whole)"] = _encodings(used["passphrase"])
    needles["new passphrase"] = _encodings(used["new_passphrase"])
    needles["recovery key"] = _encodings(used["recovery"]) + _encodings(
        used["recovery"].replace("-", "")
    )
    needles["database key"] = [key, key.hex().encode(), key.hex().upper().encode()]
    for file_name, data in files.items():
        for what, forms in needles.items():
            for form in forms:
                assert form not in data, f"{what} found in {file_name}"

    # The markers did go in: the test would be empty if the scenario stored nothing.
    with Vault.open(folder, passphrase=used["new_passphrase"]) as vault:
        assert vault.search(markers["note"])
        titles = [i.title for i in vault.list_items()]
        assert markers["edited_title"] in titles


def test_vault_keys_holds_no_secret_in_the_clear(tmp_path: Path) -> None:
    markers = new_markers()
    used = run_scenario(tmp_path, markers)
    doc = json.loads((tmp_path / "Evidence.evault" / "vault.keys").read_text("utf-8"))
    assert set(doc) == {"format", "version", "vault_id", "slots", "key_events", "mac"}
    text = json.dumps(doc)
    assert used["recovery"] not in text
    assert markers["passphrase"] not in text


def test_nothing_is_written_to_temp_or_home(tmp_path: Path) -> None:
    """Run the whole scenario in a fresh process whose temp and home folders we watch."""
    private_tmp = tmp_path / "tmp"
    home = tmp_path / "home"
    work = tmp_path / "work"
    for d in (private_tmp, home, work):
        d.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(private_tmp),
        "TEMP": str(private_tmp),
        "TMP": str(private_tmp),
        "SQLITE_TMPDIR": str(private_tmp),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.vault.test_no_plaintext import new_markers, run_scenario\n"
        "run_scenario(Path(sys.argv[1]), new_markers())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(work)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout == b""
    assert result.stderr == b""
    assert list(private_tmp.rglob("*")) == []
    assert list(home.rglob("*")) == []
    assert sorted(p.name for p in (work / "Evidence.evault").iterdir()) == [
        "vault.db",
        "vault.keys",
    ]
