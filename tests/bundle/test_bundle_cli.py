"""`evault export`, `evault verify` and `evault recipient new` from the command line: exit codes
0 / 1 / 2, the JSON shape, the certificate and the report as parsed HTML, the fingerprint warning,
no traceback ever; one run as a real `python -m tui` process."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from crypto.canonical import canonical_json
from crypto.fingerprint import fingerprint
from tests.bundle.support import (
    Sample,
    file_sha256,
    flip,
    make_sample,
    manifest_of,
    member,
    replace,
    rewrite,
    tool,
)
from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from vault.bundle import layout

VERIFIED = "\nVERIFIED: all"
INTACT = "FILES INTACT, SIGNER NOT CONFIRMED"
NOT_VERIFIED = "NOT VERIFIED"
COMPARE = "Compare these digits"
BUNDLE_PASSPHRASE = "a long passphrase for the lawyer"


@dataclass
class Setup:
    root: Path
    sample: Sample
    run: Runner  # `evault --vault V --passphrase-file P ...`
    fingerprint: str
    other_fingerprint: str
    bundle: Path  # made with the CLI: export --all


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root = tmp_path_factory.mktemp("cli")
    sample = make_sample(root, "case.evault")
    fp = fingerprint(sample.vault.public_key)
    sample.vault.close()  # the CLI opens it itself
    other = make_sample(root, "other.evault", seed=5)
    other_fp = fingerprint(other.vault.public_key)
    other.vault.close()
    pw = root / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = Runner(sample.folder, pw)
    bundle = root / "bundle.zip"
    code, _, err = run("export", "--all", "--out", str(bundle), "--note", "for the hearing")
    assert code == 0, err
    yield Setup(root, sample, run, fp, other_fp, bundle)


def _clean(err: str) -> None:
    assert "Traceback" not in err
    assert "Something went wrong inside evault" not in err  # exit 3: a bug


# ---------------------------------------------------------------------------- export


def test_export_prints_what_the_lawyer_needs(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    code, stdout, err = setup.run("export", "--case", "Case A", "--out", str(out))
    assert code == 0, err
    assert f"Bundle written: {out} (3 items" in stdout
    assert f"(SHA-256, recorded in your custody log):\n    {file_sha256(out)}\n" in stdout
    assert "NOT encrypted" in stdout
    assert setup.fingerprint in stdout
    assert manifest_of(out)["signer"]["ssh_fingerprint"] in stdout


def test_export_json(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    data: Any = setup.run.json("export", setup.sample.pdf, "--out", str(out))
    assert set(data) == {
        "path",
        "key_path",
        "bundle_id",
        "sha256",
        "size",
        "items",
        "fingerprint",
        "ssh_fingerprint",
        "encryption",
    }
    assert data["sha256"] == file_sha256(out)
    assert data["items"] == 1
    assert data["encryption"] == "none"
    assert data["fingerprint"] == setup.fingerprint
    assert data["bundle_id"] == manifest_of(out)["bundle_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Nothing to export"),
        (["--case", "No such case"], "There is no case called"),
        (["--all", "--to", "age1notakey"], "is not an age recipient"),
        (["--to", "not-a-file"], "is neither a lawyer's key (an age key"),
    ],
)
def test_export_refusals_exit_2(
    setup: Setup, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "b.zip"
    code, _, err = setup.run("export", *args, "--out", str(out))
    assert code == 2
    assert message in err
    _clean(err)
    assert not out.exists()


def test_export_refuses_an_existing_file(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    out.write_bytes(b"old")
    code, _, err = setup.run("export", "--all", "--out", str(out))
    assert code == 2
    assert "already exists" in err
    assert out.read_bytes() == b"old"


# ---------------------------------------------------------------------------- verify


def test_verify_without_key_shows_the_fingerprint_and_warns(setup: Setup) -> None:
    code, out, err = run_main(["verify", str(setup.bundle)])
    assert code == 4, err  # intact, but nobody confirmed who signed: never 0 without the key
    assert INTACT in out and VERIFIED not in out
    assert setup.fingerprint in out
    # The file's SHA-256, which the lawyer compares with the one the defender's export printed.
    assert (
        f"compare it with the one the defender gave you):\n      {file_sha256(setup.bundle)}\n"
        in out
    )
    assert COMPARE in " ".join(out.split())
    assert "FAILED" not in out
    for entry in manifest_of(setup.bundle)["items"]:
        assert f"passed  {entry['path']}" in out
    _clean(err)


@pytest.mark.parametrize("form", ["digits", "no-spaces", "public-key"])
def test_verify_with_the_right_key(setup: Setup, form: str) -> None:
    key = {
        "digits": setup.fingerprint,
        "no-spaces": setup.fingerprint.replace(" ", ""),
        "public-key": manifest_of(setup.bundle)["signer"]["public_key"],
    }[form]
    code, out, err = run_main(["verify", str(setup.bundle), "--key", key])
    assert code == 0, out + err
    assert VERIFIED in out
    assert COMPARE not in " ".join(out.split())
    assert "passed  Signer is the expected key" in out


def test_verify_with_another_vaults_key_exits_1(setup: Setup) -> None:
    code, out, err = run_main(["verify", str(setup.bundle), "--key", setup.other_fingerprint])
    assert code == 1
    assert NOT_VERIFIED in out
    assert "FAILED  Signer is the expected key: DIFFERENT from the fingerprint you gave" in out
    assert setup.fingerprint in out
    _clean(err)


def test_verify_a_changed_bundle_exits_1(setup: Setup, tmp_path: Path) -> None:
    target = manifest_of(setup.bundle)["items"][1]["path"]
    changed = rewrite(
        setup.bundle,
        tmp_path / "changed.zip",
        lambda ms: replace(ms, target, flip(dict(ms)[target], 3)),
    )
    code, out, err = run_main(["verify", str(changed)])
    assert code == 1
    assert NOT_VERIFIED in out
    assert f"FAILED  {target}" in out
    assert "was changed" in out
    _clean(err)


@pytest.mark.parametrize("how", ["garbage", "truncated", "version-4", "missing", "folder"])
def test_verify_unusable_input_exits_2(setup: Setup, tmp_path: Path, how: str) -> None:
    path = tmp_path / "x.zip"
    if how == "garbage":
        path.write_bytes(b"this is not a bundle")
    elif how == "truncated":
        path.write_bytes(setup.bundle.read_bytes()[:-30])
    elif how == "version-4":
        doc = {**manifest_of(setup.bundle), "version": 4}
        rewrite(setup.bundle, path, lambda ms: replace(ms, layout.MANIFEST, canonical_json(doc)))
    elif how == "folder":
        path = tmp_path
    before = sorted(tmp_path.iterdir())
    code, out, err = run_main(["verify", str(path)])
    assert code == 2
    assert err.startswith("evault: ")
    assert VERIFIED not in out
    if how == "version-4":
        assert "newer version" in err
    _clean(err)
    assert sorted(tmp_path.iterdir()) == before  # nothing written


def test_verify_json_shape(setup: Setup, tmp_path: Path) -> None:
    code, out, err = run_main(["verify", str(setup.bundle), "--json"])
    assert code == 4, err
    data = json.loads(out)
    assert data["ok"] is False  # not verified: the signer was not compared
    assert data["intact"] is True and data["verdict"] == "signer-not-confirmed"
    assert data["bundle_name"] == "bundle.zip"
    assert data["bundle_sha256"] == file_sha256(setup.bundle)
    assert data["signer_fingerprint"] == setup.fingerprint
    assert data["key_expected"] is None
    assert data["key_matched"] is None
    assert data["checks"] and all(set(c) == {"name", "ok", "detail"} for c in data["checks"])
    assert all(c["ok"] is True for c in data["checks"])
    manifest = manifest_of(setup.bundle)
    assert [i["sha256"] for i in data["items"]] == [e["sha256"] for e in manifest["items"]]
    # existed_by / existed_by_tsa: the proof of time covering the item (docs/format.md §6.9)
    shape = {"path", "title", "sha256", "size", "ok", "problems", "existed_by", "existed_by_tsa"}
    assert all(set(i) == shape for i in data["items"])
    assert all(i["existed_by"] is None for i in data["items"])  # this vault has no stamp

    code, out, _ = run_main(
        ["verify", str(setup.bundle), "--json", "--key", setup.other_fingerprint]
    )
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert data["key_matched"] is False


class _Html(HTMLParser):
    """Collects the text; checks that elements nest properly (a parse, not a string search)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: bytes) -> str:
    parser = _Html()
    parser.feed(html.decode("utf-8"))
    parser.close()
    assert parser.stack == []
    assert "script" not in parser.tags
    return " ".join(parser.text)


