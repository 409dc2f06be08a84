"""The rules both front ends follow, in one place: passphrases, keyfiles and the auto-lock bounds.

Passphrases: only the minimum length is enforced; everything else is advice (the app shows it as
the defender types, the command line once one is chosen). A defender under stress who is refused a
passphrase they can remember may write it down, which is worse.

Keyfiles: one must hold at least :data:`MIN_KEYFILE_BYTES` bytes, not all the same (an empty
file, ``/dev/null`` or a few bytes add nothing an attacker has to guess), when a vault is made, a
keyfile set, and a vault unlocked: a vault made earlier with a shorter keyfile opens with its
recovery key, and then takes a larger keyfile.

Auto-lock: the time without a key press after which the app locks, between one minute and two
hours, five minutes until the defender chooses (the choice is kept inside the vault,
``store.settings``).

Light on purpose (no database or crypto imports): the app reads these before its first frame.
"""

from __future__ import annotations

from vault.errors import InvalidInput
from vault.i18n import _, ngettext

MIN_CHARS = 8
MIN_KEYFILE_BYTES = 32
ADVISED_CHARS = 12
AUTO_LOCK_MIN = 1
AUTO_LOCK_MAX = 120
AUTO_LOCK_DEFAULT = 5


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase shorter than :data:`MIN_CHARS` (creating a vault, changing it)."""
    if len(passphrase) < MIN_CHARS:
        raise InvalidInput(
            ngettext(
                "A passphrase needs at least {n} character. "
                "Several unrelated words you can remember make a strong one.",
                "A passphrase needs at least {n} characters. "
                "Several unrelated words you can remember make a strong one.",
                MIN_CHARS,
            ).format(n=MIN_CHARS)
        )


def check_keyfile(keyfile: bytes | None, *, unlocking: bool = False) -> None:
    """Refuse a keyfile that adds nothing an attacker has to guess, when creating, setting or
    unlocking with one (an empty file such as ``/dev/null``, a few bytes, one byte repeated)."""
    if keyfile is None or (len(keyfile) >= MIN_KEYFILE_BYTES and len(set(keyfile)) > 1):
        return
    if unlocking:
        raise InvalidInput(
            ngettext(
                "That keyfile is too small to protect anything (a keyfile needs at least {n} "
                "byte, not all the same), so it was not used. If this vault was made with it, "
                "open the vault with your recovery key and choose a larger keyfile "
                "(evault passwd --new-keyfile FILE).",
                "That keyfile is too small to protect anything (a keyfile needs at least {n} "
                "bytes, not all the same), so it was not used. If this vault was made with it, "
                "open the vault with your recovery key and choose a larger keyfile "
                "(evault passwd --new-keyfile FILE).",
                MIN_KEYFILE_BYTES,
            ).format(n=MIN_KEYFILE_BYTES)
        )
    raise InvalidInput(
        ngettext(
            "That keyfile is too small to protect anything (a keyfile needs at least {n} byte, "
            "not all the same), so nothing was changed: choose a larger file, such as a photo "
            "you never share.",
            "That keyfile is too small to protect anything (a keyfile needs at least {n} bytes, "
            "not all the same), so nothing was changed: choose a larger file, such as a photo "
            "you never share.",
            MIN_KEYFILE_BYTES,
        ).format(n=MIN_KEYFILE_BYTES)
    )


def passphrase_advice(passphrase: str) -> str:
    """One line about the passphrase being typed ("" for nothing typed yet)."""
    words = [w for w in passphrase.split() if w]
    length = len(passphrase)
    if not passphrase:
        return ""
    if length < MIN_CHARS:
        return ngettext(
            "Too short: at least {n} character is needed.",
            "Too short: at least {n} characters are needed.",
            MIN_CHARS,
        ).format(n=MIN_CHARS)
    if len(set(passphrase)) <= 3:
        return _("Weak: it repeats the same few characters.")
    if len(words) >= 4 and length >= 20:
        return _("Strong: several words, long. Make sure you can remember it.")
    if length >= 16:
        return _("Good. Adding another unrelated word makes it much stronger.")
    return _("Fair: it would be stronger with a few more words (e.g. four unrelated words).")


def passphrase_warning(passphrase: str) -> str | None:
    """Advice worth printing after an acceptable but short passphrase was chosen, else None."""
    if len(passphrase) < ADVISED_CHARS:
        return _(
            "Advice: this passphrase is short. A longer one (several unrelated words) is much "
            "harder to guess if the computer is taken."
        )
    return None


def check_auto_lock_minutes(minutes: int) -> None:
    """Refuse an auto-lock time outside :data:`AUTO_LOCK_MIN`..:data:`AUTO_LOCK_MAX` minutes."""
    if not AUTO_LOCK_MIN <= minutes <= AUTO_LOCK_MAX:
        raise InvalidInput(
            ngettext(
                "Choose an auto-lock time between {low} and {n} minute.",
                "Choose an auto-lock time between {low} and {n} minutes.",
                AUTO_LOCK_MAX,
            ).format(low=AUTO_LOCK_MIN, n=AUTO_LOCK_MAX)
        )
