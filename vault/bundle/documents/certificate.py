"""The verification certificate: the result of ``evault verify`` as a page to print, sign and file.

It repeats what was checked, item by item, and fails closed: a result that contradicts itself
(``ok`` set but a check failed, or the key did not match) prints FAILED, never PASSED.
"""

from __future__ import annotations

from typing import Any

from vault.bundle.documents.common import (
    _e,
    _field_rows,
    _list,
    _or_dash,
    _page,
    _s,
    _size,
    _utc_words,
)
from vault.bundle.said import shown as _said
from vault.i18n import N_, _


def _word(ok: Any) -> str:
    # TRANSLATORS: the verdict of one check or of the whole certificate, in capitals
    return _("PASSED") if ok is True else _("FAILED")


def _optional_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for what ``evault verify`` reports beyond the required fields, when present."""
    rows = []
    if _s(result.get("signer_ssh_fingerprint")).strip():
        ssh = f'<span class="hash">{_e(result.get("signer_ssh_fingerprint"))}</span>'
        rows.append((_("SSH fingerprint"), ssh))
    if _s(result.get("bundle_id")).strip():
        rows.append((_("Bundle id"), f"<code>{_e(result.get('bundle_id'))}</code>"))
    if _s(result.get("created")).strip():
        rows.append((_("Bundle created"), _e(_utc_words(result.get("created")))))
    if _s(result.get("case")).strip():
        rows.append((_("Case"), _e(result.get("case"))))
    return rows


def _head_row(headings: list[str]) -> str:
    """The start of a table with these column headings (already in the document's language)."""
    cells = "".join(f"<th>{_e(h)}</th>" for h in headings)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>"


SIGNER_NOT_CONFIRMED = N_("FILES INTACT — SIGNER NOT CONFIRMED")


def certificate_html(result: dict[str, Any]) -> bytes:
    """A printable verification certificate for the result of ``evault verify``.

    The verdict is PASSED only when ``result["ok"]`` is True, no check or item failed and the signer
    matched the key the checker was given; a contradictory result fails closed. Intact files whose
    signer was never compared with the defender's key are not PASSED: a forger's own bundle looks
    exactly like that (``SIGNER NOT CONFIRMED``).
    """
    checks = [ch for ch in _list(result.get("checks")) if isinstance(ch, dict)]
    items = [it for it in _list(result.get("items")) if isinstance(it, dict)]
    key_expected = result.get("key_expected")
    key_matched = result.get("key_matched")
    intact = all(ch.get("ok") is True for ch in checks) and all(
        it.get("ok") is True for it in items
    )
    passed = result.get("ok") is True and key_matched is True and intact
    unconfirmed = not passed and intact and key_matched is None and bool(checks)
    verdict = _(SIGNER_NOT_CONFIRMED) if unconfirmed else _word(passed)
    failed_checks = [ch for ch in checks if ch.get("ok") is not True]
    failed_items = [it for it in items if it.get("ok") is not True]

    if passed:
        meaning = _(
            "Every check passed: every file in the bundle is exactly as it was when the bundle was "
            "signed, and it was signed by the key the person who checked was told to expect (the "
            "fingerprint the defender gave them)."
        )
    elif unconfirmed:
        meaning = _(
            "Every check on the files passed, but <b>the signer was not compared</b> with the "
            "defender's fingerprint, so this bundle is <b>not verified</b>: anyone can make a "
            "bundle that passes these checks, signed with their own key. Compare the signer "
            "fingerprint below with the digits the defender gave over a channel you trust, or "
            'check again with <code>evault verify FILE --key "…"</code>.'
        )
    else:
        meaning = _(
            "At least one check failed: this bundle cannot be relied on as it is. The problems "
            "found are listed below."
        )

    if key_expected is None or not _s(key_expected).strip():
        key_html = _("No expected key was given; the signer was not compared with one.")
    elif key_matched is True:
        key_html = _("Expected {key}: <b>matched</b>.").format(
            key=f"<code>{_e(key_expected)}</code>"
        )
    elif key_matched is None:
        key_html = _("Expected {key}: <b>not compared</b>.").format(
            key=f"<code>{_e(key_expected)}</code>"
        )
    else:
        key_html = _("Expected {key}: <b>did NOT match</b>.").format(
            key=f"<code>{_e(key_expected)}</code>"
        )

    problems: list[str] = []
    for ch in failed_checks:
        problems.append(
            "<li>"
            + _("Check &ldquo;{name}&rdquo;: {detail}").format(
                name=_e(_said(ch.get("name"))), detail=_or_dash(_said(ch.get("detail")))
            )
            + "</li>"
        )
    if key_matched is False and not failed_checks:
        problems.append("<li>" + _("The signer key is not the expected key.") + "</li>")
    for it in failed_items:
        found = "; ".join(_said(p) for p in _list(it.get("problems"))) or _("failed")
        problems.append(
            "<li>"
            + _("Item {path} ({title}): {problems}").format(
                path=f"<code>{_or_dash(it.get('path'))}</code>",
                title=_or_dash(it.get("title")),
                problems=_e(found),
            )
            + "</li>"
        )
    if not passed and not problems:
        problems.append("<li>" + _("The verification did not report success.") + "</li>")

    check_rows = "".join(
        f"<tr><td>{_or_dash(_said(ch.get('name')))}</td><td><b>{_word(ch.get('ok'))}</b></td>"
        f'<td class="text">{_or_dash(_said(ch.get("detail")))}</td></tr>'
        for ch in checks
    )
    item_rows = []
    for n, it in enumerate(items, start=1):
        found = "; ".join(_said(p) for p in _list(it.get("problems")))
        item_rows.append(
            f"<tr><td>{n}</td><td>{_or_dash(it.get('title'))}<br><code>{_or_dash(it.get('path'))}"
            f"</code></td><td>{_e(_size(it.get('size')))}</td>"
            f'<td><span class="hash">{_or_dash(it.get("sha256"))}</span></td>'
            f"<td><b>{_word(it.get('ok'))}</b></td><td>{_or_dash(found)}</td></tr>"
        )

    body = [
        "<h1>" + _("Evidence bundle verification certificate") + "</h1>",
        '<div class="box"><p>'
        + _("Result: {verdict}").format(verdict=f'<span class="verdict">{verdict}</span>')
        + f"</p><p>{meaning}</p></div>",
        _field_rows(
            [
                (_("Bundle file"), _or_dash(result.get("bundle_name"))),
                (
                    _("SHA-256 of the bundle file"),
                    f'<span class="hash">{_or_dash(result.get("bundle_sha256"))}</span>',
                ),
                (
                    _("Checked at"),
                    _or_dash(_utc_words(result.get("checked_at")))
                    + ' <span class="small">'
                    + _("(by the clock of the computer that checked)")
                    + "</span>",
                ),
                (
                    _("Checked with"),
                    _("{tool} version {version}").format(
                        tool=_or_dash(result.get("tool")),
                        version=_or_dash(result.get("tool_version")),
                    ),
                ),
                (
                    _("Signer fingerprint (of the key that signed the bundle)"),
                    f'<span class="fingerprint">{_or_dash(result.get("signer_fingerprint"))}</span>',
                ),
                (_("Expected key"), key_html),
                *_optional_rows(result),
            ]
        ),
    ]
    if problems:
        body += ["<h2>" + _("Problems found") + "</h2>", "<ul>" + "".join(problems) + "</ul>"]
    # TRANSLATORS: column headings of the certificate's tables
    body += [
        "<h2>" + _("What was checked") + "</h2>",
        _head_row([_("Check"), _("Result"), _("Details")])
        + (check_rows or '<tr><td colspan="3">' + _("No checks were reported.") + "</td></tr>")
        + "</tbody></table>",
        "<h2>" + _("The items") + "</h2>",
        "<p>" + _("Titles and file names are those written in the bundle.") + "</p>",
        _head_row([_("No."), _("Item and file"), _("Size"), "SHA-256", _("Result"), _("Problems")])
        + (
            "".join(item_rows)
            or '<tr><td colspan="6">' + _("No items were reported.") + "</td></tr>"
        )
        + "</tbody></table>",
        "<h2>" + _("What this means") + "</h2>",
        "<p>"
        + _(
            "A PASSED result shows that the files are exactly those that were signed, and that "
            "the key that signed them is the one the checker was given by the defender. It does "
            "not show who wrote a threat, that a screenshot was genuine before it was added to the "
            "vault, or that the defender's computer clock was right. Anyone can repeat these "
            "checks with free tools, following <code>VERIFY.txt</code> in the bundle; the SHA-256 "
            "above identifies the exact bundle file that was checked."
        )
        + "</p>",
        '<table class="sign"><tr><th class="f">'
        + _("Checked by (name)")
        + '</th><td></td></tr><tr><th class="f">'
        + _("Signature")
        + '</th><td></td></tr><tr><th class="f">'
        + _("Date")
        + "</th><td></td></tr></table>",
    ]
    return _page(_("Verification certificate — {verdict}").format(verdict=verdict), body)
