"""The CRC-32 of ZIP members: ISA-L's where ``isal`` is installed, else zlib's (the same values).

Every member of a bundle carries a CRC-32 in the ZIP's records. Python's ``zlib.crc32`` (zlib
1.2.13 on the test machine) computes it at 1.9 GiB/s, ISA-L's at 7.4 GiB/s: over a bundle of
1.4 GiB that is 0.75 s of CPU against 0.19 s, both when verify checks the members
(``onepass``) and when export writes them (issue 18, docs/performance.md).

``zipfile`` computes the CRC-32 of what it writes and reads with its module-level name
``zipfile.crc32`` (``zlib.crc32``); :func:`use_in_zipfile` points that name at this module's
function. That changes which code computes the CRC-32 for every ZIP this process reads or
writes, never the values (tests compare them with ``zlib.crc32``, and bundles are checked with
``unzip`` and ``zlib`` independently). A flaw in ISA-L could at worst write or accept a wrong
CRC-32; members are proven by their SHA-256 against the signed SHA256SUMS, computed by hashlib.
"""

from __future__ import annotations

import zipfile

try:  # x86-64 and 64-bit ARM (pyproject.toml); it releases the GIL on large buffers, like zlib
    from isal.isal_zlib import crc32 as _crc32
except ImportError:  # a platform without an isal wheel: zlib's, slower
    from zlib import crc32 as _crc32

crc32 = _crc32


def use_in_zipfile() -> None:
    """Have ``zipfile`` compute its CRC-32s with :data:`crc32` (idempotent)."""
    if getattr(zipfile, "crc32", None) is not crc32:
        zipfile.crc32 = crc32  # type: ignore[attr-defined]
