"""Adding evidence: files (several at once, with a progress bar and Cancel) and typed messages.

Files are added in a worker thread that posts its progress and its end as messages; the progress
bar follows the bytes and Escape (or locking) stops at the next chunk, leaving nothing half-added.
Duplicates are reported, not stored twice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    Checkbox,
    DirectoryTree,
    Footer,
    Input,
    ProgressBar,
    Static,
    TextArea,
)

from tui.messages import Progress, ProgressPoster
from tui.screens.base import Form, StatusLine, StoppableTask, VaultAccess
from tui.widgets.safe import SafeDirectoryTree, SafeLabel
from tui.widgets.tickbox import TickBox
from vault import (
    N_,
    AddResult,
    Cancelled,
    EvaultError,
    MessageFields,
    Metadata,
    VaultLocked,
    _,
    ngettext,
    parse_tags,
    pgettext,
)

if TYPE_CHECKING:
    from vault import Vault


def _metadata_inputs(prefix: str) -> ComposeResult:
    yield SafeLabel(_("Title (optional)"))
    yield Input(id=f"{prefix}-title")
    yield SafeLabel(_("Platform (Telegram, Facebook, WhatsApp, e-mail…)"))
    yield Input(id=f"{prefix}-platform")
    yield SafeLabel(_("Sender (handle or name)"))
    yield Input(id=f"{prefix}-sender")
    yield SafeLabel(_("Sender id or phone number (if known)"))
    yield Input(id=f"{prefix}-sender-id")
    yield SafeLabel(_("Link where it was seen (optional)"))
    yield Input(id=f"{prefix}-url")
    yield SafeLabel(_("Case (optional; created if new)"))
    yield Input(id=f"{prefix}-case")
    yield SafeLabel(_("Tags (comma separated)"))
    yield Input(id=f"{prefix}-tags")
    yield SafeLabel(_("Sensitive or intimate? Then nothing of it is shown until you ask."))
    yield TickBox(_("Sensitive or intimate"), id=f"{prefix}-sensitive")


class _AllFiles:
    """The progress of one ``add_files`` call over many files, for one bar: the vault reports
    each file's own bytes (``done`` of that file's ``size``), and a file is over once its
    ``done`` reached its size (or the next report starts lower)."""

    def __init__(self, poster: ProgressPoster, total: int) -> None:
        self.poster = poster
        self.total = total
        self.before = 0  # bytes of the files already over
        self.done = 0
        self.size: int | None = None

    def __call__(self, done: int, size: int | None) -> None:
        if self.size is not None and (done < self.done or self.done >= self.size):
            self.before += self.done
        self.done, self.size = done, size
        self.poster(min(self.before + done, self.total), self.total)


class _Form(VaultAccess, Screen[None]):
    prefix = "form"
    AUTO_FOCUS = ""  # VaultAccess.FIRST instead, also after each success (see ``clear``)

    def value(self, name: str) -> str:
        return self.query_one(f"#{self.prefix}-{name}", Input).value.strip()

    def metadata(self, occurred: str | None = None, zone: str | None = None) -> Metadata:
        return Metadata(
            title=self.value("title"),
            platform=self.value("platform"),
            sender_handle=self.value("sender"),
            sender_id=self.value("sender-id"),
            source_url=self.value("url"),
            case=self.value("case") or None,
            tags=self.tags(),
            sensitive=self.query_one(f"#{self.prefix}-sensitive", Checkbox).value,
            occurred=occurred,
            occurred_tz=zone,
        )

    def tags(self) -> tuple[str, ...]:
        return parse_tags(self.value("tags"))

    def status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def clear(self) -> None:
        """After a success: an empty form, so nothing typed for one item lands on the next, and
        the focus back on the first field (the status line says what was added)."""
        for field in self.query(Input):
            field.value = ""
        for area in self.query(TextArea):
            area.text = ""
        for box in self.query(Checkbox):
            box.value = False
        self.focus_first()


STOPPED = N_(
    "Stopped. The files added before stopping are in the vault; nothing half-added was kept."
)


class FilesAdded(Message):
    """The add worker is done: what was added (or found already there), and any problem."""

    def __init__(self, results: list[AddResult], problem: str | None) -> None:
        super().__init__()
        self.results = results
        self.problem = problem


class PathPicker(SafeDirectoryTree):
    """The file picker of Add files, which opens with the focus. It takes no letters, so a path
    typed at once would vanish: each printable key it receives goes to the Files box instead. It
    is handled here, where the key arrived, not by asking the screen what has the focus: letters
    already on their way to the picker when the focus moves must not be lost.

    Enter is the picker's own key (it opens a folder or adds a file), except in such a burst of
    typing: an Enter that follows letters passed on ends the typed line, as it would have in the
    Files box (else two typed paths were glued into one). Focusing the picker again ends the
    burst."""

    _typing = False

    def on_focus(self, _event: events.Focus) -> None:
        self._typing = False

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter" and self._typing:
            character = "\n"
        elif event.is_printable and event.character and event.character != " ":
            character = event.character
        else:
            return  # arrows, Enter and Space are the picker's own keys
        event.stop()
        event.prevent_default()
        self._typing = True
        screen = self.screen
        if isinstance(screen, AddFilesScreen):
            screen.take_typed(character)


class AddFilesScreen(StoppableTask, _Form):
    """Choose files (typed paths or the file picker), describe them, add them."""

    prefix = "add"
    FIRST = "#picker"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="panes"):
            yield PathPicker(str(self.start), id="picker")
            with Form(classes="form"):
                yield SafeLabel(_("Add files as evidence"), classes="screen-title")
                yield SafeLabel(_("Files (one path per line; Enter in the picker adds a file)"))
                yield TextArea(id="paths")
                yield SafeLabel(
                    _("When it happened: date and time, e.g. 2026-03-09 21:14 (or leave empty)")
                )
                yield Input(id="add-occurred")
                yield SafeLabel(_("Time zone where it happened, e.g. Asia/Baku (empty: not known)"))
                yield Input(id="add-zone")
                yield from _metadata_inputs(self.prefix)
                with Horizontal(classes="buttons"):
                    yield Button(pgettext("button", "Add"), id="add", variant="primary")
                    yield Button(_("Back"), id="back")
        yield ProgressBar(id="progress", show_eta=False)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False  # shown once adding starts

    def take_typed(self, character: str) -> None:
        """A letter the picker received (see :class:`PathPicker`): into the Files box, which
        takes the focus at once, so the letters after it go there directly."""
        area = self.query_one("#paths", TextArea)
        area.insert(character)
        self.app.set_focus(area)

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        area = self.query_one("#paths", TextArea)
        lines = [ln for ln in area.text.splitlines() if ln.strip()]
        if str(event.path) not in lines:
            lines.append(str(event.path))
        area.text = "\n".join(lines)

    def _start(self) -> None:
        paths = [
            Path(ln.strip()).expanduser()
            for ln in self.query_one("#paths", TextArea).text.splitlines()
            if ln.strip()
        ]
        if not paths:
            self.status(_("Choose at least one file (type its path or pick it on the left)."))
            return
        missing = [p for p in paths if not p.is_file()]
        if missing:
            self.status(
                _("{path} is not a file that can be read. Nothing was added.").format(
                    path=missing[0]
                )
            )
            return
        occurred = self.value("occurred") or None
        zone = self.value("zone") or None
        self.begin()
        self.query_one("#add", Button).disabled = True
        self.query_one("#progress", ProgressBar).display = True
        total = sum(p.stat().st_size for p in paths)
        self.query_one("#progress", ProgressBar).update(total=total, progress=0)
        self._add(paths, self.metadata(occurred, zone), total)

    @work(thread=True, exclusive=True, group="add")
    def _add(self, paths: list[Path], meta: Metadata, total: int) -> None:
        vault = self.evault.vault
        progress = _AllFiles(ProgressPoster(self), total)  # the bar's total: one look at the files
        results: list[AddResult] = []
        try:
            if vault is None:
                raise VaultLocked()
            # One call for all the files: they are prepared and written in batches (issue 18);
            # each file is reported once its group is committed, so a stop keeps those.
            vault.add_files(
                paths, meta, progress=progress, cancel=self.cancel_event, on_result=results.append
            )
        except Cancelled:
            self.post_message(FilesAdded(results, _(STOPPED)))
            return
        except OSError:
            self.post_message(FilesAdded(results, _("A file could not be read. Check the disk.")))
            return
        except EvaultError as exc:
            self.post_message(FilesAdded(results, exc.message))
            return
        self.post_message(FilesAdded(results, None))

    def on_progress(self, message: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(progress=message.done)

    def on_files_added(self, message: FilesAdded) -> None:
        self.end()
        results, problem = message.results, message.problem
        self.query_one("#add", Button).disabled = False
        added = sum(1 for r in results if not r.duplicate)
        duplicates = [r for r in results if r.duplicate]
        parts = [ngettext("Added {n} file.", "Added {n} files.", added).format(n=added)]
        if duplicates:
            names = ", ".join(Path(r.source).name for r in duplicates[:5])
            parts.append(
                ngettext(
                    "{n} already in the vault (same content), not stored again: {names}",
                    "{n} already in the vault (same content), not stored again: {names}",
                    len(duplicates),
                ).format(n=len(duplicates), names=names)
                + ("…" if len(duplicates) > 5 else ".")
            )
        if problem:
            parts.append(problem)
        else:
            self.query_one("#progress", ProgressBar).display = False
            self.clear()  # the files are in the vault: the form is ready for the next ones
            parts.append(_("Pick more files, or press Escape to go back to the list."))
        self.status(" ".join(parts))


class _TextForm(_Form):
    """A form around one typed or pasted text (a message, a note): Add, Back, a status line."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.dismiss(None)
            return
        area = self.query_one(f"#{self.prefix}-text", TextArea)
        button = self.query_one("#add", Button)
        button.disabled = True  # one text, stored once

        def done(answer: tuple[str, bool]) -> None:
            said, added = answer
            button.disabled = False
            if added:  # stored: an empty form for the next one, the words say what happened
                self.clear()
            self.status(said)

        def failed(sentence: str) -> None:
            button.disabled = False
            self.status(sentence)

        self.ask(self.submit(area.text), done, failed)

    def submit(self, text: str) -> Callable[[Vault], tuple[str, bool]]:
        """What the form says, read now; the returned call stores ``text`` in a worker and says
        what to tell the defender and whether it was added."""
        raise NotImplementedError


