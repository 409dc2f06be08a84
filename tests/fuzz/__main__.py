"""``python -m tests.fuzz --target T --minutes N --seed S --out DIR [--timeout SECONDS]``.

See docs/fuzzing.md. Exits 1 if any input failed (each one is saved in ``--out``), else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.fuzz.campaign import TARGETS, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--target", required=True, choices=(*TARGETS, "all"))
    parser.add_argument("--minutes", type=float, required=True, help="for all targets together")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="failing inputs are saved here")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one input may take")
    args = parser.parse_args(argv)
    targets = TARGETS if args.target == "all" else (args.target,)
    seconds = args.minutes * 60 / len(targets)
    reports = []
    for target in targets:
        print(f"fuzzing {target} for {seconds:.0f} s (seed {args.seed})", flush=True)
        reports.append(run(target, seconds, args.seed, args.out, args.timeout))
    print("\nsummary")
    failed = 0
    for report in reports:
        print("  " + report.line())
        for summary, count in report.classes.most_common():
            print(f"    {count:5d} x {summary}")
        failed += len(report.failures)
    if failed:
        print(f"\n{failed} failing inputs; see {args.out} (one .txt note beside each saved input)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
