"""Draw a picture preview with half-block characters, which every colour terminal can show.

Each cell shows two pixels: the upper half block "▀" in the top pixel's colour over a background of
the bottom pixel's colour. No image protocol, no temporary file: the pixels come from the vault's
in-memory decode and exist only on the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.color import Color
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from vault import Preview

UPPER_HALF = "\u2580"


def picture_text(preview: Preview) -> Text:
    text = Text(no_wrap=True, overflow="crop")
    styles: dict[tuple[tuple[int, int, int], tuple[int, int, int]], Style] = {}
    for row_index, row in enumerate(preview.cells):
        if row_index:
            text.append("\n")
        for top, bottom in row:
            style = styles.get((top, bottom))
            if style is None:
                style = Style(color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom))
                styles[(top, bottom)] = style
            text.append(UPPER_HALF, style)
    return text
