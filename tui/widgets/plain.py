"""Table cells as plain text: evidence titles come from attackers and must never be read as markup.

A DataTable reads a ``str`` cell as Rich markup, so a title such as "[photo]" vanished and one
such as "[link=…]" could have styled the screen. Wrapping every cell in ``Text`` shows it as is.
"""

from __future__ import annotations

from rich.text import Text


def plain(value: str) -> Text:
    return Text(value, no_wrap=True, overflow="ellipsis")
