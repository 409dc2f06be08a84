"""Every input saved under tests/fuzz/regressions/<target>/ replayed through the fuzz oracle.

An input lands here when the fuzzer found it breaking a promise (docs/fuzzing.md): it must stay
fixed. The file's suffix is its kind (how it is put on disk, ``tests/fuzz/seeds.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fuzz.campaign import TARGETS, build_seeds
from tests.fuzz.worker import Worker

REGRESSIONS = Path(__file__).parent / "regressions"
CASES = sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file() and p.parent.name in TARGETS)
TIMEOUT = 60.0  # a generous deadline for a busy machine: only a real hang reaches it


@pytest.fixture(scope="module")
def worker_for(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Worker]]:
    """One worker per target, started when first needed (and again after a failure)."""
    started: dict[str, Worker] = {}

    def worker(target: str) -> Worker:
        if target not in started:
            work = tmp_path_factory.mktemp(f"fuzz-{target}")
            shared = work / "shared"
            shared.mkdir()
            build_seeds(target, shared)  # the template vault, identity and key the oracle uses
            started[target] = Worker(target, work, shared, TIMEOUT)
        return started[target]

    yield worker
    for w in started.values():
        w.stop()


def test_every_target_folder_is_known() -> None:
    folders = {p.name for p in REGRESSIONS.iterdir() if p.is_dir()}
    assert folders <= set(TARGETS)


@pytest.mark.slow
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_regression(path: Path, worker_for: Callable[[str], Worker]) -> None:
    outcome = worker_for(path.parent.name).run(path.suffix.removeprefix("."), path.read_bytes())
    assert outcome.status == "ok", f"{outcome.status}: {outcome.summary}\n{outcome.detail}"
