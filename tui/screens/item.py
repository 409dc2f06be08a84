"""One item: its details, SHA-256, custody timeline, and (on request) its content.

Sensitive items show nothing of their content, not even its title (``vault.shown_item``), until the
defender confirms a reveal; leaving the screen hides it again (the screen is discarded). A reveal
is a custody event. Every read runs in a worker that posts what it found: the screen never waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from tui.proof_words import item_proof_line
from tui.render import format_rows, human_size, item_rows, provenance_rows, readable_time
from tui.screens.base import Form, VaultAccess
from tui.screens.delete import DeleteScreen
from tui.screens.seen import similar_text
from tui.terminal_text import terminal_text
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.picture import picture_text
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.widgets.tickbox import TickBox
from vault import N_, EvaultError, VaultLocked, _, event_words, parse_tags, pgettext, shown_item

if TYPE_CHECKING:
    from vault import CustodyRecord, Item, Preview, Provenance, TimestampToken

PREVIEW_COLS = 72  # fits an 80-column terminal with the screen's padding
PREVIEW_ROWS = 16
TEXT_KINDS = ("message", "note")


class ItemLoaded(Message):
    """The item's details, import provenance, custody timeline and earliest proof of time (if
    any), read by a worker."""

    def __init__(
        self,
        item: Item,
        origin: Provenance | None,
        records: list[CustodyRecord],
        proof: TimestampToken | None = None,
    ) -> None:
        super().__init__()
        self.item = item
        self.origin = origin
        self.proof = proof
        self.records = records


class TimelineLoaded(Message):
    """The custody timeline again (a reveal is itself a custody event)."""

    def __init__(self, records: list[CustodyRecord]) -> None:
        super().__init__()
        self.records = records


class ContentRead(Message):
    """What to show under "Content": the text itself once revealed, or a sentence."""

    def __init__(self, text: str, *, revealed: bool = False) -> None:
        super().__init__()
        self.text = text
        self.revealed = revealed


class PictureDrawn(Message):
    """A small preview of the picture (None: none can be drawn); ``reveal``: it was revealed."""

    def __init__(self, picture: Preview | None, reveal: bool) -> None:
        super().__init__()
        self.picture = picture
        self.reveal = reveal


class SeenText(Message):
    """Where this picture (or a re-posted copy) was seen: words only."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ItemScreen(VaultAccess, Screen[None]):
    """Everything here is read by workers that post what they found, so opening an item never
    waits for the vault, even while another screen's task still holds it."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("space", "reveal", N_("Show content")),
        # TRANSLATORS: footer key (the edit dialog's own title is the "title" context).
        Binding("e", "edit", N_("Edit details")),
        Binding("d", "delete", N_("Delete")),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.item: Item | None = None  # set once the worker has read it
        self.origin: Provenance | None = None
        self.revealed = False

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield SafeLabel("", id="item-title", classes="screen-title", markup=False)
            yield SafeStatic(_("Reading…"), id="details", markup=False)
            yield SafeStatic("", id="proof", markup=False)
            yield SafeLabel(_("Content"), classes="section")
            yield SafeStatic("", id="content", markup=False)
            yield SafeLabel(_("Seen elsewhere"), classes="section", id="seen-title")
            yield SafeStatic("", id="seen", markup=False)
            yield SafeLabel(_("Chain of custody"), classes="section")
            yield SafeStatic("", id="timeline", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#seen-title", Label).display = False
        self.query_one("#seen", Static).display = False
        self.show()

    # ------------------------------------------------------------------ reading

    def show(self) -> None:
        """(Re)read the item: details, provenance, timeline."""
        self._load_item()

    @work(thread=True, exclusive=True, group="item")
    def _load_item(self) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            item = vault.get_item(self.item_id)
            origin = vault.import_provenance(item.id) if item.kind == "message" else None
            records = vault.custody_log(item.id)
            proof = vault.proof_of_time(item.id)
        except EvaultError as exc:
            self.post_message(ContentRead(exc.message))
            return
        self.post_message(ItemLoaded(item, origin, records, proof))

    def on_item_loaded(self, message: ItemLoaded) -> None:
        first = self.item is None
        item = self.item = message.item
        self.origin = message.origin
        self._show_details()
        self.query_one("#proof", Static).update(item_proof_line(message.proof))
        if not self.revealed:
            self.query_one("#content", Static).update(self._placeholder(item))
        self._show_timeline(message.records)
        picture = item.kind == "file" and item.media_type.startswith("image/")
        if first and picture:
            self.query_one("#seen-title", Label).display = True
            seen = self.query_one("#seen", Static)
            seen.display = True
            seen.update(_("Comparing with the other pictures…"))
            self._load_similar()
            if not item.sensitive:
                self._load_preview(reveal=False)

    def _show_details(self) -> None:
        """Heading and details; for a sensitive item, what may show before its reveal."""
        if self.item is None:
            return
        item = shown_item(self.item, revealed=self.revealed)
        self.query_one("#item-title", Label).update(item.title or _("(untitled)"))
        rows = item_rows(item, readable=True)
        if self.origin is not None:
            rows += provenance_rows(self.origin, readable=True)
        self.query_one("#details", Static).update(format_rows(rows))

    def _now_revealed(self) -> None:
        """The content was shown on purpose: the real title and details may show too."""
        self.revealed = True
        self._show_details()
        self._load_timeline()  # the reveal is itself a custody event

    @work(thread=True, exclusive=True, group="timeline")
    def _load_timeline(self) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            records = vault.custody_log(self.item_id)
        except EvaultError:
            return  # the timeline already shown stays; the next open reads it again
        self.post_message(TimelineLoaded(records))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        self._show_timeline(message.records)

    def _show_timeline(self, records: list[CustodyRecord]) -> None:
        self.query_one("#timeline", Static).update(
            "\n".join(
                f"{readable_time(r.time)}  "
                + event_words(r.type, r.details)
                + (f' — "{r.reason}"' if r.reason else "")
                for r in records
            )
        )

    @work(thread=True, exclusive=True, group="similar")
    def _load_similar(self) -> None:
        """Where this picture (or a re-posted copy of it) was seen, without showing any of them."""
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            text = similar_text(vault.similar(self.item_id))
        except EvaultError as exc:
            text = exc.message
        self.post_message(SeenText(text))

    def on_seen_text(self, message: SeenText) -> None:
        self.query_one("#seen", Static).update(message.text)

    @work(thread=True, exclusive=True, group="preview")
    def _load_preview(self, *, reveal: bool) -> None:
        """Decode in a worker: a large photo must not freeze the screen."""
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            picture = vault.image_preview(self.item_id, PREVIEW_COLS, PREVIEW_ROWS, reveal=reveal)
        except EvaultError as exc:
            self.post_message(ContentRead(exc.message))
            return
        self.post_message(PictureDrawn(picture, reveal))

    def on_picture_drawn(self, message: PictureDrawn) -> None:
        item = self.item
        if item is None:
            return
        content = self.query_one("#content", Static)
        picture = message.picture
        if picture is None:
            text = _(
                "{type}, {size}. No preview can be drawn for this file; use 'evault get' to save "
                "a copy if you need to open it."
            ).format(type=item.media_type, size=human_size(item.size))
            if message.reveal and item.sensitive:
                self._reveal_details(text)  # confirmed: at least its title and details show
            else:
                content.update(text)
            return
        caption = "\n" + _(
            "{format} picture, {width}×{height} pixels, {size} (small preview)"
        ).format(
            format=picture.format,
            width=picture.width_px,
            height=picture.height_px,
            size=human_size(item.size),
        )
        content.update(picture_text(picture).append(caption))
        if message.reveal:
            self._now_revealed()

    @work(thread=True, exclusive=True, group="reveal")
    def _read_text(self) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            original, reading = vault.read_message_text(self.item_id)
        except EvaultError as exc:
            self.post_message(ContentRead(exc.message))
            return
        # CR LF line ends (e-mails have them) show as plain line breaks, as in the report; a
        # lone CR or other control character still shows as a code.
        shown = original.replace("\r\n", "\n")
        if reading is not None:  # imported: its text first, then the evidence as exported
            heading = _("As the export holds it (the original, unchanged):")
            shown = reading.replace("\r\n", "\n") + f"\n\n{heading}\n{shown}"
        self.post_message(ContentRead(shown, revealed=True))

    def on_content_read(self, message: ContentRead) -> None:
        self.query_one("#content", Static).update(message.text)
        if message.revealed:
            self._now_revealed()

    @work(thread=True, exclusive=True, group="reveal")
    def _reveal_details(self, text: str) -> None:
        """A confirmed reveal of a sensitive file this terminal cannot show: recorded, then
        ``text`` shows, with the file's real title and details."""
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            vault.record_reveal([self.item_id])
        except EvaultError as exc:
            self.post_message(ContentRead(exc.message))
            return
        self.post_message(ContentRead(text, revealed=True))

    def _placeholder(self, item: Item) -> str:
        if item.sensitive:
            return _(
                "Sensitive: nothing is shown. Press Space to reveal (you will be asked first)."
            )
        if item.kind in TEXT_KINDS:
            return _("Press Space to show the text.")
        if item.media_type.startswith("image/"):
            return _("Drawing a preview…")
        return _(
            "{type}, {size}. This terminal shows no preview; use 'evault get' to save a copy if "
            "you need to open it."
        ).format(type=item.media_type, size=human_size(item.size))

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reveal(self) -> None:
        if self.revealed or self.item is None:
            return
        if self.item.sensitive:
            self.app.push_screen(
                ConfirmDialog(
                    _(
                        "This item is marked sensitive (it may be intimate). Show it now? "
                        "Make sure nobody else can see the screen."
                    ),
                    yes=_("Show it"),
                    no=_("Keep hidden"),
                ),
                self._reveal_confirmed,
            )
        else:
            self._reveal_confirmed(True)

    def _reveal_confirmed(self, yes: bool | None) -> None:
        item = self.item
        if not yes or item is None:
            return
        if item.media_type.startswith("image/"):
            self._load_preview(reveal=item.sensitive)
            return
        if item.kind not in TEXT_KINDS:
            text = _(
                "{type}, {size}. This terminal cannot show it; use 'evault get' to save a copy "
                "you can open (the copy is not encrypted)."
            ).format(type=item.media_type, size=human_size(item.size))
            if item.sensitive:
                self._reveal_details(text)
            else:
                self.query_one("#content", Static).update(text)
            return
        self._read_text()

    def action_edit(self) -> None:
        if self.item is not None:
            self.app.push_screen(EditScreen(self.item, revealed=self.revealed), self._edited)

    def _edited(self, changes: dict[str, Any] | None) -> None:
        if changes:
            self.show()

    def action_delete(self) -> None:
        if self.item is not None and self.item.deleted_at is None:
            self.app.push_screen(DeleteScreen(self.item), self._deleted)

    def _deleted(self, deleted: bool | None) -> None:
        if deleted:
            self.dismiss(None)  # back to the list, which reads itself again


