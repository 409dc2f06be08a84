"""Meta (Facebook / Messenger / Instagram) message exports: layouts, mojibake, keys, bad input.

Fixtures are built here the way Meta writes them: ``json.dumps`` with ASCII escapes, newest message
first, and, for the mojibake cases, text whose UTF-8 bytes were read as Latin-1 before escaping (so
"П" becomes ``\\u00d0\\u009f``). All people are fictional.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vault.errors import InvalidInput
from vault.imports.parsers import meta
from vault.imports.parsers.records import (
    TIME_FROM_EXPORT,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource

THREATENER = "Qara Qurd"  # "Black Wolf": a made-up pseudonym
DEFENDER = "Nərgiz Testova"
RU_SENDER = "Иван Примеров"

# Hand-computed: 2024-01-01T00:00:00Z is 1,704,067,200 s; + 1 day + 12 h = 1,704,196,800 s.
T_NOON = 1_704_196_800_000  # 2024-01-02T12:00:00Z
T_NOON_1 = T_NOON + 60_000  # 2024-01-02T12:01:00Z
T_NOON_2 = T_NOON + 120_000  # 2024-01-02T12:02:00Z
T_NOON_3 = T_NOON + 180_000  # 2024-01-02T12:03:00Z

AZ_THREAT = "Sənin ünvanını bilirik. Yazılarını sil, yoxsa peşman olarsan."
AZ_REPLY = "Kimsiniz? Bu mesajı saxlayıram."
RU_THREAT = "Мы знаем, где ты живёшь. Подумай о семье."
AZ_FAMILY = "Ailənə də xəbər verəcəyik. Ağıllı ol."


def moji(text: str) -> str:
    """What Meta's exporter makes of ``text``: its UTF-8 bytes read as Latin-1 code points."""
    return text.encode("utf-8").decode("latin-1")


def moji_all(obj: Any) -> Any:
    """A whole exported object with every string mangled the way Meta mangles it."""
    if isinstance(obj, str):
        return moji(obj)
    if isinstance(obj, list):
        return [moji_all(item) for item in obj]
    if isinstance(obj, dict):
        return {key: moji_all(value) for key, value in obj.items()}
    return obj


def dump(obj: Any) -> bytes:
    """JSON as Meta writes it: indented, every non-ASCII character as a \\u escape."""
    return json.dumps(obj, indent=2).encode("ascii")


def thread(
    messages: list[Any],
    *,
    title: str = THREATENER,
    participants: tuple[str, ...] = (THREATENER, DEFENDER),
    thread_path: str | None = "inbox/qaraqurd_1234567890",
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "participants": [{"name": name} for name in participants],
        "messages": messages,
        "title": title,
        "is_still_participant": True,
        "magic_words": [],
    }
    if thread_path is not None:
        obj["thread_path"] = thread_path
    obj.update(extra)
    return obj


def msg(sender: str, stamp: int, content: str | None = None, **extra: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"sender_name": sender, "timestamp_ms": stamp}
    if content is not None:
        obj["content"] = content
    obj.update(extra)
    obj.setdefault("is_geoblocked_for_viewer", False)
    return obj


def basic_messages(photo_uri: str) -> list[dict[str, Any]]:
    """Newest first, as Meta lists them."""
    return [
        msg(THREATENER, T_NOON_2, AZ_THREAT, type="Generic"),
        msg(
            DEFENDER,
            T_NOON_1,
            AZ_REPLY,
            type="Generic",
            photos=[{"uri": photo_uri, "creation_timestamp": 1_704_196_860}],
        ),
        msg(DEFENDER, T_NOON, "You are now connected on Messenger", type="Generic"),
    ]


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def run(path: Path, **options: Any) -> list[ImportedChat | ImportedMessage | ImportProblem]:
    with ExportSource(path) as source:
        return list(meta.parse(source, **options))


def chats(records: list[Any]) -> list[ImportedChat]:
    return [r for r in records if isinstance(r, ImportedChat)]


