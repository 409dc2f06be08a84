"""Opening an age-encrypted bundle for verify: the keys, the plaintext read at any offset
(``crypto.agefile``), the encrypted file's own SHA-256, and the decrypted copy.

A lawyer needs the decrypted ZIP to look at the evidence, so by default it is decrypted next to
the encrypted file (or where asked), owner-only, under a hidden partial name first and renamed
only when complete (``vault.host.outputs``), and then verified. ``--no-decrypted-copy`` writes
nothing: verify reads the plaintext in place, decrypting as it reads, in the single pass that
takes the members' digests (issue 18).
"""

from __future__ import annotations

import errno
import hashlib
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from crypto import transport
from crypto.errors import DecryptionFailed, FormatError
from vault.errors import BundleUnusable, Cancelled, InvalidInput, WrongPassphrase
from vault.host.outputs import Output
from vault.i18n import N_, _

if TYPE_CHECKING:
    from crypto.agefile import AgeFile

KEY_SUFFIX = ".key.age"
_QUEUED_BLOCKS = 8  # reads waiting to be hashed (about 8 MiB at most)
STOPPED = N_("The check was stopped before it finished; no decrypted copy was kept.")
ALREADY = N_("{name} already exists; move it away or choose --decrypted-out.")


def is_encrypted(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return transport.is_age(f.read(len(transport.AGE_MAGIC)))
    except OSError:
        raise BundleUnusable(f"{path} could not be read. Check the path.") from None


def default_output(path: Path) -> Path:
    name = path.name
    stem = name[: -len(".age")] if name.endswith(".age") else name + ".decrypted"
    return path.with_name(stem if stem.endswith(".zip") else stem + ".zip")


def load_identities(
    identity_files: list[Path], passphrase: Callable[[], str] | None
) -> list[object]:
    identities: list[object] = []
    for file in identity_files:
        try:
            data = file.read_bytes()[: transport.MAX_IDENTITY_FILE_BYTES + 1]
        except OSError:
            raise InvalidInput(
                _("The key file {name} could not be read.").format(name=file)
            ) from None
        if transport.is_age(data):
            if passphrase is None:
                raise InvalidInput(
                    _("{name} is protected by a passphrase; give the passphrase.").format(name=file)
                )
            try:
                text = transport.unwrap_identity(data, passphrase())
            except DecryptionFailed:
                raise WrongPassphrase(
                    _(
                        "That passphrase does not open the bundle's key file. Check it and try again."
                    )
                ) from None
        else:
            text = data.decode("utf-8", errors="replace")
        try:
            identities.extend(transport.parse_identities(text))
        except FormatError as exc:
            raise InvalidInput(f"{file}: {exc}") from None
    return identities


def identity_files_for(path: Path, identity_files: list[Path]) -> list[Path]:
    """The key files to try: those given, else the bundle's passphrase key file beside it."""
    if identity_files:
        return identity_files
    sibling = path.with_name(path.name + KEY_SUFFIX)
    if not sibling.exists():
        raise InvalidInput(
            _(
                "This bundle is encrypted. Give your age key with --identity KEYFILE "
                "(or the passphrase key file {name} that came with it)."
            ).format(name=sibling.name)
        )
    return [sibling]


def copy_target(path: Path, out: Path | None) -> Path:
    """Where the decrypted copy goes; InvalidInput if that cannot be (checked before anything is
    decrypted)."""
    target = out or default_output(path)
    if target.exists():
        raise InvalidInput(_(ALREADY).format(name=target))
    if not target.parent.is_dir():
        raise InvalidInput(
            _(
                "The folder {folder} does not exist. Create it, or choose another place for "
                "the decrypted bundle with --decrypted-out."
            ).format(folder=target.parent)
        )
    return target


def open_encrypted(path: Path, identities: list[object]) -> AgeFile:
    """The encrypted bundle, opened with the first identity that fits; BundleUnusable if none
    does, or it is damaged, or it cannot be read."""
    try:
        return transport.open_age_file(path, identities)
    except DecryptionFailed as exc:
        raise BundleUnusable(str(exc)) from None
    except OSError:
        raise BundleUnusable(f"{path} could not be read. Check the path.") from None


def decrypt_to(
    path: Path, identities: list[object], target: Path, cancel: threading.Event | None = None
) -> str:
    """Decrypt ``path`` front to back into the new file ``target`` (owner-only, named only when
    complete and durable); returns the SHA-256 of the encrypted file, taken in the same read.

    Setting ``cancel`` (the app's panic key) stops it at the next block read: the partial ZIP is
    removed and :class:`Cancelled` raised.

    Why a copy is decrypted in order and then checked, not written while the checking pass reads
    it (as ``--no-decrypted-copy`` reads it): measured here, writing the copy from that pass cost
    0.6-1.7 s more for 1.2 GiB (docs/performance.md), while the decrypted copy's second reading
    comes from the page cache."""
    try:
        with path.open("rb", buffering=0) as raw, Output(target, write_back=True) as sink:
            reader = _Hashing(raw, hashlib.sha256(), cancel)
            try:
                transport.decrypt_stream(reader, sink.file, identities)  # type: ignore[arg-type]
            except DecryptionFailed:
                if reader.stopped:  # cut short on purpose, not damaged
                    raise Cancelled(_(STOPPED)) from None
                raise
            finally:
                encrypted_sha256 = reader.hexdigest()
            if reader.stopped:
                raise Cancelled(_(STOPPED))
            sink.publish()
    except DecryptionFailed as exc:
        raise BundleUnusable(str(exc)) from None
    except FileExistsError:
        raise InvalidInput(_(ALREADY).format(name=target)) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise BundleUnusable(
                _(
                    "The disk is full, so the decrypted bundle could not be written. Free some "
                    "space and try again; nothing was kept."
                )
            ) from None
        raise BundleUnusable(
            _(
                "The decrypted bundle could not be written to disk. Check the folder and try "
                "again; nothing was kept."
            )
        ) from None
    return encrypted_sha256


class _Hashing:
    """A reader that hashes what is read through it (the encrypted file's SHA-256, in one pass).

    The hashing runs in a thread of its own (``hashlib`` releases the GIL on large buffers, and
    the decryption reads about 1 MiB at a time), so it overlaps the decryption instead of adding
    to it; :meth:`hexdigest` waits for it. Once ``cancel`` is set it reads nothing more (the
    decryption sees the end of the file and stops), and says so in ``stopped``: an exception
    raised here would reach the age library."""

    def __init__(
        self, raw: BinaryIO, digest: hashlib._Hash, cancel: threading.Event | None = None
    ) -> None:
        self.raw = raw
        self.digest = digest
        self.cancel = cancel
        self.stopped = False
        self._blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED_BLOCKS)
        self._thread = threading.Thread(target=self._hash, name="evault-decrypt-hash", daemon=True)
        self._thread.start()

    def _hash(self) -> None:
        while (block := self._blocks.get()) is not None:
            self.digest.update(block)

    def hexdigest(self) -> str:
        """The SHA-256 of everything read (waits for the hashing thread)."""
        self.close()
        return self.digest.hexdigest()

    def close(self) -> None:
        """End the hashing thread (also after a failure); safe to call more than once."""
        if self._thread.is_alive():
            self._blocks.put(None)
            self._thread.join()

    def _stop(self) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            self.stopped = True
        return self.stopped

    def read(self, size: int = -1) -> bytes:
        if self._stop():
            return b""
        data = self.raw.read(size)
        if data:
            self._blocks.put(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        if self._stop():
            return 0
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._blocks.put(bytes(memoryview(buffer)[:n]))  # the caller reuses its buffer
        return int(n or 0)
