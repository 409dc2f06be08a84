"""The F1 list of keys, in the defender's words: this screen's own keys first, then the ones that
work everywhere (lock, quit), and only then the keys for moving around in a list or a text field.

Textual's own help panel starts with the focused widget's keys ("Cursor up", "Page Left",
"super+c Copy selected text"): a frightened person looking for "how do I add a file" met a page of
terminal keys first (issue 14). This panel is built from the same live bindings, so a key added to
a screen appears here without anything else to change.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget

from tui.widgets.safe import SafeStatic
from vault import N_, _

# Plain words for the keys Textual's widgets bring (a list, a text field, a menu).
KEY_WORDS = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "space": N_("Space"),
    "slash": "/",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}
# Each line: the keys, two spaces, what they do (translated one line at a time, keys kept).
MOVING = (
    ("↑ ↓", N_("move in the list")),
    ("Enter", N_("open, or press a button")),
    ("Tab", N_("next field or button")),
    ("Shift+Tab", N_("the one before")),
    ("PgUp PgDn", N_("a page up or down")),
    ("Home End", N_("first or last")),
)


# Textual's own screen keys (Tab, copy, maximise): summed up under "Moving around" or of no use.
TEXTUAL_ACTIONS = {
    "app.focus_next",
    "app.focus_previous",
    "focus_next",
    "focus_previous",
    "screen.copy_text",
    "copy_text",
    "screen.maximize",
    "screen.minimize",
    "app.command_palette",
}
# Words for the app's own keys where the footer's one word says too little.
ACTION_WORDS = {
    "lock": N_("Lock at once (the panic key)"),
    "quit": N_("Quit (locks the vault)"),
    "toggle_keys": N_("Show or hide this list"),
}


def key_name(key: str) -> str:
    """How a key is written for the defender: ``ctrl+l`` is Ctrl+L, ``f8`` is F8."""
    key = key.split(",", maxsplit=1)[0]
    if key in KEY_WORDS:
        return _(KEY_WORDS[key]) if key == "space" else KEY_WORDS[key]
    parts = key.split("+")
    named = [p.capitalize() for p in parts[:-1]]
    last = parts[-1]
    if named or (last.startswith("f") and last[1:].isdigit()):
        last = last.upper() if len(last) <= 3 else last  # Ctrl+L, F12; a plain letter stays
    return "+".join([*named, KEY_WORDS.get(last, last)])


def keys_text(screen: Screen[object]) -> str:
    """The panel's text for ``screen``: its own keys, then those that work everywhere, then how
    to move around. Keys doing the same thing share a line ("Ctrl+L or F12")."""
    groups: dict[tuple[str, str], tuple[list[str], str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action in TEXTUAL_ACTIONS:
            continue
        if active.node is screen:
            where = "own"
        elif active.node is screen.app:
            where = "everywhere"
        else:
            continue  # the focused widget's keys: summed up under "Moving around"
        # The screen's own descriptions come translated (tui.language); the app's words here.
        words = ACTION_WORDS.get(binding.action)
        names, _words = groups.setdefault(
            (where, binding.action), ([], _(words) if words else binding.description)
        )
        names.append(key_name(key))
    # TRANSLATORS: joins two keys that do the same thing in the F1 list: "Ctrl+L or F12".
    either = _("{first} or {second}")
    lines: dict[str, list[str]] = {"own": [], "everywhere": []}
    for (where, _action), (names, words) in groups.items():
        shown = names[0]
        for name in names[1:]:
            shown = either.format(first=shown, second=name)
        lines["own" if where == "own" else "everywhere"].append(f"{shown}  {words}")
    parts = []
    if lines["own"]:
        parts.append(_("Keys on this screen") + "\n" + "\n".join(lines["own"]))
    if lines["everywhere"]:
        parts.append(_("Anywhere") + "\n" + "\n".join(lines["everywhere"]))
    moving = "\n".join(f"{keys}  {_(words)}" for keys, words in MOVING)
    parts.append(_("Moving around") + "\n" + moving)
    return "\n\n".join(parts)


class KeysPanel(Widget):
    """Docked on the right while open; F1 again (or Esc on the panel's screen) closes it."""

    DEFAULT_CSS = """
    KeysPanel {
        split: right;
        width: 32;
        height: 100%;
        border-left: vkey $foreground 30%;
        padding: 0 1;
    }
    KeysPanel VerticalScroll {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield SafeStatic("", id="keys-text", markup=False)

    def on_mount(self) -> None:
        self.refresh_keys()
        self.watch(self.screen, "focused", lambda _focused: self.refresh_keys())

    def refresh_keys(self) -> None:
        """Read the keys again (the focus moved: a field takes letters, a list does not)."""
        self.query_one("#keys-text", SafeStatic).update(keys_text(self.screen))
