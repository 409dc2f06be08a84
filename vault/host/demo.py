"""A demo vault of clearly invented evidence, for workshops and trainings.

Trainers need a vault to practise on that holds nothing real: participants search, tag, export and
read the custody log without anyone's actual threats on the projector. Everything here is fixed
text written for the demo, in English, Azerbaijani and Russian; every title starts with "DEMO";
the senders are invented handles and phone numbers from a range no one is issued (+994 00 …);
the pictures are drawn in memory with Pillow and go straight into the vault (nothing is written to
disk outside it). The "sensitive" picture is a grey placeholder that says so; like any sensitive
item, it shows under a neutral title ("Sensitive picture (Facebook Messenger, …)") until revealed,
which is what a workshop practises.

The vault is built only through the public :class:`Vault` API, so it is a real vault: the custody
log, search and ``check`` behave exactly as they would with real evidence. The passphrase is public
(:data:`DEMO_PASSPHRASE`), which is the point: never keep real evidence in a demo vault.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from vault.errors import InvalidInput
from vault.evidence.models import MessageFields, Metadata
from vault.facade import Vault
from vault.i18n import N_, _
from vault.store.keychange import KdfChoice

DEMO_PASSPHRASE = "demo vault only - not for real evidence"  # noqa: S105 - public on purpose
"""The demo vault's passphrase. It is printed and documented: the vault protects nothing."""

CASE_ARTICLE = N_("DEMO — Threats after the article (fictional)")
CASE_ACCOUNT = N_("DEMO — Fake account in my name (fictional)")
ZONE = "Asia/Baku"
FICTIONAL = N_("Invented for practice; not real evidence. No real people are involved.")
BANNER = "DEMO - FICTIONAL EVIDENCE FOR PRACTICE"


@dataclass(frozen=True)
class DemoVault:
    """What :func:`create_demo` made: where, how to open it, and how much is inside."""

    path: Path
    passphrase: str
    recovery_key: str
    fingerprint: str
    items: int


@dataclass(frozen=True)
class _Message:
    title: str
    text: str
    platform: str
    sender: str
    sender_id: str
    sent: str  # local time in Asia/Baku, without offset
    tags: tuple[str, ...]


# Written to read like what defenders receive, in a restrained way. All invented.
MESSAGES: tuple[_Message, ...] = (
    _Message(
        N_("DEMO: 'We know your cafe' (English, Telegram)"),
        "Nice article. We know which cafe you sit in every morning. "
        "Think about your family before you write again.",
        "Telegram",
        "@demo_troll_01",
        "+994 00 000 00 01",
        "2026-03-02T21:14:00",
        ("demo", "threat", "after-article"),
    ),
    _Message(
        N_("DEMO: 'Delete the article' (Azerbaijani, Telegram)"),
        "Məqaləni sil. Ünvanını bilirik, qızının məktəbini də. "
        "Ağzını bağla, yoxsa peşman olacaqsan — çox gözləmə, yaxşı düşün.",
        "Telegram",
        "@demo_troll_01",
        "+994 00 000 00 01",
        "2026-03-03T08:02:00",
        ("demo", "threat", "doxxing", "after-article"),
    ),
    _Message(
        N_("DEMO: 'Last warning' (Azerbaijani, WhatsApp)"),
        "Jurnalist xanım, bu son xəbərdarlıqdır. "
        "Sabah redaksiyanın qarşısında görüşərik, özün gəl.",
        "WhatsApp",
        "Demo Naməlum",
        "+994 00 000 00 02",
        "2026-03-04T22:40:00",
        ("demo", "threat", "after-article"),
    ),
    _Message(
        N_("DEMO: 'Remove the article' (Russian, Telegram)"),
        "Удали статью, пока не поздно. Мы знаем, где ты живёшь и во сколько выходишь из дома.",
        "Telegram",
        "@demo_troll_03",
        "+994 00 000 00 03",
        "2026-03-05T23:11:00",
        ("demo", "threat", "doxxing", "after-article"),
    ),
    _Message(
        N_("DEMO: 'Everyone will see' (Russian, Messenger)"),
        "Это последнее предупреждение. Твои фотографии скоро увидят все твои коллеги.",
        "Facebook Messenger",
        "Demo Anonim",
        "demo-profile-100000000000001",
        "2026-03-06T00:27:00",
        ("demo", "blackmail", "intimate-image-threat"),
    ),
    _Message(
        N_("DEMO: 'Your mailbox' (English, e-mail)"),
        "Subject: your account\n\nWe have had access to your mailbox since Monday. "
        "Stop writing about us or your private letters will be published.",
        "e-mail",
        "demo.sender@example.invalid",
        "",
        "2026-03-07T10:15:00",
        ("demo", "account-takeover", "blackmail"),
    ),
    _Message(
        N_("DEMO: 'We are watching' (English, Instagram)"),
        "Saw you at the courthouse today. Blue coat suits you. We are watching.",
        "Instagram",
        "@demo_troll_02",
        "+994 00 000 00 04",
        "2026-03-08T17:45:00",
        ("demo", "threat", "surveillance"),
    ),
)

