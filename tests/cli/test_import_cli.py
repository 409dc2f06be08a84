"""`evault import`, `imports`, `chats`, `chat`, `similar` and `hashes`, run in-process through
``main()`` against real vaults on disk (fast KDF), plus one run of the real program.

Exports are built here: Telegram Desktop JSON (helpers from tests/importers/test_importing.py),
WhatsApp text, Meta DYI JSON. Every person is invented; pictures are drawn with Pillow.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.cli.runner import Runner
from tests.importers.test_importing import chat, first_export, message, picture, write_folder
from tui.cli import main

# 14/11/2023 21:06 in Baku (UTC+4 all year since 2016) is 2023-11-14T17:06:00Z.
WHATSAPP = (
    "14/11/2023, 21:05 - Rəşad Uydurma: Salam, Nərgiz xanım. Bilirik harada yaşayırsınız.\n"
    "14/11/2023, 21:06 - Rəşad Uydurma: Yazılarınızı dayandırın.\n"
    "15/11/2023, 08:30 - Nərgiz Nümunəli: Bu mesajları saxlayıram.\n"
)
# Every day and month here is 12 or less, with slashes: the file cannot tell 03/04 apart.
WHATSAPP_AMBIGUOUS = (
    "03/04/2023, 21:05 - Пётр Выдумкин: Мы знаем, где ты живёшь.\n"
    "03/04/2023, 21:07 - Пётр Выдумкин: Подумай о семье.\n"
)
META_SENDER = "Иван Примеров"
META_URL = "https://www.facebook.com/profile.php?id=100000000000001"
META_DIR = "messages/inbox/qaraqurd_1234567890"
# 2024-01-02T12:00:00Z = 1,704,067,200 s (2024-01-01) + 86,400 + 43,200 = 1,704,196,800 s.
META_NOON_MS = 1_704_196_800_000


def items(run: Runner) -> list[dict[str, Any]]:
    listed = run.json("list")
    assert isinstance(listed, list)
    return listed


def event_count(run: Runner) -> int:
    records = run.json("log")
    assert isinstance(records, list)
    return len(records)


def imports(run: Runner) -> list[dict[str, Any]]:
    found = run.json("imports")
    assert isinstance(found, list)
    return found


def whatsapp_file(tmp_path: Path, text: str, name: str = "WhatsApp Chat with Rəşad.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def moji(text: str) -> str:
    """What Meta's exporter makes of ``text``: its UTF-8 bytes read as Latin-1 code points."""
    return text.encode("utf-8").decode("latin-1")


def meta_export(tmp_path: Path, *, mangled: bool = False) -> Path:
    fix = moji if mangled else (lambda text: text)
    thread = {
        "participants": [{"name": fix(META_SENDER)}, {"name": fix("Nərgiz Testova")}],
        "messages": [  # newest first, as Meta lists them
            {
                "sender_name": fix(META_SENDER),
                "timestamp_ms": META_NOON_MS + 60_000,
                "content": fix("Мы знаем, где ты живёшь. Подумай о семье."),
                "type": "Generic",
            },
            {
                "sender_name": fix("Nərgiz Testova"),
                "timestamp_ms": META_NOON_MS,
                "content": fix("Kimsiniz? Bu mesajı saxlayıram."),
                "type": "Generic",
            },
        ],
        "title": fix(META_SENDER),
        "thread_path": "inbox/qaraqurd_1234567890",
    }
    root = tmp_path / ("facebook-mangled" if mangled else "facebook-nergiz")
    (root / META_DIR).mkdir(parents=True)
    # json.dumps escapes every non-ASCII character, as Meta does.
    (root / META_DIR / "message_1.json").write_bytes(json.dumps(thread, indent=2).encode("ascii"))
    return root


