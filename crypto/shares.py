"""Recovery shares for trusted people: SLIP-39 (docs/format.md §2.7), never our own Shamir.

A fresh 256-bit secret is split by ``shamir_mnemonic`` (Trezor's reference implementation of
SLIP-39) into word lists, one per trusted person: one group, ``threshold`` of ``count`` members,
no SLIP-39 passphrase, iteration exponent 0 (the secret is random: stretching adds nothing, and a
small exponent keeps one recovery attempt cheap). Each share carries SLIP-39's own checksum (three
words of Reed-Solomon over GF(1024)), so a mistyped word is caught before anything is tried.

Messages never quote a share's words: the library's own messages do, so none of them is passed on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from shamir_mnemonic import MnemonicError, Share, combine_mnemonics, generate_mnemonics
from shamir_mnemonic.wordlist import WORD_INDEX_MAP, WORDLIST

from crypto import constants as c
from crypto.errors import FormatError

# Every SLIP-39 word is told apart from the others by its first four letters (SLIP-39 §Wordlist),
# so a holder may type only those, as on a Trezor.
_PREFIX_LETTERS = 4
_BY_PREFIX = {word[:_PREFIX_LETTERS]: word for word in WORDLIST}
# The page marks where the words begin and end, so its instructions are never read as words.
SHARE_BEGIN = "----- BEGIN EVAULT RECOVERY SHARE -----"
SHARE_END = "----- END EVAULT RECOVERY SHARE -----"
_BLOCK_RE = re.compile(re.escape(SHARE_BEGIN) + r"(.*?)" + re.escape(SHARE_END), re.DOTALL)
_TOKEN_RE = re.compile(r"[^\W\d_]+")  # runs of letters: numbering, dots and dashes are skipped


class ShareMistyped(FormatError):
    """A share does not read as a SLIP-39 share: an unknown word, a wrong length, a checksum."""


class SharesMismatch(FormatError):
    """The shares given belong to different sets (or to a set this vault does not use)."""


class NotEnoughShares(FormatError):
    """Fewer different shares than the set's threshold were given."""

    def __init__(self, given: int, needed: int) -> None:
        super().__init__(f"{given} of {needed} shares given.")
        self.given = given
        self.needed = needed


@dataclass(frozen=True)
class IssuedShares:
    """A new set: the secret (for the slot) and each holder's words (shown once, on paper)."""

    secret: bytes = field(repr=False)
    identifier: int
    threshold: int
    count: int
    mnemonics: tuple[str, ...] = field(repr=False)


def check_layout(threshold: int, count: int) -> None:
    """``threshold`` of ``count`` as evault issues them, else :class:`FormatError` (in words)."""
    if not c.SHARES_MIN_COUNT <= count <= c.SHARES_MAX_COUNT:
        raise FormatError(
            f"The number of shares must be between {c.SHARES_MIN_COUNT} and {c.SHARES_MAX_COUNT}."
        )
    if not c.SHARES_MIN_THRESHOLD <= threshold <= count:
        raise FormatError(
            f"The number of shares needed must be at least {c.SHARES_MIN_THRESHOLD} and at most "
            f"the number of shares ({count})."
        )


def issue_shares(threshold: int, count: int) -> IssuedShares:
    """Split a fresh 256-bit secret into ``count`` SLIP-39 shares, any ``threshold`` of which
    give it back."""
    check_layout(threshold, count)
    secret = os.urandom(c.SHARES_SECRET_BYTES)
    groups = generate_mnemonics(
        1,
        [(threshold, count)],
        secret,
        b"",
        extendable=True,
        iteration_exponent=c.SHARES_ITERATION_EXPONENT,
    )
    mnemonics = tuple(groups[0])
    identifier = Share.from_mnemonic(mnemonics[0]).identifier
    return IssuedShares(secret, identifier, threshold, count, mnemonics)


def share_words(mnemonic: str) -> list[str]:
    """A share's words, for numbering on paper."""
    return mnemonic.split()


def split_share_texts(text: str) -> list[str]:
    """The shares in a text: each marked block of a share page, else one per paragraph."""
    blocks = _BLOCK_RE.findall(text)
    if blocks:
        return [str(b) for b in blocks]
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def read_share(text: str) -> Share:
    """One share as a person typed it (full words or their first four letters, numbering and
    punctuation ignored), checked against its SLIP-39 checksum."""
    tokens = _TOKEN_RE.findall(text.lower())
    if not tokens:
        raise ShareMistyped("A share was empty: it has no words.")
    words = []
    for position, token in enumerate(tokens, start=1):
        word = token if token in WORD_INDEX_MAP else _BY_PREFIX.get(token[:_PREFIX_LETTERS])
        if word is None or (token not in WORD_INDEX_MAP and len(token) < _PREFIX_LETTERS):
            raise ShareMistyped(
                f"Word {position} of a share is not one of the share words. Check it against "
                "the paper."
            )
        words.append(word)
    if len(words) != c.SHARES_WORDS:
        raise ShareMistyped(
            f"A share has {c.SHARES_WORDS} words; one of those given has {len(words)}. Check "
            "that no word is missing or doubled."
        )
    try:
        return Share.from_mnemonic(" ".join(words))
    except MnemonicError:
        raise ShareMistyped(
            "A share does not add up (its check words do not match): a word was mistyped. "
            "Check each word against the paper."
        ) from None


def combine(shares: list[Share], *, identifier: int, iteration_exponent: int) -> bytes:
    """The secret of the set ``identifier`` from enough of its shares.

    Checked before any work: every share is of that set and of the layout evault issues (so a
    share of another set, or one asking for a costly iteration exponent, runs nothing), and there
    are at least as many different shares as the set needs.
    """
    if not shares:
        raise NotEnoughShares(0, 0)
    for share in shares:
        if share.identifier != identifier or share.iteration_exponent != iteration_exponent:
            raise SharesMismatch("A share is not of this vault's current set.")
        if share.group_count != 1 or share.group_threshold != 1:
            raise SharesMismatch("A share is not of this vault's current set.")
    if len({(s.member_threshold, s.extendable) for s in shares}) != 1:
        raise SharesMismatch("The shares are not all of the same set.")
    distinct = {s.index: s for s in shares}
    needed = shares[0].member_threshold
    if len(distinct) < needed:
        raise NotEnoughShares(len(distinct), needed)
    chosen = [distinct[i].mnemonic() for i in sorted(distinct)[:needed]]
    try:
        return bytes(combine_mnemonics(chosen, b""))
    except MnemonicError:  # the shares' digest does not match: not of one split
        raise SharesMismatch("The shares are not all of the same set.") from None
