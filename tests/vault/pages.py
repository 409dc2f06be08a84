"""Reading every page of a SQLCipher file with its key, free pages included (the purge tests).

SQLite's ``sqlite_dbpage`` table is not compiled into the bundled SQLCipher, so the pages are
decrypted here the way SQLCipher 4 lays them out (docs/format.md §3): each 16 KiB page is
AES-256-CBC under the raw database key, with its IV in the 48 reserved bytes at the page's end
(16-byte IV, 32-byte HMAC); page 1 begins with the file's 16-byte salt, stored in the clear. The
HMAC is not checked: these helpers look for words, they do not vouch for pages.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE = 16384
RESERVE = 48  # IV (16) + HMAC-SHA256 (32)
SALT = 16


def decrypt_page(page: bytes, key: bytes, number: int) -> bytes:
    """The plaintext of one page (page 1 without its salt)."""
    start = SALT if number == 1 else 0
    body = page[start : PAGE - RESERVE]
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def decrypted_pages(path: Path, key: bytes) -> list[bytes]:
    """Every whole page of the SQLCipher file at ``path``, decrypted with ``key``."""
    data = path.read_bytes()
    return [
        decrypt_page(data[i : i + PAGE], key, i // PAGE + 1)
        for i in range(0, len(data) - PAGE + 1, PAGE)
    ]


def found_in_pages(path: Path, key: bytes, words: list[bytes]) -> set[bytes]:
    """Which of ``words`` appear in any decrypted page of ``path`` (as UTF-8 or UTF-16)."""
    pages = decrypted_pages(path, key)
    hits: set[bytes] = set()
    for word in words:
        forms = (word, word.decode().encode("utf-16-le"), word.decode().encode("utf-16-be"))
        if any(form in page for page in pages for form in forms):
            hits.add(word)
    return hits
