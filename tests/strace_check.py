"""Read ``strace -f -y`` logs and list every trace a process left outside the folders it may use.

Used by tests/test_no_trace.py, the proof that portable mode writes nothing on the host. The logs
must come from ``strace -f -y -e trace=%file,%network,%desc,%process``: ``-y`` makes strace print
the path behind every file descriptor (``3</stick/vault.db>``, ``AT_FDCWD</cwd>``), so a path
given relative to a directory descriptor, or written through a descriptor, is still known.
``%process`` shows forks and clones, so a relative path given to ``mkdir``/``rename``/``unlink``
(which carry no directory descriptor) is resolved against the right current folder.

What counts as a trace:

- a file opened for writing (``O_WRONLY``, ``O_RDWR``, ``O_CREAT``, ``O_TRUNC``, ``O_APPEND``,
  ``O_TMPFILE``), created, renamed, linked, deleted, truncated, given new permissions, owner,
  times or extended attributes, or a device node made;
- a write through a descriptor that names a file outside (only possible with an inherited one);
- any socket other than ``AF_UNIX``, and any ``AF_UNIX`` ``connect``/``bind``/``sendto``/``sendmsg``
  with an address: talking to a host service (journald, nscd, D-Bus) can leave a line in the
  host's logs, and binding a named socket creates a file.

A *failed* attempt counts too: ``openat(..., O_WRONLY|O_CREAT) = -1 EACCES`` created nothing, but
it shows that the program tried to write there, which is the bug we are looking for. Read-only
probes that fail (``ENOENT`` on ``O_RDONLY``) are of course fine.

Writes that leave nothing on any disk are not traces and are allowed everywhere:

- ``/dev/null`` (discarded output), ``/dev/tty``, ``/dev/ptmx`` and ``/dev/pts/*`` (the
  terminal the program draws on);
- ``/proc/self/*``, ``/proc/thread-self/*`` and ``/proc/<pid>/*``: kernel state of the process
  itself (e.g. ``oom_score_adj``, ``comm``), gone when it exits.

``/dev/shm`` is NOT allowed: it is a RAM disk shared with every other process and survives the
program (a file left there is found by the next user until reboot).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_LINE = re.compile(r"^(?P<pid>\d+) +(?P<rest>.*)$")
_UNFINISHED = " <unfinished ...>"
_RESUMED = re.compile(r"^<\.\.\. (?P<name>\w+) resumed>(?P<tail>.*)$")
_CALL = re.compile(r"^(?P<name>\w+)\(")
_FD = re.compile(r"^(?:-?\d+|AT_FDCWD)<(?P<path>.*)>$", re.DOTALL)
_RESULT = re.compile(r"^= (?P<value>-?\d+|\?|0x[0-9a-f]+)(?:<(?P<path>.*)>)?")
_WRITE_FLAGS = frozenset({"O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND", "O_TMPFILE"})
_FAMILY = re.compile(r"\b(?:sa_family=)?(AF_\w+)")

# name -> the (directory-descriptor argument or None, path argument) pairs the call writes.
# A directory-descriptor argument with no path argument (None) means "the descriptor itself".
_PATH_WRITES: dict[str, tuple[tuple[int | None, int], ...]] = {
    "creat": ((None, 0),),
    "mkdir": ((None, 0),),
    "mkdirat": ((0, 1),),
    "rename": ((None, 0), (None, 1)),
    "renameat": ((0, 1), (2, 3)),
    "renameat2": ((0, 1), (2, 3)),
    "unlink": ((None, 0),),
    "unlinkat": ((0, 1),),
    "rmdir": ((None, 0),),
    "truncate": ((None, 0),),
    "truncate64": ((None, 0),),
    "link": ((None, 1),),
    "linkat": ((2, 3),),
    "symlink": ((None, 1),),
    "symlinkat": ((1, 2),),
    "chmod": ((None, 0),),
    "fchmodat": ((0, 1),),
    "fchmodat2": ((0, 1),),
    "chown": ((None, 0),),
    "lchown": ((None, 0),),
    "fchownat": ((0, 1),),
    "utime": ((None, 0),),
    "utimes": ((None, 0),),
    "futimesat": ((0, 1),),
    "utimensat": ((0, 1),),
    "mknod": ((None, 0),),
    "mknodat": ((0, 1),),
    "setxattr": ((None, 0),),
    "lsetxattr": ((None, 0),),
    "removexattr": ((None, 0),),
    "lremovexattr": ((None, 0),),
}
# Calls that change the file behind their first argument, a descriptor.
_FD_WRITES = frozenset(
    {
        "ftruncate",
        "ftruncate64",
        "fchmod",
        "fchown",
        "fallocate",
        "fsetxattr",
        "fremovexattr",
        "write",
        "writev",
        "pwrite64",
        "pwritev",
        "pwritev2",
    }
)
_OPENS = {"open": (None, 0, 1), "openat": (0, 1, 2), "openat2": (0, 1, 2)}
_CLONES = frozenset({"clone", "clone3", "fork", "vfork"})
_ADDRESSED = frozenset({"connect", "bind", "sendto", "sendmsg"})


@dataclass(frozen=True)
class Syscall:
    """One finished system call, its unfinished and resumed halves joined."""

    pid: int
    name: str
    args: tuple[str, ...]
    result: str
    line: str

    @property
    def failed(self) -> bool:
        return self.result.startswith("= -1 ")

    @property
    def result_path(self) -> str | None:
        """The path strace printed for a returned descriptor (``= 3</stick/vault.db>``)."""
        match = _RESULT.match(self.result)
        if match is None or match.group("path") is None:
            return None
        return _clean_fd_path(decode_escapes(match.group("path")))


@dataclass(frozen=True)
class Finding:
    """A trace left outside the allowed folders: what kind, where, and the log line."""

    kind: str  # "write" or "network"
    path: str
    line: str


@dataclass
class Report:
    """What a set of logs shows: the traces outside, and the writes inside (proof of tracing)."""

    findings: list[Finding] = field(default_factory=list)
    allowed_writes: set[str] = field(default_factory=set)
    calls: int = 0

    def describe(self, limit: int = 30) -> str:
        lines = [f"{f.kind} outside the portable folder: {f.line}" for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"... and {len(self.findings) - limit} more")
        return "\n".join(lines)


# ---------------------------------------------------------------------- parsing


def decode_escapes(text: str) -> str:
    r"""Undo strace's quoting (``\"``, ``\\``, ``\n``, octal ``\321\217``, hex ``\xd1``)."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, "e": 27}
    while i < len(text):
        ch = text[i]
        if ch != "\\" or i + 1 == len(text):
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "x" and re.match(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]):
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        elif nxt in "01234567":
            digits = re.match(r"[0-7]{1,3}", text[i + 1 : i + 4])
            assert digits is not None
            out.append(int(digits.group(0), 8) & 0xFF)
            i += 1 + len(digits.group(0))
        else:
            out += nxt.encode("utf-8", "surrogateescape")
            i += 2
    return os.fsdecode(bytes(out))