class MessageScreen(_TextForm):
    """Type or paste a threat message with where, when and who."""

    prefix = "msg"
    FIRST = "#msg-text"

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Add a threat message"), classes="screen-title")
            yield SafeLabel(_("The message, exactly as received (paste it)"))
            yield TextArea(id="msg-text")
            yield SafeLabel(_("When it was sent: date and time, e.g. 2026-03-09 21:14"))
            yield Input(id="msg-sent")
            yield SafeLabel(_("Time zone where it was sent, e.g. Asia/Baku (empty: not known)"))
            yield Input(id="msg-zone")
            yield SafeLabel(_("Who received it"))
            yield Input(id="msg-recipient")
            yield from _metadata_inputs(self.prefix)
            with Horizontal(classes="buttons"):
                yield Button(_("Add message"), id="add", variant="primary")
                yield Button(_("Back"), id="back")
        yield StatusLine()
        yield Footer()

    def submit(self, text: str) -> Callable[[Vault], tuple[str, bool]]:
        fields = MessageFields(
            recipient=self.value("recipient"),
            sent=self.value("sent") or None,
            sent_tz=self.value("zone") or None,
        )
        meta = self.metadata()

        def store(vault: Vault) -> tuple[str, bool]:
            result = vault.add_message(text, meta, fields)
            if result.duplicate:
                return (
                    _("This message is already in the vault (same text, sender and time)."),
                    False,
                )
            return (
                _("Message added. Paste the next one, or press Escape to go back to the list."),
                True,
            )

        return store


