"""A short fuzzing run over every target (about a minute in all), as CI runs it.

The seed comes from ``EVAULT_FUZZ_SEED`` (a fixed default, so a plain run is repeatable); CI may
set a fresh one per build to explore further. A failure names the saved input and its note; to keep
it, copy the input into tests/fuzz/regressions/<target>/ (docs/fuzzing.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.campaign import TARGETS, run

SEED = int(os.environ.get("EVAULT_FUZZ_SEED", "20261207"))
SECONDS_PER_TARGET = 60 / len(TARGETS)


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_briefly(target: str, tmp_path: Path) -> None:
    report = run(target, SECONDS_PER_TARGET, SEED, tmp_path, timeout=60.0, log=lambda _: None)
    assert report.runs > 0
    found = [f"{o.status}: {o.summary} (input {saved})" for _, o, saved in report.failures]
    assert not found, f"{target} seed {SEED}: " + "; ".join(found[:5])