class EditScreen(VaultAccess, ModalScreen[dict[str, Any] | None]):
    """Edit the details of an item; saving is one custody event listing every change."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    FIELDS = (
        ("title", N_("Title")),
        ("description", N_("Description")),
        ("platform", N_("Platform")),
        ("source_url", N_("Link where it was seen (URL)")),
        ("sender_handle", N_("Sender")),
        ("sender_id", N_("Sender id / phone")),
        ("occurred", N_("When it happened (e.g. 2026-03-09T21:14+04:00, or unknown)")),
        ("case", N_("Case")),
        ("tags", N_("Tags (comma separated)")),
        ("reason", N_("Why you are changing this (kept in the custody log)")),
    )

    # Masked on a sensitive item not revealed (may be typed over; left alone, kept as they are).
    MASKED = ("title", "description")

    def __init__(self, item: Item, *, revealed: bool = False) -> None:
        super().__init__()
        self.item = item
        self.masked = item.sensitive and not revealed

    def _initial(self, name: str) -> str:
        """What the field shows at first: the stored value, with any control character shown
        visibly (such a value is kept as stored unless the defender changes the field)."""
        return terminal_text(self._stored(name))

    def _typed(self, name: str) -> str:
        """The field's value; one shown with visible escapes and left alone keeps its value."""
        typed = self.query_one(f"#edit-{name}", Input).value
        return self._stored(name) if typed == self._initial(name) else typed

    def _stored(self, name: str) -> str:
        item = self.item
        values = {
            "title": item.title,
            "description": item.description,
            "platform": item.platform,
            "source_url": item.source_url,
            "sender_handle": item.sender_handle,
            "sender_id": item.sender_id,
            "occurred": item.occurred_at or _("unknown"),
            "case": item.case or "",
            "tags": ", ".join(item.tags),
            "reason": "",
        }
        return values[name]

    def compose(self) -> ComposeResult:
        with Form(classes="dialog wide"):  # no invisible focus stop before the first field
            yield SafeLabel(pgettext("title", "Edit details"), classes="dialog-title")
            for name, label in self.FIELDS:
                masked = self.masked and name in self.MASKED
                shown = _(label)
                yield SafeLabel(
                    _("{label} (hidden: sensitive)").format(label=shown) if masked else shown
                )
                yield Input(self._initial(name), id=f"edit-{name}", password=masked)
            yield TickBox(
                _("Sensitive (never previewed without asking)"),
                self.item.sensitive,
                id="edit-sensitive",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Save"), id="save", variant="primary")
                yield Button(_("Cancel"), id="cancel")
            yield SafeStatic("", id="status", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self._save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _save(self) -> None:
        value = {name: self._typed(name) for name, _label in self.FIELDS}
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
        if occurred != (self.item.occurred_at or _("unknown")):
            unknown = ("", "unknown", _("unknown").lower())  # the English word is understood too
            changes["occurred"] = None if occurred.lower() in unknown else occurred
        item_id, reason = self.item.id, value["reason"].strip() or None
        self.query_one("#save", Button).disabled = True  # one change, recorded once

        def failed(sentence: str) -> None:
            self.query_one("#save", Button).disabled = False
            self.query_one("#status", Static).update(sentence)
            # The answer is last, below the fold at 80x24: scroll to it once it is laid out.
            self.call_after_refresh(self.query_one(Form).scroll_end, animate=False)

        def saved(_item: Item) -> None:
            self.dismiss(changes)

        self.ask(
            lambda vault: vault.update_metadata(item_id, changes, reason=reason), saved, failed
        )
