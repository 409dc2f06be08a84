"""The evidence list: a table of items with live search, filters and sorting.

Rows are loaded a page at a time (``Vault.item_page``) and more are fetched as the cursor nears the
end, so a 50,000-item vault opens and scrolls without loading everything. Typing in the search box
reloads after a short pause, never once per keystroke.
"""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from tui.messages import ShowError
from tui.render import kind_word
from tui.screens.base import VaultAccess
from tui.screens.evidence_pages import ChoicesFetched, PageFetched, TotalFetched
from tui.screens.wipe import wipe_binding
from tui.terminal_text import terminal_text
from tui.widgets.plain import plain
from tui.widgets.safe import SafeLabel, SafeStatic
from vault import N_, EvaultError, Filters, ItemRow, _, ngettext, shown_title

PAGE = 200
# Read first and shown at once: more rows than a terminal shows (issue 18 measures a search's
# first 50: 0.9 ms for a common word at 100,000 messages; the whole first 200 took 5.3 ms).
FIRST_ROWS = 50
PREFETCH_MARGIN = 120  # start fetching the next page this many rows before the end
APPEND_STEP = 25  # rows added to the table per frame
SEARCH_DELAY = 0.25
SEARCH_HINT = N_("Type words to search · Enter: go to the results")
NOTHING_YET = N_(
    "Nothing here yet. Press a to add files (screenshots, photos, recordings), m to write down "
    "a threat message, n for a note, or i to bring in a chat export. F1 lists every key."
)
NOTHING_MATCHES = N_(
    "Nothing matches. Esc clears the search words; the menus above set the filters."
)
SORT_ORDER = ("captured", "occurred", "platform", "title", "kind", "case")
# Most telling first: at 80 columns the sensitive mark, when and what are always visible.
# TRANSLATORS: the list's column headings are short: at 80 columns "Title" gets most of the room.
COLUMNS = (
    N_("Sens."),
    N_("Happened"),
    N_("Title"),
    N_("Platform"),
    N_("Kind"),
    N_("Case"),
    N_("Added"),
)
COLUMN_KEYS = ("sensitive", "occurred", "title", "platform", "kind", "case", "captured")
# How the list is sorted, in words short enough for the summary line at 80 columns
# ("sorted by …"): (descending, ascending).
SORT_WORDS = {
    "captured": (N_("newest added"), N_("oldest added")),
    "occurred": (N_("latest happened"), N_("earliest happened")),
    "platform": (N_("platform, Z to A"), N_("platform, A to Z")),
    "title": (N_("title, Z to A"), N_("title, A to Z")),
    "kind": (N_("kind, Z to A"), N_("kind, A to Z")),
    "case": (N_("case, Z to A"), N_("case, A to Z")),
}


def _short_time(value: str | None) -> str:
    return (value or _("unknown"))[:16].replace("T", " ")


