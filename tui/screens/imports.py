"""Importing a platform export, and browsing imported chats message by message.

The import runs in a worker thread (a 100,000-message export takes a while) that posts its progress
and its end as messages: the screen shows what stage it is at and how far it got, Escape (or
locking) stops it and nothing is kept, and at the end a summary
says what was found: chats, messages, media, senders, the time span, problems, and any earlier
messages that a later export no longer contains (possibly deleted by the sender: evidence too).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    DirectoryTree,
    Footer,
    Input,
    Label,
    ProgressBar,
    Select,
    TextArea,
)

from tui.messages import Progress, ProgressPoster, ShowError
from tui.render import human_size, import_summary, readable_time
from tui.screens.base import Form, StatusLine, StoppableTask, VaultAccess
from tui.widgets.plain import plain
from tui.widgets.safe import SafeDirectoryTree, SafeLabel
from tui.widgets.tickbox import TickBox
from vault import (
    DATE_ORDERS,
    IMPORTERS,
    N_,
    EvaultError,
    ImportOptions,
    ImportSummary,
    VaultLocked,
    _,
    ngettext,
    parse_profile_links,
    parse_tags,
    shown_title,
)

if TYPE_CHECKING:
    from vault import Chat, ChatLine

DATE_ORDER_WORDS = {
    "dmy": N_("Day first (14/11/2023)"),
    "mdy": N_("Month first (11/14/2023)"),
    "ymd": N_("Year first (2023-11-14)"),
}
# TRANSLATORS: the imported chats' column headings (the chat list, then one chat's messages).
CHAT_COLUMNS = (N_("Chat"), N_("Platform"), N_("Messages"), N_("First"), N_("Last"))
LINE_COLUMNS = (N_("When (UTC)"), N_("From"), N_("Message"), N_("Files"))
PAGE = 200


def kinds() -> list[tuple[str, str]]:
    """The kinds of export, named in the current language (the names are the vault's)."""
    return [(_(row.label), row.name) for row in IMPORTERS]


def date_order_choices() -> list[tuple[str, str]]:
    """How a WhatsApp export may write its dates, in the current language."""
    return [(_(DATE_ORDER_WORDS[order]), order) for order in DATE_ORDERS]


class ImportEnded(Message):
    """The import worker is done: its summary, or the sentence saying why nothing was kept."""

    def __init__(self, summary: ImportSummary | None, problem: str | None) -> None:
        super().__init__()
        self.summary = summary
        self.problem = problem


class ImportScreen(StoppableTask):
    """Choose an export and import it."""

    STOPPING = N_("Stopping… nothing from this import will be kept.")

    def __init__(self, start: Path | None = None) -> None:
        super().__init__(start)
        self.options = ImportOptions()

    def compose(self) -> ComposeResult:
        with Horizontal(classes="panes"):
            yield SafeDirectoryTree(str(self.start), id="picker")
            with Form(classes="form"):
                yield SafeLabel(_("Import a chat or mail export"), classes="screen-title")
                yield SafeLabel(_("What kind of export"))
                yield Select(kinds(), value="telegram", allow_blank=False, id="kind")
                yield SafeLabel(
                    _("The export: a .zip, a folder, or one file (pick it on the left)")
                )
                yield Input(id="path")
                yield SafeLabel(
                    _(
                        "Time zone of the phone or computer that made the export "
                        "(WhatsApp and old Telegram exports need it; e.g. Asia/Baku)"
                    )
                )
                yield Input(id="zone")
                yield SafeLabel(_("WhatsApp only, if asked: how dates are written"))
                yield Select(date_order_choices(), prompt=_("Let the file tell"), id="date-order")
                yield SafeLabel(
                    _(
                        "Facebook / Instagram only: senders' profile links, one per line as "
                        "Name = https://… (the export gives names only)"
                    )
                )
                yield TextArea(id="profiles")
                yield SafeLabel(_("Case (optional; created if new)"))
                yield Input(id="case")
                yield SafeLabel(_("Tags (comma separated)"))
                yield Input(id="tags")
                yield SafeLabel(
                    _(
                        "Pictures and videos from a leak may be intimate, so they stay hidden "
                        "until you choose to see each one."
                    )
                )
                yield TickBox(_("Show them without asking"), id="show-media")
                with Horizontal(classes="buttons"):
                    yield Button(_("Import"), id="import", variant="primary")
                    yield Button(_("Back"), id="back")
        yield ProgressBar(id="progress", show_eta=False)  # below the form: always in view
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    def on_directory_tree_directory_selected(self, event: DirectoryTree.DirectorySelected) -> None:
        self.query_one("#path", Input).value = str(event.path)

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def _start(self) -> None:
        raw_path = self._value("path")
        if not raw_path:
            self.status(_("Choose the export first (type its path or pick it on the left)."))
            return
        path = Path(raw_path).expanduser()
        if not path.exists():
            self.status(_("There is nothing at {path}. Check the path.").format(path=path))
            return
        order = self.query_one("#date-order", Select).value
        kind = str(self.query_one("#kind", Select).value)
        try:
            options = ImportOptions(
                timezone=self._value("zone") or None,
                date_order=order if isinstance(order, str) else None,
                case=self._value("case") or None,
                tags=parse_tags(self._value("tags")),
                sensitive_media=not self.query_one("#show-media", Checkbox).value,
                profile_urls=parse_profile_links(self.query_one("#profiles", TextArea).text),
            )
            options.validate(kind)  # the vault's rules, the same the command line follows
        except EvaultError as exc:
            self.status(exc.message)
            return
        self.begin()
        self.query_one("#import", Button).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.status(_("Reading the export…"))
        self.options = options  # the summary says which zone the times were read in
        self._import(kind, path, options)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, kind: str, path: Path, options: ImportOptions) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            summary = vault.import_export(
                kind,
                path,
                options,
                progress=ProgressPoster(self).stage,
                cancel=self.cancel_event,
            )
        except EvaultError as exc:  # Cancelled too: its sentence says nothing was kept
            self.post_message(ImportEnded(None, exc.message))
            return
        self.post_message(ImportEnded(summary, None))

    def on_progress(self, message: Progress) -> None:
        if not self.running:
            return
        bar = self.query_one("#progress", ProgressBar)
        if message.stage == "storing":
            bar.update(total=message.total, progress=message.done)
            self.status(
                _("Keeping the export unchanged as evidence… {size}").format(
                    size=human_size(message.done)
                )
            )
        else:
            bar.update(total=None)
            self.status(_("Reading messages… {n}").format(n=f"{message.done:,}"))

    def on_import_ended(self, message: ImportEnded) -> None:
        summary, problem = message.summary, message.problem
        self.end()
        if not self.is_attached:
            return
        self.query_one("#import", Button).disabled = False
        self.query_one("#progress", ProgressBar).display = False
        self.summary = summary
        self.status(
            import_summary(summary, self.options, more=_("see 'evault imports --json'"))
            if summary is not None
            else (problem or "")
        )


