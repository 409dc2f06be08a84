"""The app's words in the chosen language where Textual keeps them itself: the key list.

Textual reads each screen's ``BINDINGS`` once, when the class is made — before the language is
known, and before the vault's own language setting is read at unlock. So the descriptions stay in
English in the classes (marked with ``N_`` for the catalog) and are translated each time the footer
and the F1 panel ask which keys are active, in whatever language is chosen at that moment.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.binding import Binding

from vault import _

if TYPE_CHECKING:
    from textual.binding import ActiveBinding


def translated(binding: Binding) -> Binding:
    """``binding`` with its description and tooltip in the current language."""
    return dataclasses.replace(
        binding,
        description=_(binding.description) if binding.description else binding.description,
        tooltip=_(binding.tooltip) if binding.tooltip else binding.tooltip,
    )


class TranslatedKeys:
    """Mix into every screen (before ``Screen``): its footer shows the keys in the current
    language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        found: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        return {
            key: active._replace(binding=translated(active.binding))
            for key, active in found.items()
        }
