"""The human-readable documents of a bundle: report.html, VERIFY.txt and the certificate.

The HTML is read back with the standard library's ``html.parser`` (never by searching for strings
in markup alone), so "no script" means the parser saw no script element, and "escaped" means a
hostile title came back as text. VERIFY.txt's commands are run against the real tools (unzip,
sha256sum, minisign, ssh-keygen) on a bundle built here independently of the code under test.
All people, accounts and events below are fictional.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import os
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.fingerprint import fingerprint as evault_fingerprint
from vault.bundle.documents import certificate_html, report_html, verify_txt
from vault.bundle.documents.common import _HIDDEN_RE, _visible

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ATTR = '" onmouseover="alert(2)" x="'
SENSITIVE = "sensitive — not previewed"
AZ_TITLE = "Ölüm təhdidi — şəxsi mesajda, Çərşənbə axşamı"
RU_TITLE = "Угроза расправой в личных сообщениях"
FIXED_SEED = bytes(range(1, 33))  # a fictional vault key, fixed so failures are reproducible

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "wbr"}
RESOURCE_TAGS = {
    "script",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "img",
    "image",
    "svg",
    "audio",
    "video",
    "source",
    "base",
    "form",
    "applet",
    "picture",
}


# ------------------------------------------------------------------------------- the parser


class Audit(HTMLParser):
    """Collect tags, attributes and text; record nesting errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.text: list[str] = []
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.doctype = ""
        self.style = ""
        self.classes: dict[str, list[str]] = {}  # class → text of elements with that class
        self._class_stack: list[str | None] = []
        self._in_style = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        if tag in VOID:
            return
        self.stack.append(tag)
        cls = dict(attrs).get("class")
        self._class_stack.append(cls)
        if cls:
            self.classes.setdefault(cls, []).append("")
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        self._class_stack.pop()
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data
            return
        self.text.append(data)
        for cls in self._class_stack:
            if cls:
                self.classes[cls][-1] += data

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def audit(document: bytes) -> Audit:
    """Parse and check the rules every HTML document of a bundle must keep."""
    text = document.decode("utf-8")  # raises if not UTF-8
    parser = Audit()
    parser.feed(text)
    parser.close()
    assert parser.doctype.lower() == "doctype html"
    assert parser.errors == []
    assert parser.stack == [], f"unclosed: {parser.stack}"
    assert parser.tags[:3] == ["html", "head", "meta"]
    assert parser.attrs[1] == ("meta", "charset", "utf-8")  # after <html lang>
    assert "script" not in parser.tags
    assert not set(parser.tags) & RESOURCE_TAGS, set(parser.tags) & RESOURCE_TAGS
    assert parser.tags.count("style") == 1
    for tag, name, value in parser.attrs:
        assert not name.startswith("on"), (tag, name, value)
        assert name not in {"src", "srcset", "href", "action", "formaction", "background", "style"}
        assert "://" not in value and not value.startswith("//"), (tag, name, value)
        assert not value.lower().startswith(("javascript:", "data:")), (tag, name, value)
    csp = [v for t, n, v in parser.attrs if n == "content" and "default-src" in v]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; form-action 'none'"]
    style = parser.style.lower()
    assert "url(" not in style and "@import" not in style and "expression(" not in style
    assert "@media print" in style
    return parser


# --------------------------------------------------------------------------- fictional data


def _key() -> tuple[Ed25519PrivateKey, bytes]:
    private = Ed25519PrivateKey.from_private_bytes(FIXED_SEED)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return private, public


def _ssh_line(private: Ed25519PrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )


