"""Make the screenshots in docs/images/ that illustrate docs/user-guide.md.

Run from anywhere, with the project installed (for example in its virtualenv):

    python docs/make_screenshots.py            # writes docs/images/*.svg
    python docs/make_screenshots.py --out DIR  # writes them somewhere else
    python docs/make_screenshots.py --lang az  # the app in Azerbaijani: docs/images/az/*.svg

It builds a throwaway demo vault in a fixed, neutral folder (``<temp>/demo``, usually
``/tmp/demo``), drives the real terminal app at 80x24 with Textual's Pilot through a defender's
first day, saves one SVG per step and removes the folder at the end. Everything in the demo vault
is fictional: the senders, numbers, cases and messages are made up, and the passphrase and
recovery key shown belong to a vault that no longer exists once the script ends.

While it runs, ``HOME`` points at the demo folder, so the file picker and the default bundle path
show the demo folder and nothing of the machine the screenshots are made on.

This is not a test: it asserts only what it needs to reach each screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, DirectoryTree, Input, Select, TextArea

from crypto.kdf import Argon2Params
from tui.app import EvaultApp, make_app
from tui.screens.add import AddFilesScreen, MessageScreen
from tui.screens.bundles import ExportDoneScreen, ExportScreen, VerifyScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ChatScreen, ChatsScreen, ImportScreen
from tui.screens.item import ItemScreen
from tui.screens.settings import SettingsScreen
from tui.screens.start import CreateScreen, RecoveryKeyScreen, UnlockScreen
from tui.screens.wipe import WipeDialog, WipedScreen
from vault import LANGUAGES, Vault, set_language
from vault.bundle.recipients import new_recipient_file
from vault.evidence.models import MessageFields, Metadata

SIZE = (80, 24)
DEMO_NAME = "demo"
# What this script puts in the demo folder: a leftover folder holding only these names (from an
# interrupted run) is removed; anything else makes the script stop rather than delete it.
DEMO_ENTRIES = {"Evidence.evault", "Downloads", "lawyer.key", "evidence-bundle.zip.age"}
# A demo passphrase only: several unrelated words, as the guide advises.
PASSPHRASE = "lantern orchard pebble violin harbour"  # noqa: S105 - the demo vault's
CASE = "Threats after the article (example)"
OUR_WORKERS = {
    "unlock",
    "create",
    "add",
    "export",
    "verify",
    "passwd",
    "lock",
    "import",
    "preview",
    "similar",
}


def fast_kdf() -> Argon2Params:
    """Tiny Argon2id parameters: the demo vault is thrown away, so guessing speed is irrelevant."""
    return Argon2Params(1024, 1, 1)


# ---------------------------------------------------------------------- demo files


def tiny_png(width: int = 8, height: int = 8) -> bytes:
    """A small, valid grey PNG standing in for a screenshot of a threat."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def make_demo_files(downloads: Path) -> dict[str, Path]:
    downloads.mkdir(parents=True)
    files = {
        "screenshot": downloads / "threat-screenshot.png",
        "photo": downloads / "private-photo.jpg",
        "voice": downloads / "voice-message.ogg",
    }
    files["screenshot"].write_bytes(tiny_png())
    files["photo"].write_bytes(b"\xff\xd8\xff\xe0 fictional placeholder, not a real photo")
    files["voice"].write_bytes(b"OggS fictional placeholder, not a real recording")
    files["chat"] = downloads / "WhatsApp Chat with Unknown number.txt"
    files["chat"].write_text(
        "10/11/2026, 22:58 - Messages and calls are end-to-end encrypted.\n"
        "10/11/2026, 23:01 - +000 00 000 00 00: Yazını sil. (nümunə)\n"
        "10/11/2026, 23:02 - +000 00 000 00 00: Sənin evini bilirik. (nümunə)\n"
        "10/11/2026, 23:05 - Me: Kimsiniz?\n"
        "11/11/2026, 07:40 - +000 00 000 00 00: Мы знаем, где ты живёшь. (пример)\n"
        "13/11/2026, 21:14 - +000 00 000 00 00: Son xəbərdarlıq.\n"
        "Sabah gec olacaq. (nümunə)\n",
        "utf-8",
    )
    return files