def _clean_fd_path(path: str) -> str:
    return path.removesuffix(" (deleted)")


def _scan_call(text: str) -> tuple[list[str], str] | None:
    """Split ``args) = result`` (text after the opening parenthesis) into arguments and result.

    Commas inside quotes, brackets and strace's ``<...>`` descriptor annotations do not split.
    Returns None when the closing parenthesis is missing (a line cut off by a killed process).
    """
    args: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "<":
            i += 1
            while i < len(text) and text[i] != ">":
                i += 2 if text[i] == "\\" else 1
        elif ch in "([{":
            depth += 1
        elif ch in "}])":
            if depth == 0:  # the call's own closing parenthesis
                last = text[start:i].strip()
                if last or args:
                    args.append(last)
                return args, text[i + 1 :].strip()
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    return None


def parse_log(text: str) -> list[Syscall]:
    """Every finished system call in a ``strace -f`` log, in order."""
    pending: dict[int, str] = {}
    calls: list[Syscall] = []
    for raw in text.splitlines():
        match = _LINE.match(raw)
        if match is None:
            continue
        pid = int(match.group("pid"))
        rest = match.group("rest")
        if rest.endswith(_UNFINISHED):
            pending[pid] = rest.removesuffix(_UNFINISHED)
            continue
        resumed = _RESUMED.match(rest)
        if resumed is not None:
            head = pending.pop(pid, None)
            if head is None:
                continue  # the start was before the log began: nothing to judge
            rest = head + resumed.group("tail")
        call = _CALL.match(rest)
        if call is None:
            continue  # "+++ exited +++", "--- SIGCHLD ---" and similar
        scanned = _scan_call(rest[call.end() :])
        if scanned is None:
            continue
        args, result = scanned
        calls.append(Syscall(pid, call.group("name"), tuple(args), result, f"{pid} {rest}"))
    return calls


