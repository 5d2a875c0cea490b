"""Client certificates (X-C1, ADR 35): one per client (terminal) of a participant, for the switching
and capacity systems (seed 001/002 3.1).

The participant's administrator registers a certificate the designated issuer issued (its PEM) —
in the sandbox it may have the built-in CA issue one — and staff approve or reject it. A lost or
stolen certificate is reported by the administrator (seed 001 3.4.2) and revoked at once; staff
may revoke one too. Every step is audited, and every revocation republishes the CRL.

With `KOUIKI_CLIENT_CERTIFICATES=required`, `refusal(request, user, system)` is what the screens
(identity.middleware) and the API (services.tokens.authenticate_bearer) ask: the certificate the
proxy verified must be an active certificate of the user's organization.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import catalog
from kouiki.core.caching import Generation, LocalCache
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.request_context import from_trusted_proxy
from kouiki.core.systems import System
from kouiki.identity.access import is_administrator, is_participant, require_staff_role
from kouiki.identity.choices import CertificateState, StaffRole
from kouiki.identity.models import ClientCertificate, User
from kouiki.identity.services import certificate_authority

# The systems a client certificate is for (seed 001 and 002 3.1; the member system has none).
SYSTEMS = (System.SWITCHING, System.CAPACITY)
ADMIN_ONLY = "クライアント証明書の登録・紛失等の報告は、貴社の管理者が行います。"
MAX_PEM_BYTES = 64 * 1024
# The proxy's headers (deploy/nginx/kouiki.conf): the verified certificate, URL-escaped PEM
# ($ssl_client_escaped_cert), and nginx's verification result ($ssl_client_verify).
CERT_HEADER = "X-Client-Cert"
VERIFY_HEADER = "X-Client-Verify"
# The access generation (services.tokens.ACCESS): a decision or revocation changes it, so every
# process reads the organization's active certificates again on its next request.
ACCESS = Generation("access")
_PEM_BODY = re.compile(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


# The back-office roles that decide on and revoke certificates (the area of the back office is open to
# them: kouiki.backoffice.urls): the systems the certificates are for.
STAFF_ROLES = frozenset({StaffRole.SWITCHING.value, StaffRole.CAPACITY.value})


def _administrator(actor: User) -> int:
    """The actor's own organization (a contractor's terminals are its own), when the actor is its
    administrator in the switching or the capacity system; `Forbidden` otherwise."""
    if actor.organization_id is None or not any(is_administrator(actor, system) for system in SYSTEMS):
        raise Forbidden(ADMIN_ONLY)
    return actor.organization_id


# --- reads --------------------------------------------------------------------------------------


def certificates_for(*, actor: User) -> QuerySet[ClientCertificate]:
    """The certificates of the actor's organization (its administrator), newest first."""
    organization_id = _administrator(actor)
    return ClientCertificate.objects.filter(organization_id=organization_id).select_related(
        "registered_by", "decided_by", "revoked_by"
    )


