"""Hostile exports (issue 12): links and FIFOs in export folders, overlapping ZIP members, one
poisoned message, and the inputs fuzzing found to crash an import. Each export is built here, on
disk: folders with real links and FIFOs, ZIPs written byte by byte (``hostile_zips``).

Every test here failed on the code before these fixes (1f2ca1c): it read a file outside the
export, hung on a FIFO, read overlapping members, or ended with an error that is not an
``EvaultError`` (exit 3 on the command line).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import sys
import threading
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import Runner
from tests.importers.hostile_zips import overlapping_zip
from tests.importers.test_importing import chat, message, write_folder
from vault import Vault
from vault.errors import EXIT_OK, EXIT_USER_ERROR, EvaultError, InvalidInput
from vault.imports.options import ImportOptions
from vault.imports.parsers import telegram, ziplayout
from vault.imports.parsers.records import ImportedMessage
from vault.imports.parsers.source import ExportSource

needs_links = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and FIFOs")
SECRET = b"OUTSIDE THE EXPORT: the defender's own private file\n"


def stored_bytes(vault: Vault) -> list[bytes]:
    return [b"".join(vault.read_content(i.id)) for i in vault.list_items()]


# ---------------------------------------------------------------------------- 1. links, FIFOs


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    return outside


@needs_links
def test_backslash_name_never_reads_through_a_linked_folder(vault: Vault, tmp_path: Path) -> None:
    """A file literally named ``photos\\secret.txt`` and a link ``photos -> ../outside``: the
    message's ``photos/secret.txt`` must not become the file outside the export."""
    outside = _outside(tmp_path)
    folder = write_folder(
        tmp_path / "ChatExport",
        chat([message(1, "", photo="photos/secret.txt"), message(2, "hello", offset=60)]),
        {"photos\\secret.txt": b"x" * len(SECRET)},  # the same size: nothing else differs
    )
    os.symlink(os.path.relpath(outside, folder), folder / "photos")
    summary = vault.import_export("telegram", folder, ImportOptions())
    assert summary.messages == 2
    assert SECRET not in stored_bytes(vault)
    assert summary.media_missing == 1  # the export has no photos/secret.txt of its own
    assert any("photos is a link" in s for s in summary.skipped_files)


