"""What the custody chain check found, as whole sentences a person can read in her language.

``crypto.custody.check_chain`` (the pure layer, which must not import ``vault``) names each problem
with an English phrase ("its stored hash does not match its content"). Here each phrase becomes one
whole sentence with its event number — a :class:`~vault.custody.models.Finding`, English for
``check --json``, translated for reading — rather than a translated phrase glued into a sentence.
A phrase this table does not know is kept, in English, inside a general sentence.
"""

from __future__ import annotations

import re

from vault.custody.models import Finding
from vault.i18n import N_

_SENTENCES = {
    "its fields are not those of a custody event": N_(
        "Custody event {seq}: its fields are not those of a custody event."
    ),
    "its stored hash does not match its content": N_(
        "Custody event {seq}: its stored hash does not match its content."
    ),
    "its signature does not verify (it was altered or not signed by this vault)": N_(
        "Custody event {seq}: its signature does not verify (it was altered or not signed by "
        "this vault)."
    ),
    "it names a different signer": N_("Custody event {seq}: it names a different signer."),
    "it has an unknown format version": N_(
        "Custody event {seq}: it has an unknown format version."
    ),
    "its sequence number was changed": N_("Custody event {seq}: its sequence number was changed."),
    "its time is malformed": N_("Custody event {seq}: its time is malformed."),
    "its link to the previous event is malformed": N_(
        "Custody event {seq}: its link to the previous event is malformed."
    ),
    "it belongs to another vault": N_("Custody event {seq}: it belongs to another vault."),
    "it does not link to the event before it": N_(
        "Custody event {seq}: it does not link to the event before it."
    ),
    "its time is earlier than the event before it": N_(
        "Custody event {seq}: its time is earlier than the event before it."
    ),
}
_MISSING = re.compile(r"events are missing before it \(expected (\d+)\)")
_ORDER = re.compile(r"it is out of order \(after (\d+)\)")


def chain_finding(seq: int, message: str) -> Finding:
    """The sentence for problem ``message`` of custody event ``seq``."""
    known = _SENTENCES.get(message)
    if known is not None:
        return Finding(known, seq=seq)
    if found := _MISSING.fullmatch(message):
        return Finding(
            N_("Custody event {seq}: events are missing before it (expected {expected})."),
            seq=seq,
            expected=int(found.group(1)),
        )
    if found := _ORDER.fullmatch(message):
        return Finding(
            N_("Custody event {seq}: it is out of order (after {after})."),
            seq=seq,
            after=int(found.group(1)),
        )
    return Finding(N_("Custody event {seq}: {message}."), seq=seq, message=message)
