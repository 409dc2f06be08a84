"""Widgets that never let a control character reach the terminal.

Textual writes a widget's text to the terminal as it is: an evidence title holding OSC 52 or
``ESC[2J`` would be obeyed by the terminal (tried: the clipboard was written). Every text widget of
the app is one of these, so whatever a screen shows (titles, names, chat titles, a revealed
message, an error that quotes a file name) goes through :func:`tui.terminal_text.terminal_text`
first. Newlines are kept: these widgets show paragraphs; one-line values are made one-line where
they are put together (``render.format_rows``, :func:`tui.widgets.plain.plain`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import DirectoryTree, Label, Static
from textual.widgets._directory_tree import DirEntry
from textual.widgets._tree import TreeNode

from tui.terminal_text import terminal_text


def _safe(content: VisualType) -> VisualType:
    if isinstance(content, str):
        return terminal_text(content, multiline=True)
    if isinstance(content, Text):
        shown = terminal_text(content.plain, multiline=True)
        if shown != content.plain:  # rebuilt without its styles: only our own texts carry any
            return Text(shown)
    return content


class SafeStatic(Static):
    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        super().__init__(_safe(content), **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(_safe(content), layout=layout)


class SafeLabel(Label):
    def __init__(self, content: VisualType = "", **kwargs: Any) -> None:
        super().__init__(_safe(content), **kwargs)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(_safe(content), layout=layout)


# Where evidence usually waits on a defender's computer (a saved screenshot, a downloaded export):
# the first of these the picker's folder holds is opened as the picker appears.
EVIDENCE_FOLDERS = ("Downloads", "Pictures")


class SafeDirectoryTree(DirectoryTree):
    """The file picker: file names on the disk can come from an attacker too (an unpacked
    export), so each name is shown through ``terminal_text`` before it is drawn.

    It opens in the home folder (the stick in portable mode) with Downloads, or else Pictures,
    already open, and hides dot-files and dot-folders (``.ssh``, ``.cargo``, a stick's
    ``.Trash-1000``): a frightened defender looking for a screenshot should not meet a page of
    program folders, nor pick a key file as evidence by mistake. A hidden file can still be added
    by typing its path."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]

    def _populate_node(self, node: TreeNode[DirEntry], content: Iterable[Path]) -> None:
        super()._populate_node(node, content)
        if node is not self.root:
            return
        children = {child.data.path.name: child for child in node.children if child.data}
        for name in EVIDENCE_FOLDERS:
            if name in children and children[name].allow_expand:
                children[name].expand()  # Textual reads the folder, as when the defender opens it
                return

    def render_label(self, node: TreeNode[Any], base_style: Style, style: Style) -> Text:
        raw = str(node.label)
        shown = terminal_text(raw)
        if shown != raw:
            node.set_label(Text(shown))
        return super().render_label(node, base_style, style)