@needs_links
def test_a_folder_swapped_for_a_link_after_the_walk_is_refused(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    folder = write_folder(
        tmp_path / "ChatExport", chat([]), {"photos/secret.txt": b"x" * len(SECRET)}
    )
    with ExportSource(folder) as source:
        (folder / "photos" / "secret.txt").unlink()
        (folder / "photos").rmdir()
        os.symlink(os.path.relpath(outside, folder), folder / "photos")
        with pytest.raises(InvalidInput, match="replaced or moved"):
            source.read("photos/secret.txt", 1 << 20)


@needs_links
def test_a_file_swapped_for_a_fifo_never_hangs(tmp_path: Path) -> None:
    """Opening a FIFO with no writer blocks forever; the export reader must refuse it at once."""
    folder = write_folder(tmp_path / "ChatExport", chat([]), {"photos/p.jpg": b"\xff\xd8 jpg"})
    outcome: list[BaseException | bytes] = []
    with ExportSource(folder) as source:
        (folder / "photos" / "p.jpg").unlink()
        os.mkfifo(folder / "photos" / "p.jpg")

        def read() -> None:
            try:
                outcome.append(source.read("photos/p.jpg", 1 << 20))
            except BaseException as exc:
                outcome.append(exc)

        worker = threading.Thread(target=read, daemon=True)
        worker.start()
        worker.join(10)
        hung = worker.is_alive()
        if hung:  # let the old code's blocked open() go
            with open(folder / "photos" / "p.jpg", "wb"):
                pass
            worker.join(10)
    assert not hung, "reading the export hung on a FIFO"
    assert len(outcome) == 1 and isinstance(outcome[0], InvalidInput)


@needs_links
def test_links_to_files_and_fifos_in_the_folder_are_skipped(vault: Vault, tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    os.mkfifo(outside / "pipe")
    folder = write_folder(
        tmp_path / "ChatExport",
        chat([message(1, "", photo="photos/a.jpg"), message(2, "", photo="photos/pipe")]),
        {"photos/keep.txt": b"kept\n"},
    )
    os.symlink(outside / "secret.txt", folder / "photos" / "a.jpg")
    os.symlink(outside / "pipe", folder / "photos" / "pipe")
    summary = vault.import_export("telegram", folder, ImportOptions())
    assert summary.media_missing == 2
    assert SECRET not in stored_bytes(vault)


# ---------------------------------------------------------------------------- 2. overlapping ZIPs


def _telegram_result(photos: list[str]) -> tuple[str, bytes]:
    data = chat([message(i + 1, "", offset=i, photo=p) for i, p in enumerate(photos)])
    return "result.json", json.dumps(data).encode()


def test_overlapping_members_refuse_the_export_zip(vault: Vault, tmp_path: Path) -> None:
    """Forty members that all read the same 256 KiB (no single member expands much, so the
    200:1 guard never fires): 10 MiB read back from a ZIP of about 260 KiB."""
    chain = [f"photos/p{i:02}.jpg" for i in range(40)]
    blob = random.Random(7).randbytes(256 * 1024)  # noqa: S311 - test data
    path = overlapping_zip(tmp_path / "export.zip", [_telegram_result(chain)], chain, blob)
    with zipfile.ZipFile(path) as zf:  # a ZIP reader without the check reads every member whole
        assert sum(len(zf.read(n)) for n in chain) > 40 * len(blob)
    before = len(vault.list_items())
    with pytest.raises(InvalidInput, match="overlap"):
        vault.import_export("telegram", path, ImportOptions())
    assert len(vault.list_items()) == before


def test_overlapping_deflated_members_refuse_the_export_zip(tmp_path: Path) -> None:
    """150 members of 256 KiB each that deflates about 4:1, far under the 200:1 guard: each
    quotes the headers of the ones after it in stored deflate blocks."""
    chain = [f"photos/p{i:03}.jpg" for i in range(150)]
    blob = bytes(random.Random(8).choices(b"ACGT", k=256 * 1024))  # noqa: S311
    path = overlapping_zip(tmp_path / "export.zip", [], chain, blob, deflate=True)
    with pytest.raises(InvalidInput, match=r"overlap|ZIP bomb"):
        ExportSource(path)


def _patch(path: Path, offset: int, fmt: str, *values: int) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        f.write(struct.pack(fmt, *values))


def test_member_running_into_the_central_directory_is_found(tmp_path: Path) -> None:
    path = tmp_path / "long.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"a" * 100)
        zf.writestr("b.txt", b"b" * 100)
    with zipfile.ZipFile(path) as zf:
        infos, start_dir = zf.infolist(), zf.start_dir
    with path.open("rb") as f:
        assert ziplayout.bad_members(f, infos, start_dir) == []
        infos[1].compress_size += 40  # now its data runs into the central directory
        assert [(i.filename, why) for i, why in ziplayout.bad_members(f, infos, start_dir)] == [
            ("b.txt", ziplayout.OVERLAPS)
        ]
        infos[1].header_offset += 1  # and no local header where it says
        assert ziplayout.bad_members(f, infos, start_dir)[0][1] == ziplayout.DAMAGED


# ---------------------------------------------------------------------------- 6. one poisoned message


def _eml(cc_count: int) -> bytes:
    cc = ",\n ".join(f"a{i:05}@a-rather-long-domain-name.example" for i in range(cc_count))
    return (
        "From: Anonim <anonim@tehdid.example>\n"
        "To: rehime@jurnalist.example\n"
        f"Cc: {cc}\n"
        "Date: Wed, 15 Nov 2023 09:00:00 +0300\n"
        "Subject: Son xəbərdarlıq\n"
        "Message-ID: <huge-cc@tehdid.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Yazılarını dayandır.\n"
    ).encode()


@pytest.mark.slow
def test_huge_cc_is_imported_with_its_event_fields_cut(vault: Vault, tmp_path: Path) -> None:
    data = _eml(8_000)  # about 330 KB of Cc: the event would pass the 256 KiB cap
    path = tmp_path / "threat.eml"
    path.write_bytes(data)
    summary = vault.import_export("email", path, ImportOptions())
    assert summary.messages_new == 1
    item = next(i for i in vault.list_items() if i.kind == "message")
    assert b"".join(vault.read_content(item.id)) == data  # the original keeps the whole Cc
    assert item.message is not None
    recipient = item.message["recipient"]
    assert recipient.startswith("rehime@jurnalist.example, a00000@") and recipient.endswith("…")
    assert len(recipient) <= 4000
    created = next(r for r in vault.custody_log(item.id) if r.type == "item.created")
    assert created.details["cut"]["recipient"] > 256 * 1024
    assert vault.check().ok


@pytest.mark.slow
def test_huge_cc_exits_calmly_on_the_command_line(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "threat.eml"
    path.write_bytes(_eml(8_000))
    code, out, err = run("import", "email", str(path))
    assert code == EXIT_OK, err
    assert "Traceback" not in out + err


# ---------------------------------------------------------------------------- 7. fuzz crashes


def _version_needed_zip(tmp_path: Path) -> Path:
    """A Telegram export ZIP whose central directory says "version 9.9 needed" for result.json
    (one flipped byte, as the fuzzer found): zipfile raises NotImplementedError."""
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        name, data = _telegram_result([])
        zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        start_dir = zf.start_dir
    _patch(path, start_dir + 6, "<B", 99)  # central directory: version needed to extract
    with pytest.raises(NotImplementedError):
        zipfile.ZipFile(path)
    return path


def test_zip_with_corrupted_version_needed_is_refused_calmly(vault: Vault, tmp_path: Path) -> None:
    path = _version_needed_zip(tmp_path)
    with pytest.raises(InvalidInput, match="damaged"):
        vault.import_export("telegram", path, ImportOptions())
    assert vault.list_items() == []


def test_zip_with_corrupted_version_needed_exits_2(run: Runner, tmp_path: Path) -> None:
    code, out, err = run("import", "telegram", str(_version_needed_zip(tmp_path)))
    assert code == EXIT_USER_ERROR
    assert "Traceback" not in out + err


def test_lone_surrogate_in_meta_text_is_imported(vault: Vault, tmp_path: Path) -> None:
    thread = {
        "participants": [{"name": "Qara Qurd"}, {"name": "Nərgiz Testova"}],
        "messages": [
            {"sender_name": "Qara Qurd", "timestamp_ms": 1_704_196_800_000, "content": "x\ud800y"}
        ],
        "title": "Qara Qurd",
        "thread_path": "inbox/qaraqurd_1234567890",
    }
    data = json.dumps(thread).encode("ascii")  # as Meta writes it: "x\ud800y"
    assert b"\\ud800" in data
    folder = tmp_path / "facebook"
    (folder / "messages/inbox/qaraqurd_1234567890").mkdir(parents=True)
    (folder / "messages/inbox/qaraqurd_1234567890/message_1.json").write_bytes(data)
    summary = vault.import_export("meta", folder, ImportOptions())
    assert summary.messages_new == 1
    item = next(i for i in vault.list_items() if i.kind == "message")
    assert item.title == "x\ufffdy"  # shown as a replacement character
    raw = b"".join(vault.read_content(item.id))
    assert b"x\\ud800y" in raw  # the original keeps the escape exactly
    assert json.loads(raw)["content"] == "x\ud800y"


def test_email_dated_year_0300_is_imported_with_its_time_unknown(
    vault: Vault, tmp_path: Path
) -> None:
    data = (
        b"From: A <a@tehdid.example>\nTo: b@jurnalist.example\n"
        b"Date: Mon, 15 Nov 0300 09:00:00 +0300\nSubject: old\nMessage-ID: <1@x>\n\nbody\n"
    )
    path = tmp_path / "old.eml"
    path.write_bytes(data)
    summary = vault.import_export("email", path, ImportOptions())
    assert summary.messages_new == 1 and summary.times_unknown == 1
    item = next(i for i in vault.list_items() if i.kind == "message")
    created = next(r for r in vault.custody_log(item.id) if r.type == "item.created")
    assert created.details["time_raw"] == "Mon, 15 Nov 0300 09:00:00 +0300"
    assert hashlib.sha256(data).hexdigest() == item.sha256


def test_any_unexpected_parser_error_is_one_calm_sentence(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a parser raises that is not one of ours (a bug met by hostile data) is refused
    as an EvaultError: nothing kept, no traceback."""

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a parser bug")
        yield  # a generator, as parse is

    monkeypatch.setattr(telegram, "parse", broken)
    folder = write_folder(tmp_path / "ChatExport", chat([message(1, "x")]), {})
    with pytest.raises(EvaultError, match="does not understand"):
        vault.import_export("telegram", folder, ImportOptions())
    assert vault.list_items() == []


# ---------------------------------------------------------------------------- 8b. key order


def _parse_peak(folder: Path) -> tuple[int, list[str]]:
    """Peak Python memory (bytes) while parsing ``folder``'s result.json, and the message keys."""
    keys: list[str] = []
    tracemalloc.start()
    try:
        with ExportSource(folder) as source:
            for record in telegram.parse(source):
                if isinstance(record, ImportedMessage):
                    keys.append(record.key)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, keys


@pytest.mark.slow
def test_telegram_streams_whatever_the_key_order(tmp_path: Path) -> None:
    """A chat whose ``messages`` come before its ``id`` (JSON has no key order) is streamed too,
    not held whole until the ``id`` is read: the peak stays that of the usual order."""
    messages = [message(i, f"Mesaj {i}: yazılarını dayandır.", offset=i) for i in range(8000)]
    header = {"name": "Naməlum Şəxs", "type": "personal_chat", "id": 5550001111}
    usual = write_folder(tmp_path / "usual", {**header, "messages": messages}, {})
    late = write_folder(tmp_path / "late", {"messages": messages, **header}, {})
    size = (late / "result.json").stat().st_size
    assert size > 1 << 20
    usual_peak, usual_keys = _parse_peak(usual)
    late_peak, late_keys = _parse_peak(late)
    assert late_keys == usual_keys and len(late_keys) == 8000
    assert late_peak < 1.5 * usual_peak + (512 << 10), (late_peak, usual_peak, size)


@needs_links
def test_a_skipped_file_is_said_in_the_readers_language_and_kept_in_english(
    vault: Vault, tmp_path: Path
) -> None:
    """Issue 15: why a file was not read is one whole sentence in Azerbaijani or Russian when
    shown, and English in what is kept with the import (and ``--json``)."""
    from vault import set_language
    from vault.custody.models import shown

    outside = _outside(tmp_path)
    folder = write_folder(tmp_path / "ChatExport", chat([message(1, "hello")]), {})
    os.symlink(os.path.relpath(outside, folder), folder / "photos")
    set_language("az")
    summary = vault.import_export("telegram", folder, ImportOptions())
    assert any("photos keçid və ya xüsusi fayldır; oxunmadı." in s for s in summary.skipped_files)
    set_language("ru")
    assert any("photos — ссылка или специальный файл" in shown(s) for s in summary.skipped_files)
    kept = summary.to_json()["skipped_files"]
    assert kept == ["photos is a link or special file; it was not read."]
