"""The crypto layer's sentences about a typed recovery key or share, in the reader's language.

Why here: ``crypto`` must not import ``vault`` (it is the pure layer), so its few messages that reach
a person unchanged — a recovery key or a share with a typing mistake, a share layout out of range —
are written in English there and translated here, where ``vault`` turns them into an
:class:`~vault.errors.EvaultError`. A message this table does not know is shown as it is (English),
never dropped.
"""

from __future__ import annotations

import re

from crypto import constants as c
from vault.i18n import N_, _, ngettext

# Each English sentence of crypto/recovery.py and crypto/shares.py, marked for translation.
_FIXED = (
    N_("A recovery key has 36 letters and digits in 9 groups of 4; this one does not."),
    N_("The recovery key contains a character that is not used in recovery keys."),
    N_("The recovery key does not add up: check the groups you typed."),
    N_("A share was empty: it has no words."),
    N_(
        "A share does not add up (its check words do not match): a word was mistyped. "
        "Check each word against the paper."
    ),
)
_WORD = re.compile(r"Word (\d+) of a share is not one of the share words\.")
_LENGTH = re.compile(r"A share has \d+ words; one of those given has (\d+)\.")
_COUNT = re.compile(r"The number of shares must be between \d+ and \d+\.")
_THRESHOLD = re.compile(r"The number of shares needed must be at least \d+ and at most the number")


def crypto_words(message: str) -> str:
    """``message`` (an English sentence from ``crypto``) in the current language."""
    if message in _FIXED:
        return _(message)
    if found := _WORD.match(message):
        return _(
            "Word {position} of a share is not one of the share words. Check it against the paper."
        ).format(position=int(found.group(1)))
    if found := _LENGTH.match(message):
        given = int(found.group(1))
        return ngettext(
            "A share has {n} words; one of those given has {given}. Check that no word is "
            "missing or doubled.",
            "A share has {n} words; one of those given has {given}. Check that no word is "
            "missing or doubled.",
            c.SHARES_WORDS,
        ).format(n=c.SHARES_WORDS, given=given)
    if _COUNT.match(message):
        return _("The number of shares must be between {low} and {high}.").format(
            low=c.SHARES_MIN_COUNT, high=c.SHARES_MAX_COUNT
        )
    if found := _THRESHOLD.match(message):
        count = re.search(r"\((\d+)\)", message)
        return _(
            "The number of shares needed must be at least {low} and at most the number of "
            "shares ({count})."
        ).format(low=c.SHARES_MIN_THRESHOLD, count=count.group(1) if count else "")
    return message
