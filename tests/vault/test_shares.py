"""Recovery through trusted people (issue 13): a shares slot in vault.keys, real vaults on disk.

Each test fails on the code before issue 13 (``Vault.issue_recovery_shares`` and
``Vault.open(recovery_shares=…)`` did not exist, and vault.keys refused a fourth slot and the
``shares`` kind); checked by running them on main (cecf928).
"""

from __future__ import annotations

import copy
import itertools
import json
import stat
from pathlib import Path

import pytest

from crypto.keysfile import parse_keys_file
from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from vault import (
    EvaultError,
    InvalidInput,
    KeysFileDamaged,
    Metadata,
    RecoveryKeyMistyped,
    Vault,
    WrongPassphrase,
)


def _issue(vault: Vault, folder: Path, threshold: int = 2, count: int = 3) -> list[str]:
    issued = vault.issue_recovery_shares(threshold, count, folder)
    assert [p.name for p in issued.pages] == [
        f"share-{n}-of-{count}.txt" for n in range(1, count + 1)
    ]
    return [p.read_text(encoding="utf-8") for p in issued.pages]


def _types(folder: Path) -> list[str]:
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        return [e.type for e in vault.custody_log()]


def test_two_of_three_shares_open_the_vault_and_one_does_not(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    item = vault.add_message("they know where I live", Metadata(title="threat"))
    pages = _issue(vault, tmp_path / "pages")
    vault.close()

    for pair in ([0, 1], [0, 2], [2, 1]):
        with Vault.open(folder, recovery_shares=[pages[i] for i in pair]) as opened:
            assert opened.get_item(item.item_id).title == "threat"
    with pytest.raises(InvalidInput, match=r"^1 of 2 shares given"):
        Vault.open(folder, recovery_shares=[pages[1]])
    with pytest.raises(InvalidInput, match=r"^1 of 2 shares given"):
        Vault.open(folder, recovery_shares=[pages[1], pages[1]])  # the same page twice
    assert "key.shares_issued" in _types(folder)


def test_reissuing_replaces_the_old_set(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    old = _issue(vault, tmp_path / "old")
    new = _issue(vault, tmp_path / "new")
    assert vault.recovery_shares is not None and vault.recovery_shares.threshold == 2
    set_number = vault.recovery_shares.set_number
    assert any(f"Recovery shares: set {set_number}," in n for n in vault.check().notes)
    vault.close()
    with pytest.raises(WrongPassphrase, match="not of this vault's current set"):
        Vault.open(folder, recovery_shares=old[:2])
    with pytest.raises(WrongPassphrase, match="not all of the same set"):
        Vault.open(folder, recovery_shares=[old[0], new[1]])
    Vault.open(folder, recovery_shares=new[1:]).close()
    types = _types(folder)
    assert types.count("key.shares_issued") == 1 and types.count("key.shares_replaced") == 1


def test_revoked_shares_open_nothing(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    pages = _issue(vault, tmp_path / "pages")
    assert vault.revoke_recovery_shares() is True
    assert vault.revoke_recovery_shares() is False
    assert vault.recovery_shares is None
    vault.close()
    with pytest.raises(WrongPassphrase, match="no recovery shares"):
        Vault.open(folder, recovery_shares=pages[:2])
    assert "key.shares_revoked" in _types(folder)


def test_mistakes_get_one_calm_sentence(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    other, _ = make_vault("other.evault")
    folder = vault.folder
    pages = _issue(vault, tmp_path / "pages")
    others = _issue(other, tmp_path / "others")
    vault.close()
    other.close()
    words = pages[0].split("-----\n", 1)[1].split("\n-----", 1)[0]
    tokens = [t for t in words.split() if not t[0].isdigit()]
    swapped = [*tokens[:12], "academic" if tokens[12] != "academic" else "acid", *tokens[13:]]
    cases: list[tuple[list[str], type[EvaultError], str]] = [
        ([" ".join(swapped), pages[1]], RecoveryKeyMistyped, "mistyped"),
        ([" ".join(tokens[:-2]), pages[1]], RecoveryKeyMistyped, "33 words"),
        ([pages[0], "not a share at all"], RecoveryKeyMistyped, "not one of the share words"),
        (others[:2], WrongPassphrase, "not of this vault's current set"),
        ([], InvalidInput, "No recovery share"),
    ]
    for texts, error, words_said in cases:
        with pytest.raises(error, match=words_said) as caught:
            Vault.open(folder, recovery_shares=texts)
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
        assert not any(pair in caught.value.message for pair in pairs)  # no words quoted
    Vault.open(folder, recovery_shares=[" ".join(tokens), pages[2]]).close()


def test_pages_are_private_and_a_busy_folder_changes_nothing(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault()
    keys_before = (vault.folder / "vault.keys").read_bytes()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not empty"):
        vault.issue_recovery_shares(2, 3, busy)
    with pytest.raises(InvalidInput, match="at least 2"):
        vault.issue_recovery_shares(1, 3, tmp_path / "one")
    assert not (tmp_path / "one").exists()
    assert (vault.folder / "vault.keys").read_bytes() == keys_before
    pages = vault.issue_recovery_shares(3, 5, tmp_path / "pages").pages
    vault.close()
    for page in pages:
        assert stat.S_IMODE(page.stat().st_mode) == 0o600
    text = " ".join(pages[1].read_text(encoding="utf-8").split())
    assert "share 2 of 5" in text and "Any 3 shares" in text
    assert "Never photograph it" in text and "in person" in text


def test_keys_file_holds_one_shares_slot_within_caps(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    _issue(vault, tmp_path / "pages")
    vault.close()
    doc = json.loads((vault.folder / "vault.keys").read_bytes())
    (shares,) = [s for s in doc["slots"] if s["kind"] == "shares"]
    assert shares["kdf"]["name"] == "hkdf-sha256"
    assert shares["kdf"]["slip39"]["iteration_exponent"] == 0
    parse_keys_file(json.dumps(doc).encode())

    def refused(change: dict[str, object]) -> None:
        d = copy.deepcopy(doc)
        slot = next(s for s in d["slots"] if s["kind"] == "shares")
        slot["kdf"]["slip39"].update(change)
        with pytest.raises(Exception, match="damaged"):
            parse_keys_file(json.dumps(d).encode())

    refused({"iteration_exponent": 15})  # SLIP-39's PBKDF2 at 2^15: capped
    refused({"threshold": 1})
    refused({"threshold": 4})  # more than the count
    refused({"identifier": 2**15})
    refused({"count": True})
    twice = copy.deepcopy(doc)
    twice["slots"].append({**shares, "id": "ab" * 8})
    with pytest.raises(Exception, match="more slots than evault writes"):
        parse_keys_file(json.dumps(twice).encode())


def test_a_damaged_shares_slot_is_named_as_damage(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    pages = _issue(vault, tmp_path / "pages")
    vault.close()
    path = vault.folder / "vault.keys"
    doc = json.loads(path.read_bytes())
    slot = next(s for s in doc["slots"] if s["kind"] == "shares")
    slot["created"] = "2020-01-01T00:00:00Z"  # its checksum no longer matches
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(KeysFileDamaged, match="issue new shares"):
        Vault.open(vault.folder, recovery_shares=pages[:2])
    Vault.open(vault.folder, passphrase=PASSPHRASE).close()  # the rest still opens


def test_an_unvouched_shares_slot_is_never_sealed(make_vault: MakeVault, tmp_path: Path) -> None:
    """A shares slot planted by someone who could write the folder (and once knew the database
    key) is not carried into a file this session seals: the next key change drops it."""
    vault, recovery = make_vault()
    folder = vault.folder
    _issue(vault, tmp_path / "pages")
    vault.close()
    path = folder / "vault.keys"
    doc = json.loads(path.read_bytes())
    doc["mac"] = doc["mac"][:-4] + ("AAA=" if not doc["mac"].endswith("AAA=") else "BBB=")
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Vault.open(folder, recovery_key=recovery) as opened:
        assert any("recovery shares" in n or "passphrase" in n for n in opened.key_notices)
        opened.change_passphrase(PASSPHRASE + " again", kdf=fast_kdf)
        assert opened.recovery_shares is None


def test_a_rekey_rewraps_the_shares_slot_in_the_same_session(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Issue 13 item 1 meets item 3: re-encryption must wrap the new database key in the shares
    slot too, so the holders' pages keep opening the vault after a purge."""
    vault, _ = make_vault()
    folder = vault.folder
    item = vault.add_message("kept", Metadata(title="kept"))
    pages = _issue(vault, tmp_path / "pages")
    vault.rekey()
    vault.close()
    with Vault.open(folder, recovery_shares=pages[:2]) as opened:
        assert opened.get_item(item.item_id).title == "kept"


def test_a_rekey_after_opening_with_shares_rewraps_their_slot(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Shares issued in an earlier session: opening with them gives this session their slot key."""
    vault, _ = make_vault()
    folder = vault.folder
    pages = _issue(vault, tmp_path / "pages")
    vault.close()
    with Vault.open(folder, recovery_shares=[pages[0], pages[2]]) as opened:
        opened.rekey()
    with Vault.open(folder, recovery_shares=[pages[1], pages[2]]) as opened:
        assert opened.check().ok
    with Vault.open(folder, passphrase=PASSPHRASE) as opened:
        assert opened.check().ok