def test_certificate_and_report_hold_every_items_hash(setup: Setup, tmp_path: Path) -> None:
    certificate = tmp_path / "certificate.html"
    code, _, err = run_main(
        ["verify", str(setup.bundle), "--key", setup.fingerprint, "--certificate", str(certificate)]
    )
    assert code == 0, err
    text = _parse(certificate.read_bytes())
    manifest = manifest_of(setup.bundle)
    for entry in manifest["items"]:
        assert entry["sha256"] in text
        assert entry["path"] in text
    assert "PASSED" in text
    assert "FAILED" not in text
    assert file_sha256(setup.bundle) in text
    assert setup.fingerprint in text
    report = _parse(member(setup.bundle, layout.REPORT))
    for entry in manifest["items"]:
        assert entry["sha256"] in report
    assert setup.fingerprint in report

    # An existing certificate is never overwritten.
    code, _, err = run_main(["verify", str(setup.bundle), "--certificate", str(certificate)])
    assert code == 2
    assert "already exists" in err


def test_certificate_of_a_failed_check_says_failed(setup: Setup, tmp_path: Path) -> None:
    certificate = tmp_path / "certificate.html"
    code, _, _ = run_main(
        [
            "verify",
            str(setup.bundle),
            "--key",
            setup.other_fingerprint,
            "--certificate",
            str(certificate),
        ]
    )
    assert code == 1
    text = _parse(certificate.read_bytes())
    assert "FAILED" in text
    for entry in manifest_of(setup.bundle)["items"]:
        assert entry["sha256"] in text