class EvidenceScreen(VaultAccess, Screen[None]):
    BINDINGS = [
        # Priority: handled the moment the app reads the key, before the keys typed after it, so
        # a fast "/word" all lands in the search box (an Input takes its own "/" as a letter).
        Binding("slash", "focus_search", N_("Search"), priority=True),
        Binding("escape", "escape", N_("Leave or clear the search"), show=False),
        Binding("a", "add_files", N_("Add")),
        Binding("m", "add_message", N_("Message")),
        Binding("n", "add_note", N_("Add note"), show=False),
        Binding("i", "import_export", N_("Import an export"), show=False),
        Binding("t", "chats", N_("Imported chats"), show=False),
        Binding("enter", "open_item", N_("Open"), show=False),
        Binding("o", "cycle_sort", N_("Sort"), show=False),
        Binding("r", "reverse_sort", N_("Reverse"), show=False),
        Binding("x", "export", N_("Export")),
        Binding("v", "verify", N_("Verify bundle"), show=False),
        # Not in the footer (full at 80 columns in Azerbaijani and Russian): F1 lists it.
        Binding("p", "proof_of_time", N_("Proof of time"), show=False),
        Binding("c", "cases", N_("Cases")),
        Binding("s", "settings", N_("Settings")),
        wipe_binding(show=False),
    ]
    # Focused as the screen is built, never later: a focus arriving after the first keys would
    # turn the rest of a fast-typed search into shortcuts.
    AUTO_FOCUS = "#items"

    def __init__(self) -> None:
        super().__init__()
        self.sort = "captured"
        self.descending = True
        self.filters = Filters()
        self.loaded = 0
        self.total = 0
        self._search_timer: Timer | None = None
        self.generation = 0
        self.fetching = False
        self._keep: tuple[str | None, int] | None = None  # where the cursor goes back to

    def compose(self) -> ComposeResult:
        yield Input(placeholder=_("/ search words (Azerbaijani, Russian, English)"), id="search")
        with Horizontal(id="filters"):
            # The menu's name first: cut short (the F1 list open) it still says which it is.
            yield Select([], prompt=_("Case: any"), id="filter-case")
            yield Select([], prompt=_("Tag: any"), id="filter-tag")
            yield Select([], prompt=_("Platform: any"), id="filter-platform")
            yield Select([], prompt=_("Kind: any"), id="filter-kind")
        yield SafeStatic("", id="empty-hint", markup=False)
        table: DataTable[str] = DataTable(id="items", cursor_type="row", zebra_stripes=True)
        yield table
        yield SafeLabel("", id="summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#items", DataTable)
        for label, key in zip(COLUMNS, COLUMN_KEYS, strict=True):
            table.add_column(_(label), key=key)
        self.query_one("#empty-hint").display = False
        self.reload(choices=True)

    # ------------------------------------------------------------------ data

    def reload(self, *, choices: bool = False, keep: bool = False) -> None:
        """Start again from the first page (after a search, filter or sort change); ``choices``
        also re-reads the filter menus (after something was added, edited or deleted); ``keep``
        puts the cursor back on the item it was on (or the row it was at, if that item went)."""
        table = self.query_one("#items", DataTable)
        self._keep = None
        if keep and table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self._keep = (row_key, table.cursor_row)
        table.clear()
        self.generation += 1  # pages still being fetched for the old list are dropped
        self.fetching = True
        self.loaded = 0
        self.query_one("#summary", Label).update("Reading the list…")
        self._fetch(self.generation, self.filters, self.sort, self.descending, 0, choices=choices)

    def _load_more(self) -> None:
        """Fetch the next page in a worker, well before the cursor reaches the end."""
        if self.fetching:
            return
        self.fetching = True
        self._fetch(self.generation, self.filters, self.sort, self.descending, self.loaded)

    @work(thread=True, group="page")
    def _fetch(
        self,
        generation: int,
        filters: Filters,
        sort: str,
        descending: bool,
        offset: int,
        *,
        choices: bool = False,
    ) -> None:
        vault = self.evault.vault
        if vault is None:
            return
        try:
            if offset == 0:
                # The first rows are shown before the rest of the page is read and before the
                # items are counted: counting every hit of a common word costs more than reading
                # the rows, and a live search runs per keystroke (issue 18). A list that ends
                # within the page is its own exact count.
                first = min(FIRST_ROWS, PAGE)
                rows = vault.item_page(
                    filters, sort=sort, descending=descending, offset=0, limit=first
                )
                if len(rows) < first:
                    self.post_message(PageFetched(rows, generation, len(rows), first=True))
                else:
                    self.post_message(PageFetched(rows, generation, first=True))
                    rest = (
                        vault.item_page(
                            filters,
                            sort=sort,
                            descending=descending,
                            offset=first,
                            limit=PAGE - first,
                        )
                        if first < PAGE
                        else []
                    )
                    self.post_message(PageFetched(rest, generation))
                    shown = first + len(rest)
                    total = vault.count_items(filters) if shown == PAGE else shown
                    self.post_message(TotalFetched(total, generation))
            else:
                rows = vault.item_page(
                    filters, sort=sort, descending=descending, offset=offset, limit=PAGE
                )
                self.post_message(PageFetched(rows, generation))  # the list first...
            if choices:  # ...then the menus, which take longer on a large vault
                self.post_message(ChoicesFetched(vault.filter_choices()))
        except EvaultError as exc:
            self.app.post_message(ShowError(exc.message))

    def on_choices_fetched(self, message: ChoicesFetched) -> None:
        for name in ("case", "tag", "platform", "kind"):
            select: Select[str] = self.query_one(f"#filter-{name}", Select)
            choices = message.choices[name]
            words = [kind_word(v) if name == "kind" else v for v in choices]  # a kind: our word
            select.set_options([(terminal_text(w), v) for w, v in zip(words, choices, strict=True)])

    def on_page_fetched(self, message: PageFetched) -> None:
        if message.generation != self.generation:
            return
        if not message.first:
            self._append_in_steps(message.rows, message.generation)
            return
        self._append(message.rows, message.generation)  # the first rows: shown at once
        if message.total is None:  # the rest of the page, then the count, follow
            self.total = len(message.rows)
            self._show_empty_hint()
            return
        self.total = message.total  # exact: the whole list is these rows
        self.fetching = False
        self._put_cursor_back()
        self._update_summary()

    def on_total_fetched(self, message: TotalFetched) -> None:
        if message.generation != self.generation:
            return
        self.total = message.total
        self._update_summary()

    def _put_cursor_back(self) -> None:
        """After coming back from an item, the cursor is where the defender left it."""
        keep, self._keep = self._keep, None
        table = self.query_one("#items", DataTable)
        if keep is None or not table.row_count:
            return
        key, row = keep
        if key is not None and key in table.rows:
            row = table.get_row_index(key)
        table.move_cursor(row=min(row, table.row_count - 1), scroll=True)

    def _append_in_steps(self, rows: list[ItemRow], generation: int) -> None:
        """Add a fetched page a slice per frame, so no key waits for 200 rows at once."""
        if generation != self.generation or not self.is_attached:
            return
        self._append(rows[:APPEND_STEP], generation)
        if rows[APPEND_STEP:]:
            self.call_after_refresh(self._append_in_steps, rows[APPEND_STEP:], generation)
        else:
            self.fetching = False
            self._put_cursor_back()  # back from an item: once the rows it was on are there

    def _append(self, rows: list[ItemRow], generation: int) -> None:
        if generation != self.generation:
            return
        table = self.query_one("#items", DataTable)
        for row in rows:
            table.add_row(*map(plain, self._cells(row)), key=row.id)
        self.loaded += len(rows)

    @staticmethod
    def _cells(row: ItemRow) -> tuple[str, ...]:
        occurred = _short_time(row.occurred_at) if row.occurred_at else _("unknown")
        return (
            # TRANSLATORS: the sensitive mark in the list, at most 5 letters.
            _("SENS") if row.sensitive else "",
            occurred,
            shown_title(row, details=False)[:40],  # neutral while sensitive
            row.platform[:12],
            kind_word(row.kind),
            (row.case or "")[:20],
            row.captured_at[:10],
        )

    def _update_summary(self) -> None:
        self._show_empty_hint()
        sort = _(SORT_WORDS[self.sort][0 if self.descending else 1])
        minutes = max(1, round(self.evault.auto_lock_seconds / 60))
        self.query_one("#summary", Label).update(
            ngettext(
                "{n} item · sorted by {sort} · F1 keys · locks after {minutes} min idle",
                "{n} items · sorted by {sort} · F1 keys · locks after {minutes} min idle",
                self.total,
            ).format(n=self.total, sort=sort, minutes=minutes)
        )

    def _show_empty_hint(self) -> None:
        """An empty list says what to do first; an empty search says how to leave it."""
        hint = self.query_one("#empty-hint", Static)
        searching = self.filters != Filters()
        if self.total:
            hint.display = False
            return
        hint.update(_(NOTHING_MATCHES) if searching else _(NOTHING_YET))
        hint.display = True

    # ------------------------------------------------------------------ events

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "search":  # say so in words: a focus colour alone is easy to miss
            self.query_one("#summary", Label).update(_(SEARCH_HINT))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget.id == "search" and not self.fetching:
            self._update_summary()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - PREFETCH_MARGIN and self.loaded < self.total:
            self._load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self._open(str(event.row_key.value))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        query = event.value
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._apply_search(query))

    def _apply_search(self, query: str) -> None:
        self.filters = Filters(
            query=query,
            case=self.filters.case,
            tag=self.filters.tag,
            platform=self.filters.platform,
            kind=self.filters.kind,
        )
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self._leave_search()

    def _leave_search(self) -> None:
        """Apply what was typed at once and go to the results."""
        if self._search_timer is not None:
            self._search_timer.stop()
        search = self.query_one("#search", Input)
        if search.value != self.filters.query:
            self._apply_search(search.value)
        self.query_one("#items", DataTable).focus()

    def action_escape(self) -> None:
        """Esc in the search box goes to the list, keeping the search; Esc on the list clears
        the search words, showing everything again. Nothing else is lost either way."""
        search = self.query_one("#search", Input)
        if self.focused is search:
            self._leave_search()
        elif search.value or self.filters.query:
            if self._search_timer is not None:
                self._search_timer.stop()
            search.value = ""
            self._apply_search("")

    def on_select_changed(self, event: Select.Changed) -> None:
        value = event.value if isinstance(event.value, str) else None
        name = (event.select.id or "").removeprefix("filter-")
        current = {
            "query": self.filters.query,
            "case": self.filters.case,
            "tag": self.filters.tag,
            "platform": self.filters.platform,
            "kind": self.filters.kind,
        }
        if name in current:
            current[name] = value
            self.filters = Filters(**current)  # type: ignore[arg-type]
            self.reload()

    # ------------------------------------------------------------------ actions

    def action_focus_search(self) -> None:
        # At once, not after a refresh (``Widget.focus``): the keys typed right after the "/",
        # however fast, go to the search box, never to the list's one-letter shortcuts.
        self.set_focus(self.query_one("#search", Input))

    def take_paste(self, text: str) -> bool:
        """Text pasted while the list has the focus is a search (a leading "/" is the search
        key), never a string of shortcuts. Called by the app as it reads the paste, so the
        search box has the focus before the next key is read; False: the search box has it."""
        search = self.query_one("#search", Input)
        if self.focused is search:
            return False  # the box takes the paste itself
        self.set_focus(search)
        # Queued behind the focus (which selects the old words, as "/" does): the paste replaces
        # them, and keys typed after it follow it.
        search.post_message(events.Paste(text.lstrip().removeprefix("/")))
        return True

    def action_open_item(self) -> None:
        table = self.query_one("#items", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self._open(str(key))

    def _open(self, item_id: str) -> None:
        from tui.screens.item import ItemScreen  # noqa: PLC0415

        self.app.push_screen(ItemScreen(item_id), lambda _closed: self.after_change())

    def after_change(self) -> None:
        """Something may have changed (added, edited, deleted): refresh what is shown, with the
        cursor where it was."""
        if self.evault.vault is None:
            return
        self.reload(choices=True, keep=True)

    def action_cycle_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_add_files(self) -> None:
        from tui.screens.add import AddFilesScreen  # noqa: PLC0415

        self.app.push_screen(AddFilesScreen(), lambda _closed: self.after_change())

    def action_add_message(self) -> None:
        from tui.screens.add import MessageScreen  # noqa: PLC0415

        self.app.push_screen(MessageScreen(), lambda _closed: self.after_change())

    def action_add_note(self) -> None:
        from tui.screens.add import NoteScreen  # noqa: PLC0415

        self.app.push_screen(NoteScreen(), lambda _closed: self.after_change())

    def action_import_export(self) -> None:
        from tui.screens.imports import ImportScreen  # noqa: PLC0415

        self.app.push_screen(ImportScreen(), lambda _closed: self.after_change())

    def action_chats(self) -> None:
        from tui.screens.imports import ChatsScreen  # noqa: PLC0415

        self.app.push_screen(ChatsScreen())

    def action_export(self) -> None:
        from tui.screens.bundles import ExportScreen  # noqa: PLC0415

        self.app.push_screen(ExportScreen(), lambda _closed: self.after_change())

    def action_verify(self) -> None:
        from tui.screens.bundles import VerifyScreen  # noqa: PLC0415

        self.app.push_screen(VerifyScreen())

    def action_proof_of_time(self) -> None:
        from tui.screens.proof import ProofOfTimeScreen  # noqa: PLC0415

        self.app.push_screen(ProofOfTimeScreen())

    def action_cases(self) -> None:
        from tui.screens.cases import CasesScreen  # noqa: PLC0415

        self.app.push_screen(CasesScreen(), lambda _closed: self.after_change())

    def action_settings(self) -> None:
        from tui.screens.settings import SettingsScreen  # noqa: PLC0415

        self.app.push_screen(SettingsScreen())