def messages(records: list[Any]) -> list[ImportedMessage]:
    return [r for r in records if isinstance(r, ImportedMessage)]


def problems(records: list[Any]) -> list[ImportProblem]:
    return [r for r in records if isinstance(r, ImportProblem)]


def detect(path: Path) -> bool:
    with ExportSource(path) as source:
        return meta.detect(source)


def expected_key(stamp: int, sender: str, content: str, *uris: str) -> str:
    payload = sender + "\n" + content + "".join("\n" + u for u in uris)
    return f"{stamp}:{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


OLD_DIR = "messages/inbox/qaraqurd_1234567890"
NEW_DIR = "your_activity_across_facebook/messages/inbox/qaraqurd_1234567890"


# ---- repair_mojibake --------------------------------------------------------------------------


def test_repair_mojibake_russian_and_azerbaijani() -> None:
    assert moji("Привет") == "Ð\x9fÑ\x80Ð¸Ð²ÐµÑ\x82"  # what json.loads hands back
    assert meta.repair_mojibake(moji("Привет")) == "Привет"
    assert moji("ə") == "É\x99"
    assert meta.repair_mojibake(moji(AZ_FAMILY)) == AZ_FAMILY


def test_repair_keeps_genuine_latin1_and_real_unicode() -> None:
    # b"caf\xe9" is not UTF-8, so a correctly written "café" stays.
    assert meta.repair_mojibake("café") == "café"
    # Anything above U+00FF cannot be mojibake.
    assert meta.repair_mojibake("Привет, Ã") == "Привет, Ã"
    assert meta.repair_mojibake("plain ascii") == "plain ascii"


# ---- detect -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "messages/inbox/qaraqurd_1234567890/message_1.json",
        "your_activity_across_facebook/messages/archived_threads/x_1/message_1.json",
        "your_facebook_activity/messages/filtered_threads/x_1/message_1.json",
        "your_instagram_activity/messages/message_requests/x_1/message_3.json",
        "facebook-nergiz-2024-01-02-Ab3dE/messages/e2ee_cutover/x_1/message_1.json",
    ],
)
def test_detect_accepts_every_layout(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path / "export", {name: dump(thread([msg(THREATENER, T_NOON, "x")]))})
    assert detect(tmp_path / "export") is True


def test_detect_refuses_other_exports(tmp_path: Path) -> None:
    telegram = {"name": "X", "type": "personal_chat", "id": 1, "messages": []}
    write_tree(
        tmp_path / "tg",
        {
            "result.json": json.dumps(telegram).encode(),
            "messages/notes.txt": b"hello",
            "messages/inbox/message_1.json": b"{}",  # no thread folder
        },
    )
    assert detect(tmp_path / "tg") is False


# ---- layouts ----------------------------------------------------------------------------------


def test_old_messages_layout(tmp_path: Path) -> None:
    photo = f"{OLD_DIR}/photos/1001.jpg"
    root = write_tree(
        tmp_path / "facebook-old",
        {f"{OLD_DIR}/message_1.json": dump(thread(basic_messages(photo))), photo: b"\xff\xd8jpg"},
    )
    records = run(root)
    assert isinstance(records[0], ImportedChat)
    (chat,) = chats(records)
    assert chat == ImportedChat(
        key="inbox/qaraqurd_1234567890",
        title=THREATENER,
        platform="facebook",
        kind="inbox",
        participants=(THREATENER, DEFENDER),
        section="inbox",
    )
    got = messages(records)
    # Oldest first, though the file lists them newest first.
    assert [m.time.utc for m in got] == [
        "2024-01-02T12:00:00Z",
        "2024-01-02T12:01:00Z",
        "2024-01-02T12:02:00Z",
    ]
    assert all(m.time.source == TIME_FROM_EXPORT for m in got)
    assert got[0].time.raw == "1704196800000"
    notice, reply, threat = got
    assert notice.kind == "service"
    assert reply.kind == "message" and threat.kind == "message"
    assert threat.sender_name == THREATENER and threat.sender_id == ""
    assert threat.text == AZ_THREAT
    assert threat.chat_key == "inbox/qaraqurd_1234567890"
    assert threat.key == expected_key(T_NOON_2, THREATENER, AZ_THREAT)
    assert reply.media == (ImportedMedia("photo", "1001.jpg", photo),)
    assert reply.key == expected_key(T_NOON_1, DEFENDER, AZ_REPLY, photo)
    assert threat.details == {"type": "Generic", "is_unsent": False, "is_still_participant": True}
    assert threat.transformations == ()
    assert problems(records) == []


