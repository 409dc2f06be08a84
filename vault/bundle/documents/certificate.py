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
    _utc,
)


def _word(ok: Any) -> str:
    return "PASSED" if ok is True else "FAILED"


def _optional_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Rows for what ``evault verify`` reports beyond the required fields, when present."""
    rows = []
    if _s(result.get("signer_ssh_fingerprint")).strip():
        ssh = f'<span class="hash">{_e(result.get("signer_ssh_fingerprint"))}</span>'
        rows.append(("SSH fingerprint", ssh))
    if _s(result.get("bundle_id")).strip():
        rows.append(("Bundle id", f"<code>{_e(result.get('bundle_id'))}</code>"))
    if _s(result.get("created")).strip():
        rows.append(("Bundle created", _e(_utc(result.get("created")))))
    if _s(result.get("case")).strip():
        rows.append(("Case", _e(result.get("case"))))
    return rows


SIGNER_NOT_CONFIRMED = "FILES INTACT — SIGNER NOT CONFIRMED"


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
    verdict = SIGNER_NOT_CONFIRMED if unconfirmed else _word(passed)
    failed_checks = [ch for ch in checks if ch.get("ok") is not True]
    failed_items = [it for it in items if it.get("ok") is not True]

    if passed:
        meaning = (
            "Every check passed: every file in the bundle is exactly as it was when the bundle was "
            "signed, and it was signed by the key the person who checked was told to expect (the "
            "fingerprint the defender gave them)."
        )
    elif unconfirmed:
        meaning = (
            "Every check on the files passed, but <b>the signer was not compared</b> with the "
            "defender's fingerprint, so this bundle is <b>not verified</b>: anyone can make a "
            "bundle that passes these checks, signed with their own key. Compare the signer "
            "fingerprint below with the digits the defender gave over a channel you trust, or "
            'check again with <code>evault verify FILE --key "…"</code>.'
        )
    else:
        meaning = (
            "At least one check failed: this bundle cannot be relied on as it is. The problems "
            "found are listed below."
        )

    if key_expected is None or not _s(key_expected).strip():
        key_html = "No expected key was given; the signer was not compared with one."
    elif key_matched is True:
        key_html = f"Expected <code>{_e(key_expected)}</code>: <b>matched</b>."
    elif key_matched is None:
        key_html = f"Expected <code>{_e(key_expected)}</code>: <b>not compared</b>."
    else:
        key_html = f"Expected <code>{_e(key_expected)}</code>: <b>did NOT match</b>."

    problems: list[str] = []
    for ch in failed_checks:
        problems.append(
            f"<li>Check &ldquo;{_e(ch.get('name'))}&rdquo;: {_or_dash(ch.get('detail'))}</li>"
        )
    if key_matched is False and not failed_checks:
        problems.append("<li>The signer key is not the expected key.</li>")
    for it in failed_items:
        found = "; ".join(_s(p) for p in _list(it.get("problems"))) or "failed"
        problems.append(
            f"<li>Item <code>{_or_dash(it.get('path'))}</code> "
            f"({_or_dash(it.get('title'))}): {_e(found)}</li>"
        )
    if not passed and not problems:
        problems.append("<li>The verification did not report success.</li>")

    check_rows = "".join(
        f"<tr><td>{_or_dash(ch.get('name'))}</td><td><b>{_word(ch.get('ok'))}</b></td>"
        f'<td class="text">{_or_dash(ch.get("detail"))}</td></tr>'
        for ch in checks
    )
    item_rows = []
    for n, it in enumerate(items, start=1):
        found = "; ".join(_s(p) for p in _list(it.get("problems")))
        item_rows.append(
            f"<tr><td>{n}</td><td>{_or_dash(it.get('title'))}<br><code>{_or_dash(it.get('path'))}"
            f"</code></td><td>{_e(_size(it.get('size')))}</td>"
            f'<td><span class="hash">{_or_dash(it.get("sha256"))}</span></td>'
            f"<td><b>{_word(it.get('ok'))}</b></td><td>{_or_dash(found)}</td></tr>"
        )

    body = [
        "<h1>Evidence bundle verification certificate</h1>",
        f'<div class="box"><p>Result: <span class="verdict">{verdict}</span></p><p>{meaning}</p></div>',
        _field_rows(
            [
                ("Bundle file", _or_dash(result.get("bundle_name"))),
                (
                    "SHA-256 of the bundle file",
                    f'<span class="hash">{_or_dash(result.get("bundle_sha256"))}</span>',
                ),
                (
                    "Checked at",
                    _or_dash(_utc(result.get("checked_at")))
                    + ' <span class="small">(by the clock of the computer that checked)</span>',
                ),
                (
                    "Checked with",
                    f"{_or_dash(result.get('tool'))} version {_or_dash(result.get('tool_version'))}",
                ),
                (
                    "Signer fingerprint (of the key that signed the bundle)",
                    f'<span class="fingerprint">{_or_dash(result.get("signer_fingerprint"))}</span>',
                ),
                ("Expected key", key_html),
                *_optional_rows(result),
            ]
        ),
    ]
    if problems:
        body += ["<h2>Problems found</h2>", "<ul>" + "".join(problems) + "</ul>"]
    body += [
        "<h2>What was checked</h2>",
        "<table><thead><tr><th>Check</th><th>Result</th><th>Details</th></tr></thead><tbody>"
        + (check_rows or '<tr><td colspan="3">No checks were reported.</td></tr>')
        + "</tbody></table>",
        "<h2>The items</h2>",
        "<p>Titles and file names are those written in the bundle.</p>",
        "<table><thead><tr><th>No.</th><th>Item and file</th><th>Size</th><th>SHA-256</th>"
        "<th>Result</th><th>Problems</th></tr></thead><tbody>"
        + ("".join(item_rows) or '<tr><td colspan="6">No items were reported.</td></tr>')
        + "</tbody></table>",
        "<h2>What this means</h2>",
        "<p>A PASSED result shows that the files are exactly those that were signed, and that the key "
        "that signed them is the one the checker was given by the defender. It does not show who wrote a threat, that a screenshot was genuine before it "
        "was added to the vault, or that the defender's computer clock was right. Anyone can "
        "repeat these checks with free tools, following <code>VERIFY.txt</code> in the bundle; "
        "the SHA-256 above identifies the exact bundle file that was checked.</p>",
        '<table class="sign"><tr><th class="f">Checked by (name)</th><td></td></tr>'
        '<tr><th class="f">Signature</th><td></td></tr>'
        '<tr><th class="f">Date</th><td></td></tr></table>',
    ]
    return _page(f"Verification certificate — {verdict}", body)
