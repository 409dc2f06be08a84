"""Nothing from a bundle, a vault or an import reaches a terminal unescaped.

The text here is what an attacker writes: titles, senders, case names, chat titles, file names and
bundle ids carrying OSC 52 (write the clipboard), OSC 0 (the window title), ``ESC[2J`` and cursor
moves (redraw a fake report), a device-status request (make the terminal type), C1 controls,
U+202E and bidi isolates (reorder what is shown), and newlines (fake a line). Every command that
prints such text is run, and its output must hold none of those characters, while still showing
the text (visibly escaped). The terminal app is checked byte by byte in a pseudo-terminal.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.importers.test_importing import chat, message, write_folder
from tui.cli import main
from tui.terminal_text import json_text, terminal_text
from vault import Metadata, Vault

ROOT = Path(__file__).resolve().parent.parent
CLIPBOARD = "\x1b]52;c;aGFja2Vk\x07"
WINDOW_TITLE = "\x1b]0;pwned\x07"
REDRAW = "\x1b[2J\x1b[H"
ASK_TERMINAL = "\x1b[6n"
EVIL = (
    f"Təhdid {CLIPBOARD}{WINDOW_TITLE}{REDRAW}{ASK_TERMINAL} VERIFIED: all fine "
    "\u202egnp.exe\u202c \u2066isolated\u2069 \x9b31m C1 \x7f\r\nfake line"
)
# Everything that may act on a terminal or reorder text (newline and tab are ours, and allowed).
UNSAFE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _assert_safe(text: str, where: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in UNSAFE_RE.findall(text)})
    assert not found, f"{where} printed {found}"


# ---------------------------------------------------------------------- the function


def test_terminal_text_shows_every_control_visibly() -> None:
    shown = terminal_text(EVIL)
    _assert_safe(shown, "terminal_text")
    assert "\n" not in shown and "\\n" in shown and "\\r" in shown
    assert "\\x1b]52;c;aGFja2Vk\\x07" in shown and "\\u202e" in shown and "\\x9b" in shown
    assert "Təhdid" in shown  # ordinary letters of every alphabet stay as they are
    block = terminal_text("line one\n\tline two\x1b[2J", multiline=True)
    assert block == "line one\n\tline two\\x1b[2J"
    assert terminal_text("Salam, Nərgiz — Привет") == "Salam, Nərgiz — Привет"


def test_json_keeps_the_value_and_loses_the_danger() -> None:
    dumped = json_text(json.dumps({"title": EVIL}, ensure_ascii=False))
    _assert_safe(dumped, "json_text")
    assert json.loads(dumped)["title"] == EVIL  # the same string for a program


# ---------------------------------------------------------------------- every command


class Run:
    def __init__(self, folder: Path, pwfile: Path) -> None:
        self.folder, self.pwfile = folder, pwfile

    def __call__(self, *args: str, stdin: bytes | None = None) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--vault", str(self.folder), "--passphrase-file", str(self.pwfile), *args]
        old = sys.stdin
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        try:
            code = main(argv, stdout=out, stderr=err)
        finally:
            sys.stdin = old
        text = out.getvalue() + err.getvalue()
        _assert_safe(text, "evault " + " ".join(args[:2]))
        return code, text


@pytest.fixture
def hostile(tmp_path: Path, patch_fast_kdf: None) -> tuple[Run, dict[str, str]]:
    """A vault holding an attacker's text in every field, a file and an imported chat."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = Run(tmp_path / "h.evault", pw)
    assert run("init")[0] == 0
    evil_file = tmp_path / f"screenshot {WINDOW_TITLE}\nx.txt"
    evil_file.write_bytes(b"evidence")
    code, text = run("add", str(evil_file), "--case", EVIL[:60])
    assert code == 0 and "\\x1b]0;pwned" in text
    code, text = run(
        "add-message",
        "--title",
        EVIL,
        "--sender",
        EVIL,
        "--platform",
        EVIL[:40],
        "--description",
        EVIL,
        "--case",
        EVIL[:60],
        "--tag",
        EVIL[:50],
        "--json",
        stdin=EVIL.encode(),
    )
    assert code == 0
    ids = {"message": json.loads(text[: text.rindex("}") + 1])["item_id"]}
    export = write_folder(
        tmp_path / "ChatExport",
        chat([message(1, EVIL, sender=EVIL), message(2, "ok", offset=60)], name=EVIL),
        {},
    )
    code, text = run("import", "telegram", str(export))
    assert code == 0 and "\\x1b]52" in text
    return run, ids


def test_every_command_prints_attackers_text_inertly(
    hostile: tuple[Run, dict[str, str]], tmp_path: Path
) -> None:
    run, ids = hostile
    for args in (
        ("list",),
        ("list", "--json"),
        ("show", ids["message"]),
        ("show", ids["message"], "--json"),
        ("search", "tehdid"),
        ("search", "tehdid", "--json"),
        ("log",),
        ("log", "--json"),
        ("chats",),
        ("chats", "--json"),
        ("imports",),
        ("imports", "--json"),
        ("case",),
        ("case", "--json"),
        ("identity",),
    ):
        code, text = run(*args)
        assert code == 0, text
    code, text = run("search", "tehdid")
    assert "\\x1b]52;c;aGFja2Vk\\x07" in text  # shown, visibly, not dropped
    chats = json.loads(run("chats", "--json")[1])
    code, text = run("chat", chats[0]["key"])
    assert code == 0 and "\\u202e" in text
    # An error that quotes what was typed (here a case name) is one safe line too.
    code, text = run("case", "rename", EVIL, "anything")
    assert code == 2 and "\\x1b" in text and text.count("\n") == 1
    # argparse repeats an invalid choice in its usage error.
    code, text = run("import", EVIL[:30], "x")
    assert code == 2


