"""One item: its details, SHA-256, custody timeline, and (on request) its content.

Sensitive items show nothing of their content until the defender confirms a reveal; leaving the
screen hides it again (the screen is discarded). Showing content is itself a custody event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from tui.render import format_rows, human_size, item_rows, provenance_rows, readable_time
from tui.screens.base import VaultAccess
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.picture import picture_text
from tui.widgets.tickbox import TickBox
from vault import EvaultError, parse_tags

if TYPE_CHECKING:
    from vault import Item, Preview, SimilarResult

PREVIEW_COLS = 72  # fits an 80-column terminal with the screen's padding
PREVIEW_ROWS = 16
TEXT_KINDS = ("message", "note")

EVENT_WORDS = {
    "item.created": "added to the vault",
    "item.metadata_changed": "details edited",
    "item.viewed": "content shown",
    "item.exported": "original saved to a file",
    "item.deleted": "deleted",
    "bundle.exported": "included in a bundle",
}


def similar_text(result: SimilarResult) -> str:
    """'Seen 5 times, in 3 chats', and which items: words only, never a picture."""
    if result.hash is None:
        return "This picture could not be read, so it cannot be compared with others."
    others = [m for m in result.matches if m.item.id != result.item.id]
    chats = result.chats
    lines = [
        f"Seen {result.times_seen} time{'s' if result.times_seen != 1 else ''}"
        + (f", in {len(chats)} chat{'s' if len(chats) != 1 else ''}" if chats else "")
        + (
            f"; {len(others)} other picture{'s' if len(others) != 1 else ''} in the vault "
            "look the same (re-posted copies?)"
            if others
            else "; no other picture in the vault looks like it"
        )
        + "."
    ]
    for match in result.matches[:8]:
        where = ", ".join(
            dict.fromkeys(
                f"{s.chat or s.platform} ({readable_time(s.time)[:10]})" for s in match.sightings
            )
        )
        label = "this item" if match.item.id == result.item.id else f"item {match.item.id[:8]}"
        lines.append(f"  {label}: {where or 'not attached to a message'}")
    lines.append(f"Picture fingerprint ({result.algorithm}): {result.hash}")
    return "\n".join(lines)


class ItemScreen(VaultAccess, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "reveal", "Show content"),
        Binding("e", "edit", "Edit details"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.revealed = False

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label("", id="item-title", classes="screen-title", markup=False)
            yield Static("", id="details", markup=False)
            yield Label("Content", classes="section")
            yield Static("", id="content", markup=False)
            yield Label("Seen elsewhere", classes="section", id="seen-title")
            yield Static("", id="seen", markup=False)
            yield Label("Chain of custody", classes="section")
            yield Static("", id="timeline", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show()
        item = self.item
        picture = item.kind == "file" and item.media_type.startswith("image/")
        self.query_one("#seen-title", Label).display = picture
        self.query_one("#seen", Static).display = picture
        if picture:
            self.query_one("#seen", Static).update("Comparing with the other pictures…")
            self._load_similar()
            if not item.sensitive:
                self._load_preview(reveal=False)

    @work(thread=True, exclusive=True, group="similar")
    def _load_similar(self) -> None:
        """Where this picture (or a re-posted copy of it) was seen, without showing any of them."""
        vault = self.evault.vault
        if vault is None:
            return
        try:
            text = similar_text(vault.similar(self.item_id))
        except EvaultError as exc:
            text = exc.message
        self.app.call_from_thread(self._show_seen, text)

    def _show_seen(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#seen", Static).update(text)

    @work(thread=True, exclusive=True, group="preview")
    def _load_preview(self, *, reveal: bool) -> None:
        """Decode in a worker: a large photo must not freeze the screen."""
        vault = self.evault.vault
        if vault is None:
            return
        try:
            picture = vault.image_preview(self.item_id, PREVIEW_COLS, PREVIEW_ROWS, reveal=reveal)
        except EvaultError as exc:
            self.app.call_from_thread(self._show_content, exc.message)
            return
        self.app.call_from_thread(self._show_picture, picture, reveal)

    def _show_picture(self, picture: Preview | None, reveal: bool) -> None:
        if not self.is_attached:
            return
        item = self.item
        content = self.query_one("#content", Static)
        if picture is None:
            content.update(
                f"{item.media_type}, {human_size(item.size)}. No preview can be drawn for this "
                "file; use 'evault get' to save a copy if you need to open it."
            )
            return
        caption = f"\n{picture.format} picture, {picture.width_px}×{picture.height_px} pixels, {human_size(item.size)} (small preview)"
        content.update(picture_text(picture).append(caption))
        if reveal:
            self.revealed = True
            self.show_timeline()

    def _show_content(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#content", Static).update(text)

    def show(self) -> None:
        item = self.vault.get_item(self.item_id)
        self.item = item
        self.query_one("#item-title", Label).update(item.title or "(untitled)")
        rows = item_rows(item, readable=True)
        origin = self.vault.import_provenance(item.id) if item.kind == "message" else None
        if origin is not None:
            rows += provenance_rows(origin, readable=True)
        self.query_one("#details", Static).update(format_rows(rows))
        self.query_one("#content", Static).update(self._placeholder(item))
        self.show_timeline()

    def _placeholder(self, item: Item) -> str:
        if item.sensitive:
            return "Sensitive: nothing is shown. Press Space to reveal (you will be asked first)."
        if item.kind in TEXT_KINDS:
            return "Press Space to show the text."
        if item.media_type.startswith("image/"):
            return "Drawing a preview…"
        return (
            f"{item.media_type}, {human_size(item.size)}. This terminal shows no preview; "
            "use 'evault get' to save a copy if you need to open it."
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reveal(self) -> None:
        if self.revealed:
            return
        if self.item.sensitive:
            self.app.push_screen(
                ConfirmDialog(
                    "This item is marked sensitive (it may be intimate). Show it now? "
                    "Make sure nobody else can see the screen.",
                    yes="Show it",
                    no="Keep hidden",
                ),
                self._reveal_confirmed,
            )
        else:
            self._reveal_confirmed(True)

    def _reveal_confirmed(self, yes: bool | None) -> None:
        if not yes:
            return
        item = self.item
        if item.media_type.startswith("image/"):
            self._load_preview(reveal=item.sensitive)
            return
        if item.kind not in TEXT_KINDS:
            self.query_one("#content", Static).update(
                f"{item.media_type}, {human_size(item.size)}. This terminal cannot show it; "
                "use 'evault get' to save a copy you can open (the copy is not encrypted)."
            )
            return
        text = self.vault.read_text(item.id)
        self.revealed = True
        self.query_one("#content", Static).update(text)
        self.show_timeline()  # the reveal is itself a custody event

    def show_timeline(self) -> None:
        records = self.vault.custody_log(self.item.id)
        self.query_one("#timeline", Static).update(
            "\n".join(
                f"{readable_time(r.time)}  {EVENT_WORDS.get(r.type, r.type)}"
                + (f' — "{r.reason}"' if r.reason else "")
                for r in records
            )
        )

    def action_edit(self) -> None:
        self.app.push_screen(EditScreen(self.item), self._edited)

    def _edited(self, changes: dict[str, Any] | None) -> None:
        if changes:
            self.show()


class EditScreen(VaultAccess, ModalScreen[dict[str, Any] | None]):
    """Edit the details of an item; saving is one custody event listing every change."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    FIELDS = (
        ("title", "Title"),
        ("description", "Description"),
        ("platform", "Platform"),
        ("source_url", "URL"),
        ("sender_handle", "Sender"),
        ("sender_id", "Sender id / phone"),
        ("occurred", "When it happened (e.g. 2026-03-09T21:14+04:00, or unknown)"),
        ("case", "Case"),
        ("tags", "Tags (comma separated)"),
        ("reason", "Why you are changing this (kept in the custody log)"),
    )

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def _initial(self, name: str) -> str:
        item = self.item
        values = {
            "title": item.title,
            "description": item.description,
            "platform": item.platform,
            "source_url": item.source_url,
            "sender_handle": item.sender_handle,
            "sender_id": item.sender_id,
            "occurred": item.occurred_at or "unknown",
            "case": item.case or "",
            "tags": ", ".join(item.tags),
            "reason": "",
        }
        return values[name]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Label("Edit details", classes="dialog-title")
            for name, label in self.FIELDS:
                yield Label(label)
                yield Input(self._initial(name), id=f"edit-{name}")
            yield TickBox(
                "Sensitive (never previewed without asking)",
                self.item.sensitive,
                id="edit-sensitive",
            )
            with Horizontal(classes="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")
            yield Static("", id="status", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self._save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _save(self) -> None:
        vault = self.evault.vault
        if vault is None:
            return
        value = {name: self.query_one(f"#edit-{name}", Input).value for name, _ in self.FIELDS}
        changes: dict[str, Any] = {
            "title": value["title"],
            "description": value["description"],
            "platform": value["platform"],
            "source_url": value["source_url"],
            "sender_handle": value["sender_handle"],
            "sender_id": value["sender_id"],
            "case": value["case"].strip() or None,
            "tags": list(parse_tags(value["tags"])),
            "sensitive": self.query_one("#edit-sensitive", Checkbox).value,
        }
        occurred = value["occurred"].strip()
        if occurred != (self.item.occurred_at or "unknown"):
            changes["occurred"] = None if occurred.lower() in ("", "unknown") else occurred
        try:
            vault.update_metadata(self.item.id, changes, reason=value["reason"].strip() or None)
        except EvaultError as exc:
            self.query_one("#status", Static).update(exc.message)
            return
        self.dismiss(changes)