def test_your_activity_across_facebook_layout(tmp_path: Path) -> None:
    photo = f"{NEW_DIR}/photos/1001.jpg"
    root = write_tree(
        tmp_path / "fb",
        {f"{NEW_DIR}/message_1.json": dump(thread(basic_messages(photo))), photo: b"jpg"},
    )
    records = run(root)
    (chat,) = chats(records)
    assert (chat.platform, chat.key, chat.section) == (
        "facebook",
        "inbox/qaraqurd_1234567890",
        "inbox",
    )
    assert messages(records)[1].media[0].path == photo


def test_your_facebook_activity_layout_without_thread_path(tmp_path: Path) -> None:
    folder = "your_facebook_activity/messages/inbox/qaraqurd_1234567890"
    data = thread([msg(THREATENER, T_NOON, AZ_THREAT)], thread_path=None)
    records = run(write_tree(tmp_path / "fb", {f"{folder}/message_1.json": dump(data)}))
    (chat,) = chats(records)
    # Without thread_path the key is the thread folder relative to the layout root.
    assert chat.key == "inbox/qaraqurd_1234567890"
    assert chat.platform == "facebook"
    assert messages(records)[0].chat_key == "inbox/qaraqurd_1234567890"


def test_instagram_activity_layout(tmp_path: Path) -> None:
    folder = "your_instagram_activity/messages/inbox/qara.qurd_17845000000000000"
    photo = f"{folder}/photos/3310.jpg"
    data = thread(
        [
            msg(
                "qara.qurd",
                T_NOON_1,
                "",
                share={"link": "https://www.instagram.com/p/EXAMPLE1/", "share_text": ""},
            ),
            msg("qara.qurd", T_NOON, RU_THREAT, photos=[{"uri": photo, "creation_timestamp": 1}]),
        ],
        title="qara.qurd",
        participants=("qara.qurd", "nergiz.testova"),
        thread_path="inbox/qara.qurd_17845000000000000",
    )
    records = run(
        write_tree(tmp_path / "ig", {f"{folder}/message_1.json": dump(data), photo: b"jpg"})
    )
    (chat,) = chats(records)
    assert chat.platform == "instagram"
    assert chat.participants == ("qara.qurd", "nergiz.testova")
    first, second = messages(records)
    assert first.text == RU_THREAT
    assert first.media[0].path == photo
    assert second.text == "https://www.instagram.com/p/EXAMPLE1/"
    assert second.details["share"] == {
        "link": "https://www.instagram.com/p/EXAMPLE1/",
        "share_text": "",
    }


def test_old_layout_instagram_recognised_by_its_other_folders(tmp_path: Path) -> None:
    data = thread([msg("qara.qurd", T_NOON, "salam")], thread_path="inbox/qara.qurd_1")
    root = write_tree(
        tmp_path / "export",
        {
            "messages/inbox/qara.qurd_1/message_1.json": dump(data),
            "followers_and_following/followers_1.json": b"[]",
        },
    )
    assert chats(run(root))[0].platform == "instagram"


