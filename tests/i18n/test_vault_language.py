"""The vault's own sentences in Azerbaijani and Russian, and what must never change with them.

Errors (a wrong passphrase, a folder with no vault, a file that is not an export, a locked vault),
the words for custody events and the findings of a check are shown in the chosen language; the
English stays exactly as it was. What is stored or signed (event types, details, the English of
``check --json``) is the same whatever the language (issue 15).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, MakeVault
from vault import Vault
from vault.custody.wording import event_words
from vault.errors import (
    InvalidInput,
    NotAVault,
    RecoveryKeyMistyped,
    VaultLocked,
    WrongPassphrase,
)
from vault.i18n import set_language

NOW = datetime(2026, 3, 12, 9, 30, tzinfo=UTC)

WRONG = {
    "en": "That passphrase does not open this vault. Check it and try again.",
    "az": "Bu parol ifadəsi bu seyfi açmır. Yoxlayıb yenidən cəhd edin.",
    "ru": "Эта парольная фраза не открывает это хранилище. Проверьте её и попробуйте снова.",
}
NO_VAULT = {
    "en": "There is no vault at {folder}. Check the path, or create one with 'evault init'.",
    "az": "{folder} ünvanında seyf yoxdur. Yolu yoxlayın və ya 'evault init' ilə seyf yaradın.",
    "ru": "По пути {folder} хранилища нет. Проверьте путь или создайте хранилище командой "
    "'evault init'.",
}
NOT_AN_EXPORT = {
    "en": "chat.txt does not look like a WhatsApp export. Check that you chose the right file "
    "or folder and the right kind of import.",
    "az": "chat.txt WhatsApp ixracına oxşamır. Düzgün fayl və ya qovluğu və düzgün idxal növünü "
    "seçdiyinizi yoxlayın.",
    "ru": "chat.txt не похож на экспорт WhatsApp. Проверьте, что вы выбрали нужный файл или "
    "папку и нужный вид импорта.",
}
LOCKED = {
    "en": "The vault is locked. Unlock it again to continue.",
    "az": "Seyf kilidlidir. Davam etmək üçün kilidi yenidən açın.",
    "ru": "Хранилище заблокировано. Откройте его снова, чтобы продолжить.",
}
LANGS = ("en", "az", "ru")


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_passphrase_is_told_in_the_chosen_language(
    make_vault: MakeVault, lang: str
) -> None:
    vault, _recovery = make_vault()
    folder = vault.folder
    vault.close()
    set_language(lang)
    with pytest.raises(WrongPassphrase) as caught:
        Vault.open(folder, passphrase="not the passphrase at all")
    assert str(caught.value) == WRONG[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_a_folder_without_a_vault_is_told_in_the_chosen_language(tmp_path: Path, lang: str) -> None:
    set_language(lang)
    folder = tmp_path / "nowhere"
    with pytest.raises(NotAVault) as caught:
        Vault.open(folder, passphrase=PASSPHRASE)
    assert str(caught.value) == NO_VAULT[lang].format(folder=folder)


@pytest.mark.parametrize("lang", LANGS)
def test_a_file_that_is_not_an_export_is_refused_in_the_chosen_language(
    vault: Vault, tmp_path: Path, lang: str
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("A shopping list\nmilk, bread\n", encoding="utf-8")
    set_language(lang)
    with pytest.raises(InvalidInput) as caught:
        vault.import_export("whatsapp", chat)
    assert str(caught.value) == NOT_AN_EXPORT[lang]
    assert vault.imports() == []  # refused: nothing was kept


@pytest.mark.parametrize("lang", LANGS)
def test_a_locked_vault_says_so_in_the_chosen_language(vault: Vault, lang: str) -> None:
    vault.close()
    set_language(lang)
    with pytest.raises(VaultLocked) as caught:
        vault.list_items()
    assert str(caught.value) == LOCKED[lang]


@pytest.mark.parametrize(
    ("lang", "created", "imported", "viewed"),
    [
        ("en", "added to the vault", "added to the vault (imported)", "viewed (text shown)"),
        ("az", "seyfə əlavə olundu", "seyfə əlavə olundu (idxal)", "baxıldı (mətn göstərildi)"),
        (
            "ru",
            "добавлен в хранилище",
            "добавлен в хранилище (импорт)",
            "просмотрен (показан текст)",
        ),
    ],
)
def test_event_words_are_in_the_chosen_language(
    vault: Vault, lang: str, created: str, imported: str, viewed: str
) -> None:
    added = vault.add_note("A note about the threats", now=NOW)
    vault.read_text(added.item_id, now=NOW)
    set_language(lang)
    records = vault.custody_log(added.item_id)
    assert [r.type for r in records] == ["item.created", "item.viewed"]  # stored: never translated
    assert [event_words(r.type, r.details) for r in records] == [created, viewed]
    assert event_words("item.created", {"source": "import"}) == imported
    assert event_words("some.future_event") == "some.future_event"  # unknown: shown as it is


def _stored(vault: Vault) -> list[tuple[str, str | None, str | None, str]]:
    """What each custody event signed, less what differs between two vaults (ids, keys, and the
    moment it was written: the vault's own clock, not the ``now`` given)."""
    return [
        (r.type, r.reason, r.item_sha256, json.dumps(r.details, sort_keys=True))
        for r in vault.custody_log()
    ]


def test_the_custody_log_written_in_azerbaijani_is_the_one_written_in_english(
    make_vault: MakeVault,
) -> None:
    logs = []
    for lang, name in (("en", "en.evault"), ("az", "az.evault"), ("ru", "ru.evault")):
        set_language(lang)
        vault, _recovery = make_vault(name)
        added = vault.add_bytes(b"\x89PNG fake picture bytes", "threat.png", now=NOW)
        vault.read_text(vault.add_note("note", now=NOW).item_id, now=NOW)
        vault.delete_item(added.item_id, reason="a duplicate of another item", now=NOW)
        vault.rekey(now=NOW)
        logs.append(_stored(vault))
    assert logs[0] == logs[1] == logs[2]
    types = [entry[0] for entry in logs[0]]
    assert "item.created" in types and "item.deleted" in types and "vault.rekeyed" in types
    rekeyed = next(entry for entry in logs[1] if entry[0] == "vault.rekeyed")
    assert "the database was re-encrypted under a new random key" in rekeyed[3]


def test_check_findings_are_translated_for_reading_and_stay_english_for_scripts(
    vault: Vault,
) -> None:
    vault.new_recovery_key(now=NOW)  # never confirmed: the check notes it
    english = (
        "A new recovery key made on 2026-03-12 was never confirmed, so your previous recovery "
        "key still opens this vault too."
    )
    azerbaijani = "2026-03-12 tarixində yaradılan yeni bərpa açarı təsdiqlənməyib"
    set_language("az")
    report = vault.check()
    assert report.ok
    assert any(note.startswith(azerbaijani) for note in report.notes)  # what a person reads
    assert any(note.startswith(english) for note in report.to_json()["notes"])  # --json
    json.dumps(report.to_json())  # still plain JSON
    set_language("ru")
    assert any(
        note.startswith("Новый ключ восстановления, созданный 2026-03-12")
        for note in report.shown_notes()
    )
    set_language("en")
    assert any(note.startswith(english) for note in vault.check().notes)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "A recovery key has 36 letters and digits in 9 groups of 4; this one does not."),
        ("az", "Bərpa açarında 4-lük 9 qrupda 36 hərf və rəqəm olur; bunda belə deyil."),
        ("ru", "В ключе восстановления 36 букв и цифр в 9 группах по 4; в этом — нет."),
    ],
)
def test_a_mistyped_recovery_key_is_told_in_the_chosen_language(
    make_vault: MakeVault, lang: str, expected: str
) -> None:
    vault, recovery = make_vault()
    folder = vault.folder
    vault.close()
    set_language(lang)
    with pytest.raises(RecoveryKeyMistyped) as caught:
        Vault.open(folder, recovery_key=recovery[:-5])  # the last group cut short
    assert str(caught.value) == expected


