"""The searchable text of a message, flattened from the export's pieces, and small value helpers.

Choices that affect what is stored (bump ``VERSION`` when one changes):

- ``text`` is the export's ``text`` flattened: plain pieces and entity texts joined; a ``text_link``
  (a word linked to a URL) is written as ``word (URL)`` so the hidden address is searchable. An
  empty poll message gets its question and answers as text. A service message with no text reads
  ``[service: <action>] by <actor>`` plus its title and members, if any.
"""

from __future__ import annotations

from typing import Any


def flatten_text(value: Any) -> str:
    """The export's ``text`` (a string, or a list of strings and entity objects) as plain text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    parts: list[str] = []
    for piece in value:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            text = piece.get("text")
            text = text if isinstance(text, str) else ""
            parts.append(text)
            href = piece.get("href")
            if piece.get("type") == "text_link" and isinstance(href, str) and href and href != text:
                parts.append(f" ({href})")
    return "".join(parts)


def poll_text(poll: dict[str, Any]) -> str:
    lines = [text_value(poll.get("question"))]
    answers = poll.get("answers")
    if isinstance(answers, list):
        lines += [text_value(a.get("text")) for a in answers if isinstance(a, dict)]
    return "\n".join(line for line in lines if line)


def service_text(raw: dict[str, Any], actor: str) -> str:
    text = f"[service: {text_value(raw.get('action')) or 'unknown'}]"
    if actor:
        text += f" by {actor}"
    title = raw.get("title")
    if isinstance(title, str) and title:
        text += f": {title}"
    members = raw.get("members")
    if isinstance(members, list):
        names = [m for m in members if isinstance(m, str) and m]
        if names:
            text += f" (members: {', '.join(names)})"
    return text


def text_value(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def id_text(value: Any) -> str:
    """A Telegram id as text; ``use_float`` never turns ids into floats, but a file could."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