def test_nested_top_folder_in_zip(tmp_path: Path) -> None:
    top = "facebook-nergiz-2024-01-02-Ab3dE"
    photo_uri = f"{NEW_DIR}/photos/1001.jpg"  # relative to the DYI root, not the zip root
    archive = write_zip(
        tmp_path / "facebook-nergiz.zip",
        {
            f"{top}/{NEW_DIR}/message_1.json": dump(thread(basic_messages(photo_uri))),
            f"{top}/{photo_uri}": b"jpg",
        },
    )
    assert detect(archive)
    records = run(archive)
    assert chats(records)[0].key == "inbox/qaraqurd_1234567890"
    reply = messages(records)[1]
    assert reply.media == (ImportedMedia("photo", "1001.jpg", f"{top}/{photo_uri}"),)
    # The key hashes the uri as exported, so it does not depend on how the zip was wrapped.
    assert reply.key == expected_key(T_NOON_1, DEFENDER, AZ_REPLY, photo_uri)


def test_thread_split_across_files_is_read_in_time_order(tmp_path: Path) -> None:
    # message_1.json holds the newest messages, message_2.json the older ones.
    newer = thread([msg(THREATENER, T_NOON_3, "4"), msg(DEFENDER, T_NOON_2, "3")])
    older = thread([msg(THREATENER, T_NOON_1, "2"), msg(THREATENER, T_NOON, "1")])
    root = write_tree(
        tmp_path / "fb",
        {f"{OLD_DIR}/message_1.json": dump(newer), f"{OLD_DIR}/message_2.json": dump(older)},
    )
    records = run(root)
    assert len(chats(records)) == 1
    assert [m.text for m in messages(records)] == ["1", "2", "3", "4"]


def test_huge_thread_is_read_one_file_at_a_time_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meta.threads, "BATCH_BYTES", 1)  # every file is its own batch
    files = {
        f"{OLD_DIR}/message_1.json": dump(thread([msg(THREATENER, T_NOON_3, "4")])),
        f"{OLD_DIR}/message_2.json": dump(thread([msg(THREATENER, T_NOON_2, "3")])),
        f"{OLD_DIR}/message_3.json": dump(
            thread([msg(THREATENER, T_NOON_1, "2"), msg(THREATENER, T_NOON, "1")])
        ),
    }
    records = run(write_tree(tmp_path / "fb", files))
    assert isinstance(records[0], ImportedChat)
    assert len(chats(records)) == 1
    assert [m.text for m in messages(records)] == ["1", "2", "3", "4"]


def test_archived_and_message_request_sections(tmp_path: Path) -> None:
    archived = thread(
        [msg(THREATENER, T_NOON, "köhnə")],
        thread_path="archived_threads/qaraqurd_1234567890",
        thread_type="Regular",
    )
    request = thread(
        [msg("Anonim Hesab", T_NOON_1, RU_THREAT)],
        title="Anonim Hesab",
        participants=("Anonim Hesab", DEFENDER),
        thread_path="message_requests/anonimhesab_555",
        is_still_participant=False,
    )
    root = write_tree(
        tmp_path / "fb",
        {
            "messages/archived_threads/qaraqurd_1234567890/message_1.json": dump(archived),
            "messages/message_requests/anonimhesab_555/message_1.json": dump(request),
        },
    )
    records = run(root)
    got = chats(records)
    assert [(c.key, c.section, c.kind) for c in got] == [
        ("archived_threads/qaraqurd_1234567890", "archived_threads", "Regular"),
        ("message_requests/anonimhesab_555", "message_requests", "message_requests"),
    ]
    # Each chat comes before its own messages.
    kinds = [type(r).__name__ for r in records]
    assert kinds == ["ImportedChat", "ImportedMessage", "ImportedChat", "ImportedMessage"]
    assert messages(records)[1].details["is_still_participant"] is False


# ---- mojibake ---------------------------------------------------------------------------------


