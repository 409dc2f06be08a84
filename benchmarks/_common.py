"""What the benchmark scripts (intake.py, bundle.py) share: one copy, so their figures stay comparable.

Both scripts measure the vault against command-line baselines in the same way: every contender runs
in its own process (so its peak RSS is its own), outputs are removed and synced between contenders,
medians are reported over ``--repeat`` rounds, and the results are printed as one table with
PASS / MISS against an issue's targets. A change to how that is done (how a child's RSS is read, how
a size is parsed, what the machine line says) has to apply to both, or the two pages of
docs/performance.md stop being comparable, so it lives here.

This is a plain module, not a package: the scripts are run as ``python benchmarks/NAME.py`` and
re-run themselves for their child processes, so ``benchmarks/`` is always ``sys.path[0]`` and
``import _common`` works without installing anything. The leading underscore says it is not a
benchmark to run. It imports only the standard library (the scripts import the same modules anyway),
so it adds nothing to a child's measured RSS; the vault is imported by the children themselves.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crypto.kdf import Argon2Params

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark passphrase, not a secret"  # noqa: S105 - throwaway vault
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1000,
    "kib": 1024,
    "m": MiB,
    "mb": 1000**2,
    "mib": MiB,
    "g": 1024**3,
    "gb": 1000**3,
    "gib": 1024**3,
}

# --------------------------------------------------------------------------- sizes and messages


def parse_size(text: str) -> int:
    """``1GiB``, ``200KiB``, ``2G``, ``512MiB``, ``1000000`` -> bytes.

    An argparse ``type=``: a bad size is reported as a usage error, not a traceback.
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 1GiB, 200KiB, 512MiB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def human(n: int) -> str:
    """A size as a person wrote it (``1 GiB``, ``200 KiB``), so labels match the command line."""
    for unit, size in (("GiB", 1024**3), ("MiB", MiB), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n} B"


def log(msg: str) -> None:
    """Progress on stderr, so that stdout holds only the tables (or the JSON of ``--json``)."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def add_data_options(p: argparse.ArgumentParser) -> None:
    """The options both scripts take for where to work and what data to generate.

    Kept in one place so that ``--big-size 2GiB --skip-small`` means the same in both; each
    script adds its own options (``--journal``, ``--profile``, ``--repeat``, ``--json``) after
    these, in the order its ``--help`` has always shown.
    """
    p.add_argument("--workdir", default=".", help="a temporary folder is made (and removed) here")
    p.add_argument("--big-size", type=parse_size, default=parse_size("1GiB"), metavar="SIZE")
    p.add_argument("--small-count", type=int, default=2000, metavar="N")
    p.add_argument("--small-size", type=parse_size, default=parse_size("200KiB"), metavar="SIZE")
    p.add_argument("--skip-big", action="store_true")
    p.add_argument("--skip-small", action="store_true")


# --------------------------------------------------------------------------- inside a child


def peak_rss_kib() -> int:
    """This process's peak resident set so far (VmHWM, KiB), or -1 where /proc has none.

    Read from /proc rather than ``getrusage`` so that a child can take it at several moments
    (after its imports, before the measured call, at the end) and report them apart.
    """
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def cpu_seconds(before: resource.struct_rusage, after: resource.struct_rusage) -> dict[str, float]:
    """User and system CPU time between two ``getrusage`` readings (the JSON fields both use)."""
    return {
        "cpu_user_seconds": after.ru_utime - before.ru_utime,
        "cpu_sys_seconds": after.ru_stime - before.ru_stime,
    }


def fast_kdf() -> Argon2Params:
    """Tiny Argon2id parameters (as tests/conftest.py uses): key derivation is not measured.

    Pass it as ``Vault.create(..., kdf=fast_kdf)``. ``crypto.kdf`` is imported here, lazily, so
    the parent never loads the vault's code; in a child the vault has already imported it.
    """
    from crypto.kdf import Argon2Params  # noqa: PLC0415 - only ever called in a child

    return Argon2Params(memory_kib=1024, iterations=1, parallelism=1)


def folder_bytes(folder: Path) -> int:
    """Total size of the files directly in ``folder`` (vault.db and its companions)."""
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def vault_module() -> str:
    """Where the ``vault`` package the child imported lives: proof of which code was measured."""
    return str(Path(sys.modules["vault"].__file__ or "?").parent)


# --------------------------------------------------------------------------- running contenders


def run_timed(
    cmd: list[str], *, capture: bool = False, cwd: Path | None = None, stdout_to: Path | None = None
) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, the process's own peak RSS in KiB, stdout).

    ``os.wait4`` gives the child's own ``ru_maxrss``; ``getrusage(RUSAGE_CHILDREN)`` would give
    the largest of all children so far, mixing contenders. stdin is closed so that nothing can
    stop to wait for a terminal while the clock runs.
    """
    sink: int | IO[bytes] = subprocess.DEVNULL
    fh = None
    if stdout_to is not None:
        fh = stdout_to.open("wb")
        sink = fh
    elif capture:
        sink = subprocess.PIPE
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=sink, cwd=cwd, stdin=subprocess.DEVNULL)
        out = proc.stdout.read().decode() if proc.stdout is not None else ""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    finally:
        if fh is not None:
            fh.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)[:200]} failed with exit code {code}")
    return seconds, usage.ru_maxrss, out


