"""VERIFY.txt: how a lawyer checks a bundle step by step with free, independent tools.

Unzip, sha256sum (or shasum, or a PowerShell script), minisign and ssh-keygen, then optionally
``evault verify``: the lawyer needs neither evault nor any trust in it. ASCII only, LF line endings
and lines of at most 100 characters, so it reads the same in any editor (package docstring).
"""

from __future__ import annotations

import re
import textwrap
from typing import Any, Final

from vault.bundle import layout
from vault.bundle.compact import as_sequence
from vault.bundle.documents.common import (
    _FALLBACK_BUNDLE_NAME,
    _commands,
    _dict,
    _s,
    _unknown,
    _visible,
    digits_recipe,
)
from vault.i18n import _, language, ngettext

MAX_TEXT_LINE: Final = 100

_SAFE_BUNDLE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,59}$")


def _bundle_arg(bundle_name: str) -> tuple[str, bool]:
    """The bundle's file name for a command line, and whether it is the real name.

    A name a shell or PowerShell could misread (spaces, quotes, non-ASCII) is replaced by
    ``bundle.zip`` with a note, rather than quoted in three different ways.
    """
    if _SAFE_BUNDLE_NAME_RE.match(bundle_name):
        return bundle_name, True
    return _FALLBACK_BUNDLE_NAME, False


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


def _aligned(rows: list[tuple[str, str]], width: int) -> list[str]:
    """``label  value`` lines with the values in one column (at least ``width`` from the start)."""
    column = max([width, *(len(label) + 2 for label, _value in rows)])
    return [f"{label.ljust(column)}{value}".rstrip() for label, value in rows]