def test_mojibake_repaired_recorded_and_raw_kept(tmp_path: Path) -> None:
    data = thread(
        [
            msg(THREATENER, T_NOON_2, "ok"),  # ASCII only: nothing to repair
            msg(
                RU_SENDER,
                T_NOON_1,
                AZ_FAMILY,
                reactions=[{"reaction": "😡", "actor": DEFENDER}],
            ),
            msg(RU_SENDER, T_NOON, RU_THREAT),
        ],
        title=RU_SENDER,
        participants=(RU_SENDER, DEFENDER),
    )
    encoded = dump(moji_all(data))
    assert b"\\u00d0\\u009c" in encoded  # "М" as Meta escapes it: the fixture is realistic
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": encoded}))
    (chat,) = chats(records)
    assert chat.title == RU_SENDER
    assert chat.participants == (RU_SENDER, DEFENDER)
    ru, az, plain = messages(records)
    assert ru.text == RU_THREAT and ru.sender_name == RU_SENDER
    assert az.text == AZ_FAMILY
    assert az.details["reactions"] == [{"reaction": "😡", "actor": DEFENDER}]
    assert ru.transformations == (
        "mojibake-repaired: text decoded as UTF-8 from Latin-1 code points",
    )
    assert az.transformations == ru.transformations
    assert plain.transformations == ()
    # raw is the object exactly as parsed: still mojibake.
    assert ru.raw == moji_all(msg(RU_SENDER, T_NOON, RU_THREAT))
    assert ru.raw["content"] == moji(RU_THREAT) != RU_THREAT


def test_correctly_encoded_export_untouched(tmp_path: Path) -> None:
    # Newer exports may write real UTF-8; a string that happens to look like mojibake stays.
    data = thread([msg(RU_SENDER, T_NOON, RU_THREAT), msg(DEFENDER, T_NOON_1, "Ã©")])
    encoded = json.dumps(data, ensure_ascii=False).encode("utf-8")
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": encoded}))
    first, second = messages(records)
    assert first.text == RU_THREAT and first.sender_name == RU_SENDER
    assert second.text == "Ã©"
    assert first.transformations == second.transformations == ()


def test_genuine_cafe_in_latin_only_export_not_repaired(tmp_path: Path) -> None:
    data = thread([msg("Jeanne Exemple", T_NOON, "On se voit au café, à midi.")])
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    (message,) = messages(records)
    assert message.text == "On se voit au café, à midi."
    assert message.transformations == ()


def test_genuine_cafe_inside_mojibake_export_not_repaired(tmp_path: Path) -> None:
    data = moji_all(
        thread([msg(RU_SENDER, T_NOON_1, RU_THREAT)], participants=(RU_SENDER, DEFENDER))
    )
    # One string written correctly among mojibake: b"caf\xe9" is not UTF-8, so it stays.
    data["messages"].append(msg("Jeanne Exemple", T_NOON, "café"))
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    cafe, threat = messages(records)
    assert cafe.text == "café" and cafe.transformations == ()
    assert threat.text == RU_THREAT and threat.transformations


def test_keys_identical_for_mojibake_and_fixed_export(tmp_path: Path) -> None:
    fixed = thread([msg(RU_SENDER, T_NOON, RU_THREAT)])
    broken = moji_all(fixed)
    a = run(write_tree(tmp_path / "a", {f"{OLD_DIR}/message_1.json": dump(broken)}))
    b = run(
        write_tree(
            tmp_path / "b",
            {f"{OLD_DIR}/message_1.json": json.dumps(fixed, ensure_ascii=False).encode()},
        )
    )
    assert messages(a)[0].key == messages(b)[0].key == expected_key(T_NOON, RU_SENDER, RU_THREAT)


# ---- message kinds ----------------------------------------------------------------------------


