"""Telegram Desktop JSON exports: single chats, full-account exports, ZIPs, old local-time exports.

Every person, chat and id here is invented. Expected UTC times are worked out by hand in comments
(2023-11-14T00:00:00Z is Unix 1699920000), not by calling the code under test.
"""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vault.errors import InvalidInput
from vault.imports.parsers import telegram
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    TIME_FROM_EXPORT,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
TOO_BIG = "(File exceeds maximum size. Change data exporting settings to download.)"

# 2023-11-14T12:00:00Z = 1699920000 + 12*3600 = 1699963200
T_1200 = 1699963200


def ut(seconds: int) -> str:
    """Telegram writes unix times as strings."""
    return str(seconds)


# ---- fixtures ------------------------------------------------------------------------------


def personal_chat() -> dict[str, Any]:
    """A single chat export: a stranger threatens a journalist (names invented)."""
    return {
        "name": "Naməlum Şəxs",
        "type": "personal_chat",
        "id": 5550001111,
        "messages": [
            {
                "id": 101,
                "type": "message",
                "date": "2023-11-14T16:00:00",
                "date_unixtime": ut(T_1200),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "text": "Yazılarını dayandır. Biz sənin harada yaşadığını bilirik.",
                "text_entities": [
                    {
                        "type": "plain",
                        "text": "Yazılarını dayandır. Biz sənin harada yaşadığını bilirik.",
                    }
                ],
            },
            {
                "id": 102,
                "type": "message",
                "date": "2023-11-14T16:01:05",
                "date_unixtime": ut(T_1200 + 65),  # 12:01:05Z
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "photo": "photos/photo_1@14-11-2023_16-01-05.jpg",
                "photo_file_size": 48213,
                "width": 1280,
                "height": 960,
                "text": "Bu sənin evindir?",
                "text_entities": [{"type": "plain", "text": "Bu sənin evindir?"}],
            },
            {
                "id": 103,
                "type": "message",
                "date": "2023-11-14T16:02:00",
                "date_unixtime": ut(T_1200 + 120),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "photo": NOT_INCLUDED,
                "width": 800,
                "height": 600,
                "text": "",
                "text_entities": [],
            },
            {
                "id": 104,
                "type": "message",
                "date": "2023-11-14T16:03:00",
                "date_unixtime": ut(T_1200 + 180),
                "from": "Leyla Qurbanova",
                "from_id": "user4440002222",
                "reply_to_message_id": 102,
                "text": "Bu yazışmanı saxlayıram.",
                "text_entities": [{"type": "plain", "text": "Bu yazışmanı saxlayıram."}],
            },
            {
                "id": 105,
                "type": "message",
                "date": "2023-11-14T16:04:00",
                "date_unixtime": ut(T_1200 + 240),
                "edited": "2023-11-14T16:10:00",
                "edited_unixtime": ut(T_1200 + 600),  # 12:10:00Z
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": "voice_messages/audio_1@14-11-2023_16-04-00.ogg",
                "file_size": 20111,
                "media_type": "voice_message",
                "mime_type": "audio/ogg",
                "duration_seconds": 14,
                "text": "",
                "text_entities": [],
            },
            {
                "id": 106,
                "type": "message",
                "date": "2023-11-14T16:05:00",
                "date_unixtime": ut(T_1200 + 300),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": "round_video_messages/file_2@14-11-2023_16-05-00.mp4",
                "thumbnail": "round_video_messages/file_2@14-11-2023_16-05-00.mp4_thumb.jpg",
                "media_type": "video_message",
                "mime_type": "video/mp4",
                "duration_seconds": 9,
                "text": "",
                "text_entities": [],
            },
            {
                "id": 107,
                "type": "message",
                "date": "2023-11-14T16:06:00",
                "date_unixtime": ut(T_1200 + 360),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": "stickers/sticker.webp",
                "thumbnail": "stickers/sticker.webp_thumb.jpg",
                "media_type": "sticker",
                "sticker_emoji": "🔪",
                "mime_type": "image/webp",
                "text": "",
                "text_entities": [],
            },
            {
                "id": 108,
                "type": "message",
                "date": "2023-11-14T16:07:00",
                "date_unixtime": ut(T_1200 + 420),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": "files/ünvanlar.pdf",
                "file_name": "ünvanlar.pdf",
                "mime_type": "application/pdf",
                "text": "",
                "text_entities": [],
            },
            {
                "id": 109,
                "type": "message",
                "date": "2023-11-14T16:08:00",
                "date_unixtime": ut(T_1200 + 480),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": TOO_BIG,
                "file_name": "video_2023.mp4",
                "media_type": "video_file",
                "mime_type": "video/mp4",
                "text": "",
                "text_entities": [],
            },
            {
                "id": 110,
                "type": "message",
                "date": "2023-11-14T16:09:00",
                "date_unixtime": ut(T_1200 + 540),
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "file": "animations/gif_1.mp4",
                "media_type": "animation",
                "mime_type": "video/mp4",
                "text": "",
                "text_entities": [],
            },
        ],
    }