def _ssh_fingerprint(private: Ed25519PrivateKey) -> str:
    blob = base64.b64decode(_ssh_line(private).split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _minisign_key_id(public: bytes) -> bytes:
    """docs/format.md §6.3, computed here independently of the code under test."""
    return hashlib.sha256(b"evault-minisign-keyid-v1\x00" + public).digest()[:8]


def _minisign_key_line(public: bytes) -> str:
    return base64.b64encode(b"Ed" + _minisign_key_id(public) + public).decode("ascii")


def _meta(**changes: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": "Screenshot of a threat in a Telegram channel",
        "description": "Posted in a fictional channel; shared by a colleague.",
        "media_type": "image/png",
        "size": 48213,
        "captured_at": "2026-03-10T08:15:02.000001Z",
        "occurred_at": "2026-03-09T21:40",
        "occurred_tz": "Asia/Baku",
        "platform": "Telegram",
        "source_url": "https://t.me/fictional_channel_01/42",
        "sender_handle": "@fictional_troll_01",
        "sender_id": "100000001",
        "original_filename": "Screenshot 2026-03-09 at 21.41.png",
        "sensitive": False,
        "case": "Fictional case: account hacked, 9 March",
        "parent_id": None,
        "tags": ["threat", "telegram"],
        "message": None,
    }
    meta.update(changes)
    return meta


ITEM_IDS = [
    "0b5c1a3e-0000-4000-8000-000000000001",
    "0b5c1a3e-0000-4000-8000-000000000002",
    "0b5c1a3e-0000-4000-8000-000000000003",
    "0b5c1a3e-0000-4000-8000-000000000004",
]


def manifest() -> dict[str, Any]:
    _, public = _key()
    private, _ = _key()
    items = [
        {
            "id": ITEM_IDS[0],
            "kind": "file",
            "path": "evidence/0001-Screenshot_2026-03-09_at_21.41.png",
            "sha256": hashlib.sha256(b"fictional screenshot 1").hexdigest(),
            "size": 48213,
            "media_type": "image/png",
            "text_path": None,
            "metadata": _meta(),
        },
        {
            "id": ITEM_IDS[1],
            "kind": "message",
            "path": "evidence/0002-message.txt",
            "sha256": hashlib.sha256(b"fictional message").hexdigest(),
            "size": 17,
            "media_type": "text/plain; charset=utf-8",
            "text_path": "evidence/0002-message.json",
            "metadata": _meta(
                title=AZ_TITLE,
                media_type="text/plain; charset=utf-8",
                size=17,
                occurred_at=None,
                occurred_tz="unknown",
                original_filename="",
                source_url="",
                message={
                    "recipient": "@fictional_defender_a",
                    "sent_at": "2026-03-09T21:38:00+04:00",
                    "sent_tz": "+04:00",
                    "sent_utc": "2026-03-09T17:38:00Z",
                    "thread": "",
                },
            ),
        },
        {
            "id": ITEM_IDS[2],
            "kind": "file",
            "path": "evidence/0003-leak.jpg",
            "sha256": hashlib.sha256(b"fictional sensitive image").hexdigest(),
            "size": 1_250_000,
            "media_type": "image/jpeg",
            "text_path": None,
            "metadata": _meta(
                title=RU_TITLE,
                sensitive=True,
                original_filename="leak.jpg",
                occurred_at="2026-03-08T10:00:00+03:00",
                occurred_tz="+03:00",
            ),
        },
        {
            "id": ITEM_IDS[3],
            "kind": "note",
            "path": "evidence/0004-note.txt",
            "sha256": hashlib.sha256(b"fictional note").hexdigest(),
            "size": 14,
            "media_type": "text/plain; charset=utf-8",
            "text_path": None,
            "metadata": _meta(
                title=HOSTILE,
                description=HOSTILE + HOSTILE_ATTR,
                platform=HOSTILE,
                sender_handle=HOSTILE,
                sender_id=HOSTILE_ATTR,
                source_url="javascript:alert(3)",
                original_filename=HOSTILE,
                case=HOSTILE,
                tags=[HOSTILE],
                occurred_at=None,
                occurred_tz=None,
                parent_id=ITEM_IDS[0],
            ),
        },
    ]
    return {
        "format": "evault-bundle",
        "version": 1,
        "bundle_id": "6f1d3a52-7c1e-4b8e-9d7a-2f0c5e4b3a21",
        "created": "2026-03-12T09:00:00.123456Z",
        "program": "evidence-vault 0.1.0",
        "vault_id": "5a0f6c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
        "signer": {
            "algorithm": "ed25519",
            "public_key": base64.b64encode(public).decode("ascii"),
            "fingerprint": evault_fingerprint(public),
            "ssh_fingerprint": _ssh_fingerprint(private),
        },
        "case": "Fictional case: account hacked, 9 March",
        "note": "For counsel. " + HOSTILE,
        "items": items,
        "custody": {"path": "custody.jsonl", "events": 12, "head_seq": 57, "head_hash": "ab" * 32},
    }


def _event(
    seq: int,
    time: str,
    event_type: str,
    item: int | None = None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    m = manifest()
    ref = None
    if item is not None:
        it = m["items"][item]
        ref = {"id": it["id"], "sha256": it["sha256"], "kind": it["kind"]}
    return {
        "v": 1,
        "seq": seq,
        "id": f"00000000-0000-4000-8000-{seq:012d}",
        "type": event_type,
        "time": time,
        "actor": "ed25519:" + m["signer"]["public_key"],
        "vault_id": m["vault_id"],
        "item": ref,
        "reason": reason,
        "details": details or {},
        "prev": None if seq == 1 else "cd" * 32,
    }


def events() -> list[dict[str, Any]]:
    t = "2026-03-{}Z"
    return [
        _event(1, t.format("01T10:00:00.000000"), "vault.created", details={"program": "evault"}),
        _event(2, t.format("01T10:05:00.000000"), "case.created", details={"name": "Fictional"}),
        _event(3, t.format("10T08:15:02.000001"), "item.created", 0, {"source": "file"}),
        _event(4, t.format("10T08:16:00.000000"), "item.created", 1, {"source": "typed"}),
        _event(5, t.format("10T08:17:00.000000"), "item.created", 2, {"source": "file"}),
        _event(6, t.format("10T08:18:00.000000"), "item.created", 3, {"source": "typed"}),
        _event(
            7,
            t.format("10T09:00:00.000000"),
            "item.metadata_changed",
            0,
            {"changes": {"title": {"from": "a", "to": "b"}, "occurred_tz": {"from": None}}},
            reason="Corrected the title " + HOSTILE,
        ),
        _event(8, t.format("11T10:00:00.000000"), "item.viewed", 0, {"how": "text shown"}),
        _event(9, t.format("11T11:00:00.000000"), "item.exported", 0, {"destination": "x.png"}),
        _event(
            10,
            t.format("11T12:00:00.000000"),
            "key.passphrase_changed",
            details={"slot": "a1b2c3d4", "recorded_from": "vault.keys"},
        ),
        _event(11, t.format("11T12:01:00.000000"), "key.recovery_replaced", details={"slot": "2"}),
        _event(12, t.format("11T12:02:00.000000"), "key.keyfile_changed", details={"slot": "3"}),
        _event(13, t.format("12T08:59:00.000000"), "bundle.exported", details={"bundle_id": "b"}),
        _event(14, t.format("12T08:59:30.000000"), "future.thing", details={}),
        _event(
            15, t.format("12T09:30:00.000000"), "bundle.export_started", details={"bundle_id": "b"}
        ),
    ]


def result(**changes: Any) -> dict[str, Any]:
    m = manifest()
    res: dict[str, Any] = {
        "ok": True,
        "checked_at": "2026-03-15T14:02:03Z",
        "tool": "evault",
        "tool_version": "0.1.0",
        "bundle_name": "evidence-fictional-case.zip",
        "bundle_sha256": hashlib.sha256(b"the fictional bundle").hexdigest(),
        "signer_fingerprint": m["signer"]["fingerprint"],
        "key_expected": m["signer"]["fingerprint"],
        "key_matched": True,
        "checks": [
            {"name": "ZIP file is well formed", "ok": True, "detail": "16 members"},
            {"name": "Signatures", "ok": True, "detail": "minisign and SSH signatures verify"},
            {"name": "File hashes", "ok": True, "detail": "every file matches SHA256SUMS"},
        ],
        "items": [
            {
                "path": it["path"],
                "title": it["metadata"]["title"],
                "sha256": it["sha256"],
                "size": it["size"],
                "ok": True,
                "problems": [],
            }
            for it in m["items"]
        ],
    }
    res.update(changes)
    return res


def _verdict(parser: Audit) -> str:
    (verdict,) = parser.classes["verdict"]
    return verdict


# --------------------------------------------------------------------------------- report


def test_report_is_self_contained_and_well_formed() -> None:
    parser = audit(report_html(manifest(), events()))
    assert "img" not in parser.tags
    assert "a" not in parser.tags  # not even in-page links: it is a printed document


def test_report_shows_every_item_with_its_full_hash_in_monospace() -> None:
    m = manifest()
    parser = audit(report_html(m, events()))
    hashes = "".join(parser.classes["hash"])
    for item in m["items"]:
        assert item["sha256"] in hashes
        assert item["path"] in parser.all_text
    style = parser.style
    assert re.search(r"\.hash \{[^}]*monospace[^}]*word-break: break-all", style)


def test_report_says_what_the_bundle_is_and_who_signed_it() -> None:
    m = manifest()
    text = audit(report_html(m, events())).all_text
    assert m["bundle_id"] in text
    assert "2026-03-12 09:00:00 UTC" in text
    assert m["signer"]["fingerprint"] in text
    assert m["signer"]["ssh_fingerprint"] in text
    # What the report says about its signer is a claim, since the signer wrote the report.
    assert "Signer fingerprint, as this bundle claims it" in text
    assert "a forger would write the defender's digits here too" in text
    assert "A forged bundle would show its own fingerprint" not in text
    assert "Fictional case: account hacked, 9 March" in text
    assert "For counsel. " + HOSTILE in text
    assert "original files exactly as they were stored" in text


def test_fingerprint_is_prominent() -> None:
    m = manifest()
    parser = audit(report_html(m, events()))
    assert parser.classes["fingerprint"] == [m["signer"]["fingerprint"]]
    assert re.search(r"\.fingerprint \{[^}]*font-size: 1\.6em", parser.style)


def test_report_item_details() -> None:
    text = audit(report_html(manifest(), events())).all_text
    assert "2026-03-09T21:40 (time zone: Asia/Baku)" in text
    assert "2026-03-10 08:15:02 UTC" in text  # added
    assert "@fictional_troll_01 (id: 100000001)" in text
    assert "Screenshot 2026-03-09 at 21.41.png" in text
    assert "48,213 bytes (48.2 kB)" in text
    assert "1,250,000 bytes (1.2 MB)" in text
    assert "2026-03-09T21:38:00+04:00 (time zone: +04:00)" in text  # message sent
    assert "@fictional_defender_a" in text
    assert "evidence/0002-message.json" in text  # readable copy of the message
    # The source URL is shown as text, never as a link.
    assert "https://t.me/fictional_channel_01/42" in text


def test_unknown_time_of_occurrence_says_unknown() -> None:
    parser = audit(report_html(manifest(), events()))
    rows = re.findall(r"When it happened(.*?)Added to the vault", parser.all_text, flags=re.S)
    assert len(rows) == 4
    assert rows[1].strip().startswith("unknown")
    assert rows[3].strip().startswith("unknown")


def test_hostile_values_are_escaped_never_markup() -> None:
    document = report_html(manifest(), events())
    parser = audit(document)
    raw = document.decode("utf-8")
    assert HOSTILE not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert parser.all_text.count(HOSTILE) >= 8  # title, description, platform, sender, … all shown
    assert "javascript:alert(3)" in parser.all_text  # the source URL is only text
    assert not [a for a in parser.attrs if a[1].startswith("on") or "alert" in a[2]]


def test_direction_overrides_and_controls_are_shown_not_obeyed() -> None:
    m = manifest()
    m["items"][0]["metadata"]["title"] = "invoice\u202egnp.exe\x00\x1b[2J"
    document = report_html(m, [])
    text = audit(document).all_text
    assert "invoice[U+202E]gnp.exe[U+0000][U+001B][2J" in text
    raw = document.decode("utf-8")
    assert "\u202e" not in raw and "\x00" not in raw and "\x1b" not in raw


def test_sensitive_items_are_flagged_and_nothing_is_previewed() -> None:
    m = manifest()
    parser = audit(report_html(m, events()))
    flags = parser.classes["flag"]
    # Item 3 only: in the summary table, its heading and its "Sensitive" row.
    assert flags == [SENSITIVE] * 3
    headings = re.findall(r"Item (\d): [^\n]*?" + SENSITIVE, parser.all_text)
    assert headings == ["3"]
    assert m["items"][2]["sha256"] in parser.all_text  # metadata and hash are still shown
    # Its title (often made from its content) is withheld too, unless sensitive texts are printed.
    assert RU_TITLE not in parser.all_text
    assert "Item 3: Sensitive picture" in parser.all_text
    assert RU_TITLE in audit(report_html(m, events(), include_sensitive_text=True)).all_text


def test_azerbaijani_and_russian_survive_in_utf8() -> None:
    document = report_html(manifest(), events(), include_sensitive_text=True)
    assert b'<meta charset="utf-8">' in document
    text = audit(document).all_text
    assert AZ_TITLE in text
    assert RU_TITLE in text
    assert AZ_TITLE.encode("utf-8") in document


EVENT_WORDS = {
    "vault.created": "The vault was created by evault.",
    "case.created": "A case was created: Fictional.",
    "item.created": "The evidence was added to the vault from a file.",
    "item.metadata_changed": (
        "The description of the evidence was edited: title, time zone of when it happened."
    ),
    "item.viewed": "The original was opened in the vault (text shown).",
    "item.exported": "The original was saved to a file outside the vault: x.png.",
    "key.passphrase_changed": "The vault passphrase was changed (key slot a1b2c3d4).",
    "key.recovery_replaced": "The recovery key was replaced (key slot 2).",
    "key.keyfile_changed": "The key file was changed (key slot 3).",
    "bundle.export_started": (
        "An evidence bundle was written and was about to be saved under its name (bundle id b)."
    ),
    "bundle.exported": "An evidence bundle was exported (bundle id b).",
    "future.thing": "Event of type future.thing.",
}


def _timeline_rows(document: bytes) -> list[list[str]]:
    """The timeline table as rows of cell texts."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tables: list[list[list[str]]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "table":
                self.tables.append([])
            elif tag == "tr":
                self.tables[-1].append([])
            elif tag in {"td", "th"}:
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in {"td", "th"} and self.cell is not None:
                self.tables[-1][-1].append("".join(self.cell))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(document.decode("utf-8"))
    (timeline,) = [t for t in parser.tables if t and t[0][:2] == ["No.", "Time (UTC)"]]
    return timeline[1:]


def test_timeline_tells_each_event_type_in_plain_words() -> None:
    rows = _timeline_rows(report_html(manifest(), events()))
    assert len(rows) == len(events())
    by_type: dict[str, list[str]] = {}
    for event, row in zip(events(), rows, strict=True):
        by_type.setdefault(event["type"], row)  # the first of each type
    for event_type, words in EVENT_WORDS.items():
        assert by_type[event_type][2].startswith(words), (event_type, by_type[event_type][2])
    assert "typed in by the defender" in rows[3][2]
    assert "SHA-256 when added: " + manifest()["items"][0]["sha256"] in by_type["item.created"][2]
    assert "The signing key stays the same." in by_type["key.keyfile_changed"][2]


def test_timeline_names_items_and_reasons() -> None:
    rows = _timeline_rows(report_html(manifest(), events()))
    assert rows[0][:2] == ["1", "2026-03-01 10:00:00 UTC"]
    assert rows[0][3] == "—"
    assert rows[2][3] == "Item 1: Screenshot of a threat in a Telegram channel"
    assert rows[3][3] == f"Item 2: {AZ_TITLE}"
    assert rows[6][4] == "Corrected the title " + HOSTILE
    assert rows[1][4] == "—"


def test_timeline_is_in_time_order_and_shows_deleted_and_unknown_items() -> None:
    evs = events()[:3]
    evs[1], evs[2] = evs[2], evs[1]  # given out of time order
    deleted = _event(20, "2026-03-20T10:00:00.000000Z", "item.deleted", details={"title": "Gone"})
    deleted["item"] = {"id": "ffffffff-0000-4000-8000-000000000000", "sha256": "00" * 32}
    clock = _event(21, "2026-03-20T10:00:00.000000Z", "item.viewed", 0, {"how": "viewed"})
    clock["details"]["clock_reported"] = "2026-03-19T00:00:00.000000Z"
    rows = _timeline_rows(report_html(manifest(), [*evs, deleted, clock]))
    assert [r[0] for r in rows] == ["1", "2", "3", "20", "21"]
    assert rows[3][2].startswith("The evidence was deleted from the vault (title: Gone)")
    assert rows[3][3] == "Item ffffffff-0000-4000-8000-000000000000: Gone"
    assert "The computer's clock said 2026-03-19 00:00:00 UTC" in rows[4][2]


def test_report_has_a_short_how_to_verify() -> None:
    text = audit(report_html(manifest(), events())).all_text
    section = text[text.index("How to verify\n") :] if "How to verify\n" in text else text
    section = re.sub(r" \\\n +", " ", section)  # a command continued on the next line
    assert "sed -n 2p keys/evault.pub" in section  # step 3: the digits, recomputed
    for command in (
        "unzip bundle.zip -d bundle",
        "sha256sum -c SHA256SUMS",
        "minisign -Vm SHA256SUMS -p keys/evault.pub",
        "ssh-keygen -Y verify -f keys/allowed_signers -I evault-bundle -n evault-bundle-v1 "
        "-s SHA256SUMS.sig < SHA256SUMS",
        'evault verify bundle.zip --key "<fingerprint>"',
        "VERIFY.txt",
    ):
        assert command in section


def test_report_prints_black_on_white() -> None:
    style = audit(report_html(manifest(), events())).style
    assert "color: #000" in style and "background: #fff" in style
    assert "break-inside: avoid" in style and "thead { display: table-header-group; }" in style
    colours = set(re.findall(r"#([0-9a-f]{6}|[0-9a-f]{3})\b", style))
    greys = {c for c in colours if len(set(c)) == 1 or c[0:2] == c[2:4] == c[4:6]}
    assert colours == greys, colours - greys  # black, white and greys only: nothing by colour


def test_report_of_an_empty_or_sparse_manifest_does_not_fail() -> None:
    parser = audit(report_html({}, []))
    assert "This bundle holds no items." in parser.all_text
    parser = audit(report_html({"items": [{"id": "x", "metadata": None}]}, [{"type": 3}]))
    assert "(no title)" in parser.all_text


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
        max_size=40,
    )
)
def test_any_title_is_text_never_markup(title: str) -> None:
    m = manifest()
    m["items"][0]["metadata"]["title"] = title
    m["note"] = title
    parser = audit(report_html(m, events()))
    assert set(parser.tags) <= {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "b", "div",
        "table", "thead", "tbody", "tr", "th", "td", "span", "code", "pre", "ol", "li",
    }  # fmt: skip
    assert f"Item 1: {title}" in parser.all_text or not title.strip()


# ------------------------------------------------------------------------------ VERIFY.txt

BUNDLE = "evidence-fictional-case.zip"
SSH_VERIFY = (
    "ssh-keygen -Y verify -f keys/allowed_signers -I evault-bundle -n evault-bundle-v1 "
    "-s SHA256SUMS.sig < SHA256SUMS"
)


def _joined(text: str) -> str:
    """Join shell (``\\``) and cmd (``^``) continuation lines, dropping their indentation."""
    return re.sub(r" [\\^]\n\s+", " ", text)


def test_verify_txt_has_the_exact_commands_and_the_key() -> None:
    m = manifest()
    _, public = _key()
    text = verify_txt(m, bundle_name=BUNDLE).decode("ascii")
    joined = _joined(text)
    for command in (
        f"unzip {BUNDLE} -d bundle",
        f"Expand-Archive -LiteralPath {BUNDLE} -DestinationPath bundle",
        "sha256sum -c SHA256SUMS",
        "shasum -a 256 -c SHA256SUMS",
        "minisign -Vm SHA256SUMS -p keys/evault.pub",
        "minisign -Vm SHA256SUMS -p keys\\evault.pub",
        "ssh-keygen -l -f keys/evault_ssh.pub",
        "ssh-keygen -l -f keys\\evault_ssh.pub",
        "h=$(sed -n 2p keys/evault.pub | tr -d '\\r\\n' | sha256sum | cut -c1-60)",
        "h=$(sed -n 2p keys/evault.pub | tr -d '\\r\\n' | shasum -a 256 | cut -c1-60)",
        "$line = (Get-Content -LiteralPath keys\\evault.pub)[1].Trim()",
        SSH_VERIFY,
        SSH_VERIFY.replace("keys/", "keys\\"),
        f'evault verify {BUNDLE} --key "<fingerprint>"',
    ):
        assert f"    {command}\n" in joined, command
    assert "(Get-FileHash -LiteralPath $file -Algorithm SHA256).Hash" in text
    assert m["signer"]["fingerprint"] in text
    assert m["signer"]["ssh_fingerprint"] in text
    assert m["bundle_id"] in text and m["created"] in text
    # What the bundle says about its signer is only ever a claim, never a key to check against.
    assert "CLAIMS to be signed by" in text
    assert _minisign_key_line(public) not in text


def test_verify_txt_never_prefills_the_key_to_compare() -> None:
    m = manifest()
    text = " ".join(verify_txt(m, bundle_name=BUNDLE).decode("ascii").split())
    assert f'--key "{m["signer"]["fingerprint"]}"' not in text
    assert "NOT with the value printed in this file" in text
    assert "Anyone can make a bundle that signs itself, and write any digits in it" in text
    assert "If they differ, STOP" in text


def test_verify_txt_says_what_it_proves_and_what_not() -> None:
    text = " ".join(verify_txt(manifest(), bundle_name=BUNDLE).decode("ascii").split())
    assert "nothing in the bundle has changed since" in text
    assert "who wrote a threat" in text
    assert "genuine before it was added to the vault" in text
    assert "clock of the defender's computer" in text


def test_verify_txt_is_ascii_with_short_lf_lines() -> None:
    m = manifest()
    m["bundle_id"] = "Ö" + m["bundle_id"]  # even a damaged value cannot make it non-ASCII
    data = verify_txt(m, bundle_name=BUNDLE)
    data.decode("ascii")
    assert b"\r" not in data and b"\t" not in data
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    lines = data.decode("ascii").split("\n")
    assert max(len(line) for line in lines) <= 100
    assert all(line == line.rstrip() for line in lines)


@pytest.mark.parametrize("name", ["my bundle.zip", "дело.zip", "-rf.zip", "a;rm -rf ~.zip", ""])
def test_a_name_a_shell_could_misread_is_replaced(name: str) -> None:
    text = verify_txt(manifest(), bundle_name=name).decode("ascii")
    assert "unzip bundle.zip -d bundle" in text
    assert "type the bundle file's real name" in text
    if name:
        assert name not in text


def test_verify_txt_default_name() -> None:
    text = verify_txt(manifest()).decode("ascii")
    assert "unzip bundle.zip -d bundle" in text
    assert "if the file was renamed" in text


def test_powershell_check_handles_forward_slashes() -> None:
    text = verify_txt(manifest(), bundle_name=BUNDLE).decode("ascii")
    assert "$name -replace '/', '\\'" in text
    assert "$line -split '  ', 2" in text  # two spaces, as sha256sum writes


# ---------------------------------------------- VERIFY.txt against the real tools (interop)

TOOLS = ("unzip", "sha256sum", "minisign", "ssh-keygen", "bash")


def _build_bundle(folder: Path) -> tuple[Path, dict[str, Any]]:
    """A bundle with real signatures, made here with the fictional key and ssh-keygen itself."""
    private, public = _key()
    m = manifest()
    members: dict[str, bytes] = {
        "evidence/0001-photo.png": b"\x89PNG fictional",
        "evidence/0002-message.txt": "Ты пожалеешь (fictional)".encode(),
        "manifest.json": b"{}",
        "custody.jsonl": b"",
        "keys/evault.pub": (
            f"untrusted comment: evault key\n{_minisign_key_line(public)}\n".encode()
        ),
        "keys/evault_ssh.pub": (_ssh_line(private) + " evault\n").encode(),
        "keys/allowed_signers": (
            f'evault-bundle namespaces="evault-bundle-v1" {_ssh_line(private)}\n'.encode()
        ),
    }
    members["VERIFY.txt"] = verify_txt(m, bundle_name=BUNDLE)
    members["report.html"] = report_html(m, events())
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(members.items())
    ).encode("ascii")
    members["SHA256SUMS"] = sums

    # minisign, prehashed ("ED"): Ed25519 over BLAKE2b-512 of the file, then the global signature.
    signature = private.sign(hashlib.blake2b(sums).digest())
    trusted = (
        f"evault bundle {m['bundle_id']} created {m['created']} "
        f"signer {m['signer']['fingerprint'].replace(' ', '')}"
    )
    members["SHA256SUMS.minisig"] = (
        "untrusted comment: signature from evault\n"
        + base64.b64encode(b"ED" + _minisign_key_id(public) + signature).decode()
        + f"\ntrusted comment: {trusted}\n"
        + base64.b64encode(private.sign(signature + trusted.encode())).decode()
        + "\n"
    ).encode()

    # SSHSIG, made by ssh-keygen with the same key.
    work = folder / "signing"
    work.mkdir()
    key_file = work / "key"
    key_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    key_file.chmod(0o600)
    (work / "SHA256SUMS").write_bytes(sums)
    subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-f", str(key_file), "-n", "evault-bundle-v1",
         str(work / "SHA256SUMS")],
        check=True, capture_output=True,
    )  # fmt: skip
    members["SHA256SUMS.sig"] = (work / "SHA256SUMS.sig").read_bytes()

    path = folder / BUNDLE
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(members):
            zf.writestr(name, members[name])
    return path, m


def _command(text: str, start: str) -> str:
    """The command line of VERIFY.txt that starts with ``start``, continuation included."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("    " + start):
            return line.strip() + ("\n" + lines[i + 1] if line.endswith(" \\") else "")
    raise AssertionError(f"no command starting with {start!r}")


def _sh(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(cwd)}
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS), reason=f"needs {', '.join(TOOLS)}")
def test_the_linux_commands_of_verify_txt_work_with_the_real_tools(tmp_path: Path) -> None:
    bundle, m = _build_bundle(tmp_path)
    text = verify_txt(m, bundle_name=BUNDLE).decode("ascii")
    inside = tmp_path / "bundle"
    assert bundle.name == BUNDLE

    unzip = _sh(_command(text, "unzip "), tmp_path)
    assert unzip.returncode == 0, unzip.stderr

    keygen_l = _sh(_command(text, "ssh-keygen -l -f keys/"), inside)
    assert keygen_l.returncode == 0, keygen_l.stderr
    assert m["signer"]["ssh_fingerprint"] in keygen_l.stdout  # step 6: the value compared

    # Step 3: the 30 digits recomputed from keys/evault.pub with coreutils alone.
    step3 = text.split("STEP 3.")[1].split("macOS (Terminal):")[0]
    recipe = "\n".join(line[4:] for line in step3.split("\n") if line.startswith("    "))
    digits = _sh(recipe, inside)
    assert digits.returncode == 0, digits.stderr
    assert digits.stdout == m["signer"]["fingerprint"] + "\n"
    for shell in ("sh", "dash"):  # not only bash: the recipe is plain POSIX sh
        if shutil.which(shell):
            again = subprocess.run(
                [shell, "-c", recipe], cwd=inside, capture_output=True, text=True, check=False
            )
            assert again.stdout == digits.stdout, again.stderr

    sums = _sh(_command(text, "sha256sum -c"), inside)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert sums.stdout.count(": OK") == 9

    mini = _sh(_command(text, "minisign -Vm SHA256SUMS -p keys/"), inside)
    assert mini.returncode == 0, mini.stdout + mini.stderr
    assert "Signature and comment signature verified" in mini.stdout
    assert f"evault bundle {m['bundle_id']} created {m['created']}" in mini.stdout

    key_line = (inside / "keys" / "evault.pub").read_text("ascii").splitlines()[1]
    direct = _sh(f"minisign -Vm SHA256SUMS -P {key_line}", inside)
    assert direct.returncode == 0, direct.stdout + direct.stderr  # the -P variant of step 5

    ssh = _sh(_command(text, "ssh-keygen -Y verify -f keys/"), inside)
    assert ssh.returncode == 0, ssh.stdout + ssh.stderr
    good = 'Good "evault-bundle-v1" signature for evault-bundle with ED25519 key '
    assert good + m["signer"]["ssh_fingerprint"] in ssh.stdout + ssh.stderr

    # And the same commands catch a changed byte.
    evidence = inside / "evidence" / "0001-photo.png"
    evidence.write_bytes(evidence.read_bytes().replace(b"fictional", b"fictionaL"))
    assert _sh(_command(text, "sha256sum -c"), inside).returncode != 0


