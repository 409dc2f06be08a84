"""The printable page for each trusted person holding a recovery share (docs/user-guide.md).

One plain-text page per holder: what it is, the share's words numbered, a line to read aloud (the
set number and the share's number), and what the holder may and may not do with it. Every sentence
a holder reads is in :data:`PAGE` below, in one place, so it can be translated.

The page says nothing about whose vault it is or where it is kept: a page found in a search
should lead nowhere. Pages are written owner-only (0600) through :mod:`vault.host.outputs`, into a
folder that is new or empty, and removed again if any of them cannot be written.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from crypto.shares import SHARE_BEGIN, SHARE_END, IssuedShares, share_words
from vault.errors import InvalidInput, StorageError
from vault.host.outputs import write_failed, write_new
from vault.i18n import N_, _, ngettext

WORDS_PER_LINE = 4

# Everything the holder reads, in one place: marked here, translated when a page is written (in
# the language the defender uses at that moment; the share's words and its markers never change).
PAGE = {
    "title": N_("EVIDENCE VAULT - RECOVERY SHARE {number} OF {count}"),
    "read_aloud": N_(
        "Set {set_number}, share {number} of {count}. Any {threshold} shares of this "
        "set are needed."
    ),
    "made": N_("Made on {date}."),
    "what_heading": N_("What this is"),
    "what": N_(
        "Someone who trusts you keeps evidence in an encrypted vault. This page is one of "
        "{count} pieces of a key that can open it if they lose their passphrase and recovery "
        "key. On its own this page opens nothing and shows nothing of what is in the vault: "
        "{threshold} pieces of the same set are needed, together with a copy of the vault "
        "itself. The page does not say whose vault it is, on purpose."
    ),
    "keep_heading": N_("Keep it private"),
    "keep": N_(
        "Keep this paper somewhere safe and dry, away from your phone and computer. Do not tell "
        "anyone that you hold it, and do not keep it together with another holder's page. "
        "Never photograph it, scan it, copy it into a phone, a computer or a message, and never "
        "send it by email or chat."
    ),
    "return_heading": N_("Giving it back"),
    "return": N_(
        "Give it back only to the person who gave it to you, or to their lawyer, in person. "
        "Someone who calls or writes in their name may not be them: if in doubt, wait until "
        "you can meet. If they give you a new page, destroy this one (tear it up and throw the "
        "pieces away in different places): a new set replaces the old, which then no longer "
        "opens the vault."
    ),
    "check": N_(
        "Check: the first three words are the same on every page of this set, and the last "
        "three words are a checksum, so evault notices a word read or typed wrongly."
    ),
}


@dataclass(frozen=True)
class SharesIssued:
    """What the defender is told after issuing: the set and where the pages are."""

    set_number: int
    threshold: int
    count: int
    pages: tuple[Path, ...]


@dataclass(frozen=True)
class ShareSet:
    """The vault's current set of recovery shares, as anyone may know it (nothing secret)."""

    set_number: int
    threshold: int
    count: int
    created: str


def _wrap(text: str, width: int = 78) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def render_page(issued: IssuedShares, index: int, date: str) -> str:
    """The page for share number ``index + 1`` (plain text, printable on one sheet)."""
    fields = {
        "number": index + 1,
        "count": issued.count,
        "threshold": issued.threshold,
        "set_number": issued.identifier,
        "date": date,
    }
    words = share_words(issued.mnemonics[index])
    cells = [f"{n:2d}. {word:<9}" for n, word in enumerate(words, start=1)]
    rows = [
        "  ".join(cells[i : i + WORDS_PER_LINE]).rstrip()
        for i in range(0, len(cells), WORDS_PER_LINE)
    ]
    title = _(PAGE["title"]).format(**fields)
    parts = [
        title,
        "=" * len(title),
        "",
        _wrap(_(PAGE["read_aloud"]).format(**fields)),
        _(PAGE["made"]).format(**fields),
        "",
    ]
    for key in ("what", "keep", "return"):
        parts += [_(PAGE[f"{key}_heading"]), _wrap(_(PAGE[key]).format(**fields)), ""]
    parts += [
        ngettext(
            "The share: {words} word, in this order",
            "The share: {words} words, in this order",
            len(words),
        ).format(words=len(words)),
        "",
        SHARE_BEGIN,
        *rows,
        SHARE_END,
        "",
        _wrap(_(PAGE["check"])),
        "",
    ]
    return "\n".join(parts)


def page_name(index: int, count: int) -> str:
    return f"share-{index + 1}-of-{count}.txt"


def prepare_folder(folder: Path) -> None:
    """``folder`` new (made owner-only) or empty, else a calm refusal before anything is made."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(
            _(
                "{folder} already exists and is not empty. Choose a new folder for the share pages."
            ).format(folder=folder)
        )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        raise StorageError(
            _("The folder {folder} could not be created. Check the path.").format(folder=folder)
        ) from None


def write_pages(folder: Path, issued: IssuedShares, date: str) -> tuple[Path, ...]:
    """One page per holder in ``folder`` (see :func:`prepare_folder`); all of them, or none."""
    written: list[Path] = []
    try:
        for index in range(issued.count):
            target = folder / page_name(index, issued.count)
            write_new(target, render_page(issued, index, date).encode("utf-8"))
            written.append(target)
    except OSError as exc:
        remove_pages(written)
        raise write_failed(folder / page_name(len(written), issued.count), exc) from None
    return tuple(written)


def remove_pages(pages: list[Path] | tuple[Path, ...]) -> None:
    """Remove pages of a set that was not installed (it would open nothing)."""
    for page in pages:
        with contextlib.suppress(OSError):
            page.unlink()
