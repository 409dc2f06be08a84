"""E-mail importer: .eml and mbox, byte-exact raw, headers kept, MIME decoded, keys stable.

Every fixture is built here as bytes, so each test can say exactly which bytes it expects back.
People and domains are fictional (``.example`` is a reserved top-level domain). Encoded words were
computed once with ``base64``/``binascii.b2a_qp`` and pasted as literals, so the parser is checked
against values derived independently of it.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vault.errors import InvalidInput
from vault.imports.parsers import email as email_importer
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    TIME_FROM_EXPORT,
    TIME_UNKNOWN,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
    RawTime,
)
from vault.imports.parsers.source import ExportSource

Record = ImportedChat | ImportedMessage | ImportProblem

SUBJECT_RU = "Последнее предупреждение"  # "Last warning"
SUBJECT_RU_B64 = "0J/QvtGB0LvQtdC00L3QtdC1INC/0YDQtdC00YPQv9GA0LXQttC00LXQvdC40LU="
SENDER_AZ = "Tural Uydurma-Şərəfli"
SENDER_AZ_Q = "Tural_Uydurma-=C5=9E=C9=99r=C9=99fli"
BODY_AZ = "Yazılarını dayandır, yoxsa ailən də bundan xəbər tutacaq."
BODY_RU = "Мы знаем, где ты живёшь."
PDF_BYTES = b"%PDF-1.4\n% fictional test document\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 3 + b"\xff\xd9"


def _crlf(*lines: str) -> bytes:
    return "\r\n".join(lines).encode("utf-8")


def _lf(*lines: str) -> bytes:
    return "\n".join(lines).encode("utf-8")


def _b64_lines(data: bytes) -> list[str]:
    return base64.encodebytes(data).decode("ascii").splitlines()


def _main_message() -> bytes:
    """multipart/mixed: alternative (QP plain + HTML), a PDF (RFC 2231 name), a JPEG; CRLF."""
    return _crlf(
        "Return-Path: <bounce-7731@tehdid.example>",
        "Received: from mx2.jurnalist.example (mx2.jurnalist.example [192.0.2.25])",
        "\tby inbox.jurnalist.example with ESMTPS id 7Fq2; Tue, 14 Nov 2023 08:05:33 +0000",
        "Received: from relay.tehdid.example (relay.tehdid.example [198.51.100.7])",
        "\tby mx2.jurnalist.example with ESMTP id 3Kd9; Tue, 14 Nov 2023 08:05:32 +0000",
        "Received: from [203.0.113.44] (unknown [203.0.113.44])",
        "\tby relay.tehdid.example with ESMTPSA id 11aa; Tue, 14 Nov 2023 12:05:31 +0400",
        "Authentication-Results: inbox.jurnalist.example;",
        "\tdkim=pass header.d=tehdid.example header.s=sel2023;",
        "\tspf=pass smtp.mailfrom=tehdid.example",
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=tehdid.example;",
        "\ts=sel2023; h=from:to:subject:date:message-id;",
        "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;",
        "\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==",
        f"From: =?UTF-8?Q?{SENDER_AZ_Q}?= <tural.uydurma@tehdid.example>",
        "To: =?UTF-8?Q?R=C9=99him=C9=99_N=C3=BCmun=C9=99ova?= <rehime@jurnalist.example>",
        'Cc: redaksiya@jurnalist.example, "Leyla Sınaq" <leyla@jurnalist.example>',
        "Reply-To: <geri.cavab@anonim.example>",
        f"Subject: =?UTF-8?B?{SUBJECT_RU_B64}?=",
        "Date: Tue, 14 Nov 2023 12:05:30 +0400",
        "Message-ID: <threat-0001@tehdid.example>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="==outer=="',
        "",
        "This is a multi-part message in MIME format.",
        "--==outer==",
        'Content-Type: multipart/alternative; boundary="==alt=="',
        "",
        "--==alt==",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Yaz=C4=B1lar=C4=B1n=C4=B1 dayand=C4=B1r, yoxsa ail=C9=99n d=C9=99 bundan x=",
        "=C9=99b=C9=99r tutacaq.",
        "=D0=9C=D1=8B =D0=B7=D0=BD=D0=B0=D0=B5=D0=BC, =D0=B3=D0=B4=D0=B5 =D1=82=D1=",
        "=8B =D0=B6=D0=B8=D0=B2=D1=91=D1=88=D1=8C.",
        "",
        "--==alt==",
        'Content-Type: text/html; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
        "",
        "<html><body><p>HTML copy that must not be used as text</p></body></html>",
        "--==alt==--",
        "",
        "--==outer==",
        'Content-Type: application/pdf; name="tehdid.pdf"',
        "Content-Disposition: attachment;",
        " filename*=UTF-8''T%C9%99hdid%20m%C9%99ktubu.pdf",
        "Content-Transfer-Encoding: base64",
        "",
        *_b64_lines(PDF_BYTES),
        "--==outer==",
        "Content-Type: image/jpeg",
        'Content-Disposition: attachment; filename="ev.jpg"',
        "Content-Transfer-Encoding: base64",
        "",
        *_b64_lines(JPEG_BYTES),
        "--==outer==--",
        "",
    )


def _simple(
    message_id: str | None,
    subject: str,
    body: str,
    date: str | None = "Wed, 15 Nov 2023 09:00:00 +0300",
) -> bytes:
    lines = ["From: Anonim <anonim@tehdid.example>", "To: rehime@jurnalist.example"]
    if date is not None:
        lines.append(f"Date: {date}")
    lines.append(f"Subject: {subject}")
    if message_id is not None:
        lines.append(f"Message-ID: <{message_id}>")
    lines += ["Content-Type: text/plain; charset=utf-8", "", body, ""]
    return _lf(*lines)


def _parse(path: Path, **options: Any) -> list[Record]:
    with ExportSource(path) as source:
        return list(email_importer.parse(source, **options))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _messages(records: list[Record]) -> list[ImportedMessage]:
    return [r for r in records if isinstance(r, ImportedMessage)]


def _problems(records: list[Record]) -> list[ImportProblem]:
    return [r for r in records if isinstance(r, ImportProblem)]


def _one(tmp_path: Path, data: bytes, name: str = "threat.eml", **options: Any) -> ImportedMessage:
    messages = _messages(_parse(_write(tmp_path, name, data), **options))
    assert len(messages) == 1
    return messages[0]


# ---- the module itself -----------------------------------------------------------------------


def test_module_named_email_does_not_shadow_the_stdlib() -> None:
    import email.parser

    assert email_importer.IMPORTER == "email"
    assert email_importer.__name__ == "vault.imports.parsers.email"
    # the stdlib package is the one loaded under "email", not our module
    assert sys.modules["email"] is not email_importer
    assert Path(email.parser.__file__).parent.name == "email"
    assert Path(email.parser.__file__).parent.parent.name.startswith("python3")


# ---- one .eml: raw, headers, decoding, attachments -------------------------------------------


def test_single_eml_yields_its_chat_first(tmp_path: Path) -> None:
    records = _parse(_write(tmp_path, "threat.eml", _main_message()))
    assert records[0] == ImportedChat(key="email", title="email", platform="email", kind="eml")
    assert [type(r) for r in records] == [ImportedChat, ImportedMessage]
    message = _messages(records)[0]
    assert message.chat_key == "email"
    assert message.kind == "email"


def test_raw_is_the_file_byte_for_byte_with_crlf(tmp_path: Path) -> None:
    data = _main_message()
    message = _one(tmp_path, data)
    assert message.raw == data
    assert isinstance(message.raw, bytes)
    assert message.raw.count(b"\r\n") == data.count(b"\r\n") > 50
    assert b"\n" not in message.raw.replace(b"\r\n", b"")


def test_subject_utf8_b_russian(tmp_path: Path) -> None:
    assert _one(tmp_path, _main_message()).subject == "Последнее предупреждение"


def test_sender_utf8_q_azerbaijani_and_address(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    assert message.sender_name == "Tural Uydurma-Şərəfli"
    assert message.sender_id == "tural.uydurma@tehdid.example"


def test_recipients_are_to_then_cc_with_decoded_names_in_details(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    assert message.recipients == (
        "rehime@jurnalist.example",
        "redaksiya@jurnalist.example",
        "leyla@jurnalist.example",
    )
    assert message.details["to"] == [["Rəhimə Nümunəova", "rehime@jurnalist.example"]]
    # a raw UTF-8 display name (RFC 6532) is read as UTF-8
    assert message.details["cc"][1] == ["Leyla Sınaq", "leyla@jurnalist.example"]
    assert message.details["reply_to"] == [["", "geri.cavab@anonim.example"]]


def test_text_is_subject_and_quoted_printable_plain_body(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    # soft line breaks ("=" at line end) joined, CRLF hard breaks read as "\n"; HTML twin unused
    assert message.text == f"{SUBJECT_RU}\n\n{BODY_AZ}\n{BODY_RU}"
    assert "HTML copy" not in message.text


def test_pdf_attachment_with_rfc2231_name(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    assert message.media[0] == ImportedMedia(
        role="attachment",
        name="Təhdid məktubu.pdf",
        path=None,
        media_type="application/pdf",
        note="decoded from the e-mail; its bytes are in details['attachments']",
    )
    first = message.details["attachments"][0]
    assert first == {
        "name": "Təhdid məktubu.pdf",
        "media_type": "application/pdf",
        "data": PDF_BYTES,
    }


def test_jpeg_attachment_decodes_to_the_original_bytes(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    assert [(m.name, m.media_type, m.path) for m in message.media] == [
        ("Təhdid məktubu.pdf", "application/pdf", None),
        ("ev.jpg", "image/jpeg", None),
    ]
    jpeg = message.details["attachments"][1]
    assert jpeg["name"] == "ev.jpg"
    assert jpeg["data"] == JPEG_BYTES
    assert hashlib.sha256(jpeg["data"]).digest() == hashlib.sha256(JPEG_BYTES).digest()


def test_all_headers_kept_in_order_with_raw_values(tmp_path: Path) -> None:
    message = _one(tmp_path, _main_message())
    headers = message.details["headers"]
    assert [name for name, _ in headers] == [
        "Return-Path",
        "Received",
        "Received",
        "Received",
        "Authentication-Results",
        "DKIM-Signature",
        "From",
        "To",
        "Cc",
        "Reply-To",
        "Subject",
        "Date",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
    ]
    # raw value: still encoded, folding kept exactly as in the file
    assert headers[10][1] == f"=?UTF-8?B?{SUBJECT_RU_B64}?="
    assert headers[4][1] == (
        "inbox.jurnalist.example;\r\n\tdkim=pass header.d=tehdid.example header.s=sel2023;"
        "\r\n\tspf=pass smtp.mailfrom=tehdid.example"
    )


def test_received_chain_of_three_hops_newest_first(tmp_path: Path) -> None:
    received = _one(tmp_path, _main_message()).details["received"]
    assert received == [
        "from mx2.jurnalist.example (mx2.jurnalist.example [192.0.2.25])"
        "\tby inbox.jurnalist.example with ESMTPS id 7Fq2; Tue, 14 Nov 2023 08:05:33 +0000",
        "from relay.tehdid.example (relay.tehdid.example [198.51.100.7])"
        "\tby mx2.jurnalist.example with ESMTP id 3Kd9; Tue, 14 Nov 2023 08:05:32 +0000",
        "from [203.0.113.44] (unknown [203.0.113.44])"
        "\tby relay.tehdid.example with ESMTPSA id 11aa; Tue, 14 Nov 2023 12:05:31 +0400",
    ]


def test_authentication_results_and_dkim_kept_not_verified(tmp_path: Path) -> None:
    details = _one(tmp_path, _main_message()).details
    assert details["authentication_results"] == [
        "inbox.jurnalist.example;\tdkim=pass header.d=tehdid.example header.s=sel2023;"
        "\tspf=pass smtp.mailfrom=tehdid.example"
    ]
    assert details["dkim_signature"] == {
        "present": True,
        "signatures": [{"d": "tehdid.example", "s": "sel2023"}],
    }
    assert details["message_id"] == "<threat-0001@tehdid.example>"
    assert details["return_path"] == "<bounce-7731@tehdid.example>"


def test_no_dkim_signature_is_reported_absent(tmp_path: Path) -> None:
    details = _one(tmp_path, _simple("a@x.example", "Salam", "Mətn")).details
    assert details["dkim_signature"] == {"present": False, "signatures": []}
    assert details["received"] == []
    assert details["authentication_results"] == []


# ---- encoded words in other charsets ---------------------------------------------------------


def test_koi8r_base64_subject(tmp_path: Path) -> None:
    # base64 of "Угроза расправы" in KOI8-R, computed with base64.b64encode(s.encode("koi8-r"))
    data = _simple("k@x.example", "=?KOI8-R?B?9cfSz9rBINLB09DSwdfZ?=", "текст")
    assert _one(tmp_path, data).subject == "Угроза расправы"


def test_windows1251_quoted_printable_subject_and_body(tmp_path: Path) -> None:
    body = "Удалите статью до пятницы.".encode("cp1251")
    data = (
        b"From: x@tehdid.example\r\nDate: Wed, 15 Nov 2023 09:00:00 +0300\r\n"
        b"Subject: =?windows-1251?Q?=D3=E4=E0=EB=E8=F2=E5_=F1=F2=E0=F2=FC=FE?=\r\n"
        b"Content-Type: text/plain; charset=windows-1251\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )
    message = _one(tmp_path, data)
    assert message.subject == "Удалите статью"
    assert message.text == "Удалите статью\n\nУдалите статью до пятницы."


def test_encoded_words_mixed_with_plain_text_and_split_character(tmp_path: Path) -> None:
    # "Şəkil" is C5 9E C9 99 'kil'; the mailer split the word inside "Ş": xQ== is C5, nsmZa2ls is
    # 9E C9 99 'kil'. The space between the two encoded words is dropped (RFC 2047 6.2), the plain
    # text around them is kept, and a KOI8-R word ("Jurnalist") sits beside them.
    subject = "Re: =?UTF-8?B?xQ==?= =?UTF-8?B?nsmZa2ls?= [#42] =?KOI8-R?B?SnVybmFsaXN0?= sonra"
    assert _one(tmp_path, _simple("m@x.example", subject, "b")).subject == (
        "Re: Şəkil [#42] Jurnalist sonra"
    )


def test_unknown_charset_in_encoded_word_does_not_stop_the_import(tmp_path: Path) -> None:
    message = _one(tmp_path, _simple("u@x.example", "=?x-no-such-charset?Q?Salam?= dost", "b"))
    assert message.subject == "Salam dost"


# ---- HTML-only and inline parts --------------------------------------------------------------


def test_html_only_body_is_stripped_to_text_and_inline_image_kept(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00fictional-image" * 4
    data = _lf(
        "From: Anonim <anonim@tehdid.example>",
        "Date: Thu, 16 Nov 2023 10:00:00 +0000",
        "Subject: Son xəbərdarlıq",
        'Content-Type: multipart/related; boundary="rel"',
        "",
        "--rel",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<html><head><title>ignored</title><style>p {color: red}</style></head>",
        "<body><p>Bu son   xəbərdarlıqdır.</p><div>Ünvanını bilirik &amp; gözləyirik.</div>",
        '<script>alert("x")</script><img src="cid:img1"></body></html>',
        "--rel",
        "Content-Type: image/png",
        "Content-ID: <img1>",
        "Content-Transfer-Encoding: base64",
        "",
        *_b64_lines(png),
        "--rel--",
        "",
    )
    message = _one(tmp_path, data)
    assert message.text == (
        "Son xəbərdarlıq\n\nBu son xəbərdarlıqdır.\n\nÜnvanını bilirik & gözləyirik."
    )
    assert message.transformations == (
        "text-from-html: HTML parts read as text with the tags removed",
    )
    assert [(m.name, m.media_type) for m in message.media] == [("attachment-1.png", "image/png")]
    assert message.details["attachments"][0]["data"] == png


def test_nested_message_rfc822_is_an_eml_attachment_with_exact_bytes(tmp_path: Path) -> None:
    inner = _crlf(
        "From: Anonim <anonim@tehdid.example>",
        "Subject: =?UTF-8?B?0J/QtdGA0LXRgdC70LDQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU=?=",
        "Date: Mon, 13 Nov 2023 20:00:00 +0300",
        "",
        "Первое письмо.",
        "",
    )
    outer = (
        _crlf(
            "From: Leyla <leyla@jurnalist.example>",
            "To: vekil@huquq.example",
            "Subject: Fwd: ilk məktub",
            "Date: Tue, 14 Nov 2023 10:00:00 +0400",
            'Content-Type: multipart/mixed; boundary="b"',
            "",
            "--b",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Bax, bu ilk məktubdur.",
            "--b",
            "Content-Type: message/rfc822",
            "Content-Disposition: attachment",
            "",
        )
        + b"\r\n"
        + inner
        + b"\r\n--b--\r\n"
    )
    message = _one(tmp_path, outer)
    assert message.text == "Fwd: ilk məktub\n\nBax, bu ilk məktubdur."
    assert [(m.name, m.media_type) for m in message.media] == [
        ("Пересланное сообщение.eml", "message/rfc822")
    ]
    assert message.details["attachments"][0]["data"] == inner  # the CRLF before "--b--" excluded


def test_eml_with_envelope_line_keeps_it_in_raw_and_details(tmp_path: Path) -> None:
    data = b"From anonim@tehdid.example Tue Nov 14 08:00:00 2023\n" + _simple(
        "env@x.example", "Salam", "Mətn"
    )
    message = _one(tmp_path, data)
    assert message.raw == data
    assert (
        message.details["mbox_from_line"] == "From anonim@tehdid.example Tue Nov 14 08:00:00 2023"
    )
    assert message.subject == "Salam"


# ---- dates -----------------------------------------------------------------------------------


def test_date_with_offset_is_exact_utc(tmp_path: Path) -> None:
    # 12:05:30 at +04:00 is 12:05:30 - 4h = 08:05:30 UTC
    message = _one(tmp_path, _main_message())
    assert message.time == RawTime(
        "Tue, 14 Nov 2023 12:05:30 +0400", "2023-11-14T08:05:30Z", TIME_FROM_EXPORT
    )


def test_negative_offset_crossing_new_year(tmp_path: Path) -> None:
    # 23:30 at -03:30 is 23:30 + 3:30 = 27:00 on 31 Dec, i.e. 03:00 UTC on 1 Jan 2024
    data = _simple("ny@x.example", "s", "b", date="Sun, 31 Dec 2023 23:30:00 -0330")
    assert _one(tmp_path, data).time.utc == "2024-01-01T03:00:00Z"


def test_minus_zero_zone_is_utc(tmp_path: Path) -> None:
    # RFC 5322 3.3: "-0000" is UTC whose local zone is not known; the declared zone is not used
    data = _simple("mz@x.example", "s", "b", date="Tue, 14 Nov 2023 12:00:00 -0000")
    message = _one(tmp_path, data, timezone="Asia/Baku")
    assert message.time == RawTime(
        "Tue, 14 Nov 2023 12:00:00 -0000", "2023-11-14T12:00:00Z", TIME_FROM_EXPORT
    )


def test_date_without_zone_uses_declared_zone_else_unknown(tmp_path: Path) -> None:
    data = _simple("nz@x.example", "s", "b", date="Tue, 14 Nov 2023 12:00:00")
    # Asia/Baku is UTC+4 all year since 2016: 12:00 - 4h = 08:00 UTC
    declared = _one(tmp_path, data, timezone="Asia/Baku").time
    assert declared == RawTime(
        "Tue, 14 Nov 2023 12:00:00", "2023-11-14T08:00:00Z", TIME_FROM_DECLARED_ZONE, "Asia/Baku"
    )
    assert _one(tmp_path, data).time == RawTime("Tue, 14 Nov 2023 12:00:00", None, TIME_UNKNOWN)


def test_date_missing_or_garbage_is_unknown_with_raw_kept(tmp_path: Path) -> None:
    missing = _one(tmp_path, _simple("dm@x.example", "s", "b", date=None))
    assert missing.time == RawTime("", None, TIME_UNKNOWN)
    assert missing.details["date"] == ""
    garbage = _one(tmp_path, _simple("dg@x.example", "s", "b", date="sabah axşamüstü"))
    assert garbage.time == RawTime("sabah axşamüstü", None, TIME_UNKNOWN)


def test_bad_timezone_name_fails_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.eml", _simple("tz@x.example", "s", "b"))
    with pytest.raises(InvalidInput, match="time zone"):
        _parse(path, timezone="Asia/Bakuu")


# ---- mbox ------------------------------------------------------------------------------------

MBOX_1 = _simple("m1@tehdid.example", "Birinci", "Birinci məktub.")
MBOX_2 = _lf(
    "From: Anonim <anonim@tehdid.example>",
    "Date: Wed, 15 Nov 2023 09:00:00 +0300",
    "Subject: Ikinci",
    "Message-ID: <m2@tehdid.example>",
    "In-Reply-To: <m1@tehdid.example>",
    "",
    "Salam.",
    ">From now on, watch what you write.",
    ">>From the quoted reply, nothing changes.",
    "From here I can see your door.",
    "",
)
MBOX_3 = _simple(None, "Üçüncü", "Tarixsiz məktub.", date=None)
ENV_1 = b"From anonim@tehdid.example Tue Nov 14 08:05:30 2023\n"
ENV_2 = b"From MAILER-DAEMON Wed Nov 15 06:00:00 2023\n"
ENV_3 = b"From - Thu Nov 16 10:00:00 2023\n"


def _mbox(*pairs: tuple[bytes, bytes]) -> bytes:
    """Envelope line, message, and the blank line that closes each message in an mbox."""
    return b"".join(envelope + message + b"\n" for envelope, message in pairs)


def test_mbox_three_messages_raw_is_the_exact_slice(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2), (ENV_3, MBOX_3))
    records = _parse(_write(tmp_path, "Inbox.mbox", data))
    assert records[0] == ImportedChat(
        key="Inbox.mbox", title="Inbox.mbox", platform="email", kind="mbox"
    )
    messages = _messages(records)
    assert [m.raw for m in messages] == [MBOX_1, MBOX_2, MBOX_3]
    offsets = [m.details["mbox_offset"] for m in messages]
    assert offsets == [
        len(ENV_1),
        len(ENV_1) + len(MBOX_1) + 1 + len(ENV_2),
        len(ENV_1) + len(MBOX_1) + 1 + len(ENV_2) + len(MBOX_2) + 1 + len(ENV_3),
    ]
    for message, offset in zip(messages, offsets, strict=True):
        assert data[offset : offset + len(message.raw)] == message.raw
    assert [m.details["mbox_index"] for m in messages] == [1, 2, 3]
    assert {m.chat_key for m in messages} == {"Inbox.mbox"}


def test_mbox_envelope_lines_recorded(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2), (ENV_3, MBOX_3))
    messages = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))
    assert [m.details["mbox_from_line"] for m in messages] == [
        "From anonim@tehdid.example Tue Nov 14 08:05:30 2023",
        "From MAILER-DAEMON Wed Nov 15 06:00:00 2023",
        "From - Thu Nov 16 10:00:00 2023",
    ]


def test_mbox_from_quoting_kept_in_raw_and_unquoted_in_text(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2), (ENV_3, MBOX_3))
    second = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))[1]
    assert b"\n>From now on" in second.raw
    assert b"\n>>From the quoted" in second.raw
    # the unquoted "From " line (no blank line before it) did not split the message
    assert second.text == (
        "Ikinci\n\nSalam.\nFrom now on, watch what you write.\n"
        ">From the quoted reply, nothing changes.\nFrom here I can see your door."
    )
    assert second.transformations == ("mboxrd-unquoted: '>From ' lines read with one '>' removed",)
    assert second.reply_to == "m1@tehdid.example"


def test_mbox_message_without_date_or_message_id(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2), (ENV_3, MBOX_3))
    third = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))[2]
    assert third.time == RawTime("", None, TIME_UNKNOWN)
    assert third.key == hashlib.sha256(MBOX_3).hexdigest()[:24]


def test_mbox_with_crlf_lines_keeps_them(tmp_path: Path) -> None:
    one = _crlf("From: a@tehdid.example", "Subject: Bir", "Message-ID: <c1@x.example>", "", "x", "")
    two = _crlf("From: a@tehdid.example", "Subject: Iki", "Message-ID: <c2@x.example>", "", "y", "")
    data = (
        b"From a@tehdid.example Tue Nov 14 08:00:00 2023\r\n" + one + b"\r\n"
        b"From a@tehdid.example Tue Nov 14 09:00:00 2023\r\n" + two + b"\r\n"
    )
    messages = _messages(_parse(_write(tmp_path, "crlf.mbox", data)))
    assert [m.raw for m in messages] == [one, two]
    assert [m.subject for m in messages] == ["Bir", "Iki"]


@pytest.mark.parametrize("block", [1, 2, 7, 64, 4096])
def test_mbox_cut_is_the_same_for_any_read_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Block edges fall everywhere (inside "\\nFrom ", inside CRLF, inside blank lines)."""
    monkeypatch.setattr(email_importer.mbox, "_BLOCK", block)
    crlf = _crlf(
        "From: a@tehdid.example", "Subject: CRLF", "Message-ID: <r@x.example>", "", "z", ""
    )
    # an unquoted envelope-shaped line with no blank line before it is body text (mboxo writers)
    quoting = _simple("q@x.example", "Cavab", "Görüşərik.\n" + ENV_2.decode() + "> köhnə mətn")
    data = (
        b"\n"  # a blank line before the first envelope line is allowed
        + _mbox((ENV_1, MBOX_1), (ENV_3, quoting), (ENV_2, MBOX_2))
        + b"From a@tehdid.example Tue Nov 14 09:00:00 2023\r\n"
        + crlf
        + b"\r\n"
        + ENV_3
        + MBOX_3  # the last message has no closing blank line and no final line break
    ).rstrip(b"\n")
    messages = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))
    assert [m.raw for m in messages] == [MBOX_1, quoting, MBOX_2, crlf, MBOX_3.rstrip(b"\n")]
    assert [m.details["mbox_offset"] for m in messages] == [
        data.index(m.raw, data.index(m.details["mbox_from_line"].encode())) for m in messages
    ]