def two_channel_export(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A full Telegram export: the same leaked picture in two channels (re-encoded in the second),
    and an unrelated picture."""
    leaked = picture(5)
    smaller = io.BytesIO()
    Image.open(io.BytesIO(leaked)).resize((240, 180)).save(smaller, "JPEG", quality=60)
    files = {
        "chats/chat_001/photos/a.jpg": leaked,
        "chats/chat_002/photos/b.jpg": smaller.getvalue(),
        "chats/chat_002/photos/c.jpg": picture(99),
    }
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
                        message(1, "bax", offset=30, photo="chats/chat_002/photos/b.jpg"),
                        message(2, "başqa", offset=60, photo="chats/chat_002/photos/c.jpg"),
                    ],
                    chat_id=2,
                    name="Kanal B",
                ),
            ],
        },
    }
    return write_folder(tmp_path / "DataExport_2023-11-20", full, files), files


def search_one(run: Runner, words: str) -> dict[str, Any]:
    found = run.json("search", words)
    assert isinstance(found, list) and len(found) == 1, found
    hit: dict[str, Any] = found[0]
    return hit


def item_titled(run: Runner, suffix: str) -> dict[str, Any]:
    """The item whose real title ends with ``suffix`` (revealed: imported media are sensitive)."""
    listed = run.json("list", "--reveal")
    assert isinstance(listed, list)
    (found,) = [i for i in listed if i["title"].endswith(suffix)]
    assert isinstance(found, dict)
    return found


# ---------------------------------------------------------------------- import telegram


def test_import_telegram_folder_fills_the_vault(run: Runner, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    code, out, err = run("import", "telegram", str(folder), "--case", "Threats 2023", "--tag", "tg")
    assert code == 0, err
    assert err == ""  # stderr is not a terminal here: no progress drawn
    assert "Imported ChatExport_2023-11-15 (Telegram export, folder)" in out
    assert "  Naməlum Şəxs: 4 messages, 4 new\n" in out
    assert "Messages:                          4\n" in out
    assert "2023-11-14 12:00:00 UTC to 2023-11-14 12:03:00 UTC" in out
    assert "marked sensitive" in out
    listed = items(run)
    messages = [i for i in listed if i["kind"] == "message"]
    assert len(messages) == 4
    # result.json + the photo + the SHA256SUMS listing that fingerprints the folder.
    assert len([i for i in listed if i["kind"] == "file"]) == 3
    assert all(m["case"] == "Threats 2023" and "tg" in m["tags"] for m in messages)
    found = run.json("search", "живёшь")
    assert isinstance(found, list) and [i["title"] for i in found] == ["Мы знаем, где ты живёшь"]
    assert run.json("search", "pesman")  # Azerbaijani, typed without its letters


def test_import_json_summary(run: Runner, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    summary = run.json("import", "telegram", str(folder))
    assert isinstance(summary, dict)
    assert summary["importer"] == "telegram"
    assert summary["source_name"] == "ChatExport_2023-11-15"
    assert summary["source_kind"] == "folder"
    assert summary["already_imported"] is False
    assert (summary["messages"], summary["messages_new"], summary["messages_already"]) == (4, 4, 0)
    assert summary["export_files"] == 2
    assert summary["senders"] == 1
    # T0 = 1,699,963,200 s = 2023-11-14T12:00:00Z; the last message is 180 s later.
    assert (summary["first_time"], summary["last_time"]) == (
        "2023-11-14T12:00:00Z",
        "2023-11-14T12:03:00Z",
    )
    assert [(c["title"], c["messages"], c["new"]) for c in summary["chats"]] == [
        ("Naməlum Şəxs", 4, 4)
    ]
    (only,) = imports(run)
    assert only["id"] == summary["import_id"]
    listing = run.json("show", summary["source_item_id"])
    assert isinstance(listing, dict) and listing["sha256"] == summary["source_sha256"]


def test_reimport_says_imported_before_and_adds_nothing(run: Runner, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    first = run.json("import", "telegram", str(folder))
    assert isinstance(first, dict)
    before, events = len(items(run)), event_count(run)
    code, out, err = run("import", "telegram", str(folder))
    assert code == 0, err
    assert out == (
        f"This export was imported before (import {first['import_id'][:8]}); nothing was added.\n"
    )
    again = run.json("import", "telegram", str(folder))
    assert isinstance(again, dict) and again["already_imported"] is True
    assert len(items(run)) == before
    assert event_count(run) == events
    assert len(imports(run)) == 1


def test_later_export_lists_messages_missing_since(run: Runner, tmp_path: Path) -> None:
    run.json("import", "telegram", str(first_export(tmp_path)))
    later = write_folder(
        tmp_path / "ChatExport_2023-11-20",
        chat(
            [
                message(1, "Yazılarını dayandır, yoxsa peşman olacaqsan.", offset=0),
                # message 2 ("Мы знаем...", 12:01 UTC) was deleted by the sender since
                message(3, "", offset=120, photo="photos/photo_1@14-11-2023_12-02-00.jpg"),
                message(4, "Bu sonuncu xəbərdarlıqdır.", offset=180),
            ]
        ),
        {"photos/photo_1@14-11-2023_12-02-00.jpg": picture(1)},
    )
    code, out, err = run("import", "telegram", str(later))
    assert code == 0, err
    assert "  Naməlum Şəxs: 3 messages, 0 new, 1 missing since an earlier import\n" in out
    gone = next(i for i in items(run) if i["title"] == "Мы знаем, где ты живёшь")
    assert (
        "Messages missing since an earlier import of the same chat (deleted by the sender?)" in out
    )
    assert f"  Naməlum Şəxs  2023-11-14 12:01:00 UTC  Naməlum Şəxs  {gone['id'][:8]}\n" in out


def test_old_telegram_export_needs_timezone(run: Runner, tmp_path: Path) -> None:
    old = chat(
        [
            {
                "id": 7,
                "type": "message",
                "date": "2019-05-01T10:00:00",
                "from": "Uydurma Şəxs",
                "from_id": "user1",
                "text": "köhnə hədə",
            }
        ]
    )
    folder = write_folder(tmp_path / "old", old, {})
    code, out, err = run("import", "telegram", str(folder))
    assert code == 2 and out == ""
    assert "--timezone" in err and "Traceback" not in err
    assert items(run) == [] and imports(run) == []
    code, out, err = run("import", "telegram", str(folder), "--timezone", "Asia/Baku")
    assert code == 0, err
    assert "Times read in Asia/Baku (declared): 1" in out.replace("  ", "")


def test_progress_goes_to_a_terminal_stderr_only(run: Runner, tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, err = Terminal(), Terminal()
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    code = run_main_streams([*argv, "import", "telegram", str(first_export(tmp_path))], out, err)
    assert code == 0
    assert "Storing the export unchanged:" in err.getvalue()
    assert err.getvalue().endswith("\r")  # the progress line is wiped at the end
    assert "Storing" not in out.getvalue()


def run_main_streams(argv: list[str], out: io.StringIO, err: io.StringIO) -> int:
    return main(argv, stdout=out, stderr=err)


def test_ctrl_c_during_import_keeps_nothing(run: Runner, tmp_path: Path) -> None:
    class InterruptingTerminal(io.StringIO):
        """A terminal where the defender presses Ctrl+C as soon as progress appears."""

        pressed = False

        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            if "Storing" in text and not self.pressed:
                self.pressed = True
                raise KeyboardInterrupt
            return super().write(text)

    out, err = io.StringIO(), InterruptingTerminal()
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    code = run_main_streams([*argv, "import", "telegram", str(first_export(tmp_path))], out, err)
    assert code == 130
    assert "Nothing half-done was kept" in err.getvalue()
    assert items(run) == [] and imports(run) == []


# ---------------------------------------------------------------------- refusals


def test_whatsapp_without_timezone_is_refused_and_nothing_added(
    run: Runner, tmp_path: Path
) -> None:
    path = whatsapp_file(tmp_path, WHATSAPP)
    events = event_count(run)
    code, out, err = run("import", "whatsapp", str(path))
    assert code == 2 and out == ""
    assert err.startswith("evault: ") and err.count("\n") == 1
    assert "--timezone" in err
    assert items(run) == [] and imports(run) == []
    assert event_count(run) == events


def test_whatsapp_with_timezone(run: Runner, tmp_path: Path) -> None:
    path = whatsapp_file(tmp_path, WHATSAPP)
    summary = run.json("import", "whatsapp", str(path), "--timezone", "Asia/Baku")
    assert isinstance(summary, dict)
    assert summary["messages"] == 3 and summary["times_declared_zone"] == 3
    # 21:05 and 08:30 in Baku (UTC+4) are 17:05 and 04:30 UTC.
    assert (summary["first_time"], summary["last_time"]) == (
        "2023-11-14T17:05:00Z",
        "2023-11-15T04:30:00Z",
    )
    hit = search_one(run, "dayandırın")
    shown = run.json("show", hit["id"])
    assert isinstance(shown, dict)
    assert shown["occurred_tz"] == "Asia/Baku"
    assert shown["occurred_utc"].startswith("2023-11-14T17:06:00")


def test_log_shows_an_imported_messages_record_apart_from_its_import_event(
    run: Runner, tmp_path: Path
) -> None:
    """An imported message has no signed event of its own: its creation record is shown at its
    import event's place as "(#N)", not as a second event numbered #N, and a line says why."""
    code, out, err = run("log")  # before any import: the vault's own events, no footnote
    assert code == 0, err
    assert out.splitlines()[0].startswith("#1 ") and "(#N)" not in out
    path = whatsapp_file(tmp_path, WHATSAPP)
    assert run.json("import", "whatsapp", str(path), "--timezone", "Asia/Baku")["messages"] == 3
    hit = search_one(run, "dayandırın")
    records = run.json("log", hit["id"])
    signed = [r for r in records if r["signature"]]
    unsigned = [r for r in records if not r["signature"]]
    assert len(unsigned) == 1 and unsigned[0]["type"] == "item.created"
    seq = unsigned[0]["seq"]
    assert any(r["seq"] == seq and r["type"] == "import.completed" for r in signed)
    code, out, err = run("log", hit["id"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"(#{seq}) ") and "added to the vault (imported)" in lines[0]
    assert lines[1].startswith(f"#{seq} ") and "imported" in lines[1]
    assert f"#{seq} " not in lines[0]  # never two lines with the same event number
    assert "(#N): a message's import record" in out


def test_whatsapp_ambiguous_dates_need_date_order(run: Runner, tmp_path: Path) -> None:
    path = whatsapp_file(tmp_path, WHATSAPP_AMBIGUOUS)
    code, _, err = run("import", "whatsapp", str(path), "--timezone", "Asia/Baku")
    assert code == 2 and "--date-order" in err
    assert items(run) == []
    summary = run.json(
        "import", "whatsapp", str(path), "--timezone", "Asia/Baku", "--date-order", "mdy"
    )
    assert isinstance(summary, dict)
    # Month first: 4 March 2023, 21:05 in Baku (UTC+4) = 17:05 UTC (day first would be 3 April).
    assert summary["first_time"] == "2023-03-04T17:05:00Z"
    assert imports(run)[0]["settings"]["date_order"] == "mdy"


def test_date_order_and_profile_url_refused_for_other_platforms(
    run: Runner, tmp_path: Path
) -> None:
    folder = first_export(tmp_path)
    code, _, err = run("import", "telegram", str(folder), "--date-order", "dmy")
    assert code == 2 and "only for WhatsApp" in err
    code, _, err = run("import", "telegram", str(folder), "--profile-url", f"X={META_URL}")
    assert code == 2 and "Profile links are only for" in err
    code, _, err = run("import", "meta", str(folder), "--profile-url", "no equals sign")
    assert code == 2 and "NAME" not in err and "'='" in err
    assert items(run) == []


def test_hostile_zip_is_refused_and_vault_unchanged(run: Runner, tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("result.json", json.dumps(chat([message(1, "x")])))
        zf.writestr("../../outside.txt", "escape")
    events = event_count(run)
    code, out, err = run("import", "telegram", str(archive))
    assert code == 2 and out == ""
    assert "unsafe name" in err and "Traceback" not in err
    assert items(run) == [] and event_count(run) == events
    assert not (tmp_path.parent / "outside.txt").exists()


def test_wrong_importer_for_the_data(run: Runner, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    code, out, err = run("import", "whatsapp", str(folder), "--timezone", "Asia/Baku")
    assert code == 2 and out == ""
    assert "does not look like a WhatsApp export" in err
    code, _, err = run("import", "myspace", str(folder))
    assert code == 2 and "'myspace' is not one of the choices" in err  # one calm sentence
    code, _, err = run("import", "telegram", str(tmp_path / "nowhere"))
    assert code == 2 and "does not exist" in err
    code, _, err = run("import", "whatsapp", str(folder), "--timezone", "Asia/Bakuu")
    assert code == 2 and "not a time zone name" in err
    assert items(run) == []


# ---------------------------------------------------------------------- meta, media, email


def test_meta_profile_url_is_kept_on_the_senders_messages(run: Runner, tmp_path: Path) -> None:
    root = meta_export(tmp_path)
    summary = run.json("import", "meta", str(root), "--profile-url", f"{META_SENDER}={META_URL}")
    assert isinstance(summary, dict) and summary["messages"] == 2
    threat = search_one(run, "живёшь")
    shown = run.json("show", threat["id"])
    assert isinstance(shown, dict)
    assert shown["source_url"] == META_URL  # split at the first '=': the URL keeps its own
    assert shown["sender_handle"] == META_SENDER
    reply = search_one(run, "saxlayıram")
    other = run.json("show", reply["id"])
    assert isinstance(other, dict) and other["source_url"] == ""
    assert imports(run)[0]["settings"]["profile_urls"] == {META_SENDER: META_URL}


def test_meta_mojibake_repair_is_reported(run: Runner, tmp_path: Path) -> None:
    code, out, err = run("import", "meta", str(meta_export(tmp_path, mangled=True)))
    assert code == 0, err
    assert "mojibake repaired" in out and ": 2 messages" in out
    assert run.json("search", "живёшь")  # the repaired text is what search finds


def test_media_sensitive_by_default_and_shown_with_show_media(run: Runner, tmp_path: Path) -> None:
    run.json("import", "telegram", str(first_export(tmp_path, "hidden")))
    other = write_folder(
        tmp_path / "shown",
        chat([message(9, "", photo="photos/p2.jpg")], chat_id=777, name="Başqa"),
        {"photos/p2.jpg": picture(2)},
    )
    run.json("import", "telegram", str(other), "--show-media")
    default = item_titled(run, "photos/photo_1@14-11-2023_12-02-00.jpg")
    shown = item_titled(run, "photos/p2.jpg")
    assert default["sensitive"] is True
    assert shown["sensitive"] is False
    assert imports(run)[0]["settings"]["sensitive_media"] is False


def test_email_importer_name_is_passed_through(run: Runner, tmp_path: Path) -> None:
    eml = tmp_path / "threat.eml"
    eml.write_bytes(
        b"From: Tural Uydurma <tural@threat.example>\r\n"
        b"To: Nergiz <nergiz@defender.example>\r\n"
        b"Subject: Son xeberdarliq\r\n"
        b"Date: Tue, 14 Nov 2023 21:05:00 +0400\r\n"
        b"Message-ID: <fictional-1@threat.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Yazilarini dayandir.\r\n"
    )
    summary = run.json("import", "email", str(eml))
    assert isinstance(summary, dict)
    assert summary["importer"] == "email" and summary["messages"] == 1
    # 21:05 at +04:00 is 17:05 UTC.
    assert summary["first_time"] == "2023-11-14T17:05:00Z"


# ---------------------------------------------------------------------- imports, chats, chat


def test_imports_lists_past_imports(run: Runner, tmp_path: Path) -> None:
    code, out, _ = run("imports")
    assert code == 0 and out.startswith("No imports yet.")
    summary = run.json("import", "telegram", str(first_export(tmp_path)))
    assert isinstance(summary, dict)
    code, out, _ = run("imports")
    assert code == 0
    (line, footer) = out.splitlines()
    assert "telegram" in line and "ChatExport_2023-11-15" in line
    assert "4 new of 4 messages" in line
    assert line.endswith(summary["import_id"][:8])
    assert footer == "1 import. Full ids: --json."
    (entry,) = imports(run)
    assert entry["summary"]["messages_new"] == 4


def test_chats_and_chat(run: Runner, tmp_path: Path) -> None:
    run.json("import", "telegram", str(first_export(tmp_path)))
    chats = run.json("chats")
    assert isinstance(chats, list)
    assert [(c["platform"], c["key"], c["title"], c["messages"]) for c in chats] == [
        ("telegram", "5550001111", "Naməlum Şəxs", 4)
    ]
    code, out, _ = run("chats")
    assert code == 0
    assert "Naməlum Şəxs: 4 messages, 2023-11-14 12:00 to 2023-11-14 12:03 UTC" in out
    assert "key: 5550001111" in out
    code, out, _ = run("chat", "5550001111")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Naməlum Şəxs (telegram): 4 messages"
    assert lines[1].startswith("2023-11-14 12:00:00 UTC  Naməlum Şəxs: Yazılarını dayandır")
    assert "[photo] [1 attachment]" in lines[3]
    page = run.json("chat", "5550001111", "--limit", "2", "--offset", "1")
    assert isinstance(page, dict)
    assert [m["time_utc"] for m in page["messages"]] == [
        "2023-11-14T12:01:00Z",
        "2023-11-14T12:02:00Z",
    ]
    code, out, _ = run("chat", "5550001111", "--limit", "2")
    assert "More: --offset 2." in out
    code, _, err = run("chat", "nope")
    assert code == 2 and "No imported chat has that key" in err
    code, _, err = run("chat", "5550001111", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_chat_key_on_two_platforms_needs_platform(run: Runner, tmp_path: Path) -> None:
    run.json("import", "telegram", str(first_export(tmp_path)))  # chat id 5550001111
    # WhatsApp names a chat after its file: "WhatsApp Chat with 5550001111.txt" -> "5550001111".
    path = whatsapp_file(tmp_path, WHATSAPP, "WhatsApp Chat with 5550001111.txt")
    run.json("import", "whatsapp", str(path), "--timezone", "Asia/Baku")
    code, _, err = run("chat", "5550001111")
    assert code == 2
    assert err == (
        "evault: Chats on several platforms have that key (telegram, whatsapp). "
        "Choose one with --platform.\n"
    )
    page = run.json("chat", "5550001111", "--platform", "whatsapp")
    assert isinstance(page, dict)
    assert page["chat"]["platform"] == "whatsapp" and len(page["messages"]) == 3


# ---------------------------------------------------------------------- similar, hashes


def test_similar_finds_the_picture_posted_twice(run: Runner, tmp_path: Path) -> None:
    folder, _ = two_channel_export(tmp_path)
    run.json("import", "telegram", str(folder))
    first = item_titled(run, "photos/a.jpg")
    copy = item_titled(run, "photos/b.jpg")
    code, out, err = run("similar", first["id"][:8])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Seen 2 times, in 2 chats: Kanal A, Kanal B."
    assert lines[1].startswith("Perceptual hash (phash-64): ")
    assert len(lines[1].rsplit(" ", 1)[1]) == 16
    assert f"distance 0   {first['id'][:8]}" in out and "(this item)" in out
    assert f"{copy['id'][:8]}" in out
    assert "seen in Kanal B, 2023-11-14 12:00:30 UTC, from Naməlum Şəxs" in out
    assert "c.jpg" not in out  # the unrelated picture is not similar
    result = run.json("similar", first["id"])
    assert isinstance(result, dict)
    assert result["times_seen"] == 2 and result["chats"] == ["Kanal A", "Kanal B"]
    assert {m["id"] for m in result["matches"]} == {first["id"], copy["id"]}


def test_similar_on_a_message_is_one_calm_sentence(run: Runner, tmp_path: Path) -> None:
    run.json("import", "telegram", str(first_export(tmp_path)))
    msg = next(i for i in items(run) if i["kind"] == "message")
    code, out, err = run("similar", msg["id"])
    assert code == 2 and out == ""
    assert err == (
        "evault: Only pictures can be compared. Choose an item that is a picture "
        "(see 'evault list').\n"
    )


def test_hashes_csv_has_only_hashes(run: Runner, tmp_path: Path) -> None:
    folder, files = two_channel_export(tmp_path)
    run.json("import", "telegram", str(folder), "--case", "Leak")
    code, out, err = run("hashes")
    assert code == 0, err
    assert out.splitlines()[0] == "sha256,algorithm,perceptual_hash,media_type,size"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["sha256"] for r in rows} == {hashlib.sha256(b).hexdigest() for b in files.values()}
    assert all(r["algorithm"] == "phash-64" and len(r["perceptual_hash"]) == 16 for r in rows)
    assert all(r["media_type"] == "image/jpeg" for r in rows)
    assert {int(r["size"]) for r in rows} == {len(b) for b in files.values()}
    assert "a.jpg" not in out and "Kanal" not in out  # no titles or names leave
    code, out, _ = run("hashes", "--case", "Leak")
    assert code == 0 and len(out.splitlines()) == 4
    code, _, err = run("hashes", "--case", "No such case")
    assert code == 2 and "no case with that name" in err
    listed = run.json("hashes")
    assert isinstance(listed, list) and len(listed) == 3
    assert set(listed[0]) == {"id", "sha256", "algorithm", "perceptual_hash", "media_type", "size"}


def test_hashes_out_writes_once_and_refuses_to_overwrite(run: Runner, tmp_path: Path) -> None:
    folder, files = two_channel_export(tmp_path)
    run.json("import", "telegram", str(folder))
    target = tmp_path / "takedown.csv"
    code, out, err = run("hashes", "--out", str(target))
    assert code == 0, err
    assert "Wrote the hashes of 3 pictures" in out and "no picture" in out
    written = target.read_bytes()
    assert written.startswith(b"sha256,algorithm,perceptual_hash,media_type,size\n")
    assert hashlib.sha256(files["chats/chat_001/photos/a.jpg"]).hexdigest().encode() in written
    code, out, err = run("hashes", "--out", str(target))
    assert code == 2 and out == ""
    assert "already exists" in err
    assert target.read_bytes() == written


# ---------------------------------------------------------------------- the real program


@pytest.mark.slow
def test_import_through_the_real_program(run: Runner, tmp_path: Path) -> None:
    folder = first_export(tmp_path)
    base = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    env = {k: v for k, v in os.environ.items() if k != "EVAULT_DEBUG"}
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *base, "import", "telegram", str(folder)],
        capture_output=True,
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
        start_new_session=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stdout and b"Traceback" not in proc.stderr
    assert proc.stderr == b""  # not a terminal: no progress line
    assert "Naməlum Şəxs: 4 messages, 4 new" in proc.stdout.decode("utf-8")
    assert len([i for i in items(run) if i["kind"] == "message"]) == 4


def test_show_tells_where_an_imported_message_came_from(run: Runner, tmp_path: Path) -> None:
    """`evault show` of an imported message: the export, the chat, and the time as exported."""
    folder = first_export(tmp_path)
    code, _, err = run("import", "telegram", str(folder))
    assert code == 0, err
    message = next(i for i in items(run) if i["title"].startswith("Yazılarını"))
    code, out, err = run("show", message["id"])
    assert code == 0, err
    assert "Export:" in out and folder.name in out
    assert "As exported: 1699963200" in out
    assert "from an exact time in the export" in out
    data = run.json("show", message["id"])
    assert data["import"]["time_raw"] == "1699963200"
    assert data["import"]["chat_title"] == "Naməlum Şəxs"
