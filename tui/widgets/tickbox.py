"""A checkbox whose state reads without colour: "X" inside when ticked, empty when not.

Textual's own checkbox shows an "X" in both states and tells them apart by colour only, which a
colour-blind defender or a monochrome terminal cannot see.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        button: Content = super()._button
        return button
