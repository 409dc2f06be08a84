#!/usr/bin/env python3
"""Terminal-app benchmark (a script, not a test): start-up time and key-to-frame latency.

The targets: the unlock screen's first frame less than 0.35 s after start, median, on a quiet and
on a loaded machine (issue 18; the terminal-app issue asked for 0.5 s), and less than 100 ms from a
key press to the refreshed screen while scrolling a 50,000-item vault.

Measured two ways, because each alone would flatter or blur the result:

* **In a real pseudo-terminal** (``pty``), from outside: this script spawns the ``evault`` command
  (``evault --vault PATH ui``) on an 80x24 pseudo-terminal and reads everything it writes.

  - *start-up*: from just before the process is spawned (so interpreter start, imports, argument
    parsing, Textual's driver set-up and the first render are all inside) to the moment the bytes
    of the unlock screen's title ("Unlock your evidence vault") have been read from the terminal;
    also to the end of that burst of output (the rest of the frame), and the CPU time the app had
    used when the title arrived (``/proc``; steadier than the wall clock on a shared machine).
    ``--startup-runs`` rounds on the machine as it is ("quiet"), then as many with
    ``--load-procs`` processes burning CPU beside them ("loaded"), medians reported against the
    same target. Each round also starts ``--compare DIR`` (another checkout, e.g. the code before
    a change: the baseline, measured in the same run) and a one-label Textual app (the floor
    under any Textual app on this machine), in turn. Start-ups read and write their bytecode in a
    cache under the work folder (one warm-up start each), as an installed program has it.
  - *key to frame*: the passphrase is typed, then "down" (``ESC [ B``) is sent N times, one at a
    time; each latency is from writing the key to the last byte of the app's answer (the output
    burst that follows, ended by 40 ms of silence, which is not counted). This includes Textual's
    frame pacing (at most 60 frames a second), the ANSI encoding and the write, as a person sees it.
  - *search*: "/" then a word, typed one key at a time; from the last key to the frame in which the
    item count ("N items") shows the result. This includes the 0.25 s pause the screen waits after
    the last key before it searches (so that a search does not run on every key), reported apart.

* **In process with Textual's Pilot** (headless, in a fresh child process), per key
  ``await pilot.press("down"); await pilot.pause()``. Both calls wait until the process looks idle
  (at least 20 ms each, three waits per key), so these figures are upper bounds, not latencies; they
  show which keys cost more than others (the page fetches, the full garbage collections, which are
  recorded). Also the search as typed, and the vault's own queries (count, the first and the last
  page, the filter choices).

The 50,000-item vault is built once with the vault API (``Vault.add_files`` on tiny files in
batches of 1,000 with varied metadata and times, plus messages and notes), with fast Argon2id
parameters (unlocking is not what is measured). It is kept under ``--workdir`` for later runs with
``--keep-vault`` (building takes a minute or two), otherwise removed at the end.

Run from the repository root, in the project's virtualenv::

    python benchmarks/tui.py                          # 10 start-ups, 400 keys, tables on stdout
    python benchmarks/tui.py --workdir /some/disk --keep-vault   # reuse the 50,000-item vault
    python benchmarks/tui.py --skip-scroll --startup-runs 30
    python benchmarks/tui.py --skip-scroll --startup-runs 20 --compare /tmp/before  # baseline
    python benchmarks/tui.py --json > result.json
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import json
import math
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from _common import (
    PASSPHRASE,
    REPO,
    fast_kdf,
    log,
    machine_info,
    machine_line,
    median,
    prepare_workdir,
    print_table,
    row,
    verdict,
)

TARGET_STARTUP_S = 0.35  # issue 18 (the terminal-app issue asked for 0.5 s)
TARGET_KEY_S = 0.100
PAGE, MARGIN = 200, 40  # tui.screens.evidence: rows per page, fetch when this near the end
COLS, ROWS = 80, 24
UNLOCK_TITLE = b"Unlock your evidence vault"
LIST_SUMMARY = " · sorted by ".encode()  # the evidence screen's summary line
DOWN = b"\x1b[B"
CTRL_Q = b"\x11"
QUIET_S = 0.040  # silence that ends a key's output burst (not counted in its latency)
BATCH = 1000
PLATFORMS = ("Telegram", "WhatsApp", "Instagram", "Signal", "Facebook", "SMS")
CASES = ("Calls at night", "Office raid", "Online harassment", "Court hearing", "Travel ban")
TITLES = (
    "Threat screenshot",
    "Voice message",
    "Profile photo",
    "Call log",
    "Comment under post",
    "Forwarded picture",
    "Channel post",
    "Map screenshot",
)
BROAD_QUERY = "voice"  # one title in eight: about 6,000 items of 50,000
NARROW_QUERY = "c31337"  # one file name: a single item


# --------------------------------------------------------------------------- statistics


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": median(values),
        "p95": pct(values, 95),
        "max": max(values),
        "min": min(values),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --------------------------------------------------------------------------- child: build a vault


def child_build(args: argparse.Namespace) -> int:
    """Create the vault at ``--vault`` with ``--items`` items; print one JSON line."""
    sys.path.insert(0, str(REPO))
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from vault import Vault  # noqa: PLC0415 - only in the child
    from vault.evidence.listing import Filters  # noqa: PLC0415
    from vault.evidence.models import MessageFields, Metadata  # noqa: PLC0415

    folder = Path(args.vault)
    scratch = folder.parent / (folder.name + ".files")
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    t0 = time.perf_counter()
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf, now=start)
    try:
        total = args.items
        texts = min(total // 50, 1000)  # 2 % typed messages and notes
        files = total - texts
        done = 0
        batch_no = 0
        while done < files:
            n = min(BATCH, files - done)
            scratch.mkdir(exist_ok=True)
            paths = []
            for i in range(done, done + n):
                path = scratch / f"c{i:05d}.png"
                path.write_bytes(b"\x89PNG\r\n\x1a\n" + f"item {i} ".encode() + os.urandom(24))
                paths.append(path)
            when = start + timedelta(hours=7 * batch_no + 1)
            meta = Metadata(
                title=TITLES[batch_no % len(TITLES)],
                platform=PLATFORMS[batch_no % len(PLATFORMS)],
                case=CASES[batch_no % len(CASES)] if batch_no % 3 else None,
                tags=("threat",) if batch_no % 2 else ("harassment", "threat"),
                occurred=(when - timedelta(days=1)).isoformat() if batch_no % 4 else None,
                sensitive=batch_no % 10 == 7,
            )
            results = vault.add_files(paths, meta, now=when)
            if any(r.duplicate for r in results):
                raise RuntimeError("duplicate content in generated files")
            for path in paths:
                path.unlink()
            done += n
            batch_no += 1
            if batch_no % 10 == 0:
                log(f"  {done:,} files added ({time.perf_counter() - t0:.0f} s)")
        for j in range(texts):
            when = start + timedelta(hours=7 * batch_no, minutes=j)
            meta = Metadata(platform=PLATFORMS[j % len(PLATFORMS)], case=CASES[j % len(CASES)])
            if j % 2:
                vault.add_message(
                    f"Message {j}: we know where you live. Bu son xəbərdarlıqdır.",
                    meta,
                    MessageFields(sent=when.isoformat()),
                    now=when,
                )
            else:
                vault.add_note(f"Note {j}: a call at night, same voice as before.", meta, now=when)
        if scratch.exists():
            scratch.rmdir()
        seconds = time.perf_counter() - t0
        counts = {q: vault.count_items(Filters(query=q)) for q in (BROAD_QUERY, NARROW_QUERY)}
        info = {
            "items": vault.count_items(Filters()),
            "queries": counts,
            "build_seconds": seconds,
            "db_bytes": (folder / "vault.db").stat().st_size,
        }
    finally:
        vault.close()
    (folder.parent / (folder.name + ".json")).write_text(json.dumps(info))
    print(json.dumps(info))
    return 0


# --------------------------------------------------------------------------- child: Pilot


async def _pilot(args: argparse.Namespace) -> dict[str, Any]:
    from textual.widgets import DataTable, Input  # noqa: PLC0415

    from tui.app import make_app  # noqa: PLC0415
    from tui.screens.evidence import EvidenceScreen  # noqa: PLC0415
    from tui.screens.start import UnlockScreen  # noqa: PLC0415
    from vault.evidence.listing import Filters  # noqa: PLC0415

    queries: dict[str, int] = json.loads(args.queries)
    out: dict[str, Any] = {}
    app = make_app(Path(args.vault))
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await pilot.pause()
        if not isinstance(app.screen, UnlockScreen):
            raise RuntimeError(f"expected the unlock screen, got {app.screen!r}")
        app.screen.query_one("#secret", Input).value = PASSPHRASE
        t0 = time.perf_counter()
        await pilot.press("enter")
        unlocking = [w for w in app.workers if w.group == "unlock"]
        if unlocking:
            await app.workers.wait_for_complete(unlocking)
        await pilot.pause()
        screen = app.screen
        if not isinstance(screen, EvidenceScreen):
            raise RuntimeError(f"unlocking did not show the evidence list: {screen!r}")
        out["unlock_to_list_seconds"] = time.perf_counter() - t0
        total = screen.total
        table = screen.query_one("#items", DataTable)

        # Scrolling, one key at a time, as Pilot-based tests do it. Both calls wait until the
        # process looks idle (Textual's wait_for_idle: sleep 20 ms, and again until less than
        # 1 ms of CPU was used in 20 ms): press() twice per key, pause() once. So every figure
        # here includes at least 60 ms of Pilot's own waiting: an upper bound, not a latency.
        latencies: list[float] = []
        loads: list[int] = []
        collections: list[tuple[int, float, int]] = []  # (generation, seconds, key index)
        gc_started = [0.0]
        key_index = [0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                elapsed = time.perf_counter() - gc_started[0]
                collections.append((info["generation"], elapsed, key_index[0]))

        gc.callbacks.append(on_gc)
        for k in range(args.keys):
            key_index[0] = k
            before = screen.loaded
            t0 = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            latencies.append(time.perf_counter() - t0)
            if screen.loaded != before:
                loads.append(k)
        gc.callbacks.remove(on_gc)
        out["gc"] = collections
        if table.cursor_row != args.keys:
            raise RuntimeError(f"cursor at row {table.cursor_row}, expected {args.keys}")
        out["keys"] = latencies
        out["load_keys"] = loads
        out["loaded_rows"] = screen.loaded

        # Search, typed: the screen waits 0.25 s after the last key, then searches.
        search = screen.query_one("#search", Input)
        out["search"] = {}
        for query, expected in queries.items():
            await pilot.press("slash")
            await pilot.pause()
            per_char: list[float] = []
            t_last = 0.0
            for ch in query:
                t_last = time.perf_counter()
                await pilot.press(ch)
                await pilot.pause()
                per_char.append(time.perf_counter() - t_last)
            deadline = time.perf_counter() + 10
            while screen.filters.query != query and time.perf_counter() < deadline:
                await pilot.pause(0.001)
            await pilot.pause()
            typed = time.perf_counter() - t_last
            if screen.total != expected:
                raise RuntimeError(f"search {query!r}: {screen.total} rows, expected {expected}")
            await _clear_search(pilot, screen, search, total)
            table.focus()
            await pilot.pause()
            out["search"][query] = {
                "expected": expected,
                "per_char": per_char,
                "typed_seconds": typed,
            }

        # The page query itself, at the start and at the end of the list (OFFSET grows).
        vault = app.vault
        if vault is None:
            raise RuntimeError("the vault was locked during the benchmark")
        pages: dict[str, list[float]] = {"count": [], "first": [], "last": []}
        for _ in range(5):
            t0 = time.perf_counter()
            vault.count_items(Filters())
            pages["count"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            vault.item_page(Filters(), offset=0, limit=200)
            pages["first"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            vault.item_page(Filters(), offset=max(0, total - 200), limit=200)
            pages["last"].append(time.perf_counter() - t0)
        out["vault_queries"] = {k: median(v) for k, v in pages.items()}
        t0 = time.perf_counter()
        vault.filter_choices()
        out["filter_choices_seconds"] = time.perf_counter() - t0
    return out


async def _clear_search(pilot: Any, screen: Any, search: Any, total: int) -> None:
    """Empty the search box (Ctrl+A, Ctrl+K) and wait until the whole list is back."""
    search.focus()
    await pilot.press("ctrl+a", "ctrl+k")
    deadline = time.perf_counter() + 10
    while (screen.filters.query or screen.total != total) and time.perf_counter() < deadline:
        await pilot.pause(0.01)
    search.focus()
    await pilot.pause()


def child_pilot(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(REPO))
    import asyncio  # noqa: PLC0415

    print(json.dumps(asyncio.run(_pilot(args))))
    return 0


# --------------------------------------------------------------------------- the pseudo-terminal

_ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[()][0-9A-Za-z]"  # charset
    rb"|\x1b[=>78NOc]"
)


def plain(data: bytes) -> bytes:
    return _ANSI.sub(b"", data)


class Terminal:
    """A program running on an 80x24 pseudo-terminal, its output read (and timed) here."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        winsize = struct.pack("HHHH", ROWS, COLS, 0, 0)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, winsize)

        def controlling_tty() -> None:  # runs in the child, after setsid
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.spawned = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            preexec_fn=controlling_tty,  # noqa: PLW1509 - this script starts no threads
            close_fds=True,
        )
        os.close(slave)
        self.fd = master
        self.first_output: float | None = None
        self.last_output = 0.0
        self.pending = b""  # output since the last mark()
        self.closed = False

    def _read(self, timeout: float) -> float | None:
        """Read what is there (waiting up to ``timeout``); the time it arrived, or None."""
        if self.closed:
            return None
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the program has ended
            self.closed = True
            return None
        now = time.perf_counter()
        if not data:
            self.closed = True
            return None
        if self.first_output is None:
            self.first_output = now
        self.pending += data
        self.last_output = now
        return now

    def mark(self) -> None:
        self.pending = b""

    def send(self, data: bytes) -> float:
        self.mark()
        t = time.perf_counter()
        os.write(self.fd, data)
        return t

    def wait_for(self, text: bytes, timeout: float) -> float:
        """Read until ``text`` (ANSI codes removed) has appeared since the mark; when it did."""
        deadline = time.perf_counter() + timeout
        while True:
            if text in plain(self.pending):
                return self.last_output  # the arrival of the bytes that completed it
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                raise TimeoutError(f"{text!r} did not appear within {timeout} s")
            self._read(left)

    def burst(self, quiet: float = QUIET_S, timeout: float = 5.0) -> tuple[float, float] | None:
        """Read until ``quiet`` seconds pass without output; (first, last) arrival, or None."""
        first: float | None = None
        last: float | None = None
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            wait = quiet if first is not None else deadline - time.perf_counter()
            arrived = self._read(wait)
            if arrived is None:
                if first is not None or self.closed:
                    break
                continue
            first = first if first is not None else arrived
            last = arrived
        return None if first is None or last is None else (first, last)

    def drain(self, quiet: float = 0.2) -> None:
        while self._read(quiet) is not None:
            pass

    def close(self) -> None:
        """Quit with Ctrl+Q; if the app does not end, stop the process this object started."""
        with contextlib.suppress(OSError):
            os.write(self.fd, CTRL_Q)
        deadline = time.perf_counter() + 5
        while self.proc.poll() is None and time.perf_counter() < deadline:
            self._read(0.05)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        os.close(self.fd)


