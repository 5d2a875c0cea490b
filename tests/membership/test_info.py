"""MEM-I1 加入証跡 and MEM-I2 会員情報確認 (seed 003 chapter 4), and the public verification page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from kouiki.audit.models import Event
from kouiki.identity.models import Organization, OrganizationStatus, User
from kouiki.membership.models import MemberProfile, MembershipCertificate
from tests.factories import participant
from tests.membership.factories import ADMIN1_INPUT, member

INFO = "/member/info/"
CERTIFICATE = "/member/certificate/"
VERIFY = "/member/verify/"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


@pytest.fixture
def profile(db: None) -> MemberProfile:
    return member()


@pytest.fixture
def plain_user(profile: MemberProfile) -> User:
    return participant(organization=profile.organization, login_id="usr001")


def html(response: Any) -> str:
    return str(response.content.decode())


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_urls_are_named() -> None:
    assert reverse("membership:info") == INFO
    assert reverse("membership:certificate") == CERTIFICATE
    assert reverse("membership:certificate_pdf", args=["ABCD-EFGH-JKLM-NPQR"]) == (
        "/member/certificate/ABCD-EFGH-JKLM-NPQR.pdf"
    )
    assert reverse("membership:verify") == VERIFY
    assert reverse("membership:change_list") == "/member/changes/"
    assert reverse("membership:succession") == "/member/exit/succession/"
    assert reverse("membership:withdrawal") == "/member/exit/withdrawal/"


def test_mem_i2_shows_company_administrators_and_membership_since(
    client: Client, profile: MemberProfile, plain_user: User
) -> None:
    client.force_login(plain_user)
    page = html(client.get(INFO))
    for text in [
        "会員情報確認",
        profile.organization.code,
        "一般送配電、小売電気",  # 事業者種別 by label
        "広域電力株式会社",
        "コウイキデンリョクカブシキガイシャ",
        "03-1234-5678",
        "広域 一郎",
        "コウイキ イチロウ",
        "代表取締役",
        "1350061",
        "東京都江東区豊洲6-2-15",  # addresses keep half-width digits and hyphens (core.japanese)
        "豊洲ビル",
        "広域ホールディングス株式会社",
        "100.00%",
        f"{profile.organization.member_since:%Y/%m/%d}",
        "管理者①",
        "abc001",
        "総務部　課長",
        "田中 一郎",
        "タナカ イチロウ",
        "tanaka@koiki-denryoku.example.jp",
        "管理者②",
        "abc002",
        "特になし",
        "第1版",
    ]:
        assert text in page, text
    # A plain user sees no way to request a change.
    assert "/member/changes/" not in page


def test_mem_i2_an_organization_without_member_information(client: Client, member_admin: User) -> None:
    client.force_login(member_admin)
    response = client.get(INFO)
    assert response.status_code == 200
    assert "会員情報が登録されていません" in html(response)
    assert client.get("/member/changes/new/").status_code == 200


def test_mem_i2_history_lists_versions(client: Client, profile: MemberProfile, plain_user: User) -> None:
    client.force_login(plain_user)
    page = html(client.get("/member/info/history/"))
    assert "第1版" in page
    assert "登録" in page


@pytest.mark.parametrize("url", [INFO, "/member/info/history/", CERTIFICATE])
def test_a_plain_user_opens_i1_and_i2(client: Client, plain_user: User, url: str) -> None:
    client.force_login(plain_user)
    assert client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login(client: Client, profile: MemberProfile) -> None:
    for url in (INFO, CERTIFICATE, "/member/changes/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/member/login/")


def test_the_menu_lists_member_information_for_each_role(
    client: Client, profile: MemberProfile, plain_user: User
) -> None:
    client.force_login(plain_user)
    menu = html(client.get("/member/"))
    assert "会員情報管理" in menu
    assert 'href="/member/info/"' in menu and 'href="/member/certificate/"' in menu
    assert 'href="/member/changes/"' not in menu
    assert profile.administrator1 is not None
    client.force_login(profile.administrator1)
    menu = html(client.get("/member/"))
    for url in (
        "/member/changes/",
        "/member/changes/new/",
        "/member/exit/succession/",
        "/member/exit/withdrawal/",
    ):
        assert f'href="{url}"' in menu, url


# --- MEM-I1 加入証跡 --------------------------------------------------------------------------------------


def test_mem_i1_each_issue_is_a_certificate_and_a_pdf(
    client: Client, profile: MemberProfile, plain_user: User
) -> None:
    client.force_login(plain_user)
    page = html(client.get(CERTIFICATE))
    assert "電力広域的運営推進機関" in page
    assert profile.organization.code in page

    response = client.post(CERTIFICATE)
    issued = MembershipCertificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/member/certificate/{issued.number}.pdf"
    assert (issued.organization_name, issued.organization_code) == (
        "広域電力株式会社",
        profile.organization.code,
    )
    assert issued.member_since == profile.organization.member_since
    assert issued.issued_by_id == plain_user.pk
    assert Event.objects.filter(action="membership.certificate_issue", object_id=str(issued.pk)).exists()

    pdf = client.get(response["Location"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    text = pdf_text(pdf.content)
    for expected in (
        "加入証跡",
        "広域電力株式会社",
        "事業者コード",
        profile.organization.code,
        issued.number,
        "電力広域的運営推進機関",
        f"{profile.organization.member_since.year}年",
    ):
        assert expected in text, expected

    client.post(CERTIFICATE)
    assert MembershipCertificate.objects.count() == 2
    listed = html(client.get(CERTIFICATE))
    assert all(number in listed for number in MembershipCertificate.objects.values_list("number", flat=True))


def test_mem_i1_another_organizations_certificate_is_not_found(
    client: Client, profile: MemberProfile
) -> None:
    assert profile.administrator1 is not None
    client.force_login(profile.administrator1)
    client.post(CERTIFICATE)
    number = MembershipCertificate.objects.get().number
    other = member(admin1_input={**ADMIN1_INPUT, "user_id": "zzz001"}, admin2=False)
    assert other.administrator1 is not None
    client.force_login(other.administrator1)
    assert client.get(f"/member/certificate/{number}.pdf").status_code == 404


def test_mem_i1_no_certificate_without_a_date_of_joining(client: Client, member_admin: User) -> None:
    Organization.objects.filter(pk=member_admin.organization_id).update(member_since=None)
    client.force_login(member_admin)
    response = client.post(CERTIFICATE, follow=True)
    assert "加入日が登録されていない" in html(response)
    assert not MembershipCertificate.objects.exists()


# --- the public verification page ------------------------------------------------------------------------


@pytest.fixture
def certificate(client: Client, profile: MemberProfile, plain_user: User) -> MembershipCertificate:
    client.force_login(plain_user)
    client.post(CERTIFICATE)
    client.logout()
    return MembershipCertificate.objects.get()


def test_verify_shows_only_what_the_certificate_states(
    client: Client, certificate: MembershipCertificate, profile: MemberProfile
) -> None:
    assert client.get(VERIFY).status_code == 200
    response = client.post(VERIFY, {"number": certificate.number.lower()})
    page = html(response)
    assert response.status_code == 200
    assert "広域電力株式会社" in page
    assert certificate.organization_code in page
    assert f"{certificate.member_since:%Y/%m/%d}" in page
    assert "現在も電力広域的運営推進機関の会員です" in page
    # Nothing else about the member.
    for secret in (
        profile.corporate_number,
        "abc001",
        "田中",
        "tanaka@koiki-denryoku.example.jp",
        "03-1234-5678",
        "広域ホールディングス",
        "豊洲",
    ):
        assert secret not in page, secret
    assert "_auth_user_id" not in client.session


def test_verify_tells_when_the_organization_is_no_longer_a_member(
    client: Client, certificate: MembershipCertificate
) -> None:
    Organization.objects.filter(pk=certificate.organization_id).update(status=OrganizationStatus.WITHDRAWN)
    page = html(client.post(VERIFY, {"number": certificate.number}))
    assert "現在は電力広域的運営推進機関の会員ではありません" in page


def test_verify_unknown_number(client: Client, certificate: MembershipCertificate) -> None:
    page = html(client.post(VERIFY, {"number": "AAAA-BBBB-CCCC-DDDD"}))
    assert "見つかりません" in page
    assert "広域電力株式会社" not in page
    empty = html(client.post(VERIFY, {"number": ""}))
    assert "発行番号を入力してください" in empty


@pytest.mark.usefixtures("frozen_minute")
def test_verify_is_rate_limited_per_address(client: Client, settings: Any, db: None) -> None:
    settings.KOUIKI_RESET_RATE = "3/m"
    statuses = [client.post(VERIFY, {"number": f"AAAA-BBBB-CCCC-000{i}"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_verify_page_declares_its_charset_and_no_inline_script(client: Client, db: None) -> None:
    page = html(client.get(VERIFY))
    assert '<meta charset="utf-8">' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page


def test_certificate_list_queries_do_not_grow_with_rows(
    client: Client, plain_user: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(plain_user)
    for _ in range(25):
        client.post(CERTIFICATE)
    client.get(
        CERTIFICATE
    )  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(7):
        response = client.get(CERTIFICATE)
    assert len(response.context["page"].object_list) == 20