NOTE = N_(
    "DEMO NOTE — everything here is invented for a workshop.\n\n"
    "On 1 March 2026 my (fictional) article about a (fictional) construction company was "
    "published. From 2 March I received messages on Telegram, WhatsApp, Instagram and by e-mail. "
    "On 7 March someone logged in to my e-mail account from a device I do not know, and on "
    "9 March a fake profile with my name and photo appeared. I took screenshots each time and "
    "added them here the same day."
)


def create_demo(
    path: Path, *, kdf: KdfChoice | None = None, now: datetime | None = None
) -> DemoVault:
    """Create the demo vault in ``path`` (which must not exist yet) and fill it.

    The vault is made with the normal calibrated key derivation unless ``kdf`` is given (tests).
    """
    path = Path(path)
    if path.exists():
        raise InvalidInput(
            _(
                "{path} already exists. Choose a new folder name for the demo vault; nothing was "
                "changed."
            ).format(path=path)
        )
    vault, recovery = Vault.create(path, DEMO_PASSPHRASE, kdf=kdf, now=now)
    with vault:
        _fill(vault, now)
        count = len(vault.list_items())
        fingerprint = vault.identity()["fingerprint"]
    return DemoVault(path, DEMO_PASSPHRASE, recovery, fingerprint, count)


def _fill(vault: Vault, now: datetime | None) -> None:
    """Add the invented evidence, then a little custody history a trainer can point at.

    Titles, descriptions, case names, the note and the reasons are written in the language chosen
    for the workshop (``evault --lang az demo …``); the invented messages keep their own languages
    (English, Azerbaijani, Russian), which is what searching in several languages practises."""
    case_article, case_account, fictional = _(CASE_ARTICLE), _(CASE_ACCOUNT), _(FICTIONAL)
    vault.create_case(case_article, now=now)
    message_ids: list[str] = []
    for m in MESSAGES:
        result = vault.add_message(
            m.text,
            Metadata(
                title=_(m.title),
                description=fictional,
                platform=m.platform,
                sender_handle=m.sender,
                sender_id=m.sender_id,
                case=case_article,
                tags=m.tags,
            ),
            MessageFields(recipient="Demo Journalist", sent=m.sent, sent_tz=ZONE),
            now=now,
        )
        message_ids.append(result.item_id)

    pictures: list[tuple[str, str, Callable[[], bytes], Metadata]] = [
        (
            "demo-telegram-chat.png",
            N_("DEMO: screenshot of the Telegram chat (fictional)"),
            lambda: _chat_screenshot(
                "@demo_troll_01",
                [
                    (False, "Nice article. We know which cafe you sit in every morning."),
                    (False, "Think about your family before you write again."),
                    (True, "Who is this? Please stop writing to me."),
                    (False, "Meqaleni sil. Unvanini bilirik. (Delete the article.)"),
                ],
            ),
            Metadata(
                platform="Telegram",
                sender_handle="@demo_troll_01",
                sender_id="+994 00 000 00 01",
                occurred="2026-03-03T08:05:00",
                occurred_tz=ZONE,
                case=case_article,
                tags=("demo", "screenshot", "threat"),
            ),
        ),
        (
            "demo-whatsapp-chat.png",
            N_("DEMO: screenshot of the WhatsApp chat (fictional)"),
            lambda: _chat_screenshot(
                "+994 00 000 00 02",
                [
                    (False, "Jurnalist xanim, bu son xeberdarliqdir."),
                    (False, "Sabah redaksiyanin qarsisinda goruserik."),
                    (True, "I am saving these messages."),
                ],
            ),
            Metadata(
                platform="WhatsApp",
                sender_handle="Demo Naməlum",
                sender_id="+994 00 000 00 02",
                occurred="2026-03-04T22:45:00",
                occurred_tz=ZONE,
                case=case_article,
                tags=("demo", "screenshot", "threat"),
            ),
        ),
        (
            "demo-account-notice.png",
            N_("DEMO: 'new sign-in to your account' notice (fictional)"),
            _account_notice,
            Metadata(
                platform="e-mail",
                occurred="2026-03-07T09:58:00",
                occurred_tz=ZONE,
                case=case_article,
                tags=("demo", "screenshot"),
            ),
        ),
        (
            "demo-placeholder.png",
            N_("DEMO: sensitive picture (harmless grey placeholder)"),
            _placeholder,
            Metadata(
                platform="Facebook Messenger",
                sender_handle="Demo Anonim",
                sender_id="demo-profile-100000000000001",
                occurred="2026-03-06T00:28:00",
                occurred_tz=ZONE,
                case=case_article,
                tags=("demo", "intimate-image-threat"),
                sensitive=True,
            ),
        ),
    ]
    picture_ids: dict[str, str] = {}
    for filename, title, draw, meta in pictures:
        described = replace(meta, title=_(title), description=fictional)
        picture_ids[filename] = vault.add_bytes(draw(), filename, described, now=now).item_id

    vault.add_note(
        _(NOTE),
        Metadata(
            title=_("DEMO: my own account of what happened (fictional)"),
            description=fictional,
            occurred="2026-03-09T20:00:00",
            occurred_tz=ZONE,
            case=case_article,
            tags=("demo", "note"),
        ),
        now=now,
    )

    # Custody history: what a defender typically does in the days after adding evidence.
    vault.create_case(case_account, now=now)
    vault.update_metadata(
        picture_ids["demo-account-notice.png"],
        {"case": case_account, "tags": ["demo", "screenshot", "account-takeover"]},
        reason=_("DEMO: belongs to the fake-account incident, not the article threats"),
        now=now,
    )
    vault.update_metadata(
        message_ids[1],
        {
            # The translation for the lawyer stays English: that is what it is for.
            "description": fictional + " Translation: Delete the article. We know your address, "
            "and your daughter's school too. Keep quiet or you will regret it. Do not wait long, "
            "think carefully."
        },
        reason=_("DEMO: added an English translation for the lawyer"),
        now=now,
    )
    vault.read_text(message_ids[3], now=now)  # a reviewer read the Russian message


