"""Export memory as the item count grows (issue 18: "report and custody streamed so memory
stays flat"). A script, not a test.

bundle.py measures the issue's row (2,000 small items, peak RSS < 100 MiB). This one asks whether
memory stays flat beyond it: it exports every item of a vault of many imported messages (the
vault ``imports.py --keep`` leaves: 20,000 messages + 195 files by default) and reports the
export's peak RSS and what it costs per item above the same process's RSS before the export.
With ``--before TREE`` (e.g. ``git archive REV | tar -x -C TREE``) the code of TREE exports a
copy of the same vault in alternating rounds, and the ratio is printed.

    python benchmarks/imports.py --workdir /tmp/b --keep --messages 20000 --photos 200
    python benchmarks/export_memory.py --vault /tmp/b/evault-import-bench/vault --before /tmp/old

Each export runs in a fresh child process on its own copy of the vault (an export adds two
custody events about every item, which the next export would carry), and the bundle is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common
from _common import PASSPHRASE, REPO, log, peak_rss_kib, run_timed


def child_export(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, args.code)
    from vault import Vault  # noqa: PLC0415 - the code measured is chosen at run time

    vault = Vault.open(Path(args.vault_dir), passphrase=PASSPHRASE)
    before = peak_rss_kib()
    started = time.perf_counter()
    result = vault.export_bundle(Path(args.out), everything=True)
    seconds = time.perf_counter() - started
    vault.close()
    return {
        "items": result.items,
        "bytes": result.size,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_rss_kib": peak_rss_kib(),
        "code": _common.vault_module(),
    }


def _round(code: Path, source: Path, scratch: Path) -> dict[str, Any]:
    copy = scratch / "vault"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    out = scratch / "bundle.zip"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--code",
        str(code),
        "--vault-dir",
        str(copy),
        "--out",
        str(out),
    ]
    env_cwd = scratch  # never the repository: its folder "vault" must not shadow the code chosen
    _seconds, maxrss, printed = run_timed(cmd, capture=True, cwd=env_cwd)
    found: dict[str, Any] = json.loads(printed.strip().splitlines()[-1])
    found["wait4_maxrss_kib"] = maxrss
    out.unlink(missing_ok=True)
    shutil.rmtree(copy, ignore_errors=True)
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--vault", type=Path, help="a vault made with the benchmarks' passphrase")
    p.add_argument("--before", type=Path, help="a tree of older code to measure in turn")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    p.add_argument("--json", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--code", help=argparse.SUPPRESS)
    p.add_argument("--vault-dir", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child_export(args)))
        return 0
    if args.vault is None or not (args.vault / "vault.db").is_file():
        p.error("--vault: a vault folder (imports.py --keep leaves one; see the docstring)")
    codes = {"after": REPO}
    if args.before is not None:
        codes = {"before": args.before.resolve(), "after": REPO}
    scratch = Path(tempfile.mkdtemp(prefix="evault-export-memory-", dir=args.workdir))
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in codes}
    try:
        for n in range(args.repeat):
            for name, code in codes.items():
                log(f"round {n + 1}: {name} ({code}) exports every item ...")
                rounds[name].append(_round(code, args.vault, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary: dict[str, Any] = {}
    for name, found in rounds.items():
        items = found[0]["items"]
        peaks = [r["peak_rss_kib"] / 1024 for r in found]
        grown = [(r["peak_rss_kib"] - r["rss_before_kib"]) / items for r in found]
        summary[name] = {
            "items": items,
            "peak_rss_mib": statistics.median(peaks),
            "kib_per_item": statistics.median(grown),
            "seconds": statistics.median(r["seconds"] for r in found),
            "code": found[0]["code"],
            "rounds": found,
        }
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(f"\nExport of every item ({summary['after']['items']:,}), median of {args.repeat}:")
    for name, s in summary.items():
        print(
            f"  {name:6} peak RSS {s['peak_rss_mib']:6.1f} MiB, "
            f"{s['kib_per_item']:5.2f} KiB per item above the RSS before the export, "
            f"{s['seconds']:5.1f} s  ({s['code']})"
        )
    if "before" in summary:
        ratio = summary["after"]["peak_rss_mib"] / summary["before"]["peak_rss_mib"]
        per_item = summary["after"]["kib_per_item"] / summary["before"]["kib_per_item"]
        print(f"  after / before: peak RSS {ratio:.2f}x, per item {per_item:.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
