"""One fuzzing campaign: seeds in, mutated inputs through a worker, failures saved, a summary out."""

from __future__ import annotations

import random
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz import seeds
from tests.fuzz.mutate import INTERESTING_DATES, Mutator
from tests.fuzz.seeds import Input
from tests.fuzz.worker import Outcome, Worker

TARGETS = ("verify", "telegram", "whatsapp", "meta", "email", "keys", "images")
MAX_SAVED_PER_CLASS = 3  # inputs kept for one failure summary; the rest are only counted
MAX_CORPUS = 200
MAX_SEED_BYTES = 64 << 10  # bigger accepted inputs are not kept as seeds: they slow every run


def build_seeds(target: str, shared: Path) -> list[Input]:
    """The seed inputs of ``target``; ``verify`` and ``keys`` also write their vault to ``shared``."""
    if target in ("verify", "keys"):
        made = seeds.vault_files(shared)
        return [i for i in made if (i.kind == "keys") == (target == "keys")]
    builders: dict[str, Callable[[], list[Input]]] = {
        "telegram": seeds.telegram,
        "whatsapp": seeds.whatsapp,
        "meta": seeds.meta,
        "email": seeds.email,
        "images": seeds.images,
    }
    return builders[target]()


def mutate(m: Mutator, target: str, seed: Input, others: list[bytes]) -> Input:
    """A few stacked mutations that suit the kind of input (and the format inside a ZIP)."""
    rng = m.rng
    data = seed.data

    def content(name: str, blob: bytes) -> bytes:
        lower = name.lower()
        if lower.endswith(".json") and rng.random() < 0.8:
            return m.json_(blob)
        if lower.endswith((".txt", ".eml", ".mbox")) and rng.random() < 0.8:
            return mail(blob) if target == "email" and rng.random() < 0.15 else m.text(blob)
        return m.bytes_(blob, others)

    def mail(blob: bytes) -> bytes:
        """E-mail headers that have broken date and address handling before."""
        if rng.random() < 0.5:
            date = rng.choice(INTERESTING_DATES).encode()
            return blob.replace(b"Date: ", b"Date: " + date + b"\r\nX-Old: ", 1)
        many = b", ".join(
            b"x%d@example.org" % i for i in range(rng.choice((50, 50, 50, 3000, 20000)))
        )
        return blob.replace(b"Cc: ", b"Cc: " + many + b", ", 1)

    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 8))):
        kind = seed.kind
        roll = rng.random()
        if kind in ("zip", "bundle", "sealed-zip"):
            if roll < 0.25:
                data = m.zip_structure(data)
            elif roll < 0.8:
                data = m.zip_member(data, content)
            else:
                data = m.bytes_(data, others)
        elif kind == "dir":
            data = m.zip_member(data, content)
        elif kind in ("eml", "mbox", "txt", "keys"):
            name = "x.json" if kind == "keys" else "x." + kind
            data = content(name, data) if roll < 0.9 else m.bytes_(data, others)
        elif kind == "age" and roll < 0.7:  # the header (recipient stanzas, MAC) mostly
            head = min(len(data), 256)
            data = m.bytes_(data[:head], []) + data[head:]
        else:
            data = m.bytes_(data, others)
    return Input(seed.kind, data)


def failure_class(summary: str) -> str:
    """The summary with the numbers of its message blurred ("zip file version 25.5" and "18.6"
    are one bug); where it was raised (after " at ") is kept exactly."""
    message, at, where = summary.rpartition(" at ") if " at " in summary else (summary, "", "")
    return re.sub(r"\\u[0-9a-fA-F]{4}|[0-9]+", "N", message) + at + where


@dataclass
class Report:
    target: str
    runs: int = 0
    seconds: float = 0.0
    failures: list[tuple[int, Outcome, Path | None]] = field(default_factory=list)
    classes: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        rate = self.runs / self.seconds if self.seconds else 0.0
        return (
            f"{self.target:9} {self.runs:7d} inputs in {self.seconds:6.1f} s ({rate:6.1f}/s), "
            f"{len(self.failures)} failures in {len(self.classes)} classes"
        )


def save(out: Path, target: str, seed: int, iteration: int, item: Input, outcome: Outcome) -> Path:
    """Write the failing input and a note beside it: what to replay, and what went wrong."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{target}-s{seed}-i{iteration}.{item.kind}"
    path.write_bytes(item.data)
    path.with_suffix(path.suffix + ".txt").write_text(
        f"target: {target}\nseed: {seed}\niteration: {iteration}\nkind: {item.kind}\n"
        f"status: {outcome.status}\nsummary: {outcome.summary}\n\n{outcome.detail}\n",
        "utf-8",
    )
    return path


def run(
    target: str,
    seconds: float,
    seed: int,
    out: Path,
    timeout: float,
    log: Callable[[str], None] = print,
) -> Report:
    """Fuzz ``target`` for ``seconds`` from ``seed``; failing inputs go to ``out``."""
    work = out / "work" / target
    if work.exists():
        shutil.rmtree(work)
    shared = work / "shared"
    shared.mkdir(parents=True)
    seeds_ = build_seeds(target, shared)
    corpus = list(seeds_)
    rng = random.Random(f"{target}:{seed}")  # noqa: S311 - repeatable on purpose, not a secret
    mutator = Mutator(rng)
    worker = Worker(target, work, shared, timeout)
    report = Report(target)
    started = time.monotonic()
    try:
        worker.start()  # before the clock runs: starting costs seconds on a busy machine
        started = time.monotonic()
        iteration = 0
        while time.monotonic() - started < seconds:
            iteration += 1
            if iteration <= len(seeds_):  # the seeds themselves first, unchanged
                item = seeds_[iteration - 1]
            else:
                base = corpus[rng.randrange(len(corpus))]
                item = mutate(mutator, target, base, [c.data for c in corpus])
            outcome = worker.run(item.kind, item.data)
            report.runs += 1
            if outcome.status == "ok":
                if (
                    len(corpus) < MAX_CORPUS
                    and len(item.data) < MAX_SEED_BYTES
                    and rng.random() < 0.05
                ):
                    corpus.append(item)  # some accepted inputs become seeds: deeper mutations
                continue
            kind_of_failure = failure_class(outcome.summary)
            report.classes[kind_of_failure] += 1
            saved = None
            if report.classes[kind_of_failure] <= MAX_SAVED_PER_CLASS:
                saved = save(out, target, seed, iteration, item, outcome)
                log(f"  {target} #{iteration}: {outcome.status}: {outcome.summary} -> {saved}")
            report.failures.append((iteration, outcome, saved))
    finally:
        report.seconds = time.monotonic() - started
        worker.stop()
    return report