def app_command(vault: Path) -> list[str]:
    """What a defender runs: the installed ``evault`` script, else ``python -m tui``."""
    script = Path(sys.executable).parent / "evault"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "tui"]
    return [*base, "--vault", str(vault), "ui"]


def app_env(code: Path = REPO, pycache: Path | None = None) -> dict[str, str]:
    """The children's environment: the app's code from ``code`` (this checkout unless another is
    compared), and with ``pycache`` a bytecode cache there, as an installed program has one.

    The installed ``evault`` of a development checkout is an editable install of whichever
    checkout installed it; ``PYTHONPATH`` puts the measured one first. ``pip install`` and the
    portable build ship compiled bytecode; a checkout run with ``PYTHONDONTWRITEBYTECODE`` would
    compile every module of ours at every start (≈ 0.1 s), which no defender pays, so the
    start-ups write and read their bytecode under the work folder instead.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONPATH=str(code))
    env.pop("NO_COLOR", None)
    env.pop("EVAULT_LANG", None)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


# --------------------------------------------------------------------------- start-up

# The floor under any Textual app on this machine: one label, no CSS of its own, the same pty.
FLOOR_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Label\n"
    "class Floor(App[None]):\n"
    "    def compose(self):\n"
    f"        yield Label({UNLOCK_TITLE.decode()!r})\n"
    "Floor().run()\n"
)
BURN = "while True: pass"


def cpu_seconds_of(pid: int) -> float | None:
    """CPU time (user + system) a running process has used so far; None where /proc is not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def startup_once(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Spawn ``argv`` on the pty; times (from the spawn) to its first output, the unlock title and
    the end of that frame, and the CPU time it had used when the title arrived."""
    term = Terminal(argv, env)
    try:
        seen = term.wait_for(UNLOCK_TITLE, timeout=60)
        cpu = cpu_seconds_of(term.proc.pid)
        frame = term.burst(timeout=1.0)
        end = frame[1] if frame else seen
        first = term.first_output or seen
    finally:
        term.close()
    result = {
        "first_output": first - term.spawned,
        "title": seen - term.spawned,
        "frame_end": end - term.spawned,
    }
    if cpu is not None:
        result["cpu"] = cpu
    return result


def spawn_to_exit(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, env=app_env(), cwd=REPO)
    return time.perf_counter() - t0


IMPORT_PROBE = (
    "import time; t = time.perf_counter(); import tui.cli, tui.app; print(time.perf_counter() - t)"
)


def import_seconds(pycache: Path) -> float:
    """What importing the command line and the app costs, measured inside a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE],
        check=True,
        capture_output=True,
        text=True,
        env=app_env(pycache=pycache),
        cwd=REPO,  # so that "tui" is the package, not this script
    )
    return float(done.stdout.strip())