PERSONAL_MEDIA = {
    "photos/photo_1@14-11-2023_16-01-05.jpg": b"\xff\xd8\xff\xe0fake-jpeg",
    "voice_messages/audio_1@14-11-2023_16-04-00.ogg": b"OggS-fake",
    "round_video_messages/file_2@14-11-2023_16-05-00.mp4": b"fake-mp4",
    "round_video_messages/file_2@14-11-2023_16-05-00.mp4_thumb.jpg": b"thumb",
    "stickers/sticker.webp": b"RIFF-fake",
    "stickers/sticker.webp_thumb.jpg": b"thumb",
    "files/ünvanlar.pdf": b"%PDF-1.4 fake",
    # animations/gif_1.mp4 deliberately missing: the export names it, the folder lacks it
}


def full_export() -> dict[str, Any]:
    """A full-account export: a personal chat, a channel with forwards, a group with services."""
    return {
        "about": "Here is the data you requested. Remember: Telegram is ad free, ...",
        "personal_information": {
            "user_id": 4440002222,
            "first_name": "Leyla",
            "last_name": "Qurbanova",
            "phone_number": "+994 00 000 0000",
            "username": "",
            "bio": "",
        },
        "contacts": {"about": "...", "list": [{"first_name": "Aysel", "date_unixtime": "1"}]},
        "chats": {
            "about": "This page lists all chats from this export.",
            "list": [
                {
                    "name": "Tural Əliyev",
                    "type": "personal_chat",
                    "id": 7770003333,
                    "messages": [
                        {
                            "id": 1,
                            "type": "message",
                            "date": "2023-11-14T16:00:00",
                            "date_unixtime": ut(T_1200),
                            "from": "Tural Əliyev",
                            "from_id": "user7770003333",
                            "photo": "chats/chat_001/photos/photo_1@14-11-2023_12-00-00.jpg",
                            "text": "Sənə göndərdikləri şəkil budur.",
                        }
                    ],
                },
                {
                    "name": "Xəbərlər Kanalı (uydurma)",
                    "type": "public_channel",
                    "id": 1234567890,
                    "messages": [
                        {
                            "id": 500,
                            "type": "message",
                            "date": "2023-11-15T10:00:00",
                            # 2023-11-15T06:00:00Z = 1699920000 + 86400 + 6*3600 = 1700028000
                            "date_unixtime": "1700028000",
                            "from": "Xəbərlər Kanalı (uydurma)",
                            "from_id": "channel1234567890",
                            "author": "Redaktor",
                            "forwarded_from": "Anonim Mənbə",
                            "text": [
                                "Jurnalist ",
                                {"type": "bold", "text": "L. Qurbanova"},
                                " haqqında yalan iddialar yayıldı.",
                            ],
                        },
                        {
                            "id": 501,
                            "type": "message",
                            "date": "2023-11-15T10:05:00",
                            "date_unixtime": "1700028300",
                            "from": "Xəbərlər Kanalı (uydurma)",
                            "from_id": "channel1234567890",
                            "forwarded_from": "Некий Канал",
                            "via_bot": "@uydurma_bot",
                            "text": "Мы знаем, где работает её семья.",
                        },
                    ],
                },
                {
                    "name": "Müdafiəçilər qrupu",
                    "type": "private_supergroup",
                    "id": 9876543210,
                    "messages": [
                        {
                            "id": 1,
                            "type": "service",
                            "date": "2023-11-14T09:00:00",
                            "date_unixtime": "1699938000",  # 05:00:00Z
                            "actor": "Leyla Qurbanova",
                            "actor_id": "user4440002222",
                            "action": "create_group",
                            "title": "Müdafiəçilər qrupu",
                            "members": ["Leyla Qurbanova", "Tural Əliyev"],
                            "text": "",
                            "text_entities": [],
                        },
                        {
                            "id": 2,
                            "type": "service",
                            "date": "2023-11-14T09:05:00",
                            "date_unixtime": "1699938300",
                            "actor": "Leyla Qurbanova",
                            "actor_id": "user4440002222",
                            "action": "invite_members",
                            "members": ["Sevinc Məmmədova"],
                            "text": "",
                            "text_entities": [],
                        },
                        {
                            "id": 3,
                            "type": "message",
                            "date": "2023-11-14T09:06:00",
                            "date_unixtime": "1699938360",
                            "from": "Sevinc Məmmədova",
                            "from_id": "user1110004444",
                            "text": "Təhdidləri buraya yazaq.",
                        },
                        {
                            "id": 4,
                            "type": "service",
                            "date": "2023-11-14T09:07:00",
                            "date_unixtime": "1699938420",
                            "actor": "Leyla Qurbanova",
                            "actor_id": "user4440002222",
                            "action": "pin_message",
                            "message_id": 3,
                            "text": "",
                        },
                        {
                            "id": 5,
                            "type": "service",
                            "date": "2023-11-14T09:30:00",
                            "date_unixtime": "1699939800",
                            "actor": "Tural Əliyev",
                            "actor_id": "user7770003333",
                            "action": "phone_call",
                            "duration_seconds": 95,
                            "discard_reason": "hangup",
                            "text": "",
                        },
                    ],
                },
            ],
        },
        "left_chats": {
            "about": "This page lists all supergroups and channels from this export that you've left.",
            "list": [
                {
                    "name": "Köhnə qrup",
                    "type": "private_supergroup",
                    "id": 1112223334,
                    "messages": [
                        {
                            "id": 77,
                            "type": "message",
                            "date": "2023-11-01T08:00:00",
                            "date_unixtime": "1698825600",
                            "from": "Deleted Account",
                            "from_id": "user1000000001",
                            "text": "Sən də sıradasan.",
                        }
                    ],
                }
            ],
        },
    }


