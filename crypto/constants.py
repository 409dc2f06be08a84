"""Every format constant in one place (algorithm names, sizes, caps, versions).

Readers treat files as untrusted: the ``MAX_*``/``MIN_*`` caps below are checked before any work is
done, so a tampered file cannot make the computer allocate or compute without bound.
"""

from typing import Final

# --- vault.keys -----------------------------------------------------------------------------
KEYS_FORMAT: Final = "evault-keys"
KEYS_VERSION: Final = 2  # what this version writes: the whole file carries a MAC
KEYS_VERSION_LEGACY: Final = 1  # read, and upgraded to KEYS_VERSION at the next unlock
MAX_KEYS_FILE_BYTES: Final = 64 * 1024
# One passphrase slot (a keyfile is a flag on it), one recovery slot, one new recovery slot
# waiting for its confirmation, and one slot for the recovery shares held by trusted people:
# evault never writes more, so a reader accepts no more.
MAX_SLOTS: Final = 4
MAX_KEY_EVENTS: Final = 32

DB_KEY_BYTES: Final = 32
SLOT_KEY_BYTES: Final = 32
SLOT_ID_BYTES: Final = 8
AEAD_NAME: Final = "chacha20-poly1305"
AEAD_NONCE_BYTES: Final = 12
AEAD_TAG_BYTES: Final = 16
SLOT_AD_PREFIX: Final = b"evault-keyslot-v1\x00"
SLOT_INFO_PASSPHRASE: Final = b"evault-slot-key-v1:passphrase"
SLOT_INFO_RECOVERY: Final = b"evault-slot-key-v1:recovery"
SLOT_INFO_SHARES: Final = b"evault-slot-key-v1:shares"
KEY_EVENTS_MAC_INFO: Final = b"evault-key-events-mac-v1"  # version 1 files only
KEYS_MAC_INFO: Final = b"evault-keys-mac-v2"
KEYS_MAC_BYTES: Final = 32
# Version 2 slots carry an unkeyed checksum, so accidental damage to a slot is told apart from a
# wrong passphrase before any key derivation (it proves nothing against a deliberate edit: the MAC
# does that, once a slot has opened).
SLOT_CHECK_PREFIX: Final = b"evault-slot-check-v2\x00"
SLOT_CHECK_BYTES: Final = 16

SLOT_KIND_PASSPHRASE: Final = "passphrase"  # noqa: S105 - a slot kind, not a secret
SLOT_KIND_RECOVERY: Final = "recovery"
SLOT_KIND_RECOVERY_PENDING: Final = "recovery-pending"  # shown, not yet confirmed
SLOT_KIND_SHARES: Final = "shares"  # the secret split among trusted people (SLIP-39)

# --- Argon2id -------------------------------------------------------------------------------
ARGON2_NAME: Final = "argon2id"
ARGON2_VERSION: Final = 19
SALT_BYTES: Final = 16
MIN_SALT_BYTES: Final = 16
MAX_SALT_BYTES: Final = 64
PROD_PARALLELISM: Final = 4
PROD_MIN_MEMORY_KIB: Final = 256 * 1024  # 256 MiB: the floor on any machine with enough memory
LOW_MEMORY_FLOOR_KIB: Final = 64 * 1024  # never below 64 MiB, even on a small machine
LOW_MEMORY_THRESHOLD_BYTES: Final = 2 * 1024**3  # below this much available memory, lower the cost
TARGET_SECONDS_MIN: Final = 0.5
TARGET_SECONDS_MAX: Final = 1.0
MAX_MEMORY_KIB: Final = 1024 * 1024  # 1 GiB: four times what calibration ever chooses
MAX_ITERATIONS: Final = 64
MAX_PARALLELISM: Final = 16
# Argon2id's work is memory x passes. The reference is the production default on a typical
# laptop (256 MiB, 4 passes); a slot may ask for at most ten times that (10 GiB-passes), so one
# unlock attempt of a tampered file is bounded (about 10 s on a 2-core test machine).
REFERENCE_COST_KIB: Final = PROD_MIN_MEMORY_KIB * 4
MAX_COST_KIB: Final = 10 * REFERENCE_COST_KIB  # memory_kib * iterations
HKDF_NAME: Final = "hkdf-sha256"

