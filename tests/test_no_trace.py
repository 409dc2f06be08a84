"""The no-trace proof for portable mode: a whole session under ``strace`` writes only to the stick.

A trainer runs evault from a USB stick on a borrowed computer; afterwards nothing on that computer
may show that evault ran or what it handled. This test runs a real session in portable mode, each
command in its own process under ``strace -f`` (which sees every system call of the program and of
any thread or child it starts): create a vault, add two files, add a message, import a WhatsApp
chat, search, show, list, take a copy out, export a bundle, verify it, check the vault, read the
custody log, and then the terminal app in a pseudo-terminal (unlock, list, search, quit).

It fails if any file outside the portable folder is opened for writing, created, renamed, linked,
truncated, deleted or has its permissions, owner or times changed (even a failed attempt: it shows
the program tried), or if any network socket is made or a host service is contacted over a Unix
socket. The rules, and the few paths that are not traces (/dev/null, the terminal, the process's
own /proc entries), are in tests/strace_check.py. It also checks afterwards that the host's home,
temp and current folders are still empty, the evidence's source folder is unchanged, and no
bytecode cache appeared in the program's source folders.

The commands get the environment of a plain host user: HOME and TMPDIR point to empty folders
outside the stick (SQLITE_TMPDIR, TEMP, TMP and XDG_* too, as traps), and PYTHONDONTWRITEBYTECODE is
NOT set: the program must avoid bytecode writes itself. ``python -B`` is what the launcher passes
when running from source (the frozen build has no bytecode to write).

strace is needed. Locally the test skips without it; CI sets EVAULT_REQUIRE_STRACE=1 (.ci/run), so
there a missing or unusable strace fails the test instead of silently skipping the proof.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.strace_check import Checker, check_logs, parse_log

# Slow: real processes, terminals or the whole app; left out of the fast loop (-m 'not slow').
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = ("vault", "tui", "crypto")
STRACE_OPTIONS = (
    "-f",  # every thread and child process
    "-qq",  # no "attached"/"exited" chatter
    "-y",  # print the path behind every descriptor: relative *at() paths can be resolved
    "-e",
    "trace=%file,%network,%desc,%process",
    "-e",
    "signal=none",
)
MESSAGE = (
    "Səni izləyirik. Harada yaşadığını bilirik, yazılarını dayandır.\n"
    "Мы знаем, где ты живёшь. Подумай о семье.\n"
)
SEARCH_WORD = "izleyirik"  # ASCII: finds "izləyirik" in the message only (docs/format.md §3.2)
WHATSAPP = (
    "14/11/2023, 21:05 - Rəşad Uydurma: Salam, Nərgiz xanım. Bilirik harada yaşayırsınız.\n"
    "14/11/2023, 21:06 - Rəşad Uydurma: Yazılarınızı dayandırın.\n"
    "15/11/2023, 08:30 - Nərgiz Nümunəli: Bu mesajları saxlayıram.\n"
)
# Generous on purpose: a deadline is reached only when something is broken, never because the
# machine is busy (every wait below is for a condition, none is a fixed sleep).
TIMEOUT = 300


# ---------------------------------------------------------------------- strace available?


def _strace() -> str:
    """The strace program, or skip (fail in CI, where the proof must run)."""
    required = os.environ.get("EVAULT_REQUIRE_STRACE") == "1"
    found = shutil.which("strace")
    problem = None
    if found is None:
        problem = "strace is not installed (apt-get install strace)"
    else:
        probe = subprocess.run(
            [found, "-o", os.devnull, "--", "true"], capture_output=True, check=False
        )
        if probe.returncode != 0:
            problem = f"strace cannot trace here: {probe.stderr.decode(errors='replace').strip()}"
    if problem is not None:
        if required:
            pytest.fail(f"{problem}; EVAULT_REQUIRE_STRACE=1 asks for the no-trace proof")
        pytest.skip(f"{problem}: the no-trace proof runs in CI (EVAULT_REQUIRE_STRACE=1)")
    assert found is not None
    return found


# ---------------------------------------------------------------------- the session


@dataclass
class Step:
    """One traced command: its label, exit code, output and strace log."""

    label: str
    returncode: int
    stdout: str
    stderr: str
    log: Path


@dataclass
class Session:
    stick: Path
    home: Path
    tmp: Path
    cwd: Path
    source: Path
    source_before: dict[str, bytes]
    pyc_before: dict[str, int]
    evidence: dict[str, bytes]
    steps: list[Step] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)

    def step(self, label: str) -> Step:
        (found,) = [s for s in self.steps if s.label == label]
        return found


def _tiny_png() -> bytes:
    """An 8x8 grey-gradient PNG made by hand (a 'screenshot'; pictures take the imaging path)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes((x * 32 + y * 4) % 256 for x in range(8)) for y in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)  # 8x8, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _env(session: Session, term: str) -> dict[str, str]:
    """A plain host user's environment; every home, config and temp variable is a trap."""
    home, tmp = str(session.home), str(session.tmp)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TERM": term,
        "HOME": home,
        "TMPDIR": tmp,
        "TEMP": tmp,
        "TMP": tmp,
        "SQLITE_TMPDIR": tmp,  # not redirected by portable mode: SQLite must not need it
        "XDG_CONFIG_HOME": f"{home}/.config",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_DATA_HOME": f"{home}/.local/share",
        "XDG_STATE_HOME": f"{home}/.local/state",
        "PYTHONPATH": str(ROOT),
    }