class ChatsRead(Message):
    """The imported chats (or why they could not be read)."""

    def __init__(self, chats: list[Chat], problem: str | None = None) -> None:
        super().__init__()
        self.chats = chats
        self.problem = problem


class LinesRead(Message):
    """One page of a chat's messages, starting at ``offset``."""

    def __init__(self, lines: list[ChatLine], offset: int) -> None:
        super().__init__()
        self.lines = lines
        self.offset = offset


class ChatsScreen(VaultAccess, Screen[None]):
    """Every imported conversation; Enter shows its messages."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("enter", "open", N_("Open"), show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(_("Imported chats"), classes="screen-title")
            table: DataTable[str] = DataTable(id="chats", cursor_type="row", zebra_stripes=True)
            yield table
            yield SafeLabel("", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#chats", DataTable)
        for label in CHAT_COLUMNS:
            table.add_column(_(label))
        self.chats: dict[str, Chat] = {}
        self.query_one("#summary", Label).update(_("Reading the chats…"))
        self._read_chats()
        table.focus()

    @work(thread=True, exclusive=True, group="chats")
    def _read_chats(self) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            self.post_message(ChatsRead(vault.chats()))
        except EvaultError as exc:
            self.post_message(ChatsRead([], exc.message))

    def on_chats_read(self, message: ChatsRead) -> None:
        if message.problem is not None:
            self.query_one("#summary", Label).update(message.problem)
            return
        table = self.query_one("#chats", DataTable)
        for index, chat in enumerate(message.chats):
            key = str(index)
            self.chats[key] = chat
            table.add_row(
                *map(
                    plain,
                    (
                        chat.title[:30],
                        chat.platform,
                        str(chat.messages),
                        (chat.first or "")[:10],
                        (chat.last or "")[:10],
                    ),
                ),
                key=key,
            )
        count = len(self.chats)
        self.query_one("#summary", Label).update(
            ngettext(
                "{n} chat · Enter shows the messages", "{n} chats · Enter shows the messages", count
            ).format(n=count)
            if count
            else _("No imported chats yet. Press Escape, then i to import an export.")
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        chat = self.chats.get(str(event.row_key.value))
        if chat is not None:
            self.app.push_screen(ChatScreen(chat))

    def action_open(self) -> None:
        table = self.query_one("#chats", DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            chat = self.chats.get(str(row_key.value))
            if chat is not None:
                self.app.push_screen(ChatScreen(chat))

    def action_back(self) -> None:
        self.dismiss(None)


class ChatScreen(VaultAccess, Screen[None]):
    """One chat in time order: when, who, what (titles only; Enter opens a message)."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]

    def __init__(self, chat: Chat) -> None:
        super().__init__()
        self.chat = chat
        self.loaded = 0
        self.exhausted = False
        self.fetching = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield SafeLabel(
                f"{self.chat.title} ({self.chat.platform})", classes="screen-title", markup=False
            )
            table: DataTable[str] = DataTable(id="lines", cursor_type="row", zebra_stripes=True)
            yield table
            count = self.chat.messages
            yield SafeLabel(
                ngettext(
                    "{n} message · times in UTC · ATT: has files · MISS: files not in the export",
                    "{n} messages · times in UTC · ATT: has files · MISS: files not in the export",
                    count,
                ).format(n=count),
                id="summary",
            )
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#lines", DataTable)
        for label in LINE_COLUMNS:
            table.add_column(_(label))
        self._load_more()
        table.focus()

    def _load_more(self) -> None:
        if self.fetching:
            return
        self.fetching = True
        self._read_lines(self.loaded)

    @work(thread=True, group="chat-lines")
    def _read_lines(self, offset: int) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            lines = vault.chat_lines(self.chat.platform, self.chat.key, offset=offset, limit=PAGE)
        except EvaultError as exc:
            self.app.post_message(ShowError(exc.message))
            return
        self.post_message(LinesRead(lines, offset))

    def on_lines_read(self, message: LinesRead) -> None:
        self.fetching = False
        if message.offset != self.loaded:
            return  # a page already shown
        lines = message.lines
        table = self.query_one("#lines", DataTable)
        for line in lines:
            marks = []
            if line.attachments:
                # TRANSLATORS: a chat line's marks (ATT: has files, MISS: files not in the
                # export, SENS: sensitive), as short as possible, as the summary line names them.
                marks.append(_("ATT {n}").format(n=line.attachments))
            if line.missing_media:
                marks.append(_("MISS"))
            if line.sensitive:
                marks.append(_("SENS"))
            # A sensitive message's title is made from its text: neutral (its sender shows).
            title = shown_title(line, details=False)
            title = title if line.kind != "service" else f"({title})"
            table.add_row(
                *map(
                    plain,
                    (
                        readable_time(line.time_utc)[:16]
                        if line.time_utc
                        else line.time_raw[:16] or _("unknown"),  # e.g. an e-mail with no Date
                        line.sender_name[:18],
                        title[:60],
                        " ".join(marks),
                    ),
                ),
                key=line.item_id,
            )
        self.loaded += len(lines)
        self.exhausted = len(lines) < PAGE

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - 40 and not self.exhausted:
            self._load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from tui.screens.item import ItemScreen  # noqa: PLC0415

        if event.row_key.value is not None:
            self.app.push_screen(ItemScreen(str(event.row_key.value)))

    def action_back(self) -> None:
        self.dismiss(None)