def run_child(
    script: str, kind: str, /, *, flags: Sequence[str] = (), **options: str | None
) -> dict[str, Any]:
    """Run ``script --child KIND --OPTION VALUE ... FLAGS`` and return the JSON it printed last.

    The vault's side of each measurement runs in a fresh process of the same script, so its peak
    RSS is its own (not the parent's, nor an earlier contender's). Options whose value is None are
    left out; ``vault_dir=...`` becomes ``--vault-dir ...``.
    """
    cmd = [sys.executable, str(Path(script).resolve()), "--child", kind]
    for name, value in options.items():
        if value is not None:
            cmd += [f"--{name.replace('_', '-')}", value]
    cmd += flags
    _, maxrss, out = run_timed(cmd, capture=True)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["wait4_maxrss_kib"] = maxrss  # cross-check of VmHWM, from the kernel's accounting
    return result


def sync() -> float:
    """``sync`` and how long it took: the price of durability a baseline would otherwise skip."""
    t0 = time.perf_counter()
    os.sync()
    return time.perf_counter() - t0


def remove(path: Path) -> None:
    """Delete an output and sync, so its writeback never lands in the next contender's timing."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    os.sync()


def make_age_identity(keyfile: Path) -> str:
    """``age-keygen -o KEYFILE``; return its recipient (``age1...``) for the ``-r`` baselines."""
    subprocess.run(["age-keygen", "-o", str(keyfile)], check=True, capture_output=True)
    return subprocess.run(
        ["age-keygen", "-y", str(keyfile)], check=True, capture_output=True, text=True
    ).stdout.strip()


# --------------------------------------------------------------------------- test data


def write_random_file(path: Path, size: int, block: int = 8 * MiB, prefix: bytes = b"") -> None:
    """Write ``size`` random bytes (the "big video"), a block at a time so memory stays flat.

    Random so that nothing on the way (filesystem, age, zip) can compress it into a faster run.
    """
    log(f"writing {human(size)} of random bytes to {path} ...")
    with path.open("wb") as fh:
        fh.write(prefix)
        left = size - len(prefix)
        while left > 0:
            n = min(block, left)
            fh.write(os.urandom(n))
            left -= n


def write_screenshots(folder: Path, count: int, size: int) -> list[str]:
    """Make ``folder`` with ``count`` random "screenshots" of ``size`` bytes; return their names.

    Each starts with the PNG signature, so that type detection sees what a real screenshot shows.
    """
    folder.mkdir()
    log(f"writing {count} x {human(size)} random files to {folder} ...")
    names: list[str] = []
    for n in range(count):
        name = f"screenshot-{n:05d}.png"
        (folder / name).write_bytes(PNG_SIGNATURE + os.urandom(size - len(PNG_SIGNATURE)))
        names.append(name)
    return names


# --------------------------------------------------------------------------- the parent's frame


def prepare_workdir(workdir: str, need: float) -> Path | None:
    """Resolve and create ``--workdir``; None (after saying why) if it has under ``need`` bytes free.

    Checked before any data is written: running out of space half-way would leave a benchmark
    that measured a failing disk, not the vault.
    """
    path = Path(workdir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(path).free
    if free < need:
        log(
            f"not enough space in {path}: need about {need / MiB:.0f} MiB, have"
            f" {free / MiB:.0f} MiB. Give another --workdir."
        )
        return None
    return path


@contextlib.contextmanager
def scratch_folder(workdir: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder under ``workdir`` for data, vaults and outputs, removed at the end.

    Removed also on an error or Ctrl-C: a benchmark leaves gigabytes behind otherwise.
    """
    root = Path(tempfile.mkdtemp(prefix=prefix, dir=workdir))
    log(f"working in {root}")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
        log(f"removed {root}")


