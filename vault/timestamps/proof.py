"""RFC 3161 proof of time over the custody chain, without a vault and without a network.

Pure functions shared by the vault (making a request, checking the answer before keeping it) and by
bundle verification (a lawyer's copy of evault checking ``timestamps/<n>.tsr`` against
``timestamps/<n>.data``). What is stamped is the *chain statement* (docs/format.md §5.7): a short
ASCII text naming the vault and listing the sequence number and hash of every custody event up to
the newest one (the head). Its SHA-256 is the request's message imprint, so ``openssl ts -verify
-data N.data -in N.tsr -CAfile chain.pem`` checks a token with stock tools, and anyone can read in
the same file which events it covers.

Why the whole list rather than the head's hash alone: a bundle carries only the events of its
items, so the links from an item's event up to a head it does not hold cannot be followed. With
every hash listed, a lawyer finds the item's own event hash in the stamped text (``grep``) and is
done; the hashes of other events say nothing about them (each body holds a random id).

The token's signature and certificate chain are checked with ``rfc3161-client`` (Trail of Bits, on
pyca/cryptography), at the token's own time (``genTime``): a TSA certificate that has expired since
still proves what it signed then. Nothing here parses ASN.1 by hand.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

HEADER = "evault custody chain statement v1"
MAX_TOKEN_BYTES = 64 * 1024  # real tokens are a few KiB: a certificate chain and one signature
MAX_CA_BYTES = 256 * 1024
MAX_STATEMENT_BYTES = 16 * 1024 * 1024  # about 200,000 events
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")
_UUID_RE = re.compile(r"^[0-9a-f-]{36}$")


class ProofRefused(Exception):
    """Why an answer or statement is not accepted; ``reason`` is a short code the caller turns
    into one calm sentence ("mismatch", "nonce", "signature", "unreadable", "no-roots",
    "statement")."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Statement:
    """What a chain statement says: the vault, its head, and every event hash up to it."""

    vault_id: str
    head_seq: int
    head_hash: str
    hashes: dict[int, str]


@dataclass(frozen=True)
class Stamp:
    """A checked token: when, by whom, over which imprint."""

    gen_time: str  # ISO 8601 UTC, seconds (or finer, as the TSA gave it)
    tsa: str  # the signing certificate's subject, RFC 4514
    serial: int
    imprint: str  # hex SHA-256 of the statement
    nonce: int | None
    token_sha256: str