def verify_txt(
    manifest: dict[str, Any],
    *,
    bundle_name: str = "bundle.zip",
    tokens: int = 0,
    record: tuple[str, int, str, str] | None = None,
) -> bytes:
    """VERIFY.txt: how a lawyer checks the bundle with independent tools, step by step.

    In the current language (``vault.i18n.document_language``). In English: ASCII, as always; in
    another language UTF-8 (its letters are not ASCII), without a byte order mark. LF line endings,
    lines of at most 100 characters (see the package docstring). A bundle name a shell could
    misread is replaced by ``bundle.zip`` in the commands, with a note. ``tokens``: how many
    proofs of time (``timestamps/<n>.tsr``) the bundle carries; with any, a step says how to
    check them with openssl. ``record``: for a bundle with imported messages' creation records,
    one of them (record member, its line, statement member, its hash), for the stock-tool
    commands that follow it to the signed import event (docs/format.md §7.7).
    """
    unknown = _unknown()
    signer = _dict(manifest.get("signer"))
    fingerprint = _ascii(signer.get("fingerprint")) or unknown
    ssh_fp = _ascii(signer.get("ssh_fingerprint")) or unknown
    bundle_id = _ascii(manifest.get("bundle_id")) or unknown
    created = _ascii(manifest.get("created")) or unknown
    bundle, real_name = _bundle_arg(bundle_name)
    cmd = _commands(bundle)
    encrypted, key_file = f"{bundle}.age", f"{bundle}.age.key.age"  # as export names them
    n_items = len(as_sequence(manifest.get("items")))

    t = _Text()
    title = _("HOW TO VERIFY THIS EVIDENCE BUNDLE")
    t.lines += [title, "=" * len(title), ""]
    renamed = (
        _("(if the file was renamed, use its current name in the commands below)")
        if real_name
        else _("(a stand-in: type the bundle file's real name in the commands below)")
    )
    rows = [
        (_("Bundle file:"), bundle),
        ("", renamed),
        (_("Bundle id:"), bundle_id),
        (
            _("Created:"),
            _("{time} (UTC, by the clock of the defender's computer)").format(time=created),
        ),
        (_("Items:"), str(n_items)),
    ]
    t.lines += [*_aligned(rows, 14), ""]
    t.para(
        _(
            "This bundle was exported from Evidence Vault (evault), an offline, encrypted vault in "
            "which a human-rights defender keeps evidence. It holds the original evidence files "
            "exactly as they were stored, the signed record of what happened to each of them "
            "(custody.jsonl), a readable report (report.html), and two digital signatures over the "
            "list of file hashes (SHA256SUMS). The steps below check it with free, independent "
            "tools: you need neither evault nor any trust in it. Steps 1 to 6 use only standard "
            "tools; step 7 does every check at once if you have evault. evault's guide for lawyers "
            "(docs/lawyers.md) numbers the steps the same way."
        )
    )
    t.blank()
    t.para(
        _(
            "Commands are typed in a terminal: Terminal on Linux and macOS; on Windows, PowerShell "
            "or Command Prompt as said at each step. Start in the folder that holds the bundle "
            "file."
        )
    )
    t.blank()
    t.para(
        _(
            "If you received an encrypted file (ending in .age), decrypt it first with age "
            "(https://age-encryption.org). With a passphrase you received two files: {encrypted} "
            "and the small {key_file}. '{decrypt_command}' asks for the passphrase the defender "
            "told you. With your own age key: '{own_key_command}'. Use the file names as you "
            "received them."
        ).format(
            encrypted=encrypted,
            key_file=key_file,
            decrypt_command=f"age -d -i {key_file} -o {bundle} {encrypted}",
            own_key_command=f"age -d -i YOUR-KEY-FILE -o {bundle} {encrypted}",
        )
    )

    t.heading(_("STEP 1. Get the 30 digits from the defender, not from this bundle"))
    t.para(
        _(
            "Anyone can make a bundle that signs itself, and write any digits in it, this file "
            "included. Only the vault's fingerprint, 30 digits the defender gives you over a "
            "channel you trust (in person, or a phone call where you know their voice; never in "
            "the same message as the bundle), tells you whose vault signed it. The defender sees "
            "them with 'evault identity'. This bundle CLAIMS to be signed by:"
        )
    )
    t.blank()
    t.lines += _aligned(
        [
            ("    " + _("Fingerprint (evault):"), fingerprint),
            ("    " + _("SSH fingerprint:"), ssh_fp),
        ],
        28,
    )
    t.blank()
    t.para(
        _(
            "These claims mean nothing until step 3 recomputes the digits from the bundle's key "
            "file and they match the defender's."
        )
    )

    t.heading(_("STEP 2. Unzip the bundle"))
    t.para(_("Linux and macOS (Terminal):"))
    t.code(cmd["unzip"], "cd bundle")
    t.para(_("Windows (PowerShell; the file name must end in .zip, rename it if it does not):"))
    t.code(cmd["expand"], "cd bundle")
    t.para(_("All following commands are typed inside this 'bundle' folder."))

    t.heading(_("STEP 3. Recompute the 30 digits from the bundle's key, and compare"))
    t.para(
        _(
            "These lines compute the fingerprint of the key in keys/evault.pub, the key that step "
            "5 checks the signature with. They print 30 digits in 6 groups, as 'evault identity' "
            "shows them. Linux (Terminal):"
        )
    )
    t.code(*digits_recipe("linux"))
    t.para(_("macOS (Terminal):"))
    t.code(*digits_recipe("macos"))
    t.para(_("Windows (PowerShell):"))
    t.code(*digits_recipe("windows"))
    t.para(
        _(
            "The digits must be exactly the ones the defender gave you. If they differ, STOP: this "
            "bundle was not signed by their vault, whatever the rest of it says."
        )
    )

    t.heading(_("STEP 4. Check that every file is unchanged (SHA-256)"))
    t.para(_("Linux:"))
    t.code(cmd["sha256sum"])
    t.para(_("macOS:"))
    t.code(cmd["shasum"])
    t.para(
        _(
            "Every line must end in OK. A line ending in FAILED means that file is not the file "
            "that was signed; 'No such file' means it is missing."
        )
    )
    t.blank()
    t.para(
        _(
            "Windows (PowerShell): paste these lines into PowerShell as they are. SHA256SUMS "
            "writes folder names with '/', so the script turns them into '\\' before hashing:"
        )
    )
    t.code(*POWERSHELL_CHECK.splitlines())
    t.para(
        _(
            "Every line must start with OK. These tools check the files listed in SHA256SUMS; "
            "they do not notice a file added to the folder. evault verify (step 7) does."
        )
    )

    t.heading(_("STEP 5. Check the minisign signature of SHA256SUMS"))
    t.para(
        _(
            "minisign is free for Linux, macOS and Windows (https://jedisct1.github.io/minisign/). "
            "Use keys/evault.pub only after step 3 showed that its digits are the defender's. "
            "Linux and macOS:"
        )
    )
    t.code(cmd["minisign"])
    t.para(_("Windows:"))
    t.code(cmd["minisign_win"])
    t.para(
        _(
            "It must print 'Signature and comment signature verified'. If the defender gave you "
            "the minisign public key itself ('evault identity' shows it, starting with RW), you "
            "can check against it directly instead:"
        )
    )
    t.code(f"minisign -Vm {layout.SUMS} -P " + _("<the minisign public key the defender gave you>"))
    t.para(
        _(
            "The trusted comment names the bundle ('{comment}'); it is written by whoever signed, "
            "so it says nothing about who that was. SHA256SUMS holds the hash of every other "
            "file, so this signature together with step 4 covers every file."
        ).format(comment=f"evault bundle {bundle_id} created {created}")
    )

    t.heading(_("STEP 6. Check the OpenSSH signature of SHA256SUMS (a second, independent check)"))
    t.para(
        _(
            "First, the SSH fingerprint of the SSH key file must be the one the defender gave you "
            "('evault identity' shows it, 'SHA256:...'). Linux, macOS, and Windows 10 or later:"
        )
    )
    t.code(cmd["keygen_l"])
    t.para(_("On Windows:"))
    t.code(cmd["keygen_l_win"])
    t.para(
        _(
            "Only if it matches, check the signature with it (OpenSSH 8.1 or newer; one command "
            "over two lines). Linux and macOS:"
        )
    )
    t.blank()
    t.lines += _split_command(cmd["ssh_verify"], "\\")
    t.blank()
    t.para(
        _(
            "Windows: type it in Command Prompt (cmd.exe), not PowerShell, which has no '<' (in "
            "PowerShell, type cmd first). Windows 10 and 11 include ssh-keygen (OpenSSH Client)."
        )
    )
    t.blank()
    t.lines += _split_command(cmd["ssh_verify_win"], "^")
    t.blank()
    t.para(
        _(
            "It must print '{good}', and that SHA256:... must again be the defender's SSH "
            "fingerprint (keys/allowed_signers must name the same key as keys/evault_ssh.pub)."
        ).format(
            good=f'Good "{layout.NAMESPACE}" signature for {layout.PRINCIPAL} with '
            "ED25519 key SHA256:..."
        )
    )

    t.heading(_("STEP 7. Check everything with evault (optional)"))
    t.para(_("If you have evault, one command does all of the above and more:"))
    t.code(cmd["evault"])
    t.para(
        _(
            "Replace <fingerprint> with the 30 digits the defender gave you, NOT with the value "
            "printed in this file. Without them evault says 'FILES INTACT, SIGNER NOT CONFIRMED' "
            "and exits with code 4: intact files prove nothing about who signed. evault checks "
            "both signatures, every file's hash, that no file is missing or added, that the ZIP "
            "file is exactly as the vault wrote it, that the manifest and the custody record agree "
            "with the files, and the signature of every custody record. It says in plain words "
            "what passed and what failed, item by item. For an encrypted bundle: {command}."
        ).format(
            command=f"evault verify {encrypted} --identity {key_file} "
            + _("(or your own age key file)")
            + ' --key "<fingerprint>"'
        )
    )

    if record is not None:
        _imported_messages_step(t, record)
    if tokens:
        _proof_of_time_step(t, tokens)

    t.heading(_("WHAT THESE CHECKS PROVE, AND WHAT THEY DO NOT"))
    t.para(_("If every step passes and the key is the one the defender gave you, they prove that:"))
    t.bullets(
        _(
            "every file in the bundle is exactly, byte for byte, as it was when the bundle was "
            "made: a single changed byte makes steps 3 to 6 fail;"
        ),
        _(
            "the bundle was signed with the key of the defender's vault, so whoever exported it "
            "had that vault open, and nothing in the bundle has changed since;"
        ),
        _(
            "according to the vault's signed custody record, each evidence file has had the same "
            "SHA-256 since it was added to the vault (the 'added' time in report.html)."
        ),
    )
    t.blank()
    t.para(_("They do not prove:"))
    t.bullets(
        _(
            "who wrote a threat or who is behind an account: the vault records what the defender "
            "collected, not who made it;"
        ),
        _(
            "that a screenshot, recording or file was genuine before it was added to the vault: "
            "the vault shows it has not changed since then;"
        ),
        _(
            "that the times are right: they come from the clock of the defender's computer (the "
            "vault's record never goes backwards in time, and notes when the clock seemed wrong), "
            "and 'when it happened' is what the defender reported;"
        ),
        _(
            "which person signed: a signature shows which key was used; it is the defender giving "
            "you the fingerprint, through a channel you trust, that links the key to them."
        ),
    )
    t.blank()
    t.para(
        _(
            "report.html is a readable summary made by evault. It is covered by the signatures, "
            "but the files themselves, SHA256SUMS and the signatures are what can be checked."
        )
    )
    if language() == "en":
        return t.text().encode("ascii", "replace")
    return t.text().encode("utf-8")