# --- recovery key ---------------------------------------------------------------------------
RECOVERY_SECRET_BYTES: Final = 20  # 160 bits
RECOVERY_CHECK_PREFIX: Final = b"evault-recovery-check-v1"
RECOVERY_GROUP: Final = 4
CROCKFORD_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# --- recovery shares (SLIP-39, crypto/shares.py) --------------------------------------------
SHARES_SECRET_BYTES: Final = 32  # 256 bits: the master secret SLIP-39 splits
SHARES_WORDS: Final = 33  # a share of a 256-bit secret: 7 words of metadata and checksum + 26
SHARES_ITERATION_EXPONENT: Final = 0  # SLIP-39's PBKDF2 stretching: the secret is random
MAX_SHARES_ITERATION_EXPONENT: Final = 0  # a slot asking for more is refused (cost cap)
SHARES_MIN_THRESHOLD: Final = 2  # one person alone never opens the vault
SHARES_MIN_COUNT: Final = 2
SHARES_MAX_COUNT: Final = 16  # SLIP-39's own limit per group
SHARES_MAX_IDENTIFIER: Final = 2**15 - 1  # SLIP-39's 15-bit set identifier

# --- identity and custody -------------------------------------------------------------------
IDENTITY_FP_PREFIX: Final = b"evault-identity-v1\x00"
FINGERPRINT_GROUPS: Final = 6
CUSTODY_SIG_PREFIX: Final = b"evault-custody-v1\x00"
CUSTODY_VERSION: Final = 1
# The salted commitment to an item event's details (docs/format.md §5.6): SHA-256 over this prefix,
# a 16-byte random salt and the canonical JSON of the details. The salt and the details are kept
# beside the event; deleting them for good (rm --purge) leaves the signed commitment.
SEALED_DETAILS_PREFIX: Final = b"evault-custody-details-v1\x00"
SEALED_SALT_BYTES: Final = 16
ACTOR_PREFIX: Final = "ed25519:"
MAX_CUSTODY_BODY_BYTES: Final = 256 * 1024

# --- vault.db -------------------------------------------------------------------------------
CIPHER_PAGE_SIZE: Final = 16384
# HMAC-SHA256 (a full 256-bit tag per page) instead of SQLCipher 4's default HMAC-SHA512: the same
# integrity for our purpose, and measurably faster intake (docs/performance.md).
CIPHER_HMAC_ALGORITHM: Final = "HMAC_SHA256"
CHUNK_SIZE: Final = 1024 * 1024

# --- minisign signatures (crypto.minisign; format: https://jedisct1.github.io/minisign/) ------
MINISIGN_KEYID_PREFIX: Final = b"evault-minisign-keyid-v1\x00"
MINISIGN_KEYID_BYTES: Final = 8
MINISIGN_PUBLIC_KEY_ALG: Final = b"Ed"  # public keys always say "Ed", whatever the signatures say
MINISIGN_SIG_ALG_PREHASHED: Final = b"ED"  # Ed25519(BLAKE2b-512(message)): the only one we accept
MINISIGN_SIG_ALG_LEGACY: Final = b"Ed"  # Ed25519(message): minisign -l; refused
MINISIGN_PREHASH_BYTES: Final = 64  # BLAKE2b-512
MINISIGN_UNTRUSTED_PREFIX: Final = "untrusted comment: "
MINISIGN_TRUSTED_PREFIX: Final = "trusted comment: "
MINISIGN_MAX_FILE_BYTES: Final = 4 * 1024  # a signature file or a public key file
# minisign reads the untrusted comment line into 1024 bytes (prefix, newline and NUL included).
MINISIGN_MAX_UNTRUSTED_COMMENT_BYTES: Final = 1000
MINISIGN_MAX_TRUSTED_COMMENT_BYTES: Final = 2048  # keeps every file we write under the cap above

# --- SSH signatures (crypto.sshsig; format: OpenSSH PROTOCOL.sshsig) -------------------------
SSHSIG_MAGIC: Final = b"SSHSIG"
SSHSIG_VERSION: Final = 1
SSH_ED25519_KEY_TYPE: Final = "ssh-ed25519"
SSHSIG_HASH_SHA512: Final = "sha512"  # what we write
SSHSIG_HASH_SHA256: Final = "sha256"  # also accepted, as OpenSSH does
SSHSIG_ARMOR_BEGIN: Final = "-----BEGIN SSH SIGNATURE-----"
SSHSIG_ARMOR_END: Final = "-----END SSH SIGNATURE-----"
SSHSIG_ARMOR_COLUMNS: Final = 70
SSHSIG_MAX_ARMORED_BYTES: Final = 8 * 1024
SSH_MAX_PUBLIC_KEY_LINE_BYTES: Final = 4 * 1024
SSH_MAX_NAME_CHARS: Final = 256  # principals and namespaces we write into allowed_signers
SSH_FINGERPRINT_PREFIX: Final = "SHA256:"
