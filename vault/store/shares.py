"""Opening a vault with recovery shares held by trusted people (docs/format.md §2.7).

Each way of failing is one calm sentence the defender can act on: a mistyped word (SLIP-39's
checksum names the share, never its words), too few shares ("1 of 2 shares given"), a share of
another set (an older set that was replaced, or another vault's), no shares issued for this vault.
Nothing is derived until the shares are known to be enough shares of this vault's current set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shamir_mnemonic import Share

from crypto import constants as c
from crypto import keyslots
from crypto.errors import DecryptionFailed
from crypto.keyslots import KeysFile, Keyslot
from crypto.shares import (
    NotEnoughShares,
    ShareMistyped,
    SharesMismatch,
    combine,
    read_share,
    split_share_texts,
)
from vault.errors import InvalidInput, KeysFileDamaged, RecoveryKeyMistyped, WrongPassphrase
from vault.i18n import N_, _, ngettext
from vault.store.cryptowords import crypto_words

NO_SHARES_SLOT = N_(
    "This vault has no recovery shares (none were issued, or they were withdrawn). Open it with "
    "the passphrase or the recovery key."
)
DAMAGED_SHARES_SLOT = N_(
    "The vault's key file (vault.keys) is damaged: the part the recovery shares open no longer "
    "reads as evault wrote it. Open the vault with your passphrase or recovery key, then issue "
    "new shares (evault recovery shares)."
)
NOT_THIS_SET = N_(
    "A share given is not of this vault's current set (it is from an older set that was "
    "replaced, or from another vault). Check the set number on each page."
)
MIXED_SETS = N_(
    "The shares given are not all of the same set. Check that every page shows the same set number."
)
SHARES_DO_NOT_OPEN = N_("These shares do not open this vault. Check the set number on each page.")
NO_SHARES = N_("No recovery share was given.")


@dataclass(frozen=True)
class ShareInfo:
    """What a share says about itself (nothing secret): for "share 2 of 3, 2 needed"."""

    set_number: int
    number: int  # 1-based, as printed on its page
    needed: int


def _read(text: str) -> Share:
    try:
        return read_share(text)
    except ShareMistyped as exc:
        raise RecoveryKeyMistyped(crypto_words(str(exc))) from None


def read_shares(texts: Sequence[str]) -> list[Share]:
    """Every share in ``texts`` (a text may hold several: marked pages, or paragraphs)."""
    shares = [_read(part) for text in texts for part in split_share_texts(text)]
    if not shares:
        raise InvalidInput(_(NO_SHARES))
    return shares


def share_info(text: str) -> ShareInfo:
    """One typed share, checked (its checksum), and what it says about its set."""
    share = _read(text)
    return ShareInfo(share.identifier, share.index + 1, share.member_threshold)


def given_message(given: int, needed: int) -> str:
    return ngettext(
        "{given} of {needed} share given. The vault opens with {needed} different share of "
        "the same set: add the next one.",
        "{given} of {needed} shares given. The vault opens with {needed} different shares of "
        "the same set: add the next one.",
        needed,
    ).format(given=given, needed=needed)


def unlock_with_shares(keys: KeysFile, texts: Sequence[str]) -> tuple[bytes, Keyslot, bytes]:
    """The database key, the shares slot and its slot key, from enough shares of the current
    set (the slot key is kept so a re-encryption can re-wrap this slot, docs/format.md §3.4)."""
    shares = read_shares(texts)
    slot = keys.slot(c.SLOT_KIND_SHARES)
    if slot is None:
        raise WrongPassphrase(_(NO_SHARES_SLOT))
    if slot.damaged:
        raise KeysFileDamaged(_(DAMAGED_SHARES_SLOT))
    layout = slot.kdf["slip39"]
    if len({s.identifier for s in shares}) > 1:
        raise WrongPassphrase(_(MIXED_SETS))
    try:
        secret = combine(
            shares,
            identifier=layout["identifier"],
            iteration_exponent=layout["iteration_exponent"],
        )
    except NotEnoughShares as exc:
        raise InvalidInput(given_message(exc.given, exc.needed)) from None
    except SharesMismatch:
        raise WrongPassphrase(_(NOT_THIS_SET)) from None
    try:
        return keyslots.open_shares_slot_keyed(keys, secret)
    except DecryptionFailed:
        raise WrongPassphrase(_(SHARES_DO_NOT_OPEN)) from None