def _proof_of_time_step(t: _Text, tokens: int) -> None:
    """How to check the bundle's proofs of time (RFC 3161 tokens) with openssl and grep."""
    t.heading(_("PROOF OF TIME (optional)"))
    t.para(
        ngettext(
            "This bundle carries {n} proof of time: a token signed by a public time-stamping "
            "authority over timestamps/1.data, which lists the hash of every custody record up "
            "to that moment.",
            "This bundle carries {n} proofs of time: tokens signed by public time-stamping "
            "authorities, each over the timestamps/<n>.data of the same number, which lists the "
            "hash of every custody record up to that moment.",
            tokens,
        ).format(n=tokens)
    )
    t.code("openssl ts -verify -data timestamps/1.data -in timestamps/1.tsr -CAfile ROOT.pem")
    t.para(
        _(
            "It must print 'Verification: OK'. ROOT.pem is the authority's root certificate, "
            "downloaded from the authority's own site (timestamps/1.ca.pem holds the certificates "
            "the vault checked it with; compare them). Then, for an item, take the 'seq' and the "
            "'hash' of its 'item.created' line in custody.jsonl and check that the line "
            "'<seq> <hash>' is in timestamps/1.data (for example: grep -x '12 9f3a...' "
            "timestamps/1.data). If it is, the item existed no later than the time in the token, "
            "whatever the defender's clock said. It does not show when the item was made."
        )
    )