def string_arg(arg: str) -> str | None:
    """The path in a quoted argument (``"/a/b"`` or a truncated ``"/a/b"...``), else None."""
    if not arg.startswith('"'):
        return None
    end = len(arg) - 3 if arg.endswith('"...') else len(arg) - 1
    if end < 1 or arg[end] != '"':
        return None
    return decode_escapes(arg[1:end])


def fd_arg(arg: str) -> str | None:
    """The path strace printed for a descriptor argument (``5</dir>``, ``AT_FDCWD</cwd>``)."""
    match = _FD.match(arg)
    return _clean_fd_path(decode_escapes(match.group("path"))) if match else None


# ---------------------------------------------------------------------- checking


@dataclass
class _Cwd:
    """Current folders per process, following clones (``CLONE_FS`` shares the folder)."""

    initial: str
    groups: dict[int, int] = field(default_factory=dict)
    folders: dict[int, str] = field(default_factory=dict)

    def get(self, pid: int) -> str:
        return self.folders.get(self.groups.get(pid, -1), self.initial)

    def set(self, pid: int, folder: str) -> None:
        self.groups.setdefault(pid, pid)
        self.folders[self.groups[pid]] = folder

    def clone(self, parent: int, child: int, shares: bool) -> None:
        if shares:
            self.groups[child] = self.groups.setdefault(parent, parent)
        else:
            self.groups[child] = child
            self.folders[child] = self.get(parent)


