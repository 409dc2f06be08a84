"""What more than one document needs: display text, escaping, the HTML page, and the commands.

The escaping rules of the package docstring live in one place (``_e`` shows hidden characters
before it escapes), so report.html and the certificate cannot drift apart. The commands are built
here because report.html shows a short form of the steps VERIFY.txt gives in full, and both must
name the same files and arguments. The helpers keep their leading underscore: they are private to
``vault.bundle.documents``, shared only by its modules.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

from vault.bundle import layout
from vault.i18n import N_, _, language, ngettext

UNKNOWN: Final = N_("unknown")

_UTC_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$")
# C0/C1 controls (but tab and newline), DEL, bidi embeddings/overrides/isolates/marks, separators.
_HIDDEN_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_FALLBACK_BUNDLE_NAME: Final = "bundle.zip"

# Print rules: nothing breaks inside a word or a number. Text wraps at spaces only; a word longer
# than a whole line (a long address or file name) breaks, and only then (``overflow-wrap:
# break-word``). Hashes alone may break anywhere (``.hash``); ``.machine`` and ``.path`` (long
# addresses, file names, paths) may too, where a line cannot hold them. Tables have a fixed
# layout, so a long value wraps inside its column instead of widening the table past the paper;
# the browser then never shrinks the page to fit. No page size is forced: A4 and Letter both work.
_STYLE: Final = """
@page { margin: 16mm 14mm; }
html { background: #fff; }
body { color: #000; background: #fff; margin: 1.5em auto; max-width: 62em; padding: 0 1em;
  font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 11pt;
  line-height: 1.4; overflow-wrap: break-word; word-break: normal; hyphens: manual; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 2px solid #000; }
h3 { font-size: 1.05em; margin: .9em 0 .25em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
table.fields, table.summary, table.timeline { table-layout: fixed; }
th, td { border: 1px solid #000; padding: .25em .45em; text-align: left; vertical-align: top; }
thead th { background: #eee; }
th.f { width: 11em; font-weight: bold; background: #f4f4f4; }
table.item-fields { font-size: .92em; line-height: 1.25; margin: 0 0 .3em; }
table.item-fields th, table.item-fields td { padding: .12em .4em; }
table.item-fields th.f { width: 10.6em; }
table.item-fields th.g { width: 7.4em; }  /* fits "Деликатный", "Получатель" whole */
table.summary, table.timeline { font-size: .92em; }
th.c-no { width: 2.4em; }
th.c-kind { width: 5.6em; }
th.c-when { width: 7.2em; }
th.c-from { width: 11em; }
th.c-item { width: 10em; }
th.c-reason { width: 9em; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  font-size: .95em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #000; padding: .5em;
  background: #f7f7f7; }
pre.cmd { white-space: pre; overflow-wrap: normal; font-size: .9em; }
.hash { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  word-break: break-all; overflow-wrap: anywhere; font-size: .9em; }
.machine, .path { overflow-wrap: anywhere; }
.text { white-space: pre-wrap; }
.message { margin: 0 0 .4em; }
.message p { margin: .1em 0; }
.msgtext { white-space: pre-wrap; unicode-bidi: isolate; border-left: 3px solid #000;
  padding: .1em 0 .1em .7em; margin: .2em 0 0; }
.msgtext bdi { unicode-bidi: isolate; }
.withheld { border: 1px dashed #000; padding: .3em .6em; margin: 0 0 .4em; }
.box { border: 3px solid #000; padding: .6em .9em; margin: 1em 0; }
.fingerprint { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  font-size: 1.6em; font-weight: bold; letter-spacing: .05em; overflow-wrap: normal;
  word-break: keep-all; }
.verdict { font-size: 2em; font-weight: bold; letter-spacing: .08em; }
.flag { font-weight: bold; border: 1px solid #000; padding: 0 .3em; display: inline-block;
  max-width: 100%; box-sizing: border-box; }
.small { font-size: .9em; }
.sign { margin-top: 3em; }
.sign td { border: none; border-bottom: 1px solid #000; height: 2.2em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .box, .item, pre, .withheld { break-inside: avoid; page-break-inside: avoid; }
  .item.long { break-inside: auto; page-break-inside: auto; }
  .item table { break-inside: avoid; page-break-inside: avoid; }
  .msgtext { orphans: 3; widows: 3; }
  thead { display: table-header-group; }
  thead th, th.f, pre { background: #fff; }
}
"""

_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'"


# ------------------------------------------------------------------------------ small helpers


def _s(value: Any) -> str:
    """A value as display text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _unknown() -> str:
    """'unknown' in the document's language."""
    return _(UNKNOWN)


def _number(value: int) -> str:
    """A whole number with the document language's thousands separator: 1,234,567 in English,
    "1 234 567" in Russian, "1.234.567" in Azerbaijani."""
    if language() == "en":
        return f"{value:,}"
    from babel.numbers import format_decimal  # noqa: PLC0415 - only for documents not in English

    from vault.i18n.dates import BABEL_LOCALES  # noqa: PLC0415

    return str(format_decimal(value, locale=BABEL_LOCALES.get(language(), "en_GB")))


def _decimal(value: float) -> str:
    """One decimal, with the document language's decimal sign (1.5 or 1,5)."""
    text = f"{value:.1f}"
    return text if language() == "en" else text.replace(".", ",")


def _visible(text: str) -> str:
    """Show hidden control and direction characters as ``[U+XXXX]`` rather than obeying them.

    Every character ``_HIDDEN_RE`` matches is one ``str.isprintable`` refuses (control, format
    and separator characters; tests/bundle/test_documents.py checks each), so a printable text
    has none: it is returned at C speed (a report of 20,000 items calls this a million times)."""
    if text.isprintable():
        return text
    return _HIDDEN_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _e(value: Any) -> str:
    """Escape for HTML text or a quoted attribute."""
    return html.escape(_visible(_s(value)), quote=True)


def _or_dash(value: Any) -> str:
    text = _s(value)
    return _e(text) if text.strip() else "—"


def _utc(value: Any) -> str:
    """``2026-11-29T11:33:41.123456Z`` → ``2026-11-29 11:33:41 UTC``; anything else as it is."""
    text = _s(value)
    match = _UTC_RE.match(text)
    if match:
        return f"{match.group(1)} {match.group(2)} UTC"
    return text


def _utc_words(value: Any) -> str:
    """A time a person reads (when the bundle was made or checked): in English as ``_utc`` shows
    it; in another language the day in its words with the zone, then the same ISO 8601 form in
    brackets, which a lawyer compares with custody.jsonl and file names
    ("7 dekabr 2026, 09:29:06 UTC (2026-12-07 09:29:06 UTC)")."""
    text = _s(value)
    if language() == "en" or not _UTC_RE.match(text):
        return _utc(value)
    from datetime import datetime  # noqa: PLC0415

    from vault.i18n.dates import date_time  # noqa: PLC0415 - Babel only when needed

    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _utc(value)
    return f"{date_time(when)} ({_utc(value)})"


def _size(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return _s(value) or _unknown()
    text = ngettext("{n} byte", "{n} bytes", value).format(n=_number(value))
    # TRANSLATORS: units of size (10^9, 10^6, 10^3 bytes), after a number: "1.5 MB"
    for unit, factor in ((N_("GB"), 10**9), (N_("MB"), 10**6), (N_("kB"), 10**3)):
        if value >= factor:
            shown_unit = _(unit)
            return f"{text} ({_decimal(value / factor)} {shown_unit})"
    return text


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _page(title: str, body: Iterable[str]) -> bytes:
    return b"".join(_page_parts(title, body))


def _page_parts(title: str, body: Iterable[str | Iterable[str]]) -> Iterator[bytes]:
    """The page in UTF-8 pieces, so a long report can go into its ZIP member piece by piece
    instead of being held whole (issue 18). Each part of ``body`` is a string, or the pieces of
    one (written one after the other); parts are separated by a newline, empty ones left out:
    the pieces joined are the bytes the page has always had."""
    yield (
        "<!DOCTYPE html>\n"
        f'<html lang="{language()}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
    ).encode()
    first = True
    for part in body:
        if isinstance(part, str):
            if not part:
                continue
            yield (part if first else "\n" + part).encode("utf-8")
        else:
            if not first:
                yield b"\n"
            for piece in part:
                yield piece.encode("utf-8")
        first = False
    yield b"\n</body>\n</html>\n"


def _field_rows(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; values are already HTML. Its layout is fixed, so a long value wraps
    in its cell and never widens the table past the paper."""
    cells = "".join(f'<tr><th class="f" scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="fields">{cells}</table>'


# ------------------------------------------------------------------------- commands (shared)


SSH_VERIFY_ARGS: Final = (
    f"-Y verify -f {{allowed}} -I {layout.PRINCIPAL} -n {layout.NAMESPACE} "
    f"-s {layout.SSHSIG} < {layout.SUMS}"
)


def _win(path: str) -> str:
    return path.replace("/", "\\")


# The 30 digits recomputed from keys/evault.pub with stock tools (docs/format.md §4): SHA-256 of
# the minisign key line, then each 10 hex digits (5 bytes) as a number modulo 100000. The same text
# is in docs/lawyers.md, where a test runs it on a real bundle.
DIGITS_SH: Final = (
    "h=$(sed -n 2p keys/evault.pub | tr -d '\\r\\n' | {sha} | cut -c1-60)",
    "for i in 1 11 21 31 41 51; do",
    "  printf '%05d\\n' $(( 0x$(printf %s \"$h\" | cut -c$i-$((i+9))) % 100000 ))",
    "done | paste -sd' ' -",
)
DIGITS_POWERSHELL: Final = (
    "$line = (Get-Content -LiteralPath keys\\evault.pub)[1].Trim()",
    "$sha = [Security.Cryptography.SHA256]::Create()",
    "$h = $sha.ComputeHash([Text.Encoding]::ASCII.GetBytes($line))",
    "$groups = foreach ($i in 0..5) {",
    "  $n = [uint64]0",
    "  foreach ($b in $h[(5*$i)..(5*$i+4)]) { $n = $n * 256 + $b }",
    "  '{0:D5}' -f ($n % 100000)",
    "}",
    "$groups -join ' '",
)


def digits_recipe(system: str) -> list[str]:
    """The recipe's lines for ``linux``, ``macos`` or ``windows`` (PowerShell)."""
    if system == "windows":
        return list(DIGITS_POWERSHELL)
    sha = "shasum -a 256" if system == "macos" else "sha256sum"
    return [line.format(sha=sha) if "{sha}" in line else line for line in DIGITS_SH]


def _commands(bundle: str) -> dict[str, str]:
    return {
        "unzip": f"unzip {bundle} -d bundle",
        "expand": f"Expand-Archive -LiteralPath {bundle} -DestinationPath bundle",
        "sha256sum": f"sha256sum -c {layout.SUMS}",
        "shasum": f"shasum -a 256 -c {layout.SUMS}",
        "keygen_l": f"ssh-keygen -l -f {layout.KEY_SSH}",
        "keygen_l_win": f"ssh-keygen -l -f {_win(layout.KEY_SSH)}",
        "minisign": f"minisign -Vm {layout.SUMS} -p {layout.KEY_MINISIGN}",
        "minisign_win": f"minisign -Vm {layout.SUMS} -p {_win(layout.KEY_MINISIGN)}",
        "ssh_verify": "ssh-keygen " + SSH_VERIFY_ARGS.format(allowed=layout.ALLOWED_SIGNERS),
        "ssh_verify_win": "ssh-keygen "
        + SSH_VERIFY_ARGS.format(allowed=_win(layout.ALLOWED_SIGNERS)),
        "evault": f'evault verify {bundle} --key "<fingerprint>"',
    }
