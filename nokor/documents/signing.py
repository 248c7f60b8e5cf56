"""PAdES signatures on issued documents, with the ministry's key (or a demo CA made on the spot).

Production points ``NOKOR_SIGNING_KEY_FILE``, ``NOKOR_SIGNING_CERT_FILE`` and ``NOKOR_SIGNING_CHAIN_FILE``
at PEM files issued by the government's certification authority. Demo and test installations make their
own with ``manage.py documents_demo_ca`` (:func:`create_demo_ca`).

pyHanko's synchronous API runs ``asyncio.run`` inside, which fails in a thread that already runs an
event loop (Playwright's tests, any async view): :func:`sign_pdf` then signs in a helper thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

DEMO_CA_NAME = "Nokor Demo Root CA"
DEMO_SIGNER_NAME = "Ministry of Interior – Nokor demo signing"
# id-kp-documentSigning (RFC 9336) and e-mail protection: NSS (Poppler's pdfsig, Firefox, Thunderbird)
# checks signing certificates for the latter; the former says what the certificate is for.
_EKU_DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"


class SigningUnavailable(RuntimeError):
    """The signing key, certificate or chain is missing or cannot be read."""


@dataclass(frozen=True)
class SigningPaths:
    key: Path
    cert: Path
    chain: Path

    @classmethod
    def from_settings(cls) -> SigningPaths:
        return cls(
            key=Path(settings.SIGNING_KEY_FILE),
            cert=Path(settings.SIGNING_CERT_FILE),
            chain=Path(settings.SIGNING_CHAIN_FILE),
        )


def load_signer(paths: SigningPaths | None = None) -> Any:
    """The pyHanko signer made from the configured PEM files; SigningUnavailable says what is wrong."""
    from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder, load_private_key_from_pemder
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    paths = paths or SigningPaths.from_settings()
    missing = [
        f"{name} ({path})"
        for name, path in (("key", paths.key), ("certificate", paths.cert))
        if not path.is_file()
    ]
    if missing:
        raise SigningUnavailable(
            "Cannot sign documents: missing signing "
            + ", ".join(missing)
            + ". Set NOKOR_SIGNING_KEY_FILE and NOKOR_SIGNING_CERT_FILE (production) "
            "or run `manage.py documents_demo_ca` (demo)."
        )
    passphrase = settings.SIGNING_KEY_PASSPHRASE.encode() if settings.SIGNING_KEY_PASSPHRASE else None
    try:
        key = load_private_key_from_pemder(str(paths.key), passphrase=passphrase)
        cert = load_cert_from_pemder(str(paths.cert))
        chain = list(load_certs_from_pemder([str(paths.chain)])) if paths.chain.is_file() else []
    except (OSError, ValueError, TypeError) as exc:
        raise SigningUnavailable(f"Cannot read the signing key or certificates: {exc}") from exc
    if _public_key_der(key) != cert.public_key.dump():
        raise SigningUnavailable(
            f"The signing key {paths.key} does not belong to the certificate {paths.cert}."
        )
    registry = SimpleCertificateStore()
    registry.register_multiple(chain)
    return SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=registry)


def _public_key_der(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_der_private_key(key.dump(), password=None)
    return private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign_pdf(pdf: bytes, *, signer: Any, reason: str, location: str) -> bytes:
    """`pdf` with a PAdES baseline signature (B-B) added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name="MinistrySignature",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
        return out.getvalue()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop runs here: pyHanko's asyncio.run would fail
        return pool.submit(sign).result()


# --------------------------------------------------------------------------------------------------
# Demo certification authority
# --------------------------------------------------------------------------------------------------
def create_demo_ca(paths: SigningPaths | None = None) -> list[Path]:
    """Make (once) a demo root CA and a signing certificate it issued, at the configured paths.

    Idempotent: files that exist are kept; the signing certificate is made only when the key or the
    certificate is missing. The CA's private key is kept next to the chain file (``demo-ca-key.pem``) so
    a later run can issue a new signing certificate under the same root. Returns the files written.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    paths = paths or SigningPaths.from_settings()
    ca_key_path = paths.chain.parent / "demo-ca-key.pem"
    written: list[Path] = []
    now = dt.datetime.now(tz=dt.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "KH"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ministry of Interior (demo)"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    def write(path: Path, data: bytes, *, secret: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        written.append(path)

    def pem_key(key: rsa.RSAPrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    if paths.chain.is_file() and ca_key_path.is_file():
        ca_cert = x509.load_pem_x509_certificate(paths.chain.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    else:
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name(DEMO_CA_NAME))
            .issuer_name(name(DEMO_CA_NAME))
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        write(ca_key_path, pem_key(ca_key), secret=True)
        write(paths.chain, ca_cert.public_bytes(serialization.Encoding.PEM))
        # A new root invalidates any signing certificate made under an older one.
        for stale in (paths.key, paths.cert):
            stale.unlink(missing_ok=True)

    if not (paths.key.is_file() and paths.cert.is_file()):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(DEMO_SIGNER_NAME))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [x509.ObjectIdentifier(_EKU_DOCUMENT_SIGNING), ExtendedKeyUsageOID.EMAIL_PROTECTION]
                ),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        write(paths.key, pem_key(key), secret=True)
        write(paths.cert, cert.public_bytes(serialization.Encoding.PEM))
    return written