def old_export() -> dict[str, Any]:
    """An export from an older Telegram Desktop: ``date`` only, the computer's wall clock."""
    return {
        "name": "Naməlum Şəxs",
        "type": "personal_chat",
        "id": 5550001111,
        "messages": [
            {
                "id": 11,
                "type": "message",
                "date": "2023-11-14T12:00:00",
                "edited": "2023-11-14T12:30:00",
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "text": "Səni izləyirik.",
            },
            {
                "id": 12,
                "type": "message",
                "date": "2023-07-01T23:30:00",
                "from": "Naməlum Şəxs",
                "from_id": "user5550001111",
                "text": "Мы рядом.",
            },
        ],
    }


def write_folder(root: Path, data: Any, media: dict[str, bytes] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    for name, content in (media or {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root


def write_zip(path: Path, prefix: str, data: Any, media: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(prefix + "result.json", json.dumps(data, ensure_ascii=False))
        for name, content in (media or {}).items():
            zf.writestr(prefix + name, content)
    return path


def collect(path: Path, **options: Any) -> list[Any]:
    with ExportSource(path) as source:
        return list(telegram.parse(source, **options))


def messages(records: list[Any]) -> dict[tuple[str, str], ImportedMessage]:
    return {(r.chat_key, r.key): r for r in records if isinstance(r, ImportedMessage)}


def detect(path: Path) -> bool:
    with ExportSource(path) as source:
        return telegram.detect(source)


@pytest.fixture
def personal(tmp_path: Path) -> list[Any]:
    return collect(
        write_folder(tmp_path / "ChatExport_2023-11-14", personal_chat(), PERSONAL_MEDIA)
    )


# ---- detect --------------------------------------------------------------------------------


def test_detects_single_chat_folder_zip_and_lone_file(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "chat", personal_chat())
    assert detect(folder)
    assert detect(folder / "result.json")
    assert detect(write_zip(tmp_path / "c.zip", "Telegram Desktop/ChatExport/", personal_chat()))


def test_detects_full_export_even_with_a_long_contact_list_first(tmp_path: Path) -> None:
    data = full_export()
    data["contacts"]["list"] = [
        {"first_name": f"Kontakt {i}", "last_name": "", "phone_number": "", "date": "x"}
        for i in range(3000)
    ]  # pushes "chats" far past the first 64 KiB
    assert detect(write_folder(tmp_path / "DataExport", data))


def test_does_not_detect_other_json(tmp_path: Path) -> None:
    meta_like = {
        "participants": [{"name": "A"}],
        "messages": [{"sender_name": "A", "timestamp_ms": 1699963200000, "content": "salam"}],
    }
    assert not detect(write_folder(tmp_path / "meta", meta_like))
    assert not detect(write_folder(tmp_path / "results", {"results": [1, 2, 3]}))
    plain = tmp_path / "notes"
    plain.mkdir()
    (plain / "messages.json").write_text(json.dumps(personal_chat()), "utf-8")
    assert not detect(plain)  # no result.json in a folder
    (tmp_path / "result.json.txt").write_text("hello", "utf-8")
    assert not detect(tmp_path / "result.json.txt")


# ---- single chat folder --------------------------------------------------------------------


def test_chat_is_yielded_first_with_its_header(personal: list[Any]) -> None:
    assert personal[0] == ImportedChat(
        key="5550001111", title="Naməlum Şəxs", platform="telegram", kind="personal_chat"
    )
    assert all(isinstance(r, ImportedMessage) for r in personal[1:])
    assert [r.key for r in personal[1:]] == [str(n) for n in range(101, 111)]


def test_message_fields(personal: list[Any]) -> None:
    msg = messages(personal)[("5550001111", "101")]
    assert msg.sender_name == "Naməlum Şəxs"
    assert msg.sender_id == "user5550001111"
    assert msg.time.utc == "2023-11-14T12:00:00Z"
    assert msg.time.raw == "1699963200"
    assert msg.time.source == TIME_FROM_EXPORT
    assert msg.text == "Yazılarını dayandır. Biz sənin harada yaşadığını bilirik."
    assert msg.kind == "message"
    assert msg.reply_to == "" and msg.forwarded_from == "" and msg.edited is None
    assert msg.media == ()
    assert msg.raw == personal_chat()["messages"][0]


def test_photo_present_and_photo_not_included(personal: list[Any]) -> None:
    got = messages(personal)
    assert got[("5550001111", "102")].media == (
        ImportedMedia(
            role="photo",
            name="photo_1@14-11-2023_16-01-05.jpg",
            path="photos/photo_1@14-11-2023_16-01-05.jpg",
        ),
    )
    assert got[("5550001111", "102")].details["photo_file_size"] == 48213
    assert got[("5550001111", "102")].time.utc == "2023-11-14T12:01:05Z"
    assert got[("5550001111", "103")].media == (
        ImportedMedia(role="photo", name="", path=None, note=NOT_INCLUDED),
    )


def test_file_roles_and_no_thumbnails(personal: list[Any]) -> None:
    got = messages(personal)

    def media(key: str) -> ImportedMedia:
        (one,) = got[("5550001111", key)].media
        return one

    assert media("105") == ImportedMedia(
        "voice",
        "audio_1@14-11-2023_16-04-00.ogg",
        "voice_messages/audio_1@14-11-2023_16-04-00.ogg",
        "audio/ogg",
    )
    assert media("106").role == "video"
    assert media("106").path == "round_video_messages/file_2@14-11-2023_16-05-00.mp4"
    assert media("107") == ImportedMedia(
        "sticker", "sticker.webp", "stickers/sticker.webp", "image/webp"
    )
    assert media("108") == ImportedMedia(
        "file", "ünvanlar.pdf", "files/ünvanlar.pdf", "application/pdf"
    )
    assert media("109") == ImportedMedia("video", "video_2023.mp4", None, "video/mp4", note=TOO_BIG)
    assert got[("5550001111", "107")].details["sticker_emoji"] == "🔪"
    assert got[("5550001111", "105")].details == {
        "media_type": "voice_message",
        "mime_type": "audio/ogg",
        "duration_seconds": 14,
        "file_size": 20111,
    }


def test_named_media_missing_from_the_folder(personal: list[Any]) -> None:
    (gif,) = messages(personal)[("5550001111", "110")].media
    assert gif == ImportedMedia("gif", "gif_1.mp4", None, "video/mp4", note="not in the export")


def test_lone_result_json_has_no_media_files(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "chat", personal_chat(), PERSONAL_MEDIA)
    records = collect(folder / "result.json")
    (photo,) = messages(records)[("5550001111", "102")].media
    assert photo.path is None and photo.note == "not in the export"
    assert len(messages(records)) == 10


def test_replies_and_edits(personal: list[Any]) -> None:
    got = messages(personal)
    assert got[("5550001111", "104")].reply_to == "102"
    edited = got[("5550001111", "105")].edited
    assert edited is not None
    assert edited.utc == "2023-11-14T12:10:00Z"
    assert edited.source == TIME_FROM_EXPORT
    assert got[("5550001111", "105")].time.utc == "2023-11-14T12:04:00Z"


def test_reply_to_another_chat_is_not_linked(tmp_path: Path) -> None:
    data = personal_chat()
    data["messages"][0]["reply_to_message_id"] = 9
    data["messages"][0]["reply_to_peer_id"] = "channel1234567890"
    msg = messages(collect(write_folder(tmp_path / "c", data)))[("5550001111", "101")]
    assert msg.reply_to == ""
    assert msg.details["reply_to_message_id"] == 9
    assert msg.details["reply_to_peer_id"] == "channel1234567890"


# ---- full-account export -------------------------------------------------------------------


@pytest.fixture
def full(tmp_path: Path) -> list[Any]:
    media = {"chats/chat_001/photos/photo_1@14-11-2023_12-00-00.jpg": b"\xff\xd8fake"}
    return collect(write_folder(tmp_path / "DataExport_2023-11-16", full_export(), media))


def test_full_export_chats_in_order_each_before_its_messages(full: list[Any]) -> None:
    chats = [r for r in full if isinstance(r, ImportedChat)]
    assert [(c.key, c.title, c.kind) for c in chats] == [
        ("7770003333", "Tural Əliyev", "personal_chat"),
        ("1234567890", "Xəbərlər Kanalı (uydurma)", "public_channel"),
        ("9876543210", "Müdafiəçilər qrupu", "private_supergroup"),
        ("1112223334", "Köhnə qrup", "private_supergroup"),  # from left_chats
    ]
    announced: set[str] = set()
    for record in full:
        if isinstance(record, ImportedChat):
            announced.add(record.key)
        else:
            assert record.chat_key in announced
    assert len(messages(full)) == 1 + 2 + 5 + 1
    assert not [r for r in full if isinstance(r, ImportProblem)]


def test_full_export_media_path_is_relative_to_result_json(full: list[Any]) -> None:
    (photo,) = messages(full)[("7770003333", "1")].media
    assert photo.path == "chats/chat_001/photos/photo_1@14-11-2023_12-00-00.jpg"


def test_channel_with_forwards(full: list[Any]) -> None:
    got = messages(full)
    first = got[("1234567890", "500")]
    assert first.sender_id == "channel1234567890"
    assert first.forwarded_from == "Anonim Mənbə"
    assert first.details["author"] == "Redaktor"
    assert first.text == "Jurnalist L. Qurbanova haqqında yalan iddialar yayıldı."
    assert first.time.utc == "2023-11-15T06:00:00Z"
    second = got[("1234567890", "501")]
    assert second.forwarded_from == "Некий Канал"
    assert second.details == {"via_bot": "@uydurma_bot"}


def test_group_service_messages(full: list[Any]) -> None:
    got = messages(full)
    create = got[("9876543210", "1")]
    assert create.kind == "service"
    assert create.sender_name == "Leyla Qurbanova"
    assert create.sender_id == "user4440002222"
    assert create.text == (
        "[service: create_group] by Leyla Qurbanova: Müdafiəçilər qrupu "
        "(members: Leyla Qurbanova, Tural Əliyev)"
    )
    assert create.time.utc == "2023-11-14T05:00:00Z"
    invite = got[("9876543210", "2")]
    assert invite.text == "[service: invite_members] by Leyla Qurbanova (members: Sevinc Məmmədova)"
    assert invite.details == {"action": "invite_members", "members": ["Sevinc Məmmədova"]}
    pin = got[("9876543210", "4")]
    assert pin.text == "[service: pin_message] by Leyla Qurbanova"
    assert pin.details == {"action": "pin_message", "message_id": 3}
    call = got[("9876543210", "5")]
    assert call.details == {
        "action": "phone_call",
        "duration_seconds": 95,
        "discard_reason": "hangup",
    }
    assert got[("9876543210", "3")].kind == "message"


# ---- text ----------------------------------------------------------------------------------


def test_text_entities_flattened_azerbaijani_and_russian(tmp_path: Path) -> None:
    data = personal_chat()
    data["messages"][0]["text"] = [
        {"type": "bold", "text": "Xəbərdarlıq:"},
        " bu gün ",
        {"type": "mention", "text": "@leyla_q_uydurma"},
        " haqqında yazı çıxdı, bax ",
        {"type": "link", "text": "https://example.org/yazi"},
        ". Прочитай ",
        {"type": "text_link", "text": "здесь", "href": "https://example.org/ru"},
        " и ",
        {"type": "italic", "text": "подумай"},
        {"type": "custom_emoji", "text": "⚠", "document_id": "stickers/x.webp"},
    ]
    msg = messages(collect(write_folder(tmp_path / "c", data)))[("5550001111", "101")]
    assert msg.text == (
        "Xəbərdarlıq: bu gün @leyla_q_uydurma haqqında yazı çıxdı, bax "
        "https://example.org/yazi. Прочитай здесь (https://example.org/ru) и подумай⚠"
    )
    assert msg.raw["text"][6]["href"] == "https://example.org/ru"


def test_flatten_text_edge_cases() -> None:
    assert telegram.flatten_text(None) == ""
    assert telegram.flatten_text(42) == ""
    link = {"type": "text_link", "text": "https://a.example", "href": "https://a.example"}
    assert telegram.flatten_text([link]) == "https://a.example"  # no duplicate href
    assert telegram.flatten_text(["a", {"type": "bold"}, 5, "b"]) == "ab"


def test_poll_question_and_answers_become_text(tmp_path: Path) -> None:
    data = personal_chat()
    data["messages"][2]["poll"] = {
        "question": "Onu nə vaxt tapaq?",
        "closed": False,
        "total_voters": 2,
        "answers": [{"text": "Bu gün", "voters": 1, "chosen": False}, {"text": "Sabah"}],
    }
    msg = messages(collect(write_folder(tmp_path / "c", data)))[("5550001111", "103")]
    assert msg.text == "Onu nə vaxt tapaq?\nBu gün\nSabah"
    assert msg.details["poll"]["total_voters"] == 2


# ---- old exports: local time only ----------------------------------------------------------


def test_old_export_without_timezone_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "old", old_export())
    with pytest.raises(InvalidInput) as err:
        collect(folder)
    assert "--timezone" in str(err.value)
    assert "Asia/Baku" in str(err.value)
    assert "izləyirik" not in str(err.value)


def test_old_export_read_in_baku(tmp_path: Path) -> None:
    got = messages(collect(write_folder(tmp_path / "old", old_export()), timezone="Asia/Baku"))
    first = got[("5550001111", "11")]
    # Asia/Baku is UTC+4 all year since 2016: 12:00 local = 08:00Z
    assert first.time.utc == "2023-11-14T08:00:00Z"
    assert first.time.raw == "2023-11-14T12:00:00"
    assert first.time.source == TIME_FROM_DECLARED_ZONE
    assert first.time.zone == "Asia/Baku"
    assert first.edited is not None and first.edited.utc == "2023-11-14T08:30:00Z"
    # summer too: 23:30 local on 1 July = 19:30Z (no DST in Baku)
    assert got[("5550001111", "12")].time.utc == "2023-07-01T19:30:00Z"


def test_old_export_read_in_moscow(tmp_path: Path) -> None:
    got = messages(collect(write_folder(tmp_path / "old", old_export()), timezone="Europe/Moscow"))
    # Europe/Moscow is UTC+3 all year since 2014: 12:00 local = 09:00Z, 23:30 = 20:30Z
    assert got[("5550001111", "11")].time.utc == "2023-11-14T09:00:00Z"
    assert got[("5550001111", "12")].time.utc == "2023-07-01T20:30:00Z"
    assert got[("5550001111", "12")].time.zone == "Europe/Moscow"


def test_unix_time_wins_over_timezone(personal: list[Any], tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "c", personal_chat())
    msg = messages(collect(folder, timezone="Europe/Moscow"))[("5550001111", "101")]
    assert msg.time.utc == "2023-11-14T12:00:00Z" and msg.time.source == TIME_FROM_EXPORT


def test_unknown_timezone_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        collect(write_folder(tmp_path / "old", old_export()), timezone="Asia/Bakuu")


# ---- damaged and hostile input -------------------------------------------------------------


def test_truncated_json_is_refused_calmly(tmp_path: Path) -> None:
    folder = tmp_path / "cut"
    folder.mkdir()
    text = json.dumps(personal_chat(), ensure_ascii=False)
    (folder / "result.json").write_text(text[: len(text) // 2], "utf-8")
    with pytest.raises(InvalidInput) as err:
        collect(folder)
    message = str(err.value)
    assert "damaged or cut short" in message and "Export" in message
    assert "dayandır" not in message and "Traceback" not in message


def test_trailing_garbage_and_bad_utf8_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "result.json").write_bytes(json.dumps(personal_chat()).encode() + b" }{")
    with pytest.raises(InvalidInput, match="damaged"):
        collect(folder)
    (folder / "result.json").write_bytes(
        b'{"name": "x", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "text": "\xff"}]}'
    )
    with pytest.raises(InvalidInput, match="damaged"):
        collect(folder)


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "deep"
    folder.mkdir()
    nest = "[" * 5000 + "]" * 5000
    body = '{"name": "x", "type": "personal_chat", "id": 1, "messages": [{"id": 1, "text": '
    (folder / "result.json").write_text(body + nest + "}]}", "utf-8")
    with pytest.raises(InvalidInput, match="nests deeper"):
        collect(folder)


def test_json_that_is_not_telegram_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no Telegram chats"):
        collect(write_folder(tmp_path / "a", {"results": [1, 2]}))
    with pytest.raises(InvalidInput, match="no Telegram chats"):
        collect(write_folder(tmp_path / "b", [personal_chat()]))


def test_folder_without_result_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x", "utf-8")
    with pytest.raises(InvalidInput, match=r"no result\.json"):
        collect(tmp_path / "empty")


def test_unreadable_messages_become_problems_and_parsing_goes_on(tmp_path: Path) -> None:
    data = personal_chat()
    data["messages"][1:1] = [
        "not a message",
        {"type": "message", "text": "no id"},
        copy.deepcopy(data["messages"][0]),  # id 101 again
    ]
    records = collect(write_folder(tmp_path / "c", data))
    problems = [r for r in records if isinstance(r, ImportProblem)]
    assert [p.what for p in problems] == [
        "An entry in the message list is not a message; it was skipped.",
        "A message has no id, so it was skipped.",
        "The export lists this message twice; only the first copy was imported.",
    ]
    assert problems[2].where == "result.json, chat 5550001111, message 101"
    assert len(messages(records)) == 10


# ---- ZIPs ----------------------------------------------------------------------------------


def test_zip_with_result_json_in_a_subfolder_resolves_media(tmp_path: Path) -> None:
    prefix = "Telegram Desktop/ChatExport_2023-11-14/"
    archive = write_zip(tmp_path / "export.zip", prefix, personal_chat(), PERSONAL_MEDIA)
    records = collect(archive)
    got = messages(records)
    (photo,) = got[("5550001111", "102")].media
    assert photo.path == prefix + "photos/photo_1@14-11-2023_16-01-05.jpg"
    (pdf,) = got[("5550001111", "108")].media
    assert pdf.path == prefix + "files/ünvanlar.pdf"
    (gif,) = got[("5550001111", "110")].media
    assert gif.path is None
    assert records[0].key == "5550001111"


def test_zip_of_full_export_in_a_subfolder(tmp_path: Path) -> None:
    prefix = "DataExport_2023-11-16/"
    media = {"chats/chat_001/photos/photo_1@14-11-2023_12-00-00.jpg": b"\xff\xd8fake"}
    records = collect(write_zip(tmp_path / "all.zip", prefix, full_export(), media))
    (photo,) = messages(records)[("7770003333", "1")].media
    assert photo.path == prefix + "chats/chat_001/photos/photo_1@14-11-2023_12-00-00.jpg"


def test_several_result_json_read_the_shallowest(tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    other = old_export()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/b/result.json", json.dumps(other))
        zf.writestr("z/result.json", json.dumps(personal_chat()))
    records = collect(archive)  # old export not read, so no --timezone needed
    problems = [r for r in records if isinstance(r, ImportProblem)]
    assert [p.where for p in problems] == ["a/b/result.json"]
    assert "z/result.json" in problems[0].what
    assert len(messages(records)) == 10


# ---- structure quirks ----------------------------------------------------------------------


def test_messages_before_header_still_send_chat_first(tmp_path: Path) -> None:
    data = personal_chat()
    reordered = {"messages": data["messages"], "name": data["name"], "type": data["type"]}
    reordered["id"] = data["id"]
    records = collect(write_folder(tmp_path / "c", reordered))
    assert isinstance(records[0], ImportedChat) and records[0].key == "5550001111"
    assert [r.key for r in records[1:]] == [str(n) for n in range(101, 111)]


def test_chat_without_id_is_reported(tmp_path: Path) -> None:
    data = full_export()
    del data["chats"]["list"][1]["id"]
    records = collect(write_folder(tmp_path / "c", data))
    problems = [r for r in records if isinstance(r, ImportProblem)]
    assert [p.what for p in problems] == [
        "This chat has no id, so its 2 messages were not imported."
    ]
    assert {r.key for r in records if isinstance(r, ImportedChat)} == {
        "7770003333",
        "9876543210",
        "1112223334",
    }


def test_saved_messages_and_unnamed_titles(tmp_path: Path) -> None:
    saved = {"type": "saved_messages", "id": 4440002222, "messages": []}
    (chat,) = collect(write_folder(tmp_path / "s", saved))
    assert chat == ImportedChat("4440002222", "Saved Messages", "telegram", "saved_messages")
    deleted: dict[str, Any] = {
        "name": None,
        "type": "personal_chat",
        "id": 1000000001,
        "messages": [],
    }
    (chat,) = collect(write_folder(tmp_path / "d", deleted))
    assert chat.title == "(unnamed chat)"


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    folder = tmp_path / "bom"
    folder.mkdir()
    (folder / "result.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(personal_chat()).encode())
    assert detect(folder)
    assert len(messages(collect(folder))) == 10


# ---- stability -----------------------------------------------------------------------------


def test_keys_are_stable_across_two_exports(tmp_path: Path) -> None:
    first = personal_chat()
    second = copy.deepcopy(first)
    del second["messages"][2]  # message 103 deleted before the second export
    second["messages"][0]["text"] = "Yazılarını dayandır."  # message 101 edited
    second["messages"][0]["edited_unixtime"] = ut(T_1200 + 3600)
    a = messages(collect(write_folder(tmp_path / "one", first)))
    b = messages(collect(write_folder(tmp_path / "two", second)))
    assert set(b) == set(a) - {("5550001111", "103")}
    for key, msg in b.items():
        assert msg.time == a[key].time  # same message, same key, same sent time
    assert b[("5550001111", "101")].text != a[("5550001111", "101")].text
    edited = b[("5550001111", "101")].edited
    assert edited is not None and edited.utc == "2023-11-14T13:00:00Z"


def test_messages_stream_before_the_file_is_fully_read(tmp_path: Path) -> None:
    """A cut-off file still fails, but only after the messages before the cut were handed on."""
    folder = tmp_path / "cut"
    folder.mkdir()
    text = json.dumps(personal_chat(), ensure_ascii=False)
    cut = text.index('"id": 105')  # inside the message list, after message 104
    (folder / "result.json").write_text(text[:cut], "utf-8")
    received: list[Any] = []
    with ExportSource(folder) as source, pytest.raises(InvalidInput, match="cut short"):
        for record in telegram.parse(source):
            received.append(record)
    assert isinstance(received[0], ImportedChat)
    assert [r.key for r in received[1:]] == ["101", "102", "103", "104"]