def statement(vault_id: str, hashes: list[tuple[int, str]]) -> bytes:
    """The exact bytes that are stamped. ``hashes``: (seq, hash) of events 1..head, in order."""
    if not hashes:
        raise ProofRefused("statement", "the custody log is empty")
    head_seq, head_hash = hashes[-1]
    lines = [
        HEADER,
        f"vault_id {vault_id}",
        f"head_seq {head_seq}",
        f"head_hash {head_hash}",
        *(f"{seq} {digest}" for seq, digest in hashes),
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def parse_statement(data: bytes) -> Statement:
    """Read a chain statement; ProofRefused("statement") unless it is exactly in the form
    :func:`statement` writes (so the same facts cannot be written two ways)."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise ProofRefused("statement", "too large")
    try:
        lines = data.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise ProofRefused("statement", "not ASCII") from None
    if len(lines) < 6 or lines[0] != HEADER or lines[-1] != "":
        raise ProofRefused("statement", "not a chain statement")
    try:
        vault_id = _field(lines[1], "vault_id")
        head_seq = int(_field(lines[2], "head_seq"))
        head_hash = _field(lines[3], "head_hash")
        hashes: dict[int, str] = {}
        for number, line in enumerate(lines[4:-1], 1):
            seq_text, _sep, digest = line.partition(" ")
            if seq_text != str(number) or not _HASH_RE.match(digest):
                raise ValueError(line)
            hashes[number] = digest
    except ValueError:
        raise ProofRefused("statement", "malformed line") from None
    if (
        not _UUID_RE.match(vault_id)
        or head_seq != len(hashes)
        or hashes.get(head_seq) != head_hash
        or statement(vault_id, list(hashes.items())) != data
    ):
        raise ProofRefused("statement", "inconsistent")
    return Statement(vault_id, head_seq, head_hash, hashes)


def _field(line: str, name: str) -> str:
    key, _sep, value = line.partition(" ")
    if key != name or not value:
        raise ValueError(line)
    return value


def make_request(data: bytes) -> tuple[bytes, int]:
    """A DER ``TimeStampReq`` over SHA-256(data), with a random nonce and certReq true."""
    request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    nonce = request.nonce
    if nonce is None:  # pragma: no cover - the builder was asked for one
        raise ProofRefused("unreadable", "no nonce")
    return request.as_bytes(), int(nonce)


def read_answer(tsr: bytes) -> tuple[str, int | None]:
    """(hex imprint, nonce) of a response, unverified: to find which request it answers."""
    if not tsr or len(tsr) > MAX_TOKEN_BYTES:
        raise ProofRefused("unreadable", "size")
    try:
        response = decode_timestamp_response(tsr)
        info = response.tst_info
        imprint = info.message_imprint.message.hex()
        nonce = info.nonce
    except (ValueError, TypeError, VerificationError) as exc:
        raise ProofRefused("unreadable", type(exc).__name__) from None
    return imprint, (int(nonce) if nonce is not None else None)


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM file (a CA bundle, a chain); ProofRefused if none is readable."""
    if len(pem) > MAX_CA_BYTES:
        raise ProofRefused("no-roots", "file too large")
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise ProofRefused("no-roots", "no certificate") from None
    return certificates


def check_answer(
    tsr: bytes, data: bytes, *, nonce: int | None, trusted: list[x509.Certificate]
) -> Stamp:
    """Verify a response over exactly ``data``: granted, the nonce (if given), the imprint, the
    signature, and a certificate chain from a signer with the timeStamping usage up to one of the
    self-signed certificates in ``trusted`` (the others serve as intermediates), valid at the
    token's own time. ProofRefused says which of these failed."""
    imprint, answered_nonce = read_answer(tsr)
    if imprint != hashlib.sha256(data).hexdigest():
        raise ProofRefused("mismatch")
    if nonce is not None and answered_nonce != nonce:
        raise ProofRefused("nonce")
    roots = [c for c in trusted if c.issuer == c.subject]
    if not roots:
        raise ProofRefused("no-roots")
    builder = VerifierBuilder()
    seen: set[bytes] = set()
    for certificate in trusted:
        der = certificate.public_bytes(Encoding.DER)
        if der in seen:
            continue
        seen.add(der)
        if certificate in roots:
            builder = builder.add_root_certificate(certificate)
        else:
            builder = builder.add_intermediate_certificate(certificate)
    if nonce is not None:
        builder = builder.nonce(nonce)
    response = decode_timestamp_response(tsr)
    try:
        builder.build().verify_message(response, data)
    except (VerificationError, ValueError) as exc:
        raise ProofRefused("signature", str(exc)[:200]) from None
    info = response.tst_info
    return Stamp(
        gen_time=iso_utc(info.gen_time),
        tsa=_signer_name(response),
        serial=int(info.serial_number),
        imprint=imprint,
        nonce=answered_nonce,
        token_sha256=hashlib.sha256(tsr).hexdigest(),
    )


def iso_utc(moment: datetime) -> str:
    """``2026-12-07T10:51:02Z`` (the TSA's precision beyond seconds is dropped: it is shown)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signer_name(response: object) -> str:
    """The subject of the certificate that signed (matched by issuer and serial, as the
    signature covers them); its common name if it has one."""
    signed = response.signed_data  # type: ignore[attr-defined]
    infos = list(signed.signer_infos)
    for der in signed.certificates:
        certificate = x509.load_der_x509_certificate(der)
        for info in infos:
            if (
                certificate.issuer == info.issuer
                and certificate.serial_number == info.serial_number
            ):
                names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
                if names:
                    return str(names[0].value)
                return certificate.subject.rfc4514_string()
    return "?"