class NoteScreen(_TextForm):
    """A defender's own note: what happened, in their words (kept like any other evidence)."""

    prefix = "note"
    FIRST = "#note-text"

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Write a note"), classes="screen-title")
            yield SafeLabel(_("What happened, in your own words"))
            yield TextArea(id="note-text")
            yield SafeLabel(_("Title (optional)"))
            yield Input(id="note-title")
            yield SafeLabel(_("Case (optional; created if new)"))
            yield Input(id="note-case")
            yield SafeLabel(_("Tags (comma separated)"))
            yield Input(id="note-tags")
            yield TickBox(_("Sensitive (never shown without asking)"), id="note-sensitive")
            with Horizontal(classes="buttons"):
                yield Button(_("Add note"), id="add", variant="primary")
                yield Button(_("Back"), id="back")
        yield StatusLine()
        yield Footer()

    def submit(self, text: str) -> Callable[[Vault], tuple[str, bool]]:
        meta = Metadata(
            title=self.value("title"),
            case=self.value("case") or None,
            tags=self.tags(),
            sensitive=self.query_one("#note-sensitive", Checkbox).value,
        )

        def store(vault: Vault) -> tuple[str, bool]:
            vault.add_note(text, meta)
            return _("Note added. Write another, or press Escape to go back to the list."), True

        return store
