"""Opening an age-encrypted bundle for verify: the keys, the plaintext read at any offset
(``crypto.agefile``), the encrypted file's own SHA-256, and the decrypted copy.

Verify reads the plaintext in place, decrypting as it reads, in the same single pass that takes the
members' digests (issue 18: no decrypted copy written and read again). A lawyer needs the
decrypted ZIP to look at the evidence, so by default that pass also writes it next to the
encrypted file (or where asked), owner-only, under a hidden partial name first and renamed only
when complete and checked to the end (``vault.host.outputs``); ``--no-decrypted-copy`` writes
nothing.
"""

from __future__ import annotations

import errno
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from crypto import transport
from crypto.errors import DecryptionFailed, FormatError
from vault.errors import BundleUnusable, InvalidInput, WrongPassphrase
from vault.i18n import N_, _

if TYPE_CHECKING:
    from crypto.agefile import AgeFile

KEY_SUFFIX = ".key.age"
_DIGEST_BLOCK = 4 * 1024 * 1024
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


class CopyFailed(Exception):
    """Writing the decrypted copy failed (not reading the bundle): told apart so the lawyer
    hears about the disk, not about the bundle."""

    def __init__(self, error: OSError) -> None:
        super().__init__("the decrypted copy could not be written")
        self.errno = error.errno


def copy_writer(file: BinaryIO) -> Callable[[bytes], None]:
    """The sink verify's pass writes the decrypted copy through."""

    def write(block: bytes) -> None:
        try:
            file.write(block)
        except OSError as exc:
            raise CopyFailed(exc) from None

    return write


def copy_failed(number: int | None) -> BundleUnusable:
    """The calm sentence for a decrypted copy that could not be written."""
    if number == errno.ENOSPC:
        return BundleUnusable(
            _(
                "The disk is full, so the decrypted bundle could not be written. Free some "
                "space and try again; nothing was kept."
            )
        )
    return BundleUnusable(
        _(
            "The decrypted bundle could not be written to disk. Check the folder and try "
            "again; nothing was kept."
        )
    )


class FileDigest:
    """The SHA-256 of a whole file, read and hashed on a thread of its own while verify reads
    the plaintext (the certificate names the encrypted file the lawyer received). The file is
    read again from the page cache, which costs far less than the hash; ``hashlib`` releases the
    GIL on large buffers, so this overlaps the rest."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._digest = hashlib.sha256()
        self._failure: OSError | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evault-file-digest", daemon=True)

    def __enter__(self) -> FileDigest:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            with self._path.open("rb", buffering=0) as raw:
                while not self._stop.is_set() and (block := raw.read(_DIGEST_BLOCK)):
                    self._digest.update(block)
        except OSError as exc:
            self._failure = exc

    def hexdigest(self) -> str:
        """Waits for the whole file; BundleUnusable if it could not be read."""
        self._thread.join()
        if self._failure is not None or self._stop.is_set():
            raise BundleUnusable(f"{self._path} could not be read. Check the path.")
        return self._digest.hexdigest()