def test_photo_present_and_missing(tmp_path: Path) -> None:
    present = f"{OLD_DIR}/photos/1.jpg"
    missing = f"{OLD_DIR}/photos/2.jpg"
    data = thread(
        [
            msg(
                THREATENER,
                T_NOON,
                photos=[{"uri": present, "creation_timestamp": 1}, {"uri": missing}],
                videos=[{"uri": f"{OLD_DIR}/videos/3.mp4"}],
                audio_files=[{"uri": f"{OLD_DIR}/audio/4.aac"}],
                sticker={"uri": "messages/stickers_used/5.png"},
                gifs=[{"uri": "https://media.example.invalid/6.gif"}],
                files=[{"uri": "../../../etc/passwd"}],
            )
        ]
    )
    root = write_tree(
        tmp_path / "fb",
        {
            f"{OLD_DIR}/message_1.json": dump(data),
            present: b"jpg",
            f"{OLD_DIR}/audio/4.aac": b"aac",
            "messages/stickers_used/5.png": b"png",
        },
    )
    (message,) = messages(run(root))
    absent = "Named in the export but not included in it."
    assert message.media == (
        ImportedMedia("photo", "1.jpg", present),
        ImportedMedia("photo", "2.jpg", None, note=absent),
        ImportedMedia("video", "3.mp4", None, note=absent),
        ImportedMedia("audio", "4.aac", f"{OLD_DIR}/audio/4.aac"),
        ImportedMedia("file", "passwd", None, note=absent),
        ImportedMedia("gif", "6.gif", None, note="The export links to this file online."),
        ImportedMedia("sticker", "5.png", "messages/stickers_used/5.png"),
    )
    assert message.text == ""
    assert message.kind == "message"


def test_unsent_message(tmp_path: Path) -> None:
    data = thread([msg(THREATENER, T_NOON, is_unsent=True, type="Generic")])
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    (message,) = messages(records)
    assert message.text == "[unsent message]"
    assert message.details["is_unsent"] is True
    assert message.kind == "message"


def test_call_is_a_service_message(tmp_path: Path) -> None:
    data = thread(
        [
            msg(THREATENER, T_NOON_1, "Qara Qurd called you.", type="Call", call_duration=35),
            msg(THREATENER, T_NOON, "You missed a call from Qara Qurd.", type="Call"),
        ]
    )
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    missed, answered = messages(records)
    assert answered.text == "Qara Qurd called you.\n[call, 35 s]"
    assert answered.kind == "service"
    assert answered.details["call_duration"] == 35
    assert answered.details["type"] == "Call"
    assert missed.text == "You missed a call from Qara Qurd.\n[call]"
    assert missed.kind == "service"


def test_group_notices_are_service_messages(tmp_path: Path) -> None:
    data = thread(
        [
            msg(THREATENER, T_NOON_2, "Qara Qurd named the group Sonuncu xəbərdarlıq."),
            msg(THREATENER, T_NOON_1, "Adam left the group.", type="Unsubscribe"),
            msg(THREATENER, T_NOON, "Bu qrupu tərk etsən, səni tapacağıq."),
        ],
        title="Sonuncu xəbərdarlıq",
    )
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    assert [m.kind for m in messages(records)] == ["message", "service", "service"]


def test_share_link_and_text_appended(tmp_path: Path) -> None:
    share = {"link": "https://example.invalid/news/123", "share_text": "Jurnalistin evi"}
    data = thread([msg(THREATENER, T_NOON, "Bax bura.", type="Share", share=share)])
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    (message,) = messages(records)
    assert message.text == "Bax bura.\nhttps://example.invalid/news/123\nJurnalistin evi"
    assert message.details["share"] == share
    assert message.details["type"] == "Share"
    assert message.kind == "message"


def test_profile_urls_attached_to_that_senders_messages(tmp_path: Path) -> None:
    data = thread([msg(RU_SENDER, T_NOON_1, RU_THREAT), msg(DEFENDER, T_NOON, "Salam")])
    records = run(
        write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}),
        profile_urls={RU_SENDER: "https://www.facebook.com/profile.php?id=100000000000001"},
    )
    mine, theirs = messages(records)
    assert "sender_profile_url" not in mine.details
    assert theirs.details["sender_profile_url"] == (
        "https://www.facebook.com/profile.php?id=100000000000001"
    )


