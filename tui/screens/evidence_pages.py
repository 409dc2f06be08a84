"""What the evidence list's page worker sends to the screen (tui/screens/evidence.py): rows,
the count that follows them, and the filter menus' choices. Each carries the list's
``generation`` where it matters, so rows fetched for an older search are dropped."""

from __future__ import annotations

from textual.message import Message

from vault import ItemRow


class PageFetched(Message):
    """The page worker's rows, for the list they were fetched for (``generation``). The first
    rows of a list come with ``first``, and with ``total`` when they are all there is."""

    def __init__(
        self,
        rows: list[ItemRow],
        generation: int,
        total: int | None = None,
        *,
        first: bool = False,
    ) -> None:
        super().__init__()
        self.rows = rows
        self.generation = generation
        self.total = total
        self.first = first


class TotalFetched(Message):
    """How many items the list's filters match, counted after its first page was shown."""

    def __init__(self, total: int, generation: int) -> None:
        super().__init__()
        self.total = total
        self.generation = generation


class ChoicesFetched(Message):
    """The cases, tags, platforms and kinds in use: the filter menus' choices."""

    def __init__(self, choices: dict[str, list[str]]) -> None:
        super().__init__()
        self.choices = choices
