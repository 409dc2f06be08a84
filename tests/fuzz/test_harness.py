"""The harness itself: it must notice a hang and a dead worker, and a seed must repeat a run."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.fuzz import seeds
from tests.fuzz.campaign import mutate
from tests.fuzz.mutate import Mutator
from tests.fuzz.worker import Worker


def _inputs(seed: int) -> list[bytes]:
    corpus = seeds.email() + seeds.meta()
    m = Mutator(random.Random(seed))  # noqa: S311 - repeatable on purpose
    return [mutate(m, "email", corpus[i % len(corpus)], []).data for i in range(40)]


def test_the_same_seed_makes_the_same_inputs() -> None:
    assert _inputs(7) == _inputs(7)
    assert _inputs(7) != _inputs(8)


@pytest.mark.slow
def test_a_worker_that_does_not_answer_in_time_is_a_hang(tmp_path: Path) -> None:
    worker = Worker("images", tmp_path, tmp_path, timeout=1e-6)
    try:
        picture = seeds.images()[0].data
        assert worker.run("img", picture).status == "hang"
        worker.timeout = 60.0
        assert worker.run("img", picture).status == "ok"  # a new worker took its place
    finally:
        worker.stop()


@pytest.mark.slow
def test_a_worker_that_dies_is_a_crash(tmp_path: Path) -> None:
    worker = Worker("images", tmp_path, tmp_path, timeout=60.0)
    try:
        worker.start()
        assert worker.proc is not None
        worker.proc.kill()
        worker.proc.wait()
        outcome = worker.run("img", seeds.images()[0].data)
        assert outcome.status == "crash"
        assert worker.run("img", seeds.images()[0].data).status == "ok"
    finally:
        worker.stop()