# ---- E2EE download ----------------------------------------------------------------------------


def e2ee_thread() -> dict[str, Any]:
    return {
        "participants": [THREATENER, DEFENDER],
        "threadName": THREATENER,
        "messages": [
            {
                "isUnsent": False,
                "media": [{"uri": "media/voice_1.m4a"}, {"uri": "media/photo_2.jpg"}],
                "reactions": [{"actor": DEFENDER, "reaction": "👎"}],
                "senderName": THREATENER,
                "text": RU_THREAT,
                # Hand-computed: 1,700,000,000 s is 2023-11-14T22:13:20Z.
                "timestamp": 1_700_000_000_000,
                "type": "text",
            },
            {
                "isUnsent": True,
                "media": [],
                "reactions": [],
                "senderName": THREATENER,
                "text": "",
                "timestamp": 1_699_999_940_000,  # one minute earlier: 22:12:20Z
                "type": "text",
            },
        ],
    }


def test_e2ee_download(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "e2ee.zip",
        {
            "secure_chats/qaraqurd_42.json": json.dumps(e2ee_thread(), ensure_ascii=False).encode(),
            "secure_chats/media/voice_1.m4a": b"m4a",
        },
    )
    assert detect(archive)
    records = run(archive)
    (chat,) = chats(records)
    assert chat == ImportedChat(
        key="e2ee/qaraqurd_42",
        title=THREATENER,
        platform="messenger",
        participants=(THREATENER, DEFENDER),
        section="e2ee",
    )
    unsent, threat = messages(records)
    assert unsent.time.utc == "2023-11-14T22:12:20Z"
    assert unsent.text == "[unsent message]"
    assert threat.time.utc == "2023-11-14T22:13:20Z"
    assert threat.text == RU_THREAT
    assert threat.sender_name == THREATENER
    assert threat.media == (
        ImportedMedia("audio", "voice_1.m4a", "secure_chats/media/voice_1.m4a"),
        ImportedMedia(
            "photo", "photo_2.jpg", None, note="Named in the export but not included in it."
        ),
    )
    assert threat.details["reactions"] == [{"reaction": "👎", "actor": DEFENDER}]
    assert threat.key == expected_key(
        1_700_000_000_000, THREATENER, RU_THREAT, "media/voice_1.m4a", "media/photo_2.jpg"
    )
    assert threat.raw == e2ee_thread()["messages"][0]
    assert threat.transformations == ()


def test_e2ee_single_file_with_mojibake(tmp_path: Path) -> None:
    data = moji_all(e2ee_thread())
    path = tmp_path / "ivan_7.json"
    path.write_bytes(dump(data))
    assert detect(path)
    records = run(path)
    assert chats(records)[0].title == THREATENER
    assert chats(records)[0].participants == (THREATENER, DEFENDER)
    threat = messages(records)[1]
    assert threat.details["reactions"] == [{"reaction": "👎", "actor": DEFENDER}]
    assert threat.text == RU_THREAT
    assert threat.transformations == (meta.MOJIBAKE_NOTE,)
    assert threat.raw["text"] == moji(RU_THREAT)


# ---- keys -------------------------------------------------------------------------------------


def test_keys_stable_when_a_later_export_lost_a_message(tmp_path: Path) -> None:
    first = [
        msg(THREATENER, T_NOON_2, AZ_THREAT),
        msg(THREATENER, T_NOON_1, "Bu son xəbərdarlıqdır."),
        msg(DEFENDER, T_NOON, AZ_REPLY),
    ]
    # The later export: the middle message was deleted, a new one arrived.
    later = [msg(THREATENER, T_NOON_3, "Yenə buradayıq."), first[0], first[2]]
    a = messages(
        run(write_tree(tmp_path / "a", {f"{OLD_DIR}/message_1.json": dump(thread(first))}))
    )
    b = messages(
        run(write_tree(tmp_path / "b", {f"{OLD_DIR}/message_1.json": dump(thread(later))}))
    )
    keys_a = {m.text: m.key for m in a}
    keys_b = {m.text: m.key for m in b}
    assert keys_b[AZ_THREAT] == keys_a[AZ_THREAT]
    assert keys_b[AZ_REPLY] == keys_a[AZ_REPLY]
    assert len(set(keys_b.values())) == 3


