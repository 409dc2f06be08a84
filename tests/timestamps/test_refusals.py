"""Every bad answer is refused in one calm sentence and changes nothing: a nonce that does not
match, an answer to another request, an altered token, an expired or wrong-usage certificate, a
token for a different chain head, something that is not an answer, no certificates to check it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeVault
from tests.timestamps.tsa import LocalTSA, openssl
from vault.errors import InvalidInput
from vault.facade import Vault
from vault.timestamps import proof

pytestmark = pytest.mark.slow  # real openssl processes


def _setup(make_vault: MakeVault, tmp_path: Path) -> tuple[Vault, LocalTSA, Path, bytes]:
    vault, _recovery = make_vault()
    for n in range(3):
        vault.add_note(f"note {n}")
    tsq = tmp_path / "head.tsq"
    vault.timestamp_request(tsq)
    return vault, LocalTSA(tmp_path / "tsa"), tsq, tsq.read_bytes()


def _state(vault: Vault) -> tuple[int, int, int]:
    found = vault.timestamps()
    return len(found["tokens"]), len(found["pending"]), vault.custody_head()["seq"]


def _refused(vault: Vault, answer: Path, ca: Path | None, words: str) -> None:
    before = _state(vault)
    with pytest.raises(InvalidInput) as caught:
        vault.timestamp_add(answer, ca=ca)
    message = str(caught.value)
    assert words in message, message
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith("Nothing was changed.")
    assert _state(vault) == before


def _imprint(vault: Vault) -> bytes:
    return bytes.fromhex(vault.timestamps()["pending"][0].imprint)


def test_a_good_answer_is_kept_once(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, tsq, _request = _setup(make_vault, tmp_path)
    answer = tsa.answer(tsq)
    token = vault.timestamp_add(answer, ca=tsa.ca_pem)
    assert token.tsa == "Test TSA" and token.head_seq == 4
    assert vault.custody_log()[-1].type == "timestamp.added"
    assert vault.custody_log()[-1].details["token_sha256"] == token.token_sha256
    _refused(vault, answer, tsa.ca_pem, "already kept")


def test_a_second_answer_from_the_same_authority_needs_no_ca(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, tsa, tsq, _request = _setup(make_vault, tmp_path)
    vault.timestamp_add(tsa.answer(tsq), ca=tsa.ca_pem)
    vault.add_note("later")
    second = tmp_path / "second.tsq"
    vault.timestamp_request(second)
    assert vault.timestamp_add(tsa.answer(second)).head_seq == 6


def test_a_nonce_that_does_not_match(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, _tsq, request = _setup(make_vault, tmp_path)
    nonce = vault_nonce(request)
    other = request.replace(nonce, nonce[:-1] + bytes([nonce[-1] ^ 0x01]))
    assert other != request
    forged = tmp_path / "forged.tsq"
    forged.write_bytes(other)
    _refused(vault, tsa.answer(forged), tsa.ca_pem, "number used once does not match")


def test_an_answer_to_another_request(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, _tsq, _request = _setup(make_vault, tmp_path)
    elsewhere = tmp_path / "other.txt"
    elsewhere.write_text("something else entirely\n")
    other = tmp_path / "other.tsq"
    openssl("ts", "-query", "-data", elsewhere, "-sha256", "-cert", "-out", other)
    _refused(vault, tsa.answer(other), tsa.ca_pem, "not for any request this vault wrote")


def test_a_token_for_a_different_chain_head(make_vault: MakeVault, tmp_path: Path) -> None:
    """The vault's own nonce, but the imprint of another head: refused as another request."""
    vault, tsa, _tsq, request = _setup(make_vault, tmp_path)
    imprint = _imprint(vault)
    other = request.replace(imprint, bytes(32 - len(b"x")) + b"x")
    forged = tmp_path / "head2.tsq"
    forged.write_bytes(other)
    _refused(vault, tsa.answer(forged), tsa.ca_pem, "not for any request this vault wrote")


def test_an_altered_token(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, tsq, _request = _setup(make_vault, tmp_path)
    answer = tsa.answer(tsq)
    data = bytearray(answer.read_bytes())
    data[-10] ^= 0x01  # inside the signature, at the end of the token
    answer.write_bytes(bytes(data))
    _refused(vault, answer, tsa.ca_pem, "does not verify")


@pytest.mark.parametrize("change", ["expired", "wrong-usage", "other-root"])
def test_a_certificate_that_does_not_hold(
    make_vault: MakeVault, tmp_path: Path, change: str
) -> None:
    vault, tsa, tsq, _request = _setup(make_vault, tmp_path)
    ca = tsa.ca_pem
    if change == "expired":
        # Valid for a day that ended before the answer was made: not valid at the token's time.
        tsa.sign_tsa_certificate(days=-1)
    elif change == "other-root":
        ca = LocalTSA(tmp_path / "stranger", name="Stranger").ca_pem
    if change == "wrong-usage":
        answer = tsa.answer_signed_by_wrong_usage(tsq)
        data = vault_statement(vault)
        with pytest.raises(proof.ProofRefused, match="certificate verify error"):
            proof.check_answer(
                answer.read_bytes(),
                data,
                nonce=None,
                trusted=proof.load_certificates(ca.read_bytes()),
            )
    else:
        answer = tsa.answer(tsq)
    _refused(vault, answer, ca, "does not verify")


def test_not_an_answer_at_all(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, _tsq, _request = _setup(make_vault, tmp_path)
    junk = tmp_path / "junk.tsr"
    junk.write_bytes(b"\x30\x03\x02\x01\x00" + b"not a token")
    _refused(vault, junk, tsa.ca_pem, "not an answer from a time-stamping authority")


def test_without_the_authority_certificates(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, tsa, tsq, _request = _setup(make_vault, tmp_path)
    _refused(vault, tsa.answer(tsq), None, "give them with --ca FILE.pem")
    empty = tmp_path / "empty.pem"
    empty.write_text("no certificate here\n")
    _refused(vault, tsa.answer(tsq, tmp_path / "again.tsr"), empty, "holds no certificate")


def vault_nonce(request: bytes) -> bytes:
    """The nonce's bytes in a DER TimeStampReq as rfc3161-client writes it: the INTEGER after the
    message imprint (SEQUENCE, version, imprint SEQUENCE, nonce INTEGER, certReq BOOLEAN)."""
    tail = request[-3:]
    assert tail == b"\x01\x01\xff"  # certReq TRUE
    body = request[:-3]
    for length in range(1, 10):
        start = len(body) - length
        if body[start - 2] == 0x02 and body[start - 1] == length:
            return body[start:]
    raise AssertionError("no nonce found")


def vault_statement(vault: Vault) -> bytes:
    """The statement the pending request stamps (read back from the vault's own table)."""
    row = vault.session.conn.execute("SELECT statement FROM timestamp_requests").fetchone()
    return bytes(row[0])