# ---------------------------------------------------------------------------- encrypted, via CLI


def test_export_to_a_new_lawyer_key_and_verify_with_it(setup: Setup, tmp_path: Path) -> None:
    key = tmp_path / "lawyer.key"
    code, out, err = run_main(["recipient", "new", "--out", str(key), "--json"])
    assert code == 0, err
    made = json.loads(out)
    assert made["identity_file"] == str(key)
    recipient = made["recipient"]
    assert recipient.startswith("age1")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # The real age-keygen reads the same public key out of it.
    assert tool("age-keygen", "-y", key).stdout.decode().strip() == recipient

    keys_file = tmp_path / "lawyers.txt"
    keys_file.write_text(f"# my lawyer\n{recipient}\n", encoding="utf-8")
    encrypted = tmp_path / "bundle.zip.age"
    code, out, err = setup.run("export", "--all", "--to", str(keys_file), "--out", str(encrypted))
    assert code == 0, err
    assert "Encrypted" in out
    printed = file_sha256(encrypted)  # the export prints the SHA-256 of the file it wrote
    assert f"(SHA-256, recorded in your custody log):\n    {printed}\n" in out

    # The real age opens it with the key file `recipient new` wrote.
    by_age = tmp_path / "by-age.zip"
    done = tool("age", "-d", "-i", key, "-o", by_age, encrypted)
    assert done.returncode == 0, done.stderr

    code, out, err = run_main(
        ["verify", str(encrypted), "--identity", str(key), "--key", setup.fingerprint]
    )
    assert code == 0, out + err
    assert VERIFIED in out
    # The lawyer compares the file received, as received (encrypted), with what the export printed.
    assert f"the defender gave you):\n      {printed}\n" in out
    decrypted = tmp_path / "bundle.zip"
    assert f"Decrypted to {decrypted}" in err
    assert decrypted.read_bytes() == by_age.read_bytes()

    # The wrong key: exit 2, and no decrypted file is left behind.
    other = tmp_path / "other.key"
    assert run_main(["recipient", "new", "--out", str(other)])[0] == 0
    target = tmp_path / "other-out.zip"
    code, _, err = run_main(
        ["verify", str(encrypted), "--identity", str(other), "--decrypted-out", str(target)]
    )
    assert code == 2
    assert "could not be decrypted" in err
    _clean(err)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name]


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_verify_output_fits_an_80_column_terminal(setup: Setup, lang: str) -> None:
    """A lawyer's terminal is often 80 columns: every line of verify's report is filled to 79
    at spaces (the verdict used to be one line of 331 characters, cut mid-word by the
    terminal); only a single word longer than that (an id) may stand alone on a longer line."""
    code, out, err = run_main(["--lang", lang, "verify", str(setup.bundle)])
    assert code == 4, out + err  # intact; no digits given
    too_wide = [line for line in out.splitlines() if len(line) > 79 and " " in line.strip()]
    assert too_wide == []
    assert len(out.splitlines()) > 12