# ----------------------------------------------------------------------------- certificate


def test_certificate_passed() -> None:
    res = result()
    parser = audit(certificate_html(res))
    text = parser.all_text
    assert _verdict(parser) == "PASSED"
    assert "FAILED" not in text
    assert "Problems found" not in text
    for value in (
        "2026-03-15 14:02:03 UTC",
        "evault version 0.1.0",
        res["bundle_name"],
        res["bundle_sha256"],
        res["signer_fingerprint"],
    ):
        assert value in text
    assert "matched" in text
    for check in res["checks"]:
        assert check["name"] in text and check["detail"] in text
    for item in res["items"]:
        assert item["sha256"] in text and item["path"] in text
    assert AZ_TITLE in text and RU_TITLE in text
    assert HOSTILE in text and HOSTILE not in certificate_html(res).decode("utf-8")


def test_certificate_failed_lists_the_failing_checks_and_items() -> None:
    res = result(ok=False)
    res["checks"][2] = {"name": "File hashes", "ok": False, "detail": "1 file does not match"}
    res["items"][2] |= {"ok": False, "problems": ["its SHA-256 does not match the manifest"]}
    parser = audit(certificate_html(res))
    text = parser.all_text
    assert _verdict(parser) == "FAILED"
    problems = text[text.index("Problems found") : text.index("What was checked")]
    assert "File hashes" in problems and "1 file does not match" in problems
    assert "evidence/0003-leak.jpg" in problems and RU_TITLE in problems
    assert "its SHA-256 does not match the manifest" in problems
    assert "evidence/0001-" not in problems  # passing items are not listed as problems
    body = text[text.index("Result:") :]
    assert body.count("FAILED") == 3  # verdict, the check, the item: in words, not colour


