"""Key derivation: Argon2id for passphrases, HKDF-SHA256 for high-entropy secrets.

Argon2id parameters are calibrated once, when a slot is created, on the machine that creates it, and
stored in the slot. When a slot is read back its parameters are untrusted: :meth:`Argon2Params.checked`
refuses anything beyond the caps in :mod:`crypto.constants` before any memory is allocated.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto import constants as c
from crypto.errors import ParameterError


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters (RFC 9106 names: m in KiB, t passes, p lanes)."""

    memory_kib: int
    iterations: int
    parallelism: int

    def checked(self) -> Argon2Params:
        """Return self if every parameter is within the caps, else raise :class:`ParameterError`."""
        for value in (self.memory_kib, self.iterations, self.parallelism):
            if type(value) is not int:
                raise ParameterError("The key file has key-derivation settings of the wrong type.")
        if not 1 <= self.parallelism <= c.MAX_PARALLELISM:
            raise ParameterError("The key file asks for an unreasonable key-derivation setting.")
        if not 1 <= self.iterations <= c.MAX_ITERATIONS:
            raise ParameterError("The key file asks for an unreasonable key-derivation setting.")
        if not 8 * self.parallelism <= self.memory_kib <= c.MAX_MEMORY_KIB:
            raise ParameterError("The key file asks for an unreasonable key-derivation setting.")
        if self.memory_kib * self.iterations > c.MAX_COST_KIB:  # bounds one unlock's time
            raise ParameterError("The key file asks for an unreasonable key-derivation setting.")
        return self


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC-normalise and encode, so the same passphrase typed on any keyboard gives the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def argon2id(secret: bytes, salt: bytes, params: Argon2Params) -> bytes:
    """Derive 32 bytes with Argon2id (version 0x13) after checking the parameters against the caps."""
    params.checked()
    if not c.MIN_SALT_BYTES <= len(salt) <= c.MAX_SALT_BYTES:
        raise ParameterError("The key file has a salt of the wrong size.")
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
        version=c.ARGON2_VERSION,
    )


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869) extract-and-expand."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def available_memory_bytes() -> int | None:
    """Memory the OS says is available now, or None where it cannot tell (then assume plenty)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def production_memory_kib(available: int | None) -> int:
    """256 MiB unless the machine has too little memory; never below 64 MiB."""
    if available is not None and available < c.LOW_MEMORY_THRESHOLD_BYTES:
        return max(c.LOW_MEMORY_FLOOR_KIB, min(c.PROD_MIN_MEMORY_KIB, available // 1024 // 8))
    return c.PROD_MIN_MEMORY_KIB


def calibrate(
    *,
    target_seconds: float = c.TARGET_SECONDS_MIN,
    available: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Argon2Params:
    """Choose production Argon2id parameters for this machine (see docs/format.md §2.2).

    Memory is fixed at 256 MiB (less only on a machine with little memory); iterations are raised
    until one derivation takes at least ``target_seconds``. Raising iterations rather than memory
    keeps the vault openable on the smaller laptops a defender may later move it to. Iterations
    never go past what a reader accepts (``MAX_ITERATIONS``, and ``MAX_COST_KIB`` for memory
    times passes), so no computer, however fast, writes a slot another copy of evault refuses.
    """
    if available is None:
        available = available_memory_bytes()
    memory = production_memory_kib(available)
    most = min(c.MAX_ITERATIONS, c.MAX_COST_KIB // memory)
    salt = os.urandom(c.SALT_BYTES)
    iterations = 1
    while True:
        params = Argon2Params(memory, iterations, c.PROD_PARALLELISM)
        start = clock()
        argon2id(b"calibration", salt, params)
        elapsed = max(clock() - start, 1e-6)
        if elapsed >= target_seconds or iterations >= most:
            return params
        # Time grows linearly with iterations: jump close to the target, then step.
        estimate = int(iterations * target_seconds / elapsed)
        iterations = min(most, max(iterations + 1, estimate))
