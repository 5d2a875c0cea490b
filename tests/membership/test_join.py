"""Joining the organization (seed 003 chapter 1, MEM-J1..J5) through the screens, as an applicant
and the organization's staff would: link → provisional → 事業者コード → main → hold → resubmit →
approve → the administrator logs in with the mailed password and changes it; the 1-year expiry;
bad input on every screen."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core import catalog, periodic
from kouiki.core.models import OutboxMessage
from kouiki.identity.models import Organization, User
from kouiki.membership.models import CodeAssignment, MemberProfile
from kouiki.membership.services import join
from kouiki.membership.tasks import expire_provisional_join_applications
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application, State
from kouiki.reviews.services import registry
from kouiki.terms.models import Consent
from tests.factories import OrganizationFactory
from tests.membership.join_helpers import (
    ADMIN1,
    ADMIN2,
    CORPORATE_NUMBER,
    LINK_EMAIL,
    file_provisional,
    form_post,
    last_mail,
    link_token,
    mailed_password,
    mails,
    staff_session,
    submit_main,
)
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]

NEW_PASSWORD = "Joined-member1"
HOLD_REASON = "代表者肩書の記載が登記事項証明書と異なります。"


def field_error(response: Any, field_id: str) -> str:
    """The message shown next to a field (templates/includes/field.html)."""
    match = re.search(
        rf'<p class="field__error" id="{re.escape(field_id)}_error">(.*?)</p>', response.content.decode()
    )
    return match[1] if match else ""


def request_link(client: Client, email: str = LINK_EMAIL) -> str:
    response = client.post("/member/join/", {"email": email, "name": "広域 太郎"})
    assert response.status_code == 200
    assert "メールを送信しました" in response.content.decode()
    return link_token(last_mail("membership/mail/join_link"))


def reopen(client: Client, application: Application, email: str | None = None) -> Any:
    return client.post(
        "/member/join/main/",
        {"reception_number": application.reception_number, "email": email or application.applicant_email},
    )


# --- the whole flow -------------------------------------------------------------------------------


def test_mem_j1_to_j4_the_whole_join_flow_until_the_administrator_changes_the_password(
    client: Client, staff: User
) -> None:
    # MEM-J1: the link.
    assert client.get("/member/join/").status_code == 200
    token = request_link(client)
    link_mail = last_mail("membership/mail/join_link")
    assert link_mail.to == [LINK_EMAIL]
    assert "7日間" in link_mail.body

    # MEM-J2: the provisional application, administrator ① prefilled with the link's address.
    url = f"/member/join/provisional/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert LINK_EMAIL in page.content.decode()
    assert "本利用規約に同意する" in page.content.decode()
    response = client.post(url, form_post(admin2=True))
    assert response.status_code == 302
    assert response["Location"] == "/member/join/provisional/received/"

    application = Application.objects.get(kind="membership.join")
    assert application.state == State.DRAFT
    assert application.applicant_email == ADMIN1["email"]
    assert application.payload["name"] == "広域電力株式会社"
    assert application.payload["admin2_user_id"] == "abc002"
    assert application.current == application.payload

    # The consents: the three documents, their versions, the time and the address of the click.
    consents = list(Consent.objects.filter(application=application).select_related("document"))
    assert sorted((c.document.kind, c.document.version) for c in consents) == [
        ("articles", "Ver. 1.0"),
        ("electronic_notice", "Ver. 1.0"),
        ("system_terms", "Ver. 1.1"),
    ]
    assert all(c.ip == "127.0.0.1" and c.applicant_email == ADMIN1["email"] for c in consents)
    assert all(c.organization_id is None and c.consented_at is not None for c in consents)
    assert Event.objects.filter(action="terms.consent").count() == 3

    # MEM-J3: the reception screen and mail.
    received = client.get(response["Location"]).content.decode()
    assert application.reception_number in received
    assert "加入（仮）申請を受け付けました" in received
    received_mail = last_mail("membership/mail/join_received")
    assert received_mail.to == [ADMIN1["email"], LINK_EMAIL]
    assert application.reception_number in received_mail.body
    assert "/member/join/main/" in received_mail.body

    # 事業者マスタ登録 in the back office: the code is issued and mailed.
    staff_client = staff_session(Client(), staff)
    listing = staff_client.get("/backoffice/joining/")
    assert application.reception_number in listing.content.decode()
    response = staff_client.post(f"/backoffice/joining/{application.pk}/assign/", {"code": "1234"})
    assert response.status_code == 302
    code_mail = last_mail("membership/mail/join_code_issued")
    assert "事業者コード：1234" in code_mail.body
    assert ADMIN1["email"] in code_mail.to

    # MEM-J4: the main application, reopened with the reception number and administrator ①'s mail.
    applicant = Client()
    response = reopen(applicant, application)
    assert response.status_code == 302
    assert response["Location"] == "/member/join/main/application/"
    page = applicant.get("/member/join/main/application/").content.decode()
    assert (
        "仮申請時のデータを引用しました。内容を改めてご確認ください。修正が必要な場合は修正してください。"
        in page
    )
    assert 'value="広域電力株式会社"' in page
    assert "還元額が発生した場合に返還する銀行口座" in page
    response = applicant.post(
        "/member/join/main/application/",
        form_post(admin2=True, code="1234", company={"representative_title": "代表取締役社長"}, documents=[]),
    )
    assert response.status_code == 302, field_error(response, "id_organization_code")
    assert response["Location"] == "/member/join/main/done/"
    done = applicant.get("/member/join/main/done/").content.decode()
    assert "加入（本）申請を受け付けました" in done
    assert "還元額が発生した場合に返還する銀行口座" in done  # a retailer
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.payload["organization_code"] == "1234"
    assert application.payload["representative_title"] == "代表取締役社長"

    # The reviewer sees what the main application changed against the provisional one.
    detail = staff_client.get(f"/backoffice/reviews/{application.pk}/").content.decode()
    assert "代表取締役社長" in detail
    assert "小売電気" in detail  # 事業者種別 by name

    # Hold with a reason: mailed, with the URL to correct it.
    response = staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "hold", "reason": HOLD_REASON, "version": application.version},
    )
    assert response.status_code == 302
    hold_mail = last_mail("membership/mail/join_hold")
    assert HOLD_REASON in hold_mail.body
    assert "/member/join/main/" in hold_mail.body

    # The applicant corrects and resubmits through the same URL.
    applicant = Client()
    reopen(applicant, application)
    page = applicant.get("/member/join/main/application/").content.decode()
    assert HOLD_REASON in page
    assert "再申請" in page
    response = applicant.post(
        "/member/join/main/application/",
        form_post(admin2=True, code="1234", documents=[]),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
    assert application.payload["representative_title"] == "代表取締役"

    # Approval creates the organization, its member information and both administrators.
    application.refresh_from_db()
    response = staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "approve", "reason": "", "version": application.version, "confirmed": "1"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.APPROVED
    organization = Organization.objects.get(code="1234")
    assert application.organization == organization
    assert organization.name == "広域電力株式会社"
    assert organization.corporate_number == CORPORATE_NUMBER
    assert organization.member_since == timezone.localdate()
    assert organization.business_types == ["retail", "generation"]
    profile = MemberProfile.objects.get(organization=organization)
    assert profile.version == 1
    assert profile.electronic_notice_consent is True
    assert profile.representative_title == "代表取締役"
    # Typed 東京都江東区豊洲６－２－１５: the address rule of every system keeps it half-width.
    assert profile.address1 == "東京都江東区豊洲6-2-15"
    assert profile.parent_share_ratio is None
    assert profile.history.count() == 1
    admin1 = User.objects.get(organization=organization, login_id="abc001")
    admin2 = User.objects.get(organization=organization, login_id="abc002")
    assert profile.administrator1 == admin1 and profile.administrator2 == admin2
    assert admin1.must_change_password and admin1.email == ADMIN1["email"]
    assert set(Consent.objects.filter(application=application).values_list("organization", flat=True)) == {
        organization.pk
    }
    approve_mail = last_mail("membership/mail/join_approve")
    assert "事業者コード：1234" in approve_mail.body
    assert ADMIN1["email"] in approve_mail.to
    assert {m.to[0] for m in mails("identity/mail/user_registered")} == {ADMIN1["email"], ADMIN2["email"]}

    # The administrator logs in with the mailed password and must change it first.
    member = Client()
    response = member.post(
        "/member/login/",
        {"organization_code": "1234", "user_id": "abc001", "password": mailed_password(ADMIN1["email"])},
    )
    assert response.status_code == 302
    assert member.get("/member/")["Location"] == "/member/password/change/"
    response = member.post(
        "/member/password/change/",
        {
            "old_password": mailed_password(ADMIN1["email"]),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert member.get("/member/").status_code == 200
    admin1.refresh_from_db()
    assert not admin1.must_change_password

    # Approved, the application no longer opens as a guest's.
    assert (
        "受付番号またはメールアドレスが正しくありません。" in reopen(Client(), application).content.decode()
    )


def test_mem_j4_a_rejected_application_is_corrected_and_resubmitted(client: Client, staff: User) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    application = submit_main(application, code="2345")
    reviews.reject(actor=staff, application=application, reason="資本関係の記載が不足しています。")
    assert "資本関係の記載が不足しています。" in last_mail("membership/mail/join_reject").body

    reopen(client, application)
    page = client.get("/member/join/main/application/").content.decode()
    assert "却下理由" in page
    response = client.post(
        "/member/join/main/application/",
        form_post(
            code="2345", documents=[], company={"capital_relationship": "広域ホールディングス株式会社"}
        ),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
    assert application.payload["capital_relationship"] == "広域ホールディングス株式会社"


def test_mem_j4_while_in_review_the_application_shows_its_state_and_is_not_editable(
    client: Client, staff: User
) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    submit_main(application, code="2345")
    reopen(client, application)
    page = client.get("/member/join/main/application/").content.decode()
    assert "審査中" in page
    response = client.post("/member/join/main/application/", form_post(code="2345", documents=[]))
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_mem_j4_a_document_revised_since_the_provisional_application_is_agreed_to_again(
    client: Client, staff: User
) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    old = join.join_documents()[1]
    revised = type(old).objects.create(
        system="member",
        kind=old.kind,
        version="Ver. 1.2",
        title=old.title,
        body="改定後の本文",
        effective_date=timezone.localdate(),
        published_at=timezone.now() - timedelta(minutes=1),
    )
    reopen(client, application)
    page = client.get("/member/join/main/application/").content.decode()
    assert "Ver. 1.2" in page

    response = client.post("/member/join/main/application/", form_post(code="2345", documents=[]))
    assert response.status_code == 200
    assert "に同意してください" in field_error(response, "id_consent_system_terms")
    application.refresh_from_db()
    assert application.state == State.DRAFT

    response = client.post("/member/join/main/application/", form_post(code="2345", documents=[revised]))
    assert response.status_code == 302
    assert Consent.objects.filter(application=application, document=revised).count() == 1


# --- MEM-J5 ---------------------------------------------------------------------------------------


def test_mem_j5_a_provisional_application_expires_after_a_year_and_the_applicant_is_told(
    time_machine: Any, staff: User
) -> None:
    stale = file_provisional()
    submitted = file_provisional(name="送配電株式会社")
    join.assign_code(actor=staff, application=submitted, code="3456")
    submit_main(submitted, code="3456", name="送配電株式会社")

    time_machine.move_to(timezone.localtime() + timedelta(days=364), tick=False)
    recent = file_provisional(name="新電力株式会社")
    assert expire_provisional_join_applications.call() == []

    time_machine.move_to(timezone.localtime() + timedelta(days=2), tick=False)
    assert expire_provisional_join_applications.call() == [stale.reception_number]
    for application, state in [(stale, State.EXPIRED), (submitted, State.SUBMITTED), (recent, State.DRAFT)]:
        application.refresh_from_db()
        assert application.state == state
    expire_mail = last_mail("membership/mail/join_expire")
    assert expire_mail.to == [ADMIN1["email"]]
    assert stale.reception_number in expire_mail.body
    assert "2.7.2" in expire_mail.body
    # Expired, it can no longer be filed.
    with pytest.raises(Exception, match="本申請できません"):
        submit_main(stale, code="9999")


def test_mem_j5_the_expiry_job_is_registered_daily() -> None:
    periodic.autodiscover()
    jobs = {job.name: job for job in periodic.registered()}
    job = jobs["membership.expire_provisional_join_applications"]
    assert job.every == timedelta(days=1)
    assert job.task is expire_provisional_join_applications


def test_one_year_before_keeps_the_wall_clock_and_handles_29_february() -> None:
    leap = timezone.make_aware(timezone.datetime(2028, 2, 29, 10, 30))
    assert join.one_year_before(leap) == timezone.make_aware(timezone.datetime(2027, 2, 28, 10, 30))


# --- the link -------------------------------------------------------------------------------------


def test_mem_j1_the_link_page_answers_the_same_whatever_the_address(client: Client) -> None:
    OrganizationFactory(code="4321")
    first = client.post("/member/join/", {"email": "someone@example.jp", "name": "広域 太郎"})
    second = client.post("/member/join/", {"email": ADMIN1["email"], "name": "広域 太郎"})
    assert first.status_code == second.status_code == 200

    def page(response: Any) -> str:
        return re.sub(r'nonce="[^"]*"', "", response.content.decode())

    assert page(first) == page(second)


def test_mem_j1_bad_input_is_shown_next_to_the_field_and_nothing_is_mailed(client: Client) -> None:
    response = client.post("/member/join/", {"email": "not-an-address", "name": ""})
    assert response.status_code == 200
    assert field_error(response, "id_email") == "有効なメールアドレスを入力してください。"
    assert field_error(response, "id_name") == "氏名を入力してください。"
    assert not mails("membership/mail/join_link")


@pytest.mark.usefixtures("frozen_minute")
def test_mem_j1_the_link_page_is_rate_limited_per_address(client: Client, settings: Any) -> None:
    settings.KOUIKI_RESET_RATE = "2/m"
    for _ in range(2):
        assert client.post("/member/join/", {"email": LINK_EMAIL, "name": "広域 太郎"}).status_code == 200
    assert client.post("/member/join/", {"email": LINK_EMAIL, "name": "広域 太郎"}).status_code == 429
    assert len(mails("membership/mail/join_link")) == 2


def test_mem_j2_an_expired_link_is_refused_and_nothing_is_filed(client: Client, time_machine: Any) -> None:
    token = request_link(client)
    time_machine.move_to(timezone.localtime() + timedelta(days=7, minutes=1), tick=False)
    url = f"/member/join/provisional/{token}/"
    response = client.get(url)
    assert response.status_code == 400
    assert "有効期限が切れています" in response.content.decode()
    assert client.post(url, form_post()).status_code == 400
    assert not Application.objects.exists()


def test_mem_j2_a_link_within_seven_days_still_works(client: Client, time_machine: Any) -> None:
    token = request_link(client)
    time_machine.move_to(timezone.localtime() + timedelta(days=6, hours=23), tick=False)
    assert client.get(f"/member/join/provisional/{token}/").status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.split(":")[0],
        lambda token: signing.dumps({"e": "evil@example.jp", "n": "x"}, salt="another.salt"),
        lambda token: "not-a-token",
    ],
    ids=["signature", "truncated", "other-salt", "garbage"],
)
def test_mem_j2_a_tampered_link_is_refused(client: Client, tamper: Any) -> None:
    token = request_link(client)
    url = f"/member/join/provisional/{tamper(token)}/"
    response = client.get(url)
    assert response.status_code == 400
    assert "このURLは正しくありません" in response.content.decode()
    assert client.post(url, form_post()).status_code == 400
    assert not Application.objects.exists()


# --- bad input on the application screens ---------------------------------------------------------

BAD_INPUT = [
    # (what, company overrides, admin1 overrides, field id, part of the message)
    (
        "corporate number check digit",
        {"corporate_number": "1000000000003"},
        {},
        "id_corporate_number",
        "チェックデジット",
    ),
    (
        "kana with a half-width quote",
        {"address1_kana": 'トヨス"ビル'},
        {},
        "id_address1_kana",
        "ダブルクォーテーション",
    ),
    (
        "kana name in romaji",
        {"representative_last_name_kana": "Kouiki"},
        {},
        "id_representative_last_name_kana",
        "カナ",
    ),
    (
        "mismatched e-mail confirmation",
        {},
        {"email_confirm": "tanaka@other.example.jp"},
        "id_admin1-email_confirm",
        "確認用のメールアドレスが一致しません",
    ),
    ("phone without hyphens", {"phone": "0312345678"}, {}, "id_phone", "ハイフン"),
    ("administrator phone without hyphens", {}, {"phone": "0333331234"}, "id_admin1-phone", "ハイフン"),
    ("user id not 6 alphanumerics", {}, {"user_id": "ab-01"}, "id_admin1-user_id", "6桁の半角英数字"),
]


@pytest.mark.parametrize(
    ("what", "company", "admin1", "field_id", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT]
)
def test_mem_j2_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
    client: Client, what: str, company: dict[str, Any], admin1: dict[str, str], field_id: str, message: str
) -> None:
    token = request_link(client)
    response = client.post(f"/member/join/provisional/{token}/", form_post(company=company, admin1=admin1))
    assert response.status_code == 200
    assert message in field_error(response, field_id)
    assert "入力内容に誤りがあります" in response.content.decode()
    assert not Application.objects.exists()
    assert not Consent.objects.exists()
    assert not mails("membership/mail/join_received")


@pytest.mark.parametrize(
    ("what", "company", "admin1", "field_id", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT]
)
def test_mem_j4_bad_input_is_shown_next_to_the_field_and_nothing_changes(
    client: Client,
    staff: User,
    what: str,
    company: dict[str, Any],
    admin1: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    before = dict(application.payload), application.version
    reopen(client, application)
    response = client.post(
        "/member/join/main/application/", form_post(company=company, admin1=admin1, code="2345", documents=[])
    )
    assert response.status_code == 200
    assert message in field_error(response, field_id)
    application.refresh_from_db()
    assert (application.payload, application.version) == before
    assert application.state == State.DRAFT


def test_half_width_personal_names_are_refused_company_names_widened(client: Client) -> None:
    """氏名 and 代表者名 must be typed full-width (seed 003); an official company name may hold Latin
    letters and digits, which are widened."""
    token = request_link(client)
    response = client.post(
        f"/member/join/provisional/{token}/",
        form_post(company={"representative_last_name": "ｺｳｲｷ"}, admin1={"last_name": "Tanaka"}),
    )
    assert response.status_code == 200
    assert "全角で入力してください" in field_error(response, "id_representative_last_name")
    assert "全角で入力してください" in field_error(response, "id_admin1-last_name")
    assert not Application.objects.exists()

    response = client.post(
        f"/member/join/provisional/{token}/", form_post(company={"name": "KOUIKI電力株式会社"})
    )
    assert response.status_code == 302
    assert Application.objects.get().payload["name"] == "ＫＯＵＩＫＩ電力株式会社"


def test_mem_j2_each_document_must_be_agreed_to(client: Client) -> None:
    token = request_link(client)
    data = form_post()
    del data["consent_system_terms"]
    response = client.post(f"/member/join/provisional/{token}/", data)
    assert response.status_code == 200
    assert "に同意してください" in field_error(response, "id_consent_system_terms")
    assert field_error(response, "id_consent_articles") == ""
    assert not Application.objects.exists()


def test_mem_j2_a_partly_filled_administrator_2_is_refused(client: Client) -> None:
    token = request_link(client)
    data = form_post()
    data["admin2-last_name"] = "山本"
    response = client.post(f"/member/join/provisional/{token}/", data)
    assert response.status_code == 200
    assert field_error(response, "id_admin2-user_id") == "ユーザIDを入力してください。"
    assert not Application.objects.exists()


def test_mem_j2_the_two_administrators_need_different_user_ids(client: Client) -> None:
    token = request_link(client)
    data = form_post(admin2=True)
    data["admin2-user_id"] = ADMIN1["user_id"]
    response = client.post(f"/member/join/provisional/{token}/", data)
    assert response.status_code == 200
    assert "異なるもの" in field_error(response, "id_admin2-user_id")
    assert not Application.objects.exists()


# --- the main application's proof and code ------------------------------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        {"reception_number": "J2000-999999"},
        {"email": "someone@example.jp"},
        {"reception_number": "J2000-999999", "email": "someone@example.jp"},
    ],
    ids=["number", "mail", "both"],
)
def test_mem_j4_a_wrong_reception_number_or_mail_gives_the_same_answer(
    client: Client, wrong: dict[str, str]
) -> None:
    application = file_provisional()
    data = {"reception_number": application.reception_number, "email": application.applicant_email, **wrong}
    response = client.post("/member/join/main/", data)
    assert response.status_code == 200
    assert "受付番号またはメールアドレスが正しくありません。" in response.content.decode()
    assert client.get("/member/join/main/application/")["Location"] == "/member/join/main/"


def test_mem_j4_the_reception_number_may_be_typed_in_full_width_and_the_mail_in_any_case(
    client: Client,
) -> None:
    application = file_provisional()
    number = application.reception_number.translate(str.maketrans("J0123456789-", "Ｊ０１２３４５６７８９－"))
    response = client.post(
        "/member/join/main/", {"reception_number": number, "email": ADMIN1["email"].upper()}
    )
    assert response["Location"] == "/member/join/main/application/"


def test_mem_j4_the_proof_lasts_an_hour_of_inactivity(client: Client, time_machine: Any) -> None:
    application = file_provisional()
    reopen(client, application)
    time_machine.move_to(timezone.localtime() + timedelta(minutes=59), tick=False)
    assert client.get("/member/join/main/application/").status_code == 200
    time_machine.move_to(timezone.localtime() + timedelta(minutes=61), tick=False)
    assert client.get("/member/join/main/application/")["Location"] == "/member/join/main/"


def test_mem_j4_the_code_is_refused_until_issued_and_must_be_the_issued_one(
    client: Client, staff: User
) -> None:
    application = file_provisional()
    reopen(client, application)
    page = client.get("/member/join/main/application/").content.decode()
    assert "事業者コードはまだ発番されていません" in page
    response = client.post("/member/join/main/application/", form_post(code="2345", documents=[]))
    assert "まだ発番されていません" in field_error(response, "id_organization_code")

    join.assign_code(actor=staff, application=application, code="2345")
    response = client.post("/member/join/main/application/", form_post(code="5432", documents=[]))
    assert "事業者コードが正しくありません" in field_error(response, "id_organization_code")
    response = client.post("/member/join/main/application/", form_post(code="23a4", documents=[]))
    assert "4桁の半角数字" in field_error(response, "id_organization_code")
    application.refresh_from_db()
    assert application.state == State.DRAFT


def test_main_lookup_requires_both_values(client: Client) -> None:
    response = client.post("/member/join/main/", {"reception_number": "", "email": ""})
    assert field_error(response, "id_reception_number") == "加入申請受付番号を入力してください。"
    assert field_error(response, "id_email") == "管理者①メールアドレスを入力してください。"


# --- 事業者マスタ登録 rules ---------------------------------------------------------------------------


def test_a_code_already_used_by_an_organization_or_another_application_is_refused(staff: User) -> None:
    OrganizationFactory(code="1111", name="既存電力株式会社")
    first = file_provisional()
    second = file_provisional(name="送配電株式会社")
    with pytest.raises(Exception, match="既存電力株式会社"):
        join.assign_code(actor=staff, application=first, code="1111")
    join.assign_code(actor=staff, application=first, code="2222")
    with pytest.raises(Exception, match=f"受付番号 {first.reception_number}"):
        join.assign_code(actor=staff, application=second, code="2222")
    with pytest.raises(Exception, match="発番済み"):
        join.assign_code(actor=staff, application=first, code="3333")
    assert list(CodeAssignment.objects.values_list("code", flat=True)) == ["2222"]
    event = Event.objects.get(action="membership.code_assign")
    assert event.detail == {"reception_number": first.reception_number, "code": "2222"}


def test_only_staff_assign_codes(member_admin: User) -> None:
    application = file_provisional()
    with pytest.raises(Exception, match="職員のみ"):
        join.assign_code(actor=member_admin, application=application, code="2222")


def test_approval_fails_cleanly_when_the_code_was_taken_meanwhile(staff: User) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    application = submit_main(application, code="2345")
    OrganizationFactory(code="2345")
    with pytest.raises(Exception, match="既に他の事業者が使用しているため承認できません"):
        reviews.approve(actor=staff, application=application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert not MemberProfile.objects.exists()
    assert not User.objects.filter(login_id="abc001").exists()


def test_the_share_ratio_and_administrator_1_alone_are_applied(staff: User) -> None:
    application = file_provisional(
        capital_relationship="広域ホールディングス株式会社", parent_share_ratio="51.5"
    )
    join.assign_code(actor=staff, application=application, code="2345")
    application = submit_main(
        application,
        code="2345",
        capital_relationship="広域ホールディングス株式会社",
        parent_share_ratio="51.5",
    )
    reviews.approve(actor=staff, application=application)
    profile = MemberProfile.objects.get(organization__code="2345")
    assert profile.parent_share_ratio == Decimal("51.50")
    assert profile.administrator2 is None
    assert User.objects.filter(organization__code="2345").count() == 1


# --- the catalog ------------------------------------------------------------------------------------


def test_mem_j1_to_j5_are_built_in_the_catalog() -> None:
    assert all(catalog.get(f"MEM-J{n}").built for n in range(1, 6))
    assert catalog.urls(catalog.get("MEM-J1")) == ["/member/join/"]


def test_outbox_rows_of_the_join_mails_render_japanese() -> None:
    application = file_provisional()
    message = OutboxMessage.objects.get(template="membership/mail/join_received")
    assert message.subject == (
        f"【電力広域的運営推進機関】加入（仮）申請を受け付けました（受付番号 {application.reception_number}）"
    )


def test_the_reviewer_sees_only_what_the_main_application_changed(staff: User) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    application = submit_main(application, code="2345", representative_title="代表取締役社長")
    join_type = registry.get("membership.join")
    assert join_type.differences(application) == [
        ("事業者コード", "", "2345"),
        ("代表者肩書", "代表取締役", "代表取締役社長"),
    ]
    rows = dict(join_type.rows(application.payload))
    assert rows["事業者種別"] == "小売電気、発電"
    assert rows["管理者① ユーザID"] == "abc001"
    assert "管理者② ユーザID" not in rows


def test_mem_j4_terms_revised_while_the_page_is_open_are_agreed_to_on_the_page_shown_again(
    client: Client, staff: User
) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    documents = join.join_documents()
    reopen(client, application)
    client.get("/member/join/main/application/")
    old = documents[1]
    revised = type(old).objects.create(
        system="member",
        kind=old.kind,
        version="Ver. 1.3",
        title=old.title,
        body="改定後の本文",
        effective_date=timezone.localdate(),
        published_at=timezone.now() - timedelta(minutes=1),
    )

    # The page still showed the old version, and its box was ticked.
    response = client.post("/member/join/main/application/", form_post(code="2345", documents=documents))
    assert response.status_code == 200
    assert "改定されました" in response.content.decode()
    hidden = re.search(rf'name="consent_{old.kind}_version" value="(\d+)"', response.content.decode())
    assert hidden is not None and hidden[1] == str(revised.pk)
    application.refresh_from_db()
    assert application.state == State.DRAFT

    # Ticking again on the page shown agrees to the revised version.
    again = form_post(code="2345", documents=[documents[0], revised, *documents[2:]])
    response = client.post("/member/join/main/application/", again)
    assert response.status_code == 302
    assert Consent.objects.filter(application=application, document=revised).count() == 1