def test_overlong_line_is_content_and_never_a_separator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line longer than _LINE_CHUNK is passed on in pieces; a piece may begin with "From "."""
    monkeypatch.setattr(email_importer.mbox, "_BLOCK", 16)
    monkeypatch.setattr(email_importer.mbox, "_LINE_CHUNK", 64)
    for width in range(60, 100):  # for some width a piece boundary falls just before "From "
        body = _simple(
            "long@x.example", "Uzun", "Salam.\n\n" + "y" * width + ENV_3.decode().rstrip("\n")
        )
        data = _mbox((ENV_1, body), (ENV_2, MBOX_2))
        messages = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))
        assert [m.raw for m in messages] == [body, MBOX_2], width


def test_envelope_after_blank_line_inside_body_needs_a_clock_time(tmp_path: Path) -> None:
    # "From the ministry ..." after a blank line is body text (no hh:mm), not a new message
    body = _simple("b@x.example", "Mətn", "Salam.\n\nFrom the ministry with warnings.\nSağ ol.")
    data = _mbox((ENV_1, body), (ENV_2, MBOX_2))
    messages = _messages(_parse(_write(tmp_path, "Inbox.mbox", data)))
    assert [m.raw for m in messages] == [body, MBOX_2]


def test_mbox_without_extension_is_sniffed(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2))
    path = _write(tmp_path, "Inbox", data)
    with ExportSource(path) as source:
        assert email_importer.detect(source)
    assert [m.raw for m in _messages(_parse(path))] == [MBOX_1, MBOX_2]


def test_mbox_message_without_headers_is_a_problem_and_parsing_continues(tmp_path: Path) -> None:
    headless = b"just some words\nwith no header at all\n"
    data = _mbox((ENV_1, MBOX_1), (ENV_2, headless), (ENV_3, MBOX_3))
    records = _parse(_write(tmp_path, "Inbox.mbox", data))
    assert _problems(records) == [
        ImportProblem(
            "Inbox.mbox, message 2", "This does not look like an e-mail message; it was skipped."
        )
    ]
    assert [m.raw for m in _messages(records)] == [MBOX_1, MBOX_3]


def test_oversized_mbox_message_is_skipped_with_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_importer.limits, "MAX_MESSAGE_BYTES", 4096)
    big = _simple("big@x.example", "Böyük", "söz " * 2000)
    data = _mbox((ENV_1, MBOX_1), (ENV_2, big), (ENV_3, MBOX_3))
    records = _parse(_write(tmp_path, "Inbox.mbox", data))
    assert [(p.where, "larger than" in p.what) for p in _problems(records)] == [
        ("Inbox.mbox, message 2", True)
    ]
    assert [m.raw for m in _messages(records)] == [MBOX_1, MBOX_3]


@pytest.mark.slow
def test_mbox_is_streamed_not_read_whole(tmp_path: Path) -> None:
    filler = "Bu sınaq mətnidir, heç kimə aid deyil.\n" * 400  # ~17 KiB per message
    with (tmp_path / "big.mbox").open("wb") as handle:
        for i in range(500):
            handle.write(ENV_1 + _simple(f"s{i}@x.example", f"M{i}", filler) + b"\n")
    size = (tmp_path / "big.mbox").stat().st_size
    assert size > 8_000_000
    tracemalloc.start()
    try:
        count = 0
        with ExportSource(tmp_path / "big.mbox") as source:
            for record in email_importer.parse(source):
                count += isinstance(record, ImportedMessage)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 500
    assert peak < size // 4


def test_empty_mbox_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no messages"):
        _parse(_write(tmp_path, "Inbox.mbox", b""))


def test_mbox_not_starting_with_from_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not an mbox"):
        _parse(_write(tmp_path, "Inbox.mbox", b"hello\nworld\n"))


# ---- keys ------------------------------------------------------------------------------------


def test_key_is_the_message_id_and_stable_across_exports(tmp_path: Path) -> None:
    first = tmp_path / "one"
    second = tmp_path / "two"
    first.mkdir()
    second.mkdir()
    one = _one(first, _main_message())
    two = _one(second, _main_message(), name="renamed.eml")
    assert one.key == two.key == "threat-0001@tehdid.example"


def test_mbox_keys_stable_when_a_later_export_appends_mail(tmp_path: Path) -> None:
    # The message without a Message-ID is keyed by its bytes; it is last in the first export and
    # not last in the second, and the closing blank line is never part of it, so its key holds.
    early = _write(tmp_path, "early.mbox", _mbox((ENV_1, MBOX_1), (ENV_3, MBOX_3)))
    later = _write(tmp_path, "later.mbox", _mbox((ENV_1, MBOX_1), (ENV_3, MBOX_3), (ENV_2, MBOX_2)))
    early_keys = [m.key for m in _messages(_parse(early))]
    later_keys = [m.key for m in _messages(_parse(later))]
    assert early_keys == ["m1@tehdid.example", hashlib.sha256(MBOX_3).hexdigest()[:24]]
    assert later_keys[:2] == early_keys


def test_duplicate_message_ids_fall_back_to_the_hash(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    a = _simple("same@tehdid.example", "A", "Birinci variant.")
    b = _simple("same@tehdid.example", "B", "İkinci variant.")
    c = _simple("unique@tehdid.example", "C", "Tək.")
    (folder / "a.eml").write_bytes(a)
    (folder / "b.eml").write_bytes(b)
    (folder / "c.eml").write_bytes(c)
    messages = _messages(_parse(folder))
    assert [m.key for m in messages] == [
        hashlib.sha256(a).hexdigest()[:24],
        hashlib.sha256(b).hexdigest()[:24],
        "unique@tehdid.example",
    ]
    assert [m.details["source_member"] for m in messages] == ["a.eml", "b.eml", "c.eml"]


def test_exact_copy_in_one_mbox_is_kept_once_and_reported(tmp_path: Path) -> None:
    data = _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2), (ENV_1, MBOX_1))
    records = _parse(_write(tmp_path, "Inbox.mbox", data))
    assert [m.raw for m in _messages(records)] == [MBOX_1, MBOX_2]
    assert [p.where for p in _problems(records)] == ["Inbox.mbox, message 3"]


# ---- sources, detection, bad input -----------------------------------------------------------


def test_zip_with_eml_files_and_an_mbox(tmp_path: Path) -> None:
    path = tmp_path / "mail.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/threat.eml", _main_message())
        archive.writestr("export/Spam.mbox", _mbox((ENV_1, MBOX_1), (ENV_2, MBOX_2)))
        archive.writestr("__MACOSX/export/._threat.eml", b"\x00\x05\x16\x07junk")
    with ExportSource(path) as source:
        assert email_importer.detect(source)
    records = _parse(path)
    assert [(type(r).__name__, getattr(r, "chat_key", getattr(r, "key", ""))) for r in records] == [
        ("ImportedChat", "email"),
        ("ImportedMessage", "email"),
        ("ImportedChat", "export/Spam.mbox"),
        ("ImportedMessage", "export/Spam.mbox"),
        ("ImportedMessage", "export/Spam.mbox"),
    ]
    assert _messages(records)[0].raw == _main_message()


def test_garbage_eml_is_invalid_input(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(200))
    with pytest.raises(InvalidInput, match="does not look like an e-mail"):
        _parse(_write(tmp_path, "threat.eml", png))
    with pytest.raises(InvalidInput, match="does not look like an e-mail"):
        _parse(
            _write(tmp_path, "notes.txt", "Bu sadəcə qeyddir.\nHeç bir başlıq yoxdur.\n".encode())
        )


def test_garbage_eml_inside_a_folder_is_a_problem_not_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "a.eml").write_bytes(b"\x00\x01\x02 not mail")
    (folder / "b.eml").write_bytes(MBOX_1)
    records = _parse(folder)
    assert _problems(records) == [
        ImportProblem("a.eml", "This does not look like an e-mail message; it was skipped.")
    ]
    assert [m.raw for m in _messages(records)] == [MBOX_1]


def test_folder_without_mail_is_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"no \.eml or \.mbox"):
        _parse(tmp_path)


def test_problems_never_quote_the_message(tmp_path: Path) -> None:
    secret = "Qapının kodu 4471"
    headless = f"{secret}\n".encode()
    data = _mbox((ENV_1, MBOX_1), (ENV_2, headless))
    for problem in _problems(_parse(_write(tmp_path, "Inbox.mbox", data))):
        assert secret not in problem.what and secret not in problem.where


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("letter.eml", b"", True),
        ("Inbox", _mbox((ENV_1, MBOX_1)), True),
        ("message.txt", _simple("d@x.example", "s", "b"), True),
        (
            "received.txt",
            b"Received: from a by b; Tue, 14 Nov 2023 08:00:00 +0000\nSubject: x\n\nbody\n",
            True,
        ),
        ("_chat.txt", "14.11.23, 12:00 - Tural: Salam, necəsən?\n".encode(), False),
        ("result.json", b'{"name": "Chat", "messages": []}', False),
        ("notes.txt", b"Note: not an e-mail\nTodo: nothing\n", False),
        ("From.txt", b"From the editor: hello\nplain text\n", False),
    ],
)
def test_detect(tmp_path: Path, name: str, data: bytes, expected: bool) -> None:
    with ExportSource(_write(tmp_path, name, data)) as source:
        assert email_importer.detect(source) is expected


def test_detect_folder_with_eml(tmp_path: Path) -> None:
    (tmp_path / "x.eml").write_bytes(MBOX_1)
    with ExportSource(tmp_path) as source:
        assert email_importer.detect(source)


def test_oversized_eml_alone_is_refused_and_in_a_folder_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(email_importer.limits, "MAX_MESSAGE_BYTES", 4096)
    big = _simple("big@x.example", "Böyük", "söz " * 2000)
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "big.eml").write_bytes(big)
    (folder / "small.eml").write_bytes(MBOX_1)
    records = _parse(folder)
    assert [p.where for p in _problems(records)] == ["big.eml"]
    assert [m.raw for m in _messages(records)] == [MBOX_1]
    with pytest.raises(InvalidInput, match="larger than"):
        _parse(folder / "big.eml")


def test_hostile_nesting_is_read_to_a_limit_without_failing(tmp_path: Path) -> None:
    depth = 100
    head = [f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth)]
    tail = [f"\n--b{i}--\n" for i in reversed(range(depth))]
    data = (
        "From: a@tehdid.example\nSubject: Dərin\n"
        + "".join(head)
        + "Content-Type: text/plain\n\nçox dərində"
        + "".join(tail)
    ).encode()
    message = _one(tmp_path, data)
    assert message.raw == data
    assert message.text == "Dərin"  # the text sits below MAX_DEPTH and is not read
    assert message.details["parse_notes"] == [
        f"MIME parts nested deeper than {email_importer.MAX_DEPTH}; they were not read"
    ]


def test_detect_leaves_a_chat_export_with_one_eml_alone(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text('{"name": "Söhbət", "messages": []}', encoding="utf-8")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "forwarded.eml").write_bytes(MBOX_1)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "photo_1.jpg").write_bytes(JPEG_BYTES)
    with ExportSource(tmp_path) as source:
        assert not email_importer.detect(source)
