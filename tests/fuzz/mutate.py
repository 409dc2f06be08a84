"""Seeded mutations: bytes, text lines, JSON structure and ZIP structure.

Everything draws from one ``random.Random(seed)``, so a run is repeatable from its seed (the worker
process only executes inputs; all the choices are made here, in the parent). There is no coverage
feedback: the inputs start from small, valid exports the harness builds itself (``seeds.py``) and
are damaged a few mutations at a time, which keeps most of them close enough to valid to get past
the first checks of the code under test.
"""

from __future__ import annotations

import io
import json
import random
import struct
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

# Values that have broken parsers before: boundaries, odd types, odd text and odd dates.
INTERESTING_INTS = (0, -1, 1, 127, 128, 255, 256, 65535, 65536, 2**31 - 1, 2**31, 2**32, 2**63 - 1,
                    2**63, 2**64, -(2**63), 10**20, 253402300800, -62135596800, 1 << 53)  # fmt: skip
INTERESTING_STRINGS = (
    "",
    "\ud800",  # a lone surrogate: not encodable as UTF-8
    "a\udfffb",
    "\x00",
    "\u202e\u200f",
    "\ufeff",
    "../../etc/passwd",
    "/abs/path",
    "C:\\x\\y",
    "0300-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "0000-00-00T00:00:00",
    "2023-02-30T25:61:61",
    "-1",
    "1e309",
    "NaN",
    "x" * 4096,
    "é" * 300,
    "%s%n{0}",
    "=?utf-8?b?4pyT?=",
)
INTERESTING_DATES = (
    "Mon, 01 Jan 0300 00:00:00 +0000",
    "Fri, 31 Dec 9999 23:59:59 +2359",
    "Tue, 01 Jan 0001 00:00:00 -2359",
    "Thu, 30 Feb 2023 25:61:61 +9999",
    "1 Jan 70 00:00 GMT",
    "",
    "not a date",
)


