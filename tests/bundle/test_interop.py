"""Lawyers check bundles with their own tools: the real unzip, sha256sum, minisign, ssh-keygen and
age (installed in CI; these tests never skip). A bundle evault writes must pass them, a changed one
must fail them, and every encrypted bundle must open with the real `age -d`."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bundle.support import (
    Sample,
    file_sha256,
    flip,
    make_sample,
    manifest_of,
    read_members,
    tool,
    unzip_to,
)
from vault.bundle import layout
from vault.bundle.checking import verify_bundle
from vault.bundle.verify import verify_zip

# Slow: real processes, terminals or the whole app; left out of the fast loop (-m 'not slow').
pytestmark = pytest.mark.slow

PASSPHRASE = "correct horse battery staple for the lawyer"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    s = make_sample(tmp_path_factory.mktemp("interop"), big=True)
    yield s
    s.vault.close()


@pytest.fixture(scope="module")
def bundle(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "bundle.zip"
    sample.vault.export_bundle(out, everything=True, note="for the lawyer")
    return out


def _ok(done: subprocess.CompletedProcess[bytes]) -> str:
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert done.returncode == 0, output
    return output


def _minisign(folder: Path) -> subprocess.CompletedProcess[bytes]:
    return tool("minisign", "-Vm", layout.SUMS, "-p", layout.KEY_MINISIGN, cwd=folder)


def _ssh_verify(folder: Path) -> subprocess.CompletedProcess[bytes]:
    return tool(
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        layout.ALLOWED_SIGNERS,
        "-I",
        layout.PRINCIPAL,
        "-n",
        layout.NAMESPACE,
        "-s",
        layout.SSHSIG,
        cwd=folder,
        stdin=(folder / layout.SUMS).read_bytes(),
    )


def test_unzip_lists_and_tests_every_member(bundle: Path) -> None:
    out = _ok(tool("unzip", "-t", bundle))
    assert "No errors detected" in out
    listing = _ok(tool("unzip", "-Z1", bundle)).split()
    assert listing == [name for name, _ in read_members(bundle)]


def test_independent_tools_verify_the_extracted_bundle(bundle: Path, tmp_path: Path) -> None:
    folder = unzip_to(bundle, tmp_path / "x")
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert names == {name for name, _ in read_members(bundle)}
    manifest = manifest_of(bundle)

    sums = _ok(tool("sha256sum", "-c", layout.SUMS, cwd=folder))
    listed = (folder / layout.SUMS).read_text("ascii").splitlines()
    assert sums.count(": OK") == len(listed) == len(names) - 3
    big = next(i for i in manifest["items"] if i["size"] > 1024 * 1024)
    assert f"{big['path']}: OK" in sums  # the multi-chunk file

    out = _ok(_minisign(folder))
    assert "Signature and comment signature verified" in out
    assert f"Trusted comment: evault bundle {manifest['bundle_id']}" in out
    # The signed comment names the bundle, never the signer's digits: a forger would write the
    # defender's digits there (docs/lawyers.md), so only the lawyer's own comparison counts.
    assert manifest["signer"]["fingerprint"].replace(" ", "") not in out

    out = _ok(_ssh_verify(folder))
    assert f'Good "{layout.NAMESPACE}" signature for {layout.PRINCIPAL}' in out

    out = _ok(tool("ssh-keygen", "-l", "-f", layout.KEY_SSH, cwd=folder))
    assert out.split()[1] == manifest["signer"]["ssh_fingerprint"]
    assert "ED25519" in out


def test_independent_tools_notice_a_changed_evidence_file(bundle: Path, tmp_path: Path) -> None:
    folder = unzip_to(bundle, tmp_path / "x")
    target = folder / manifest_of(bundle)["items"][1]["path"]
    data = target.read_bytes()
    target.write_bytes(flip(data, len(data) // 2))
    done = tool("sha256sum", "-c", layout.SUMS, cwd=folder)
    assert done.returncode == 1
    out = done.stdout.decode()
    assert f"{target.relative_to(folder)}: FAILED" in out
    assert out.count(": FAILED") == 1
    # The signatures are over SHA256SUMS, which is unchanged: they still hold.
    _ok(_minisign(folder))
    _ok(_ssh_verify(folder))


def test_independent_tools_notice_a_changed_sums_file(bundle: Path, tmp_path: Path) -> None:
    folder = unzip_to(bundle, tmp_path / "x")
    sums = folder / layout.SUMS
    sums.write_bytes(flip(sums.read_bytes(), 10))  # one hex digit of the first hash
    done = _minisign(folder)
    assert done.returncode != 0
    assert b"Signature verification failed" in done.stderr + done.stdout
    assert _ssh_verify(folder).returncode != 0
    # An added line is caught the same way.
    sums.write_bytes(sums.read_bytes() + b"0" * 64 + b"  evidence/extra.jpg\n")
    assert _minisign(folder).returncode != 0
    assert _ssh_verify(folder).returncode != 0


def test_independent_tools_refuse_another_vaults_key(bundle: Path, tmp_path: Path) -> None:
    other = make_sample(tmp_path, "other.evault", seed=9)
    try:
        other_bundle = tmp_path / "other.zip"
        other.vault.export_bundle(other_bundle, item_ids=[other.note])
    finally:
        other.vault.close()
    mine = unzip_to(bundle, tmp_path / "mine")
    theirs = unzip_to(other_bundle, tmp_path / "theirs")
    # The lawyer's saved keys of vault one, with a bundle signed by vault two: both tools refuse.
    for name in (layout.KEY_MINISIGN, layout.ALLOWED_SIGNERS):
        (theirs / name).write_bytes((mine / name).read_bytes())
    assert _minisign(theirs).returncode != 0
    assert _ssh_verify(theirs).returncode != 0


# ---------------------------------------------------------------------------- age


def _age_keypair(folder: Path) -> tuple[Path, str]:
    key = folder / "lawyer.key"
    _ok(tool("age-keygen", "-o", key))
    recipient = _ok(tool("age-keygen", "-y", key)).strip()
    assert recipient.startswith("age1")
    return key, recipient


def test_real_age_decrypts_a_bundle_encrypted_to_a_recipient(
    sample: Sample, tmp_path: Path
) -> None:
    key, recipient = _age_keypair(tmp_path)
    (tmp_path / "second").mkdir()
    second_key, other_recipient = _age_keypair(tmp_path / "second")
    encrypted = tmp_path / "bundle.zip.age"
    result = sample.vault.export_bundle(
        encrypted, everything=True, recipients=[recipient, other_recipient]
    )
    assert result.sha256 == file_sha256(encrypted)
    assert encrypted.read_bytes().startswith(b"age-encryption.org/v1\n")
    by_age = tmp_path / "by-age.zip"
    _ok(tool("age", "-d", "-i", key, "-o", by_age, encrypted))
    assert verify_zip(by_age).intact
    # The second recipient can open it too.
    by_second = tmp_path / "by-second.zip"
    _ok(tool("age", "-d", "-i", second_key, "-o", by_second, encrypted))
    # evault's own decryption gives the very same ZIP.
    checked = verify_bundle(encrypted, identities=[key], decrypted_out=tmp_path / "ours.zip")
    assert checked.result.intact and checked.decrypted == tmp_path / "ours.zip"
    assert checked.result.bundle_sha256 == result.sha256
    assert checked.decrypted.read_bytes() == by_age.read_bytes() == by_second.read_bytes()
    _ok(tool("unzip", "-t", by_age))


def _age_with_passphrase(
    args: list[str], passphrase: str, timeout: float = 60
) -> tuple[int, bytes]:
    """Run the real age on a terminal (it reads passphrases only from one) and type the passphrase."""
    program = shutil.which("age")
    assert program is not None, "age is not installed (CI installs it; tests never skip)"
    pid, fd = pty.fork()
    if pid == 0:  # child: age, with the pty as its terminal
        try:
            os.execv(program, [program, *args])  # noqa: S606
        finally:
            os._exit(127)
    output = b""
    typed = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if not typed and b"passphrase" in output.lower():
                os.write(fd, passphrase.encode() + b"\n")
                typed = True
        else:
            os.kill(pid, 9)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert typed, output
    return os.waitstatus_to_exitcode(status), output


@pytest.fixture(scope="module")
def locked(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A passphrase bundle and its key file (made once: age's scrypt takes a second or more)."""
    folder = tmp_path_factory.mktemp("locked")
    encrypted = folder / "bundle.zip.age"
    result = sample.vault.export_bundle(
        encrypted, item_ids=[sample.photo, sample.note], passphrase=PASSPHRASE
    )
    assert result.key_path == folder / "bundle.zip.age.key.age"
    assert result.key_path.read_bytes().startswith(b"age-encryption.org/v1\n")
    return encrypted, result.key_path


def test_real_age_decrypts_a_passphrase_bundle(locked: tuple[Path, Path], tmp_path: Path) -> None:
    encrypted, key_file = locked
    by_age = tmp_path / "by-age.zip"
    code, output = _age_with_passphrase(
        ["-d", "-i", str(key_file), "-o", str(by_age), str(encrypted)], PASSPHRASE
    )
    assert code == 0, output
    verified = verify_zip(by_age)
    assert verified.intact
    assert [i.path for i in verified.items] == [e["path"] for e in manifest_of(by_age)["items"]]
    checked = verify_bundle(
        encrypted, ask_passphrase=lambda: PASSPHRASE, decrypted_out=tmp_path / "ours.zip"
    )
    assert checked.result.intact and checked.decrypted is not None
    assert checked.decrypted.read_bytes() == by_age.read_bytes()


def test_real_age_refuses_a_wrong_passphrase(locked: tuple[Path, Path], tmp_path: Path) -> None:
    encrypted, key_file = locked
    out = tmp_path / "out.zip"
    code, _ = _age_with_passphrase(
        ["-d", "-i", str(key_file), "-o", str(out), str(encrypted)], "not the passphrase"
    )
    assert code != 0
    assert not out.exists() or out.stat().st_size == 0
