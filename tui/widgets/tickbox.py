"""A checkbox and a radio button whose state reads without colour.

Textual's own checkbox shows an "X" in both states, and its radio button a dot in both states,
telling them apart by colour only, which a colour-blind defender or a monochrome terminal cannot
see. Here the mark is there only when the choice is on: "X" in a ticked box, a dot in the chosen
radio button, an empty space otherwise.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


class TickBox(Checkbox):
    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        button: Content = super()._button
        return button


class ChoiceButton(RadioButton):
    """One choice of a ``RadioSet``: a dot inside when chosen, empty when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "\u25cf" if self.value else " "
        button: Content = super()._button
        return button