@contextlib.contextmanager
def cpu_load(processes: int) -> Iterator[list[int]]:
    """``processes`` children that burn CPU (``while True: pass``) until the block ends: the
    "loaded machine" of issue 18, on top of whatever else the machine is doing."""
    burners = [
        subprocess.Popen([sys.executable, "-c", BURN], stdin=subprocess.DEVNULL)
        for _ in range(processes)
    ]
    try:
        time.sleep(0.5)  # let them reach full speed before the first start
        yield [b.pid for b in burners]
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait()


def _contenders(
    args: argparse.Namespace, vault: Path, pycache: Path
) -> dict[str, tuple[list[str], dict[str, str]]]:
    """What is started in each round: this checkout's app, the compared checkout's, the floor."""
    found = {"after": (app_command(vault), app_env(REPO, pycache / "after"))}
    if args.compare:
        before = Path(args.compare).resolve()
        found["before"] = (app_command(vault), app_env(before, pycache / "before"))
    if not args.skip_floor:
        found["floor"] = ([sys.executable, "-c", FLOOR_APP], app_env(REPO, pycache / "after"))
    return found


def _rounds(
    args: argparse.Namespace, contenders: dict[str, tuple[list[str], dict[str, str]]], label: str
) -> dict[str, Any]:
    """``--startup-runs`` rounds, each starting every contender once (in turn, the order changing
    from round to round), with the load average before and after."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in contenders}
    load_before = os.getloadavg()[0]
    names = list(contenders)
    for i in range(args.startup_runs):
        log(f"start-up ({label}) {i + 1}/{args.startup_runs} ...")
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            argv, env = contenders[name]
            runs[name].append(startup_once(argv, env))
    return {"runs": runs, "load_before": load_before, "load_after": os.getloadavg()[0]}


def _describe(checkout: Path) -> str:
    """A compared checkout: its folder and commit."""
    head = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{checkout.resolve()} ({head or 'not a git checkout'})"


def bench_startup(args: argparse.Namespace, small_vault: Path, pycache: Path) -> dict[str, Any]:
    contenders = _contenders(args, small_vault, pycache)
    log("start-up: one warm-up start each (fills the bytecode cache; not counted) ...")
    for argv, env in contenders.values():
        startup_once(argv, env)
    result: dict[str, Any] = {
        "command": app_command(small_vault)[:1],
        "compare": _describe(Path(args.compare)) if args.compare else None,
        "quiet": _rounds(args, contenders, "quiet"),
    }
    if args.load_procs > 0:
        with cpu_load(args.load_procs):
            result["loaded"] = _rounds(args, contenders, f"{args.load_procs} CPU burners")
        result["load_procs"] = args.load_procs
    bare: list[float] = []
    imports: list[float] = []
    for _i in range(min(args.startup_runs, 10)):
        bare.append(spawn_to_exit([sys.executable, "-c", "pass"]))
        imports.append(import_seconds(pycache / "after"))
    result["python"] = bare
    result["imports"] = imports
    return result


# --------------------------------------------------------------------------- scrolling in a pty


def bench_pty_scroll(args: argparse.Namespace, vault: Path, info: dict[str, Any]) -> dict[str, Any]:
    total = info["items"]
    term = Terminal(app_command(vault), app_env())
    out: dict[str, Any] = {}
    try:
        term.wait_for(UNLOCK_TITLE, timeout=30)
        term.drain()
        term.send(PASSPHRASE.encode())
        term.drain()
        t0 = term.send(b"\r")
        seen = term.wait_for(LIST_SUMMARY, timeout=60)
        out["unlock_to_list_seconds"] = seen - t0
        term.drain(0.5)

        latencies: list[float] = []
        firsts: list[float] = []
        missing = 0
        for _ in range(args.keys):
            t0 = term.send(DOWN)
            answer = term.burst(timeout=5.0)
            if answer is None:
                missing += 1
                continue
            firsts.append(answer[0] - t0)
            latencies.append(answer[1] - t0)
        out["keys"] = latencies
        out["keys_first_byte"] = firsts
        out["keys_without_output"] = missing

        # Held key: 30 downs a second (a typical key repeat), then how long until the app is idle.
        term.drain(0.3)
        t_last = 0.0
        for _ in range(args.held_keys):
            t_last = term.send(DOWN)
            while (left := 1 / 30 - (time.perf_counter() - t_last)) > 0:
                term._read(left)
        term.burst(quiet=0.1, timeout=10)
        out["held_keys_lag_seconds"] = max(0.0, term.last_output - t_last)

        out["search"] = {}
        for query, expected in info["queries"].items():
            term.send(b"/")
            term.burst()
            per_char: list[float] = []
            per_char_first: list[float] = []
            t_last = 0.0
            for ch in query:
                t_last = term.send(ch.encode())
                answer = term.burst(quiet=0.03)
                if answer:
                    per_char.append(answer[1] - t_last)
                    per_char_first.append(answer[0] - t_last)
            term.mark()  # only what follows the last key counts
            label = f"{expected} item{'s' if expected != 1 else ''} ".encode()
            try:
                seen = term.wait_for(label, timeout=15)
                typed: float | None = seen - t_last
            except TimeoutError:
                typed = None
            out["search"][query] = {
                "expected": expected,
                "per_char": per_char,
                "per_char_first_byte": per_char_first,
                "typed": typed,
            }
            # Empty the box, wait for the whole list, back to the table.
            term.send(b"\x01\x0b")  # Ctrl+A, Ctrl+K
            term.wait_for(f"{total} items ".encode(), timeout=15)
            term.send(b"\r")
            term.drain(0.3)
    finally:
        term.close()
    return out


# --------------------------------------------------------------------------- orchestration


def run_child(kind: str, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *extra]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True, env=app_env(), cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def ensure_vault(folder: Path, items: int) -> dict[str, Any]:
    meta = folder.parent / (folder.name + ".json")
    if folder.exists() and meta.exists():
        info: dict[str, Any] = json.loads(meta.read_text())
        if info.get("items") == items:
            log(f"reusing the {items:,}-item vault in {folder}")
            info["reused"] = True
            return info
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(folder.parent / (folder.name + ".files"), ignore_errors=True)
    log(f"building a {items:,}-item vault in {folder} (a minute or two) ...")
    info = run_child("build", "--vault", str(folder), "--items", str(items))
    info["reused"] = False
    log(f"built in {info['build_seconds']:.0f} s")
    return info


def _med(runs: list[dict[str, float]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return median(values) if values else None


def startup_rows(start: dict[str, Any]) -> list[dict[str, Any]]:
    """The start-up rows: quiet and loaded, each against the target, the compared checkout (if
    any) as the baseline, then what the time is made of."""
    rows: list[dict[str, Any]] = []
    phases = [("quiet", "quiet machine")]
    if "loaded" in start:
        phases.append(("loaded", f"loaded: {start['load_procs']} CPU-burning processes"))
    for phase, words in phases:
        runs = start[phase]["runs"]
        after, before = runs["after"], runs.get("before")
        titles = [r["title"] for r in after]
        n = len(titles)
        base = median([r["title"] for r in before]) if before else None
        rows.append(
            row(
                f"start to unlock screen's first frame, {words} (pty, median of {n})",
                f"{median(titles):.3f} s (min {min(titles):.3f}, max {max(titles):.3f})",
                baseline=f"{base:.3f} s" if base is not None else "-",
                ratio=round(median(titles) / base, 2) if base else None,
                target=f"< {TARGET_STARTUP_S} s",
                result=verdict(median(titles) < TARGET_STARTUP_S),
                seconds=median(titles),
                baseline_seconds=base if base is not None else -1.0,
                load_average=start[phase]["load_before"],
            )
        )
        for key, label in (
            ("frame_end", "  ... to the end of that frame's output"),
            ("first_output", "  ... to the app's first output (driver start)"),
            ("cpu", "  CPU time the app used up to the title (user + system)"),
        ):
            value = _med(after, key)
            if value is None:
                continue
            was = _med(before, key) if before else None
            rows.append(
                row(
                    label,
                    f"{value:.3f} s",
                    baseline=f"{was:.3f} s" if was is not None else "-",
                    ratio=round(value / was, 2) if was else None,
                    seconds=value,
                )
            )
        floor = runs.get("floor")
        if floor:
            rows.append(
                row(
                    "  floor: a one-label Textual app, start to first frame",
                    f"{median([r['title'] for r in floor]):.3f} s"
                    + (f" (CPU {_med(floor, 'cpu'):.3f} s)" if _med(floor, "cpu") else ""),
                    seconds=median([r["title"] for r in floor]),
                )
            )
        rows.append(
            row(
                "  load average (1 min), before / after these starts",
                f"{start[phase]['load_before']:.2f} / {start[phase]['load_after']:.2f}",
            )
        )
    rows.append(
        row(
            "python -c pass (interpreter alone, spawn to exit)",
            f"{median(start['python']):.3f} s",
            seconds=median(start["python"]),
        )
    )
    rows.append(
        row(
            "importing tui.cli and tui.app (in process, this checkout)",
            f"{median(start['imports']):.3f} s",
            seconds=median(start["imports"]),
        )
    )
    return rows


def summarize(args: argparse.Namespace, results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    start = results.get("startup")
    if start:
        rows.extend(startup_rows(start))
    big = results.get("vault")
    if big:
        rows.append(
            row(
                "vault for scrolling",
                f"{big['items']:,} items, {big['db_bytes'] / 2**20:.0f} MiB"
                + (
                    " (reused)" if big.get("reused") else f", built in {big['build_seconds']:.0f} s"
                ),
            )
        )
    pty = results.get("pty")
    pil = results.get("pilot")
    if pty:
        s = stats(pty["keys"])
        rows.append(
            row(
                f"pty: unlock (Enter) to evidence list, {big['items']:,} items"
                if big
                else "unlock",
                f"{pty['unlock_to_list_seconds']:.3f} s (fast KDF)",
            )
        )
        rows.append(
            row(
                f"pty: 'down' key to frame, p95 of {s['n']}",
                f"{ms(s['p95'])} (median {ms(s['median'])}; first byte:"
                f" median {ms(median(pty['keys_first_byte']))})",
                target=f"< {TARGET_KEY_S * 1000:.0f} ms",
                result=verdict(s["p95"] < TARGET_KEY_S),
                seconds=s["p95"],
            )
        )
        rows.append(
            row(
                "pty: 'down' key to frame, worst key",
                ms(s["max"]),
                target=f"< {TARGET_KEY_S * 1000:.0f} ms",
                result=verdict(s["max"] < TARGET_KEY_S),
                seconds=s["max"],
            )
        )
        fetch_keys = pil["load_keys"] if pil else [PAGE - MARGIN - 1, 2 * PAGE - MARGIN - 1]
        fetched = [pty["keys"][k] for k in fetch_keys if k < len(pty["keys"])]
        if fetched:
            rows.append(
                row(
                    f"  keys that fetched a page (to rows {', '.join(str(k + 1) for k in fetch_keys)})",
                    ", ".join(ms(v) for v in fetched),
                )
            )
        slow = [k for k, v in enumerate(pty["keys"]) if v >= TARGET_KEY_S]
        rows.append(
            row(
                f"  keys at or over {TARGET_KEY_S * 1000:.0f} ms: {len(slow)} of {s['n']}",
                ", ".join(f"{k + 1}: {ms(pty['keys'][k])}" for k in slow) or "-",
            )
        )
        if pty["keys_without_output"]:
            rows.append(row("pty: keys with no output (!)", str(pty["keys_without_output"])))
        rows.append(
            row(
                f"pty: {args.held_keys} downs held at 30/s, lag after the last",
                ms(pty["held_keys_lag_seconds"]),
            )
        )
        for query, r in pty["search"].items():
            chars = r["per_char"]
            rows.append(
                row(
                    f"pty: search '{query}' ({r['expected']:,} hits), a typed key's echo",
                    f"median {ms(median(chars))} (first byte {ms(median(r['per_char_first_byte']))})"
                    f", max {ms(max(chars))}"
                    if chars
                    else "?",
                )
            )
            typed = r["typed"]
            rows.append(
                row(
                    f"pty: search '{query}', last key to updated list",
                    "not seen (!)"
                    if typed is None
                    else f"{ms(typed)} = 250 ms pause + {ms(typed - 0.25)}",
                )
            )
    if pil:
        s = stats(pil["keys"])
        fetching = set(pil["load_keys"])
        rest = [v for k, v in enumerate(pil["keys"]) if k not in fetching]
        rows.append(
            row(
                f"Pilot: 'down' press() + pause(), p95 of {s['n']} (upper bound*)",
                f"{ms(s['p95'])} (median {ms(s['median'])}, max {ms(s['max'])})",
                seconds=s["p95"],
            )
        )
        rows.append(
            row(
                f"  keys that fetched a page (to rows {', '.join(str(k + 1) for k in pil['load_keys'])})",
                ", ".join(ms(pil["keys"][k]) for k in pil["load_keys"]) or "-",
            )
        )
        if rest:
            rows.append(row("  all other keys: max", ms(max(rest))))
        full = [c for c in pil.get("gc", []) if c[0] == 2]
        if full:
            rows.append(
                row(
                    f"  full garbage collections while scrolling: {len(full)}",
                    f"{', '.join(ms(c[1]) for c in full)} (at keys"
                    f" {', '.join(str(c[2] + 1) for c in full)})",
                )
            )
        for query, r in pil["search"].items():
            rows.append(
                row(
                    f"Pilot: search '{query}', last key to updated list",
                    f"{ms(r['typed_seconds'])} (250 ms pause + {ms(r['typed_seconds'] - 0.25)})",
                )
            )
        q = pil["vault_queries"]
        rows.append(
            row(
                "vault: count / first page / last page (200 rows)",
                f"{ms(q['count'])} / {ms(q['first'])} / {ms(q['last'])}",
            )
        )
        rows.append(row("vault: filter_choices()", ms(pil["filter_choices_seconds"])))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workdir", default=".", help="the vaults are made here")
    p.add_argument("--items", type=int, default=50_000)
    p.add_argument("--keys", type=int, default=400, help="'down' presses (pages load at 160, 360)")
    p.add_argument("--held-keys", type=int, default=60)
    p.add_argument("--startup-runs", type=int, default=10)
    p.add_argument("--skip-startup", action="store_true")
    p.add_argument(
        "--load-procs",
        type=int,
        default=2,
        help="CPU-burning processes for the loaded start-ups (0: quiet start-ups only)",
    )
    p.add_argument(
        "--compare",
        metavar="DIR",
        help="another checkout (e.g. the code before a change) started in turn with this one",
    )
    p.add_argument("--skip-floor", action="store_true", help="no one-label Textual app starts")
    p.add_argument("--skip-scroll", action="store_true")
    p.add_argument("--skip-pilot", action="store_true")
    p.add_argument("--skip-pty", action="store_true")
    p.add_argument("--keep-vault", action="store_true", help="keep the big vault for the next run")
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", choices=("build", "pilot"), help=argparse.SUPPRESS)
    p.add_argument("--vault", help=argparse.SUPPRESS)
    p.add_argument("--queries", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.child == "build":
        return child_build(args)
    if args.child == "pilot":
        return child_pilot(args)

    workdir = prepare_workdir(args.workdir, need=200 * 2**20)
    if workdir is None:
        return 2
    root = workdir / "evault-tui-bench"
    root.mkdir(exist_ok=True)
    results: dict[str, Any] = {"machine": machine_info(workdir)}
    tui_dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "tui"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if tui_dirty:
        results["machine"]["code"] += " + local changes in tui/"
    big = root / f"vault-{args.items}.evault"
    try:
        if not args.skip_startup:
            small = root / "small.evault"
            shutil.rmtree(small, ignore_errors=True)
            run_child("build", "--vault", str(small), "--items", "3")
            results["startup"] = bench_startup(args, small, root / "pycache")
            shutil.rmtree(small, ignore_errors=True)
        if not args.skip_scroll:
            info = ensure_vault(big, args.items)
            results["vault"] = info
            if not args.skip_pty:
                log(f"pty: unlock, {args.keys} keys, search ...")
                results["pty"] = bench_pty_scroll(args, big, info)
            if not args.skip_pilot:
                log(f"Pilot: unlock, {args.keys} keys, search ...")
                results["pilot"] = run_child(
                    "pilot",
                    "--vault",
                    str(big),
                    "--keys",
                    str(args.keys),
                    "--queries",
                    json.dumps(info["queries"]),
                )
    finally:
        if not args.keep_vault:
            shutil.rmtree(root, ignore_errors=True)
    rows = summarize(args, results)
    results["rows"] = rows
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(machine_line("terminal app", results["machine"]))
    print(f"code {results['machine']['code']}; {COLS}x{ROWS} terminal")
    if results.get("startup", {}).get("compare"):
        print(f"baseline column: {results['startup']['compare']}")
    print()
    print_table(rows)
    if "pilot" in results:
        print(
            "\n* Pilot's press() and pause() each wait until the process looks idle (at least 20 ms,"
            " three times per key),\n  so its figures are upper bounds; the verdicts come from the"
            " pseudo-terminal rows."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
