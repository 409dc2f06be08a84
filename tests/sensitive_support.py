"""A vault with sensitive items whose titles, descriptions and file names carry planted words, for
the tests that no front end and no bundle document shows them before a reveal.

Each word is unique (found nowhere else in the program's texts), so "the word is not in this output"
means exactly "nothing made from the sensitive content was shown".
"""

from __future__ import annotations

from pathlib import Path

from tests.importers.test_importing import chat, message, picture, write_folder
from vault import Metadata, Vault

# In the first line of a sensitive message: its title is made from it.
MESSAGE_WORD = "Zafranqux"
# In its second line: a search for it finds the message without typing the planted title word.
SEARCH_WORD = "Nergizgul"
# In a sensitive picture's file name (its title, and its original file name).
FILE_WORD = "Kehribarli"
# In that picture's description.
DESCRIPTION_WORD = "Dovsanqulu"
# In the first line of an imported chat message, marked sensitive after the import.
CHAT_WORD = "Qaranquslar"
PLANTED = (MESSAGE_WORD, FILE_WORD, DESCRIPTION_WORD, CHAT_WORD)

SENDER = "Tural Uydurma"
CHAT_SENDER = "Naməlum Şəxs"
CHAT_KEY = "5550001111"


def fill(vault: Vault, tmp_path: Path) -> dict[str, str]:
    """Add the sensitive items (and one ordinary one) to ``vault``; their ids by name."""
    photo = tmp_path / f"{FILE_WORD}_beach.jpg"
    photo.write_bytes(picture(7))
    ids = {
        "plain": vault.add_message(
            "An ordinary threat, not sensitive.", Metadata(title="Ordinary threat")
        ).item_id,
        "message": vault.add_message(
            f"{MESSAGE_WORD} — и твои фото увидит вся семья\n{SEARCH_WORD} knows",
            Metadata(platform="Telegram", sender_handle=SENDER, sensitive=True),
        ).item_id,
        "photo": vault.add_file(
            photo,
            Metadata(
                platform="Telegram",
                description=f"{DESCRIPTION_WORD} posted it",
                sender_handle=SENDER,
                sensitive=True,
            ),
        ).item_id,
    }
    export = write_folder(
        tmp_path / "ChatExport",
        chat(
            [
                message(1, f"{CHAT_WORD} görür səni\nikinci sətir", offset=0),
                message(2, "Bu sonuncu xəbərdarlıqdır.", offset=60),
            ]
        ),
        {},
    )
    vault.import_export("telegram", export)
    (line, *_) = vault.chat_lines("telegram", CHAT_KEY)
    vault.update_metadata(line.item_id, {"sensitive": True}, reason="intimate")
    ids["chat_message"] = line.item_id
    return ids


def planted_in(text: str) -> list[str]:
    """The planted words found in ``text`` (case folded: a title may be upper-cased)."""
    folded = text.casefold()
    return [word for word in PLANTED if word.casefold() in folded]