def _imported_messages_step(t: _Text, record: tuple[str, int, str, str]) -> None:
    """How to follow an imported message's creation record to the signed import event with
    sha256sum and grep (docs/format.md §7.7)."""
    name, leaf, statement, digest = record
    t.heading(_("IMPORTED MESSAGES (optional)"))
    t.para(
        _(
            "Messages imported from a chat or e-mail export are not signed one by one. The "
            "import's one signed record (its 'import.completed' line in custody.jsonl) commits to "
            "all of them through the import statement {statement}: a numbered list of the hash "
            "of each message's creation record. The manifest names each message's record "
            "('creation_record'); the record says what the vault recorded when the message was "
            "added, including its SHA-256. For the message whose record is {name}:"
        ).format(statement=statement, name=name)
    )
    grep = f'grep -x "{leaf} {digest}"'
    # One command over two lines when a long line number and import number would pass the
    # 100 characters a line of this file may have.
    one_line = f"{grep} {statement}"
    greps = [one_line] if len(one_line) <= MAX_TEXT_LINE - 4 else [grep + " \\", "    " + statement]
    t.code(
        f"sha256sum {name}",
        *greps,
        f"sha256sum {statement}",
        'grep -o \'"statement_sha256":"[0-9a-f]*"\' custody.jsonl',
    )
    t.para(
        _(
            "The first command prints the record's hash: it must be the one in the second "
            "command, which must print its line back (the statement lists the record at line "
            "{leaf}). The third prints the statement's hash: it must be one of those the last "
            "command prints, the one in the 'import.completed' line whose import_id is the "
            "record's. On macOS use 'shasum -a 256' for sha256sum; on Windows (PowerShell) "
            "'Get-FileHash' and 'Select-String'."
        ).format(leaf=leaf)
    )
    t.blank()
    t.para(
        _(
            "The statement also lists the hashes of the import's messages that are not in this "
            "bundle. Each is a hash of a record holding that message's random id, so it reveals "
            "nothing about the message; the statement shows only how many messages the import "
            "kept."
        )
    )