def test_verify_without_a_decrypted_copy(setup: Setup, tmp_path: Path) -> None:
    """--no-decrypted-copy: the same verdict and file hash, and nothing written; asking for a
    copy somewhere at the same time is refused before anything is read."""
    key = tmp_path / "lawyer.key"
    code, out, err = run_main(["recipient", "new", "--out", str(key), "--json"])
    assert code == 0, err
    received = tmp_path / "received"
    received.mkdir()
    encrypted = received / "bundle.zip.age"
    recipient = json.loads(out)["recipient"]
    code, _, err = setup.run("export", "--all", "--to", recipient, "--out", str(encrypted))
    assert code == 0, err
    before = sorted(received.iterdir())
    code, out, err = run_main(
        [
            "verify",
            str(encrypted),
            "--identity",
            str(key),
            "--key",
            setup.fingerprint,
            "--no-decrypted-copy",
        ]
    )
    assert code == 0, out + err
    assert VERIFIED in out and file_sha256(encrypted) in out
    assert "Decrypted to" not in out + err
    assert sorted(received.iterdir()) == before
    code, out, err = run_main(
        [
            "verify",
            str(encrypted),
            "--identity",
            str(key),
            "--no-decrypted-copy",
            "--decrypted-out",
            str(tmp_path / "x.zip"),
        ]
    )
    assert code == 2 and "Choose one" in err
    _clean(err)
    assert sorted(received.iterdir()) == before and not (tmp_path / "x.zip").exists()


@pytest.mark.slow
def test_passphrase_bundle_via_cli(setup: Setup, tmp_path: Path) -> None:
    pf = tmp_path / "bundle-pass.txt"
    pf.write_text(BUNDLE_PASSPHRASE + "\n", encoding="utf-8")
    encrypted = tmp_path / "b.zip.age"
    code, out, err = setup.run(
        "export",
        setup.sample.note,
        "--encrypt-passphrase",
        "--bundle-passphrase-file",
        str(pf),
        "--out",
        str(encrypted),
    )
    assert code == 0, err
    assert f"Key file (send it too, separately if you can): {encrypted}.key.age" in out
    target = tmp_path / "opened.zip"
    # The key file beside the bundle is found by itself; the passphrase comes from a file.
    code, out, err = run_main(
        [
            "--passphrase-file",
            str(pf),
            "verify",
            str(encrypted),
            "--decrypted-out",
            str(target),
            "--key",
            setup.fingerprint,
        ]
    )
    assert code == 0, out + err
    assert VERIFIED in out
    assert target.is_file()

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    code, _, err = run_main(
        [
            "--passphrase-file",
            str(wrong),
            "verify",
            str(encrypted),
            "--decrypted-out",
            str(tmp_path / "w.zip"),
        ]
    )
    assert code == 2
    _clean(err)
    assert not (tmp_path / "w.zip").exists()


def test_recipient_new_refuses_an_existing_file(tmp_path: Path) -> None:
    key = tmp_path / "k"
    key.write_text("precious", encoding="utf-8")
    code, _, err = run_main(["recipient", "new", "--out", str(key)])
    assert code == 2
    assert "already exists" in err
    assert key.read_text(encoding="utf-8") == "precious"


def test_recipient_new_human_output(tmp_path: Path) -> None:
    key = tmp_path / "k"
    code, out, _ = run_main(["recipient", "new", "--out", str(key)])
    assert code == 0
    public = next(w for w in out.split() if w.startswith("age1"))
    assert f"# public key: {public}" in key.read_text(encoding="ascii")
    assert "AGE-SECRET-KEY-1" in key.read_text(encoding="ascii")
    assert "AGE-SECRET-KEY" not in out  # the secret is never printed
    # A real age round trip with it.
    plain = tmp_path / "plain"
    plain.write_bytes(b"hello")
    done = tool("age", "-e", "-r", public, "-o", tmp_path / "enc", plain)
    assert done.returncode == 0, done.stderr
    done = tool("age", "-d", "-i", key, tmp_path / "enc")
    assert done.returncode == 0 and done.stdout == b"hello"


# ---------------------------------------------------------------------------- a real process