def fill_demo_vault(vault_path: Path, files: dict[str, Path]) -> None:
    """The fictional evidence of the demo: a screenshot, two messages, a note, a sensitive photo."""
    with Vault.open(vault_path, passphrase=PASSPHRASE) as vault:
        vault.add_file(
            files["screenshot"],
            Metadata(
                title="Comment under the article (example)",
                platform="Instagram",
                sender_handle="@fictional_troll_01",
                sender_id="1000000001",
                occurred="2026-11-09T21:14+04:00",
                case=CASE,
                tags=("threat",),
            ),
        )
        vault.add_message(
            "Bu son xəbərdarlıqdır. Yazını silməsən, səni tapacağıq. Bu təhdiddir. (nümunə)",
            Metadata(
                title="Təhdid in Telegram (example)",
                platform="Telegram",
                sender_handle="@fictional_troll_01",
                sender_id="1000000001",
                case=CASE,
                tags=("threat",),
            ),
            MessageFields(recipient="me", sent="2026-11-10T23:05", sent_tz="Asia/Baku"),
        )
        vault.add_message(
            "Мы знаем, где ты живёшь. Удали статью. (пример)",
            Metadata(
                title="Threat in Russian (example)",
                platform="WhatsApp",
                sender_handle="Unknown number (example)",
                sender_id="+000 00 000 00 00",
                case=CASE,
                tags=("threat",),
            ),
            MessageFields(recipient="me", sent="2026-11-12T08:40", sent_tz="Asia/Baku"),
        )
        vault.add_note(
            "On 12 November (example) an unknown number called twice at night and said nothing. "
            "I wrote this the next morning.",
            Metadata(title="My account of the night calls (example)", case=CASE),
        )
        vault.add_file(
            files["photo"],
            Metadata(
                title="Leaked private photo (example)",
                platform="Telegram",
                sender_handle="@fictional_troll_02",
                case=CASE,
                tags=("leak",),
                sensitive=True,
            ),
        )


# ---------------------------------------------------------------------- driving the app


async def settle(app: EvaultApp, pilot: Pilot[None]) -> None:
    """Wait for the app's own workers (not the file picker's loader, which keeps running)."""
    ours = [w for w in app.workers if w.group in OUR_WORKERS]
    if ours:
        await app.workers.wait_for_complete(ours)
    await pilot.pause()


async def press_button(app: EvaultApp, pilot: Pilot[None], selector: str) -> None:
    """Press a button by keyboard (at 80x24 it may be scrolled out of view)."""
    app.screen.query_one(selector).focus()
    await pilot.press("enter")
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


def expect(app: EvaultApp, screen_type: type) -> None:
    if not isinstance(app.screen, screen_type):
        raise SystemExit(
            f"Expected {screen_type.__name__}, but the app shows {type(app.screen).__name__}."
        )


def open_vault(app: EvaultApp) -> Vault:
    if app.vault is None:
        raise SystemExit("The vault locked itself while the screenshots were being made.")
    return app.vault


class Shooter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.saved: list[str] = []
        self.started = time.monotonic()

    async def shot(self, app: EvaultApp, pilot: Pilot[None], name: str) -> None:
        await pilot.pause()
        await asyncio.sleep(0.1)  # let the last refresh land
        await pilot.pause()
        app.save_screenshot(filename=name, path=str(self.out_dir))
        self.saved.append(name)
        print(f"  {time.monotonic() - self.started:5.1f} s  {name}")


