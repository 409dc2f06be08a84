"""Table cells as plain text: evidence titles come from attackers and must never be read as markup.

A DataTable reads a ``str`` cell as Rich markup, so a title such as "[photo]" vanished and one
such as "[link=…]" could have styled the screen. Wrapping every cell in ``Text`` shows it as is;
``terminal_text`` makes control characters in it visible instead of letting them act.
"""

from __future__ import annotations

from rich.text import Text

from tui.terminal_text import terminal_text


def plain(value: str) -> Text:
    """A one-line cell: shown as typed, never as markup, and never acting on the terminal."""
    return Text(terminal_text(value), no_wrap=True, overflow="ellipsis")
