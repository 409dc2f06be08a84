"""The chats of one ``result.json``, in either layout, each sent before its own messages.

The top level is itself a chat in a single chat's export, or holds ``chats.list`` and
``left_chats.list`` in a full-account export. The chat header (``name``, ``type``, ``id``) comes
before ``messages`` in real exports; if it does not, that chat's messages are held until the header
is known, because every chat must be sent before its messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vault.errors import InvalidInput
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.telegram.events import SCALARS, Events
from vault.imports.parsers.telegram.messages import MessageReader
from vault.imports.parsers.telegram.text import id_text


class Parser:
    """Walks one ``result.json``: its chats, each sent before its messages."""

    def __init__(self, source: ExportSource, name: str, timezone: str | None) -> None:
        self.name = name
        self.chat_count = 0
        self.messages = MessageReader(source, name, timezone)

    def run(self, events: Events) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        event, _ = events.next()
        if event != "start_map":
            raise self._not_telegram()
        found = False
        for item in self._chat_map(events, top=True):
            found = True
            yield item
        events.finish()
        if not found:
            raise self._not_telegram()

    def _not_telegram(self) -> InvalidInput:
        return InvalidInput(
            f"{self.name} holds no Telegram chats. Export the chats again from Telegram Desktop "
            "(Settings › Advanced › Export Telegram data, format: machine-readable JSON)."
        )

    def _chat_map(
        self, events: Events, *, top: bool
    ) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        """One chat object (or the top level, which is a chat in a single-chat export)."""
        header: dict[str, Any] = {}
        chat: ImportedChat | None = None
        had_messages = False
        held: list[Any] = []  # messages seen before the chat's id (not in real exports)
        seen: set[str] = set()
        for key in events.map_keys():
            event, value = events.next()
            if key in ("name", "type", "id") and event in SCALARS:
                header[key] = value
            elif key == "messages" and event == "start_array":
                had_messages = True
                if chat is None and header.get("id") is not None:
                    chat = self._chat(header)
                    yield chat
                while True:
                    event, value = events.next()
                    if event == "end_array":
                        break
                    raw = events.build(event, value)
                    if chat is None:
                        held.append(raw)
                    else:
                        yield self.messages.read(raw, chat.key, seen)
            elif top and key in ("chats", "left_chats") and event == "start_map":
                yield from self._section(events, key)
            else:
                events.skip(event)
        if chat is None and (had_messages or not top):
            if header.get("id") is None:
                self.chat_count += 1
                yield ImportProblem(
                    where=f"{self.name}, chat {self.chat_count}",
                    what=f"This chat has no id, so its {len(held)} messages were not imported.",
                )
                return
            chat = self._chat(header)
            yield chat
        if chat is not None:
            for raw in held:
                yield self.messages.read(raw, chat.key, seen)

    def _section(
        self, events: Events, section: str
    ) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        """``chats`` or ``left_chats`` of a full-account export: ``{about, list: [chat, ...]}``."""
        for key in events.map_keys():
            event, _ = events.next()
            if key != "list" or event != "start_array":
                events.skip(event)
                continue
            while True:
                event, _ = events.next()
                if event == "end_array":
                    break
                if event != "start_map":
                    events.skip(event)
                    yield ImportProblem(
                        where=f"{self.name}, {section}",
                        what="An entry in the chat list is not a chat; it was skipped.",
                    )
                    continue
                yield from self._chat_map(events, top=False)

    def _chat(self, header: dict[str, Any]) -> ImportedChat:
        self.chat_count += 1
        kind = header.get("type")
        kind = kind if isinstance(kind, str) else ""
        title = header.get("name")
        if not isinstance(title, str) or not title:
            title = "Saved Messages" if kind == "saved_messages" else "(unnamed chat)"
        return ImportedChat(key=id_text(header["id"]), title=title, platform="telegram", kind=kind)