async def first_day(demo: Path, out_dir: Path) -> list[str]:
    vault_path = demo / "Evidence.evault"
    files = make_demo_files(demo / "Downloads")
    shooter = Shooter(out_dir)

    # 1. Create the vault, then write down the recovery key.
    app = make_app(vault_path, kdf=fast_kdf, language_fixed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        expect(app, CreateScreen)
        # Setting a value is what typing does, minus a frame per key (the advice follows it).
        app.screen.query_one("#first", Input).value = PASSPHRASE
        await shooter.shot(app, pilot, "create-vault.svg")
        await pilot.press("enter")
        app.screen.query_one("#second", Input).value = PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        expect(app, RecoveryKeyScreen)
        await shooter.shot(app, pilot, "recovery-key.svg")
        screen = app.screen
        if not isinstance(screen, RecoveryKeyScreen):
            raise SystemExit("The recovery key screen is gone.")
        screen.query_one("#written", Checkbox).value = True
        screen.query_one("#last-group", Input).value = screen.recovery.split("-")[-1]
        screen.query_one("#last-group", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        expect(app, EvidenceScreen)

    # 2. Evidence collected over the following days (added directly, like 'evault add').
    fill_demo_vault(vault_path, files)

    # 3. The next day: unlock, look, add, export, verify, settings.
    app = make_app(vault_path, kdf=fast_kdf, language_fixed=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        expect(app, UnlockScreen)
        secret = app.screen.query_one("#secret", Input)
        secret.value = PASSPHRASE
        await pilot.press("end")
        await shooter.shot(app, pilot, "unlock.svg")
        secret.value = "lantern orchard pebble"  # a mistake: words left out
        await pilot.press("enter")
        await settle(app, pilot)
        expect(app, UnlockScreen)
        await shooter.shot(app, pilot, "unlock-wrong.svg")
        secret.value = PASSPHRASE
        await pilot.press("enter")
        await settle(app, pilot)
        expect(app, EvidenceScreen)
        await shooter.shot(app, pilot, "evidence-list.svg")

        # Search without Azerbaijani letters.
        await pilot.press("slash")
        await type_text(pilot, "tehdid")
        await asyncio.sleep(0.5)  # the list reloads after a short pause in typing
        await shooter.shot(app, pilot, "search.svg")
        app.screen.query_one("#search", Input).value = ""
        await asyncio.sleep(0.5)
        await pilot.pause()
        table = app.screen.query_one("#items", DataTable)
        table.focus()

        # A sensitive item: nothing of its content is shown.
        vault = open_vault(app)
        sensitive = next(i for i in vault.list_items() if i.sensitive)
        table.move_cursor(row=table.get_row_index(sensitive.id))
        await pilot.press("enter")
        await pilot.pause()
        expect(app, ItemScreen)
        await shooter.shot(app, pilot, "item-sensitive.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Add files: the picker on the left, the details on the right.
        await pilot.press("a")
        await pilot.pause()
        expect(app, AddFilesScreen)
        tree = app.screen.query_one("#picker", DirectoryTree)
        await asyncio.sleep(0.3)  # the picker lists the folder in the background
        await pilot.pause()
        downloads = next(
            (
                n
                for n in tree.root.children
                if n.data is not None and n.data.path.name == "Downloads"
            ),
            None,
        )
        if downloads is not None:
            downloads.expand()
            await asyncio.sleep(0.3)
            await pilot.pause()
        app.screen.query_one("#paths", TextArea).text = str(files["voice"])
        app.screen.query_one("#add-occurred", Input).value = "2026-11-14T19:30"
        app.screen.query_one("#add-zone", Input).value = "Asia/Baku"
        app.screen.query_one("#add-title", Input).value = "Voice message (example)"
        app.screen.query_one("#add-platform", Input).value = "WhatsApp"
        app.screen.query_one("#paths", TextArea).focus()
        await shooter.shot(app, pilot, "add-files.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Add a threat message.
        await pilot.press("m")
        await pilot.pause()
        expect(app, MessageScreen)
        screen = app.screen
        text = screen.query_one("#msg-text", TextArea)
        text.text = (
            "Susmasan, peşman olacaqsan. (nümunə)\nKeep quiet or you will regret it. (example)"
        )
        screen.query_one("#msg-sent", Input).value = "2026-11-15T22:47"
        screen.query_one("#msg-zone", Input).value = "Asia/Baku"
        screen.query_one("#msg-recipient", Input).value = "me"
        screen.query_one("#msg-platform", Input).value = "Facebook"
        screen.query_one("#msg-sender", Input).value = "@fictional_troll_01"
        screen.query_one("#msg-sender-id", Input).value = "1000000001"
        screen.query_one("#msg-case", Input).value = CASE
        text.focus()
        await shooter.shot(app, pilot, "add-message.svg")
        screen.query_one("#msg-sender-id", Input).focus()  # scrolls down to who sent it
        await shooter.shot(app, pilot, "add-message-sender.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Export for the lawyer, encrypted to the lawyer's (fictional) age key.
        lawyer_key = demo / "lawyer.key"
        lawyer_public = new_recipient_file(lawyer_key)
        await pilot.press("x")
        await pilot.pause()
        expect(app, ExportScreen)
        app.screen.query_one("#case", Input).value = CASE
        app.screen.query_one("#secret", Input).value = lawyer_public
        app.screen.query_one("#note", Input).value = "Before the hearing (example)"
        app.screen.query_one("#case", Input).focus()
        await shooter.shot(app, pilot, "export.svg")
        bundle = Path(app.screen.query_one("#out", Input).value)
        await press_button(app, pilot, "#export")
        await settle(app, pilot)
        expect(app, ExportDoneScreen)
        await shooter.shot(app, pilot, "export-done.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # The chain of custody of an item that went into the bundle.
        table = app.screen.query_one("#items", DataTable)
        shot_item = next(i for i in vault.list_items() if i.platform == "Instagram")
        table.move_cursor(row=table.get_row_index(shot_item.id))
        await pilot.press("enter")
        await pilot.pause()
        expect(app, ItemScreen)
        app.screen.query_one(VerticalScroll).scroll_end(animate=False)
        await shooter.shot(app, pilot, "item-custody.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Verify that bundle, as the lawyer would (the app offers it too).
        fingerprint = vault.identity()["fingerprint"]
        await pilot.press("v")
        await pilot.pause()
        expect(app, VerifyScreen)
        app.screen.query_one("#bundle", Input).value = str(bundle)
        app.screen.query_one("#key", Input).value = fingerprint
        app.screen.query_one("#identity", Input).value = str(lawyer_key)
        await press_button(app, pilot, "#verify")
        await settle(app, pilot)
        await asyncio.sleep(0.2)
        await pilot.pause()
        app.screen.query_one("#result").scroll_visible(top=True, animate=False)
        await shooter.shot(app, pilot, "verify.svg")
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Importing a whole WhatsApp chat, then reading it chat by chat.
        await pilot.press("i")
        await pilot.pause()
        expect(app, ImportScreen)
        app.screen.query_one("#kind", Select).value = "whatsapp"
        app.screen.query_one("#path", Input).value = str(files["chat"])
        app.screen.query_one("#zone", Input).value = "Asia/Baku"
        app.screen.query_one("#case", Input).value = CASE
        await press_button(app, pilot, "#import")
        await settle(app, pilot)
        app.screen.query_one("#status").scroll_visible(top=True, animate=False)
        await shooter.shot(app, pilot, "import-summary.svg")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        expect(app, ChatsScreen)
        await pilot.press("enter")
        await pilot.pause()
        expect(app, ChatScreen)
        await shooter.shot(app, pilot, "chat.svg")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        expect(app, EvidenceScreen)

        # Settings: the fingerprint, changing the passphrase, auto-lock.
        await pilot.press("s")
        await pilot.pause()
        expect(app, SettingsScreen)
        await shooter.shot(app, pilot, "settings.svg")
        new1 = app.screen.query_one("#new1", Input)
        new1.focus()
        new1.value = "quiet kettle"  # typed to show the advice, never saved
        app.screen.query_one("#passwd").scroll_visible(animate=False)
        await shooter.shot(app, pilot, "settings-passphrase.svg")
        await pilot.press("escape")
        await pilot.pause()

        # The panic key: locked at once.
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        expect(app, UnlockScreen)

        # The emergency wipe (the last step: the demo vault is gone afterwards).
        await pilot.press("f8")
        await pilot.pause()
        expect(app, WipeDialog)
        app.screen.query_one("#word", Input).value = "WIPE"
        await shooter.shot(app, pilot, "wipe-confirm.svg")
        await pilot.press("enter")
        await settle(app, pilot)
        wiped = app.screen
        if not isinstance(wiped, WipedScreen):
            raise SystemExit(f"Expected WipedScreen, but the app shows {type(wiped).__name__}.")
        deadline = time.monotonic() + 30
        while not wiped.done and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await shooter.shot(app, pilot, "wiped.svg")
    return shooter.saved


# ---------------------------------------------------------------------- the demo folder


def prepare_demo_folder() -> Path:
    demo = Path(tempfile.gettempdir()) / DEMO_NAME
    if demo.exists():
        leftovers = {p.name for p in demo.iterdir()}
        if not leftovers <= DEMO_ENTRIES:
            raise SystemExit(
                f"{demo} already exists and holds files this script did not make. "
                "Move it away and run the script again."
            )
        shutil.rmtree(demo)
    demo.mkdir(mode=0o700)
    return demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the SVG files (default: docs/images next to this script, or "
        "docs/images/LANG for --lang az or ru)",
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="the app's language (default: en)"
    )
    args = parser.parse_args(argv)
    images = Path(__file__).resolve().parent / "images"
    out_dir: Path = (args.out or (images if args.lang == "en" else images / args.lang)).resolve()
    set_language(args.lang)
    out_dir.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    demo = prepare_demo_folder()
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(demo)  # the file picker and the default bundle path start here
    try:
        print(f"Demo vault in {demo}; screenshots into {out_dir}:")
        saved = asyncio.run(first_day(demo, out_dir))
    finally:
        if old_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old_home
        shutil.rmtree(demo, ignore_errors=True)
    print(f"{len(saved)} screenshots in {time.monotonic() - started:.1f} s; demo folder removed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
