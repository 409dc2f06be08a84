"""WhatsApp chat exports: Android and iOS line formats, date order over the whole file, media, keys.

Every person here is fictional (Nərgiz Nümunəli, Rəşad Uydurma, Пётр Выдумкин, ...). The fixtures
are built in the tests so each one shows exactly the bytes it feeds the parser. Expected UTC times
are worked out by hand in comments: Asia/Baku is UTC+4 all year since 2016 (UTC+5 in summer 2015,
when Azerbaijan still kept daylight saving time); Europe/Moscow is UTC+3 all year since 2014.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from vault.errors import InvalidInput
from vault.imports.parsers import whatsapp
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    TIME_UNKNOWN,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource

LRM = "\u200e"
NNBSP = "\u202f"
JPEG = b"\xff\xd8\xff\xe0fictional jpeg\xff\xd9"

ANDROID_AZ = (
    "14/11/2023, 21:05 - Messages and calls are end-to-end encrypted. No one outside of this "
    "chat, not even WhatsApp, can read or listen to them. Tap to learn more.\n"
    "14/11/2023, 21:05 - Rəşad Uydurma added Nərgiz Nümunəli\n"
    "14/11/2023, 21:06 - Rəşad Uydurma: Salam, Nərgiz xanım. Bilirik harada yaşayırsınız.\n"
    "14/11/2023, 21:07 - Rəşad Uydurma: Yazılarınızı dayandırın.\n"
    "Bu, son xəbərdarlıqdır.\n"
    "\n"
    "Ailənizi düşünün.\n"
    "15/11/2023, 08:30 - Nərgiz Nümunəli: Bu mesajları saxlayıram və polisə göstərəcəyəm.\n"
    "15/11/2023, 08:31 - Nərgiz Nümunəli left\n"
)


def write(tmp_path: Path, name: str, text: str, *, newline: str = "\n", bom: bool = False) -> Path:
    path = tmp_path / name
    data = text.replace("\n", newline).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def make_zip(tmp_path: Path, name: str, members: dict[str, str | bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content.encode() if isinstance(content, str) else content)
    return path


def parse(path: Path, timezone: str | None = "Asia/Baku", **options: Any) -> list[Any]:
    with ExportSource(path) as source:
        return list(whatsapp.parse(source, timezone=timezone, **options))


def messages(records: list[Any]) -> list[ImportedMessage]:
    return [r for r in records if isinstance(r, ImportedMessage)]


def problems(records: list[Any]) -> list[ImportProblem]:
    return [r for r in records if isinstance(r, ImportProblem)]


def detect(path: Path) -> bool:
    with ExportSource(path) as source:
        return whatsapp.detect(source)


# ---- Android ------------------------------------------------------------------------------------


def test_android_day_first_24h_azerbaijani(tmp_path: Path) -> None:
    records = parse(write(tmp_path, "WhatsApp Chat with Rəşad Uydurma.txt", ANDROID_AZ))
    chat = records[0]
    assert chat == ImportedChat(
        key="Rəşad Uydurma",
        title="Rəşad Uydurma",
        platform="whatsapp",
        participants=("Rəşad Uydurma", "Nərgiz Nümunəli"),
    )
    msgs = messages(records)
    assert [m.kind for m in msgs] == [
        "service",
        "service",
        "message",
        "message",
        "message",
        "service",
    ]
    assert problems(records) == []
    threat = msgs[2]
    assert threat.chat_key == "Rəşad Uydurma"
    assert threat.sender_name == "Rəşad Uydurma"
    assert threat.sender_id == ""
    assert threat.text == "Salam, Nərgiz xanım. Bilirik harada yaşayırsınız."
    # 21:06 in Baku (UTC+4) is 17:06 UTC.
    assert threat.time.raw == "14/11/2023, 21:06"
    assert threat.time.utc == "2023-11-14T17:06:00Z"
    assert threat.time.source == TIME_FROM_DECLARED_ZONE
    assert threat.time.zone == "Asia/Baku"
    assert threat.details["line"] == 3


def test_android_english_system_lines_are_services_without_sender(tmp_path: Path) -> None:
    msgs = messages(parse(write(tmp_path, "WhatsApp Chat with Rəşad.txt", ANDROID_AZ)))
    assert msgs[0].sender_name == ""
    assert msgs[0].text.startswith("Messages and calls are end-to-end encrypted.")
    assert msgs[1].text == "Rəşad Uydurma added Nərgiz Nümunəli"
    assert msgs[5].text == "Nərgiz Nümunəli left"
    assert msgs[5].sender_name == ""
    # 08:31 in Baku (UTC+4) is 04:31 UTC.
    assert msgs[5].time.utc == "2023-11-15T04:31:00Z"


def test_multiline_message_keeps_raw_lines_and_joins_text(tmp_path: Path) -> None:
    msgs = messages(parse(write(tmp_path, "WhatsApp Chat with Rəşad.txt", ANDROID_AZ)))
    long = msgs[3]
    assert long.raw == (
        "14/11/2023, 21:07 - Rəşad Uydurma: Yazılarınızı dayandırın.\n"
        "Bu, son xəbərdarlıqdır.\n"
        "\n"
        "Ailənizi düşünün."
    )
    assert long.text == "Yazılarınızı dayandırın.\nBu, son xəbərdarlıqdır.\n\nAilənizi düşünün."


def test_crlf_and_bom_are_not_part_of_messages(tmp_path: Path) -> None:
    path = write(tmp_path, "WhatsApp Chat with Rəşad.txt", ANDROID_AZ, newline="\r\n", bom=True)
    lf = messages(parse(write(tmp_path, "lf.txt", ANDROID_AZ)))
    msgs = messages(parse(path))
    assert msgs[0].raw.startswith("14/11/2023, 21:05 - Messages")  # no BOM
    assert all("\r" not in m.raw and "\r" not in m.text for m in msgs)
    assert msgs[3].text == "Yazılarınızı dayandırın.\nBu, son xəbərdarlıqdır.\n\nAilənizi düşünün."
    assert [m.key for m in msgs] == [m.key for m in lf]
    assert detect(path)


def test_android_us_12h_with_narrow_no_break_space(tmp_path: Path) -> None:
    text = (
        f"11/14/23, 9:05{NNBSP}PM - Messages and calls are end-to-end encrypted.\n"
        f"11/14/23, 9:06{NNBSP}PM - Rəşad Uydurma: We know which school your son goes to.\n"
        f"11/15/23, 12:30{NNBSP}AM - Rəşad Uydurma: Delete the article.\n"
        f"11/15/23, 12:10{NNBSP}PM - Nərgiz Nümunəli: I have saved every message.\n"
    )
    msgs = messages(parse(write(tmp_path, "WhatsApp Chat with Rəşad.txt", text)))
    assert msgs[1].time.raw == f"11/14/23, 9:06{NNBSP}PM"
    # 9:06 PM = 21:06 in Baku (UTC+4) → 17:06 UTC on the 14th of November 2023.
    assert msgs[1].time.utc == "2023-11-14T17:06:00Z"
    # 12:30 AM on the 15th = 00:30 local → 20:30 UTC on the 14th.
    assert msgs[2].time.utc == "2023-11-14T20:30:00Z"
    # 12:10 PM = 12:10 local → 08:10 UTC.
    assert msgs[3].time.utc == "2023-11-15T08:10:00Z"
    assert msgs[1].text == "We know which school your son goes to."


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        # 9:05 p. m. = 21:05 in Baku (UTC+4) → 17:05 UTC.
        ("9:05 p. m.", "2023-11-14T17:05:00Z"),
        ("9:05 pm", "2023-11-14T17:05:00Z"),
        ("9:05 ö.s.", "2023-11-14T17:05:00Z"),
        ("9:05 P.M.", "2023-11-14T17:05:00Z"),
        # 12:05 AM = 00:05 local → 20:05 UTC the day before.
        ("12:05 AM", "2023-11-13T20:05:00Z"),
        # 9:05 a.m. = 09:05 local → 05:05 UTC.
        ("9:05 a.m.", "2023-11-14T05:05:00Z"),
        ("9:05 ö.ə.", "2023-11-14T05:05:00Z"),
    ],
)
def test_localized_am_pm_markers(tmp_path: Path, stamp: str, expected: str) -> None:
    text = f"14/11/2023, {stamp} - Rəşad Uydurma: Sizi izləyirik.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text)))
    assert msg.time.utc == expected
    assert msg.time.raw == f"14/11/2023, {stamp}"


def test_android_dotted_day_first_russian_in_moscow(tmp_path: Path) -> None:
    text = (
        "14.11.23, 21:05 - Сообщения и звонки защищены сквозным шифрованием.\n"
        "14.11.23, 21:06 - Пётр Выдумкин: Мы знаем, где ты живёшь. Удали статью, пока не поздно.\n"
        "14.11.23, 21:07 - Пётр Выдумкин: <Без медиафайлов>\n"
    )
    records = parse(write(tmp_path, "Чат WhatsApp с Пётр Выдумкин.txt", text), "Europe/Moscow")
    assert records[0].key == "Пётр Выдумкин"
    msgs = messages(records)
    assert msgs[0].kind == "service"
    # 21:06 in Moscow (UTC+3) → 18:06 UTC.
    assert msgs[1].time.utc == "2023-11-14T18:06:00Z"
    assert msgs[1].time.zone == "Europe/Moscow"
    assert msgs[1].text == "Мы знаем, где ты живёшь. Удали статью, пока не поздно."
    assert msgs[2].text == ""
    assert msgs[2].media == (ImportedMedia("file", "", None, note="media omitted in the export"),)


def test_dotted_dates_that_never_prove_the_order_are_day_first(tmp_path: Path) -> None:
    text = "03.04.23, 10:00 - Пётр Выдумкин: Мы рядом.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text), "Europe/Moscow"))
    # 3 April 2023 10:00 in Moscow (UTC+3) → 07:00 UTC.
    assert msg.time.utc == "2023-04-03T07:00:00Z"


def test_iso_dates(tmp_path: Path) -> None:
    text = "2023-11-14, 21:05 - Rəşad Uydurma: Sonuncu dəfə deyirəm.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text)))
    assert msg.time.utc == "2023-11-14T17:05:00Z"


def test_four_digit_dotted_year_and_summer_time_of_2015_in_baku(tmp_path: Path) -> None:
    text = "14.07.2015, 21:05 - Rəşad Uydurma: Yayda da sizi görürük.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text)))
    # Baku kept daylight saving time until 2016: in July 2015 it was UTC+5, so 21:05 → 16:05 UTC.
    assert msg.time.utc == "2015-07-14T16:05:00Z"


def test_media_omitted_placeholders(tmp_path: Path) -> None:
    text = (
        "14/11/2023, 21:05 - Rəşad Uydurma: <Media omitted>\n"
        "14/11/2023, 21:06 - Rəşad Uydurma: <Medien ausgeschlossen>\n"
        "14/11/2023, 21:07 - Rəşad Uydurma: <Media weggelassen>\n"
        "14/11/2023, 21:08 - Rəşad Uydurma: <Video note omitted>\n"
    )
    msgs = messages(parse(write(tmp_path, "chat.txt", text)))
    assert [m.media[0].role for m in msgs] == ["file", "file", "file", "video"]
    assert all(m.media[0].path is None and m.media[0].name == "" for m in msgs)
    assert all(m.media[0].note == "media omitted in the export" for m in msgs)
    assert all(m.text == "" for m in msgs)
    assert msgs[0].raw == "14/11/2023, 21:05 - Rəşad Uydurma: <Media omitted>"


def test_android_attached_files_in_zip(tmp_path: Path) -> None:
    text = (
        "14/11/2023, 21:05 - Rəşad Uydurma: IMG-20231114-WA0003.jpg (file attached)\n"
        "Bax, bu sizin evinizdir.\n"
        "14/11/2023, 21:06 - Rəşad Uydurma: PTT-20231114-WA0004.opus (file attached)\n"
        "14/11/2023, 21:07 - Rəşad Uydurma: plan.docx (qəribə qeyd)\n"
    )
    path = make_zip(
        tmp_path,
        "WhatsApp Chat with Rəşad Uydurma.zip",
        {"WhatsApp Chat with Rəşad Uydurma.txt": text, "IMG-20231114-WA0003.jpg": JPEG},
    )
    records = parse(path)
    assert records[0].key == "Rəşad Uydurma"
    photo, voice, odd = messages(records)
    assert photo.media == (
        ImportedMedia("photo", "IMG-20231114-WA0003.jpg", "IMG-20231114-WA0003.jpg"),
    )
    assert photo.text == "Bax, bu sizin evinizdir."
    # Named in the chat, missing from the zip: recorded, never invented.
    assert voice.media == (
        ImportedMedia(
            "voice",
            "PTT-20231114-WA0004.opus",
            None,
            note="named in the chat but not in the export",
        ),
    )
    # Neither a known phrase nor a file in the export: just text.
    assert odd.media == ()
    assert odd.text == "plan.docx (qəribə qeyd)"
    assert detect(path)


def test_localized_file_attached_and_localized_chat_names(tmp_path: Path) -> None:
    text = (
        "14.11.2023, 21:05 - Rəşad Uydurma: IMG-20231114-WA0007.jpg (fayl əlavə edilib)\n"
        "14.11.2023, 21:06 - Rəşad Uydurma: VID-20231114-WA0008.mp4 (файл добавлен)\n"
    )
    path = make_zip(
        tmp_path,
        "export.zip",
        {"WhatsApp söhbəti: Rəşad.txt": text, "VID-20231114-WA0008.mp4": b"\x00\x00\x00\x18ftyp"},
    )
    records = parse(path)
    assert records[0].key == "Rəşad"
    photo, video = messages(records)
    assert photo.media == (
        ImportedMedia(
            "photo", "IMG-20231114-WA0007.jpg", None, note="named in the chat but not in the export"
        ),
    )
    assert video.media == (
        ImportedMedia("video", "VID-20231114-WA0008.mp4", "VID-20231114-WA0008.mp4"),
    )


@pytest.mark.parametrize(
    ("file_name", "key"),
    [
        ("WhatsApp Chat mit Nərgiz.txt", "Nərgiz"),
        ("Чат WhatsApp с Пётр.txt", "Пётр"),
        ("WhatsApp söhbəti: Rəşad.txt", "Rəşad"),
        ("WhatsApp Chat with +994 50 123 45 67.txt", "+994 50 123 45 67"),
        ("mənim söhbətim.txt", "mənim söhbətim"),
    ],
)
def test_chat_key_from_file_name(tmp_path: Path, file_name: str, key: str) -> None:
    path = write(tmp_path, file_name, "14/11/2023, 21:05 - Rəşad Uydurma: Salam.\n")
    chat = parse(path)[0]
    assert (chat.key, chat.title, chat.platform) == (key, key, "whatsapp")


def test_phone_number_sender_gets_sender_id(tmp_path: Path) -> None:
    text = "14/11/2023, 21:05 - \u202a+994 50 123 45 67\u202c: Nömrənizi də bilirik.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text)))
    assert msg.sender_name == "+994 50 123 45 67"
    assert msg.sender_id == "+994501234567"
    assert msg.raw == text.rstrip("\n")  # the bidi marks stay in raw


def test_edited_markers(tmp_path: Path) -> None:
    text = (
        "14/11/2023, 21:05 - Rəşad Uydurma: Sabah görüşərik <This message was edited>\n"
        f"14/11/2023, 21:06 - Rəşad Uydurma: Evinizin qarşısındayıq {LRM}<Bu mesaj redaktə edilib>\n"
        "14/11/2023, 21:07 - Rəşad Uydurma: Adi mesaj\n"
    )
    first, second, plain = messages(parse(write(tmp_path, "chat.txt", text)))
    assert first.text == "Sabah görüşərik"
    assert first.details["edited_marker"] is True
    assert second.text == "Evinizin qarşısındayıq"
    assert second.details["edited_marker"] is True
    assert "edited_marker" not in plain.details
    assert "<This message was edited>" in first.raw


def test_omitted_inside_a_sentence_is_text(tmp_path: Path) -> None:
    text = "[14/11/2023, 21:05:33] Rəşad Uydurma: the part you wrote about the video omitted\n"
    [msg] = messages(parse(write(tmp_path, "_chat.txt", text)))
    assert msg.media == ()
    assert msg.text == "the part you wrote about the video omitted"


def test_null_text_and_deleted_messages(tmp_path: Path) -> None:
    text = (
        "14/11/2023, 21:05 - Rəşad Uydurma: null\n"
        "14/11/2023, 21:06 - Rəşad Uydurma: This message was deleted\n"
        "14/11/2023, 21:07 - Nərgiz Nümunəli: You deleted this message\n"
    )
    null, deleted, own = messages(parse(write(tmp_path, "chat.txt", text)))
    assert null.text == ""
    assert null.details["null_text"] is True
    assert null.raw.endswith(": null")
    assert deleted.kind == "message"
    assert deleted.sender_name == "Rəşad Uydurma"
    assert deleted.details["deleted_placeholder"] is True
    assert own.details["deleted_placeholder"] is True


def test_unreadable_time_is_kept_with_a_problem(tmp_path: Path) -> None:
    text = (
        "14/11/2023, 21:05 - Rəşad Uydurma: Birinci.\n14/11/2023, 25:61 - Rəşad Uydurma: İkinci.\n"
    )
    records = parse(write(tmp_path, "chat.txt", text))
    msgs = messages(records)
    assert len(msgs) == 2
    assert msgs[1].time.utc is None
    assert msgs[1].time.source == TIME_UNKNOWN
    assert msgs[1].time.raw == "14/11/2023, 25:61"
    [problem] = problems(records)
    assert problem.where == "chat.txt, line 2"
    assert "İkinci" not in problem.what


def test_lines_before_the_first_message_are_reported(tmp_path: Path) -> None:
    text = "heç nə\n\n14/11/2023, 21:05 - Rəşad Uydurma: Salam.\n"
    records = parse(write(tmp_path, "chat.txt", text))
    assert isinstance(records[1], ImportProblem)
    assert records[1].what.startswith("1 line(s) before the first message")
    assert len(messages(records)) == 1


# ---- iOS ----------------------------------------------------------------------------------------

IOS_CHAT = (
    f"{LRM}[14/11/2023, 21:05:33] Nərgiz Nümunəli: {LRM}Messages and calls are end-to-end "
    "encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
    "[14/11/2023, 21:06:01] Rəşad Uydurma: Sizin haqqınızda hər şeyi bilirik.\n"
    f"{LRM}[14/11/2023, 21:06:30] Rəşad Uydurma: {LRM}<attached: 00000012-PHOTO-2023-11-14-21-06-30.jpg>\n"
    f"{LRM}[14/11/2023, 21:07:02] Rəşad Uydurma: {LRM}<attached: 00000013-PHOTO-2023-11-14-21-07-02.jpg>\n"
    f"{LRM}[14/11/2023, 21:08:00] Rəşad Uydurma: {LRM}image omitted\n"
    f"{LRM}[14/11/2023, 21:08:10] Rəşad Uydurma: {LRM}sticker omitted\n"
    f"{LRM}[14/11/2023, 21:08:20] Rəşad Uydurma: Hesabat.pdf • 3 pages {LRM}document omitted\n"
    f"{LRM}[14/11/2023, 21:08:30] Rəşad Uydurma: {LRM}<attached: ../../etc/passwd>\n"
    "[15/11/2023, 09:00:00] Nərgiz Nümunəli: Bu mesajları saxlayıram.\n"
    "Hamısını.\n"
)


def test_ios_zip_with_attached_photo_present_and_missing(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        "WhatsApp Chat - Nərgiz Nümunəli.zip",
        {"_chat.txt": IOS_CHAT, "00000012-PHOTO-2023-11-14-21-06-30.jpg": JPEG},
    )
    assert detect(path)
    records = parse(path)
    chat = records[0]
    assert chat.key == "Nərgiz Nümunəli"
    assert chat.participants == ("Rəşad Uydurma", "Nərgiz Nümunəli")
    msgs = messages(records)
    assert len(msgs) == 9
    notice, text, present, missing = msgs[:4]
    assert notice.kind == "service"
    assert notice.sender_name == ""
    assert notice.details["shown_as"] == "Nərgiz Nümunəli"
    assert notice.text.startswith("Messages and calls are end-to-end encrypted.")
    # 21:06:01 in Baku (UTC+4) → 17:06:01 UTC.
    assert text.time.raw == "14/11/2023, 21:06:01"
    assert text.time.utc == "2023-11-14T17:06:01Z"
    assert present.media == (
        ImportedMedia(
            "photo",
            "00000012-PHOTO-2023-11-14-21-06-30.jpg",
            "00000012-PHOTO-2023-11-14-21-06-30.jpg",
        ),
    )
    assert present.text == ""
    assert present.raw == (
        f"{LRM}[14/11/2023, 21:06:30] Rəşad Uydurma: {LRM}<attached: 00000012-PHOTO-2023-11-14-21-06-30.jpg>"
    )
    assert missing.media == (
        ImportedMedia(
            "photo",
            "00000013-PHOTO-2023-11-14-21-07-02.jpg",
            None,
            note="named in the chat but not in the export",
        ),
    )


def test_ios_omitted_media(tmp_path: Path) -> None:
    path = make_zip(tmp_path, "WhatsApp Chat - Nərgiz.zip", {"_chat.txt": IOS_CHAT})
    msgs = messages(parse(path))
    image, sticker, document = msgs[4:7]
    assert image.media == (ImportedMedia("photo", "", None, note="media omitted in the export"),)
    assert sticker.media == (
        ImportedMedia("sticker", "", None, note="media omitted in the export"),
    )
    assert document.media == (
        ImportedMedia("file", "Hesabat.pdf", None, note="media omitted in the export"),
    )
    assert image.kind == sticker.kind == document.kind == "message"
    assert image.sender_name == "Rəşad Uydurma"


def test_ios_attachment_name_outside_the_export_is_never_a_path(tmp_path: Path) -> None:
    path = make_zip(tmp_path, "WhatsApp Chat - Nərgiz.zip", {"_chat.txt": IOS_CHAT})
    hostile = messages(parse(path))[7]
    assert hostile.media[0].path is None
    assert hostile.media[0].note == "named in the chat but not in the export"


def test_ios_multiline_and_folder_source(tmp_path: Path) -> None:
    folder = tmp_path / "WhatsApp Chat - Nərgiz"
    folder.mkdir()
    (folder / "_chat.txt").write_text(IOS_CHAT, encoding="utf-8")
    (folder / "00000013-PHOTO-2023-11-14-21-07-02.jpg").write_bytes(JPEG)
    records = parse(folder)
    assert records[0].key == "Nərgiz"
    msgs = messages(records)
    assert msgs[3].media[0].path == "00000013-PHOTO-2023-11-14-21-07-02.jpg"
    assert msgs[2].media[0].path is None
    last = msgs[-1]
    assert last.text == "Bu mesajları saxlayıram.\nHamısını."
    # 09:00 in Baku (UTC+4) → 05:00 UTC.
    assert last.time.utc == "2023-11-15T05:00:00Z"


def test_ios_chat_in_a_subfolder_of_the_zip(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        "download.zip",
        {
            "WhatsApp Chat - Aynur/_chat.txt": IOS_CHAT,
            "WhatsApp Chat - Aynur/00000012-PHOTO-2023-11-14-21-06-30.jpg": JPEG,
        },
    )
    records = parse(path)
    assert records[0].key == "Aynur"
    assert messages(records)[2].media[0].path == (
        "WhatsApp Chat - Aynur/00000012-PHOTO-2023-11-14-21-06-30.jpg"
    )


def test_ios_us_12h_with_seconds(tmp_path: Path) -> None:
    text = f"{LRM}[11/14/23, 9:05:33{NNBSP}PM] Rəşad Uydurma: We are watching.\n"
    [msg] = messages(parse(write(tmp_path, "_chat.txt", text), date_order="mdy"))
    # 9:05:33 PM in Baku (UTC+4) → 17:05:33 UTC.
    assert msg.time.utc == "2023-11-14T17:05:33Z"
    assert msg.time.raw == f"11/14/23, 9:05:33{NNBSP}PM"


def test_ios_dotted(tmp_path: Path) -> None:
    text = "[14.11.23, 21:05:33] Пётр Выдумкин: Последнее предупреждение.\n"
    [msg] = messages(parse(write(tmp_path, "_chat.txt", text), "Europe/Moscow"))
    # 21:05:33 in Moscow (UTC+3) → 18:05:33 UTC.
    assert msg.time.utc == "2023-11-14T18:05:33Z"


# ---- date order over the whole file --------------------------------------------------------------

AMBIGUOUS = (
    "03/04/23, 10:00 - Rəşad Uydurma: Sizi görürük.\n05/06/23, 11:00 - Rəşad Uydurma: Yenə də.\n"
)


def test_ambiguous_slash_dates_need_date_order(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", AMBIGUOUS)
    with pytest.raises(InvalidInput) as caught:
        parse(path)
    assert "--date-order" in str(caught.value)
    assert "Sizi" not in str(caught.value)


def test_ambiguous_slash_dates_read_with_date_order(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", AMBIGUOUS)
    dmy = messages(parse(path, date_order="dmy"))
    mdy = messages(parse(path, date_order="MDY"))
    # dmy: 3 April 2023 10:00 in Baku (UTC+4) → 06:00 UTC; mdy: 4 March 2023 → 06:00 UTC.
    assert dmy[0].time.utc == "2023-04-03T06:00:00Z"
    assert mdy[0].time.utc == "2023-03-04T06:00:00Z"
    # 5 June 11:00 → 07:00 UTC; 6 May 11:00 → 07:00 UTC.
    assert dmy[1].time.utc == "2023-06-05T07:00:00Z"
    assert mdy[1].time.utc == "2023-05-06T07:00:00Z"


def test_month_first_proven_by_a_later_line(tmp_path: Path) -> None:
    text = AMBIGUOUS + "12/13/23, 09:00 - Rəşad Uydurma: Bu gün on üçüdür.\n"
    msgs = messages(parse(write(tmp_path, "chat.txt", text)))
    # The early 03/04/23 is read month-first because line 3 (12/13/23) proves the order:
    # 4 March 2023 10:00 in Baku (UTC+4) → 06:00 UTC.
    assert msgs[0].time.utc == "2023-03-04T06:00:00Z"
    assert msgs[2].time.utc == "2023-12-13T05:00:00Z"


def test_day_first_proven_by_a_later_line(tmp_path: Path) -> None:
    text = AMBIGUOUS + "13/12/23, 09:00 - Rəşad Uydurma: Bu gün on üçüdür.\n"
    msgs = messages(parse(write(tmp_path, "chat.txt", text)))
    assert msgs[0].time.utc == "2023-04-03T06:00:00Z"
    assert msgs[2].time.utc == "2023-12-13T05:00:00Z"


def test_date_order_that_the_file_disproves_is_refused(tmp_path: Path) -> None:
    text = AMBIGUOUS + "12/13/23, 09:00 - Rəşad Uydurma: On üç.\n"
    with pytest.raises(InvalidInput, match="month/day/year"):
        parse(write(tmp_path, "chat.txt", text), date_order="dmy")


def test_dates_that_fit_no_single_order(tmp_path: Path) -> None:
    text = "13/01/23, 10:00 - Rəşad Uydurma: Birinci.\n01/13/23, 10:00 - Rəşad Uydurma: İkinci.\n"
    path = write(tmp_path, "chat.txt", text)
    with pytest.raises(InvalidInput, match="do not all fit one order"):
        parse(path)
    records = parse(path, date_order="dmy")
    first, second = messages(records)
    # 13 January 2023 10:00 in Baku (UTC+4) → 06:00 UTC; the second line cannot be day-first.
    assert first.time.utc == "2023-01-13T06:00:00Z"
    assert second.time.utc is None
    assert [p.where for p in problems(records)] == ["chat.txt, line 2"]


def test_bad_date_order_value(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="--date-order"):
        parse(write(tmp_path, "chat.txt", AMBIGUOUS), date_order="day-first")


# ---- time zone ----------------------------------------------------------------------------------


def test_missing_timezone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(write(tmp_path, "chat.txt", ANDROID_AZ), timezone=None)
    assert "--timezone" in str(caught.value)
    assert "Asia/Baku" in str(caught.value)


def test_unknown_timezone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        parse(write(tmp_path, "chat.txt", ANDROID_AZ), timezone="Baku/Nowhere")


def test_same_file_in_two_zones(tmp_path: Path) -> None:
    path = write(tmp_path, "chat.txt", "14.11.2023, 21:05 - Пётр Выдумкин: Жди гостей.\n")
    [baku] = messages(parse(path, "Asia/Baku"))
    [moscow] = messages(parse(path, "Europe/Moscow"))
    # 21:05 at UTC+4 → 17:05Z; 21:05 at UTC+3 → 18:05Z. Same raw, same key.
    assert baku.time.utc == "2023-11-14T17:05:00Z"
    assert moscow.time.utc == "2023-11-14T18:05:00Z"
    assert baku.key == moscow.key


# ---- keys ---------------------------------------------------------------------------------------


def test_keys_stable_between_shorter_and_longer_exports(tmp_path: Path) -> None:
    lines = ANDROID_AZ.splitlines(keepends=True)
    shorter = "".join(lines[:4])  # up to the first line of the multi-line message
    longer = ANDROID_AZ + "16/11/2023, 10:00 - Rəşad Uydurma: Yenə yazıram.\n"
    gapped = "".join(lines[:2] + lines[3:])  # one message missing from this export
    full = {m.raw: m.key for m in messages(parse(write(tmp_path, "a.txt", ANDROID_AZ)))}
    for variant in (shorter, longer, gapped):
        for msg in messages(parse(write(tmp_path, "b.txt", variant))):
            if msg.raw in full:
                assert msg.key == full[msg.raw]
    later = messages(parse(write(tmp_path, "c.txt", longer)))
    assert [m.key for m in later[:-1]] == list(full.values())
    assert len(set(full.values())) == len(full)


def test_identical_repeats_get_ordinals(tmp_path: Path) -> None:
    line = "14/11/2023, 21:05 - Rəşad Uydurma: Cavab ver.\n"
    msgs = messages(parse(write(tmp_path, "chat.txt", line * 3)))
    assert msgs[0].key == msgs[1].key.removesuffix(":2") == msgs[2].key.removesuffix(":3")
    assert msgs[1].key.endswith(":2")
    assert msgs[2].key.endswith(":3")
    assert len(msgs[0].key) == 20


def test_key_is_the_documented_digest(tmp_path: Path) -> None:
    import hashlib

    text = "14/11/2023, 21:05 - Rəşad Uydurma: Cavab ver.\n"
    [msg] = messages(parse(write(tmp_path, "chat.txt", text)))
    expected = hashlib.sha256("14/11/2023, 21:05\nRəşad Uydurma\nCavab ver.".encode()).hexdigest()
    assert msg.key == expected[:20]


# ---- choosing the chat file ---------------------------------------------------------------------


def test_zip_prefers_chat_txt_over_other_text_files(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        "WhatsApp Chat - Nərgiz.zip",
        {"qeydlər.txt": "Bu sadəcə qeyddir.\n", "_chat.txt": IOS_CHAT},
    )
    records = parse(path)
    assert records[0].key == "Nərgiz"
    assert len(messages(records)) == 9


def test_zip_picks_the_text_file_that_parses(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        "export.zip",
        {"qeydlər.txt": "Bu sadəcə qeyddir.\n", "WhatsApp Chat mit Nərgiz.txt": ANDROID_AZ},
    )
    records = parse(path)
    assert records[0].key == "Nərgiz"
    assert len(messages(records)) == 6
    assert problems(records) == []


def test_second_chat_like_file_is_reported(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path,
        "export.zip",
        {"WhatsApp Chat with Rəşad.txt": ANDROID_AZ, "DOC-20231114-WA0001.txt": ANDROID_AZ},
    )
    records = parse(path)
    assert records[0].key == "Rəşad"
    [problem] = problems(records)
    assert problem.where == "DOC-20231114-WA0001.txt"


# ---- not a chat, broken input -------------------------------------------------------------------


def test_not_a_chat_text_file(tmp_path: Path) -> None:
    path = write(tmp_path, "alış-veriş.txt", "Çörək\nSüd\nPendir 14/11/2023\n")
    assert not detect(path)
    with pytest.raises(InvalidInput, match="does not look like a WhatsApp chat"):
        parse(path)


def test_zip_without_chat(tmp_path: Path) -> None:
    path = make_zip(tmp_path, "photos.zip", {"IMG-20231114-WA0003.jpg": JPEG})
    assert not detect(path)
    with pytest.raises(InvalidInput, match=r"no \.txt chat file"):
        parse(path)


def test_detect_android_ios_and_non_txt(tmp_path: Path) -> None:
    assert detect(write(tmp_path, "WhatsApp Chat with Rəşad.txt", ANDROID_AZ))
    assert detect(write(tmp_path, "_chat.txt", IOS_CHAT, bom=True))
    assert not detect(write(tmp_path, "result.json", ANDROID_AZ))
    assert not detect(write(tmp_path, "empty.txt", ""))


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Чат WhatsApp с Пётр.txt"
    path.write_bytes("14.11.23, 21:05 - Пётр Выдумкин: Мы знаем, где ты живёшь.\n".encode("cp1251"))
    with pytest.raises(InvalidInput, match="not UTF-8") as caught:
        parse(path, "Europe/Moscow")
    assert "живёшь" not in str(caught.value)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not look like a WhatsApp chat"):
        parse(write(tmp_path, "chat.txt", ""))


def test_oversized_chat_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp, "MAX_CHAT_BYTES", 100)
    with pytest.raises(InvalidInput, match="larger than any WhatsApp chat export"):
        parse(write(tmp_path, "chat.txt", ANDROID_AZ))


def test_overlong_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whatsapp.chat_file, "MAX_LINE_BYTES", 64)
    with pytest.raises(InvalidInput, match="longer than any WhatsApp message"):
        parse(write(tmp_path, "chat.txt", ANDROID_AZ))


def test_chat_is_yielded_before_its_messages(tmp_path: Path) -> None:
    records = parse(write(tmp_path, "chat.txt", ANDROID_AZ))
    assert isinstance(records[0], ImportedChat)
    assert not any(isinstance(r, ImportedChat) for r in records[1:])