def test_certificate_shows_the_bundle_details_verify_reports() -> None:
    m = manifest()
    res = result(
        bundle_id=m["bundle_id"],
        created=m["created"],
        case=HOSTILE,
        note=None,
        signer_ssh_fingerprint=m["signer"]["ssh_fingerprint"],
    )
    text = audit(certificate_html(res)).all_text
    assert m["bundle_id"] in text
    assert "2026-03-12 09:00:00 UTC" in text
    assert m["signer"]["ssh_fingerprint"] in text
    assert HOSTILE in text
    assert "Bundle id" not in audit(certificate_html(result())).all_text  # optional


def test_certificate_without_an_expected_key_says_so() -> None:
    """Intact files whose signer nobody compared are not PASSED: a forgery looks just like that."""
    parser = audit(certificate_html(result(ok=False, key_expected=None, key_matched=None)))
    assert _verdict(parser) == "FILES INTACT — SIGNER NOT CONFIRMED"
    assert "No expected key was given" in parser.all_text
    assert "the signer was not compared" in parser.all_text
    # Even a result that (wrongly) says ok without a compared key is not PASSED.
    parser = audit(certificate_html(result(key_expected=None, key_matched=None)))
    assert _verdict(parser) != "PASSED"


def test_certificate_key_mismatch_fails() -> None:
    parser = audit(certificate_html(result(ok=False, key_matched=False)))
    assert _verdict(parser) == "FAILED"
    assert "did NOT match" in parser.all_text


