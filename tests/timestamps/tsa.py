"""A real, throw-away RFC 3161 time-stamping authority made with the ``openssl`` command.

A root CA and a TSA certificate (extended key usage timeStamping, critical) are made in the test's
folder; ``answer`` runs ``openssl ts -reply`` on a request file, as a public TSA would.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

CONFIG = """\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = {cn}
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ tsa_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ wrong_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {folder}
serial = {folder}/serial
crypto_device = builtin
signer_cert = {folder}/tsa.pem
signer_key = {folder}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _der(pem: Path) -> bytes:
    return openssl("x509", "-in", pem, "-outform", "DER").stdout


def openssl(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["openssl", *map(str, args)], check=True, capture_output=True, cwd=cwd, timeout=60
    )


class LocalTSA:
    """A root CA and a TSA signing certificate in ``folder``; ``ca_pem`` is the root."""

    def __init__(self, folder: Path, name: str = "Test TSA", usage: str = "tsa_ext") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.name = name
        self.config = folder / "tsa.cnf"
        self.config.write_text(CONFIG.format(cn=name, folder=folder))
        (folder / "serial").write_text("01\n")
        self.ca_pem = folder / "ca.pem"
        key = "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"
        openssl(
            "req",
            "-x509",
            *key,
            "-keyout",
            folder / "ca.key",
            "-out",
            self.ca_pem,
            "-days",
            "30",
            "-config",
            self.config,
            "-extensions",
            "ca_ext",
            "-subj",
            f"/CN={name} Root",
        )
        openssl(
            "req",
            "-new",
            *key,
            "-keyout",
            folder / "tsa.key",
            "-out",
            folder / "tsa.csr",
            "-config",
            self.config,
            "-subj",
            f"/CN={name}",
        )
        self.sign_tsa_certificate(usage=usage)

    def sign_tsa_certificate(
        self, *, usage: str = "tsa_ext", days: int = 10, out: Path | None = None
    ) -> Path:
        """(Re)issue the TSA certificate from the root (always serial 4660, the same key)."""
        target = out or self.folder / "tsa.pem"
        openssl(
            "x509",
            "-req",
            "-in",
            self.folder / "tsa.csr",
            "-CA",
            self.ca_pem,
            "-CAkey",
            self.folder / "ca.key",
            "-set_serial",
            "4660",
            "-days",
            str(days),
            "-out",
            target,
            "-extfile",
            self.config,
            "-extensions",
            usage,
        )
        return target

    def answer_signed_by_wrong_usage(self, tsq: Path) -> Path:
        """An answer whose signing certificate is for code signing, not time-stamping.

        openssl will not sign a time-stamp with such a certificate, so the answer is made with
        the right one and then the embedded certificate is swapped for a code-signing one of the
        same key, serial and length (reissued until its signature has the same length): the
        signature still verifies under that key; only the certificate's usage is wrong."""
        answer = self.answer(tsq)
        good = _der(self.folder / "tsa.pem")
        for _attempt in range(50):
            wrong = _der(self.sign_tsa_certificate(usage="wrong_ext", out=self.folder / "w.pem"))
            if len(wrong) == len(good):
                break
        else:  # pragma: no cover - each attempt has about an even chance
            raise AssertionError("no same-length certificate")
        data = answer.read_bytes()
        assert data.count(good) == 1
        answer.write_bytes(data.replace(good, wrong))
        return answer

    def answer(self, tsq: Path, tsr: Path | None = None) -> Path:
        """``openssl ts -reply``: the authority's answer to a request file."""
        out = tsr or tsq.with_suffix(".tsr")
        openssl("ts", "-reply", "-config", self.config, "-queryfile", tsq, "-out", out)
        return out

    def verify(self, data: Path, tsr: Path) -> subprocess.CompletedProcess[bytes]:
        """``openssl ts -verify -data … -in … -CAfile …``, as a lawyer runs it (not checked)."""
        return subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-data",
                str(data),
                "-in",
                str(tsr),
                "-CAfile",
                str(self.ca_pem),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