@pytest.mark.slow
def test_share_pages_written_in_azerbaijani_still_open_the_vault(
    vault: Vault, tmp_path: Path
) -> None:
    set_language("az")
    issued = vault.issue_recovery_shares(2, 3, tmp_path / "pages", now=NOW)
    folder = vault.folder
    vault.close()
    pages = [page.read_text(encoding="utf-8") for page in issued.pages]
    assert "Gizli saxlayın" in pages[0] and "Keep it private" not in pages[0]
    with pytest.raises(InvalidInput) as caught:
        Vault.open(folder, recovery_shares=pages[:1])
    assert str(caught.value).startswith("2 paydan 1 verildi.")
    Vault.open(folder, recovery_shares=pages[1:]).close()  # the words and markers are unchanged


def test_a_broken_custody_chain_is_one_whole_sentence_in_each_language() -> None:
    from vault.custody.chainwords import chain_finding

    finding = chain_finding(7, "its stored hash does not match its content")
    missing = chain_finding(9, "events are missing before it (expected 8)")
    unknown = chain_finding(3, "something a newer version says")
    assert finding == "Custody event 7: its stored hash does not match its content."
    assert missing == "Custody event 9: events are missing before it (expected 8)."
    set_language("ru")
    assert finding.shown() == (
        "Запись журнала хранения 7: её сохранённый хеш не совпадает с содержимым."
    )
    assert missing.shown() == (
        "Запись журнала хранения 9: перед ней не хватает записей (ожидалась 8)."
    )
    assert unknown.shown() == "Запись журнала хранения 3: something a newer version says."
    set_language("az")
    assert finding.shown().startswith("Saxlama jurnalındakı qeyd 7: saxlanan heşi")
    assert finding.english == "Custody event 7: its stored hash does not match its content."
    assert chain_finding(7, "its stored hash does not match its content").startswith(
        "Saxlama jurnalındakı qeyd 7:"
    )


