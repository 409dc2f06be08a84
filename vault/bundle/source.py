"""Where verify reads a bundle's bytes from: a ZIP on disk, or the plaintext of an encrypted
bundle decrypted as it is read (``crypto.agefile``), so both are checked by the same code."""

from __future__ import annotations

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
