"""One process at a time: a second open of the same vault is told it is busy."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from vault import Vault
from vault.errors import VaultBusy


def test_second_open_is_busy_until_the_first_closes(vault: Vault) -> None:
    started = time.monotonic()
    with pytest.raises(VaultBusy):
        Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.1)
    assert time.monotonic() - started < 2.0
    vault.add_note("the first one still works")
    vault.close()
    with Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.1) as second:
        assert len(second.list_items()) == 1


def test_busy_is_reported_before_the_passphrase_is_tried(vault: Vault) -> None:
    with pytest.raises(VaultBusy):
        Vault.open(vault.folder, passphrase="not even the right one", lock_wait=0.1)


def test_busy_does_not_disturb_the_open_vault(vault: Vault) -> None:
    for _ in range(3):
        with pytest.raises(VaultBusy):
            Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.05)
    vault.add_note("still mine")
    assert vault.check().ok


def test_lock_is_released_after_a_failed_open(vault: Vault) -> None:
    vault.close()
    from vault.errors import WrongPassphrase

    with pytest.raises(WrongPassphrase):
        Vault.open(vault.folder, passphrase="wrong passphrase", lock_wait=0.1)
    Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.1).close()


def test_open_waits_for_the_lock_to_be_released(vault: Vault) -> None:
    import threading

    timer = threading.Timer(0.3, vault.close)
    timer.start()
    try:
        with Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=5.0) as second:
            assert second.check().ok
    finally:
        timer.join()


def test_two_vaults_can_be_open_at_once(make_vault) -> None:  # type: ignore[no-untyped-def]
    first, _ = make_vault("a.evault")
    second, _ = make_vault("b.evault")
    first.add_note("a")
    second.add_note("b")
    assert first.check().ok and second.check().ok


@pytest.mark.slow
def test_another_process_is_told_the_vault_is_busy(vault: Vault) -> None:
    code = (
        "import sys\n"
        "from vault import Vault\n"
        "from vault.errors import VaultBusy\n"
        "try:\n"
        "    Vault.open(sys.argv[1], passphrase=sys.argv[2], lock_wait=0.2)\n"
        "except VaultBusy:\n"
        "    sys.exit(42)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code, str(vault.folder), PASSPHRASE],
        cwd=root,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 42, result.stderr
    vault.close()
    result = subprocess.run(
        [sys.executable, "-c", code, str(vault.folder), PASSPHRASE],
        cwd=root,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_no_lock_file_is_created_on_posix(vault: Vault) -> None:
    if sys.platform == "win32":  # pragma: no cover
        pytest.skip("Windows uses vault.lock")
    assert sorted(p.name for p in vault.folder.iterdir()) == ["vault.db", "vault.keys"]