def certificate_for(*, actor: User, pk: int) -> ClientCertificate:
    """One certificate of the actor's organization; another organization's is NotFound."""
    found = certificates_for(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


@catalog.implements("X-C1")
def all_certificates(*, actor: User, state: str = "", query: str = "") -> QuerySet[ClientCertificate]:
    """Every participant's certificates (the back office), newest first; `query`: a 事業者コード, a
    part of a company name, or the beginning of a fingerprint."""
    require_staff_role(actor, STAFF_ROLES)
    rows = ClientCertificate.objects.select_related(
        "organization", "registered_by", "decided_by", "revoked_by"
    )
    if state:
        rows = rows.filter(state=state)
    if query:
        rows = rows.filter(
            Q(organization__code=query)
            | Q(organization__name__icontains=query)
            | Q(fingerprint__startswith=query.lower())
        )
    return rows


def staff_certificate(*, actor: User, pk: int) -> ClientCertificate:
    require_staff_role(actor, STAFF_ROLES)
    found = all_certificates(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# --- reading a certificate ----------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the app keeps of a certificate."""

    subject: str
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    pem: str


def fingerprint_of_der(der: bytes) -> str:
    """The SHA-256 fingerprint the app matches: 64 lowercase hex digits of the DER certificate."""
    return hashlib.sha256(der).hexdigest()


def read_certificate(data: bytes) -> Facts:
    """Parse and check an uploaded PEM: a certificate, valid now, for client authentication, issued
    by the designated issuer (its signature checked against the CA certificate). ValidationFailed
    with a Japanese message otherwise."""
    if len(data) > MAX_PEM_BYTES:
        raise ValidationFailed(
            "ファイルが大きすぎます。証明書（PEM形式）のファイルを選択してください。", field="pem"
        )
    try:
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise ValidationFailed(
            "証明書として読み取れません。PEM形式（-----BEGIN CERTIFICATE----- で始まるファイル）の"
            "証明書を選択してください。"
            "秘密鍵は登録しないでください。",
            field="pem",
        ) from None
    now = datetime.now(UTC)
    if certificate.not_valid_before_utc > now:
        raise ValidationFailed("この証明書はまだ有効期間が始まっていません。", field="pem")
    if certificate.not_valid_after_utc <= now:
        raise ValidationFailed("この証明書は有効期限が切れています。", field="pem")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None and ExtendedKeyUsageOID.CLIENT_AUTH not in usage:
        raise ValidationFailed("この証明書はクライアント認証用ではありません。", field="pem")
    if not any(_issued_by(certificate, ca) for ca in certificate_authority.issuer_certificates()):
        raise ValidationFailed(
            "この証明書は、本機関が指定する発行者が発行したものではありません（発行者の署名を確認できません）。",
            field="pem",
        )
    der = certificate.public_bytes(Encoding.DER)
    return Facts(
        subject=certificate.subject.rfc4514_string()[:500],
        issuer=certificate.issuer.rfc4514_string()[:500],
        serial=format(certificate.serial_number, "x"),
        fingerprint=fingerprint_of_der(der),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        pem=certificate.public_bytes(Encoding.PEM).decode(),
    )


def _issued_by(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# --- the participant's administrator -----------------------------------------------------------


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed("クライアント名を入力してください。", field="name")
    if len(name) > 100:
        raise ValidationFailed("クライアント名は100文字以内で入力してください。", field="name")
    return name


@catalog.implements("X-C1")
def register_certificate(*, actor: User, name: str, pem: bytes, issued: bool = False) -> ClientCertificate:
    """Register a certificate of the actor's organization for one client: pending until staff
    approve it. A certificate is registered once (its fingerprint), by one organization."""
    organization_id = _administrator(actor)
    name = _check_name(name)
    facts = read_certificate(pem)
    if ClientCertificate.objects.filter(fingerprint=facts.fingerprint).exists():
        raise ValidationFailed("この証明書は既に登録されています。", field="pem")
    try:
        with transaction.atomic():
            certificate = ClientCertificate.objects.create(
                organization_id=organization_id,
                name=name,
                subject=facts.subject,
                issuer=facts.issuer,
                serial=facts.serial,
                fingerprint=facts.fingerprint,
                not_before=facts.not_before,
                not_after=facts.not_after,
                pem=facts.pem,
                registered_by=actor,
            )
            record(
                actor=actor,
                action=Action.CLIENT_CERT_ISSUE if issued else Action.CLIENT_CERT_REGISTER,
                obj=certificate,
                detail=_detail(certificate),
            )
    except IntegrityError:
        raise ValidationFailed("この証明書は既に登録されています。", field="pem") from None
    return certificate


@catalog.implements("X-C1")
def issue_sandbox_certificate(
    *, actor: User, name: str
) -> tuple[ClientCertificate, certificate_authority.Bundle]:
    """The sandbox: the built-in CA issues a certificate and key for one client of the actor's
    organization; the certificate is registered (pending, like an uploaded one: staff approve it)
    and the key leaves only in the PKCS#12 file, whose password is shown once."""
    _administrator(actor)
    name = _check_name(name)
    organization = actor.organization
    assert organization is not None  # an administrator's
    bundle = certificate_authority.issue_bundle(
        common_name=name, organization_name=organization.name, organization_code=organization.code
    )
    certificate = register_certificate(actor=actor, name=name, pem=bundle.pem.encode(), issued=True)
    return certificate, bundle


@catalog.implements("X-C1")
def report_loss(*, actor: User, certificate: ClientCertificate, reason: str) -> ClientCertificate:
    """Seed 001 3.4.2: the administrator reports a lost or stolen certificate; it is revoked at once."""
    if certificate.organization_id != _administrator(actor):
        raise NotFound()
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("紛失・盗難等の状況を入力してください。", field="reason")
    return _revoke(actor=actor, certificate=certificate, reason=f"紛失・盗難等の報告: {reason}"[:200])


# --- staff --------------------------------------------------------------------------------------


@catalog.implements("X-C1")
def approve_certificate(*, actor: User, certificate: ClientCertificate) -> ClientCertificate:
    require_staff_role(actor, STAFF_ROLES)
    if certificate.not_after <= timezone.now():
        raise InvalidTransition("この証明書は有効期限が切れているため承認できません。")
    return _decide(actor, certificate, CertificateState.ACTIVE, Action.CLIENT_CERT_APPROVE)


@catalog.implements("X-C1")
def reject_certificate(*, actor: User, certificate: ClientCertificate, reason: str) -> ClientCertificate:
    require_staff_role(actor, STAFF_ROLES)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("却下の理由を入力してください。", field="reason")
    return _decide(actor, certificate, CertificateState.REJECTED, Action.CLIENT_CERT_REJECT, reason[:200])


@catalog.implements("X-C1")
def revoke_certificate(*, actor: User, certificate: ClientCertificate, reason: str) -> ClientCertificate:
    """Staff revoke a certificate (seed 001 3.4.4: misuse; or on the participant's word by phone)."""
    require_staff_role(actor, STAFF_ROLES)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("失効の理由を入力してください。", field="reason")
    return _revoke(actor=actor, certificate=certificate, reason=reason[:200])


def _decide(
    actor: User, certificate: ClientCertificate, state: str, action: Action, reason: str = ""
) -> ClientCertificate:
    with transaction.atomic():
        updated = ClientCertificate.objects.filter(pk=certificate.pk, state=CertificateState.PENDING).update(
            state=state, decided_at=timezone.now(), decided_by=actor, revocation_reason=reason
        )
        if not updated:
            raise InvalidTransition("この証明書は承認待ちではありません。")
        ACCESS.bump()
        certificate.refresh_from_db()
        record(
            actor=actor,
            action=action,
            obj=certificate,
            organization=certificate.organization,
            detail={**_detail(certificate), **({"reason": reason} if reason else {})},
        )
    return certificate


def _revoke(*, actor: User, certificate: ClientCertificate, reason: str) -> ClientCertificate:
    with transaction.atomic():
        updated = ClientCertificate.objects.filter(
            pk=certificate.pk, state__in=[CertificateState.PENDING, CertificateState.ACTIVE]
        ).update(
            state=CertificateState.REVOKED,
            revoked_at=timezone.now(),
            revoked_by=actor,
            revocation_reason=reason,
        )
        if not updated:
            raise InvalidTransition("この証明書は既に失効または却下されています。")
        ACCESS.bump()
        certificate.refresh_from_db()
        record(
            actor=actor,
            action=Action.CLIENT_CERT_REVOKE,
            obj=certificate,
            organization=certificate.organization,
            detail={**_detail(certificate), "reason": reason},
        )
        transaction.on_commit(certificate_authority.publish_crl, robust=True)
    return certificate


def _detail(certificate: ClientCertificate) -> dict[str, Any]:
    return {
        "name": certificate.name,
        "subject": certificate.subject,
        "fingerprint": certificate.fingerprint,
        "serial": certificate.serial,
    }


# --- enforcement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


NO_CERTIFICATE = Refusal(
    "client_certificate_required",
    "クライアント証明書が提示されていないか、検証できませんでした。貴社の有効なクライアント証明書を"
    "設定した端末から接続してください。",
)
NOT_ACTIVE = Refusal(
    "client_certificate_not_registered",
    "提示されたクライアント証明書は、貴社の有効なクライアント証明書として登録されていません"
    "（承認待ち・失効・他社の証明書を含みます）。貴社の管理者にお問い合わせください。",
)

_active: LocalCache = LocalCache()


def required() -> bool:
    return str(settings.KOUIKI_CLIENT_CERTIFICATES).strip().lower() == "required"


def presented_fingerprint(request: HttpRequest) -> str | None:
    """The SHA-256 fingerprint of the certificate the proxy verified for this request, or None: no
    certificate, not verified, or headers that did not come from a trusted proxy (ignored)."""
    if not from_trusted_proxy(request):
        return None
    if request.headers.get(VERIFY_HEADER, "") != "SUCCESS":
        return None
    match = _PEM_BODY.search(unquote(request.headers.get(CERT_HEADER, "")))
    if match is None:
        return None
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return fingerprint_of_der(der)


def active_fingerprints(organization_id: int) -> dict[str, datetime]:
    """The organization's active certificates (fingerprint → end of validity), cached per process
    under the access generation (every decision and revocation bumps it)."""
    generation = ACCESS.current()
    found: dict[str, datetime] | None = _active.get(organization_id, generation)
    if found is None:
        found = dict(
            ClientCertificate.objects.filter(
                organization_id=organization_id, state=CertificateState.ACTIVE
            ).values_list("fingerprint", "not_after")
        )
        _active.put(organization_id, generation, found)
    return found


def refusal(request: HttpRequest, user: Any, system: str) -> Refusal | None:
    """Why the request may not use `system` for want of a client certificate, or None. Only with
    KOUIKI_CLIENT_CERTIFICATES=required, only the switching and capacity systems, only a
    participant's user: its own organization's certificate (a contractor's terminal is the
    contractor's, whoever it acts for)."""
    if system not in SYSTEMS or not required():
        return None
    if not is_participant(user):
        return None
    organization_id = user.organization_id
    fingerprint = presented_fingerprint(request)
    if fingerprint is None:
        return NO_CERTIFICATE
    not_after = active_fingerprints(organization_id).get(fingerprint)
    if not_after is None or not_after <= timezone.now():
        return NOT_ACTIVE
    return None
