"""Every `evault` command, run in-process through ``main()`` against real vaults on disk."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from tui.cli import main


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    path = tmp_path / "screenshot.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    return path


def test_init_prints_recovery_key_once_and_fingerprint(
    tmp_path: Path, patch_fast_kdf: None
) -> None:
    pw = tmp_path / "pw"
    pw.write_text(PASSPHRASE, encoding="utf-8")
    r = Runner(tmp_path / "new.evault", pw)
    code, out, _ = r("init")
    assert code == 0
    key_lines = [line.strip() for line in out.splitlines() if line.count("-") == 8]
    assert len(key_lines) == 1
    assert all(len(g) == 4 for g in key_lines[0].split("-"))
    assert (tmp_path / "new.evault" / "vault.db").is_file()
    assert sorted(p.name for p in (tmp_path / "new.evault").iterdir()) == ["vault.db", "vault.keys"]
    # The recovery key opens the vault; it is never shown again by other commands.
    rk = tmp_path / "rk"
    rk.write_text(key_lines[0].lower(), encoding="utf-8")
    code, out2, _ = run_main(
        ["--vault", str(tmp_path / "new.evault"), "--recovery-key-file", str(rk), "identity"]
    )
    assert code == 0
    assert key_lines[0] not in out2


def test_init_refuses_existing_vault(run: Runner) -> None:
    code, _, err = run("init")
    assert code == 2
    assert "already holds a vault" in err


def test_add_list_show_get_roundtrip(run: Runner, evidence: Path, tmp_path: Path) -> None:
    added = run.json(
        "add",
        str(evidence),
        "--title",
        "Threat on Telegram",
        "--platform",
        "Telegram",
        "--url",
        "https://t.me/example/1",
        "--sender",
        "@fictional_troll",
        "--sender-id",
        "user123456",
        "--occurred",
        "2026-03-09T21:14:00+04:00",
        "--case",
        "Account hacked 9 March",
        "--tag",
        "threat",
        "--tag",
        "telegram",
        "--sensitive",
    )
    assert isinstance(added, list) and len(added) == 1
    item_id = added[0]["item_id"]
    expected_sha = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert added[0]["sha256"] == expected_sha

    listed = run.json("list")
    assert isinstance(listed, list)
    assert [i["id"] for i in listed] == [item_id]
    for key in ("id", "kind", "title", "sha256", "size"):
        assert key in listed[0]
    assert listed[0]["size"] == evidence.stat().st_size
    assert listed[0]["kind"] == "file"

    shown = run.json("show", item_id[:8])
    assert isinstance(shown, dict)
    assert shown["platform"] == "Telegram"
    assert shown["sender_id"] == "user123456"
    assert shown["occurred_utc"] == "2026-03-09T17:14:00.000000Z"
    assert shown["case"] == "Account hacked 9 March"
    assert shown["tags"] == ["telegram", "threat"]
    assert shown["sensitive"] is True

    code, human, _ = run("show", item_id)
    assert code == 0 and expected_sha in human

    out_file = tmp_path / "out.png"
    code, _, err = run("get", item_id, "--out", str(out_file), "--reason", "for the lawyer")
    assert code == 0
    assert "unencrypted" in err
    assert out_file.read_bytes() == evidence.read_bytes()
    # Refuses to overwrite without --force.
    code, _, err = run("get", item_id, "--out", str(out_file))
    assert code == 2 and "already exists" in err

    log = run.json("log", item_id)
    assert isinstance(log, list)
    assert [e["type"] for e in log] == ["item.created", "item.exported"]
    assert log[1]["reason"] == "for the lawyer"


def test_add_reports_duplicates(run: Runner, evidence: Path, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.png"
    copy.write_bytes(evidence.read_bytes())
    first = run.json("add", str(evidence))
    code, out, _ = run("add", str(copy))
    assert code == 0
    assert "already in the vault" in out
    assert first[0]["item_id"] in out
    assert len(run.json("list")) == 1


def test_add_several_files_prints_each_id(run: Runner, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        f = tmp_path / f"f{n}.txt"
        f.write_bytes(f"file {n}".encode())
        files.append(str(f))
    code, out, _ = run("add", *files)
    assert code == 0
    assert len([line for line in out.splitlines() if "added" in line]) == 3


def test_add_missing_file_adds_nothing(run: Runner, evidence: Path, tmp_path: Path) -> None:
    code, _, err = run("add", str(evidence), str(tmp_path / "missing.jpg"))
    assert code == 2
    assert "missing.jpg" in err
    assert run.json("list") == []


def test_add_message_from_stdin_and_search(run: Runner) -> None:
    text = "TƏHDİD: səni tapacağıq. Это УГРОЗА, ещё увидишь."
    added = run.json(
        "add-message",
        "--platform",
        "WhatsApp",
        "--sender",
        "+994 00 000 00 00",
        "--sent",
        "2026-03-10T08:00",
        "--sent-tz",
        "Asia/Baku",
        stdin=text.encode("utf-8"),
    )
    assert isinstance(added, dict)
    assert added["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    for query in ("təhdid", "TEHDID", "tehdid", "угроза", "УГРОЗА", "еще", "tapaca", "tapacagiq"):
        found = run.json("search", query)
        assert isinstance(found, list)
        assert [f["id"] for f in found] == [added["item_id"]], query
        assert {"id", "kind", "title", "sha256", "size"} <= set(found[0])
    assert run.json("search", "nothing-like-this") == []
    shown = run.json("show", str(added["item_id"]))
    assert shown["message"]["sent_utc"] == "2026-03-10T04:00:00.000000Z"


def test_add_message_rejects_stdin_used_twice(run: Runner) -> None:
    code, _, err = run_main(
        ["--vault", str(run.folder), "--passphrase-file", "-", "add-message"], b"secret\nmessage"
    )
    assert code == 2
    assert "Standard input is already used" in err


def test_add_note(run: Runner) -> None:
    added = run.json("add-note", "--title", "Call at night", stdin=b"They called at 3 am.")
    shown = run.json("show", str(added["item_id"]))
    assert shown["kind"] == "note"


def test_edit_and_rm_are_custody_events(run: Runner, evidence: Path) -> None:
    item_id = run.json("add", str(evidence))[0]["item_id"]
    code, _, err = run("edit", item_id, "--title", "Renamed", "--tag", "x", "--reason", "typo")
    assert code == 0, err
    assert run.json("show", item_id)["title"] == "Renamed"
    code, _, err = run("rm", item_id, "--reason", "duplicate of paper copy", "--yes")
    assert code == 0, err
    assert run.json("list") == []
    tombstones = run.json("list")
    assert tombstones == []
    code, out, _ = run("list", "--all")
    assert "DELETED" in out
    types = [e["type"] for e in run.json("log", item_id)]
    assert types == ["item.created", "item.metadata_changed", "item.deleted"]
    # rm requires a reason.
    code, _, _ = run("rm", item_id)
    assert code == 2


def test_check_passes_then_fails_on_tamper(run: Runner, evidence: Path) -> None:
    run.json("add", str(evidence))
    report = run.json("check")
    assert isinstance(report, dict)
    assert report["ok"] is True and report["items_checked"] == 1
    code, out, _ = run("check")
    assert code == 0 and "Everything holds" in out

    # Alter one content chunk through a raw SQLCipher connection with the right key.
    import sqlcipher3

    from crypto.keysfile import parse_keys_file
    from crypto.keyslots import unlock_with_passphrase

    keys = parse_keys_file((run.folder / "vault.keys").read_bytes())
    db_key = unlock_with_passphrase(keys, PASSPHRASE, None)
    conn = sqlcipher3.connect(str(run.folder / "vault.db"))
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    conn.execute("PRAGMA cipher_page_size = 16384")
    conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
    conn.execute("UPDATE chunks SET data = CAST('forged' AS BLOB) WHERE seq = 0")
    conn.commit()
    conn.close()

    code, out, _ = run("check")
    assert code == 1
    assert "PROBLEMS FOUND" in out
    code, out, _ = run("check", "--json")
    assert code == 1
    assert json.loads(out)["ok"] is False


def test_identity(run: Runner) -> None:
    ident = run.json("identity")
    assert isinstance(ident, dict)
    groups = ident["fingerprint"].split(" ")
    assert len(groups) == 6 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert ident["custody_head"]["seq"] == 1
    _, out, _ = run("identity")
    assert ident["fingerprint"] in out


def test_passwd_and_recovery_key(run: Runner, tmp_path: Path) -> None:
    db_before = (run.folder / "vault.db").read_bytes()
    new_pw = tmp_path / "new.txt"
    new_pw.write_text("a brand new passphrase here\n", encoding="utf-8")
    code, _, err = run("passwd", "--new-passphrase-file", str(new_pw))
    assert code == 0, err
    assert (run.folder / "vault.db").read_bytes() == db_before
    code, _, err = run("list")
    assert code == 2 and "does not open" in err
    new_runner = Runner(run.folder, new_pw)
    assert new_runner.json("list") == []
    log = new_runner.json("log")
    assert [e["type"] for e in log][-1] == "key.passphrase_changed"

    rk = new_runner.json("recovery-key")
    assert isinstance(rk, dict)
    rk_file = tmp_path / "rk.txt"
    rk_file.write_text(rk["recovery_key"], encoding="utf-8")
    code, _, err = run_main(
        ["--vault", str(run.folder), "--recovery-key-file", str(rk_file), "list"]
    )
    assert code == 0


def test_wrong_passphrase_and_recovery_key_are_calm(run: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("not the passphrase", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in run.folder.iterdir()}
    code, _, err = Runner(run.folder, bad)("list")
    assert code == 2
    assert (
        err.strip() == "evault: That passphrase does not open this vault. Check it and try again."
    )
    assert "Traceback" not in err and "hmac" not in err.lower()
    rk = tmp_path / "rk"
    rk.write_text("0000-0000-0000-0000-0000-0000-0000-0000-0000", encoding="utf-8")
    code, _, err = run_main(["--vault", str(run.folder), "--recovery-key-file", str(rk), "list"])
    assert code == 2
    assert "recovery key" in err
    assert {p.name: p.read_bytes() for p in run.folder.iterdir()} == before


def test_passphrase_and_recovery_file_together_is_usage_error(run: Runner, tmp_path: Path) -> None:
    code, _, err = run("--recovery-key-file", str(tmp_path / "x"), "list")
    assert code == 2
    assert "not both" in err


def test_unknown_item_and_bad_date(run: Runner, evidence: Path) -> None:
    code, _, err = run("show", "deadbeef")
    assert code == 2 and "No item" in err
    code, _, err = run("show", "../../etc")
    assert code == 2 and "not an item id" in err
    code, _, err = run("add", str(evidence), "--occurred", "yesterday evening")
    assert code == 2 and "not a date" in err
    code, _, err = run(
        "add", str(evidence), "--occurred", "2026-03-09T10:00", "--occurred-tz", "Mars/Olympus"
    )
    assert code == 2 and "time zone" in err
    assert run.json("list") == []


def test_no_command_without_a_terminal_says_how_to_open_the_app() -> None:
    out = io.StringIO()
    assert main([], stdout=out, stderr=io.StringIO()) == 0
    assert "type evault in a terminal window" in out.getvalue()


def test_usage_error_exit_code_2() -> None:
    assert main(["add"], stdout=io.StringIO(), stderr=io.StringIO()) == 2
    assert main(["no-such-command"], stdout=io.StringIO(), stderr=io.StringIO()) == 2


def test_case_commands(run: Runner, evidence: Path) -> None:
    run.json("add", str(evidence), "--case", "Hack")
    code, out, _ = run("case")
    assert code == 0 and out.strip() == "Hack"
    code, _, err = run("case", "rename", "Hack", "Account hacked, 9 March")
    assert code == 0, err
    assert run.json("case") == [
        {
            "id": run.json("case")[0]["id"],
            "name": "Account hacked, 9 March",
            "created": run.json("case")[0]["created"],
        }
    ]
    assert run.json("list")[0]["case"] == "Account hacked, 9 March"
    code, _, _ = run("case", "new", "Second")
    assert code == 0
    code, _, err = run("case", "rename", "Nope", "X")
    assert code == 2 and "no case" in err
    assert run.json("check")["ok"] is True


def test_version_is_the_one_the_package_and_the_custody_log_carry(run: Runner) -> None:
    from importlib.metadata import version

    from vault.version import PROGRAM, VERSION

    code, out, err = run_main(["--version"])
    assert code == 0, err
    assert out == f"evault (evidence-vault) {VERSION}\n"
    assert version("evidence-vault") == VERSION  # pyproject reads the same constant
    created = [e for e in run.json("log") if e["type"] == "vault.created"]
    assert created[0]["details"]["program"] == PROGRAM == f"evidence-vault {VERSION}"
