"""The chats of one ``result.json``, in either layout, each sent before its own messages.

The top level is itself a chat in a single chat's export, or holds ``chats.list`` and
``left_chats.list`` in a full-account export. Every chat must be sent before its messages, and its
key is its ``id``. Real exports write the chat header (``name``, ``type``, ``id``) before
``messages``, and then the messages stream as they are read. A file may put ``messages`` first
(JSON objects have no order); holding those messages until the ``id`` comes would hold a whole
chat, hundreds of megabytes, in memory. So the first pass skips (and counts) such a list, and a
second pass over the same file, made only when needed, streams it once the chat is known. Both
passes walk the file the same way, so the n-th chat object and its m-th ``messages`` list are the
same in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.telegram.events import SCALARS, Events
from vault.imports.parsers.telegram.messages import MessageReader
from vault.imports.parsers.telegram.text import id_text

Record = ImportedChat | ImportedMessage | ImportProblem


@dataclass
class _Late:
    """A chat whose ``messages`` came before its ``id``: read again in the second pass."""

    chat: ImportedChat
    lists: set[int]  # which of the chat object's ``messages`` lists (0, 1, ...) were skipped
    seen: set[str] = field(default_factory=set)  # message keys already sent for this chat


class Parser:
    """Walks one ``result.json``: its chats, each sent before its messages."""

    def __init__(self, source: ExportSource, name: str, timezone: str | None) -> None:
        self.name = name
        self.chat_count = 0
        self.messages = MessageReader(source, name, timezone)
        self.late: dict[int, _Late] = {}  # chat object number -> its skipped lists
        self._objects = 0  # chat objects (and the top level) met so far in this pass
        self._second = False

    def run(self, events: Events) -> Iterator[Record]:
        """The first pass: chats, and the messages of every chat whose ``id`` came first."""
        event, _value = events.next()
        if event != "start_map":
            raise self._not_telegram()
        found = False
        for item in self._chat_map(events, top=True):
            found = True
            yield item
        events.finish()
        if not found:
            raise self._not_telegram()

    def run_late(self, events: Events) -> Iterator[Record]:
        """The second pass, over the same file: the messages the first pass had to skip."""
        self._second, self._objects = True, 0
        event, _value = events.next()
        if event != "start_map":
            raise self._not_telegram()
        yield from self._chat_map(events, top=True)
        events.finish()

    def _not_telegram(self) -> InvalidInput:
        return InvalidInput(
            _(
                "{name} holds no Telegram chats. Export the chats again from Telegram Desktop "
                "(Settings › Advanced › Export Telegram data, format: machine-readable JSON)."
            ).format(name=self.name)
        )

    def _chat_map(self, events: Events, *, top: bool) -> Iterator[Record]:
        """One chat object (or the top level, which is a chat in a single-chat export)."""
        number = self._objects
        self._objects += 1
        late = self.late.get(number) if self._second else None
        header: dict[str, Any] = {}
        chat: ImportedChat | None = None
        lists = 0  # ``messages`` lists met in this object
        skipped: set[int] = set()
        skipped_messages = 0
        seen: set[str] = set()
        for key in events.map_keys():
            event, value = events.next()
            if key in ("name", "type", "id") and event in SCALARS:
                header[key] = value
            elif key == "messages" and event == "start_array":
                index = lists
                lists += 1
                if self._second:
                    if late is not None and index in late.lists:
                        yield from self._stream(events, late.chat, late.seen)
                    else:
                        events.skip(event)
                    continue
                if chat is None and header.get("id") is not None:
                    chat = self._chat(header)
                    yield chat
                if chat is None:
                    skipped.add(index)
                    skipped_messages += events.skip_array()
                else:
                    yield from self._stream(events, chat, seen)
            elif top and key in ("chats", "left_chats") and event == "start_map":
                yield from self._section(events, key)
            else:
                events.skip(event)
        if self._second:
            return
        if chat is None and (lists or not top):
            if header.get("id") is None:
                self.chat_count += 1
                yield ImportProblem(
                    where=Finding(N_("{name}, chat {chat}"), name=self.name, chat=self.chat_count),
                    what=Finding.ngettext(
                        # English as it always was, also for one message ("its 1 messages").
                        "This chat has no id, so its {n} messages were not imported.",
                        "This chat has no id, so its {n} messages were not imported.",
                        skipped_messages,
                    ),
                )
                return
            chat = self._chat(header)
            yield chat
        if chat is not None and skipped:
            self.late[number] = _Late(chat, skipped, seen)

    def _stream(self, events: Events, chat: ImportedChat, seen: set[str]) -> Iterator[Record]:
        """The messages of one ``messages`` list whose ``start_array`` was just read."""
        while True:
            event, value = events.next()
            if event == "end_array":
                return
            yield self.messages.read(events.build(event, value), chat.key, seen)

    def _section(self, events: Events, section: str) -> Iterator[Record]:
        """``chats`` or ``left_chats`` of a full-account export: ``{about, list: [chat, ...]}``."""
        for key in events.map_keys():
            event, _value = events.next()
            if key != "list" or event != "start_array":
                events.skip(event)
                continue
            while True:
                event, _value = events.next()
                if event == "end_array":
                    break
                if event != "start_map":
                    events.skip(event)
                    if not self._second:
                        yield ImportProblem(
                            where=f"{self.name}, {section}",
                            what=Finding(
                                N_("An entry in the chat list is not a chat; it was skipped.")
                            ),
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