def _command(strace: str, log: Path, session: Session, *args: str) -> list[str]:
    return [
        strace,
        *STRACE_OPTIONS,
        "-o",
        str(log),
        "--",
        sys.executable,
        "-B",
        "-m",
        "tui",
        "--portable",
        str(session.stick),
        *args,
    ]


def _run(
    strace: str,
    session: Session,
    label: str,
    *args: str,
    stdin: str = "",
    ok: tuple[int, ...] = (0,),
) -> Step:
    log = session.stick.parent / "logs" / f"{len(session.steps):02d}-{label}.strace"
    passphrase = ("--passphrase-file", str(session.stick / "pass.txt"))
    proc = subprocess.run(
        _command(strace, log, session, *passphrase, *args),
        input=stdin.encode("utf-8"),
        capture_output=True,
        env=_env(session, "dumb"),
        cwd=session.cwd,
        timeout=TIMEOUT,
        start_new_session=True,  # no controlling terminal: nothing can be typed or asked
        check=False,
    )
    step = Step(
        label, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"), log
    )
    session.steps.append(step)
    assert proc.returncode in ok, f"{label} exited {proc.returncode}: {step.stderr}"
    assert "Traceback" not in step.stderr
    return step


def _pyc_files() -> dict[str, int]:
    return {
        str(p): p.stat().st_mtime_ns
        for folder in SOURCE_FOLDERS
        for p in (ROOT / folder).rglob("*.pyc")
    }


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Run the whole portable session once; the tests below judge what it did."""
    strace = _strace()
    base = tmp_path_factory.mktemp("no-trace")
    stick, home, tmp, cwd, source = (
        base / name for name in ("stick", "host-home", "host-tmp", "host-cwd", "evidence")
    )
    for folder in (stick, home, tmp, cwd, source, base / "logs"):
        folder.mkdir()
    (stick / "evault-portable.txt").write_text("evault portable folder (test)\n", "utf-8")
    (stick / "pass.txt").write_text(PASSPHRASE + "\n", "utf-8")
    evidence = {
        "xəbərdarlıq.txt": "Son xəbərdarlıq: yazını sil, yoxsa peşman olacaqsan.\n".encode(),
        "ekran-şəkli.png": _tiny_png(),
        "WhatsApp Chat with Rəşad.txt": WHATSAPP.encode(),
    }
    for name, data in evidence.items():
        (source / name).write_bytes(data)
    s = Session(stick, home, tmp, cwd, source, _snapshot(source), _pyc_files(), evidence)

    created = _run(strace, s, "init", "init", "--json")
    added = _run(
        strace,
        s,
        "add",
        "add",
        str(source / "xəbərdarlıq.txt"),
        str(source / "ekran-şəkli.png"),
        "--platform",
        "Telegram",
        "--sender",
        "@qara_qurd_fiktiv",
        "--json",
    )
    results = json.loads(added.stdout)
    s.ids["text"], s.ids["picture"] = (r["item_id"] for r in results)
    message = _run(
        strace,
        s,
        "add-message",
        "add-message",
        "--platform",
        "Telegram",
        "--sender",
        "@qara_qurd_fiktiv",
        "--sent",
        "2026-03-09T21:14+04:00",
        "--json",
        stdin=MESSAGE,
    )
    s.ids["message"] = json.loads(message.stdout)["item_id"]
    _run(
        strace,
        s,
        "import",
        "import",
        "whatsapp",
        str(source / "WhatsApp Chat with Rəşad.txt"),
        "--timezone",
        "Asia/Baku",
        "--json",
    )
    _run(strace, s, "search", "search", SEARCH_WORD, "--json")
    _run(strace, s, "show", "show", s.ids["message"])
    _run(strace, s, "list", "list")
    _run(strace, s, "get", "get", s.ids["text"], "--out", "copy.txt", "--reason", "for the lawyer")
    _run(strace, s, "export", "export", "--all", "--out", "bundle.zip", "--note", "test bundle")
    fingerprint = json.loads(created.stdout)["fingerprint"]
    _run(strace, s, "verify", "verify", "bundle.zip", "--key", fingerprint)  # found in exports/
    _run(strace, s, "check", "check")
    _run(strace, s, "log", "log")
    _terminal_app(strace, s)
    return s


# ---------------------------------------------------------------------- the terminal app


_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|.)")


class _Terminal:
    """The master side of a pseudo-terminal: read what the app draws, type keys."""

    def __init__(self, fd: int, pid: int) -> None:
        self.fd = fd
        self.pid = pid
        self.raw = bytearray()
        self.seen = 0  # how much of the (escape-free) screen text earlier waits consumed
        self.status: int | None = None

    def text(self) -> str:
        return _ESCAPES.sub("", self.raw.decode("utf-8", errors="replace"))

    def _pump(self, timeout: float) -> bool:
        """Read what is there; False once the app has closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: every process on the terminal has closed it
            return False
        self.raw += data
        return bool(data)

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> str:
        """Wait until ``pattern`` (a regex) is drawn after what earlier waits matched."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.text()[self.seen :])
            if match is not None:
                self.seen += match.end()
                return match.group(0)
            if not self._pump(0.1):
                break
        tail = self.text()[-1500:]
        raise AssertionError(f"the app never showed {pattern!r}; the screen ended with:\n{tail}")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode("utf-8"))

    def wait_exit(self, timeout: float = TIMEOUT) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            self._pump(0.1)
        return None


@contextlib.contextmanager
def _in_terminal(argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[_Terminal]:
    """Start ``argv`` on a new 80x24 pseudo-terminal (its controlling terminal, as in real use)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes strace, which starts evault
        try:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)  # noqa: S606 - our own fixed argv, no shell wanted
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    terminal = _Terminal(fd, pid)
    try:
        yield terminal
    finally:
        if terminal.status is None and terminal.wait_exit(0) is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # strace and evault: the group we started
            os.waitpid(pid, 0)
        os.close(fd)


