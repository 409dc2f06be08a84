"""The seed corpus, built from code at the start of every run (never copied from real exports:
their licences differ, and real people's messages do not belong in a repository).

Each seed is an :class:`Input`: a *kind* and its bytes. The kind says how the worker puts the bytes
on disk (``KIND_FILES``) and is the file extension of a saved failure or regression input:

- ``zip``: a ZIP export as downloaded; ``dir``: a ZIP the worker unpacks into a folder (the
  unzipped-export form); ``eml``, ``mbox``, ``txt``: a single file;
- ``bundle``: an evidence bundle ZIP; ``age``: an age-encrypted bundle (decrypted with the run's
  identity file, so mutations of its header and body are both reached);
- ``keys``: a ``vault.keys`` file; ``img``: an image file.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from PIL import Image

KIND_FILES = {
    "zip": "export.zip",
    "dir": "export",
    "eml": "threat.eml",
    "mbox": "inbox.mbox",
    "txt": "WhatsApp Chat with Rashad.txt",
    "bundle": "bundle.zip",
    "age": "bundle.zip.age",
    "sealed-zip": "bundle.zip.age",  # a (changed) ZIP the target encrypts to the lawyer's key
    "keys": "vault.keys",
    "img": "picture",
}
PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True)
class Input:
    kind: str
    data: bytes


def make_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, (2023, 11, 14, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def picture(fmt: str = "JPEG", size: tuple[int, int] = (24, 16), mode: str = "RGB") -> bytes:
    """A small gradient picture (deterministic), in any format Pillow writes."""
    img = Image.new(mode, size)
    for y in range(size[1]):
        for x in range(size[0]):
            pixel = ((x * 11) % 256, (y * 17) % 256, 90, 200)[: len(mode)]
            img.putpixel((x, y), pixel[0] if mode == "L" else pixel)
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


# ---------------------------------------------------------------------- importers

T0 = 1_699_963_200  # 2023-11-14 12:00:00 UTC


def telegram() -> list[Input]:
    def message(n: int, sender: str, text: object, **extra: object) -> dict[str, object]:
        stamp = T0 + 60 * n
        return {
            "id": 100 + n,
            "type": "message",
            "date": f"2023-11-14T16:{n:02d}:00",
            "date_unixtime": str(stamp),
            "from": sender,
            "from_id": f"user{555 + len(sender)}",
            "text": text,
            "text_entities": [{"type": "plain", "text": text}],
            **extra,
        }

    chat = {
        "name": "Stranger",
        "type": "personal_chat",
        "id": 5550001111,
        "messages": [
            message(0, "Stranger", "We know where you live."),
            message(
                1,
                "Stranger",
                "Is this your house?",
                photo="photos/photo_1.jpg",
                photo_file_size=1000,
                width=24,
                height=16,
            ),
            message(2, "Leyla", "I am keeping this chat.", reply_to_message_id=101),
            {
                "id": 104,
                "type": "service",
                "date": "2023-11-14T16:05:00",
                "date_unixtime": str(T0 + 300),
                "actor": "Stranger",
                "actor_id": "user5",
                "action": "phone_call",
                "duration_seconds": 5,
                "text": "",
                "text_entities": [],
            },
            message(
                6,
                "Stranger",
                [{"type": "bold", "text": "Last"}, " warning."],
                edited="2023-11-14T16:07:00",
                edited_unixtime=str(T0 + 420),
            ),
        ],
    }
    data = json.dumps(chat, ensure_ascii=False, indent=1).encode()
    photo = picture()
    full = {"about": "Telegram Desktop export", "chats": {"about": "", "list": [chat]}}
    return [
        Input(
            "zip",
            make_zip(
                {
                    "ChatExport_2023-11-15/result.json": data,
                    "ChatExport_2023-11-15/photos/photo_1.jpg": photo,
                }
            ),
        ),
        Input("dir", make_zip({"result.json": data, "photos/photo_1.jpg": photo})),
        Input("zip", make_zip({"DataExport/result.json": json.dumps(full).encode()})),
    ]


def whatsapp() -> list[Input]:
    chat = (
        b"14/11/2023, 21:05 - Messages and calls are end-to-end encrypted.\n"
        b"14/11/2023, 21:06 - Rashad: We know where you live.\n"
        b"14/11/2023, 21:07 - Rashad: Stop writing.\nThis is the last warning.\n"
        b"14/11/2023, 21:08 - Rashad: IMG-20231114-WA0001.jpg (file attached)\n"
        b"15/11/2023, 08:30 - Nargiz: I am keeping these messages.\n"
        b"15/11/2023, 08:31 - Nargiz: <Media omitted>\n"
    )
    ios = (
        "\ufeff[14.11.23, 21:06:00] Rashad: We know where you live.\n"
        "[14.11.23, 21:07:12] Rashad: \u200e<attached: 00000001-PHOTO-2023-11-14.jpg>\n"
        "[15.11.23, 08:30:00] Nargiz: Saved.\n"
    ).encode()
    photo = picture()
    return [
        Input("zip", make_zip({"_chat.txt": ios, "00000001-PHOTO-2023-11-14.jpg": photo})),
        Input(
            "dir",
            make_zip({"WhatsApp Chat with Rashad.txt": chat, "IMG-20231114-WA0001.jpg": photo}),
        ),
        Input("txt", chat),
        Input(
            "zip",
            make_zip({"WhatsApp Chat with Rashad.txt": chat, "IMG-20231114-WA0001.jpg": photo}),
        ),
    ]


def meta() -> list[Input]:
    def moji(text: str) -> str:  # Meta writes UTF-8 bytes as Latin-1 code points
        return text.encode().decode("latin-1")

    thread = "your_activity_across_facebook/messages/inbox/stranger_1234567890/"
    ms = T0 * 1000
    doc = {
        "participants": [{"name": "Stranger"}, {"name": moji("Leyla Qurbanova")}],
        "messages": [
            {
                "sender_name": "Stranger",
                "timestamp_ms": ms + 120_000,
                "content": moji("Səni izləyirik."),
                "type": "Generic",
                "is_geoblocked_for_viewer": False,
            },
            {
                "sender_name": "Leyla",
                "timestamp_ms": ms + 60_000,
                "content": "Who are you?",
                "photos": [{"uri": thread + "photos/1.jpg", "creation_timestamp": T0}],
                "reactions": [{"reaction": moji("😢"), "actor": "Stranger"}],
                "type": "Generic",
            },
            {
                "sender_name": "Stranger",
                "timestamp_ms": ms,
                "content": "Hello",
                "type": "Generic",
                "share": {"link": "https://example.org/x"},
            },
        ],
        "title": "Stranger",
        "is_still_participant": True,
        "thread_path": "inbox/stranger_1234567890",
        "magic_words": [],
    }
    files = {
        thread + "message_1.json": json.dumps(doc, indent=2).encode(),
        thread + "photos/1.jpg": picture(),
    }
    e2ee = {
        "participants": ["Stranger", "Leyla"],
        "threadName": "Stranger",
        "messages": [
            {
                "isUnsent": False,
                "media": [],
                "reactions": [],
                "senderName": "Stranger",
                "text": "We see you.",
                "timestamp": ms,
                "type": "text",
            }
        ],
    }
    return [
        Input("zip", make_zip(files)),
        Input("dir", make_zip(files)),
        Input("zip", make_zip({"Stranger_1.json": json.dumps(e2ee).encode()})),
    ]


def _mail(n: int, subject: str, *, attach: bool = False) -> bytes:
    date = format_datetime(datetime.fromtimestamp(T0 + 3600 * n, UTC))
    head = (
        f"From: Stranger <stranger@example.org>\r\nTo: leyla@example.net\r\n"
        f'Cc: a@example.org, "B, C" <b@example.org>\r\nDate: {date}\r\n'
        f"Subject: {subject}\r\nMessage-ID: <{n}.threat@example.org>\r\nMIME-Version: 1.0\r\n"
    )
    if not attach:
        return (
            head + "Content-Type: text/plain; charset=utf-8\r\n\r\nWe know where you live.\r\n"
        ).encode()
    body = (
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        'Content-Type: multipart/alternative; boundary="b2"\r\n\r\n--b2\r\n'
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        "\r\nWe know where you live =E9.\r\n--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        "<p>We <b>know</b> where you live.<script>x()</script></p>\r\n--b2--\r\n--b1\r\n"
        'Content-Type: image/jpeg; name="house.jpg"\r\nContent-Transfer-Encoding: base64\r\n'
        'Content-Disposition: attachment; filename="=?utf-8?q?ev=C9=99.jpg?="\r\n\r\n'
    )
    encoded = base64.encodebytes(picture()).decode().replace("\n", "\r\n")
    return (head + body + encoded + "--b1--\r\n").encode("latin-1")


def email() -> list[Input]:
    first, second = _mail(0, "=?utf-8?b?VGjJmXJlYXQ=?=", attach=True), _mail(1, "Again")
    mbox = b"".join(
        b"From stranger@example.org Tue Nov 14 12:00:00 2023\n" + m.replace(b"\r\n", b"\n") + b"\n"
        for m in (first, second, _mail(2, "From here"))
    )
    return [
        Input("eml", first),
        Input("mbox", mbox),
        Input("zip", make_zip({"mail/1.eml": first, "mail/2.eml": second})),
        Input("dir", make_zip({"1.eml": first, "2.eml": second, "Sent.mbox": mbox})),
    ]


# ---------------------------------------------------------------------- images


def images() -> list[Input]:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate me": the picture as a viewer sees it is upright
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(picture("JPEG"))).save(jpeg, "JPEG", exif=exif.tobytes())
    gif = io.BytesIO()
    frames = [Image.new("P", (12, 8), i) for i in range(3)]
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], loop=0)
    tiff = io.BytesIO()
    Image.open(io.BytesIO(picture("PNG"))).save(tiff, "TIFF", compression="tiff_deflate")
    return [
        Input("img", jpeg.getvalue()),
        Input("img", picture("PNG", mode="RGBA")),
        Input("img", picture("PNG", mode="L")),
        Input("img", gif.getvalue()),
        Input("img", picture("WEBP")),
        Input("img", picture("BMP")),
        Input("img", tiff.getvalue()),
        Input("img", picture("TIFF")),
    ]


# ---------------------------------------------------------------------- vault files


def vault_files(work: Path) -> list[Input]:
    """A template vault (for ``keys``) and two bundles exported from it (for ``verify``).

    Written to ``work`` (the worker copies the template vault and reads the identity and recovery
    key from there) and returned as seeds: the ``vault.keys``, the bundle, the encrypted bundle.
    """
    from crypto.kdf import Argon2Params
    from vault import Metadata, Vault, new_recipient_file

    fast = Argon2Params(memory_kib=1024, iterations=1, parallelism=1)
    template = work / "template"
    vault, recovery = Vault.create(template, PASSPHRASE, kdf=lambda: fast)
    (work / "recovery.txt").write_text(recovery)
    public = new_recipient_file(work / "identity.txt")
    try:
        vault.add_message("We know where you live.", Metadata(tags=("threat",)))
        vault.add_note("Received at 12:00; I kept the phone.")
        vault.add_bytes(picture(), "house.jpg")
        # Two imported messages: the bundle carries their creation records and the import's
        # statement (bundle version 3, docs/format.md §7.7), so verify's checks of them are fuzzed.
        export = work / "result.json"
        export.write_text(json.dumps(_telegram_export(), ensure_ascii=False), encoding="utf-8")
        vault.import_export("telegram", export)
        plain = vault.export_bundle(work / "bundle.zip", everything=True, note="Fuzz seed")
        sealed = vault.export_bundle(work / "sealed.zip.age", everything=True, recipients=[public])
    finally:
        vault.close()
    (work / "fingerprint.txt").write_text(plain.fingerprint)
    return [
        Input("keys", (template / "vault.keys").read_bytes()),
        Input("bundle", plain.path.read_bytes()),
        Input("age", sealed.path.read_bytes()),
        Input("sealed-zip", plain.path.read_bytes()),
    ]


def _telegram_export() -> dict[str, object]:
    """A one-chat Telegram export of two messages, for the seed vault's import."""
    messages = [
        {
            "id": n,
            "type": "message",
            "date": "2023-11-14T16:00:00",
            "date_unixtime": str(1699963200 + 60 * n),
            "from": "Fictional Sender",
            "from_id": "user5550001111",
            "text": text,
        }
        for n, text in ((1, "We are watching you."), (2, "Last warning."))
    ]
    return {
        "name": "Fictional Sender",
        "type": "personal_chat",
        "id": 5550001111,
        "messages": messages,
    }
