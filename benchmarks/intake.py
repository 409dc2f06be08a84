#!/usr/bin/env python3
"""Intake benchmark (a script, not a test): how fast do originals go into a fresh vault?

Generates its own data in a temporary folder under ``--workdir``, then, in the same run and on the
same bytes:

* imports one big file (default 1 GiB) with ``Vault.add_file`` and 2,000 x 200 KiB "screenshots"
  with ``Vault.add_files``, each in a fresh vault, each in its own child process so that the peak
  RSS reported is the intake's own (not this script's, nor another contender's);
* times the baselines ``cp big dst && sync``, ``sha256sum big`` then ``age -e -r <recipient>``
  (sequential, as a careful person would do by hand) and, for the small files, ``cp -r && sync``;
* prints MiB/s, files/s, peak RSS, the ratios and PASS/MISS against the targets of the intake issue.

Every contender reads its input from the page cache: the data is written (and synced) just before
and the machine has no way to drop caches without root, so all of them start equally warm. Outputs
are deleted and synced between contenders so one's writeback never lands in another's timing.

The vault is created with fast Argon2id parameters (as tests/conftest.py does): key derivation is
not what is measured here, and it happens before the clock starts anyway.

Run from the repository root::

    python benchmarks/intake.py                        # 1 GiB + 2,000 x 200 KiB, tables on stdout
    python benchmarks/intake.py --big-size 2GiB --skip-small   # the "2 GiB under 100 MiB RSS" check
    python benchmarks/intake.py --journal wal --skip-small     # the journal-mode experiment
    python benchmarks/intake.py --json > result.json

Everything it creates (data, vaults, copies, age output) is removed at the end, also on Ctrl-C.
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
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "benchmark passphrase, not a secret"  # noqa: S105 - throwaway vault

TARGET_VS_CP = 0.25  # vault MiB/s >= 0.25 x (cp + sync)
TARGET_VS_AGE = 1.3  # vault MiB/s >= 1.3 x (sha256sum then age -e)
TARGET_FILES_PER_S = 800.0  # screenshots per second
TARGET_PEAK_RSS_MIB = 100.0  # big-file intake peak RSS (issue: for a 2 GiB file)

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


def parse_size(text: str) -> int:
    """``1GiB``, ``200KiB``, ``2G``, ``512MiB``, ``1000000`` -> bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 1GiB, 200KiB, 512MiB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def human(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", MiB), ("KiB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n / MiB:.1f} MiB" if n >= MiB else f"{n} B"


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- child: the intake


def _proc_status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _connection_of(vault: Any) -> Any:
    """The vault's SQLCipher connection (the attribute has moved between versions of the code)."""
    for path in (("session", "conn"), ("conn",), ("_conn",)):
        obj = vault
        with contextlib.suppress(AttributeError):
            for name in path:
                obj = getattr(obj, name)
            return obj
    raise SystemExit("cannot find the vault's database connection (has the Vault class changed?)")


def child_main(args: argparse.Namespace) -> int:
    """Run one intake in this (fresh) process and print one JSON line with the figures."""
    sys.path.insert(0, str(REPO))
    from crypto.kdf import Argon2Params  # noqa: PLC0415 - imported in the child only
    from vault import Vault  # noqa: PLC0415

    fast = Argon2Params(memory_kib=1024, iterations=1, parallelism=1)
    source = Path(args.source)
    paths = [source] if args.child == "big" else sorted(p for p in source.iterdir() if p.is_file())
    rss_after_import = _proc_status_kib("VmHWM")

    vault, _recovery = Vault.create(Path(args.vault_dir), PASSPHRASE, kdf=lambda: fast)
    conn = _connection_of(vault)  # only for the journal-mode experiment and version figures
    journal = conn.execute(f"PRAGMA journal_mode = {args.journal}").fetchone()[0]
    if journal.lower() != args.journal:
        print(f"could not switch journal_mode to {args.journal} (got {journal})", file=sys.stderr)
        return 2
    cipher_version = conn.execute("PRAGMA cipher_version").fetchone()[0]
    sqlite_version = conn.execute("SELECT sqlite_version()").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    rss_before = _proc_status_kib("VmHWM")

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    results = [vault.add_file(paths[0])] if args.child == "big" else vault.add_files(paths)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    vault.close()  # WAL: the final checkpoint happens here, so it is timed separately
    t2 = time.perf_counter()

    added = [r for r in results if not r.duplicate]
    out = {
        "kind": args.child,
        "journal": journal.lower(),
        "files": len(added),
        "bytes": sum(r.size for r in added),
        "seconds": t1 - t0,
        "close_seconds": t2 - t1,
        "cpu_user_seconds": r1.ru_utime - r0.ru_utime,
        "cpu_sys_seconds": r1.ru_stime - r0.ru_stime,
        "sha256": results[0].sha256 if args.child == "big" else None,
        "vault_db_bytes": sum(
            f.stat().st_size for f in Path(args.vault_dir).iterdir() if f.is_file()
        ),
        "peak_rss_kib": _proc_status_kib("VmHWM"),
        "rss_before_intake_kib": rss_before,
        "rss_after_imports_kib": rss_after_import,
        "cipher_version": cipher_version,
        "sqlite_version": sqlite_version,
        "page_size": page_size,
        "synchronous": synchronous,
        "vault_module": str(Path(sys.modules["vault"].__file__ or "?").parent),
    }
    if len(added) != len(paths):
        print(f"only {len(added)} of {len(paths)} files were added", file=sys.stderr)
        return 3
    print(json.dumps(out))
    return 0