@pytest.mark.parametrize(
    "changes",
    [
        {"key_matched": False},
        {"ok": "true"},
        {"ok": None},
        {"checks": [{"name": "Signatures", "ok": False, "detail": "bad"}]},
        {"items": [{"path": "evidence/0001-x", "title": "x", "ok": False, "problems": []}]},
    ],
)
def test_certificate_fails_closed_on_a_contradictory_result(changes: dict[str, Any]) -> None:
    parser = audit(certificate_html(result(**changes)))
    assert _verdict(parser) == "FAILED"
    assert "Problems found" in parser.all_text


def test_certificate_of_a_sparse_result_does_not_fail() -> None:
    parser = audit(certificate_html({}))
    assert _verdict(parser) == "FAILED"
    assert "No checks were reported." in parser.all_text


def test_inputs_are_not_modified() -> None:
    m, evs, res = manifest(), events(), result()
    before = copy.deepcopy((m, evs, res))
    report_html(m, evs)
    verify_txt(m, bundle_name=BUNDLE)
    certificate_html(res)
    assert (m, evs, res) == before


def test_every_hidden_character_is_one_isprintable_refuses() -> None:
    """The report shows hidden characters as [U+XXXX] and takes a printable text as it is (a
    fast path): that is exact only if no character the pattern matches is printable."""
    hidden = [chr(c) for c in range(0x110000) if _HIDDEN_RE.fullmatch(chr(c))]
    assert len(hidden) > 60  # C0, DEL, C1 and the direction marks
    assert not any(c.isprintable() for c in hidden)
    for c in hidden:
        assert _visible(f"a{c}b") == f"a[U+{ord(c):04X}]b"
    assert _visible("a\tb\nc") == "a\tb\nc"  # tab and newline are kept, as before


@given(st.text())
@settings(max_examples=300)
def test_visible_shows_each_hidden_character_as_its_code(text: str) -> None:
    expected = "".join(f"[U+{ord(c):04X}]" if _HIDDEN_RE.fullmatch(c) else c for c in text)
    assert _visible(text) == expected
