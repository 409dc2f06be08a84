"""Bundle member names, caps and the rules a member name must follow (docs/format.md §6)."""

from __future__ import annotations

import re
import unicodedata

FORMAT = "evault-bundle"
VERSION = (
    2  # 2: the fingerprint's version 2 (docs/format.md §4); no signer digits in the trusted comment
)
# 3: a bundle that carries creation records of imported messages (docs/format.md §7.7); one
# without stays version 2, byte for byte as before, so earlier evault versions still read it.
VERSION_WITH_RECORDS = 3
VERSIONS_READ = (1, 2, 3)  # verify reads every version made so far
NAMESPACE = "evault-bundle-v1"
PRINCIPAL = "evault-bundle"

MANIFEST = "manifest.json"
CUSTODY = "custody.jsonl"
REPORT = "report.html"
VERIFY = "VERIFY.txt"
KEY_MINISIGN = "keys/evault.pub"
KEY_SSH = "keys/evault_ssh.pub"
ALLOWED_SIGNERS = "keys/allowed_signers"
SUMS = "SHA256SUMS"
MINISIG = "SHA256SUMS.minisig"
SSHSIG = "SHA256SUMS.sig"
SIGNATURE_MEMBERS = (MINISIG, SSHSIG)
# The minisign untrusted comment is not signed; verify requires exactly this text, so that no
# byte of a bundle can change unnoticed.
MINISIG_UNTRUSTED_COMMENT = "evault bundle signature"
EVIDENCE_DIR = "evidence/"
IMPORTS_DIR = "imports/"

MAX_MEMBERS = 200_000
# Three members per item at most, and room for the documents, keys, statements and tokens.
MAX_ITEMS = (MAX_MEMBERS - 10_000) // 3
# The documents verify reads whole (manifest, custody log, SHA256SUMS): room for MAX_ITEMS items
# of ordinary size (a manifest entry is about 1 KB); the exporter never writes a longer one
# (vault/bundle/sizes.py).
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_MINISIG_BYTES = 4 * 1024
MAX_SSHSIG_BYTES = 8 * 1024
MAX_KEY_FILE_BYTES = 4 * 1024
MAX_NAME_CHARS = 80

_SAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")
_MEMBER_RE = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def _ascii(text: str) -> str:
    text = text.replace("ə", "e").replace("Ə", "E").replace("ı", "i")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SAFE_RE.sub("_", ascii_text).strip("._")


def evidence_name(number: int, original: str, fallback: str) -> str:
    """``evidence/0007-photo_of_the_car.jpg``: numbered, reduced to safe ASCII characters.

    The number keeps names unique; the original name, exactly as it was, is in the manifest.
    """
    stem, dot, ext = original.rpartition(".")
    if not dot or not 1 <= len(ext) <= 10:
        stem, ext = original, ""
    safe_stem = _ascii(stem)[: MAX_NAME_CHARS - 11] or fallback
    safe_ext = _ascii(ext)
    return f"{EVIDENCE_DIR}{number:04d}-{safe_stem}{'.' + safe_ext if safe_ext else ''}"


def document_names(languages: list[str]) -> list[tuple[str, str, str]]:
    """(language, report, VERIFY text) for each language of a bundle's documents, in order.

    The first language keeps the names every bundle has always had (``report.html``,
    ``VERIFY.txt``: the lawyers' guide and the tools name them); each further language adds its
    own pair beside them (``report.en.html``, ``VERIFY.en.txt``)."""
    names = []
    for position, lang in enumerate(languages):
        if position == 0:
            names.append((lang, REPORT, VERIFY))
        else:
            names.append((lang, f"report.{lang}.html", f"VERIFY.{lang}.txt"))
    return names


def record_name(number: int, leaf: int) -> str:
    """``imports/<k>/<leaf>.json``: the creation record of message ``leaf`` of the bundle's
    import ``k`` (docs/format.md §7.7)."""
    return f"{IMPORTS_DIR}{number}/{leaf}.json"


def statement_name(number: int) -> str:
    """``imports/<k>.statement``: the import statement of the bundle's import ``k``."""
    return f"{IMPORTS_DIR}{number}.statement"


_RECORD_NAME_RE = re.compile(r"^imports/([1-9][0-9]{0,5})/([1-9][0-9]{0,8})\.json$")


def parse_record_name(name: str) -> tuple[int, int] | None:
    """(k, leaf) of a record member's name; None for any other name."""
    found = _RECORD_NAME_RE.match(name)
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def is_safe_member_name(name: str) -> bool:
    """Relative, ASCII, no ``..``, no empty or dot-only parts, no backslashes or drive letters."""
    if not name or len(name) > 255 or not _MEMBER_RE.match(name):
        return False
    return all(part not in (".", "..") for part in name.split("/"))