def git_state() -> str:
    """Commit of the code being measured, and whether vault/ or crypto/ had local changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "vault", "crypto"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{REPO} (not a git checkout)"
    return f"{head}{' + local changes in vault/ or crypto/' if dirty else ''}"


def tool_version(cmd: list[str]) -> str:
    """First line a tool prints for its version (stdout, else stderr), or ``?`` if it fails."""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    return "?"


def machine_info(workdir: Path, versions: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    """What a result depends on besides the code: CPU, memory, filesystem, Python, tools.

    ``versions`` maps a key to the command that prints a tool's version (see :func:`tool_version`);
    those keys come right after ``code``, so the JSON keeps one order from run to run.
    """
    info: dict[str, Any] = {
        "date_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "code": git_state(),
    }
    for key, cmd in (versions or {}).items():
        info[key] = tool_version(cmd)
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024**2, 1)
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        out = subprocess.run(
            ["findmnt", "-n", "-o", "SOURCE,FSTYPE", "-T", str(workdir)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        info["filesystem"] = " ".join(out)
    return info


def machine_line(name: str, m: Mapping[str, Any]) -> str:
    """The start of a report's first line: which benchmark, when, and on what machine."""
    return (
        f"evault {name} benchmark, {m['date_utc']} UTC: {m.get('nproc')} CPUs"
        f" ({m.get('cpu', '?')}), {m.get('mem_gib', '?')} GiB RAM, {m.get('filesystem', '?')},"
        f" Python {m['python']}"
    )


# --------------------------------------------------------------------------- the table


def median(values: Sequence[float]) -> float:
    """The median of the rounds: one slow round (a writeback, a cron job) does not move it."""
    return statistics.median(values)


def verdict(ok: bool) -> str:
    """``PASS`` or ``MISS``: a missed target is a finding to report, not a failure to raise."""
    return "PASS" if ok else "MISS"


def row(
    metric: str,
    value: str,
    *,
    baseline: str = "-",
    ratio: float | None = None,
    target: str = "-",
    result: str = "info",
    **figures: float,
) -> dict[str, Any]:
    """One table row; without a target it is an ``info`` row.

    The six columns come first and always in this order, then the raw ``figures`` (MiB/s, RSS)
    that only the JSON output shows, so that results can be compared by script across runs.
    """
    return {
        "metric": metric,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "result": result,
        **figures,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    """The rows as an aligned plain-text table (for a terminal, and to paste into the docs)."""
    head = ("metric", "value", "baseline", "ratio", "target", "result")
    cells = [
        (
            r["metric"],
            r["value"],
            r["baseline"],
            "-" if r["ratio"] is None else f"{r['ratio']:.2f}x",
            r["target"],
            r["result"],
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for c in cells:
        print("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)))
