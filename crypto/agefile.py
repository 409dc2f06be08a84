"""Random access to the plaintext of an age file: each 64 KiB chunk is decrypted, and so
authenticated, when it is read.

Why: a lawyer checks an encrypted bundle with ``evault verify --identity``. The ZIP's records lie
at its end, and only they say where each member lies; reading the file front to back, the
members' digests could not be taken while decrypting, so the bundle used to be decrypted to a
copy on disk first and that copy read again (issue 18). The age payload is a STREAM: every chunk
is sealed on its own with its counter, the last one with a flag saying it is the last. Any chunk
can therefore be decrypted alone, and the ZIP read like a file: its end first, then front to back
while the digests are taken, with no second pass and no plaintext written unless the lawyer wants
a copy.

What makes this as safe as decrypting in order: the number of chunks follows from the file's
size, and the last chunk is decrypted when the file is opened, so it must carry the final flag
and its counter; a file cut short or lengthened, even at a chunk boundary, is refused before any
byte is returned. Every other chunk is checked with its own counter when read, so no chunk can
be moved, dropped or repeated. No byte is returned that has not been authenticated.
"""

from __future__ import annotations

import io
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag

from crypto.agestream import CHUNK, DAMAGED, TAG, Buffered, chunk_nonce, open_payload
from crypto.errors import DecryptionFailed

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

SEALED = CHUNK + TAG
_CACHED_CHUNKS = 16  # small reads (the ZIP's records, local headers) mostly hit the same chunks


class AgeFile:
    """An age file opened with an identity; :meth:`read_at` gives plaintext at any offset.

    Safe to read from several threads (positioned reads, a locked cache). DecryptionFailed when
    no identity opens it or when a chunk read (the last one at once) is damaged; FormatError for
    a file that is not age. The descriptor is closed by :meth:`close` (or the ``with`` block)."""

    def __init__(self, path: Path, identities: list[str]) -> None:
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            with os.fdopen(os.dup(self._fd), "rb", buffering=0) as head:
                source = Buffered(head)
                self._aead = open_payload(source, identities)
                self._start = source.position
            self._end = os.fstat(self._fd).st_size
            payload = self._end - self._start
            self.chunks = max(1, -(-payload // SEALED))
            last_sealed = payload - (self.chunks - 1) * SEALED
            if last_sealed < TAG or (last_sealed == TAG and self.chunks > 1):
                raise DecryptionFailed(DAMAGED)  # only an empty file ends in an empty chunk
            self.size = (self.chunks - 1) * CHUNK + last_sealed - TAG
            self._lock = threading.Lock()
            self._cache: OrderedDict[int, bytes] = OrderedDict()
            self._chunk(self.chunks - 1)  # the final flag and the size, checked now
        except BaseException:
            os.close(self._fd)
            raise

    def __enter__(self) -> AgeFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _sealed(self, first: int, count: int) -> bytes:
        offset = self._start + first * SEALED
        want = min(count * SEALED, self._end - offset)
        data = os.pread(self._fd, want, offset)
        while len(data) < want:  # a short read is allowed; the file's end is known
            more = os.pread(self._fd, want - len(data), offset + len(data))
            if not more:
                raise DecryptionFailed(DAMAGED)  # the file shrank while it was read
            data += more
        return data

    def _open(self, index: int, sealed: bytes | memoryview) -> bytes:
        try:
            return self._aead.decrypt(chunk_nonce(index, index == self.chunks - 1), sealed, None)
        except InvalidTag:
            raise DecryptionFailed(DAMAGED) from None

    def _chunk(self, index: int) -> bytes:
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
        plain = self._open(index, self._sealed(index, 1))
        with self._lock:
            self._cache[index] = plain
            while len(self._cache) > _CACHED_CHUNKS:
                self._cache.popitem(last=False)
        return plain

    def read_at(self, offset: int, size: int) -> bytes:
        """Up to ``size`` plaintext bytes from ``offset`` (fewer only at the end)."""
        end = min(self.size, offset + size)
        if offset >= end:
            return b""
        first, last = offset // CHUNK, (end - 1) // CHUNK
        if first == last:
            chunk = self._chunk(first)
            return chunk[offset - first * CHUNK : end - first * CHUNK]
        # A long read (the pass over the whole file): one read of the sealed chunks, each
        # decrypted in turn (ChaCha20-Poly1305 releases the GIL), not cached.
        sealed = memoryview(self._sealed(first, last - first + 1))
        parts = [
            self._open(index, sealed[(index - first) * SEALED : (index - first + 1) * SEALED])
            for index in range(first, last + 1)
        ]
        parts[0] = parts[0][offset - first * CHUNK :]
        parts[-1] = parts[-1][: end - last * CHUNK]
        return b"".join(parts)

    def reader(self) -> AgeReader:
        """A file object over the plaintext with a position of its own (for ``zipfile``)."""
        return AgeReader(self)


class AgeReader(io.RawIOBase):
    """A read-only, seekable file over an :class:`AgeFile`'s plaintext. Closing it leaves the
    :class:`AgeFile` open."""

    def __init__(self, source: AgeFile) -> None:
        super().__init__()
        self._source = source
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._source.size}
        position = base[whence] + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = max(0, self._source.size - self._position)
        data = self._source.read_at(self._position, size)
        self._position += len(data)
        return data

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)
