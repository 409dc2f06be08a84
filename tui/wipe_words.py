"""The emergency wipe in words: the warning, the word typed to confirm it, and the summary of what
was destroyed. The command line and the app say the same sentences (``tui.render`` re-exports
them, where both front ends have always found them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.terminal_text import terminal_text
from vault import N_, _

if TYPE_CHECKING:
    from vault import WipeResult

WIPE_WORD = "WIPE"  # what the defender types to confirm, at the command line and in the app
# The same four keys, W I P E, pressed with the keyboard switched to Russian (ЙЦУКЕН) or
# Azerbaijani (Q Ü E R T …, with or without Caps Lock): under threat nobody should have to find the
# layout switch first. Still four deliberate keys: a stray key press destroys nothing.
WIPE_KEYS_TYPED = frozenset({WIPE_WORD, "ЦШЗУ", "ÜIPE", "ÜİPE"})


def is_wipe_word(typed: str | None) -> bool:
    """True when ``typed`` is WIPE, in any case, on a Latin, Russian or Azerbaijani keyboard."""
    return typed is not None and typed.strip().upper() in WIPE_KEYS_TYPED


WIPE_WARNING = N_(
    "This destroys the vault in {folder} for good: nobody, not even you, will be able to open "
    "it again. Only a backup copy, with its passphrase or recovery key (or recovery shares), can "
    "bring the evidence back."
)
WIPE_FLASH_NOTE = N_(
    "On SSDs, USB sticks and memory cards the drive may keep old copies of some blocks where no "
    "program can reach them, old bytes of vault.keys among them. Reading those needs forensic "
    "equipment and then still your passphrase or recovery key; full-disk encryption closes this "
    "gap, and destroying a stick is the only certain end. Copies made before (backups, cloud "
    "sync, a copy someone took) are not touched and still open with their passphrase."
)
WIPE_OPEN_ELSEWHERE = N_(
    "Another evault window or command had this vault open. Close it (or press its lock key) now: "
    "until then it still holds the vault's key in memory."
)


def wipe_summary(result: WipeResult, *, open_elsewhere: bool) -> list[str]:
    """The paragraphs that say what the wipe did, what it left, and what flash media may keep."""
    folder = terminal_text(str(result.folder))
    paragraphs = [
        _(
            "The vault in {folder} was wiped: its keys were overwritten and removed, and its "
            "database removed. It cannot be opened any more, by you or by anyone."
        ).format(folder=folder)
    ]
    if result.left:
        left = ", ".join(terminal_text(name) for name in result.left)
        paragraphs.append(
            _("Left in the folder (not the vault's, so not touched): {names}.").format(names=left)
        )
    elif not result.folder_removed:
        paragraphs.append(
            _("The empty folder could not be removed; it holds nothing of the vault.")
        )
    if open_elsewhere:
        paragraphs.append(_(WIPE_OPEN_ELSEWHERE))
    paragraphs.append(_(WIPE_FLASH_NOTE))
    return paragraphs