# ---------------------------------------------------------------------- pictures

WIDTH, HEIGHT = 360, 640
BEZEL = (28, 28, 30)
SCREEN = (236, 229, 221)
HEADER = (42, 113, 166)
THEM = (255, 255, 255)
ME = (220, 248, 198)
INK = (20, 20, 20)
RED = (200, 30, 30)
WHITE = (255, 255, 255)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    """Pillow's built-in font (no font file from the computer is read), scaled where possible."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, TypeError, ValueError):  # Pillow built without FreeType
        return ImageFont.load_default()


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _phone(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A phone-shaped frame with a chat header and the red DEMO banner at the bottom."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, WIDTH - 5, HEIGHT - 5), radius=36, fill=BEZEL)
    draw.rectangle((18, 48, WIDTH - 19, HEIGHT - 60), fill=SCREEN)
    draw.rounded_rectangle((WIDTH // 2 - 40, 20, WIDTH // 2 + 40, 30), radius=5, fill=(60, 60, 64))
    draw.rectangle((18, 48, WIDTH - 19, 96), fill=HEADER)
    draw.text((34, 62), title, fill=WHITE, font=_font(18))
    draw.rectangle((18, HEIGHT - 110, WIDTH - 19, HEIGHT - 60), fill=RED)
    draw.text((30, HEIGHT - 94), BANNER, fill=WHITE, font=_font(13))
    draw.ellipse((WIDTH // 2 - 18, HEIGHT - 50, WIDTH // 2 + 18, HEIGHT - 14), outline=(90, 90, 96))
    return image, draw


def _chat_screenshot(title: str, lines: list[tuple[bool, str]]) -> bytes:
    """A fake chat: their bubbles on the left in white, the defender's on the right in green."""
    image, draw = _phone(title)
    font = _font(14)
    y = 112
    for mine, text in lines:
        wrapped = textwrap.wrap(text, width=30)
        height = 12 + 18 * len(wrapped)
        width = 20 + max(int(draw.textlength(w, font=font)) for w in wrapped)
        left = WIDTH - 30 - width if mine else 30
        draw.rounded_rectangle(
            (left, y, left + width, y + height), radius=10, fill=ME if mine else THEM
        )
        for n, row in enumerate(wrapped):
            draw.text((left + 10, y + 6 + 18 * n), row, fill=INK, font=font)
        y += height + 12
    return _png(image)


def _account_notice() -> bytes:
    """A fake "someone signed in to your account" warning, as a mail app would show it."""
    image, draw = _phone("Security alert")
    draw.rounded_rectangle((34, 116, WIDTH - 35, 316), radius=12, fill=WHITE, outline=RED, width=3)
    draw.text((50, 132), "New sign-in to your account", fill=RED, font=_font(17))
    rows = (
        "Account: demo.journalist@example.invalid",
        "Device: unknown Android phone",
        "Place: unknown",
        "Time: 7 March 2026, 09:41",
        "If this was not you, change your",
        "password now.",
    )
    for n, row in enumerate(rows):
        draw.text((50, 170 + 22 * n), row, fill=INK, font=_font(13))
    draw.rounded_rectangle((50, 350, WIDTH - 51, 390), radius=8, fill=HEADER)
    draw.text((96, 362), "Check activity", fill=WHITE, font=_font(15))
    return _png(image)


def _placeholder() -> bytes:
    """The "sensitive" picture: plain grey with words saying it is a placeholder, nothing more."""
    image = Image.new("RGB", (480, 360), (128, 128, 128))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 467, 347), outline=(90, 90, 90), width=4)
    for y, text, size in (
        (150, "PLACEHOLDER - not a real photo", 22),
        (190, "DEMO vault: sensitive-item practice", 16),
    ):
        font = _font(size)
        x = (image.width - int(draw.textlength(text, font=font))) // 2
        draw.text((x, y), text, fill=WHITE, font=font)
    return _png(image)
