"""An imported message's text, read again from its stored original (``vault.imports.readable``).

The original of a Telegram or Meta message is its JSON object and of an e-mail its bytes with
MIME parts: a bundle's report and the message's readable copy show the message's text instead. These tests hold
that text to what the import itself read from the same message, for every message of each
platform's fixtures (mojibake, end-to-end encrypted chats, quoted mbox lines, MIME encodings
included), and follow it through a real vault, a real bundle and its report.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.importers import test_email as mail
from tests.importers import test_meta as meta_fx
from tests.importers import test_telegram as tg
from tests.importers.test_importing import chat, message, write_folder
from vault import Vault
from vault.evidence.models import Metadata
from vault.imports.messages import raw_bytes
from vault.imports.options import ImportOptions
from vault.imports.parsers.records import ImportedMessage
from vault.imports.readable import readable_text


def _same_text(importer: str, messages: list[ImportedMessage]) -> None:
    assert messages
    for m in messages:
        got = readable_text(importer, raw_bytes(m.raw), m.transformations, chat_key=m.chat_key)
        assert got == m.text, (m.key, got, m.text)


def test_telegram_every_message_of_a_full_export(tmp_path: Path) -> None:
    records = tg.collect(tg.write_folder(tmp_path / "tg", tg.full_export()))
    messages = [r for r in records if isinstance(r, ImportedMessage)]
    # The fixture has what makes the text differ from a plain string: entity lists, services.
    assert any(isinstance(m.raw.get("text"), list) for m in messages)
    assert any(m.kind == "service" for m in messages)
    _same_text("telegram", messages)


def test_meta_plain_and_mojibake_threads(tmp_path: Path) -> None:
    for name, obj in (
        ("plain", meta_fx.thread(meta_fx.basic_messages("photos/x.jpg"))),
        ("moji", meta_fx.moji_all(meta_fx.thread(meta_fx.basic_messages("photos/x.jpg")))),
    ):
        root = meta_fx.write_tree(
            tmp_path / name,
            {"messages/inbox/qaraqurd_1234567890/message_1.json": meta_fx.dump(obj)},
        )
        messages = meta_fx.messages(meta_fx.run(root))
        if name == "moji":  # the import repaired these: the reading again must repair them too
            assert any(m.transformations for m in messages)
            assert all("Ã" not in m.text and "Ð" not in m.text for m in messages)
        _same_text("meta", messages)


def test_meta_shares_calls_and_unsent(tmp_path: Path) -> None:
    items = [
        meta_fx.msg(
            meta_fx.THREATENER,
            1_700_000_003_000,
            "bax",
            type="Share",
            share={"link": "https://example.org/leak", "share_text": "Sənin şəklin"},
        ),
        meta_fx.msg(meta_fx.THREATENER, 1_700_000_002_000, type="Call", call_duration=12),
        meta_fx.msg(meta_fx.THREATENER, 1_700_000_001_000, "silindi", is_unsent=True),
    ]
    root = meta_fx.write_tree(
        tmp_path / "m",
        {"messages/inbox/q_1/message_1.json": meta_fx.dump(meta_fx.thread(items))},
    )
    messages = meta_fx.messages(meta_fx.run(root))
    assert {"[call, 12 s]", "silindi\n[unsent message]"} <= {m.text for m in messages}
    _same_text("meta", messages)


def test_meta_end_to_end_encrypted_chat(tmp_path: Path) -> None:
    archive = meta_fx.write_zip(
        tmp_path / "e2ee.zip",
        {
            "secure_chats/qaraqurd_42.json": json.dumps(
                meta_fx.e2ee_thread(), ensure_ascii=False
            ).encode()
        },
    )
    messages = meta_fx.messages(meta_fx.run(archive))
    assert any(m.text == "[unsent message]" for m in messages)
    _same_text("meta", messages)


def test_email_mime_and_quoted_mbox_lines(tmp_path: Path) -> None:
    eml = mail._messages(mail._parse(mail._write(tmp_path, "t.eml", mail._main_message())))
    # Its body is base64 / quoted-printable / HTML: the original is not the text.
    assert eml[0].text.encode() not in eml[0].raw
    _same_text("email", eml)
    box = mail._mbox((mail.ENV_1, mail.MBOX_1), (mail.ENV_2, mail.MBOX_2))
    messages = mail._messages(mail._parse(mail._write(tmp_path, "Inbox.mbox", box)))
    assert any(m.transformations for m in messages)  # '>From ' read with one '>' removed
    _same_text("email", messages)


@pytest.mark.parametrize(
    ("importer", "original"),
    [
        ("telegram", b"not json"),
        ("telegram", b"[1, 2]"),
        ("telegram", b"[" * 100_000 + b"]" * 100_000),
        ("meta", b"\xff\xfe"),
        ("email", b"\x00" * 64),
        ("whatsapp", b"[02/03/2026, 21:14] A: hi"),
    ],
)
def test_anything_else_is_shown_as_stored(importer: str, original: bytes) -> None:
    assert readable_text(importer, original, []) is None


def _telegram_vault(vault: Vault, tmp_path: Path) -> dict[str, str]:
    entities = [
        "Bax ",
        {"type": "text_link", "text": "bura", "href": "https://example.org/leak"},
        " və sus.",
    ]
    data = chat(
        [
            message(1, "Gecə gözlə.", offset=0),
            message(2, entities, offset=60),
        ]
    )
    folder = write_folder(tmp_path / "ChatExport", data, {})
    vault.import_export("telegram", folder, ImportOptions(case="Case R"))
    rows = vault.list_items()
    return {r.title: r.id for r in rows if r.kind == "message"}


def test_the_bundle_shows_the_text_not_the_json(vault: Vault, tmp_path: Path) -> None:
    ids = _telegram_vault(vault, tmp_path)
    linked = next(i for t, i in ids.items() if t.startswith("Bax"))
    expected = "Bax bura (https://example.org/leak) və sus."
    original = b"".join(vault.read_content(linked))
    assert json.loads(original)["text"][1]["href"] == "https://example.org/leak"

    out = tmp_path / "b.zip"
    vault.export_bundle(out, item_ids=list(ids.values()))
    with zipfile.ZipFile(out) as zf:
        report = zf.read("report.html").decode()
        manifest = json.loads(zf.read("manifest.json"))
        entry = next(e for e in manifest["items"] if e["id"] == linked)
        stored = zf.read(entry["path"])
        derived = json.loads(zf.read(entry["text_path"]))
    # The evidence itself is unchanged: the original, byte for byte, under its recorded hash.
    assert stored == original
    assert hashlib.sha256(stored).hexdigest() == entry["sha256"]
    assert derived["text"] == expected
    assert "read from its original record" in report
    assert "Bax bura (https://example.org/leak) və sus." in report
    assert "text_entities" not in report and "&quot;href&quot;" not in report


def test_a_typed_message_is_shown_as_typed(vault: Vault, tmp_path: Path) -> None:
    typed = '{"text": "looks like JSON, typed by hand"}'
    result = vault.add_message(typed, Metadata(title="typed"))
    out = tmp_path / "t.zip"
    vault.export_bundle(out, item_ids=[result.item_id])
    with zipfile.ZipFile(out) as zf:
        report = zf.read("report.html").decode()
    assert "read from its original record" not in report


def _shift_jis_mail() -> bytes:
    """An e-mail whose body is Shift_JIS bytes (8bit), as Japanese mail often is: not UTF-8."""
    head = (
        "From: Anonim <anonim@tehdid.example>\r\n"
        "To: jurnalist@example.org\r\n"
        "Date: Tue, 14 Nov 2023 08:00:00 +0900\r\n"
        "Subject: warning\r\n"
        "Message-ID: <sjis-1@tehdid.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=Shift_JIS\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode("ascii")
    return head + "記事を消せ。お前の家を知っている。\r\n".encode("shift_jis")


def test_the_app_gets_the_text_and_the_original(vault: Vault, tmp_path: Path) -> None:
    ids = _telegram_vault(vault, tmp_path)
    linked = next(i for t, i in ids.items() if t.startswith("Bax"))
    original, reading = vault.read_message_text(linked)
    assert reading == "Bax bura (https://example.org/leak) və sus."
    assert json.loads(original)["id"] == 2
    typed = vault.add_message("typed by hand", Metadata(title="typed")).item_id
    assert vault.read_message_text(typed) == ("typed by hand", None)


def test_a_mail_in_another_charset_is_shown_not_refused(vault: Vault, tmp_path: Path) -> None:
    """Its original is not UTF-8: showing it used to raise UnicodeDecodeError in the app."""
    mail_file = tmp_path / "sjis.eml"
    mail_file.write_bytes(_shift_jis_mail())
    vault.import_export("email", mail_file, ImportOptions())
    item = next(i for i in vault.list_items() if i.kind == "message")
    assert "\ufffd" in vault.read_text(item.id)  # the Shift_JIS bytes, shown, not fatal
    original, reading = vault.read_message_text(item.id)
    assert reading is not None and "記事を消せ。お前の家を知っている。" in reading
    assert original.startswith("From: Anonim")