def test_python_m_tui_verify_as_a_process(setup: Setup, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "EVAULT_DEBUG"}

    def evault(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tui", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
            check=False,
        )

    done = evault("verify", str(setup.bundle), "--key", setup.fingerprint)
    assert done.returncode == 0, done.stdout + done.stderr
    assert VERIFIED in done.stdout
    assert "Traceback" not in done.stderr

    broken = tmp_path / "broken.zip"
    broken.write_bytes(setup.bundle.read_bytes()[: len(setup.bundle.read_bytes()) // 2])
    done = evault("verify", str(broken))
    assert done.returncode == 2
    assert done.stderr.startswith("evault: ")
    assert "Traceback" not in done.stderr

    done = evault("verify", str(setup.bundle), "--key", setup.other_fingerprint, "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["ok"] is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.zip"]


# ---------------------------------------------------------------------------- small things


def test_a_bundle_passphrase_follows_the_vaults_rule(setup: Setup, tmp_path: Path) -> None:
    weak = tmp_path / "weak.txt"
    weak.write_text("1\n", encoding="utf-8")
    out = tmp_path / "weak.zip.age"
    code, _, err = setup.run(
        "export", setup.sample.note, "--encrypt-passphrase", "--bundle-passphrase-file",
        str(weak), "--out", str(out),
    )  # fmt: skip
    assert code == 2 and "at least 8 characters" in err
    _clean(err)
    assert not out.exists() and not out.with_name(out.name + ".key.age").exists()


@pytest.fixture(scope="module")
def encrypted(setup: Setup) -> tuple[Path, Path]:
    """A passphrase bundle and the file holding its passphrase."""
    pf = setup.root / "enc-pass.txt"
    pf.write_text(BUNDLE_PASSPHRASE + "\n", encoding="utf-8")
    out = setup.root / "enc.zip.age"
    code, _, err = setup.run(
        "export", setup.sample.note, "--encrypt-passphrase", "--bundle-passphrase-file",
        str(pf), "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    return out, pf


def test_a_damaged_encrypted_bundle_is_called_damaged(
    encrypted: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, pf = encrypted
    data = bundle.read_bytes()
    for name, broken in (
        ("cut.zip.age", data[: len(data) // 2]),
        ("flipped.zip.age", data[:-200] + bytes([data[-200] ^ 1]) + data[-199:]),
    ):
        target = tmp_path / name
        target.write_bytes(broken)
        (tmp_path / (name + ".key.age")).write_bytes(
            bundle.with_name(bundle.name + ".key.age").read_bytes()
        )
        code, _, err = run_main(["--passphrase-file", str(pf), "verify", str(target)])
        assert code == 2, err
        assert "damaged" in err and "send it again" in err and "disk" not in err
        _clean(err)
        assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_decrypting_into_a_missing_folder_says_so(
    encrypted: tuple[Path, Path], tmp_path: Path
) -> None:
    bundle, pf = encrypted
    missing = tmp_path / "no-such-folder" / "out.zip"
    code, _, err = run_main(
        ["--passphrase-file", str(pf), "verify", str(bundle), "--decrypted-out", str(missing)]
    )
    assert code == 2
    assert f"The folder {missing.parent} does not exist" in err
    _clean(err)


def test_the_prompt_names_the_passphrase_it_wants(
    encrypted: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle, _ = encrypted
    asked: list[str] = []

    def typed(prompt: str) -> str:
        asked.append(prompt)
        return BUNDLE_PASSPHRASE

    monkeypatch.setattr("tui.secrets_input.terminal_available", lambda: True)
    monkeypatch.setattr("tui.secrets_input.getpass.getpass", typed)
    out = tmp_path / "opened.zip"
    code, _, err = run_main(["verify", str(bundle), "--decrypted-out", str(out)])
    assert code == 4, err
    assert asked == ["Passphrase of the bundle's key file (the one the defender told you): "]
    monkeypatch.setattr("tui.secrets_input.terminal_available", lambda: False)
    code, _, err = run_main(["verify", str(bundle), "--decrypted-out", str(tmp_path / "x.zip")])
    assert code == 2 and "No bundle passphrase was given" in err and "--passphrase-file" in err


def _verify_in_a_terminal(bundle: Path, answers: list[bytes]) -> tuple[int, str]:
    """`evault verify BUNDLE` on a real pseudo-terminal, typing ``answers`` at its prompts."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import sys
    import termios
    import time

    root = Path(__file__).resolve().parent.parent.parent
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["PYTHONPATH"] = str(root)
        argv = [sys.executable, "-m", "tui", "verify", str(bundle)]
        os.execv(sys.executable, argv)  # noqa: S606 - our own fixed argv, no shell wanted
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    seen = b""
    deadline = time.monotonic() + 240
    pending = list(answers)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            while pending and seen.count(b"Digits: ") > len(answers) - len(pending):
                os.write(fd, pending.pop(0) + b"\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_on_a_terminal_verify_asks_for_the_digits(setup: Setup) -> None:
    code, out = _verify_in_a_terminal(setup.bundle, [b"not digits", setup.fingerprint.encode()])
    assert "That is not a fingerprint" in out  # asked again
    assert code == 0 and "\nVERIFIED: all" in out.replace("\r\n", "\n"), out
    code, out = _verify_in_a_terminal(setup.bundle, [setup.other_fingerprint.encode()])
    words = " ".join(out.split())  # the verdict is filled to 79 columns
    assert code == 1 and "was NOT signed by the vault whose fingerprint you gave" in words
    code, out = _verify_in_a_terminal(setup.bundle, [b""])  # Enter: skip
    assert code == 4 and "FILES INTACT, SIGNER NOT CONFIRMED" in out
