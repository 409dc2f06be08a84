"""The import pipeline on real vaults: provenance, one transaction, re-imports, deletions found,
re-posted pictures recognised, and bundles of imported evidence that still verify.

Exports are Telegram Desktop JSON built here (invented people); the pictures are drawn with Pillow.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from vault import Vault
from vault.bundle.verify import verify_zip
from vault.errors import Cancelled, InvalidInput
from vault.imports.options import ImportOptions
from vault.imports.pipeline import IMPORT_COMPLETED

# 2023-11-14T12:00:00Z = 1699920000 + 43200
T0 = 1699963200


def picture(seed: int, size: tuple[int, int] = (320, 240), quality: int = 90) -> bytes:
    """A photo-like picture: a gradient with shapes placed by ``seed``."""
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(size[1]):
        draw.line([(0, y), (size[0], y)], fill=(y % 256, (seed * 40) % 256, 255 - y % 256))
    for k in range(6):
        x = (seed * 37 + k * 53) % size[0]
        y = (seed * 91 + k * 29) % size[1]
        draw.ellipse([x, y, x + 60, y + 40], fill=((k * 70) % 256, 200, (seed * 13) % 256))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def message(
    mid: int,
    text: Any,
    *,
    offset: int = 0,
    sender: str = "Naməlum Şəxs",
    photo: str | None = None,
    edited: int | None = None,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "id": mid,
        "type": "message",
        "date": "2023-11-14T16:00:00",
        "date_unixtime": str(T0 + offset),
        "from": sender,
        "from_id": "user5550001111",
        "text": text,
    }
    if photo is not None:
        msg["photo"] = photo
    if edited is not None:
        msg["edited"] = "2023-11-14T17:00:00"
        msg["edited_unixtime"] = str(edited)
    return msg


def chat(
    messages: list[dict[str, Any]], *, chat_id: int = 5550001111, name: str = "Naməlum Şəxs"
) -> dict[str, Any]:
    return {"name": name, "type": "personal_chat", "id": chat_id, "messages": messages}


def write_folder(folder: Path, data: dict[str, Any], files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


def first_export(tmp_path: Path, name: str = "ChatExport_2023-11-15") -> Path:
    return write_folder(
        tmp_path / name,
        chat(
            [
                message(1, "Yazılarını dayandır, yoxsa peşman olacaqsan.", offset=0),
                message(2, ["Мы знаем, ", {"type": "bold", "text": "где ты живёшь"}], offset=60),
                message(3, "", offset=120, photo="photos/photo_1@14-11-2023_12-02-00.jpg"),
                message(4, "Bu sonuncu xəbərdarlıqdır.", offset=180),
            ]
        ),
        {"photos/photo_1@14-11-2023_12-02-00.jpg": picture(1)},
    )


def count(vault: Vault) -> int:
    return len(vault.list_items())


def test_import_stores_provenance_messages_media_and_one_event(
    vault: Vault, tmp_path: Path
) -> None:
    folder = first_export(tmp_path)
    summary = vault.import_export(
        "telegram", folder, ImportOptions(case="Threats 2023", tags=("telegram",))
    )
    assert summary.messages == 4 and summary.messages_new == 4
    assert summary.media_stored == 0  # the photo is one of the export's own files, stored once
    assert summary.export_files == 2
    assert summary.first_time == "2023-11-14T12:00:00Z"
    assert summary.last_time == "2023-11-14T12:03:00Z"
    assert [c.title for c in summary.chats] == ["Naməlum Şəxs"]

    items = vault.list_items()
    files = [i for i in items if i.kind == "file"]
    messages = [i for i in items if i.kind == "message"]
    assert len(messages) == 4
    # Every file of the folder is stored unchanged, plus the listing that fingerprints the folder.
    listing = next(i for i in files if i.original_filename == "SHA256SUMS")
    assert summary.source_item_id == listing.id
    raw_json = (folder / "result.json").read_bytes()
    stored_json = next(i for i in files if i.original_filename == "result.json")
    assert stored_json.sha256 == hashlib.sha256(raw_json).hexdigest()
    listed = b"".join(vault.read_content(listing.id)).decode()
    photo_bytes = (folder / "photos/photo_1@14-11-2023_12-02-00.jpg").read_bytes()
    assert (
        f"{hashlib.sha256(photo_bytes).hexdigest()}  photos/photo_1@14-11-2023_12-02-00.jpg"
        in listed
    )
    assert listing.sha256 == summary.source_sha256

    # A message keeps its raw object, its sender id, and its times.
    first = next(m for m in messages if m.title.startswith("Yazılarını"))
    raw = json.loads(b"".join(vault.read_content(first.id)))
    assert raw["id"] == 1 and raw["from_id"] == "user5550001111"
    assert first.sender_id == "user5550001111"
    assert first.occurred_utc is not None and first.occurred_utc.startswith("2023-11-14T12:00:00")
    assert first.case == "Threats 2023" and "telegram" in first.tags
    # Entity lists are flattened for search, but the original keeps the list.
    assert {i.id for i in vault.search("живёшь")} == {
        m.id for m in messages if "Мы знаем" in m.title
    }
    assert vault.search("peşman")  # Azerbaijani, folded search

    # The photo is linked to its message and hidden by default (leaks may be intimate).
    photo = next(i for i in files if i.original_filename.startswith("photo_1"))
    assert photo.sensitive

    events = [r for r in vault.custody_log() if r.type == IMPORT_COMPLETED]
    assert len(events) == 1
    details = events[0].details
    assert details["importer"] == "telegram"
    assert details["source"]["sha256"] == summary.source_sha256
    assert details["settings"]["declared_timezone"] is None
    assert details["counts"]["messages"] == 4
    created = next(r for r in vault.custody_log(first.id) if r.type == "item.created")
    assert created.details["source"] == "import"
    assert created.details["message_key"] == "1"
    assert created.details["time_raw"] == str(T0)
    assert vault.check().ok


def test_same_export_twice_adds_nothing(vault: Vault, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    vault.import_export("telegram", folder)
    before = count(vault)
    events = len(vault.custody_log())
    again = vault.import_export("telegram", folder)
    assert again.already_imported
    assert count(vault) == before
    assert len(vault.custody_log()) == events
    assert len(vault.imports()) == 1


def test_later_export_reports_deleted_and_changed_messages(vault: Vault, tmp_path: Path) -> None:
    vault.import_export("telegram", first_export(tmp_path))
    later = write_folder(
        tmp_path / "ChatExport_2023-11-20",
        chat(
            [
                message(1, "Yazılarını dayandır, yoxsa peşman olacaqsan.", offset=0),
                # message 2 was deleted by the sender; message 4 was edited
                message(3, "", offset=120, photo="photos/photo_1@14-11-2023_12-02-00.jpg"),
                message(4, "Bu sonuncu xəbərdarlıqdır!", offset=180, edited=T0 + 600),
                message(5, "Yeni mesaj", offset=86400),
            ]
        ),
        {"photos/photo_1@14-11-2023_12-02-00.jpg": picture(1)},
    )
    summary = vault.import_export("telegram", later)
    assert summary.messages == 4
    assert summary.messages_already == 2  # 1 and 3 unchanged
    assert summary.messages_changed == 1  # 4 edited
    assert summary.messages_new == 2  # the edited 4 and the new 5
    assert len(summary.missing) == 1
    gone = vault.get_item(summary.missing[0]["item_id"])
    assert "Мы знаем" in gone.title
    # The edited version is linked to the earlier one, which stays.
    edited = next(i for i in vault.list_items() if i.title == "Bu sonuncu xəbərdarlıqdır!")
    assert edited.parent_id is not None
    assert vault.get_item(edited.parent_id).title == "Bu sonuncu xəbərdarlıqdır."
    events = [r for r in vault.custody_log() if r.type == IMPORT_COMPLETED]
    assert events[-1].details["missing_item_ids"] == [gone.id]
    assert vault.check().ok


def test_zip_export_is_one_item_and_media_derive_from_it(vault: Vault, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(
                    path, f"Telegram Desktop/{folder.name}/{path.relative_to(folder).as_posix()}"
                )
    summary = vault.import_export("telegram", archive)
    zip_item = vault.get_item(summary.source_item_id)
    assert zip_item.sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert summary.media_stored == 1
    photo = next(i for i in vault.list_items() if i.original_filename.startswith("photo_1"))
    assert photo.parent_id == zip_item.id
    assert photo.sha256 == hashlib.sha256(picture(1)).hexdigest()


def test_old_export_needs_a_timezone_and_nothing_is_kept_without_one(
    vault: Vault, tmp_path: Path
) -> None:
    old = chat(
        [
            {
                "id": 7,
                "type": "message",
                "date": "2019-05-01T10:00:00",
                "from": "X",
                "from_id": "user1",
                "text": "köhnə",
            }
        ]
    )
    folder = write_folder(tmp_path / "old", old, {})
    before = count(vault)
    with pytest.raises(InvalidInput, match="--timezone"):
        vault.import_export("telegram", folder)
    assert count(vault) == before and vault.imports() == []
    summary = vault.import_export("telegram", folder, ImportOptions(timezone="Asia/Baku"))
    item = next(i for i in vault.list_items() if i.kind == "message")
    # 10:00 in Baku (UTC+4 in 2019) is 06:00 UTC.
    assert item.occurred_utc is not None and item.occurred_utc.startswith("2019-05-01T06:00:00")
    assert item.occurred_tz == "Asia/Baku"
    assert summary.times_declared_zone == 1
    event = next(r for r in vault.custody_log() if r.type == IMPORT_COMPLETED)
    assert event.details["settings"]["declared_timezone"] == "Asia/Baku"


def test_cancel_keeps_nothing(vault: Vault, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    stop = threading.Event()

    def progress(stage: str, done: int, total: int | None) -> None:
        stop.set()

    before = count(vault)
    with pytest.raises(Cancelled):
        vault.import_export("telegram", folder, progress=progress, cancel=stop)
    assert count(vault) == before and vault.imports() == []
    assert vault.check().ok


def test_hostile_zip_is_refused_and_nothing_is_kept(vault: Vault, tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("result.json", json.dumps(chat([message(1, "x")])))
        zf.writestr("../../outside.txt", "escape")
    before = count(vault)
    with pytest.raises(InvalidInput, match="unsafe name"):
        vault.import_export("telegram", archive)
    assert count(vault) == before


def test_wrong_importer_is_one_clear_sentence(vault: Vault, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    with pytest.raises(InvalidInput, match="does not look like a WhatsApp export"):
        vault.import_export("whatsapp", folder)
    with pytest.raises(InvalidInput, match="does not look like an e-mail export"):
        vault.import_export("email", folder)
    with pytest.raises(InvalidInput, match="no importer called"):
        vault.import_export("myspace", folder)


def reposted_export(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    """Two channels post the same leaked picture (the second re-encoded smaller); one unrelated."""
    leaked = picture(5)
    # The same picture, re-encoded smaller by the second channel; and an unrelated picture.
    img = Image.open(io.BytesIO(leaked))
    smaller = io.BytesIO()
    img.resize((240, 180)).save(smaller, "JPEG", quality=60)
    full = {
        "about": "export",
        "chats": {
            "about": "chats",
            "list": [
                chat(
                    [message(1, "bax", photo="chats/chat_001/photos/a.jpg")],
                    chat_id=1,
                    name="Kanal A",
                ),
                chat(
                    [
                        message(1, "bax", photo="chats/chat_002/photos/b.jpg"),
                        message(2, "başqa", offset=5, photo="chats/chat_002/photos/c.jpg"),
                    ],
                    chat_id=2,
                    name="Kanal B",
                ),
            ],
        },
    }
    folder = write_folder(
        tmp_path / "DataExport",
        full,
        {
            "chats/chat_001/photos/a.jpg": leaked,
            "chats/chat_002/photos/b.jpg": smaller.getvalue(),
            "chats/chat_002/photos/c.jpg": picture(99),
        },
    )
    return folder, leaked, smaller.getvalue()


def test_reposted_photo_is_recognised_across_chats(vault: Vault, tmp_path: Path) -> None:
    folder, leaked, smaller_bytes = reposted_export(tmp_path)
    vault.import_export("telegram", folder)
    first = next(i for i in vault.list_items() if i.original_filename == "a.jpg")
    result = vault.similar(first.id)
    titles = {m.item.original_filename for m in result.matches}
    assert titles == {"a.jpg", "b.jpg"}
    assert result.times_seen == 2
    assert result.chats == ["Kanal A", "Kanal B"]
    assert result.hash is not None and len(result.hash) == 16
    hashes = vault.picture_hashes()
    assert {h["sha256"] for h in hashes} == {
        hashlib.sha256(b).hexdigest() for b in (leaked, smaller_bytes, picture(99))
    }


def test_bundle_of_imported_messages_verifies(vault: Vault, tmp_path: Path) -> None:
    vault.import_export("telegram", first_export(tmp_path), ImportOptions(case="Case T"))
    out = tmp_path / "bundle.zip"
    vault.export_bundle(out, case="Case T")
    result = verify_zip(out)
    assert result.intact, result.to_json()
    with zipfile.ZipFile(out) as zf:
        lines = zf.read("custody.jsonl").decode().splitlines()
    types = [json.loads(line)["body"]["type"] for line in lines]
    # The import's own event travels with the imported messages: the lawyer sees the provenance.
    assert IMPORT_COMPLETED in types


def test_email_raw_kept_byte_for_byte_and_attachments_linked(vault: Vault, tmp_path: Path) -> None:
    photo = picture(7)
    import base64

    body = base64.encodebytes(photo).decode("ascii").replace("\n", "\r\n")
    raw = (
        "Received: from mx.example.net by mail.example.org; Tue, 14 Nov 2023 16:00:05 +0400\r\n"
        "From: =?UTF-8?Q?Nam=C9=99lum?= <anon@example.net>\r\n"
        "To: jurnalist@example.org\r\n"
        "Subject: =?UTF-8?B?0KLRiyDQv9C+0LbQsNC70LXQtdGI0Yw=?=\r\n"
        "Date: Tue, 14 Nov 2023 16:00:00 +0400\r\n"
        "Message-ID: <threat-1@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Bu şəkli hamı görəcək.\r\n"
        "--b1\r\n"
        "Content-Type: image/jpeg\r\n"
        'Content-Disposition: attachment; filename="photo.jpg"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n" + body + "--b1--\r\n"
    ).encode("utf-8")
    eml = tmp_path / "threat.eml"
    eml.write_bytes(raw)
    summary = vault.import_export("email", eml)
    assert summary.messages_new == 1 and summary.media_stored == 1
    (message_item,) = [i for i in vault.list_items() if i.kind == "message"]
    assert b"".join(vault.read_content(message_item.id)) == raw  # byte for byte
    assert message_item.media_type == "message/rfc822"
    assert message_item.title == "Ты пожалеешь"
    assert message_item.sender_id == "anon@example.net"
    # 16:00 at +04:00 is 12:00 UTC.
    assert message_item.occurred_utc is not None
    assert message_item.occurred_utc.startswith("2023-11-14T12:00:00")
    attachment = next(i for i in vault.list_items() if i.original_filename == "photo.jpg")
    assert attachment.sha256 == hashlib.sha256(photo).hexdigest()
    assert attachment.sensitive
    assert vault.search("gorecek")
    assert vault.similar(attachment.id).hash is not None
    assert vault.check().ok


def test_export_cut_short_keeps_nothing(vault: Vault, tmp_path: Path) -> None:
    """The parser reads half the messages before the damage: still nothing is kept."""
    folder = first_export(tmp_path)
    text = (folder / "result.json").read_text("utf-8")
    (folder / "result.json").write_text(text[: int(len(text) * 0.8)], "utf-8")
    before = count(vault)
    events = len(vault.custody_log())
    with pytest.raises(InvalidInput, match="damaged or cut short"):
        vault.import_export("telegram", folder)
    assert count(vault) == before
    assert len(vault.custody_log()) == events
    assert vault.imports() == []
    assert vault.check().ok


def test_deleting_an_imported_message_removes_what_the_import_knew(
    vault: Vault, tmp_path: Path
) -> None:
    vault.import_export("telegram", first_export(tmp_path))
    photo_message = next(i for i in vault.list_items() if i.title == "[photo]")
    vault.delete_item(photo_message.id, reason="wrong chat")
    chat = vault.chats()[0]
    assert photo_message.id not in {
        line.item_id for line in vault.chat_lines(chat.platform, chat.key)
    }
    assert vault.check().ok
    event = next(r for r in vault.custody_log() if r.type == IMPORT_COMPLETED)
    assert event.details["program"].startswith("evidence-vault ")
