"""report.html: what a bundle holds, who signed it, its custody timeline, and how to verify it.

The plain words for kinds of item, metadata fields and custody events live here: only the report
tells them. Text only: the report shows the text of messages and notes (so that a lawyer can print
what was said), never pictures or other files (package docstring). A text marked sensitive is
withheld unless the person exporting chose to include it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from vault.bundle import layout
from vault.bundle.documents.common import (
    _FALLBACK_BUNDLE_NAME,
    _commands,
    _dict,
    _e,
    _field_rows,
    _list,
    _or_dash,
    _page,
    _s,
    _utc,
    digits_recipe,
)
from vault.bundle.documents.report_items import (
    TEXT_KINDS,
    _item_block,
    _item_title,
    _summary,
    withheld_ids,
)
from vault.evidence.shown import snapshot_title

FIELD_WORDS: Final = {
    "title": "title",
    "description": "description",
    "media_type": "media type",
    "size": "size",
    "captured_at": "time added",
    "occurred_at": "when it happened",
    "occurred_tz": "time zone of when it happened",
    "platform": "platform",
    "source_url": "source address",
    "sender_handle": "sender",
    "sender_id": "sender id",
    "original_filename": "original file name",
    "sensitive": "sensitive flag",
    "case": "case",
    "parent_id": "derived from",
    "tags": "tags",
    "message": "message details",
}

DETAILS_SHOWN: Final = (
    "The hidden title and details of this sensitive evidence were shown in the vault{how} "
    "(not its content)."
)
# One plain sentence per custody event type (docs/format.md §5). ``{…}`` are filled from
# ``details`` (already escaped); unknown types are shown as their type name.
EVENT_WORDS: Final = {
    "vault.created": "The vault was created{program}.",
    "item.created": "The evidence was added to the vault{source}.",
    "item.metadata_changed": "The description of the evidence was edited: {fields}.",
    "item.viewed": "The original was opened in the vault{how}.",
    "item.exported": "The original was saved to a file outside the vault{destination}.",
    "item.deleted": (
        "The evidence was deleted from the vault{title}; this signed record of the deletion "
        "remains."
    ),
    "case.created": "A case was created{name}.",
    "bundle.export_started": (
        "An evidence bundle was written and was about to be saved under its name{bundle}."
    ),
    "bundle.exported": "An evidence bundle was exported{bundle}.",
    "key.passphrase_changed": (
        "The vault passphrase was changed{slot}. The signing key stays the same."
    ),
    "key.recovery_replaced": (
        "The recovery key was replaced{slot}. The signing key stays the same."
    ),
    "key.keyfile_changed": "The key file was changed{slot}. The signing key stays the same.",
    "key.shares_issued": (
        "Recovery shares were given to trusted people{slot}. The signing key stays the same."
    ),
    "key.shares_replaced": (
        "New recovery shares were given to trusted people; the earlier set no longer opens the "
        "vault{slot}. The signing key stays the same."
    ),
    "key.shares_revoked": (
        "The recovery shares held by trusted people were withdrawn{slot}. The signing key "
        "stays the same."
    ),
    "key.file_upgraded": (
        "vault.keys (the file holding the vault's wrapped keys) was rewritten in its newer, "
        "fully authenticated form{slot}. The keys stay the same."
    ),
    "key.file_repaired": (
        "vault.keys (the file holding the vault's wrapped keys), found altered outside evault, "
        "was rewritten from the key that opened the vault{slot}. The signing key stays the same."
    ),
}


def _event_sort_key(indexed: tuple[int, dict[str, Any]]) -> tuple[int, datetime | str, int]:
    position, event = indexed
    time = _s(event.get("time"))
    try:
        parsed = datetime.fromisoformat(time)
    except ValueError:
        return (2, time, position)
    if parsed.tzinfo is None:  # not a custody time; keep such events after the rest
        return (1, time, position)
    return (0, parsed, position)


def _event_words(event: dict[str, Any]) -> str:
    """What happened, in plain words (HTML)."""
    kind = _s(event.get("type"))
    details = _dict(event.get("details"))

    def opt(prefix: str, key: str, suffix: str = "") -> str:
        value = _s(details.get(key)).strip()
        return f"{prefix}{_e(value)}{suffix}" if value else ""

    template = EVENT_WORDS.get(kind)
    if kind == "item.viewed" and _s(details.get("how")).startswith("details shown"):
        # A reveal of a sensitive item's title and details, not of its content.
        template = DETAILS_SHOWN
    if template is None:
        words = f"Event of type <code>{_e(kind) or '(none)'}</code>."
    else:
        source = _s(details.get("source"))
        source_words = {"file": " from a file", "typed": ", typed in by the defender"}
        changes = details.get("changes")
        if isinstance(changes, dict) and changes:
            fields = ", ".join(_e(FIELD_WORDS.get(str(f), str(f))) for f in changes)
        else:
            fields = "(fields not listed)"
        slot = opt(" (key slot ", "slot", ")")
        words = template.format(
            program=opt(" by ", "program"),
            source=_e(source_words.get(source, f" ({source})" if source else "")),
            fields=fields,
            how=opt(" (", "how", ")"),
            destination=opt(": ", "destination"),
            title=opt(" (title: ", "title", ")"),
            name=opt(": ", "name"),
            bundle=opt(" (bundle id ", "bundle_id", ")"),
            slot=slot,
        )
    item = _dict(event.get("item"))
    if kind == "item.created" and item.get("sha256"):
        words += f' SHA-256 when added: <span class="hash">{_e(item.get("sha256"))}</span>.'
    if kind == "bundle.exported" and details.get("include_sensitive_text") is True:
        words += " Its report printed the texts marked sensitive, as the person exporting chose."
    clock = _s(details.get("clock_reported")).strip()
    if clock:
        words += (
            f" The computer's clock said {_e(_utc(clock))}, earlier than the event before; the "
            "record keeps the earlier event's time so that it never goes backwards."
        )
    return words


def _timeline(events: list[dict[str, Any]], numbers: dict[str, int], titles: dict[str, str]) -> str:
    rows = []
    for _, event in sorted(enumerate(events), key=_event_sort_key):
        item = _dict(event.get("item"))
        item_id = _s(item.get("id"))
        if item_id:
            number = numbers.get(item_id)
            label = f"Item {number}" if number else f"Item {_e(item_id)}"
            title = titles.get(item_id, "")
            if not title.strip():
                title = _s(_dict(event.get("details")).get("title"))
            item_html = f"{label}: {_e(title)}" if title.strip() else label
        else:
            item_html = "—"
        rows.append(
            f"<tr><td>{_e(event.get('seq'))}</td><td>{_e(_utc(event.get('time')))}</td>"
            f"<td>{_event_words(event)}</td><td>{item_html}</td>"
            f'<td class="text">{_or_dash(event.get("reason"))}</td></tr>'
        )
    if not rows:
        return "<p>No custody events are included.</p>"
    return (
        '<table class="timeline"><thead><tr><th class="c-no">No.</th><th class="c-when">Time (UTC)'
        '</th><th>What happened</th><th class="c-item">Item</th><th class="c-reason">Reason given'
        "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _continued(command: str) -> list[str]:
    """A long command as two lines, broken before ``-n`` with the shell's ``\\`` (commands are
    printed as typed: a line break inside one would change it)."""
    head, sep, tail = command.partition(" -n ")
    return [f"{head} \\", f"    -n {tail}"] if sep else [command]


def _how_to_verify_html() -> str:
    cmd = _commands(_FALLBACK_BUNDLE_NAME)
    steps = [
        (
            "Get the vault's fingerprint, 30 digits, <b>from the defender</b> over a channel you "
            "trust (in person, or a call where you know their voice), never from this report or "
            "anything sent with the bundle.",
            [],
        ),
        ("Unzip the bundle (Windows: <code>Expand-Archive</code>).", [cmd["unzip"], "cd bundle"]),
        (
            "Recompute the 30 digits from the bundle's key file (Linux; for macOS and Windows see "
            "<code>VERIFY.txt</code>). They must be exactly the defender's; if not, stop: the "
            "bundle is not from their vault.",
            digits_recipe("linux"),
        ),
        (
            "Check that every file is unchanged (macOS: <code>shasum -a 256 -c SHA256SUMS</code>; "
            "Windows: see VERIFY.txt). Every line must end in OK.",
            [cmd["sha256sum"]],
        ),
        (
            "Check the minisign signature with that key file (only after step 3 matched).",
            [cmd["minisign"]],
        ),
        (
            "Check the OpenSSH signature (OpenSSH 8.1 or newer) after comparing the key's SSH "
            "fingerprint with the one the defender gave you.",
            [cmd["keygen_l"], *_continued(cmd["ssh_verify"])],
        ),
        (
            "Or check everything with evault, typing the digits the defender gave you (without "
            "them evault says the signer is not confirmed):",
            [cmd["evault"]],
        ),
    ]
    items = "".join(
        f"<li>{words}"
        + (f'<pre class="cmd">{_e(chr(10).join(lines))}</pre>' if lines else "")
        + "</li>"
        for words, lines in steps
    )
    return (
        "<p>Anyone can check this bundle with free tools, without evault. The file "
        "<code>VERIFY.txt</code> in the bundle gives every step for Linux, macOS and Windows, and "
        "what each check proves. In short (Linux; replace <code>bundle.zip</code> with the file's "
        f"name):</p><ol>{items}</ol>"
        "<p>The signatures prove which key signed the bundle and that nothing in it changed since; "
        "the digits from the defender prove whose key that is. They do not prove who wrote a "
        "threat, or that a screenshot was genuine before it was added; times come from the clock "
        "of the defender's computer.</p>"
    )


def _texts_words(texts: dict[str, str] | None, include_sensitive_text: bool) -> tuple[str, str]:
    """What the report shows of the evidence, said at the top; and the 'Message texts' row."""
    if texts is None:
        return (
            "<p>This report is a readable summary, in text only: it shows no evidence content and "
            "no images. The files and the signatures are what can be checked.</p>",
            "",
        )
    if include_sensitive_text:
        row = (
            "printed with each message and note, including those marked sensitive: the person "
            "exporting chose to include them"
        )
    else:
        row = (
            "printed with each message and note; texts marked sensitive are withheld (their "
            "files are in the bundle)"
        )
    return (
        "<p>This report is a readable summary, in text only: it prints the text of each message "
        "and note, but shows no pictures and no other files. The files and the signatures are "
        "what can be checked; a text printed here is a copy of its file in "
        "<code>evidence/</code>.</p>",
        row,
    )


def report_html(
    manifest: dict[str, Any],
    events: list[dict[str, Any]],
    *,
    texts: dict[str, str] | None = None,
    include_sensitive_text: bool = False,
) -> bytes:
    """report.html: what is in the bundle, who signed it, its timeline and how to verify it.

    ``texts`` maps item ids to the text of messages and notes, to print with each item (at most
    ``TEXT_LIMIT`` characters each); without it no text is printed. A text marked sensitive in
    the manifest is withheld unless ``include_sensitive_text``."""
    items = [i for i in _list(manifest.get("items")) if isinstance(i, dict)]
    shown = {
        _s(i.get("id"))
        for i in items
        if texts is not None
        and include_sensitive_text
        and _s(i.get("kind")) in TEXT_KINDS
        and _s(i.get("id")) in texts
    }
    scope, texts_row = _texts_words(texts, include_sensitive_text)
    numbers = {_s(i.get("id")): n for n, i in enumerate(items, start=1) if i.get("id")}
    withheld = withheld_ids(items, include_sensitive_text)
    titles = {_s(i.get("id")): _item_title(i, withheld) for i in items if i.get("id")}
    for event in events:
        # Titles of items known only from the log (e.g. a deletion) come from their snapshot,
        # by the same rule: neutral for one marked sensitive.
        event_item = _dict(event.get("item"))
        item_id = _s(event_item.get("id"))
        snapshot = _dict(_dict(event.get("details")).get("metadata"))
        if item_id and not titles.get(item_id, "").strip() and _s(snapshot.get("title")).strip():
            titles[item_id] = _s(
                snapshot_title(
                    event_item.get("kind"),
                    snapshot.get("media_type"),
                    snapshot,
                    revealed=include_sensitive_text,
                )
            )
    signer = _dict(manifest.get("signer"))
    custody = _dict(manifest.get("custody"))
    fingerprint = _s(signer.get("fingerprint"))
    case = _s(manifest.get("case")).strip()
    title = f"Evidence bundle — {case}" if case else "Evidence bundle"

    body = [
        f"<h1>{_e(title)}</h1>",
        "<p>This report is part of an evidence bundle exported from <b>Evidence Vault</b> "
        "(evault), an offline, encrypted vault in which a human-rights defender keeps evidence such "
        "as screenshots, files and threatening messages. The bundle holds the original files "
        "exactly as they were stored, the record of everything that happened to them in the vault "
        "(the chain of custody), and two digital signatures made with the vault's key. Anyone can "
        "check with common free tools, without evault, that no file has changed since the bundle "
        "was made and which key signed it (see &ldquo;How to verify&rdquo; at the end).</p>",
        scope,
        '<div class="box"><p><b>Signer fingerprint, as this bundle claims it:</b></p>'
        f'<p class="fingerprint">{_or_dash(fingerprint)}</p>'
        "<p>This report is part of the bundle, and whoever made the bundle wrote it: a forger "
        "would write the defender's digits here too. <b>Only your own check counts:</b> get the "
        "30 digits from the defender over a channel you trust, then recompute them from the "
        "bundle's key file or run <code>evault verify</code> with them (&ldquo;How to "
        "verify&rdquo;, below). Until then, nothing here shows whose vault signed this bundle.</p>"
        f'<p>SSH fingerprint the bundle claims: <span class="hash">'
        f"{_or_dash(signer.get('ssh_fingerprint'))}</span></p></div>",
        _field_rows(
            [
                ("Bundle id", f"<code>{_or_dash(manifest.get('bundle_id'))}</code>"),
                (
                    "Created",
                    _or_dash(_utc(manifest.get("created")))
                    + ' <span class="small">(by the clock of the defender\'s computer)</span>',
                ),
                ("Program", _or_dash(manifest.get("program"))),
                ("Case", _or_dash(case)),
                ("Note", f'<span class="text">{_or_dash(manifest.get("note"))}</span>'),
                ("Items", _e(len(items))),
                *([("Message texts", texts_row)] if texts_row else []),
                (
                    "Custody record",
                    f"{_e(custody.get('events', len(events)))} events in "
                    f"<code>{_e(custody.get('path') or layout.CUSTODY)}</code>; the newest event "
                    f"in the vault when the bundle was made was number {_or_dash(custody.get('head_seq'))}"
                    f' (hash <span class="hash">{_or_dash(custody.get("head_hash"))}</span>)',
                ),
            ]
        ),
        "<h2>Contents at a glance</h2>",
        _summary(items, shown, withheld),
        "<h2>The items</h2>",
        "<p>Each item's SHA-256 identifies its exact bytes: a file with a different SHA-256 is not "
        "the same file. Times marked UTC were recorded by the vault; &ldquo;when it happened&rdquo; is "
        "what the defender reported."
        + (
            " A message's or note's text is printed as stored, except that invisible control "
            "and direction characters are shown as codes such as [U+202E]."
            if texts is not None
            else ""
        )
        + "</p>",
        *(_item_block(n, i, numbers, texts, shown, withheld) for n, i in enumerate(items, start=1)),
        "<h2>Timeline (chain of custody)</h2>",
        "<p>Everything the vault recorded about these items, in time order. Each record is signed "
        "with the vault key and linked to the record before it; <code>evault verify</code> checks "
        "this. Records about items not in this bundle are left out, so numbers may skip.</p>",
        _timeline(events, numbers, titles),
        "<h2>How to verify</h2>",
        _how_to_verify_html(),
    ]
    return _page(title, body)
