"""What each target does with one input, and the oracle that judges it (run in the worker).

The rule the whole program promises: bad input loses nothing and never shows a traceback. So for
every target an ``EvaultError`` is a correct refusal, and anything else escaping is a failure. On
top of that, per target:

- importers: a refused import leaves the vault's item count and custody log exactly as they were
  (no partial import), and after an accepted one the full integrity check (``Vault.check``) passes;
- images: ``describe``, ``perceptual_hash`` and ``preview`` promise ``None`` for a bad picture, so
  for them even an ``EvaultError`` is a failure;
- verify and keys: a refusal or a verdict, nothing else.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tests.fuzz.seeds import KIND_FILES, PASSPHRASE

if TYPE_CHECKING:
    from vault import Vault

IMPORTERS = ("telegram", "whatsapp", "meta", "email")
RESET_EVERY = 25  # accepted imports before the worker starts again from an empty vault
RESET_ITEMS = 2000  # or items: the check after each import re-hashes all of them


class OracleFailure(Exception):
    """The code under test broke a promise without raising (a partial import, a failed check)."""


def place(work: Path, kind: str, data: bytes) -> Path:
    """Put one input on disk where the code under test reads it; a ``dir`` input is unpacked."""
    inbox = work / "in"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir()
    target = inbox / KIND_FILES[kind]
    if kind != "dir":
        target.write_bytes(data)
        return target
    target.mkdir()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                parts = PurePosixPath(info.filename.replace("\\", "/")).parts
                if (
                    not parts
                    or any(p in ("..", "") or "\x00" in p for p in parts)
                    or info.filename.startswith("/")
                ):
                    continue
                dest = target.joinpath(*parts)
                try:
                    if info.is_dir():
                        dest.mkdir(parents=True, exist_ok=True)
                    else:
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        dest.write_bytes(zf.read(info))
                except (OSError, ValueError):  # a name the file system refuses: leave it out
                    continue
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass  # the container itself is only a carrier: an empty folder is still an input
    return target


class Runner:
    """One target in one worker process: ``run(kind, data)`` raises on a failure."""

    def __init__(self, target: str, work: Path, shared: Path) -> None:
        self.target = target
        self.work = work
        self.shared = shared  # the parent's folder: template vault, identity, recovery key
        self.vault: Vault | None = None  # the importers' vault, loaded in the worker only
        self.accepted = 0
        self.items = 0
        self.evidence: list[tuple[str, str]] | None = None  # verify: what the seed bundle holds

    def run(self, kind: str, data: bytes) -> None:
        from vault.errors import EvaultError

        if self.target == "images":
            self._images(data)
            return
        path = place(self.work, kind, data)
        try:
            if self.target in IMPORTERS:
                self._import(path)
            elif self.target == "verify":
                self._verify(kind, path)
            elif self.target == "keys":
                self._keys(path)
            else:
                raise ValueError(f"unknown target {self.target}")
        except EvaultError:
            pass  # a calm refusal is the right answer to a bad input

    # ------------------------------------------------------------------ targets

    def _images(self, data: bytes) -> None:
        from vault.media import imaging

        imaging.describe(data)
        imaging.perceptual_hash(data)
        imaging.preview(data, 40, 12)

    def _open_vault(self) -> Vault:
        from crypto.kdf import Argon2Params
        from vault import Vault

        if self.vault is None or self.accepted >= RESET_EVERY or self.items > RESET_ITEMS:
            self._close()
            folder = self.work / "vault"
            if folder.exists():
                shutil.rmtree(folder)
            fast = Argon2Params(memory_kib=1024, iterations=1, parallelism=1)
            self.vault, _ = Vault.create(folder, PASSPHRASE, kdf=lambda: fast)
            self.accepted = self.items = 0
        assert self.vault is not None
        return self.vault

    def _import(self, path: Path) -> None:
        from vault import ImportOptions
        from vault.errors import EvaultError

        vault = self._open_vault()

        def state() -> tuple[int, object]:
            return vault.count_items(), vault.custody_head()["seq"]

        before = state()
        options = ImportOptions(timezone="Asia/Baku" if self.target == "whatsapp" else None)
        try:
            vault.import_export(self.target, path, options)
        except EvaultError:
            after = state()
            if after != before:
                raise OracleFailure(
                    f"partial import: (items, custody seq) {before} -> {after} after a refusal"
                ) from None
            raise
        self.accepted += 1
        self.items = vault.count_items()
        report = vault.check()
        if not report.ok:
            raise OracleFailure(f"check failed after an accepted import: {report.problems[:3]}")
        self._same_text_read_again(path, options.timezone)

    def _same_text_read_again(self, path: Path, timezone: str | None) -> None:
        """Every message's text, read again from its stored original as a bundle's report and
        the app do (vault.imports.readable), is the text the import read."""
        from vault.imports import registry
        from vault.imports.messages import raw_bytes
        from vault.imports.parsers.records import ImportedMessage
        from vault.imports.parsers.source import ExportSource
        from vault.imports.readable import readable_text

        if self.target not in ("telegram", "meta", "email"):
            return
        parser = registry.importer(self.target).parser()
        with ExportSource(path) as source:
            for record in parser.parse(source, timezone=timezone):
                if not isinstance(record, ImportedMessage):
                    continue
                again = readable_text(
                    self.target,
                    raw_bytes(record.raw),
                    record.transformations,
                    chat_key=record.chat_key,
                )
                if again != record.text:
                    raise OracleFailure(
                        f"text read again differs: {again!r:.80} != {record.text!r:.80}"
                    )

    def _verify(self, kind: str, path: Path) -> None:
        from vault import verify_bundle

        if kind == "sealed-zip":  # anyone may encrypt a ZIP of their making to the lawyer
            _seal_to_identity(path, self.shared / "identity.txt")
            kind = "age"
        identities = [self.shared / "identity.txt"] if kind == "age" else []
        out = self.work / "in" / "decrypted.zip"
        key = (self.shared / "fingerprint.txt").read_text()
        if self.evidence is None:  # what the unchanged bundle holds
            seed = verify_bundle(self.shared / "bundle.zip", key=key).result
            self.evidence = sorted((i.path, i.sha256) for i in seed.items)
        if kind == "age":
            self._same_in_place(path, key, identities)
        result = verify_bundle(path, key=key, identities=identities, decrypted_out=out).result
        evidence = sorted((i.path, i.sha256) for i in result.items)
        if result.ok and evidence != self.evidence:
            raise OracleFailure(f"a changed bundle was verified: its evidence is {evidence}")

    def _same_in_place(self, path: Path, key: str, identities: list[Path]) -> None:
        """An encrypted bundle read in place (``--no-decrypted-copy``) gets the verdict of its
        decrypted copy: both refused, or the same checks and items."""
        from vault import verify_bundle
        from vault.errors import EvaultError

        def outcome(copy_to: Path | None) -> object:
            try:
                result = verify_bundle(
                    path,
                    key=key,
                    identities=identities,
                    decrypted_out=copy_to,
                    keep_decrypted=copy_to is not None,
                ).result
            except EvaultError as exc:
                return ("refused", type(exc).__name__)
            return (
                [(c.name, c.ok) for c in result.checks],
                [(i.path, i.sha256, i.ok) for i in result.items],
                result.bundle_sha256,
            )

        copy = self.work / "in" / "in-place-check.zip"
        in_place = outcome(None)
        with_copy = outcome(copy)
        copy.unlink(missing_ok=True)
        if in_place != with_copy:
            raise OracleFailure(
                f"read in place: {str(in_place)[:300]}; decrypted first: {str(with_copy)[:300]}"
            )

    def _keys(self, path: Path) -> None:
        from vault import Vault
        from vault.errors import EvaultError

        folder = self.work / "vault"
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.shared / "template", folder)
        shutil.copyfile(path, folder / "vault.keys")
        recovery = (self.shared / "recovery.txt").read_text()
        with contextlib.suppress(EvaultError):  # the recovery slot is a second way in: try both
            Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0).close()
        Vault.open(folder, recovery_key=recovery, lock_wait=0).close()

    def _close(self) -> None:
        if self.vault is not None:
            self.vault.close()
        self.vault = None


def _seal_to_identity(path: Path, identity_file: Path) -> None:
    """Replace the ZIP at ``path`` with its age encryption to the identity's recipient."""
    import pyrage

    from crypto import agestream

    secret = next(
        line for line in identity_file.read_text().splitlines() if line.startswith("AGE-SECRET")
    )
    recipient = str(pyrage.x25519.Identity.from_str(secret).to_public())
    plain = path.read_bytes()
    with path.open("wb") as out:
        agestream.encrypt_stream(io.BytesIO(plain), out, [recipient])