class Mutator:
    """Makes mutated inputs from seeds; ``rng`` is the run's only source of randomness."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # ------------------------------------------------------------------ bytes

    def bytes_(self, data: bytes, others: list[bytes]) -> bytes:
        """One byte-level mutation: flip, set, insert, delete, duplicate or splice."""
        rng = self.rng
        buf = bytearray(data)
        op = rng.randrange(8)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip a bit
            i = min(pos, len(buf) - 1)
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:  # an interesting byte
            buf[min(pos, len(buf) - 1)] = rng.choice((0, 0xFF, 0x7F, 0x80, 0x0A, 0x22, 0x7B))
        elif op == 2:  # insert random bytes
            buf[pos:pos] = rng.randbytes(rng.randrange(1, 32))
        elif op == 3 and buf:  # delete a range
            del buf[pos : pos + rng.randrange(1, 64)]
        elif op == 4 and buf:  # duplicate a range
            n = rng.randrange(1, 64)
            buf[pos:pos] = buf[pos : pos + n] * rng.randrange(1, 8)
        elif op == 5 and others:  # splice with another input
            other = rng.choice(others)
            cut = rng.randrange(len(other) + 1)
            buf = buf[:pos] + other[cut:]
        elif op == 6 and len(buf) >= 4:  # an interesting 16- or 32-bit integer
            width = rng.choice((2, 4))
            i = min(pos, len(buf) - width)
            value = rng.choice((0, 1, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF))
            buf[i : i + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
        else:  # truncate
            del buf[pos:]
        return bytes(buf)

    # ------------------------------------------------------------------ text

    def text(self, data: bytes) -> bytes:
        """A line-level mutation of a text file (WhatsApp chats, e-mails)."""
        rng = self.rng
        lines = data.split(b"\n")
        i = rng.randrange(len(lines))
        op = rng.randrange(7)
        if op == 0:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 1 and len(lines) > 1:
            del lines[i]
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:  # change the digits of a line (dates, times, counts)
            lines[i] = bytes(
                rng.choice(b"0123456789") if c in b"0123456789" and rng.random() < 0.3 else c
                for c in lines[i]
            )
        elif op == 4:
            extra = rng.choice(INTERESTING_STRINGS).encode("utf-8", "surrogatepass")
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut] + extra + lines[i][cut:]
        elif op == 5:  # a line many times (more would only make the import slow, not harder)
            lines[i:i] = [lines[i]] * rng.choice((2, 2, 20, 200))
        else:
            lines[i] = lines[i].replace(b" ", rng.choice((b"\xe2\x80\xaf", b"\t", b"", b"  ")))
        return b"\n".join(lines)

    # ------------------------------------------------------------------ JSON

    def json_(self, data: bytes) -> bytes:
        """Replace, delete or duplicate one node of a JSON document; bytes if it does not parse."""
        try:
            doc = json.loads(data)
        except ValueError:
            return self.bytes_(data, [])
        nodes: list[tuple[Any, Any]] = []  # (container, key or index)
        self._collect(doc, nodes)
        if not nodes:
            return data
        parent, key = self.rng.choice(nodes)
        op = self.rng.randrange(5)
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 1 and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        elif op == 2:  # a string node gets something interesting put into it
            old = parent[key]
            extra = self.rng.choice(INTERESTING_STRINGS)
            parent[key] = (old + extra) if isinstance(old, str) else extra
        else:
            parent[key] = self._value()
        ascii_only = self.rng.random() < 0.8
        text = json.dumps(doc, ensure_ascii=ascii_only)
        return text.encode("utf-8", "surrogatepass")

    def _collect(self, node: Any, out: list[tuple[Any, Any]], depth: int = 0) -> None:
        if depth > 20 or not isinstance(node, dict | list):
            return
        items: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            out.append((node, key))
            self._collect(value, out, depth + 1)

    def _value(self) -> Any:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return rng.choice(INTERESTING_INTS)
        if kind == 1:
            return rng.choice(INTERESTING_STRINGS)
        if kind == 2:
            return rng.choice((None, True, False, 1.5, -0.0, 1e308))
        if kind == 3:
            return [rng.choice(INTERESTING_STRINGS)] * rng.randrange(3)
        if kind == 4:
            return {"text": rng.choice(INTERESTING_STRINGS), "type": "plain"}
        return str(rng.choice(INTERESTING_INTS))

    # ------------------------------------------------------------------ ZIP

    def zip_structure(self, data: bytes) -> bytes:
        """Corrupt one field of a ZIP header (local, central or end record) with a tricky value."""
        rng = self.rng
        headers: list[tuple[int, dict[str, tuple[int, int]]]] = []
        for sig, fields in ZIP_FIELDS.items():
            start = 0
            while (at := data.find(sig, start)) >= 0:
                headers.append((at, fields))
                start = at + 4
        if not headers:
            return self.bytes_(data, [])
        at, fields = rng.choice(headers)
        offset, width = fields[rng.choice(sorted(fields))]
        at += offset
        if at + width > len(data):
            return data
        top = (1 << (8 * width)) - 1
        value = rng.choice((0, 1, 0x14, 0x2D, 0x3F, 0xFF, 0x7FFF, top, top - 1, rng.randrange(top)))
        fmt = {1: "<B", 2: "<H", 4: "<I"}[width]
        return data[:at] + struct.pack(fmt, value & top) + data[at + width :]

    def zip_member(self, data: bytes, mutate_content: Callable[[str, bytes], bytes]) -> bytes:
        """Rewrite a ZIP with one member's content, name or count changed (a valid ZIP again)."""
        rng = self.rng
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [(i.filename, zf.read(i)) for i in zf.infolist()]
        except Exception:
            return self.bytes_(data, [])
        if not members:
            return data
        i = rng.randrange(len(members))
        name, content = members[i]
        op = rng.randrange(10)
        if op == 0:  # rename: odd names, traversal, duplicates
            members[i] = (rng.choice(ZIP_NAMES).replace("*", name), content)
        elif op == 1:
            members.append(members[i])
        elif op == 2 and len(members) > 1:
            del members[i]
        else:
            members[i] = (name, mutate_content(name, content))
        out = io.BytesIO()
        method = rng.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED))
        with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as zf:
            warnings.simplefilter("ignore")  # duplicate names are made on purpose
            for member_name, member_data in members:
                info = zipfile.ZipInfo(member_name, (2023, 11, 14, 12, 0, 0))
                info.compress_type = method
                zf.writestr(info, member_data)
        return out.getvalue()


ZIP_NAMES = ("../*", "/*", "*/", "*\x00x", "a/../../*", "*" + "/d" * 40, "\u202e*", "*.EML",
             "C:\\*", "* ", "__MACOSX/*", "*\udfff".encode("utf-8", "replace").decode())  # fmt: skip

# signature -> field name -> (offset from the signature, width in bytes)
ZIP_FIELDS: dict[bytes, dict[str, tuple[int, int]]] = {
    b"PK\x03\x04": {
        "version": (4, 2),
        "flags": (6, 2),
        "method": (8, 2),
        "crc": (14, 4),
        "csize": (18, 4),
        "usize": (22, 4),
        "namelen": (26, 2),
        "extralen": (28, 2),
    },
    b"PK\x01\x02": {
        "made_by": (4, 2),
        "version": (6, 2),
        "flags": (8, 2),
        "method": (10, 2),
        "crc": (16, 4),
        "csize": (20, 4),
        "usize": (24, 4),
        "namelen": (28, 2),
        "extralen": (30, 2),
        "commentlen": (32, 2),
        "attrs": (38, 4),
        "offset": (42, 4),
    },
    b"PK\x05\x06": {
        "disk": (4, 2),
        "entries_disk": (8, 2),
        "entries": (10, 2),
        "cd_size": (12, 4),
        "cd_offset": (16, 4),
        "commentlen": (20, 2),
    },
}