# --------------------------------------------------------------------------- parent: orchestration


def run_timed(cmd: list[str], *, capture: bool = False) -> tuple[float, int, str]:
    """Run ``cmd``; return (wall seconds, the process's own peak RSS in KiB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    out = proc.stdout.read().decode() if proc.stdout is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return seconds, usage.ru_maxrss, out


def run_vault_child(kind: str, source: Path, vault_dir: Path, journal: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    cmd += ["--source", str(source), "--vault-dir", str(vault_dir), "--journal", journal]
    _, maxrss, out = run_timed(cmd, capture=True)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["wait4_maxrss_kib"] = maxrss  # cross-check of VmHWM, from the kernel's accounting
    return result


def sync() -> float:
    t0 = time.perf_counter()
    os.sync()
    return time.perf_counter() - t0


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    os.sync()


def write_random_file(path: Path, size: int, block: int = 8 * MiB, prefix: bytes = b"") -> None:
    with path.open("wb") as fh:
        fh.write(prefix)
        left = size - len(prefix)
        while left > 0:
            n = min(block, left)
            fh.write(os.urandom(n))
            left -= n


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


def machine_info(workdir: Path) -> dict[str, Any]:
    info: dict[str, Any] = {
        "date_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "code": git_state(),
    }
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
    if shutil.which("age"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            info["age"] = subprocess.run(
                ["age", "--version"], capture_output=True, text=True, check=True
            ).stdout.strip()
    return info


def bench_big(args: argparse.Namespace, root: Path, have_age: bool) -> dict[str, Any]:
    size = args.big_size
    big = root / "big.bin"
    log(f"writing {human(size)} of random bytes to {big} ...")
    write_random_file(big, size)
    sync()
    recipient = ""
    if have_age:
        keyfile = root / "age-key.txt"
        subprocess.run(["age-keygen", "-o", str(keyfile)], check=True, capture_output=True)
        recipient = subprocess.run(
            ["age-keygen", "-y", str(keyfile)], check=True, capture_output=True, text=True
        ).stdout.strip()

    runs: list[dict[str, Any]] = []
    for i in range(args.repeat):
        run: dict[str, Any] = {}
        log(f"big file, round {i + 1}/{args.repeat}: vault intake (journal={args.journal}) ...")
        vdir = root / f"vault-big-{i}"
        run["vault"] = run_vault_child("big", big, vdir, args.journal)
        remove(vdir)

        log("big file: cp + sync ...")
        dst = root / "big.copy"
        sync()
        cp_s, _, _ = run_timed(["cp", str(big), str(dst)])
        sync_s = sync()
        run["cp"] = {"cp_seconds": cp_s, "sync_seconds": sync_s, "seconds": cp_s + sync_s}
        remove(dst)

        if have_age:
            log("big file: sha256sum then age -e ...")
            enc = root / "big.age"
            sync()
            sha_s, sha_rss, sha_out = run_timed(["sha256sum", str(big)], capture=True)
            age_s, age_rss, _ = run_timed(["age", "-e", "-r", recipient, "-o", str(enc), str(big)])
            age_sync_s = sync()
            run["age"] = {
                "sha256sum_seconds": sha_s,
                "age_seconds": age_s,
                "seconds": sha_s + age_s,
                "sync_after_seconds": age_sync_s,
                "seconds_with_sync": sha_s + age_s + age_sync_s,
                "sha256": sha_out.split()[0],
                "age_peak_rss_kib": age_rss,
                "sha256sum_peak_rss_kib": sha_rss,
            }
            if run["age"]["sha256"] != run["vault"]["sha256"]:
                raise RuntimeError("the vault's SHA-256 differs from sha256sum's: a real bug")
            remove(enc)
        runs.append(run)
    remove(big)
    return {"bytes": size, "runs": runs}


def bench_small(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    src = root / "screenshots"
    src.mkdir()
    log(f"writing {args.small_count} x {human(args.small_size)} random files to {src} ...")
    png = b"\x89PNG\r\n\x1a\n"
    for n in range(args.small_count):
        (src / f"screenshot-{n:05d}.png").write_bytes(png + os.urandom(args.small_size - len(png)))
    sync()

    runs: list[dict[str, Any]] = []
    for i in range(args.repeat):
        run: dict[str, Any] = {}
        log(
            f"small files, round {i + 1}/{args.repeat}: vault add_files (journal={args.journal}) ..."
        )
        vdir = root / f"vault-small-{i}"
        run["vault"] = run_vault_child("small", src, vdir, args.journal)
        remove(vdir)

        log("small files: cp -r + sync ...")
        dst = root / "screenshots.copy"
        sync()
        cp_s, _, _ = run_timed(["cp", "-r", str(src), str(dst)])
        sync_s = sync()
        run["cp"] = {"cp_seconds": cp_s, "sync_seconds": sync_s, "seconds": cp_s + sync_s}
        remove(dst)
        runs.append(run)
    remove(src)
    return {"count": args.small_count, "size": args.small_size, "runs": runs}


# --------------------------------------------------------------------------- summary and output


def _median(values: list[float]) -> float:
    return statistics.median(values)


def summarize(args: argparse.Namespace, results: dict[str, Any]) -> list[dict[str, Any]]:
    """The table rows: metric, value, baseline, ratio, target, result (PASS / MISS / info)."""
    rows: list[dict[str, Any]] = []
    big = results.get("big")
    if big:
        size_mib = big["bytes"] / MiB
        runs = big["runs"]
        v_s = _median([r["vault"]["seconds"] for r in runs])
        v_close = _median([r["vault"]["close_seconds"] for r in runs])
        v_rate = size_mib / v_s
        cp_rate = size_mib / _median([r["cp"]["seconds"] for r in runs])
        label = f"big file {human(big['bytes'])}"
        rows.append(
            {
                "metric": f"{label}: vault.add_file ({runs[0]['vault']['journal']})",
                "value": f"{v_rate:.0f} MiB/s ({v_s:.2f} s)",
                "baseline": f"cp+sync {cp_rate:.0f} MiB/s",
                "ratio": v_rate / cp_rate,
                "target": f">= {TARGET_VS_CP}x",
                "result": "PASS" if v_rate / cp_rate >= TARGET_VS_CP else "MISS",
                "vault_mib_s": v_rate,
                "baseline_mib_s": cp_rate,
            }
        )
        if "age" in runs[0]:
            age_rate = size_mib / _median([r["age"]["seconds"] for r in runs])
            rows.append(
                {
                    "metric": f"{label}: vault vs sha256sum then age -e",
                    "value": f"{v_rate:.0f} MiB/s",
                    "baseline": f"sha256sum+age {age_rate:.0f} MiB/s",
                    "ratio": v_rate / age_rate,
                    "target": f">= {TARGET_VS_AGE}x",
                    "result": "PASS" if v_rate / age_rate >= TARGET_VS_AGE else "MISS",
                    "vault_mib_s": v_rate,
                    "baseline_mib_s": age_rate,
                }
            )
            age_sync_rate = size_mib / _median([r["age"]["seconds_with_sync"] for r in runs])
            rows.append(
                {
                    "metric": f"{label}: vault vs sha256sum+age+sync",
                    "value": f"{v_rate:.0f} MiB/s",
                    "baseline": f"{age_sync_rate:.0f} MiB/s",
                    "ratio": v_rate / age_sync_rate,
                    "target": "-",
                    "result": "info",
                    "vault_mib_s": v_rate,
                    "baseline_mib_s": age_sync_rate,
                }
            )
        if v_close > 0.05:
            rows.append(
                {
                    "metric": f"{label}: vault incl. close()",
                    "value": f"{size_mib / (v_s + v_close):.0f} MiB/s (close {v_close:.2f} s)",
                    "baseline": "-",
                    "ratio": None,
                    "target": "-",
                    "result": "info",
                }
            )
        peak = max(r["vault"]["peak_rss_kib"] for r in runs) / 1024
        before = max(r["vault"]["rss_before_intake_kib"] for r in runs) / 1024
        rows.append(
            {
                "metric": f"{label}: intake process peak RSS",
                "value": f"{peak:.1f} MiB",
                "baseline": f"{before:.1f} MiB before add_file",
                "ratio": None,
                "target": f"< {TARGET_PEAK_RSS_MIB:.0f} MiB",
                "result": "PASS" if peak < TARGET_PEAK_RSS_MIB else "MISS",
                "peak_rss_mib": peak,
            }
        )
    small = results.get("small")
    if small:
        runs = small["runs"]
        count = small["count"]
        total_mib = count * small["size"] / MiB
        v_s = _median([r["vault"]["seconds"] for r in runs])
        cp_s = _median([r["cp"]["seconds"] for r in runs])
        label = f"{count} x {human(small['size'])}"
        rows.append(
            {
                "metric": f"{label}: vault.add_files ({runs[0]['vault']['journal']})",
                "value": f"{count / v_s:.0f} files/s ({total_mib / v_s:.0f} MiB/s, {v_s:.2f} s)",
                "baseline": f"cp -r+sync {count / cp_s:.0f} files/s",
                "ratio": cp_s / v_s,
                "target": f">= {TARGET_FILES_PER_S:.0f} files/s",
                "result": "PASS" if count / v_s >= TARGET_FILES_PER_S else "MISS",
                "vault_files_s": count / v_s,
                "baseline_files_s": count / cp_s,
            }
        )
        peak = max(r["vault"]["peak_rss_kib"] for r in runs) / 1024
        rows.append(
            {
                "metric": f"{label}: intake process peak RSS",
                "value": f"{peak:.1f} MiB",
                "baseline": "-",
                "ratio": None,
                "target": "-",
                "result": "info",
                "peak_rss_mib": peak,
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
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


def print_details(results: dict[str, Any]) -> None:
    big = results.get("big")
    if big:
        mib = big["bytes"] / MiB
        print(f"\nBig file ({human(big['bytes'])}), every round (seconds):")
        for i, r in enumerate(big["runs"], 1):
            v, cp = r["vault"], r["cp"]
            text = (
                f"  round {i}: vault add_file {v['seconds']:.2f} ({mib / v['seconds']:.0f} MiB/s,"
                f" CPU {v['cpu_user_seconds']:.2f} user + {v['cpu_sys_seconds']:.2f} sys)"
                f" + close {v['close_seconds']:.2f}; cp {cp['cp_seconds']:.2f} + sync"
                f" {cp['sync_seconds']:.2f} ({mib / cp['seconds']:.0f} MiB/s)"
            )
            if "age" in r:
                a = r["age"]
                text += (
                    f"; sha256sum {a['sha256sum_seconds']:.2f} ({mib / a['sha256sum_seconds']:.0f}"
                    f" MiB/s) + age {a['age_seconds']:.2f} ({mib / a['age_seconds']:.0f} MiB/s)"
                    f" + sync {a['sync_after_seconds']:.2f}"
                )
            print(text)
        v = big["runs"][0]["vault"]
        print(
            f"  vault: SQLCipher {v['cipher_version']} (SQLite {v['sqlite_version']}),"
            f" page {v['page_size']} B, journal_mode={v['journal']}, synchronous={v['synchronous']}"
            f" (2 = FULL); vault.db {v['vault_db_bytes'] / MiB:.0f} MiB;"
            f" RSS after imports {v['rss_after_imports_kib'] / 1024:.1f} MiB,"
            f" wait4 maxrss {v['wait4_maxrss_kib'] / 1024:.1f} MiB; code from {v['vault_module']}"
        )
        if "age" in big["runs"][0]:
            a = big["runs"][0]["age"]
            print(f"  age peak RSS {a['age_peak_rss_kib'] / 1024:.1f} MiB")
    small = results.get("small")
    if small:
        n = small["count"]
        print(f"\nSmall files ({n} x {human(small['size'])}), every round (seconds):")
        for i, r in enumerate(small["runs"], 1):
            v, cp = r["vault"], r["cp"]
            print(
                f"  round {i}: vault add_files {v['seconds']:.2f} ({n / v['seconds']:.0f} files/s,"
                f" CPU {v['cpu_user_seconds']:.2f} user + {v['cpu_sys_seconds']:.2f} sys)"
                f" + close {v['close_seconds']:.2f}; cp -r {cp['cp_seconds']:.2f} + sync"
                f" {cp['sync_seconds']:.2f} ({n / cp['seconds']:.0f} files/s)"
            )
    print(
        "\nAll contenders read their input from the page cache (data written and synced just"
        " before);\nthe vault commits with fsync (synchronous=FULL); cp is followed by sync;"
        " sha256sum+age is not\nsynced in the target ratio (a separate 'info' row adds the sync)."
    )


def parent_main(args: argparse.Namespace) -> int:
    have_age = bool(shutil.which("age") and shutil.which("age-keygen"))
    if not args.skip_big and not have_age:
        log(
            "NOTE: `age` is not installed, so the sha256sum+age baseline is skipped."
            " Install it with: sudo apt-get install -y age   (Debian/Ubuntu; brew install age on"
            " macOS)"
        )
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    need = 0
    if not args.skip_big:
        need += 2 * args.big_size + 64 * MiB  # the data + one copy/vault at a time
    if not args.skip_small:
        need += 2 * args.small_count * (args.small_size + 4096) + 64 * MiB
    free = shutil.disk_usage(workdir).free
    if free < need * 1.2:
        log(
            f"not enough space in {workdir}: need about {need * 1.2 / MiB:.0f} MiB, have"
            f" {free / MiB:.0f} MiB. Give another --workdir."
        )
        return 1

    root = Path(tempfile.mkdtemp(prefix="evault-bench-", dir=workdir))
    results: dict[str, Any] = {
        "machine": machine_info(workdir),
        "params": {
            "big_size": None if args.skip_big else args.big_size,
            "small_count": None if args.skip_small else args.small_count,
            "small_size": None if args.skip_small else args.small_size,
            "journal": args.journal,
            "repeat": args.repeat,
        },
    }
    log(f"working in {root}")
    try:
        if not args.skip_big:
            results["big"] = bench_big(args, root, have_age)
        if not args.skip_small:
            results["small"] = bench_small(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        log(f"removed {root}")
    rows = summarize(args, results)
    results["summary"] = rows
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    m = results["machine"]
    print(
        f"evault intake benchmark, {m['date_utc']} UTC: {m.get('nproc')} CPUs ({m.get('cpu', '?')}),"
        f" {m.get('mem_gib', '?')} GiB RAM, {m.get('filesystem', '?')}, Python {m['python']},"
        f" {m.get('age', 'age not installed')}; median of {args.repeat} round(s)\n"
        f"code: {m['code']}\n"
    )
    print_table(rows)
    print_details(results)
    if not args.skip_big and not have_age:
        print(
            "\nNOTE: age is not installed; install it (apt-get install -y age) for that baseline."
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workdir", default=".", help="a temporary folder is made (and removed) here")
    p.add_argument("--big-size", type=parse_size, default=parse_size("1GiB"), metavar="SIZE")
    p.add_argument("--small-count", type=int, default=2000, metavar="N")
    p.add_argument("--small-size", type=parse_size, default=parse_size("200KiB"), metavar="SIZE")
    p.add_argument("--skip-big", action="store_true")
    p.add_argument("--skip-small", action="store_true")
    p.add_argument(
        "--journal",
        choices=("delete", "wal"),
        default="delete",
        help="delete = what the vault uses; wal = experiment only (switched after open)",
    )
    p.add_argument("--repeat", type=int, default=1, metavar="N", help="rounds; medians reported")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--child", choices=("big", "small"), help=argparse.SUPPRESS)
    p.add_argument("--source", help=argparse.SUPPRESS)
    p.add_argument("--vault-dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child_main(args)
    if args.skip_big and args.skip_small:
        p.error("nothing to do: both --skip-big and --skip-small")
    if args.small_size < 16 or args.repeat < 1:
        p.error("--small-size must be at least 16 bytes and --repeat at least 1")
    return parent_main(args)


if __name__ == "__main__":
    sys.exit(main())
