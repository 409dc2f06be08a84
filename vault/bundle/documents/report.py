"""report.html: what a bundle holds, who signed it, its custody timeline, and how to verify it.

Its items are written by ``report_items`` and its custody timeline by ``report_timeline``. Text
only: the report shows the text of messages and notes (so that a lawyer can print
what was said), never pictures or other files (package docstring). A text marked sensitive is
withheld unless the person exporting chose to include it.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from vault.bundle import layout
from vault.bundle.compact import as_sequence
from vault.bundle.documents.common import (
    _FALLBACK_BUNDLE_NAME,
    _commands,
    _dict,
    _e,
    _field_rows,
    _or_dash,
    _page_parts,
    _s,
    _utc_words,
    digits_recipe,
)
from vault.bundle.documents.report_items import (
    TEXT_KINDS,
    _item_block,
    _item_title,
    _summary,
    withheld_ids,
)
from vault.bundle.documents.report_timeline import _event_sort_key, _timeline_parts
from vault.evidence.shown import snapshot_title
from vault.i18n import LANGUAGE_NAMES, _, ngettext


def _continued(command: str) -> list[str]:
    """A long command as two lines, broken before ``-n`` with the shell's ``\\`` (commands are
    printed as typed: a line break inside one would change it)."""
    head, sep, tail = command.partition(" -n ")
    return [f"{head} \\", f"    -n {tail}"] if sep else [command]


def _how_to_verify_html() -> str:
    cmd = _commands(_FALLBACK_BUNDLE_NAME)
    steps = [
        (
            _(
                "Get the vault's fingerprint, 30 digits, <b>from the defender</b> over a channel "
                "you trust (in person, or a call where you know their voice), never from this "
                "report or anything sent with the bundle."
            ),
            [],
        ),
        (
            _("Unzip the bundle (Windows: <code>Expand-Archive</code>)."),
            [cmd["unzip"], "cd bundle"],
        ),
        (
            _(
                "Recompute the 30 digits from the bundle's key file (Linux; for macOS and Windows "
                "see <code>{verify_txt}</code>). They must be exactly the defender's; if not, "
                "stop: the bundle is not from their vault."
            ).format(verify_txt=layout.VERIFY),
            digits_recipe("linux"),
        ),
        (
            _(
                "Check that every file is unchanged (macOS: <code>shasum -a 256 -c SHA256SUMS"
                "</code>; Windows: see VERIFY.txt). Every line must end in OK."
            ),
            [cmd["sha256sum"]],
        ),
        (
            _("Check the minisign signature with that key file (only after step 3 matched)."),
            [cmd["minisign"]],
        ),
        (
            _(
                "Check the OpenSSH signature (OpenSSH 8.1 or newer) after comparing the key's SSH "
                "fingerprint with the one the defender gave you."
            ),
            [cmd["keygen_l"], *_continued(cmd["ssh_verify"])],
        ),
        (
            _(
                "Or check everything with evault, typing the digits the defender gave you "
                "(without them evault says the signer is not confirmed):"
            ),
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
        "<p>"
        + _(
            "Anyone can check this bundle with free tools, without evault. The file "
            "<code>VERIFY.txt</code> in the bundle gives every step for Linux, macOS and Windows, "
            "and what each check proves. In short (Linux; replace <code>bundle.zip</code> with the "
            "file's name):"
        )
        + f"</p><ol>{items}</ol><p>"
        + _(
            "The signatures prove which key signed the bundle and that nothing in it changed "
            "since; the digits from the defender prove whose key that is. They do not prove who "
            "wrote a threat, or that a screenshot was genuine before it was added; times come "
            "from the clock of the defender's computer."
        )
        + "</p>"
    )


def _texts_words(texts: dict[str, str] | None, include_sensitive_text: bool) -> tuple[str, str]:
    """What the report shows of the evidence, said at the top; and the 'Message texts' row."""
    if texts is None:
        return (
            "<p>"
            + _(
                "This report is a readable summary, in text only: it shows no evidence content "
                "and no images. The files and the signatures are what can be checked."
            )
            + "</p>",
            "",
        )
    if include_sensitive_text:
        row = _(
            "printed with each message and note, including those marked sensitive: the person "
            "exporting chose to include them"
        )
    else:
        row = _(
            "printed with each message and note; texts marked sensitive are withheld (their "
            "files are in the bundle)"
        )
    return (
        "<p>"
        + _(
            "This report is a readable summary, in text only: it prints the text of each message "
            "and note, but shows no pictures and no other files. The files and the signatures are "
            "what can be checked; a text printed here is a copy of its file in "
            "<code>evidence/</code>."
        )
        + "</p>",
        row,
    )


def _other_languages(others: dict[str, str]) -> str:
    """The line that names the same report in other languages (``others``: language → file)."""
    if not others:
        return ""
    names = ", ".join(
        f'{_e(LANGUAGE_NAMES.get(lang, lang))} (<code lang="en">{_e(name)}</code>)'
        for lang, name in others.items()
    )
    return (
        '<p class="small">'
        + _("The same report in another language, in this bundle: {reports}.").format(reports=names)
        + "</p>"
    )


def report_html(
    manifest: dict[str, Any],
    events: Sequence[dict[str, Any]],
    *,
    texts: dict[str, str] | None = None,
    include_sensitive_text: bool = False,
    other_languages: dict[str, str] | None = None,
    proofs: dict[str, tuple[int, str, str]] | None = None,
    read_from_original: Collection[str] = frozenset(),
) -> bytes:
    """report.html whole (see :func:`report_html_parts`, which export streams)."""
    return b"".join(
        report_html_parts(
            manifest,
            events,
            texts=texts,
            include_sensitive_text=include_sensitive_text,
            other_languages=other_languages,
            proofs=proofs,
            read_from_original=read_from_original,
        )
    )


def report_html_parts(
    manifest: dict[str, Any],
    events: Sequence[dict[str, Any]],
    *,
    texts: dict[str, str] | None = None,
    include_sensitive_text: bool = False,
    other_languages: dict[str, str] | None = None,
    proofs: dict[str, tuple[int, str, str]] | None = None,
    read_from_original: Collection[str] = frozenset(),
) -> Iterator[bytes]:
    """report.html, in UTF-8 pieces made as they are taken: one per item and one per timeline
    row, so a report of thousands of items is never held whole in memory (issue 18). Take them
    all inside the same ``document_language`` as the call: the words are looked up as they go.

    What is in the bundle, who signed it, its timeline and how to verify it.

    Written in the current language (``vault.i18n.document_language``); ``other_languages``
    names the same report in the bundle's other languages (language → member name); ``proofs``
    the proof of time of each covered item (token number, time, authority);
    ``read_from_original`` the imported messages whose text in ``texts`` was read from their
    original record (``vault.imports.readable``), which the report says.
    ``texts`` maps item ids to the text of messages and notes, to print with each item (at most
    ``TEXT_LIMIT`` characters each); without it no text is printed. A text marked sensitive in
    the manifest is withheld unless ``include_sensitive_text``."""
    # The items may be a list or the writer's compact entries (vault.bundle.compact), which
    # make each dict again as it is read: so each pass below reads them one at a time.
    entries = as_sequence(manifest.get("items"))

    def items() -> Iterator[dict[str, Any]]:
        return (i for i in entries if isinstance(i, dict))

    shown: set[str] = set()
    numbers: dict[str, int] = {}
    withheld: set[str] = set()
    titles: dict[str, str] = {}
    count = 0
    for count, i in enumerate(items(), start=1):
        item_id = _s(i.get("id"))
        if (
            texts is not None
            and include_sensitive_text
            and _s(i.get("kind")) in TEXT_KINDS
            and item_id in texts
        ):
            shown.add(item_id)
        withheld |= withheld_ids([i], include_sensitive_text)
        if i.get("id"):
            numbers[item_id] = count
            # A title looks only at its own item's id in ``withheld``, added just above.
            titles[item_id] = _item_title(i, withheld)
    scope, texts_row = _texts_words(texts, include_sensitive_text)
    # The timeline's order, found in the same pass (a body may be made again each time it is read).
    keys = []
    for position, event in enumerate(events):
        keys.append(_event_sort_key((position, event)))  # ends with the position
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
    keys.sort()
    signer = _dict(manifest.get("signer"))
    custody = _dict(manifest.get("custody"))
    fingerprint = _s(signer.get("fingerprint"))
    case = _s(manifest.get("case")).strip()
    title = _("Evidence bundle — {case}").format(case=case) if case else _("Evidence bundle")
    head_seq = _or_dash(custody.get("head_seq"))
    head_hash = f'<span class="hash">{_or_dash(custody.get("head_hash"))}</span>'
    n_events = custody.get("events", len(events))
    custody_path = f"<code>{_e(custody.get('path') or layout.CUSTODY)}</code>"
    custody_row = ngettext(
        "{n} event in {path}; the newest event in the vault when the bundle was made was number "
        "{head} (hash {hash})",
        "{n} events in {path}; the newest event in the vault when the bundle was made was number "
        "{head} (hash {hash})",
        n_events if isinstance(n_events, int) else 2,
    ).format(n=_e(n_events), path=custody_path, head=head_seq, hash=head_hash)

    head = (
        f"<h1>{_e(title)}</h1>",
        _other_languages(other_languages or {}),
        "<p>"
        + _(
            "This report is part of an evidence bundle exported from <b>Evidence Vault</b> "
            "(evault), an offline, encrypted vault in which a human-rights defender keeps evidence "
            "such as screenshots, files and threatening messages. The bundle holds the original "
            "files exactly as they were stored, the record of everything that happened to them in "
            "the vault (the chain of custody), and two digital signatures made with the vault's "
            "key. Anyone can check with common free tools, without evault, that no file has "
            "changed since the bundle was made and which key signed it (see &ldquo;How to "
            "verify&rdquo; at the end)."
        )
        + "</p>",
        scope,
        '<div class="box"><p><b>' + _("Signer fingerprint, as this bundle claims it:") + "</b></p>"
        f'<p class="fingerprint">{_or_dash(fingerprint)}</p><p>'
        + _(
            "This report is part of the bundle, and whoever made the bundle wrote it: a forger "
            "would write the defender's digits here too. <b>Only your own check counts:</b> get "
            "the 30 digits from the defender over a channel you trust, then recompute them from "
            "the bundle's key file or run <code>evault verify</code> with them (&ldquo;How to "
            "verify&rdquo;, below). Until then, nothing here shows whose vault signed this bundle."
        )
        + "</p><p>"
        + _("SSH fingerprint the bundle claims: {fingerprint}").format(
            fingerprint=f'<span class="hash">{_or_dash(signer.get("ssh_fingerprint"))}</span>'
        )
        + "</p></div>",
        _field_rows(
            [
                (_("Bundle id"), f"<code>{_or_dash(manifest.get('bundle_id'))}</code>"),
                (
                    _("Created"),
                    _or_dash(_utc_words(manifest.get("created")))
                    + ' <span class="small">'
                    + _("(by the clock of the defender's computer)")
                    + "</span>",
                ),
                (_("Program"), _or_dash(manifest.get("program"))),
                (_("Case"), _or_dash(case)),
                (_("Note"), f'<span class="text">{_or_dash(manifest.get("note"))}</span>'),
                (_("Items"), _e(count)),
                *([(_("Message texts"), texts_row)] if texts_row else []),
                (_("Custody record"), custody_row),
            ]
        ),
        "<h2>" + _("Contents at a glance") + "</h2>",
        _summary(items(), shown, withheld),
        "<h2>" + _("The items") + "</h2>",
        "<p>"
        + _(
            "Each item's SHA-256 identifies its exact bytes: a file with a different SHA-256 is "
            "not the same file. Times marked UTC were recorded by the vault; &ldquo;when it "
            "happened&rdquo; is what the defender reported."
        )
        + (
            _(
                " A message's or note's text is printed as stored, except that invisible control "
                "and direction characters are shown as codes such as [U+202E]."
            )
            if texts is not None
            else ""
        )
        + (
            _(
                " An imported message's text is read from its original record, exactly as the "
                "platform exported it; that record is in the bundle too."
            )
            if texts is not None and read_from_original
            else ""
        )
        + "</p>",
    )
    # Each item's block is one part, made when its turn comes; the timeline is one part, in rows.
    items_html = (
        _item_block(n, i, numbers, texts, shown, withheld, proofs or {}, read_from_original)
        for n, i in enumerate(items(), start=1)
    )
    tail = (
        "<h2>" + _("Timeline (chain of custody)") + "</h2>",
        "<p>"
        + _(
            "Everything the vault recorded about these items, in time order. Each record is "
            "signed with the vault key and linked to the record before it; <code>evault "
            "verify</code> checks this. Records about items not in this bundle are left out, so "
            "numbers may skip."
        )
        + "</p>",
        _timeline_parts(events, numbers, titles, [key[-1] for key in keys]),
        "<h2>" + _("How to verify") + "</h2>",
        _how_to_verify_html(),
    )
    body: Iterator[str | Iterable[str]] = itertools.chain(head, items_html, tail)
    return _page_parts(title, body)
