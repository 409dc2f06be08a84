"""Shared fixtures: real vaults on disk with fast KDF parameters.

Production Argon2id parameters (256 MiB, ~0.5 s) would make the suite take many minutes, so tests
create vaults with tiny parameters (KeePassXC's fastKdf idea). One test in tests/crypto pins the
production parameters, and a few CLI tests run the real calibration end to end.
"""

from __future__ import annotations

import sys

# The test processes write no bytecode beside the program's code: tests/test_no_trace.py checks
# that the program leaves no __pycache__ there, and with the suite spread over several processes
# (pytest -n auto) another test's first import must not look like the program's trace.
sys.dont_write_bytecode = True

import os

# The suite checks the English words unless a test asks for another language: the language of the
# machine running it (LANG=ru_RU.UTF-8 on a developer's laptop) must not change what is expected.
# Subprocesses inherit this; tests of the language choice pass their own environment.
os.environ["EVAULT_LANG"] = "en"

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import pytest

from crypto.kdf import Argon2Params
from vault import Vault, set_language

if TYPE_CHECKING:
    from tests.cli.runner import Runner

PASSPHRASE = "correct horse battery staple"
# Hypothesis text without lone surrogates (they cannot be UTF-8): st.characters(exclude_categories=)
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
FAST_PARAMS = Argon2Params(memory_kib=1024, iterations=1, parallelism=1)


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """A test that switches the process to Azerbaijani or Russian leaves it in English."""
    yield
    set_language("en")


def fast_kdf() -> Argon2Params:
    return FAST_PARAMS


class MakeVault(Protocol):
    """The ``make_vault`` fixture: a new vault (and its recovery key) in the test's folder."""

    def __call__(
        self, name: str = ..., passphrase: str = ..., keyfile: bytes | None = ...
    ) -> tuple[Vault, str]: ...


@pytest.fixture
def make_vault(tmp_path: Path) -> Iterator[MakeVault]:
    """Factory: ``make_vault(name="v", passphrase=..., keyfile=None) -> (Vault, recovery_key)``.

    Every vault it opened is closed at the end of the test.
    """
    opened: list[Vault] = []

    def factory(
        name: str = "v.evault", passphrase: str = PASSPHRASE, keyfile: bytes | None = None
    ) -> tuple[Vault, str]:
        vault, recovery = Vault.create(tmp_path / name, passphrase, keyfile=keyfile, kdf=fast_kdf)
        opened.append(vault)
        return vault, recovery

    yield factory
    for vault in opened:
        vault.close()


@pytest.fixture
def vault(make_vault: MakeVault) -> Vault:
    """A fresh, open vault in a temporary folder."""
    v, _ = make_vault()
    return v


@pytest.fixture
def patch_fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make in-process CLI commands (init, passwd) use fast KDF parameters."""
    monkeypatch.setattr("vault.store.keychange.calibrate", fast_kdf)


@pytest.fixture
def run(tmp_path: Path, patch_fast_kdf: None) -> Runner:
    """``evault --vault V --passphrase-file P …`` in-process, on a vault just made with ``init``."""
    from tests.cli.runner import new_vault_runner

    return new_vault_runner(tmp_path)
