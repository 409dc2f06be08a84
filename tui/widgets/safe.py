"""Widgets that never let a control character reach the terminal.

Textual writes a widget's text to the terminal as it is: an evidence title holding OSC 52 or
``ESC[2J`` would be obeyed by the terminal (tried: the clipboard was written). Every text widget of
the app is one of these, so whatever a screen shows (titles, names, chat titles, a revealed
message, an error that quotes a file name) goes through :func:`tui.terminal_text.terminal_text`
first. Newlines are kept: these widgets show paragraphs; one-line values are made one-line where
they are put together (``render.format_rows``, :func:`tui.widgets.plain.plain`).
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.visual import VisualType
from textual.widgets import DirectoryTree, Label, Static
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


class SafeDirectoryTree(DirectoryTree):
    """The file picker: file names on the disk can come from an attacker too (an unpacked
    export), so each name is shown through ``terminal_text`` before it is drawn."""

    def render_label(self, node: TreeNode[Any], base_style: Style, style: Style) -> Text:
        raw = str(node.label)
        shown = terminal_text(raw)
        if shown != raw:
            node.set_label(Text(shown))
        return super().render_label(node, base_style, style)
