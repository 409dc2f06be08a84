"""Recovery shares (crypto/shares.py): SLIP-39 through ``shamir_mnemonic``, as evault uses it.

The module did not exist before issue 13: every test here fails on the code before it (import
error). The published SLIP-39 vectors (trezor/python-shamir-mnemonic, vectors.json, passphrase
"TREZOR") were checked against the installed library by hand while writing this (9 of 9 agree,
including the 256-bit ones); the known-answer test below freezes what this version of the library
makes of fixed inputs, so a library update that changes the words is noticed.
"""

from __future__ import annotations

import itertools

import pytest
import shamir_mnemonic
from shamir_mnemonic import shamir as slip39

from crypto import constants as c
from crypto.errors import FormatError
from crypto.shares import (
    SHARE_BEGIN,
    SHARE_END,
    NotEnoughShares,
    ShareMistyped,
    SharesMismatch,
    check_layout,
    combine,
    issue_shares,
    read_share,
    split_share_texts,
)


def _combine(issued_mnemonics: list[str], identifier: int) -> bytes:
    shares = [read_share(m) for m in issued_mnemonics]
    return combine(shares, identifier=identifier, iteration_exponent=0)


def test_any_two_of_three_give_the_secret_and_one_does_not() -> None:
    issued = issue_shares(2, 3)
    assert len(issued.secret) == 32 and len(issued.mnemonics) == 3
    assert all(len(m.split()) == c.SHARES_WORDS for m in issued.mnemonics)
    for pair in itertools.combinations(issued.mnemonics, 2):
        assert _combine(list(pair), issued.identifier) == issued.secret
    assert _combine(list(issued.mnemonics), issued.identifier) == issued.secret
    with pytest.raises(NotEnoughShares) as caught:
        _combine([issued.mnemonics[1]], issued.identifier)
    assert (caught.value.given, caught.value.needed) == (1, 2)
    # The same share twice is still one share.
    with pytest.raises(NotEnoughShares):
        _combine([issued.mnemonics[0]] * 2, issued.identifier)
    # What evault issues is plain SLIP-39: the library alone recovers it (no passphrase).
    assert shamir_mnemonic.combine_mnemonics(list(issued.mnemonics[1:])) == issued.secret


def test_three_of_five() -> None:
    issued = issue_shares(3, 5)
    assert _combine(list(issued.mnemonics[2:]), issued.identifier) == issued.secret
    with pytest.raises(NotEnoughShares):
        _combine(list(issued.mnemonics[:2]), issued.identifier)


def test_words_may_be_typed_loosely() -> None:
    """Numbered as on the page, upper case, or only the first four letters of each word."""
    issued = issue_shares(2, 3)
    words = issued.mnemonics[0].split()
    numbered = "\n".join(f"{n:2d}. {w.upper()}" for n, w in enumerate(words, start=1))
    short = " - ".join(w[:4] for w in words)
    assert read_share(numbered) == read_share(issued.mnemonics[0]) == read_share(short)


def test_a_mistyped_word_is_caught_by_the_checksum_without_quoting_the_words() -> None:
    issued = issue_shares(2, 3)
    words = issued.mnemonics[0].split()
    wrong = "academic" if words[10] != "academic" else "acid"  # another real share word
    typo = " ".join([*words[:10], wrong, *words[11:]])
    with pytest.raises(ShareMistyped) as caught:
        read_share(typo)
    assert "mistyped" in str(caught.value)
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    assert not any(pair in str(caught.value) for pair in pairs)  # the library's message would
    with pytest.raises(ShareMistyped, match="Word 5 "):
        read_share(" ".join([*words[:4], "xylophone", *words[5:]]))
    with pytest.raises(ShareMistyped, match="33 words"):
        read_share(" ".join(words[:-1]))


def test_a_share_of_another_set_is_refused_before_any_work() -> None:
    first, second = issue_shares(2, 3), issue_shares(2, 3)
    mixed = [read_share(first.mnemonics[0]), read_share(second.mnemonics[1])]
    with pytest.raises(SharesMismatch):
        combine(mixed, identifier=first.identifier, iteration_exponent=0)
    with pytest.raises(SharesMismatch):
        combine(
            [read_share(m) for m in second.mnemonics[:2]],
            identifier=first.identifier if first.identifier != second.identifier else -1,
            iteration_exponent=0,
        )


def test_a_costly_iteration_exponent_is_refused() -> None:
    """A share asking for SLIP-39's PBKDF2 at exponent 15 (about 330 million rounds) runs nothing."""
    costly = shamir_mnemonic.EncryptedMasterSecret(77, True, 15, bytes(32))  # no PBKDF2 to make
    groups = shamir_mnemonic.split_ems(1, [(2, 3)], costly)
    shares = [read_share(s.mnemonic()) for s in groups[0][:2]]
    assert shares[0].iteration_exponent == 15
    with pytest.raises(SharesMismatch):
        combine(shares, identifier=shares[0].identifier, iteration_exponent=0)


def test_layout_limits() -> None:
    for threshold, count in ((1, 3), (4, 3), (2, 17), (2, 1)):
        with pytest.raises(FormatError):
            check_layout(threshold, count)
    check_layout(2, 2)
    check_layout(16, 16)


def test_pages_and_paragraphs_split_into_shares() -> None:
    issued = issue_shares(2, 3)
    pages = "".join(
        f"Instructions with words like keep and acid.\n{SHARE_BEGIN}\n{m}\n{SHARE_END}\n"
        for m in issued.mnemonics[:2]
    )
    assert split_share_texts(pages) == [f"\n{m}\n" for m in issued.mnemonics[:2]]
    paragraphs = "\n\n".join(issued.mnemonics) + "\n"
    assert [s.strip() for s in split_share_texts(paragraphs)] == list(issued.mnemonics)


def test_known_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed randomness and secret: the words this library version makes, frozen."""
    stream = itertools.count()
    monkeypatch.setattr(
        slip39, "RANDOM_BYTES", lambda n: bytes(next(stream) % 256 for _ in range(n))
    )
    secret = bytes(range(32))
    words = shamir_mnemonic.generate_mnemonics(1, [(2, 3)], secret, iteration_exponent=0)[0]
    assert words == KNOWN_SHARES
    assert shamir_mnemonic.combine_mnemonics(KNOWN_SHARES[1:]) == secret
    share = read_share(KNOWN_SHARES[0])
    assert (share.identifier, share.member_threshold, share.index) == (KNOWN_ID, 2, 0)


KNOWN_ID = 1
KNOWN_SHARES = [
    "academic apart academic acid anatomy group taught critical cards distance patent eclipse "
    "petition smirk filter rapids dwarf clinic imply ocean syndrome expand envelope wealthy "
    "install starting evidence grant universe jury toxic forecast pipeline",
    "academic apart academic agency ajar listen scramble argue marvel damage evaluate hawk "
    "center strategy cause chest season ting laden faint traffic analysis writing surface snake "
    "ancestor frozen very ecology moisture justice pitch hazard",
    "academic apart academic always academic closet plot award machine boundary headset away "
    "careful theater romantic pacific sweater glimpse herald guard adequate safari dynamic spew "
    "mandate herald general check benefit crystal explain pumps frozen",
]