def _terminal_app(strace: str, s: Session) -> None:
    log = s.stick.parent / "logs" / f"{len(s.steps):02d}-ui.strace"
    argv = _command(strace, log, s, "ui")
    with _in_terminal(argv, _env(s, "xterm-256color"), s.cwd) as screen:
        screen.wait_for("Unlock your evidence vault")
        screen.type(PASSPHRASE + "\r")
        screen.wait_for(r"\d+ items · sorted by")
        screen.type("/")
        screen.wait_for("Type words to search")  # the search field has the focus: say it
        screen.type(SEARCH_WORD)
        screen.wait_for(r"\b1 item · sorted by")
        screen.type("\x11")  # ctrl+q
        code = screen.wait_exit()
        s.steps.append(Step("ui", -1 if code is None else code, screen.text(), "", log))
    assert code == 0, f"the app did not quit cleanly after ctrl+q (exit {code})"


# ---------------------------------------------------------------------- the proof


def test_the_session_really_did_the_work(session: Session) -> None:
    """The proof means something only if every step ran and wrote where it should."""
    exports = session.stick / "exports"
    assert (exports / "copy.txt").read_bytes() == session.evidence["xəbərdarlıq.txt"]
    assert (exports / "bundle.zip").is_file()
    found = json.loads(session.step("search").stdout)
    assert [item["id"] for item in found] == [session.ids["message"]]
    assert "\nVERIFIED: all" in session.step("verify").stdout
    imported = json.loads(session.step("import").stdout)
    assert imported["messages"] == 3
    assert session.step("ui").returncode == 0
    assert sorted(p.name for p in (session.stick / "vaults").iterdir()) == ["Evidence.evault"]


def test_nothing_is_written_outside_the_portable_folder(session: Session) -> None:
    report = check_logs(
        ((step.label, step.log.read_text("utf-8", errors="replace")) for step in session.steps),
        [session.stick],
        str(session.cwd),
    )
    # The logs really show the program's writes: a checker that sees nothing proves nothing.
    vault = session.stick / "vaults" / "Evidence.evault"
    for expected in (vault / "vault.db", session.stick / "exports" / "bundle.zip"):
        assert str(expected.resolve()) in report.allowed_writes, expected
    assert report.calls > 10_000
    assert not report.findings, (
        f"{len(report.findings)} trace(s) outside {session.stick}:\n{report.describe()}"
    )


def test_host_home_temp_and_current_folders_stay_empty(session: Session) -> None:
    for folder in (session.home, session.tmp, session.cwd):
        assert list(folder.rglob("*")) == [], folder
    assert _snapshot(session.source) == session.source_before  # the originals are untouched


def test_no_bytecode_cache_written_into_the_program(session: Session) -> None:
    assert _pyc_files() == session.pyc_before
    assert not list(session.stick.rglob("__pycache__"))


