"""What the app's panic key stops, at the vault's level: each long task given a cancel event that
is set part-way keeps nothing half-done (issue 14, item 4). The app tests
(``tests/tui/test_panic_states.py``) press the key; these check the vault's side of each promise
directly and quickly.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from crypto import transport
from crypto.kdf import Argon2Params
from tests.conftest import PASSPHRASE, MakeVault
from vault import Vault, verify_bundle
from vault.errors import Cancelled, WrongPassphrase


class _SetWhileDeriving:
    """A KDF choice that sets ``cancel`` when the new slot's parameters are asked for, so the
    panic key is "pressed" while the new key is being derived, before anything is written."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel

    def __call__(self) -> Argon2Params:
        self.cancel.set()
        return Argon2Params(memory_kib=1024, iterations=1, parallelism=1)


def test_a_stopped_passphrase_change_changes_nothing(make_vault: MakeVault) -> None:
    vault, _ = make_vault()
    keys_before = (vault.folder / "vault.keys").read_bytes()
    cancel = threading.Event()
    with pytest.raises(Cancelled, match="old one still opens"):
        vault.change_passphrase(
            "a new passphrase nobody saw", kdf=_SetWhileDeriving(cancel), cancel=cancel
        )
    assert (vault.folder / "vault.keys").read_bytes() == keys_before
    folder = vault.folder
    vault.close()
    Vault.open(folder, passphrase=PASSPHRASE).close()
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, passphrase="a new passphrase nobody saw")


def test_a_stopped_backup_leaves_no_folder_it_made(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    vault.add_bytes(os.urandom(3 * 1024 * 1024), "recording.ogg")
    stick = tmp_path / "stick"
    stick.mkdir()
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()  # as locking the app does, from another thread

    with pytest.raises(Cancelled):
        vault.backup(stick / "Copy.evault", progress=progress, cancel=cancel)
    assert list(stick.iterdir()) == []


def _encrypted_bundle(make_vault: MakeVault, work: Path) -> tuple[Path, Path]:
    vault, _ = make_vault()
    vault.add_bytes(os.urandom(2 * 1024 * 1024), "recording.ogg")
    secret, recipient = transport.new_identity()
    bundle = work / "bundle.zip.age"
    vault.export_bundle(bundle, everything=True, recipients=[recipient])
    key = work / "lawyer.key"
    key.write_text(secret + "\n", encoding="ascii")
    return bundle, key


def test_a_stopped_decryption_leaves_no_partial_zip(make_vault: MakeVault, tmp_path: Path) -> None:
    work = tmp_path / "received"
    work.mkdir()
    bundle, key = _encrypted_bundle(make_vault, work)
    before = sorted(p.name for p in work.iterdir())
    cancel = threading.Event()
    cancel.set()  # before the first block: the decryption reads nothing more
    with pytest.raises(Cancelled, match="no decrypted copy"):
        verify_bundle(bundle, identities=[key], cancel=cancel)
    assert sorted(p.name for p in work.iterdir()) == before


def test_a_check_stopped_after_decrypting_removes_the_copy(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Stopped while checking the decrypted ZIP: the copy made for that check goes too."""
    work = tmp_path / "received"
    work.mkdir()
    bundle, key = _encrypted_bundle(make_vault, work)
    before = sorted(p.name for p in work.iterdir())
    cancel = threading.Event()

    def progress(*_args: object) -> None:
        cancel.set()  # the decryption is over; the ZIP's members are being checked

    with pytest.raises(Cancelled):
        verify_bundle(bundle, identities=[key], progress=progress, cancel=cancel)
    assert sorted(p.name for p in work.iterdir()) == before


def test_a_check_stopped_as_it_ends_removes_the_copy(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped just as the last check returns (a one-pass check can finish before the panic is
    noticed): the panic wins, and the decrypted copy goes."""
    from vault.bundle import checking

    work = tmp_path / "received"
    work.mkdir()
    bundle, key = _encrypted_bundle(make_vault, work)
    before = sorted(p.name for p in work.iterdir())
    cancel = threading.Event()
    real = checking.verify_zip  # type: ignore[attr-defined]

    def verify_then_panic(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        cancel.set()  # the panic key, pressed as the check returned
        return result

    monkeypatch.setattr(checking, "verify_zip", verify_then_panic)
    with pytest.raises(Cancelled):
        verify_bundle(bundle, identities=[key], cancel=cancel)
    assert sorted(p.name for p in work.iterdir()) == before
