"""Where verify reads a bundle's bytes from: a ZIP on disk, or the plaintext of an encrypted
bundle decrypted as it is read (``crypto.agefile``), so both are checked by the same code; and
the SHA-256 of the file the lawyer received, taken beside that reading."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Source:
    """The ZIP's bytes: ``size`` of them, a new file object with a position of its own from each
    ``open()``. ``hash_file``: the pass over the bytes also takes the file's SHA-256 (a plain
    ZIP; an encrypted bundle's certificate names the encrypted file, hashed apart)."""

    size: int
    open: Callable[[], BinaryIO]
    hash_file: bool


def on_disk(path: Path, *, hash_file: bool) -> Source:
    """A ZIP file as it lies on disk (OSError if it cannot be read)."""
    return Source(path.stat().st_size, lambda: path.open("rb"), hash_file)


_DIGEST_BLOCK = 4 * 1024 * 1024


class FileDigest:
    """The SHA-256 of a whole file, read and hashed on a thread of its own: the encrypted file
    a lawyer received (the certificate names it), while verify reads its plaintext in place.
    ``hashlib`` releases the GIL on large buffers; the second reading of the file comes from the
    page cache. (For a plain ZIP the one pass over the file takes this digest too: hashing it
    apart from the start of verify was measured and gained nothing.)"""

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
        """Waits for the whole file; OSError if it could not be read."""
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        if self._stop.is_set():
            raise OSError(f"{self._path} was not read to its end")
        return self._digest.hexdigest()
