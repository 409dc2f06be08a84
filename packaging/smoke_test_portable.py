"""Smoke-test a portable folder made by build_portable.py, the way a trainer would use it.

    python packaging/smoke_test_portable.py dist/evault-portable-linux-x86_64 [--in-place]

Standard library only, so any Python 3.11+ can run it. The folder is first copied to a new
temporary "stick" whose path has a space and a non-ASCII letter (proving the folder still works
after it is moved, and leaving the built folder untouched); ``--in-place`` tests the folder itself.
Every command runs the frozen program with HOME and TMPDIR pointing at empty folders and nothing
but PATH from the environment. Checked:

- the layout (marker, program, launchers, vaults/, exports/) and no symbolic links (FAT sticks);
- ``--help``, also through start-evault.sh, and in Azerbaijani and Russian (``--lang``);
- init, add (a picture), add-message, search, list, export (a relative name lands in exports/),
  verify (with a certificate), a Russian report (dates in words through Babel's data), check, identity, add-note, show, log, edit, case, get, rm,
  recipient new and an age-encrypted export verified with that key;
- every importer (telegram with a photo, whatsapp with a time zone, meta, email), then imports,
  chats, chat, similar (the perceptual hash needs imagehash + scipy) and hashes;
- recovery shares: two of three pages open the vault, one does not (the SLIP-39 word list);
- the terminal app: starts in a pseudo-terminal, unlocks, shows the evidence, opens two screens,
  quits on Ctrl+Q (POSIX only);
- the vault, bundles and host/ are inside the folder; no __pycache__ or .pyc appeared in the
  folder; HOME and TMPDIR are still empty afterwards; and, on Linux when strace is installed,
  every command that writes (and the app) ran under strace and created, changed or removed no
  file outside the folder (except a file it was told to write there, such as ``get --out``).

Exits 0 when everything passed, 1 with a message saying which step failed.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

PASSPHRASE = "smoke test tərəvəz pəncərə кофейник"  # noqa: S105 - a throwaway test vault
TIMEOUT = 180


class SmokeFailure(Exception):
    """One step did not do what it should."""


def png(width: int, height: int) -> bytes:
    """A small photo-like PNG (gradients and a disc), drawn without Pillow.

    The same drawing at two sizes gives pictures that look the same, so their perceptual hashes
    are close: ``similar`` must find one from the other.
    """
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            u, v = x / width, y / height
            inside = (u - 0.55) ** 2 + (v - 0.4) ** 2 < 0.05
            row += bytes((int(255 * u), int(255 * v), 230 if inside else 30))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


class Portable:
    """The folder under test and how to run its program."""

    def __init__(self, root: Path, home: Path, tmp: Path) -> None:
        self.root = root
        self.home = home
        self.tmp = tmp
        name = "evault.exe" if os.name == "nt" else "evault"
        self.program = root / "program" / name
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(home),
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "TMP": str(tmp),
        }
        if os.name == "nt":  # Windows cannot start programs without these
            for key in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "PATHEXT"):
                if key in os.environ:
                    self.env[key] = os.environ[key]
            self.env["USERPROFILE"] = str(home)
            self.env["APPDATA"] = str(home)
            self.env["LOCALAPPDATA"] = str(home)
        self.passphrase_file = root / "smoke-passphrase.txt"
        self.strace = shutil.which("strace") if sys.platform.startswith("linux") else None
        self.traces: list[tuple[str, Path, tuple[Path, ...]]] = []
        self.trace_dir: Path | None = None
        self.shipped = {path.relative_to(root) for path in root.rglob("*")}

    def traced(self, command: list[str], label: str, allowed: tuple[Path, ...] = ()) -> list[str]:
        """``command`` run under strace (when there is one), so final_checks can see every file
        it created, changed or removed."""
        if self.strace is None or self.trace_dir is None:
            return command
        prefix = self.trace_dir / f"trace-{len(self.traces):03d}"
        self.traces.append((label, prefix, allowed))
        return [
            self.strace,
            "-f",
            "-ff",
            "-qq",
            "-y",
            "-xx",
            "-e",
            f"trace={','.join(WRITE_CALLS)}",
            "-o",
            str(prefix),
            *command,
        ]

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        expect: int = 0,
        passphrase: bool = True,
        program: Path | None = None,
        writes_to: Path | None = None,
        trace: bool = True,
    ) -> str:
        """Run one command from the stick (the working folder is the stick, as after a
        double-click); return its standard output; fail on an unexpected exit code.

        The command may write only inside the stick, and inside ``writes_to`` when given (a file
        the command was asked to write on the host, such as ``get --out``)."""
        command = [str(program or self.program)]
        if passphrase:
            command += ["--passphrase-file", str(self.passphrase_file)]
        command += list(args)
        allowed = (writes_to,) if writes_to is not None else ()
        if trace:
            command = self.traced(command, f"evault {' '.join(args)}", allowed)
        started = time.monotonic()
        try:
            result = subprocess.run(  # noqa: S603 - the program under test
                command,
                input=(stdin or "").encode("utf-8"),
                capture_output=True,
                cwd=self.root,
                env=self.env,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"'evault {' '.join(args)}' did not finish in {TIMEOUT} s") from None
        out = result.stdout.decode("utf-8", "replace")
        err = result.stderr.decode("utf-8", "replace")
        seconds = time.monotonic() - started
        print(f"  evault {' '.join(args)[:70]}  -> {result.returncode} ({seconds:.1f} s)")
        if result.returncode != expect or "Traceback" in err or "Something went wrong" in err:
            raise SmokeFailure(
                f"'evault {' '.join(args)}' exited with {result.returncode} (expected {expect}).\n"
                f"--- stdout ---\n{out[-3000:]}\n--- stderr ---\n{err[-3000:]}"
            )
        return out

    def json(self, *args: str, stdin: str | None = None, trace: bool = True) -> Any:
        out = self.run(*args, "--json", stdin=stdin, trace=trace)
        try:
            return json.loads(out)
        except ValueError:
            raise SmokeFailure(
                f"'evault {' '.join(args)} --json' printed no JSON:\n{out}"
            ) from None


WRITE_CALLS = (
    "open",
    "openat",
    "creat",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "truncate",
    "chmod",
    "fchmodat",
    "utimensat",
)
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
_CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+)")
_PATH = re.compile(r'(?:(?:AT_FDCWD|\d+)<((?:[^>\\]|\\.)*)>,\s*)?"((?:[^"\\]|\\.)*)"')


def _unescape(text: str) -> str:
    return codecs.escape_decode(text.encode("ascii"))[0].decode("utf-8", "replace")


def written_paths(trace_file: Path, cwd: Path) -> list[Path]:
    """Every path a traced process created, changed or removed (successful calls only)."""
    paths = []
    for line in trace_file.read_text(encoding="ascii", errors="replace").splitlines():
        match = _CALL.match(line)
        if match is None or match.group(3).startswith("-"):
            continue
        call, args = match.group(1), match.group(2)
        if call in ("open", "openat") and not any(flag in args for flag in _WRITE_FLAGS):
            continue
        found = _PATH.findall(args)
        if call in ("symlink", "symlinkat"):
            found = found[1:]  # the first string is what the link points to, not a location
        for base, name in found:
            path = Path(_unescape(name))
            if not path.is_absolute():
                path = Path(_unescape(base)) / path if base else cwd / path
            paths.append(path)
    return paths


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def check_layout(root: Path, program: Path) -> None:
    for name in ("evault-portable.txt", "README-PORTABLE.txt", "start-evault.sh",
                 "start-evault.cmd", "start-evault.command"):  # fmt: skip
        check((root / name).is_file(), f"{name} is missing from the portable folder")
    for name in ("vaults", "exports", "program"):
        check((root / name).is_dir(), f"the {name}/ folder is missing")
    check(program.is_file(), f"the program {program} is missing")
    check(not (program.parent / "evault-portable.txt").exists(), "the marker must be one level up")
    links = [p for p in root.rglob("*") if p.is_symlink()]
    check(
        not links or sys.platform == "darwin",
        f"symbolic links cannot be copied onto a FAT stick: {links[:3]}",
    )
    marker = (root / "evault-portable.txt").read_text(encoding="utf-8")
    check("start-evault" in marker, "the marker does not say how to start evault")


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def telegram_export(folder: Path, photo: bytes) -> Path:
    """A tiny Telegram Desktop export (invented people): three messages and a photo."""
    base = 1699963200  # 2023-11-14T12:00:00Z
    photo_name = "photos/photo_1@14-11-2023_16-02-00.jpg"

    def message(mid: int, text: str, offset: int, **extra: str) -> dict[str, Any]:
        return {
            "id": mid,
            "type": "message",
            "date": "2023-11-14T16:00:00",
            "date_unixtime": str(base + offset),
            "from": "Naməlum Şəxs",
            "from_id": "user5550001111",
            "text": text,
            **extra,
        }

    data = {
        "name": "Naməlum Şəxs",
        "type": "personal_chat",
        "id": 5550001111,
        "messages": [
            message(1, "Yazılarını dayandır, yoxsa peşman olacaqsan.", 0),
            message(2, "Мы знаем, где ты живёшь.", 60),
            message(3, "", 120, photo=photo_name),
        ],
    }
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (folder / "photos").mkdir()
    (folder / photo_name).write_bytes(photo)
    return folder


def meta_export(folder: Path) -> Path:
    """A tiny Facebook Messenger export (invented people)."""
    thread = {
        "participants": [{"name": "Иван Примеров"}, {"name": "Nərgiz Testova"}],
        "messages": [
            {
                "sender_name": "Иван Примеров",
                "timestamp_ms": 1_704_196_860_000,
                "content": "Мы знаем, где ты живёшь. Подумай о семье.",
                "type": "Generic",
            }
        ],
        "title": "Иван Примеров",
        "thread_path": "inbox/qaraqurd_1234567890",
    }
    thread_dir = folder / "messages" / "inbox" / "qaraqurd_1234567890"
    thread_dir.mkdir(parents=True)
    (thread_dir / "message_1.json").write_bytes(json.dumps(thread).encode("ascii"))
    return folder


WHATSAPP = (
    "14/11/2023, 21:05 - Rəşad Uydurma: Salam, Nərgiz xanım. Bilirik harada yaşayırsınız.\n"
    "15/11/2023, 08:30 - Nərgiz Nümunəli: Bu mesajları saxlayıram.\n"
)
EMAIL = (
    b"From: Tural Uydurma <tural@threat.example>\r\n"
    b"To: Nergiz <nergiz@defender.example>\r\n"
    b"Subject: Son xeberdarliq\r\n"
    b"Date: Tue, 14 Nov 2023 21:05:00 +0400\r\n"
    b"Message-ID: <fictional-1@threat.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Yazilarini dayandir.\r\n"
)


def commands(p: Portable, inputs: Path) -> None:
    """The command-line session; ``inputs`` is a folder outside the stick (the host's files)."""
    root = p.root
    out = p.run("--help", passphrase=False)
    check("evault" in out and "export" in out, "--help does not list the commands")
    if os.name != "nt":
        out = p.run("--help", passphrase=False, program=root / "start-evault.sh")
        check("evault" in out, "start-evault.sh --help printed no help")
    # The compiled translations travel on the stick (vault/i18n/locale, collected by the build).
    out = p.run("--lang", "az", "--help", passphrase=False)
    check("istifadə:" in out and "seyf" in out, "--lang az --help is not in Azerbaijani")
    out = p.run("--lang", "ru", "--help", passphrase=False)
    check("использование:" in out, "--lang ru --help is not in Russian")

    p.passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")
    created = p.json("init")
    vault = root / "vaults" / "Evidence.evault"
    check(Path(created["vault"]).resolve() == vault.resolve(), f"vault not on the stick: {created}")
    check((vault / "vault.keys").is_file(), "init did not create vaults/Evidence.evault")
    check((root / "host").is_dir(), "portable mode did not create host/")

    picture = inputs / "smoke-picture.png"
    picture.write_bytes(png(96, 72))
    added = p.json("add", str(picture), "--title", "Smoke test picture", "--platform", "Telegram")
    picture_id = added[0]["item_id"]
    p.json(
        "add-message",
        "--platform",
        "WhatsApp",
        "--sender",
        "+000 000",
        "--sent",
        "2026-03-09T21:14",
        "--sent-tz",
        "Asia/Baku",
        stdin="Bilirik harada yaşayırsınız. Мы знаем, где ты живёшь.\n",
    )
    found = p.json("search", "harada", trace=False)
    check(len(found) == 1 and found[0]["kind"] == "message", f"search found {found}")
    check(len(p.json("list", trace=False)) == 2, "list does not show the two items")

    # A Russian report beside the English one: Babel's CLDR data writes its dates in words.
    exported = p.json("export", "--all", "--out", "smoke-bundle.zip", "--report-lang", "ru,en")
    bundle = root / "exports" / "smoke-bundle.zip"
    check(bundle.is_file(), "a relative --out did not land in exports/")
    check(Path(exported["path"]).resolve() == bundle.resolve(), f"bundle at {exported['path']}")
    identity = p.json("identity", trace=False)
    certificate = inputs / "certificate.html"
    p.run(
        "verify",
        str(bundle),
        "--key",
        identity["fingerprint"],
        "--certificate",
        str(certificate),
        passphrase=False,
        writes_to=inputs,
    )
    check(certificate.is_file(), "verify --certificate wrote no certificate")
    with zipfile.ZipFile(bundle) as opened:
        report = opened.read("report.html").decode("utf-8")
    dated = re.search(
        r"\d{4}\W?г\., \d\d:\d\d:\d\d UTC", report
    )  # "7 декабря 2026 г., 10:48:08 UTC"
    check('lang="ru"' in report and dated is not None, "report.html is not in Russian with dates")
    p.run("check", trace=False)

    # The remaining everyday commands, once each.
    note = p.json("add-note", "--case", "Smoke case", stdin="Zəng gəldi, nömrə gizli idi.\n")
    note_id = note["item_id"]
    p.run("show", note_id, trace=False)
    p.run("log", note_id, trace=False)
    p.run("edit", note_id, "--title", "Smoke note", "--reason", "smoke test")
    p.run("case", "new", "Second smoke case")
    p.run("case", "rename", "Second smoke case", "Renamed smoke case")
    check(len(p.json("case", trace=False)) == 2, "case does not list the two cases")
    taken = inputs / "taken-out.png"
    p.run("get", picture_id, "--out", str(taken), "--reason", "smoke test", writes_to=inputs)
    check(taken.read_bytes() == picture.read_bytes(), "get changed the bytes")
    p.run("rm", note_id, "--reason", "smoke test", "--yes")
    p.run("log", trace=False)

    lawyer_key = inputs / "lawyer.key"
    out = p.run(
        "recipient", "new", "--out", str(lawyer_key), "--json", passphrase=False, writes_to=inputs
    )
    recipient = json.loads(out)["recipient"]
    p.json("export", "--all", "--to", recipient, "--out", "smoke-bundle.zip.age")
    sealed = root / "exports" / "smoke-bundle.zip.age"
    check(sealed.is_file(), "the encrypted bundle did not land in exports/")
    p.run(
        "verify",
        str(sealed),
        "--identity",
        str(lawyer_key),
        "--decrypted-out",
        str(inputs / "decrypted.zip"),
        "--key",
        identity["fingerprint"],  # without it: intact, signer not confirmed (exit 4)
        passphrase=False,
        writes_to=inputs,
    )

    # Every importer; the Telegram photo is the same drawing as the added picture, but larger.
    folder = telegram_export(inputs / "ChatExport_2023-11-15", png(192, 144))
    summary = p.json("import", "telegram", str(folder), "--timezone", "Asia/Baku")
    check(summary["messages"] == 3, f"telegram import: {summary}")
    chat_file = inputs / "WhatsApp Chat with Rəşad.txt"
    chat_file.write_bytes(WHATSAPP.encode("utf-8"))
    summary = p.json("import", "whatsapp", str(chat_file), "--timezone", "Asia/Baku")
    check(summary["messages"] == 2, f"whatsapp import: {summary}")
    summary = p.json("import", "meta", str(meta_export(inputs / "facebook-nergiz")))
    check(summary["messages"] == 1, f"meta import: {summary}")
    eml = inputs / "threat.eml"
    eml.write_bytes(EMAIL)
    summary = p.json("import", "email", str(eml))
    check(summary["messages"] == 1, f"email import: {summary}")
    check(len(p.json("imports", trace=False)) == 4, "imports does not list the four imports")
    chats = p.json("chats", trace=False)
    check(len(chats) >= 3, f"chats lists {len(chats)} chats")
    page = p.json("chat", "5550001111", "--platform", "telegram", trace=False)
    check(len(page["messages"]) == 3, f"chat shows {len(page['messages'])} messages")

    similar = p.json("similar", picture_id)
    check(similar["hash"] is not None, "similar: the perceptual hash could not be computed")
    check(len(similar["matches"]) >= 2, f"similar did not find the re-posted photo: {similar}")
    csv = inputs / "hashes.csv"
    p.run("hashes", "--out", str(csv), writes_to=inputs)
    check(len(csv.read_text(encoding="utf-8").splitlines()) >= 3, "hashes wrote too few rows")
    # Recovery shares (SLIP-39: its word list is a data file the build must bundle).
    shares = p.json("recovery", "shares", "--out", "smoke-shares")
    pages = [str(root / "exports" / "smoke-shares" / Path(page).name) for page in shares["pages"]]
    check(len(pages) == 3, f"recovery shares wrote {len(pages)} pages")
    opened = ["--recovery-shares-file", pages[0], "--recovery-shares-file", pages[2], "list"]
    p.run(*opened, passphrase=False, trace=False)
    p.run("--recovery-shares-file", pages[1], "list", passphrase=False, trace=False, expect=2)
    p.run("check")


def strip_terminal_codes(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    text = re.sub(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", text)  # OSC
    text = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text)  # CSI
    return re.sub(r"\x1b[@-_]", "", text)


def terminal_app(p: Portable) -> None:
    """Start the app in a pseudo-terminal, unlock the vault, see the evidence, quit."""
    import fcntl  # noqa: PLC0415 - POSIX only
    import pty  # noqa: PLC0415
    import select  # noqa: PLC0415
    import termios  # noqa: PLC0415

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(p.env, TERM="xterm-256color", LANG="C.UTF-8")
    process = subprocess.Popen(  # noqa: S603
        p.traced([str(p.program)], "evault (the terminal app)"),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=p.root,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""

    def wait_for(text: str, seconds: float) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in strip_terminal_codes(seen):
                return
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the program ended
                    break
        tail = strip_terminal_codes(seen)[-1500:]
        raise SmokeFailure(f"the terminal app never showed '{text}'. It showed:\n{tail}")

    try:
        started = time.monotonic()
        wait_for("Unlock your evidence vault", 60)
        print(f"  terminal app: unlock screen after {time.monotonic() - started:.1f} s")
        time.sleep(0.5)
        os.write(master, PASSPHRASE.encode("utf-8"))
        time.sleep(0.3)
        os.write(master, b"\r")
        wait_for("Smoke test picture", 60)
        print("  terminal app: unlocked, the evidence list is shown")
        for key, title in (("s", "fingerprint: 30 digits"), ("i", "Import a chat or mail export")):
            time.sleep(0.5)
            os.write(master, key.encode())
            wait_for(title, 30)
            time.sleep(0.3)
            os.write(master, b"\x1b")  # Escape: back to the evidence list
        print("  terminal app: the settings and import screens open")
        time.sleep(0.5)
        os.write(master, b"\x11")  # Ctrl+Q
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        check(code == 0, f"the terminal app exited with {code}")
        text = strip_terminal_codes(seen)
        check("Traceback" not in text and "Something went wrong" not in text, text[-1500:])
    except subprocess.TimeoutExpired:
        raise SmokeFailure("the terminal app did not quit on Ctrl+Q") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def final_checks(p: Portable) -> None:
    root = p.root
    caches = [
        str(c)
        for c in (*root.rglob("__pycache__"), *root.rglob("*.pyc"))
        if c.relative_to(root) not in p.shipped
    ]
    check(not caches, f"Python caches were written into the portable folder: {caches[:5]}")
    left_home = list(p.home.iterdir())
    check(not left_home, f"something was written into HOME: {left_home[:5]}")
    left_tmp = list(p.tmp.iterdir())
    check(not left_tmp, f"something was written into the host's temp folder: {left_tmp[:5]}")
    for path in (root / "vaults" / "Evidence.evault", root / "exports" / "smoke-bundle.zip"):
        check(inside(path, root), f"{path} is outside the portable folder")
    check(not any((root / "program").rglob("*.evault")), "a vault was created inside program/")
    for label, prefix, allowed in p.traces:
        files = sorted(prefix.parent.glob(prefix.name + ".*"))
        check(bool(files), f"strace wrote no trace for '{label}'")
        places = (root, Path("/dev"), *allowed)
        for trace_file in files:
            outside = [
                path
                for path in written_paths(trace_file, root)
                if not any(inside(path, place) for place in places)
            ]
            check(not outside, f"'{label}' wrote outside the portable folder: {outside[:5]}")
    if p.traces:
        print(f"  strace: {len(p.traces)} runs wrote nothing outside the portable folder")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the portable folder build_portable.py made")
    parser.add_argument(
        "--in-place", action="store_true", help="test the folder itself instead of a copy"
    )
    parser.add_argument("--no-app", action="store_true", help="skip the terminal app test")
    args = parser.parse_args(argv)
    built: Path = args.folder.resolve()
    if not built.is_dir():
        print(f"smoke test FAILED: {built} is not a folder", file=sys.stderr)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="evault-smoke-") as scratch_name:
        scratch = Path(scratch_name)
        home, tmp, inputs = scratch / "home", scratch / "tmp", scratch / "host files"
        for folder in (home, tmp, inputs):
            folder.mkdir()
        if args.in_place:
            root = built
        else:
            root = scratch / "USB stick ş" / built.name
            shutil.copytree(built, root, symlinks=True)
        p = Portable(root, home, tmp)
        p.trace_dir = scratch / "traces"
        p.trace_dir.mkdir()
        print(f"smoke test: {root}")
        try:
            check_layout(root, p.program)
            commands(p, inputs)
            if os.name != "nt" and not args.no_app:
                terminal_app(p)
            p.passphrase_file.unlink()
            final_checks(p)
        except SmokeFailure as failure:
            print(f"smoke test FAILED: {failure}", file=sys.stderr)
            return 1
        finally:
            p.passphrase_file.unlink(missing_ok=True)
    print(f"smoke test passed ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
