"""Plain advice on a passphrase while it is typed. Advice only: nothing here is enforced
except the vault's own minimum length."""

from __future__ import annotations

MIN_CHARS = 8


def advice(passphrase: str) -> str:
    words = [w for w in passphrase.split() if w]
    length = len(passphrase)
    if not passphrase:
        return ""
    if length < MIN_CHARS:
        return f"Too short: at least {MIN_CHARS} characters are needed."
    if len(set(passphrase)) <= 3:
        return "Weak: it repeats the same few characters."
    if len(words) >= 4 and length >= 20:
        return "Strong: several words, long. Make sure you can remember it."
    if length >= 16:
        return "Good. Adding another unrelated word makes it much stronger."
    return "Fair: it would be stronger with a few more words (e.g. four unrelated words)."
