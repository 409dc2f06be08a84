"""Files that leave the vault: owner-only from their first byte, never cut short under their real
name, stale partials of a killed run removed by the next, and one calm line when other accounts
can see them (vault/host/outputs.py). Real vaults, real files, real child processes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.children import python_child as _child
from tests.cli.runner import run_main
from tests.conftest import PASSPHRASE, fast_kdf
from vault import Vault, output_advice, verify_bundle
from vault.host import outputs

POSIX = sys.platform != "win32"
posix_only = pytest.mark.skipif(not POSIX, reason="POSIX file modes")


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems run with (0022): without our care, new files would be 0644."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _private_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)
    return folder


@pytest.fixture
def reachable() -> Iterator[Path]:
    """A folder other accounts can get to: every folder above it lets them pass. pytest's own
    tmp_path is inside a folder only its owner may enter, where nothing is visible to others."""
    base = Path(tempfile.mkdtemp(prefix="evault-test-", dir="/tmp" if POSIX else None))
    base.chmod(0o711)  # others may pass through it, not list it
    try:
        if not POSIX or not all(os.stat(d).st_mode & 0o001 for d in base.parents):
            pytest.skip("needs a folder other accounts can reach (like /tmp)")
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def reachable_folder(base: Path, name: str, mode: int) -> Path:
    folder = base / name
    folder.mkdir()
    folder.chmod(mode)
    return folder


def _partials(folder: Path) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".evault-partial"))


@pytest.fixture
def vault_with_item(make_vault: object, tmp_path: Path) -> tuple[Vault, str]:
    vault, _ = make_vault()  # type: ignore[operator]
    source = tmp_path / "threat.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n fictional screenshot bytes")
    return vault, vault.add_file(source).item_id


# ------------------------------------------------------------------ 0600 from the first byte


@posix_only
def test_every_file_written_outside_the_vault_is_owner_only(
    vault_with_item: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, item_id = vault_with_item
    out = _private_folder(tmp_path, "out")
    written: list[Path] = []

    vault.export_content(item_id, out / "copy.png")  # evault get
    written.append(out / "copy.png")
    plain = vault.export_bundle(out / "plain.zip", everything=True)  # a plain (unencrypted) bundle
    written.append(plain.path)
    locked = vault.export_bundle(
        out / "pass.zip.age", everything=True, passphrase="fictional bundle passphrase 42"
    )
    assert locked.key_path is not None
    written += [locked.path, locked.key_path]  # the bundle and its .key.age file

    # The ZIP that verify decrypts, its certificate, the hash list and a lawyer's age key.
    (out / "pw.txt").write_text("fictional bundle passphrase 42\n", encoding="utf-8")
    checked = verify_bundle(locked.path, ask_passphrase=lambda: "fictional bundle passphrase 42")
    assert checked.decrypted is not None and checked.result.intact
    written.append(checked.decrypted)
    code, _, err = run_main(["verify", str(plain.path), "--certificate", str(out / "cert.html")])
    assert code in (0, 4), err
    written.append(out / "cert.html")
    code, _, err = run_main(["recipient", "new", "--out", str(out / "lawyer.key")])
    assert code == 0, err
    written.append(out / "lawyer.key")
    vault.close()
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    code, _, err = run_main(
        [
            "--vault",
            str(vault.folder),
            "--passphrase-file",
            str(tmp_path / "pass.txt"),
            "hashes",
            "--out",
            str(out / "hashes.csv"),
        ]
    )
    assert code == 0, err
    written.append(out / "hashes.csv")

    modes = {p.name: oct(_mode(p)) for p in written}
    assert modes == {p.name: oct(0o600) for p in written}
    assert not _partials(out)


@posix_only
def test_a_copy_is_owner_only_while_it_is_being_written(
    vault_with_item: tuple[Vault, str], tmp_path: Path
) -> None:
    """Not made private after the fact: the partial file is 0600 from its first byte."""
    vault, item_id = vault_with_item
    out = _private_folder(tmp_path, "out")
    seen: list[int] = []

    def progress(done: int, total: int | None) -> None:
        (partial,) = _partials(out)
        seen.append(_mode(out / partial))

    vault.export_content(item_id, out / "copy.png", progress=progress)
    assert seen and set(seen) == {0o600}


@posix_only
@pytest.mark.parametrize("umask", [0o000, 0o002, 0o077])
def test_owner_only_whatever_the_umask(
    vault_with_item: tuple[Vault, str], tmp_path: Path, umask: int
) -> None:
    """0600 does not come from the umask: a lax one (0000, 0002) never widens it."""
    vault, item_id = vault_with_item
    out = _private_folder(tmp_path, "out")
    os.umask(umask)  # the autouse fixture restores it
    vault.export_content(item_id, out / "copy.png")
    bundle = vault.export_bundle(out / "plain.zip", everything=True)
    assert _mode(out / "copy.png") == 0o600
    assert _mode(bundle.path) == 0o600


def test_get_over_an_existing_file_gives_it_owner_only_permissions(
    vault_with_item: tuple[Vault, str], tmp_path: Path
) -> None:
    vault, item_id = vault_with_item
    out = _private_folder(tmp_path, "out")
    target = out / "copy.png"
    target.write_bytes(b"an older copy")
    target.chmod(0o644)
    vault.export_content(item_id, target, overwrite=True)
    assert target.read_bytes().startswith(b"\x89PNG")
    if POSIX:
        assert _mode(target) == 0o600


# ------------------------------------------------------------------ advice


@posix_only
def test_advice_names_what_other_accounts_can_do(reachable: Path) -> None:
    private = reachable_folder(reachable, "private", 0o700)
    outputs.write_new(private / "a.zip", b"x")
    assert output_advice(private / "a.zip") is None

    listed = reachable_folder(reachable, "listed", 0o755)  # e.g. a home folder on many systems
    outputs.write_new(listed / "a.zip", b"x")
    advice = output_advice(listed / "a.zip")
    assert advice is not None and "see the names" in advice and "only your account" in advice

    shared = reachable_folder(reachable, "shared", 0o777)  # world-writable, no sticky bit
    outputs.write_new(shared / "a.zip", b"x")
    advice = output_advice(shared / "a.zip")
    assert advice is not None and "delete or replace" in advice

    # Written under a relative name (`--certificate cert.html`): the folder is named in full.
    relative = Path(os.path.relpath(listed / "a.zip"))
    advice = output_advice(relative)
    assert advice is not None and f" in {listed}; " in advice

    sticky = reachable_folder(reachable, "tmp-like", 0o1777)  # like /tmp: others see names
    outputs.write_new(sticky / "a.zip", b"x")
    advice = output_advice(sticky / "a.zip")
    assert advice is not None and "see the names" in advice

    # What a FAT or exFAT stick shows: every file readable whatever evault asked for.
    fat_like = listed / "b.zip"
    outputs.write_new(fat_like, b"x")
    fat_like.chmod(0o755)
    advice = output_advice(fat_like)
    assert advice is not None and "keeps no file permissions" in advice
    assert "\n" not in advice

    # A folder others could list, inside one they cannot enter (a Documents folder of mode 0755
    # in a home folder of mode 0700): they see nothing, so nothing is said.
    inner = reachable_folder(private, "Documents", 0o755)
    outputs.write_new(inner / "a.zip", b"x")
    assert output_advice(inner / "a.zip") is None


@posix_only
def test_get_into_a_folder_others_can_read_says_so_once(
    vault_with_item: tuple[Vault, str], tmp_path: Path, reachable: Path
) -> None:
    vault, item_id = vault_with_item
    vault.close()
    folder = reachable_folder(reachable, "shared", 0o755)
    (tmp_path / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    base = ["--vault", str(vault.folder), "--passphrase-file", str(tmp_path / "pass.txt")]
    code, _, err = run_main([*base, "get", item_id, "--out", str(folder / "copy.png")])
    assert code == 0, err
    assert err.count("other accounts on this computer can see the names") == 1
    mine = reachable_folder(reachable, "mine", 0o700)
    code, _, err = run_main([*base, "get", item_id, "--out", str(mine / "private.png")])
    assert code == 0, err
    assert "other accounts" not in err


# ------------------------------------------------------------------ stale partials


@pytest.mark.slow
def test_a_killed_get_leaves_nothing_the_next_run_does_not_remove(tmp_path: Path) -> None:
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    video = tmp_path / "video.mp4"
    video.write_bytes(os.urandom(3 * 1024 * 1024 + 5))  # four chunks
    item_id = vault.add_file(video).item_id
    vault.close()
    out = _private_folder(tmp_path, "out")
    target = out / "video.mp4"

    child = _child(
        f"""
        import time
        from pathlib import Path
        from vault import Vault
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        def progress(done, total):
            print("ready", flush=True)
            time.sleep(60)
        vault.export_content({item_id!r}, Path({str(target)!r}), progress=progress)
        """
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == b"ready", child.stderr.read() if child.stderr else b""
    child.send_signal(signal.SIGKILL)  # no cleanup runs: the plaintext partial stays
    child.wait()
    assert _partials(out) == [".video.mp4.evault-partial"]
    assert not target.exists()

    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        again.export_content(item_id, target)  # the retry to the same name works
    assert target.read_bytes() == video.read_bytes()
    assert _partials(out) == []


def test_a_stale_partial_of_a_decrypted_bundle_does_not_block_the_next_verify(
    vault_with_item: tuple[Vault, str], tmp_path: Path
) -> None:
    """A lawyer's verify killed while decrypting leaves a plaintext partial ZIP; the next one
    removes it and writes the ZIP."""
    vault, _ = vault_with_item
    out = _private_folder(tmp_path, "out")
    secret = "fictional bundle passphrase 42"
    bundle = vault.export_bundle(out / "b.zip.age", everything=True, passphrase=secret)
    stale = out / ".b.zip.evault-partial"
    stale.write_bytes(b"PK\x03\x04 the start of a decrypted bundle, cut short by a kill")
    checked = verify_bundle(bundle.path, ask_passphrase=lambda: secret)
    assert checked.decrypted == out / "b.zip"
    assert checked.result.intact
    assert _partials(out) == []


@pytest.mark.skipif(not POSIX, reason="flock")
def test_only_our_own_stale_partials_are_removed(tmp_path: Path) -> None:
    folder = _private_folder(tmp_path, "out")
    mine_but_not_ours = folder / "notes.evault-partial"  # not hidden: not our naming
    mine_but_not_ours.write_bytes(b"a file of the user's")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"must survive")
    link = folder / ".link.evault-partial"
    link.symlink_to(elsewhere)
    directory = folder / ".dir.evault-partial"
    directory.mkdir()

    # A live writer: another process holds its partial locked while it writes.
    live_target = folder / "live.zip"
    child = _child(
        f"""
        import time
        from pathlib import Path
        from vault.host.outputs import Output
        with Output(Path({str(live_target)!r})) as out:
            out.file.write(b"being written")
            out.file.flush()
            print("ready", flush=True)
            time.sleep(60)
        """
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == b"ready"
        # Left by a killed run (written after the child started: its own write tidies too).
        stale = folder / ".old.zip.evault-partial"
        stale.write_bytes(b"left by a killed run")
        removed = outputs.remove_stale_partials(folder)
        assert removed == 1
        assert not stale.exists()
        assert _partials(folder) == [
            ".dir.evault-partial",
            ".link.evault-partial",
            ".live.zip.evault-partial",  # locked by its live writer
            "notes.evault-partial",
        ]
        assert mine_but_not_ours.exists() and elsewhere.read_bytes() == b"must survive"
    finally:
        child.kill()
        child.wait()
    # Once the writer is gone (killed), its partial is stale too.
    assert outputs.remove_stale_partials(folder) == 1
    assert not (folder / ".live.zip.evault-partial").exists()


@pytest.mark.skipif(not POSIX or os.geteuid() != 0, reason="needs another account's file")
def test_another_accounts_partial_is_left_alone(tmp_path: Path) -> None:
    folder = _private_folder(tmp_path, "out")
    theirs = folder / ".theirs.zip.evault-partial"
    theirs.write_bytes(b"someone else's")
    os.chown(theirs, 65534, 65534)
    assert outputs.remove_stale_partials(folder) == 0
    assert theirs.exists()


def test_a_failed_write_leaves_neither_name(tmp_path: Path) -> None:
    folder = _private_folder(tmp_path, "out")
    target = folder / "list.csv"
    with pytest.raises(RuntimeError), outputs.Output(target) as out:
        out.file.write(b"half")
        raise RuntimeError("stopped")
    assert os.listdir(folder) == []
    outputs.write_new(target, b"whole")
    with pytest.raises(FileExistsError):
        outputs.write_new(target, b"again")
    assert target.read_bytes() == b"whole"


def _writeback_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "evault-output-writeback"]


@pytest.mark.parametrize("fails", [False, True])
def test_a_long_output_is_written_back_while_written_and_the_thread_ends_with_it(
    tmp_path: Path, fails: bool
) -> None:
    """``write_back`` starts a thread that fdatasyncs the partial as it grows; it ends before
    the descriptor is closed, whether the file is published or given up, and the file holds
    every byte written."""
    folder = _private_folder(tmp_path, "out")
    target = folder / "bundle.zip"
    data = os.urandom(3 * 1024 * 1024)
    with contextlib.suppress(RuntimeError), outputs.Output(target, write_back=True) as out:
        if hasattr(os, "fdatasync"):
            assert _writeback_threads() == ["evault-output-writeback"]
        for start in range(0, len(data), 64 * 1024):
            out.file.write(data[start : start + 64 * 1024])
            time.sleep(0.001)  # give the thread turns while the file grows
        if fails:
            raise RuntimeError("stopped")
        out.publish()
    assert _writeback_threads() == []
    if fails:
        assert os.listdir(folder) == []
    else:
        assert target.read_bytes() == data