class Checker:
    """Decides, for each logged call, whether it left a trace outside the allowed folders."""

    def __init__(self, allowed: Iterable[str | os.PathLike[str]], cwd: str) -> None:
        roots: set[str] = set()
        for folder in allowed:
            roots.add(os.path.normpath(os.fspath(folder)))
            roots.add(os.path.realpath(folder))
        self.roots = sorted(roots)
        self.cwd = _Cwd(os.path.normpath(cwd))

    def allowed(self, path: str) -> bool:
        """Inside an allowed folder, or a device or process file that leaves nothing on disk."""
        path = os.path.normpath(path)
        if any(path == root or path.startswith(root.rstrip("/") + "/") for root in self.roots):
            return True
        if path in {"/dev/null", "/dev/tty", "/dev/ptmx"} or path.startswith("/dev/pts/"):
            return True
        return re.match(r"^/proc/(self|thread-self|\d+)/", path) is not None

    def check(self, calls: Sequence[Syscall], report: Report | None = None) -> Report:
        report = report or Report()
        for call in calls:
            report.calls += 1
            self._follow_cwd(call)
            for kind, path in self._traces(call):
                if self.allowed(path):
                    if kind == "write":
                        report.allowed_writes.add(os.path.normpath(path))
                else:
                    report.findings.append(Finding(kind, path, call.line))
        return report

    def _follow_cwd(self, call: Syscall) -> None:
        if call.failed:
            return
        if call.name in _CLONES:
            child = re.match(r"^= (\d+)", call.result)
            if child is not None and int(child.group(1)) > 0:
                shares = call.name in {"clone", "clone3"} and "CLONE_FS" in " ".join(call.args)
                self.cwd.clone(call.pid, int(child.group(1)), shares)
        elif call.name == "chdir" and call.args:
            folder = string_arg(call.args[0])
            if folder is not None:
                self.cwd.set(call.pid, self._resolve(call.pid, None, folder))
        elif call.name == "fchdir" and call.args:
            folder = fd_arg(call.args[0])
            if folder is not None and folder.startswith("/"):
                self.cwd.set(call.pid, folder)

    def _resolve(self, pid: int, dirfd: str | None, path: str) -> str:
        if path.startswith("/"):
            return os.path.normpath(path)
        base = fd_arg(dirfd) if dirfd is not None else None
        if base is None or not base.startswith("/"):
            base = self.cwd.get(pid)  # no annotation: the process's current folder
        return os.path.normpath(os.path.join(base, path))

    def _arg(self, call: Syscall, index: int | None) -> str | None:
        if index is None or index >= len(call.args):
            return None
        return call.args[index]

    def _traces(self, call: Syscall) -> list[tuple[str, str]]:
        name = call.name
        if name in _OPENS:
            return self._open_traces(call)
        if name in _PATH_WRITES:
            found = []
            for dir_index, path_index in _PATH_WRITES[name]:
                dirfd = self._arg(call, dir_index)
                raw = self._arg(call, path_index)
                path = string_arg(raw) if raw is not None else None
                if path is None and dirfd is not None and name == "utimensat":
                    target = fd_arg(dirfd)  # utimensat(fd, NULL, ...): the descriptor itself
                    if target is not None and target.startswith("/"):
                        found.append(("write", target))
                    continue
                if path is not None:
                    found.append(("write", self._resolve(call.pid, dirfd, path)))
            return found
        if name in _FD_WRITES:
            target = fd_arg(call.args[0]) if call.args else None
            if target is not None and target.startswith("/"):
                return [("write", target)]
            return []
        if name == "socket":
            family = call.args[0] if call.args else "?"
            if family not in {"AF_UNIX", "AF_LOCAL"}:
                return [("network", f"socket {family}")]
            return []
        if name in _ADDRESSED:
            return self._address_traces(call)
        return []

    def _open_traces(self, call: Syscall) -> list[tuple[str, str]]:
        dir_index, path_index, flags_index = _OPENS[call.name]
        raw = self._arg(call, path_index)
        flags_text = self._arg(call, flags_index) or ""
        flags = set(re.findall(r"O_[A-Z]+", flags_text))
        if raw is None or not flags & _WRITE_FLAGS:
            return []
        path = string_arg(raw)
        if path is None:
            return []
        named = self._resolve(call.pid, self._arg(call, dir_index), path)
        found = [("write", named)]
        opened = call.result_path  # where it really landed, after following symbolic links
        if opened is not None and opened.startswith("/") and os.path.normpath(opened) != named:
            found.append(("write", opened))
        return found

    def _address_traces(self, call: Syscall) -> list[tuple[str, str]]:
        text = ", ".join(call.args[1:])
        family = _FAMILY.search(text)
        if family is None:
            return []  # no address given: a connected socket, judged when it was made
        if family.group(1) not in {"AF_UNIX", "AF_LOCAL"}:
            return [("network", f"{call.name} {family.group(1)}")]
        sun = re.search(r'sun_path=(@?)("(?:[^"\\]|\\.)*")', text)
        where = string_arg(sun.group(2)) if sun else None
        if call.name == "bind" and sun is not None and not sun.group(1) and where:
            return [("write", self._resolve(call.pid, None, where))]  # bind creates a file
        return [("network", f"{call.name} AF_UNIX {where or '(unnamed)'}")]


def check_logs(
    logs: Iterable[tuple[str, str]], allowed: Iterable[str | os.PathLike[str]], cwd: str
) -> Report:
    """Check several ``(label, log text)`` pairs (one per command); lines are prefixed by label."""
    allowed = list(allowed)
    report = Report()
    for label, text in logs:
        checker = Checker(allowed, cwd)
        part = checker.check(parse_log(text))
        report.calls += part.calls
        report.allowed_writes |= part.allowed_writes
        report.findings += [Finding(f.kind, f.path, f"[{label}] {f.line}") for f in part.findings]
    return report
