"""Exports that started and never completed, for ``evault check``'s notes.

A bundle is recorded as started (``bundle.export_started``, with the file's SHA-256) before it
gets its name, and as completed (``bundle.exported``) after. A kill, a pulled stick or a full disk
between the two leaves a start without a completion: not a problem with the vault (nothing in it
changed), but the defender should know that a file of that name may exist without the record of
its completion, and how to tell whether it is the complete bundle.
"""

from __future__ import annotations

from typing import Any

from crypto.custody import SignedEvent
from crypto.errors import FormatError
from vault.custody import log as custody
from vault.custody.models import Finding
from vault.i18n import N_


def unfinished_exports(events: list[SignedEvent]) -> list[str]:
    """One calm note per export recorded as started and never as completed."""
    bodies = []
    for event in events:
        try:
            bodies.append(event.parsed())
        except FormatError:  # reported by the chain check
            continue
    completed = {
        str(_details(b).get("bundle_id"))
        for b in bodies
        if b.get("type") == custody.BUNDLE_EXPORTED
    }
    notes: list[str] = []
    for body in bodies:
        if body.get("type") != custody.BUNDLE_EXPORT_STARTED:
            continue
        details = _details(body)
        if str(details.get("bundle_id")) in completed:
            continue
        notes.append(
            Finding(
                N_(
                    "An export stopped before it finished (bundle {bundle_id}, file '{file_name}', "
                    "{time}): evault was stopped, or the disk was full or removed, before the export was "
                    "recorded as complete. Nothing in the vault was changed. A file of that name is that "
                    "whole bundle only if its SHA-256 is {sha256}; to be sure, export again."
                ),
                bundle_id=details.get("bundle_id"),
                file_name=details.get("file_name"),
                time=body.get("time"),
                sha256=details.get("bundle_sha256"),
            )
        )
    return notes


def _details(body: dict[str, Any]) -> dict[str, Any]:
    details = body.get("details")
    return details if isinstance(details, dict) else {}
