"""Client certificates (X-C1): registration by the participant's administrator, staff approval,
loss reports and revocation (with the CRL), the sandbox's built-in CA, and the check on the
switching and capacity systems' screens and API behind a trusted proxy. The real nginx in front:
test_client_certificates_nginx.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity.choices import CertificateState, StaffRole
from kouiki.identity.models import ClientCertificate, Organization, User
from kouiki.identity.services import certificate_authority, certificates
from tests.api.conftest import API, make_retailer
from tests.factories import OrganizationFactory, StaffFactory, participant
from tests.identity.certs import Issued, built_in, make_ca, make_client, proxy_headers

PROXY = "127.0.0.1"
ELSEWHERE = "192.0.2.10"


@pytest.fixture(autouse=True)
def ca_settings(settings: Any, tmp_path: Path) -> None:
    """The sandbox's built-in CA and its CRL in this test's own directory; nothing required."""
    settings.KOUIKI_CLIENT_CA_CERT = ""
    settings.KOUIKI_CLIENT_CA_DIR = tmp_path / "ca"
    settings.KOUIKI_CLIENT_CRL_PATH = tmp_path / "ca" / "crl.pem"
    settings.KOUIKI_CLIENT_CERTIFICATES = "off"
    settings.KOUIKI_TRUSTED_PROXIES = [PROXY]


@pytest.fixture
def required(settings: Any) -> None:
    settings.KOUIKI_CLIENT_CERTIFICATES = "required"


@pytest.fixture
def company(db: None) -> Organization:
    return OrganizationFactory()


@pytest.fixture
def admin(company: Organization) -> User:
    user = participant(organization=company, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    return user


@pytest.fixture
def ca() -> Issued:
    return built_in()


def register(admin: User, issued: Issued, name: str = "本社端末1") -> ClientCertificate:
    return certificates.register_certificate(actor=admin, name=name, pem=issued.pem)


def active(admin: User, issued: Issued) -> ClientCertificate:
    staff = StaffFactory()
    return certificates.approve_certificate(actor=staff, certificate=register(admin, issued))


# --- registration -------------------------------------------------------------------------------


def test_the_administrator_registers_a_certificate_of_the_designated_issuer(admin: User, ca: Issued) -> None:
    issued = make_client(ca, "terminal-1")
    certificate = register(admin, issued)
    assert certificate.state == CertificateState.PENDING
    assert certificate.organization_id == admin.organization_id
    assert certificate.fingerprint == issued.fingerprint
    assert certificate.subject == "CN=terminal-1"
    assert certificate.serial == format(issued.certificate.serial_number, "x")
    assert certificate.not_after == issued.certificate.not_valid_after_utc
    event = Event.objects.get(action=Action.CLIENT_CERT_REGISTER)
    assert event.actor_id == admin.pk
    assert event.detail["fingerprint"] == issued.fingerprint


def test_the_designated_issuer_is_the_configured_ca_file(admin: User, settings: Any, tmp_path: Path) -> None:
    issuer = make_ca()
    (tmp_path / "issuer.pem").write_bytes(issuer.pem)
    settings.KOUIKI_CLIENT_CA_CERT = str(tmp_path / "issuer.pem")
    register(admin, make_client(issuer))
    with pytest.raises(ValidationFailed, match="指定する発行者"):
        register(admin, make_client(built_in()))


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        (b"not a certificate", "証明書として読み取れません"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "証明書として読み取れません"),
    ],
)
def test_what_is_no_certificate_is_refused(admin: User, pem: bytes, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        certificates.register_certificate(actor=admin, name="端末", pem=pem)
    assert refused.value.errors == {"pem": [refused.value.message]}
    assert not ClientCertificate.objects.exists()


def test_expired_not_yet_valid_other_issuer_and_server_certificates_are_refused(
    admin: User, ca: Issued
) -> None:
    now = datetime.now(UTC)
    expired = make_client(ca, not_before=now - timedelta(days=10), not_after=now - timedelta(days=1))
    future = make_client(ca, not_before=now + timedelta(days=1), not_after=now + timedelta(days=10))
    stranger = make_client(make_ca("Nobody Designated CA"))
    # Same name as the designated issuer, another key: the signature decides, not the name.
    impostor = make_client(make_ca(ca.certificate.subject.rfc4514_string().removeprefix("CN=")))
    server = make_client(ca, usage=[ExtendedKeyUsageOID.SERVER_AUTH])
    for issued, message in [
        (expired, "有効期限が切れています"),
        (future, "まだ有効期間が始まっていません"),
        (stranger, "指定する発行者が発行したものではありません"),
        (impostor, "指定する発行者が発行したものではありません"),
        (server, "クライアント認証用ではありません"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            register(admin, issued)
    assert not ClientCertificate.objects.exists()


def test_a_certificate_is_registered_once_by_one_organization(admin: User, ca: Issued) -> None:
    issued = make_client(ca)
    register(admin, issued)
    other_admin = participant(
        organization=OrganizationFactory(), system=System.CAPACITY, role=Role.ADMIN, login_id="adm001"
    )
    for actor in (admin, other_admin):
        with pytest.raises(ValidationFailed, match="既に登録されています"):
            register(actor, issued)
    # One per client: another client of the same participant has its own certificate.
    register(admin, make_client(ca, "client-2"), name="本社端末2")
    assert ClientCertificate.objects.filter(organization=admin.organization).count() == 2


def test_only_an_administrator_of_switching_or_capacity_registers(company: Organization, ca: Issued) -> None:
    user = participant(organization=company, system=System.SWITCHING, login_id="usr001")
    member_admin = participant(organization=company, system=System.MEMBER, role=Role.ADMIN, login_id="madm01")
    for actor in (user, member_admin):
        with pytest.raises(Forbidden, match="貴社の管理者"):
            register(actor, make_client(ca))
    capacity_admin = participant(
        organization=company, system=System.CAPACITY, role=Role.ADMIN, login_id="cadm01"
    )
    assert register(capacity_admin, make_client(ca)).organization_id == company.pk


def test_a_name_is_required(admin: User, ca: Issued) -> None:
    with pytest.raises(ValidationFailed, match="クライアント名を入力"):
        certificates.register_certificate(actor=admin, name="  ", pem=make_client(ca).pem)


def test_in_production_without_an_issuer_nothing_can_be_registered(admin: User, settings: Any) -> None:
    issued = make_client(built_in())
    settings.PRODUCTION = True
    with pytest.raises(ValidationFailed, match="KOUIKI_CLIENT_CA_CERT"):
        register(admin, issued)
    with pytest.raises(ValidationFailed, match="サンドボックス環境でのみ"):
        certificates.issue_sandbox_certificate(actor=admin, name="端末")


# --- staff: approve, reject, revoke --------------------------------------------------------------


def test_staff_approve_reject_and_revoke_with_every_step_audited(admin: User, ca: Issued) -> None:
    staff = StaffFactory()
    first = register(admin, make_client(ca, "a"))
    second = register(admin, make_client(ca, "b"), name="端末2")
    certificates.approve_certificate(actor=staff, certificate=first)
    certificates.reject_certificate(actor=staff, certificate=second, reason="サブジェクトが申請と異なる")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.decided_by_id) == (CertificateState.ACTIVE, staff.pk)
    assert (second.state, second.revocation_reason) == (
        CertificateState.REJECTED,
        "サブジェクトが申請と異なる",
    )
    with pytest.raises(InvalidTransition):
        certificates.approve_certificate(actor=staff, certificate=second)
    with pytest.raises(InvalidTransition):
        certificates.revoke_certificate(actor=staff, certificate=second, reason="不要")
    with pytest.raises(ValidationFailed, match="失効の理由"):
        certificates.revoke_certificate(actor=staff, certificate=first, reason=" ")
    certificates.revoke_certificate(actor=staff, certificate=first, reason="不正利用の疑い（3.4.4）")
    first.refresh_from_db()
    assert (first.state, first.revoked_by_id) == (CertificateState.REVOKED, staff.pk)
    actions = list(Event.objects.order_by("id").values_list("action", "organization_id"))
    assert actions == [
        (Action.CLIENT_CERT_REGISTER, admin.organization_id),
        (Action.CLIENT_CERT_REGISTER, admin.organization_id),
        (Action.CLIENT_CERT_APPROVE, admin.organization_id),
        (Action.CLIENT_CERT_REJECT, admin.organization_id),
        (Action.CLIENT_CERT_REVOKE, admin.organization_id),
    ]


def test_only_staff_decide(admin: User, ca: Issued) -> None:
    certificate = register(admin, make_client(ca))
    with pytest.raises(Forbidden):
        certificates.approve_certificate(actor=admin, certificate=certificate)
    with pytest.raises(Forbidden):
        certificates.all_certificates(actor=admin)


def test_an_expired_certificate_cannot_be_approved(admin: User, ca: Issued, time_machine: Any) -> None:
    certificate = register(admin, make_client(ca))
    time_machine.move_to(datetime.now(UTC) + timedelta(days=31))
    with pytest.raises(InvalidTransition, match="有効期限"):
        certificates.approve_certificate(actor=StaffFactory(), certificate=certificate)


def test_a_loss_reported_revokes_at_once_and_the_crl_lists_it(
    admin: User, ca: Issued, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    issued = make_client(ca)
    certificate = active(admin, issued)
    kept = active(admin, make_client(ca, "client-2"))
    with pytest.raises(ValidationFailed, match="状況を入力"):
        certificates.report_loss(actor=admin, certificate=certificate, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        certificates.report_loss(actor=admin, certificate=certificate, reason="ノートPCを紛失")
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.REVOKED
    assert certificate.revocation_reason == "紛失・盗難等の報告: ノートPCを紛失"
    assert Event.objects.filter(action=Action.CLIENT_CERT_REVOKE, actor_id=admin.pk).exists()
    crl = x509.load_pem_x509_crl(Path(settings.KOUIKI_CLIENT_CRL_PATH).read_bytes())
    assert crl.is_signature_valid(ca.key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(issued.certificate.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(int(kept.serial, 16)) is None
    assert crl.next_update_utc > datetime.now(UTC) + timedelta(days=settings.KOUIKI_CLIENT_CRL_DAYS - 1)
    with pytest.raises(InvalidTransition):
        certificates.report_loss(actor=admin, certificate=certificate, reason="再度")


def test_another_organizations_certificate_is_not_found(admin: User, ca: Issued) -> None:
    other_admin = participant(
        organization=OrganizationFactory(), system=System.SWITCHING, role=Role.ADMIN, login_id="adm001"
    )
    theirs = register(other_admin, make_client(ca))
    with pytest.raises(NotFound):
        certificates.certificate_for(actor=admin, pk=theirs.pk)
    with pytest.raises(NotFound):
        certificates.report_loss(actor=admin, certificate=theirs, reason="紛失")


def test_publish_crl_command_writes_an_empty_crl_and_the_ca(settings: Any, db: None) -> None:
    out = StringIO()
    call_command("publish_crl", stdout=out)
    crl = x509.load_pem_x509_crl(Path(settings.KOUIKI_CLIENT_CRL_PATH).read_bytes())
    assert len(crl) == 0
    assert crl.issuer == built_in().certificate.subject
    assert "CRLを出力しました" in out.getvalue()


def test_with_the_designated_issuers_ca_the_issuer_publishes_the_crl(settings: Any, tmp_path: Path) -> None:
    (tmp_path / "issuer.pem").write_bytes(make_ca().pem)
    settings.KOUIKI_CLIENT_CA_CERT = str(tmp_path / "issuer.pem")
    assert certificate_authority.publish_crl() is None
    assert not Path(settings.KOUIKI_CLIENT_CRL_PATH).exists()


# --- the sandbox's built-in CA --------------------------------------------------------------------


def test_the_sandbox_issues_a_pending_certificate_and_a_pkcs12_with_its_password(admin: User) -> None:
    certificate, bundle = certificates.issue_sandbox_certificate(actor=admin, name="デモ端末")
    assert certificate.state == CertificateState.PENDING
    key, cert, chain = pkcs12.load_key_and_certificates(bundle.pkcs12, bundle.password.encode())
    assert key is not None and cert is not None
    assert cert.fingerprint(certificate_authority.hashes.SHA256()).hex() == certificate.fingerprint
    assert chain[0].subject == built_in().certificate.subject
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(bundle.pkcs12, b"wrong")
    assert Event.objects.filter(action=Action.CLIENT_CERT_ISSUE, object_id=str(certificate.pk)).exists()


# --- the check: screens and API ------------------------------------------------------------------


@pytest.fixture
def retailer(db: None, ca: Issued) -> Any:
    retailer = make_retailer("9301", "新電力証明")
    retailer.issued = make_client(ca, "retailer-terminal")
    active(retailer.admin, retailer.issued)
    return retailer


def api_get(client: Client, token: str, headers: dict[str, str], remote: str = PROXY) -> Any:
    return client.get(
        f"{API}/events", headers={"Authorization": f"Bearer {token}", **headers}, REMOTE_ADDR=remote
    )


@pytest.mark.usefixtures("required")
def test_api_requires_the_organizations_active_certificate(client: Client, retailer: Any, ca: Issued) -> None:
    assert api_get(client, retailer.token, proxy_headers(retailer.issued)).status_code == 200
    none = api_get(client, retailer.token, proxy_headers(None))
    assert none.status_code == 403
    assert none["Content-Type"].startswith("application/problem+json")
    assert none.json()["code"] == "client_certificate_required"
    other = make_retailer("9302", "新電力他社")
    theirs = make_client(ca, "theirs")
    active(other.admin, theirs)
    refused = api_get(client, retailer.token, proxy_headers(theirs))
    assert (refused.status_code, refused.json()["code"]) == (403, "client_certificate_not_registered")
    assert "有効なクライアント証明書として登録されていません" in refused.json()["detail"]
    # nginx's verification failed (e.g. revoked in the CRL): not a certificate at all.
    failed = api_get(
        client, retailer.token, proxy_headers(retailer.issued, verify="FAILED:certificate revoked")
    )
    assert failed.json()["code"] == "client_certificate_required"


@pytest.mark.usefixtures("required")
def test_the_headers_are_ignored_unless_they_come_from_a_trusted_proxy(
    client: Client, retailer: Any, settings: Any
) -> None:
    forged = api_get(client, retailer.token, proxy_headers(retailer.issued), remote=ELSEWHERE)
    assert (forged.status_code, forged.json()["code"]) == (403, "client_certificate_required")
    settings.KOUIKI_TRUSTED_PROXIES = []
    assert api_get(client, retailer.token, proxy_headers(retailer.issued)).status_code == 403


@pytest.mark.usefixtures("required")
def test_a_revoked_or_pending_certificate_is_refused_on_the_next_request(
    client: Client, retailer: Any, ca: Issued
) -> None:
    headers = proxy_headers(retailer.issued)
    assert api_get(client, retailer.token, headers).status_code == 200
    certificate = ClientCertificate.objects.get(fingerprint=retailer.issued.fingerprint)
    certificates.report_loss(actor=retailer.admin, certificate=certificate, reason="盗難")
    assert api_get(client, retailer.token, headers).json()["code"] == "client_certificate_not_registered"
    pending = make_client(ca, "pending")
    register(retailer.admin, pending, name="承認待ち端末")
    assert api_get(client, retailer.token, proxy_headers(pending)).status_code == 403


def test_nothing_is_checked_when_certificates_are_off(client: Client, retailer: Any) -> None:
    assert api_get(client, retailer.token, {}, remote=ELSEWHERE).status_code == 200


@pytest.mark.usefixtures("required")
def test_screens_of_switching_and_capacity_require_the_certificate(
    client: Client, company: Organization, admin: User, ca: Issued
) -> None:
    issued = make_client(ca)
    active(admin, issued)
    capacity_user = participant(organization=company, system=System.CAPACITY, login_id="cap001")
    for user, system in [(admin, System.SWITCHING), (capacity_user, System.CAPACITY)]:
        client.force_login(user)
        assert client.get(f"/{system}/", headers=proxy_headers(issued), REMOTE_ADDR=PROXY).status_code == 200
        refused = client.get(f"/{system}/", REMOTE_ADDR=PROXY)
        assert refused.status_code == 403
        assert "クライアント証明書が提示されていないか" in refused.content.decode()
        forged = client.get(f"/{system}/", headers=proxy_headers(issued), REMOTE_ADDR=ELSEWHERE)
        assert forged.status_code == 403


@pytest.mark.usefixtures("required")
def test_the_certificate_screens_logout_member_system_and_back_office_stay_open(
    company: Organization, admin: User, staff_client: Client
) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get("/switching/certificates/", REMOTE_ADDR=ELSEWHERE).status_code == 200
    member = participant(organization=company, system=System.MEMBER, login_id="mem001")
    client.force_login(member)
    assert client.get("/member/", REMOTE_ADDR=ELSEWHERE).status_code == 200
    assert staff_client.get("/backoffice/certificates/", REMOTE_ADDR=ELSEWHERE).status_code == 200
    client.force_login(admin)
    assert client.post("/switching/logout/", REMOTE_ADDR=ELSEWHERE).status_code == 302


# --- screens --------------------------------------------------------------------------------------


def test_the_menu_links_the_certificates_for_administrators_only(
    client: Client, company: Organization, admin: User
) -> None:
    client.force_login(admin)
    assert "/switching/certificates/" in client.get("/switching/").content.decode()
    user = participant(organization=company, system=System.SWITCHING, login_id="usr001")
    client.force_login(user)
    assert "/switching/certificates/" not in client.get("/switching/").content.decode()
    assert client.get("/switching/certificates/").status_code == 403


def test_the_administrator_registers_and_lists_on_the_screen(client: Client, admin: User, ca: Issued) -> None:
    client.force_login(admin)
    issued = make_client(ca, "screen-terminal")
    response = client.post(
        "/switching/certificates/",
        {"name": "画面端末", "pem": SimpleUploadedFile("client.pem", issued.pem)},
    )
    assert response.status_code == 302
    page = client.get("/switching/certificates/").content.decode()
    assert issued.fingerprint in page and "CN=screen-terminal" in page and "承認待ち" in page
    refused = client.post(
        "/switching/certificates/", {"name": "画面端末", "pem": SimpleUploadedFile("key.pem", b"garbage")}
    )
    assert refused.status_code == 200
    assert "証明書として読み取れません" in refused.content.decode()
    empty = client.post("/switching/certificates/", {"name": ""})
    assert "クライアント名を入力してください。" in empty.content.decode()
    assert "証明書ファイルを選択してください。" in empty.content.decode()
    assert ClientCertificate.objects.count() == 1


def test_the_sandbox_issue_screen_shows_the_password_once_and_the_file_downloads_once(
    client: Client, admin: User
) -> None:
    client.force_login(admin)
    assert "PKCS#12" in client.get("/switching/certificates/issue/").content.decode()
    response = client.post("/capacity/certificates/issue/", {"name": "デモ端末"})
    # The admin is a switching administrator only: the capacity system does not let it in.
    assert response.status_code == 302
    response = client.post("/switching/certificates/issue/", {"name": "デモ端末"})
    assert response.status_code == 200
    page = response.content.decode()
    password = re.search(r'id="bundle-password">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    certificate = ClientCertificate.objects.get()
    download = client.get(f"/switching/certificates/{certificate.pk}/bundle/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/x-pkcs12"
    key, cert, _ = pkcs12.load_key_and_certificates(download.content, password.encode())
    assert key is not None and cert is not None
    assert client.get(f"/switching/certificates/{certificate.pk}/bundle/").status_code == 404


def test_the_loss_report_screen_revokes(client: Client, admin: User, ca: Issued) -> None:
    certificate = active(admin, make_client(ca))
    client.force_login(admin)
    url = f"/switching/certificates/{certificate.pk}/loss/"
    assert "ノートPC" not in client.get(url).content.decode()
    assert "理由・状況を入力してください。" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "ノートPCの盗難"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.REVOKED


def test_back_office_lists_approves_and_revokes(staff_client: Client, admin: User, ca: Issued) -> None:
    certificate = register(admin, make_client(ca, "bo-terminal"))
    page = staff_client.get("/backoffice/certificates/?state=pending").content.decode()
    assert certificate.fingerprint in page and admin.organization.name in page
    assert (
        certificate.fingerprint
        in staff_client.get(f"/backoffice/certificates/?query={company_code(admin)}").content.decode()
    )
    assert (
        certificate.fingerprint
        not in staff_client.get("/backoffice/certificates/?query=0000").content.decode()
    )
    url = f"/backoffice/certificates/{certificate.pk}/"
    detail = staff_client.get(url).content.decode()
    assert "承認する" in detail and "却下する" in detail and certificate.serial in detail
    assert staff_client.post(url, {"act": "approve"}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.ACTIVE
    assert (
        "理由・状況を入力してください。"
        in staff_client.post(url, {"act": "revoke", "reason": ""}).content.decode()
    )
    assert staff_client.post(url, {"act": "revoke", "reason": "不正利用"}).status_code == 302
    certificate.refresh_from_db()
    assert (certificate.state, certificate.revocation_reason) == (CertificateState.REVOKED, "不正利用")
    assert "状態の選択が不正です" in staff_client.get("/backoffice/certificates/?state=x").content.decode()


def test_back_office_certificates_are_for_switching_and_capacity_staff(client: Client, db: None) -> None:
    from kouiki.identity import access

    reviewer = StaffFactory(staff_roles=[StaffRole.REVIEWER.value])
    client.force_login(reviewer)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    assert client.get("/backoffice/certificates/").status_code == 403
    # The service asks the same roles, whatever calls it.
    with pytest.raises(Forbidden):
        certificates.all_certificates(actor=reviewer)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KOUIKI_CLIENT_CERTIFICATES": "require"}, "must be 'off' or 'required'"),
        ({"KOUIKI_CLIENT_CERTIFICATES": "required"}, "needs KOUIKI_TRUSTED_PROXIES"),
        (
            {
                "KOUIKI_CLIENT_CERTIFICATES": "required",
                "KOUIKI_TRUSTED_PROXIES": "127.0.0.1",
                "KOUIKI_PRODUCTION": "1",
                "KOUIKI_SECRET_KEY": "x" * 60,
                "KOUIKI_ALLOWED_HOSTS": "kouiki.example.jp",
            },
            "needs KOUIKI_CLIENT_CA_CERT in production",
        ),
    ],
)
def test_settings_refuse_a_check_that_cannot_work(env: dict[str, str], message: str) -> None:
    """A typo, no trusted proxy, or no issuer in production: the settings do not load."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("KOUIKI_") and k != "DJANGO_SETTINGS_MODULE"
    }
    done = subprocess.run(
        [sys.executable, "-c", "import kouiki.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=settings_module_root(),
    )
    assert done.returncode != 0
    assert message in done.stderr
    ok = subprocess.run(
        [sys.executable, "-c", "import kouiki.settings"],
        env={**clean, "KOUIKI_CLIENT_CERTIFICATES": "required", "KOUIKI_TRUSTED_PROXIES": "127.0.0.1"},
        capture_output=True,
        text=True,
        check=False,
        cwd=settings_module_root(),
    )
    assert ok.returncode == 0, ok.stderr


def company_code(user: User) -> str:
    assert user.organization is not None
    return user.organization.code


def settings_module_root() -> str:
    from django.conf import settings

    return str(settings.BASE_DIR)
