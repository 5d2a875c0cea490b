"""The issuers of client certificates (X-C1, ADR 35): the designated issuer's CA, which every
registered certificate must be signed by, and the sandbox's built-in CA, which stands in for it
outside production, issues demo certificates and signs the CRL the proxy reads.

- `issuer_certificates()`: the CA certificates a client certificate is checked against —
  `KOUIKI_CLIENT_CA_CERT` (a PEM file, several certificates allowed), else, outside production,
  the built-in CA (made once under `KOUIKI_CLIENT_CA_DIR`).
- `issue_bundle(...)`: a key and certificate from the built-in CA, as a PKCS#12 file with a password.
- `publish_crl()`: the built-in CA's CRL listing every revoked certificate it issued, written to
  `KOUIKI_CLIENT_CRL_PATH` for the proxy. With the designated issuer's CA the issuer publishes its
  own CRL (docs/operations.md says how nginx reads both); the app refuses a revoked certificate
  itself in either case.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from kouiki.core.errors import ValidationFailed
from kouiki.identity.choices import CertificateState

logger = logging.getLogger(__name__)

CA_KEY = "ca.key"
CA_CERT = "ca.pem"
CA_NAME = "Kouiki Sandbox Client CA"
CA_YEARS = 10
# A demo certificate's validity: a year, as the designated issuer's usually are.
CLIENT_DAYS = 365
NOT_CONFIGURED = (
    "指定発行者の証明書（KOUIKI_CLIENT_CA_CERT）が設定されていないため、クライアント証明書を確認できません。"
    "本機関のシステム管理者にお問い合わせください。"
)


@dataclass(frozen=True)
class BuiltInCA:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate


def uses_built_in_ca() -> bool:
    """Whether the built-in CA stands for the designated issuer: the sandbox (not production) with no
    issuer configured."""
    return not settings.KOUIKI_CLIENT_CA_CERT and not settings.PRODUCTION


def issuer_certificates() -> list[x509.Certificate]:
    """The CA certificates a client certificate must be issued by; ValidationFailed when none is set."""
    if settings.KOUIKI_CLIENT_CA_CERT:
        return x509.load_pem_x509_certificates(Path(settings.KOUIKI_CLIENT_CA_CERT).read_bytes())
    if uses_built_in_ca():
        return [built_in_ca().certificate]
    raise ValidationFailed(NOT_CONFIGURED, field="pem")


def ca_directory() -> Path:
    return Path(settings.KOUIKI_CLIENT_CA_DIR)


def built_in_ca() -> BuiltInCA:
    """The sandbox's CA: made once (key and self-signed certificate), then read from its directory.
    Two processes making it at once: one directory wins the rename, the other reads it."""
    directory = ca_directory()
    if not (directory / CA_CERT).exists():
        _make_ca(directory)
    key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):  # pragma: no cover - we wrote it
        raise TypeError("the built-in CA's key is not an EC key")
    return BuiltInCA(key=key, certificate=x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes()))


def _make_ca(directory: Path) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kouiki Sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    staging = Path(tempfile.mkdtemp(prefix=".ca-", dir=directory.parent))
    key_file = staging / CA_KEY
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    (staging / CA_CERT).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    staging.chmod(0o755)
    try:
        staging.rename(directory)
    except OSError:
        # Another process made it first (or the directory holds other files: the CRL): keep ours
        # only when the directory has no CA yet.
        if not (directory / CA_CERT).exists():
            directory.mkdir(parents=True, exist_ok=True)
            os.replace(key_file, directory / CA_KEY)
            os.replace(staging / CA_CERT, directory / CA_CERT)
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()
    logger.info("client certificates: built-in sandbox CA made in %s", directory)


@dataclass(frozen=True)
class Bundle:
    """A certificate issued by the built-in CA with its key: the PKCS#12 file (encrypted with
    `password`, shown once) and the certificate's PEM (registered)."""

    pem: str
    pkcs12: bytes
    password: str


def issue_bundle(*, common_name: str, organization_name: str, organization_code: str) -> Bundle:
    """A client certificate and key from the built-in CA (the sandbox only)."""
    if not uses_built_in_ca():
        raise ValidationFailed(
            "クライアント証明書の発行は、サンドボックス環境でのみ利用できます。本番環境では本機関が指定する者から取得してください。"
        )
    ca = built_in_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organization_code),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CLIENT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(12)
    bundle = pkcs12.serialize_key_and_certificates(
        name=common_name.encode(),
        key=key,
        cert=certificate,
        cas=[ca.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
    )
    return Bundle(
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode(), pkcs12=bundle, password=password
    )


def publish_crl() -> Path | None:
    """Write the built-in CA's CRL (every certificate it issued that was revoked here) to
    `KOUIKI_CLIENT_CRL_PATH`, atomically; None when the designated issuer publishes its own."""
    from kouiki.identity.models import ClientCertificate

    if not uses_built_in_ca():
        return None
    ca = built_in_ca()
    issuer = ca.certificate.subject.rfc4514_string()
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=settings.KOUIKI_CLIENT_CRL_DAYS))
    )
    revoked = ClientCertificate.objects.filter(state=CertificateState.REVOKED, issuer=issuer)
    for serial, revoked_at in revoked.values_list("serial", "revoked_at"):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at or now)
            .build()
        )
    crl = builder.sign(ca.key, hashes.SHA256())
    path = Path(settings.KOUIKI_CLIENT_CRL_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=".crl-", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(crl.public_bytes(serialization.Encoding.PEM))
    os.chmod(staging, 0o644)
    os.replace(staging, path)
    logger.info("client certificates: CRL with %d revoked published to %s", len(crl), path)
    return path