def test_a_backup_tells_its_notes_in_the_chosen_language_and_english_to_scripts(
    vault: Vault, tmp_path: Path
) -> None:
    vault.new_recovery_key(now=NOW)  # the check of the copy notes the unconfirmed key
    set_language("ru")
    result = vault.backup(tmp_path / "copy")
    assert result.ok
    assert any(
        n.startswith("Новый ключ восстановления, созданный 2026-03-12") for n in result.notes
    )
    shown = result.to_json()["notes"]
    assert any(n.startswith("A new recovery key made on 2026-03-12 was never") for n in shown)
    assert not any("Новый" in n for n in shown)


def test_an_import_tells_its_problems_in_the_chosen_language_and_stores_them_in_english(
    vault: Vault, tmp_path: Path
) -> None:
    from vault.imports.options import ImportOptions

    chat = tmp_path / "chat.txt"
    chat.write_text(
        "14/11/2023, 21:05 - Rəşad Uydurma: Salam.\n14/11/2023, 25:61 - Rəşad: İkinci\n",
        encoding="utf-8",
    )
    set_language("ru")
    summary = vault.import_export("whatsapp", chat, ImportOptions(timezone="Asia/Baku"))
    assert summary.problems == [
        "chat.txt, строка 2: Дату или время этого сообщения не удалось прочитать как "
        "день/месяц/год, 24-часовой формат; время сохранено так, как записано."
    ]
    english = [
        "chat.txt, line 2: The date or time of this message could not be read as day/month/year, "
        "24-hour; it was kept with its time as written."
    ]
    assert summary.to_json()["problems"] == english  # --json
    assert vault.imports()[0]["summary"]["problems"] == english  # stored with the import
