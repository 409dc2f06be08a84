"""The files of a bundle: SHA256SUMS lists every file and nothing else, every file still has the
hash it was signed with, and the manifest's items agree with both.

A problem with an evidence file is recorded on its item, so the lawyer reads which piece of
evidence is affected and why, not only that the bundle failed.
"""

from __future__ import annotations

import threading
from typing import Any

from crypto.errors import FormatError
from crypto.sums import parse_sums
from vault.bundle import layout, onepass
from vault.bundle.said import joined, say, ungettext
from vault.bundle.source import Source
from vault.bundle.verify_result import ItemResult, Progress, VerifyResult
from vault.bundle.zipcheck import Reader
from vault.evidence.shown import snapshot_title
from vault.i18n import N_


def check_sums(reader: Reader, result: VerifyResult) -> dict[str, str]:
    data = reader.small(layout.SUMS, layout.MAX_DOCUMENT_BYTES)
    try:
        sums = parse_sums(data or b"", max_bytes=layout.MAX_DOCUMENT_BYTES)
    except FormatError as exc:
        result.check(say(N_("SHA256SUMS")), False, str(exc))
        return {}
    present = set(reader.members) - {layout.SUMS, *layout.SIGNATURE_MEMBERS}
    missing = sorted(set(sums) - present)
    extra = sorted(present - set(sums))
    problems = [say(N_("listed but missing: {name}"), name=n) for n in missing] + [
        say(N_("present but not listed (added after signing?): {name}"), name=n) for n in extra
    ]
    result.check(
        say(N_("Every file listed, nothing added")),
        not problems,
        joined(problems) or ungettext("{n} file listed", "{n} files listed", len(sums)),
    )
    return sums


def member_digests(
    source: Source,
    reader: Reader,
    sums: dict[str, str],
    *,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> tuple[str | None, dict[str, str | None]]:
    """(the bundle file's SHA-256 if ``source.hash_file``, the SHA-256 of every member
    SHA256SUMS lists), from one read of the file (``onepass``); a member's digest is None if it
    cannot be read (its local header does not match, or its CRC-32 differs from the ZIP's
    records). OSError if the file cannot be read."""
    infos = [reader.members[n] for n in sums if n in reader.members]
    total = sum(info.file_size for info in infos)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    with source.open() as raw:
        spans, unreadable = onepass.member_spans(raw, infos)
        file_sha256, actual = onepass.scan(
            raw,
            source.size,
            spans,
            hash_file=source.hash_file,
            on_bytes=advance,
            cancel=cancel,
        )
    for name in unreadable:
        actual[name] = None
    return file_sha256, actual


def check_members(
    actual: dict[str, str | None],
    reader: Reader,
    sums: dict[str, str],
    manifest: dict[str, Any],
    result: VerifyResult,
) -> None:
    """Compare the members' digests (``actual``, from :func:`member_digests`) with SHA256SUMS and
    the manifest, item by item."""
    bad_docs = [
        n
        for n in sums
        if not n.startswith(layout.EVIDENCE_DIR) and n in actual and actual[n] != sums[n]
    ]
    result.check(
        say(N_("Hashes of the bundle's own files")),
        not bad_docs,
        joined(say(N_("{name} was changed"), name=n) for n in bad_docs)
        or say(N_("manifest, custody log, report and keys unchanged")),
    )
    items = manifest["items"]
    paths_seen: set[str] = set()
    for entry in items:
        if not isinstance(entry, dict):
            result.check(say(N_("Manifest items")), False, say(N_("an item entry is malformed")))
            continue
        raw_metadata = entry.get("metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        raw_size = entry.get("size")
        item = ItemResult(
            path=str(entry.get("path", "")),
            # A sensitive item's title may be made from its text: neutral here, and so in
            # every verify output and the certificate (the manifest keeps the real one).
            title=snapshot_title(entry.get("kind"), entry.get("media_type"), metadata),
            sha256=str(entry.get("sha256", "")),
            size=raw_size if isinstance(raw_size, int) else -1,
        )
        result.items.append(item)
        if item.path in paths_seen:
            item.fail(say(N_("the manifest names this file twice")))
        paths_seen.add(item.path)
        if item.path not in sums:
            item.fail(say(N_("the file is not listed in SHA256SUMS")))
        elif sums[item.path] != item.sha256:
            item.fail(say(N_("SHA256SUMS and the manifest give different hashes")))
        if item.path not in reader.members:
            item.fail(say(N_("the file is missing from the bundle")))
        else:
            got = actual.get(item.path)
            if got is None:
                item.fail(say(N_("the file cannot be read (damaged inside the ZIP)")))
            elif got != item.sha256:
                item.fail(say(N_("the file was changed: its SHA-256 is now {sha256}"), sha256=got))
            if reader.members[item.path].file_size != item.size:
                item.fail(say(N_("its size differs from the manifest")))
        text_path = entry.get("text_path")
        if text_path is not None and not isinstance(text_path, str):
            item.fail(say(N_("the manifest names its readable text copy wrongly")))
        elif text_path is not None and text_path not in sums:
            item.fail(say(N_("its readable text copy is missing from SHA256SUMS")))
        elif text_path is not None and actual.get(text_path) != sums[text_path]:
            item.fail(say(N_("its readable text copy was changed (or cannot be read)")))
    listed_evidence = {n for n in sums if n.startswith(layout.EVIDENCE_DIR)}
    described = paths_seen | {
        e.get("text_path")
        for e in items
        if isinstance(e, dict) and isinstance(e.get("text_path"), str)
    }
    unexplained = sorted(listed_evidence - described)
    result.check(
        say(N_("Manifest describes every evidence file")),
        not unexplained,
        joined(say(N_("{name} is not in the manifest"), name=n) for n in unexplained)
        or ungettext("{n} item", "{n} items", len(items)),
    )