def test_exact_duplicates_get_ordinals(tmp_path: Path) -> None:
    same = msg(THREATENER, T_NOON, "Cavab ver.")
    data = thread([dict(same), msg(THREATENER, T_NOON_1, "?"), dict(same), dict(same)])
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    base = expected_key(T_NOON, THREATENER, "Cavab ver.")
    assert [m.key for m in messages(records)][:3] == [base, f"{base}:2", f"{base}:3"]


# ---- bad input --------------------------------------------------------------------------------


def test_malformed_json_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": b'{"participants": [{"na'})
    with pytest.raises(InvalidInput, match="not valid JSON") as caught:
        run(root)
    assert "message_1.json" in str(caught.value)


def test_truncated_json_in_zip_refused(tmp_path: Path) -> None:
    whole = dump(thread([msg(THREATENER, T_NOON, AZ_THREAT)]))
    archive = write_zip(tmp_path / "fb.zip", {f"{OLD_DIR}/message_1.json": whole[:-40]})
    with pytest.raises(InvalidInput) as caught:
        run(archive)
    assert AZ_THREAT not in str(caught.value)


@pytest.mark.parametrize("depth", [80, 200_000])
def test_deep_nesting_refused(tmp_path: Path, depth: int) -> None:
    nested = b'{"messages": [' + b"[" * depth + b"]" * depth + b"]}"
    root = write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": nested})
    with pytest.raises(InvalidInput, match="nested far deeper"):
        run(root)


def test_oversized_file_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(meta.json_files, "MAX_FILE_BYTES", 100)
    data = dump(thread([msg(THREATENER, T_NOON, AZ_THREAT)]))
    root = write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": data})
    with pytest.raises(InvalidInput, match="larger than"):
        run(root)


def test_bad_messages_become_problems(tmp_path: Path) -> None:
    data = thread(
        [
            msg(THREATENER, T_NOON_1, "ikinci"),
            "not an object",
            {"sender_name": THREATENER, "content": "vaxtsız"},
            {"sender_name": THREATENER, "timestamp_ms": True, "content": "bool"},
            msg(THREATENER, T_NOON, "birinci"),
        ]
    )
    records = run(write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": dump(data)}))
    assert [m.text for m in messages(records)] == ["birinci", "ikinci"]
    got = problems(records)
    assert sorted(p.where for p in got) == [
        f"{OLD_DIR}/message_1.json, message 2",
        f"{OLD_DIR}/message_1.json, message 3",
        f"{OLD_DIR}/message_1.json, message 4",
    ]
    assert all("vaxtsız" not in p.what for p in got)


def test_message_file_without_message_list_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "fb", {f"{OLD_DIR}/message_1.json": b'{"messages": {}}'})
    with pytest.raises(InvalidInput, match="no list of messages"):
        run(root)


def test_not_a_meta_export_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "other", {"notes/readme.txt": b"nothing here"})
    with pytest.raises(InvalidInput, match="does not look like"):
        run(root)


def test_damaged_zip_member_refused(tmp_path: Path) -> None:
    data = dump(thread([msg(THREATENER, T_NOON + i, f"{AZ_THREAT} {i}") for i in range(300)]))
    archive = write_zip(tmp_path / "fb.zip", {f"{OLD_DIR}/message_1.json": data})
    damaged = bytearray(archive.read_bytes())
    for offset in range(100, 140):  # inside the deflate stream, after the local header
        damaged[offset] ^= 0x55
    archive.write_bytes(bytes(damaged))
    with pytest.raises(InvalidInput):
        run(archive)
