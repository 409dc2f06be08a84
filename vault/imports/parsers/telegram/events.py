"""The JSON of ``result.json`` as a stream of ``ijson`` events, never loaded whole.

A busy chat's ``result.json`` runs to hundreds of megabytes, so it is read as events and only one
message at a time is built into Python objects. The stream is also where a hostile or broken file
is caught: nesting is capped, and any JSON error becomes one calm ``InvalidInput``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import ijson

from vault.errors import InvalidInput
from vault.i18n import _

MAX_DEPTH = 64  # real exports nest about 8 deep; far deeper is a hostile or broken file

_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")
SCALARS = ("null", "boolean", "integer", "double", "number", "string")


def _damaged(name: str) -> InvalidInput:
    return InvalidInput(
        _(
            "{name} is damaged or cut short, so it cannot be read as a Telegram export. Export "
            "the chat again from Telegram Desktop and import the new copy."
        ).format(name=name)
    )


class Events:
    """ijson events of one file, with JSON errors turned into a calm InvalidInput and depth capped."""

    def __init__(self, stream: io.BufferedIOBase, name: str) -> None:
        self._name = name
        self._it = self._generate(stream)

    def _generate(self, stream: io.BufferedIOBase) -> Iterator[tuple[str, Any]]:
        depth = 0
        try:
            for event, value in ijson.basic_parse(stream, use_float=True):
                if event in _STARTS:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise InvalidInput(
                            _(
                                "{name} nests deeper than any Telegram export ({levels} levels), so it was refused. "
                                "Export the chat again from Telegram Desktop."
                            ).format(name=self._name, levels=MAX_DEPTH)
                        )
                elif event in _ENDS:
                    depth -= 1
                yield event, value
        except (ijson.JSONError, UnicodeDecodeError):
            raise _damaged(self._name) from None

    def next(self) -> tuple[str, Any]:
        try:
            return next(self._it)
        except StopIteration:
            raise _damaged(self._name) from None

    def finish(self) -> None:
        """Read to the end, so trailing garbage or a cut-off file is still noticed."""
        for _unused in self._it:
            raise _damaged(self._name)

    def map_keys(self) -> Iterator[str]:
        """The keys of the map whose ``start_map`` was just read; the caller reads each value."""
        while True:
            event, value = self.next()
            if event == "end_map":
                return
            if event != "map_key":
                raise _damaged(self._name)
            yield str(value)

    def skip(self, event: str) -> None:
        """Consume the rest of a value that began with ``event``."""
        if event not in _STARTS:
            return
        depth = 1
        while depth:
            event, _value = self.next()
            if event in _STARTS:
                depth += 1
            elif event in _ENDS:
                depth -= 1

    def skip_array(self) -> int:
        """Consume the rest of an array whose ``start_array`` was just read; return how many
        values it held (nothing of them is built)."""
        count = 0
        depth = 1
        while True:
            event, _value = self.next()
            if depth == 1 and event != "end_array":
                count += 1
            if event in _STARTS:
                depth += 1
            elif event in _ENDS:
                depth -= 1
                if depth == 0:
                    return count

    def build(self, event: str, value: Any) -> Any:
        """The whole value that began with ``event`` (one message: small), as Python objects.

        Built here rather than with ``ijson.ObjectBuilder`` (one method call per event): a
        message is about 32 events, and this loop is a tenth of a big import's time."""
        if event == "start_map":
            root: Any = {}
        elif event == "start_array":
            root = []
        else:
            return value
        stack: list[Any] = [root]
        key: Any = None  # in a map, each value follows its key; the key of a map in an array
        # or of a value after a nested one is always read again before it is used
        events = self._it
        while stack:
            try:
                event, value = next(events)
            except StopIteration:
                raise _damaged(self._name) from None
            top = stack[-1]
            if event == "map_key":
                key = value
                continue
            if event in _ENDS:
                stack.pop()
                continue
            if event == "start_map":
                child: Any = {}
            elif event == "start_array":
                child = []
            else:
                if type(top) is dict:
                    top[key] = value
                else:
                    top.append(value)
                continue
            if type(top) is dict:
                top[key] = child
            else:
                top.append(child)
            stack.append(child)
        return root
