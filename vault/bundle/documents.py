"""The human-readable documents of a bundle: ``report.html``, ``VERIFY.txt`` and the certificate.

Pure functions from plain data (the parsed manifest, the custody event bodies, a verification
result) to bytes: no files, no clock, no network. Format: docs/format.md §6.

Rules for all three documents:

- HTML is self-contained UTF-8 with one inline ``<style>``: no scripts, no event-handler attributes,
  no links, images, frames or other resources, and a Content-Security-Policy ``<meta>`` that would
  block them anyway. Evidence content is never embedded; the documents are text *about* the files.
  A source URL of evidence is shown as plain text, never as a link.
- Every value that came from a person or from a bundle (titles, descriptions, names, URLs) is
  HTML-escaped. Control characters and bidirectional overrides are shown as ``[U+202E]`` instead of
  being obeyed, so a title cannot hide or reorder what a reader sees.
- Verdicts are written in words (PASSED / FAILED), never only by colour; pages are black on white
  and print on A4 or Letter.
- VERIFY.txt is ASCII only, with LF line endings (``\\n``) and lines of at most 100 characters.
  Notepad shows LF files correctly since Windows 10 (1809); every other editor always has. Any
  non-ASCII character of a value is replaced by ``?`` so the file reads the same everywhere.
- Fingerprints printed here are what the bundle *claims*. Both documents tell the reader to compare
  them with the fingerprint the defender read out, and the ``evault verify --key`` command is shown
  with a placeholder, never pre-filled from the bundle: a forged bundle would print its own key.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import textwrap
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from crypto import minisign
from crypto.errors import FormatError
from vault.bundle import layout

__all__ = ["certificate_html", "report_html", "verify_txt"]

SENSITIVE_MARK: Final = "sensitive — not previewed"
UNKNOWN: Final = "unknown"
MAX_TEXT_LINE: Final = 100

_UTC_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$")
# C0/C1 controls (but tab and newline), DEL, bidi embeddings/overrides/isolates/marks, separators.
_HIDDEN_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_SAFE_BUNDLE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,59}$")
_FALLBACK_BUNDLE_NAME: Final = "bundle.zip"

KIND_WORDS: Final = {
    "file": "file",
    "message": "message (text)",
    "note": "note written by the defender",
}

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
    "bundle.exported": "An evidence bundle was exported{bundle}.",
    "key.passphrase_changed": (
        "The vault passphrase was changed{slot}. The signing key stays the same."
    ),
    "key.recovery_replaced": (
        "The recovery key was replaced{slot}. The signing key stays the same."
    ),
    "key.keyfile_changed": "The key file was changed{slot}. The signing key stays the same.",
}

_STYLE: Final = """
@page { margin: 16mm 14mm; }
html { background: #fff; }
body { color: #000; background: #fff; margin: 1.5em auto; max-width: 62em; padding: 0 1em;
  font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 11pt;
  line-height: 1.4; }
h1 { font-size: 1.6em; margin: 0 0 .3em; }
h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 2px solid #000; }
h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #000; padding: .25em .45em; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
thead th { background: #eee; }
th.f { width: 13em; font-weight: bold; background: #f4f4f4; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  font-size: .95em; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #000; padding: .5em;
  background: #f7f7f7; }
.hash { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  word-break: break-all; overflow-wrap: anywhere; }
.text { white-space: pre-wrap; }
.box { border: 3px solid #000; padding: .6em .9em; margin: 1em 0; }
.fingerprint { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  font-size: 1.6em; font-weight: bold; letter-spacing: .05em; }
.verdict { font-size: 2em; font-weight: bold; letter-spacing: .08em; }
.flag { font-weight: bold; border: 1px solid #000; padding: 0 .3em; white-space: nowrap; }
.small { font-size: .9em; }
.sign { margin-top: 3em; }
.sign td { border: none; border-bottom: 1px solid #000; height: 2.2em; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .box, .item, pre { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  thead th, th.f, pre { background: #fff; }
  .item { break-before: auto; }
}
"""

_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'"


# ------------------------------------------------------------------------------ small helpers


def _s(value: Any) -> str:
    """A value as display text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _visible(text: str) -> str:
    """Show hidden control and direction characters as ``[U+XXXX]`` rather than obeying them."""
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


def _size(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return _s(value) or UNKNOWN
    text = f"{value:,} byte" if value == 1 else f"{value:,} bytes"
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if value >= factor:
            return f"{text} ({value / factor:.1f} {unit})"
    return text


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _occurred(meta: dict[str, Any]) -> str:
    """When it happened, as reported, with its time zone or 'unknown' (plain text)."""
    at = _s(meta.get("occurred_at")).strip()
    tz = _s(meta.get("occurred_tz")).strip() or UNKNOWN
    if not at or at == UNKNOWN:
        return UNKNOWN
    return f"{at} (time zone: {tz})"


def _sender(meta: dict[str, Any]) -> str:
    handle = _s(meta.get("sender_handle")).strip()
    sender_id = _s(meta.get("sender_id")).strip()
    if handle and sender_id:
        return f"{handle} (id: {sender_id})"
    if sender_id:
        return f"(id: {sender_id})"
    return handle


def _page(title: str, body: Iterable[str]) -> bytes:
    head = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
    )
    return (head + "\n".join(body) + "\n</body>\n</html>\n").encode("utf-8")


def _field_rows(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; values are already HTML."""
    cells = "".join(f'<tr><th class="f" scope="row">{_e(k)}</th><td>{v}</td></tr>' for k, v in rows)
    return f"<table>{cells}</table>"


# ------------------------------------------------------------------------- commands (shared)


def _minisign_key_line(public_key_b64: Any) -> str | None:
    """The second line of ``keys/evault.pub`` for this key (docs/format.md §6.3), or None."""
    try:
        return minisign.public_key_base64(base64.b64decode(_s(public_key_b64), validate=True))
    except (binascii.Error, ValueError, FormatError):
        return None


def _bundle_arg(bundle_name: str) -> tuple[str, bool]:
    """The bundle's file name for a command line, and whether it is the real name.

    A name a shell or PowerShell could misread (spaces, quotes, non-ASCII) is replaced by
    ``bundle.zip`` with a note, rather than quoted in three different ways.
    """
    if _SAFE_BUNDLE_NAME_RE.match(bundle_name):
        return bundle_name, True
    return _FALLBACK_BUNDLE_NAME, False


SSH_VERIFY_ARGS: Final = (
    f"-Y verify -f {{allowed}} -I {layout.PRINCIPAL} -n {layout.NAMESPACE} "
    f"-s {layout.SSHSIG} < {layout.SUMS}"
)


def _win(path: str) -> str:
    return path.replace("/", "\\")


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


def _split_command(command: str, continuation: str, indent: str = "    ") -> list[str]:
    """Break a long command before ``-n`` with a shell continuation (``\\`` or cmd's ``^``)."""
    if len(indent) + len(command) <= MAX_TEXT_LINE:
        return [indent + command]
    head, sep, tail = command.partition(" -n ")
    if not sep:
        return [indent + command]
    return [f"{indent}{head} {continuation}", f"{indent}    -n {tail}"]


# PowerShell: Get-FileHash each name in SHA256SUMS (names use "/"; Windows wants "\").
POWERSHELL_CHECK: Final = r"""$bad = 0
foreach ($line in Get-Content -LiteralPath SHA256SUMS) {
  if (-not $line) { continue }
  $want, $name = $line -split '  ', 2
  $file = $name -replace '/', '\'
  if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { "MISSING  $name"; $bad++; continue }
  $got = (Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash.ToLower()
  if ($got -eq $want) { "OK       $name" } else { "FAILED   $name"; $bad++ }
}
if ($bad -eq 0) { "All files match SHA256SUMS." } else { "$bad file(s) do NOT match." }"""


# ------------------------------------------------------------------------------- VERIFY.txt


def _ascii(value: Any) -> str:
    text = _visible(_s(value))
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


class _Text:
    """Lines of VERIFY.txt: wrapped paragraphs, indented commands, underlined headings."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def para(self, text: str, indent: str = "", hang: str | None = None) -> None:
        self.lines.extend(
            textwrap.wrap(
                text,
                MAX_TEXT_LINE,
                initial_indent=indent,
                subsequent_indent=indent if hang is None else hang,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )

    def bullets(self, *texts: str) -> None:
        for text in texts:
            self.para(text, "  - ", "    ")

    def code(self, *commands: str) -> None:
        self.lines.append("")
        self.lines.extend("    " + command for command in commands)
        self.lines.append("")

    def heading(self, text: str, underline: str = "-") -> None:
        self.lines += ["", "", text, underline * len(text)]

    def blank(self) -> None:
        self.lines.append("")

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines).strip("\n") + "\n"


def verify_txt(manifest: dict[str, Any], *, bundle_name: str = "bundle.zip") -> bytes:
    """VERIFY.txt: how a lawyer checks the bundle with independent tools, step by step.

    ASCII, LF line endings, lines of at most 100 characters (see the module docstring). A bundle
    name a shell could misread is replaced by ``bundle.zip`` in the commands, with a note.
    """
    signer = _dict(manifest.get("signer"))
    fingerprint = _ascii(signer.get("fingerprint")) or UNKNOWN
    ssh_fp = _ascii(signer.get("ssh_fingerprint")) or UNKNOWN
    key_line = _minisign_key_line(signer.get("public_key")) or UNKNOWN
    bundle_id = _ascii(manifest.get("bundle_id")) or UNKNOWN
    created = _ascii(manifest.get("created")) or UNKNOWN
    bundle, real_name = _bundle_arg(bundle_name)
    cmd = _commands(bundle)
    n_items = len(_list(manifest.get("items")))

    t = _Text()
    t.lines += ["HOW TO VERIFY THIS EVIDENCE BUNDLE", "=" * 34, ""]
    t.lines += [
        f"Bundle file:  {bundle}",
        "              (if the file was renamed, use its current name in the commands below)"
        if real_name
        else "              (a stand-in: type the bundle file's real name in the commands below)",
        f"Bundle id:    {bundle_id}",
        f"Created:      {created} (UTC, by the clock of the defender's computer)",
        f"Items:        {n_items}",
        "",
    ]
    t.para(
        "This bundle was exported from Evidence Vault (evault), an offline, encrypted vault in which "
        "a human-rights defender keeps evidence. It holds the original evidence files exactly as "
        "they were stored, the signed record of what happened to each of them (custody.jsonl), a "
        "readable report (report.html), and two digital signatures over the list of file hashes "
        "(SHA256SUMS). The steps below check it with free, independent tools: you need neither "
        "evault nor any trust in it. Steps 1 to 5 use only standard tools; step 6 does every check "
        "at once if you have evault."
    )
    t.blank()
    t.para(
        "Commands are typed in a terminal: Terminal on Linux and macOS; on Windows, PowerShell or "
        "Command Prompt as said at each step. Start in the folder that holds the bundle file."
    )
    t.blank()
    t.para(
        "If you received an encrypted file (ending in .age), decrypt it first with age "
        "(https://age-encryption.org). With a passphrase you received two files; the small one "
        "ends in .key.age: 'age -d -i bundle.key.age -o bundle.zip bundle.zip.age' asks for the "
        "passphrase. With your own age key: 'age -d -i YOUR-KEY-FILE -o bundle.zip bundle.zip.age'. "
        "Use the file names as you received them."
    )

    t.heading("STEP 1. Know which key signed it, and compare with the defender")
    t.para(
        "The defender should have given you, over a channel you trust (in person, or a phone call "
        "where you know their voice), the fingerprint of their vault. This bundle says it was "
        "signed by:"
    )
    t.lines += [
        "",
        f"    Fingerprint (evault):   {fingerprint}",
        f"    SSH fingerprint:        {ssh_fp}",
        f"    minisign public key:    {key_line}",
        "",
    ]
    t.para(
        "These values are printed by the bundle itself, and a forged bundle would print its own: "
        "they only mean something when they match what the defender gave you directly. evault "
        "checks the 30-digit fingerprint (step 6). Without evault, ask the defender for the SSH "
        "fingerprint as well (it can be read out), or for the minisign public key (better sent as "
        "text over a trusted messenger). Steps 4 and 5 show which key made each signature."
    )
    t.blank()
    t.para(
        "To see the SSH fingerprint of the key file in the bundle, run in the folder made in step 2 "
        "(Linux, macOS, and Windows 10 or later):"
    )
    t.code(cmd["keygen_l"])
    t.para("On Windows:")
    t.code(cmd["keygen_l_win"])
    t.para(
        "It prints a line like '256 SHA256:... (ED25519)'; the part starting with SHA256: is the "
        "SSH fingerprint. The second line of keys/evault.pub is the minisign public key."
    )

    t.heading("STEP 2. Unzip the bundle")
    t.para("Linux and macOS (Terminal):")
    t.code(cmd["unzip"], "cd bundle")
    t.para("Windows (PowerShell; the file name must end in .zip, rename it if it does not):")
    t.code(cmd["expand"], "cd bundle")
    t.para("All following commands are typed inside this 'bundle' folder.")

    t.heading("STEP 3. Check that every file is unchanged (SHA-256)")
    t.para("Linux:")
    t.code(cmd["sha256sum"])
    t.para("macOS:")
    t.code(cmd["shasum"])
    t.para(
        "Every line must end in OK. A line ending in FAILED means that file is not the file that "
        "was signed; 'No such file' means it is missing."
    )
    t.blank()
    t.para(
        "Windows (PowerShell): paste these lines into PowerShell as they are. SHA256SUMS writes "
        "folder names with '/', so the script turns them into '\\' before hashing:"
    )
    t.code(*POWERSHELL_CHECK.splitlines())
    t.para(
        "Every line must start with OK. These tools check the files listed in SHA256SUMS; they do "
        "not notice a file added to the folder. evault verify (step 6) does."
    )

    t.heading("STEP 4. Check the minisign signature of SHA256SUMS")
    t.para(
        "minisign is free for Linux, macOS and Windows (https://jedisct1.github.io/minisign/). "
        "Linux and macOS:"
    )
    t.code(cmd["minisign"])
    t.para("Windows:")
    t.code(cmd["minisign_win"])
    t.para(
        "It must print 'Signature and comment signature verified' and a trusted comment of the "
        "form 'evault bundle <bundle id> created <time> signer <fingerprint without spaces>', here:"
    )
    t.lines += [
        "",
        f"    bundle id:   {bundle_id}",
        f"    created:     {created}",
        f"    signer:      {fingerprint.replace(' ', '')}",
        "",
    ]
    t.para(
        "The comment is written by whoever signed, so what counts is the key: keys/evault.pub "
        "must hold the minisign public key the defender gave you (its second line). If you have "
        "that key, you can check against it directly instead of the key file in the bundle:"
    )
    t.code(f"minisign -Vm {layout.SUMS} -P <minisign public key>")
    t.para(
        "SHA256SUMS holds the hash of every other file, so this signature together with step 3 "
        "covers every file in the bundle."
    )

    t.heading("STEP 5. Check the OpenSSH signature of SHA256SUMS")
    t.para("Linux and macOS (OpenSSH 8.1 or newer; one command over two lines):")
    t.blank()
    t.lines += _split_command(cmd["ssh_verify"], "\\")
    t.blank()
    t.para(
        "Windows: type it in Command Prompt (cmd.exe), not PowerShell, which has no '<' (in "
        "PowerShell, type cmd first). Windows 10 and 11 include ssh-keygen (OpenSSH Client)."
    )
    t.blank()
    t.lines += _split_command(cmd["ssh_verify_win"], "^")
    t.blank()
    t.para(
        f'It must print \'Good "{layout.NAMESPACE}" signature for {layout.PRINCIPAL} with '
        "ED25519 key SHA256:...'. The SHA256:... part names the key that made the signature: it "
        "must be the SSH fingerprint the defender gave you."
    )

    t.heading("STEP 6. Check everything with evault (optional)")
    t.para("If you have evault, one command does all of the above and more:")
    t.code(cmd["evault"])
    t.para(
        "Replace <fingerprint> with the 30 digits the defender gave you, NOT with the value "
        "printed in this file. evault checks both signatures, every file's hash, that no file is "
        "missing or added, that the manifest and the custody record agree with the files, and the "
        "signature of every custody record. It says in plain words what passed and what failed, "
        "item by item. For an encrypted bundle: evault verify bundle.zip.age --identity "
        "bundle.key.age (or your own age key file)."
    )

    t.heading("WHAT THESE CHECKS PROVE, AND WHAT THEY DO NOT")
    t.para("If every step passes and the key is the one the defender gave you, they prove that:")
    t.bullets(
        "every file in the bundle is exactly, byte for byte, as it was when the bundle was made: "
        "a single changed byte makes steps 3 to 6 fail;",
        "the bundle was signed with the key of the defender's vault, so whoever exported it had "
        "that vault open, and nothing in the bundle has changed since;",
        "according to the vault's signed custody record, each evidence file has had the same "
        "SHA-256 since it was added to the vault (the 'added' time in report.html).",
    )
    t.blank()
    t.para("They do not prove:")
    t.bullets(
        "who wrote a threat or who is behind an account: the vault records what the defender "
        "collected, not who made it;",
        "that a screenshot, recording or file was genuine before it was added to the vault: the "
        "vault shows it has not changed since then;",
        "that the times are right: they come from the clock of the defender's computer (the "
        "vault's record never goes backwards in time, and notes when the clock seemed wrong), and "
        "'when it happened' is what the defender reported;",
        "which person signed: a signature shows which key was used; it is the defender giving you "
        "the fingerprint that links the key to them.",
    )
    t.blank()
    t.para(
        "report.html is a readable summary made by evault. It is covered by the signatures, but "
        "the files themselves, SHA256SUMS and the signatures are what can be checked."
    )
    return t.text().encode("ascii", "replace")


# ------------------------------------------------------------------------------ report.html


def _item_title(item: dict[str, Any]) -> str:
    return _s(_dict(item.get("metadata")).get("title"))


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
        "<table><thead><tr><th>No.</th><th>Time (UTC)</th><th>What happened</th><th>Item</th>"
        "<th>Reason given</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


def _item_block(number: int, item: dict[str, Any], numbers: dict[str, int]) -> str:
    meta = _dict(item.get("metadata"))
    title = _item_title(item)
    sensitive = meta.get("sensitive") is True
    kind = _s(item.get("kind"))
    parent = _s(meta.get("parent_id")).strip()
    if parent:
        parent_html = f"item {numbers[parent]}" if parent in numbers else _e(parent)
    else:
        parent_html = "—"
    tags = ", ".join(_s(t) for t in _list(meta.get("tags")))
    rows: list[tuple[str, str]] = [
        ("Kind", _e(KIND_WORDS.get(kind, kind) or UNKNOWN)),
        ("When it happened", _e(_occurred(meta)) + ' <span class="small">(as reported)</span>'),
        ("Added to the vault", _or_dash(_utc(meta.get("captured_at")))),
        ("Platform", _or_dash(meta.get("platform"))),
        ("Sender", _or_dash(_sender(meta))),
        ("Source address", _or_dash(meta.get("source_url"))),
        ("Original file name", _or_dash(meta.get("original_filename"))),
        ("Media type", _or_dash(item.get("media_type") or meta.get("media_type"))),
        ("Size", _e(_size(item.get("size")))),
        ("File in bundle", f"<code>{_or_dash(item.get('path'))}</code>"),
    ]
    if _s(item.get("text_path")).strip():
        rows.append(("Readable copy", f"<code>{_e(item.get('text_path'))}</code> (derived)"))
    rows.append(("SHA-256", f'<span class="hash">{_or_dash(item.get("sha256"))}</span>'))
    message = _dict(meta.get("message"))
    if message:
        sent = _s(message.get("sent_at")).strip()
        sent_tz = _s(message.get("sent_tz")).strip() or UNKNOWN
        rows.append(("Message sent", _e(f"{sent} (time zone: {sent_tz})") if sent else UNKNOWN))
        rows.append(("Recipient", _or_dash(message.get("recipient"))))
        if _s(message.get("thread")).strip():
            rows.append(("Conversation", _e(message.get("thread"))))
    rows += [
        ("Description", f'<span class="text">{_or_dash(meta.get("description"))}</span>'),
        ("Case", _or_dash(meta.get("case"))),
        ("Tags", _or_dash(tags)),
        ("Derived from", parent_html),
        ("Sensitive", f'<span class="flag">{_e(SENSITIVE_MARK)}</span>' if sensitive else "no"),
        ("Item id", f"<code>{_or_dash(item.get('id'))}</code>"),
    ]
    flag = f' <span class="flag">{_e(SENSITIVE_MARK)}</span>' if sensitive else ""
    heading = f"Item {number}: {_e(title) if title.strip() else '(no title)'}{flag}"
    return f'<div class="item"><h3>{heading}</h3>{_field_rows(rows)}</div>'


def _summary(items: list[dict[str, Any]]) -> str:
    rows = []
    for number, item in enumerate(items, start=1):
        meta = _dict(item.get("metadata"))
        title = _item_title(item)
        flag = (
            f' <span class="flag">{_e(SENSITIVE_MARK)}</span>'
            if meta.get("sensitive") is True
            else ""
        )
        kind = _s(item.get("kind"))
        rows.append(
            f"<tr><td>{number}</td><td>{_or_dash(title)}{flag}</td>"
            f"<td>{_e(KIND_WORDS.get(kind, kind))}</td><td>{_e(_occurred(meta))}</td>"
            f"<td>{_or_dash(_utc(meta.get('captured_at')))}</td><td>{_or_dash(meta.get('platform'))}</td>"
            f"<td>{_or_dash(_sender(meta))}</td><td>{_e(_size(item.get('size')))}</td></tr>"
        )
    if not rows:
        return "<p>This bundle holds no items.</p>"
    return (
        "<table><thead><tr><th>No.</th><th>Title</th><th>Kind</th><th>When it happened</th>"
        "<th>Added (UTC)</th><th>Platform</th><th>Sender</th><th>Size</th></tr></thead>"
        "<tbody>" + "".join(rows) + "</tbody></table>"
    )


def _how_to_verify_html() -> str:
    cmd = _commands(_FALLBACK_BUNDLE_NAME)
    steps = [
        (
            "Compare the signer fingerprint above with the one the defender read out to you. "
            "Without evault, ask for the SSH fingerprint too and compare it with the output of",
            [cmd["keygen_l"]],
        ),
        ("Unzip the bundle (Windows: <code>Expand-Archive</code>).", [cmd["unzip"], "cd bundle"]),
        (
            "Check that every file is unchanged (macOS: <code>shasum -a 256 -c SHA256SUMS</code>; "
            "Windows: see VERIFY.txt). Every line must end in OK.",
            [cmd["sha256sum"]],
        ),
        (
            "Check the minisign signature. The second line of <code>keys/evault.pub</code> must "
            "be the minisign public key of the defender.",
            [cmd["minisign"]],
        ),
        (
            "Check the OpenSSH signature (OpenSSH 8.1 or newer). The <code>SHA256:</code> key it "
            "names must be the SSH fingerprint the defender gave you.",
            [cmd["ssh_verify"]],
        ),
        (
            "Or check everything with evault, typing the fingerprint the defender gave you, not the "
            "one printed in this report:",
            [cmd["evault"]],
        ),
    ]
    items = "".join(
        f"<li>{words}<pre>{_e(chr(10).join(lines))}</pre></li>" for words, lines in steps
    )
    return (
        "<p>Anyone can check this bundle with free tools, without evault. The file "
        "<code>VERIFY.txt</code> in the bundle gives every step for Linux, macOS and Windows, and "
        "what each check proves. In short (Linux; replace <code>bundle.zip</code> with the file's "
        f"name):</p><ol>{items}</ol>"
        "<p>The signatures prove which key signed the bundle and that nothing in it changed since. "
        "They do not prove who wrote a threat, or that a screenshot was genuine before it was "
        "added; times come from the clock of the defender's computer.</p>"
    )


def report_html(manifest: dict[str, Any], events: list[dict[str, Any]]) -> bytes:
    """report.html: what is in the bundle, who signed it, its timeline and how to verify it."""
    items = [i for i in _list(manifest.get("items")) if isinstance(i, dict)]
    numbers = {_s(i.get("id")): n for n, i in enumerate(items, start=1) if i.get("id")}
    titles = {_s(i.get("id")): _item_title(i) for i in items if i.get("id")}
    for event in events:
        # Titles of items known only from the log (e.g. a deletion) come from their snapshot.
        item_id = _s(_dict(event.get("item")).get("id"))
        snapshot = _dict(_dict(event.get("details")).get("metadata"))
        if item_id and not titles.get(item_id, "").strip() and _s(snapshot.get("title")).strip():
            titles[item_id] = _s(snapshot.get("title"))
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
        "<p>This report is a readable summary, in text only: it shows no evidence content and no "
        "images. The files and the signatures are what can be checked.</p>",
        '<div class="box"><p><b>Signer fingerprint</b> (the vault key that signed this bundle):</p>'
        f'<p class="fingerprint">{_or_dash(fingerprint)}</p>'
        "<p><b>Compare it with the fingerprint the defender read out to you</b> over a channel you "
        "trust (in person, or a call where you know their voice). If it differs, this bundle was "
        "not signed by their vault: do not rely on it. A forged bundle would show its own "
        "fingerprint here, so only the comparison counts.</p>"
        f'<p>SSH fingerprint of the same key: <span class="hash">'
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
        _summary(items),
        "<h2>The items</h2>",
        "<p>Each item's SHA-256 identifies its exact bytes: a file with a different SHA-256 is not "
        "the same file. Times marked UTC were recorded by the vault; &ldquo;when it happened&rdquo; is "
        "what the defender reported.</p>",
        *(_item_block(n, i, numbers) for n, i in enumerate(items, start=1)),
        "<h2>Timeline (chain of custody)</h2>",
        "<p>Everything the vault recorded about these items, in time order. Each record is signed "
        "with the vault key and linked to the record before it; <code>evault verify</code> checks "
        "this. Records about items not in this bundle are left out, so numbers may skip.</p>",
        _timeline(events, numbers, titles),
        "<h2>How to verify</h2>",
        _how_to_verify_html(),
    ]
    return _page(title, body)


# ---------------------------------------------------------------------------- certificate


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


def certificate_html(result: dict[str, Any]) -> bytes:
    """A printable verification certificate for the result of ``evault verify``.

    The verdict is PASSED only when ``result["ok"]`` is True, no check or item failed and the key
    did not mismatch: a contradictory result fails closed.
    """
    checks = [ch for ch in _list(result.get("checks")) if isinstance(ch, dict)]
    items = [it for it in _list(result.get("items")) if isinstance(it, dict)]
    key_expected = result.get("key_expected")
    key_matched = result.get("key_matched")
    passed = (
        result.get("ok") is True
        and key_matched is not False
        and all(ch.get("ok") is True for ch in checks)
        and all(it.get("ok") is True for it in items)
    )
    verdict = _word(passed)
    failed_checks = [ch for ch in checks if ch.get("ok") is not True]
    failed_items = [it for it in items if it.get("ok") is not True]

    if passed:
        meaning = (
            "Every check passed: every file in the bundle is exactly as it was when the bundle was "
            "signed, and the signatures were made with the key shown below."
        )
        if key_matched is True:
            meaning += " That key is the one the person who checked was told to expect."
        else:
            meaning += (
                " No expected key was given, so the signer was <b>not</b> compared with the key "
                "of the defender: compare the fingerprint below with the one they read out."
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
                    "Signer fingerprint",
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
        "<p>A PASSED result shows that the files are exactly those that were signed, and which key "
        "signed them. It does not show who wrote a threat, that a screenshot was genuine before it "
        "was added to the vault, or that the defender's computer clock was right. Anyone can "
        "repeat these checks with free tools, following <code>VERIFY.txt</code> in the bundle; "
        "the SHA-256 above identifies the exact bundle file that was checked.</p>",
        '<table class="sign"><tr><th class="f">Checked by (name)</th><td></td></tr>'
        '<tr><th class="f">Signature</th><td></td></tr>'
        '<tr><th class="f">Date</th><td></td></tr></table>',
    ]
    return _page(f"Verification certificate — {verdict}", body)