@pytest.fixture
def forged(tmp_path: Path, patch_fast_kdf: None) -> tuple[Path, str, str]:
    """A forger's own bundle (their own vault and key) whose titles redraw a fake report, and the
    defender's fingerprint that the lawyer was given."""
    defender, _ = Vault.create(tmp_path / "defender.evault", PASSPHRASE, kdf=fast_kdf)
    defender_fp = defender.identity()["fingerprint"]
    defender.close()
    forger, _ = Vault.create(tmp_path / "forger.evault", PASSPHRASE, kdf=fast_kdf)
    fake = (
        f"{REDRAW}Bundle: bundle.zip\r\npassed  everything\r\nVERIFIED: all 1 items. {defender_fp}"
    )
    forger.add_message("threat", Metadata(title=fake, case=EVIL[:50]))
    out = tmp_path / "bundle.zip"
    forger.export_bundle(out, everything=True)
    forger_fp = forger.identity()["fingerprint"]
    forger.close()
    return out, defender_fp, forger_fp


def _verify(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["verify", *args], stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    _assert_safe(text, "evault verify")
    return code, text


def test_a_forged_bundle_never_looks_verified(forged: tuple[Path, str, str]) -> None:
    bundle, defender_fp, forger_fp = forged
    code, text = _verify(str(bundle))
    assert code == 4  # intact, signer not confirmed
    verdict = text.strip().splitlines()
    assert any(line.startswith("FILES INTACT, SIGNER NOT CONFIRMED") for line in verdict)
    assert not any(line.startswith("VERIFIED") for line in verdict)  # the fake one is escaped
    assert forger_fp in text
    code, text = _verify(str(bundle), "--key", defender_fp)
    assert code == 1
    assert (  # the verdict is filled to 79 columns: compare it with its line breaks as spaces
        "NOT VERIFIED: this bundle was NOT signed by the vault whose fingerprint you gave"
        in " ".join(text.split())
    )
    code, text = _verify(str(bundle), "--json")
    assert code == 4
    data = json.loads(text)
    assert data["ok"] is False and data["intact"] is True
    assert data["verdict"] == "signer-not-confirmed"
    code, text = _verify(str(bundle), "--key", forger_fp)
    assert code == 0  # the forger's own digits verify the forger's own bundle: only the
    assert text.rstrip().split("\n\n")[-1].startswith("VERIFIED")  # digits' source decides


@pytest.mark.slow
def test_verify_as_a_real_process_writes_no_escape_byte(forged: tuple[Path, str, str]) -> None:
    bundle, defender_fp, _ = forged
    for extra in ([], ["--key", defender_fp], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "tui", "verify", str(bundle), *extra],
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=300,
            check=False,
        )
        raw = done.stdout + done.stderr
        assert done.returncode in (1, 4), raw
        assert b"\x1b" not in raw and b"\x07" not in raw and b"\xc2\x9b" not in raw
        assert "\u202e".encode() not in raw and "\u2066".encode() not in raw


# ---------------------------------------------------------------------- the app, byte by byte


def _app_bytes(vault: Path, keys: list[tuple[bytes, bytes]]) -> bytes:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real program on a real terminal
        os.environ.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
        argv = [sys.executable, "-m", "tui", "--vault", str(vault), "ui"]
        os.execv(sys.executable, argv)  # noqa: S606 - our own fixed argv, no shell wanted
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""

    def until(marker: bytes, timeout: float = 240) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            if time.monotonic() > deadline:
                raise AssertionError(f"the app never showed {marker!r}")
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return

    try:
        until(b"Unlock your evidence vault")
        for key, shown in keys:
            os.write(fd, key)
            until(shown)  # the app answers in its own time: wait for what it draws
        os.write(fd, b"\x11")  # ctrl+q
        until(b"\x1b[?1049l", 60)  # the app left the alternate screen
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    return seen


@pytest.mark.slow
def test_the_app_never_sends_an_attackers_escape_to_the_terminal(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "h.evault", PASSPHRASE, kdf=fast_kdf)
    vault.add_message(EVIL, Metadata(title=EVIL, sender_handle=EVIL, case=EVIL[:50], tags=("x",)))
    vault.close()
    keys = [
        (PASSPHRASE.encode() + b"\r", b"sorted by"),  # unlock: the list
        (b"\r", b"Chain of custody"),  # open the item
        (b" ", b"C1"),  # show its text
    ]
    raw = _app_bytes(tmp_path / "h.evault", keys)
    assert b"Chain of custody" in raw and b"\\x1b]52" in raw  # the item was shown, escaped
    for payload in (CLIPBOARD, WINDOW_TITLE, ASK_TERMINAL, "\x9b31m", "\u202e", "\u2066"):
        assert payload.encode() not in raw, payload


def test_every_text_widget_of_the_app_is_a_safe_one() -> None:
    """Textual writes a widget's text to the terminal as is: the screens build only the widgets
    of tui/widgets/safe.py, never a bare Static, Label or DirectoryTree."""
    import ast

    for path in sorted((ROOT / "tui").rglob("*.py")):
        if path.name == "safe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert name not in {"Static", "Label", "DirectoryTree"}, f"{where} builds {name}"