# ---------------------------------------------------------------------- the checker itself


STICK = "/media/stick"
OUTSIDE_LINES = [
    '101 openat(AT_FDCWD</home/user>, "/home/user/.cache/evault.log", O_WRONLY|O_CREAT|O_APPEND'
    "|O_CLOEXEC, 0666) = 3</home/user/.cache/evault.log>",
    '101 rename("/tmp/a.part", "/tmp/a") = 0',
    '101 unlinkat(AT_FDCWD</home/user>, "notes.txt", 0) = 0',
    "101 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 4<socket:[555]>",
    '101 mkdir("cache", 0777) = 0',  # relative: against the current folder /home/user
    "101 ftruncate(5</var/tmp/x.db>, 0) = 0",
    '101 openat(AT_FDCWD</home/user>, "/etc/evault.conf", O_RDWR) = -1 EACCES (Permission denied)',
    '101 openat(7</home/user/.config>, "evault", O_RDONLY|O_CREAT, 0600) = 8</home/user/.config/evault>',
    '101 connect(6<socket:[777]>, {sa_family=AF_UNIX, sun_path="/run/systemd/journal/socket"}, 110) = 0',
    '101 openat(AT_FDCWD</media/stick>, "link", O_WRONLY|O_CREAT, 0600) = 9</home/user/escaped>',
    '101 renameat2(AT_FDCWD</media/stick>, "a", 3</home/user>, "b", RENAME_NOREPLACE) = 0',
    "101 utimensat(4</home/user/photo.png>, NULL, NULL, 0) = 0",
    '101 mkdir("/tmp/\\321\\217", 0700) = 0',
]
INSIDE_LINES = [
    '101 openat(AT_FDCWD</home/user>, "/media/stick/vaults/v/vault.db", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 3</media/stick/vaults/v/vault.db>',
    '101 openat(AT_FDCWD</home/user>, "/dev/null", O_WRONLY|O_CLOEXEC) = 3</dev/null>',
    '101 openat(AT_FDCWD</home/user>, "/dev/tty", O_RDWR|O_NOCTTY) = 3</dev/pts/4>',
    '101 rename("/media/stick/vaults/v/vault.keys.new", "/media/stick/vaults/v/vault.keys") = 0',
    '101 unlinkat(3</media/stick/exports>, "old.zip", 0) = 0',
    '101 openat(AT_FDCWD</home/user>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>',
    '101 openat(AT_FDCWD</home/user>, "/home/user/.evault", O_RDONLY) = -1 ENOENT (No such file or directory)',
    "101 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [5<socket:[1]>, 6<socket:[2]>]) = 0",
    "101 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 7<socket:[3]>",
    '101 write(1<pipe:[4242]>, "hello", 5) = 5',
    '101 openat(AT_FDCWD</home/user>, "/proc/self/oom_score_adj", O_WRONLY) = 3</proc/101/oom_score_adj>',
    '101 chdir("/media/stick") = 0',
    '101 mkdir("host/tmp", 0777) = 0',  # relative again, now against the stick
]


def _check(lines: list[str]) -> list[str]:
    checker = Checker([STICK], "/home/user")
    return [f.line for f in checker.check(parse_log("\n".join(lines))).findings]


def test_checker_flags_each_trace_outside() -> None:
    flagged = _check(OUTSIDE_LINES)
    for line in OUTSIDE_LINES:
        assert line in flagged, line


def test_checker_accepts_the_stick_devices_and_reads() -> None:
    assert _check(INSIDE_LINES) == []


def test_checker_reads_paths_and_joins_split_lines() -> None:
    lines = [
        '7 openat(AT_FDCWD</w>, "/home/u/\\321\\217.txt", O_WRONLY|O_CREAT <unfinished ...>',
        "8 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP <unfinished ...>",
        "7 <... openat resumed>, 0666) = 3</home/u/\\321\\217.txt>",
        "8 <... socket resumed>) = 4<socket:[9]>",
        "7 +++ exited with 0 +++",
    ]
    report = Checker([STICK], "/w").check(parse_log("\n".join(lines)))
    assert sorted({(f.kind, f.path) for f in report.findings}) == [
        ("network", "socket AF_INET6"),
        ("write", "/home/u/я.txt"),  # octal escapes \321\217 are the UTF-8 bytes of "я"
    ]


def test_checker_follows_forks_and_current_folders() -> None:
    lines = [
        '1 chdir("/media/stick") = 0',
        "1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 2",
        '1 chdir("/home/user") = 0',
        '2 mkdir("inside", 0700) = 0',  # the child kept the stick as its folder
        '1 mkdir("outside", 0700) = 0',
    ]
    flagged = _check(lines)
    assert flagged == ['1 mkdir("outside", 0700) = 0']
