"""Operator information (CAP-R1..R3, seed 002 2.1, 2.7, 3.2) through the screens, as an applicant,
a registered participant and the organization's staff would: the application to use the system →
hold → correction → approval → administrator ID mailed → first login → password change; one
administrator ID per participant; change and deletion, each reviewed, with the history kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.capacity.models import Operator, OperatorVersion
from kouiki.capacity.services import operators, sources, sources_csv
from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity.models import Enrollment, User
from kouiki.identity.selectors import role_in
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application, State
from kouiki.terms.models import Consent, TermsDocument
from tests.capacity.helpers import (
    ADMIN,
    ADMIN_EMAIL,
    CONTACT1,
    STABLE,
    file_registration,
    form_post,
    last_mail,
    login,
    mailed_password,
    mails,
    payload,
    point,
)
from tests.factories import corporate_number
from tests.membership.join_helpers import staff_session

HOLD_REASON = "代表者役職が登記事項証明書と異なります。"
NEW_PASSWORD = "Capacity-new1"


def field_error(response: Any, field_id: str) -> str:
    """The message shown next to a field (templates/includes/field.html)."""
    match = re.search(
        rf'<p class="field__error" id="{re.escape(field_id)}_error">(.*?)</p>', response.content.decode()
    )
    return match[1] if match else ""


def decide(client: Client, application: Application, decision: str, reason: str = "") -> Any:
    application.refresh_from_db()
    return client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        # confirmed: the answer to the back office's "承認してよろしいですか" (ignored by hold and reject)
        {"decision": decision, "reason": reason, "version": application.version, "confirmed": "1"},
    )


# --- the whole flow ---------------------------------------------------------------------------------


def test_cap_r1_to_r3_application_hold_correction_approval_admin_id_first_login(
    client: Client, staff: User, capacity_terms: TermsDocument
) -> None:
    # CAP-R1: the public application, with the terms in force to agree to.
    page = client.get("/capacity/apply/").content.decode()
    assert "容量市場システム利用規約に同意する" in page
    assert capacity_terms.title in page
    response = client.post(
        "/capacity/apply/", form_post(capacity_terms, company={"representative_title": "社長"})
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/capacity/apply/received/"
    application = Application.objects.get(kind="capacity.operator")
    assert application.state == State.SUBMITTED
    assert application.reception_number.startswith("CR")
    assert application.applicant_email == ADMIN_EMAIL
    assert application.organization_id is None
    assert application.payload["supplier_kinds"] == ["retail", "generation"]
    assert application.payload["name"] == "キャパ電気株式会社"
    # Typed half-width, kept so: the address rule of every system (core.japanese.normalize_address).
    assert application.payload["address"] == "東京都千代田区丸の内2-2-2"

    # The consent: the version shown, the time and the address of the request (X-T1).
    consent = Consent.objects.get(application=application)
    assert consent.document == capacity_terms
    assert consent.applicant_email == ADMIN_EMAIL
    assert consent.ip == "127.0.0.1" and consent.consented_at is not None

    received = client.get("/capacity/apply/received/").content.decode()
    assert application.reception_number in received
    submit_mail = last_mail("capacity/mail/registration_submit")
    assert submit_mail.to == [ADMIN_EMAIL]
    assert application.reception_number in submit_mail.body
    assert "/capacity/apply/status/" in submit_mail.body

    # The organization holds it with a reason, mailed with the way back.
    staff_client = staff_session(Client(), staff)
    queue = staff_client.get("/backoffice/reviews/", {"kind": "capacity.operator", "state": "pending"})
    assert application.reception_number in queue.content.decode()
    detail = staff_client.get(f"/backoffice/reviews/{application.pk}/").content.decode()
    assert "電気供給事業者の種別" in detail and "発電事業者" in detail
    assert decide(staff_client, application, "hold", HOLD_REASON).status_code == 302
    hold_mail = last_mail("capacity/mail/registration_hold")
    assert HOLD_REASON in hold_mail.body
    assert "/capacity/apply/status/" in hold_mail.body

    # CAP-R2: the applicant reopens it (a wrong address gets the same message as a wrong number).
    applicant = Client()
    wrong = applicant.post(
        "/capacity/apply/status/", {"reception_number": application.reception_number, "email": "x@example.jp"}
    )
    assert "受付番号またはメールアドレスが正しくありません" in wrong.content.decode()
    response = applicant.post(
        "/capacity/apply/status/",
        {"reception_number": application.reception_number.lower(), "email": ADMIN_EMAIL.upper()},
    )
    assert response.status_code == 302
    assert response["Location"] == "/capacity/apply/status/application/"
    page = applicant.get("/capacity/apply/status/application/").content.decode()
    assert HOLD_REASON in page and "保留" in page and "再申請" in page
    assert 'value="社長"' in page
    response = applicant.post(
        "/capacity/apply/status/application/",
        form_post(None, company={"representative_title": "代表取締役社長"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
    assert application.payload["representative_title"] == "代表取締役社長"
    assert Consent.objects.filter(application=application).count() == 1  # agreed once, still in force

    # Approval: the organization with its code, the operator, the administrator ID mailed (CAP-R3).
    assert decide(staff_client, application, "approve").status_code == 302
    application.refresh_from_db()
    assert application.state == State.APPROVED
    organization = application.organization
    assert organization is not None and organization.code == "9201"
    operator = Operator.objects.get(organization=organization)
    assert operator.version == 1 and operator.is_active
    assert operator.registration_number == application.reception_number
    assert operator.contract_started_at is not None
    assert operator.admin_id_mailed_to == ADMIN_EMAIL
    assert OperatorVersion.objects.filter(operator=operator).count() == 1
    admin = operator.administrator
    assert admin is not None and admin.login_id == "adm001"
    assert role_in(admin, System.CAPACITY) == Role.ADMIN
    assert admin.must_change_password
    notice = last_mail("identity/capacity/mail/administrator_id")
    assert notice.to == [ADMIN_EMAIL]
    assert notice.sensitive
    assert "管理者ID: adm001" in notice.body and f"事業者コード: {organization.code}" in notice.body
    assert "2.1.3" in notice.body
    assert organization.code in last_mail("capacity/mail/registration_approve").body
    assert Consent.objects.get(application=application).organization == organization
    assert Event.objects.filter(action="capacity.admin_id_notify", organization_id=organization.pk).exists()

    # Approved, it no longer opens as a guest's: the administrator logs in instead.
    assert applicant.get("/capacity/apply/status/application/").status_code == 302

    # First login with the mailed password, then the forced change.
    browser = Client()
    response = browser.post(
        "/capacity/login/",
        {"organization_code": organization.code, "user_id": "adm001", "password": mailed_password(notice)},
    )
    assert response.status_code == 302
    assert browser.get("/capacity/")["Location"] == "/capacity/password/change/"
    response = browser.post(
        "/capacity/password/change/",
        {
            "old_password": mailed_password(notice),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    menu = browser.get("/capacity/").content.decode()
    assert "事業者情報管理" in menu and "ユーザ情報管理" in menu
    info = browser.get("/capacity/operator/").content.decode()
    assert "代表取締役社長" in info and "adm001" in info

    # CAP-R2 after login: the registration and its history.
    listing = browser.get("/capacity/operator/applications/").content.decode()
    assert application.reception_number in listing
    detail = browser.get(f"/capacity/operator/applications/{application.pk}/").content.decode()
    assert HOLD_REASON in detail and "承認" in detail


def test_the_screen_shows_each_error_next_to_its_field(client: Client, capacity_terms: TermsDocument) -> None:
    post = form_post(capacity_terms, company={"corporate_number": "1000000000003", "bid_intent": False})
    post.update({"contact2-name": "二人目 太郎"})
    del post["consent"]
    response = client.post("/capacity/apply/", post)
    assert response.status_code == 200
    assert "チェックデジット" in field_error(response, "id_corporate_number")
    assert "応札する意思" in field_error(response, "id_bid_intent")
    assert "メールアドレスを入力してください" in field_error(response, "id_contact2-email")
    assert "同意してください" in field_error(response, "id_consent")
    assert not Application.objects.exists()


def test_no_application_is_taken_while_no_capacity_terms_are_in_force(client: Client, db: None) -> None:
    TermsDocument.objects.filter(system="capacity").update(published_at=None)
    page = client.get("/capacity/apply/").content.decode()
    assert "利用規約が公表されていないため" in page
    client.post("/capacity/apply/", form_post(None))
    assert not Application.objects.exists()
    with pytest.raises(ValidationFailed, match="公表されていない"):
        operators.file_registration(payload=payload(), agreed_terms_id=None)


def test_terms_revised_while_the_applicant_read_them_must_be_agreed_to_again(
    capacity_terms: TermsDocument,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        operators.file_registration(payload=payload(), agreed_terms_id=capacity_terms.pk + 1000)
    assert "改定" in caught.value.errors["consent"][0]
    assert not Application.objects.exists()


def test_a_rejected_application_is_corrected_and_resubmitted(
    staff: User, capacity_terms: TermsDocument
) -> None:
    application = file_registration(capacity_terms)
    application = reviews.reject(actor=staff, application=application, reason="法人番号が確認できません。")
    assert "法人番号が確認できません。" in last_mail("capacity/mail/registration_reject").body
    filed = operators.resubmit_registration(
        email=ADMIN_EMAIL, application=application, payload=payload(name="キャパ電気ホールディングス株式会社")
    )
    assert filed.state == State.RESUBMITTED
    assert filed.subject == "キャパ電気ホールディングス株式会社"


def test_a_company_already_registered_cannot_apply_again(
    operator: Operator, capacity_terms: TermsDocument
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        file_registration(capacity_terms)
    assert "既に容量市場システムに登録されています" in caught.value.errors["corporate_number"][0]


# --- X-I1: one administrator ID per participant -----------------------------------------------------


def test_x_i1_a_second_administrator_id_is_refused(operator: Operator, staff: User) -> None:
    registration = Application.objects.get(reception_number=operator.registration_number)
    notices = len(mails("identity/capacity/mail/administrator_id"))
    with pytest.raises(Conflict) as caught:
        operators.notify_administrator_id(actor=staff, operator=operator, application=registration)
    assert caught.value.code == "admin_id_issued"
    assert "1回のみ" in caught.value.message
    with pytest.raises(ValidationFailed) as refused:
        identity_capacity.create_administrator(
            actor=staff, organization=operator.organization, login_id="adm002", **ADMIN
        )
    assert refused.value.code == "admin_id_issued"
    assert Enrollment.objects.filter(user__organization=operator.organization, role=Role.ADMIN).count() == 1
    assert len(mails("identity/capacity/mail/administrator_id")) == notices


def test_only_staff_notify_an_administrator_id(operator: Operator, cap_admin: User) -> None:
    registration = Application.objects.get(reception_number=operator.registration_number)
    with pytest.raises(Exception, match="権限"):
        operators.notify_administrator_id(actor=cap_admin, operator=operator, application=registration)


# --- CAP-R1: change, history, deletion ----------------------------------------------------------------


def change_post(operator: Operator, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "corporate_number": operator.corporate_number,
        "name": operator.name,
        "name_kana": operator.name_kana,
        "postal_code": operator.postal_code,
        "address": operator.address,
        "phone": operator.phone,
        "representative_title": operator.representative_title,
        "representative_name": operator.representative_name,
        "representative_name_kana": operator.representative_name_kana,
        "supplier_kinds": list(operator.supplier_kinds),
        "source_ownership": operator.source_ownership,
        "bid_intent": "on",
        "client_certificate": "on",
    }
    data.update({f"contact1-{name}": value for name, value in CONTACT1.items()})
    data.update(changes)
    return data


def test_cap_r1_a_change_is_reviewed_and_becomes_the_next_version(
    client: Client, operator: Operator, cap_user: User, staff: User
) -> None:
    login(client, cap_user)
    page = client.get("/capacity/operator/change/").content.decode()
    assert 'value="キャパ電気株式会社"' in page
    assert "admin-email" not in page  # the administrator changes through CAP-U1

    # Nothing changed: refused with the reason.
    response = client.post("/capacity/operator/change/", change_post(operator))
    assert "変更内容がありません" in response.content.decode()

    response = client.post(
        "/capacity/operator/change/", change_post(operator, address="東京都港区芝公園１－１")
    )
    assert response.status_code == 302
    application = Application.objects.get(kind="capacity.operator_change")
    assert application.state == State.SUBMITTED
    assert application.current["address"] == "東京都千代田区丸の内2-2-2"
    # The registered values stay until the approval; a second request waits for the first.
    page = client.get("/capacity/operator/").content.decode()
    assert "丸の内" in page and application.reception_number in page
    response = client.post("/capacity/operator/change/", change_post(operator, phone="03-7777-0000"))
    assert "審査中の申請" in response.content.decode()

    reviews.approve(actor=staff, application=application)
    operator.refresh_from_db()
    assert operator.version == 2 and operator.address == "東京都港区芝公園1-1"
    assert operator.organization.name == operator.name
    history = client.get("/capacity/operator/history/").content.decode()
    assert "第2版" in history and "第1版" in history
    assert "東京都千代田区丸の内2-2-2 → 東京都港区芝公園1-1" in history
    assert [v.summary for v in OperatorVersion.objects.filter(operator=operator).order_by("version")] == [
        "登録",
        "変更",
    ]

    # The staff see the same history.
    staff_client = staff_session(Client(), staff)
    detail = staff_client.get(f"/backoffice/capacity/operators/{operator.pk}/").content.decode()
    assert "東京都港区芝公園1-1" in detail and "第2版" in detail and application.reception_number in detail


def test_a_held_change_is_corrected_and_resubmitted(
    client: Client, operator: Operator, cap_user: User, staff: User
) -> None:
    login(client, cap_user)
    client.post("/capacity/operator/change/", change_post(operator, phone="03-7777-0000"))
    application = Application.objects.get(kind="capacity.operator_change")
    reviews.hold(actor=staff, application=application, reason="電話番号を確認してください。")
    page = client.get(f"/capacity/operator/applications/{application.pk}/").content.decode()
    assert "電話番号を確認してください。" in page and "修正して再申請" in page
    response = client.post(
        f"/capacity/operator/applications/{application.pk}/edit/", change_post(operator, phone="03-7777-0001")
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED and application.payload["phone"] == "03-7777-0001"


def test_cap_r1_deletion_waits_for_the_power_sources_then_ends_the_contract(
    client: Client, operator: Operator, cap_user: User, cap_admin: User, staff: User
) -> None:
    registration = sources.file_registration(actor=cap_user, payload=STABLE)
    reviews.approve(actor=staff, application=registration)
    login(client, cap_user)
    response = client.post("/capacity/operator/delete/", {"reason": "容量市場から撤退するため。"})
    assert "登録済みの電源等情報が1件あります" in response.content.decode()

    source = operator.power_sources.get()
    deletion = sources.file_deletion(actor=cap_user, source=source, reason="廃止するため。")
    reviews.approve(actor=staff, application=deletion)
    response = client.post("/capacity/operator/delete/", {"reason": "容量市場から撤退するため。"})
    assert response.status_code == 302
    application = Application.objects.get(kind="capacity.operator_deletion")
    reviews.approve(actor=staff, application=application)
    operator.refresh_from_db()
    assert not operator.is_active and operator.contract_ended_at is not None
    assert operator.version == 2
    # The users can no longer use the system; the data and history stay (2.7.4).
    response = Client().post(
        "/capacity/login/",
        {"organization_code": operator.organization.code, "user_id": "adm001", "password": "Cap-admin1"},
    )
    assert response.status_code != 302
    assert OperatorVersion.objects.filter(operator=operator).count() == 2


def test_another_organizations_application_is_not_found(
    client: Client, operator: Operator, other_operator: Operator, cap_user: User
) -> None:
    other = Application.objects.get(reception_number=other_operator.registration_number)
    login(client, cap_user)
    assert client.get(f"/capacity/operator/applications/{other.pk}/").status_code == 404
    own = Application.objects.get(reception_number=operator.registration_number)
    assert client.get(f"/capacity/operator/applications/{own.pk}/").status_code == 200


def test_a_capacity_participant_without_operator_information_is_told_so(client: Client, db: None) -> None:
    from tests.factories import participant

    user = participant(system=System.CAPACITY, role=Role.ADMIN)
    login(client, user)
    response = client.get("/capacity/operator/")
    assert response.status_code == 404
    assert "事業者情報は容量市場システムに登録されていません" in response.content.decode()


def test_codes_are_allocated_from_9201_skipping_those_in_use(
    staff: User, capacity_terms: TermsDocument
) -> None:
    from tests.factories import OrganizationFactory

    OrganizationFactory(code="9201")
    first = file_registration(capacity_terms)
    reviews.approve(actor=staff, application=first)
    second = file_registration(
        capacity_terms, corporate_number=corporate_number("000012092077"), name="二番目電力株式会社"
    )
    reviews.approve(actor=staff, application=second)
    codes = sorted(Operator.objects.values_list("organization__code", flat=True))
    assert codes == ["9202", "9203"]


# --- audit fixes: terms revised while the form is open ------------------------------------------------


def shown_terms_version(page: str) -> str:
    match = re.search(r'<input type="hidden" name="terms_version" value="(\d+)"', page)
    assert match, "no terms_version on the page"
    return match[1]


def consent_ticked(page: str) -> bool:
    match = re.search(r'<input type="checkbox" name="consent"[^>]*>', page)
    assert match, "no consent box on the page"
    return "checked" in match[0]


def publish_revision(previous: TermsDocument, version: str) -> TermsDocument:
    return TermsDocument.objects.create(
        system="capacity",
        kind="system_terms",
        version=version,
        title=previous.title,
        body=f"改定後の本文（{version}）。",
        effective_date=timezone.localdate(),
        published_at=timezone.now(),
    )


def test_terms_revised_after_the_form_opened_are_agreed_to_on_the_page_shown_again(
    client: Client, capacity_terms: TermsDocument
) -> None:
    page = client.get("/capacity/apply/").content.decode()
    shown = shown_terms_version(page)
    assert shown == str(capacity_terms.pk)
    revised = publish_revision(capacity_terms, "Ver. 9.0")

    response = client.post("/capacity/apply/", {**form_post(capacity_terms), "terms_version": shown})
    assert response.status_code == 200
    assert "改定されました" in field_error(response, "id_consent")
    page = response.content.decode()
    assert "Ver. 9.0" in page and not consent_ticked(page)
    assert shown_terms_version(page) == str(revised.pk)
    assert not Application.objects.exists()

    # Ticking the box again on that page agrees to the revision.
    retry = {**form_post(capacity_terms), "terms_version": shown_terms_version(page)}
    response = client.post("/capacity/apply/", retry)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(kind="capacity.operator")
    assert [consent.document for consent in Consent.objects.filter(application=application)] == [revised]


def test_terms_revised_while_a_correction_is_open_are_agreed_to_on_the_page_shown_again(
    staff: User, capacity_terms: TermsDocument
) -> None:
    application = reviews.hold(actor=staff, application=file_registration(capacity_terms), reason=HOLD_REASON)
    second = publish_revision(capacity_terms, "Ver. 8.0")
    applicant = Client()
    applicant.post(
        "/capacity/apply/status/", {"reception_number": application.reception_number, "email": ADMIN_EMAIL}
    )
    page = applicant.get("/capacity/apply/status/application/").content.decode()
    shown = shown_terms_version(page)
    assert shown == str(second.pk)
    third = publish_revision(capacity_terms, "Ver. 9.0")

    post = {**form_post(capacity_terms), "terms_version": shown}
    response = applicant.post("/capacity/apply/status/application/", post)
    assert response.status_code == 200
    assert "改定されました" in field_error(response, "id_consent")
    page = response.content.decode()
    assert shown_terms_version(page) == str(third.pk) and not consent_ticked(page)

    post["terms_version"] = shown_terms_version(page)
    response = applicant.post("/capacity/apply/status/application/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
    assert Consent.objects.filter(application=application, document=third).exists()


# --- audit fixes: another operator's 法人番号; sources and the operator's deletion ----------------------


def change_payload(**company: Any) -> dict[str, Any]:
    return {key: value for key, value in payload(**company).items() if not key.startswith("admin_")}


def test_a_change_cannot_take_the_corporate_number_of_another_operator(
    operator: Operator, other_operator: Operator, cap_user: User, staff: User, capacity_terms: TermsDocument
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        operators.file_change(
            actor=cap_user, payload=change_payload(corporate_number=other_operator.corporate_number)
        )
    assert "既に容量市場システムに登録されています" in caught.value.errors["corporate_number"][0]
    assert not Application.objects.filter(kind="capacity.operator_change").exists()

    # Filed while the number was free; another operator registered with it before the approval.
    free = corporate_number("000012092066")
    change = operators.file_change(actor=cap_user, payload=change_payload(corporate_number=free))
    reviews.approve(
        actor=staff,
        application=file_registration(capacity_terms, corporate_number=free, name="後発電力株式会社"),
    )
    with pytest.raises(ValidationFailed, match="既に容量市場システムに登録されています"):
        reviews.approve(actor=staff, application=change)
    operator.refresh_from_db()
    assert operator.corporate_number != free and operator.version == 1

    # A correction after a hold is checked the same way.
    change = reviews.hold(actor=staff, application=change, reason="法人番号を確認してください。")
    with pytest.raises(ValidationFailed) as caught:
        operators.resubmit_request(
            actor=cap_user, application=change, payload=change_payload(corporate_number=free)
        )
    assert "既に容量市場システムに登録されています" in caught.value.errors["corporate_number"][0]
    # Its own number stays its own.
    filed = operators.resubmit_request(
        actor=cap_user, application=change, payload=change_payload(phone="03-6666-9999")
    )
    assert filed.state == State.RESUBMITTED


def test_no_source_is_filed_while_the_operator_deletion_waits_and_none_strands_its_approval(
    operator: Operator, cap_user: User, staff: User
) -> None:
    deletion = operators.file_deletion(actor=cap_user, reason="容量市場から撤退するため。")
    with pytest.raises(ValidationFailed) as caught:
        sources.file_registration(actor=cap_user, payload=STABLE)
    assert caught.value.code == "operator_leaving" and deletion.reception_number in caught.value.message
    with pytest.raises(ValidationFailed, match="事業者情報削除申請"):
        sources.import_sources(actor=cap_user, data=sources_csv.template())
    assert not Application.objects.filter(kind__startswith="capacity.source").exists()

    # Source applications left open from before (filed around the services) hold the approval back.
    reviews.withdraw(actor=cap_user, application=deletion)
    stranded = [sources.file_registration(actor=cap_user, payload=STABLE)]
    stranded.append(
        sources.file_registration(
            actor=cap_user, payload={**STABLE, "receiving_point_number": point("03", 2)}
        )
    )
    deletion = reviews.submit(
        actor=cap_user,
        application=reviews.create_draft(
            actor=cap_user,
            kind="capacity.operator_deletion",
            payload={"name": operator.name, "reason": "撤退"},
        ),
    )
    with pytest.raises(ValidationFailed, match="審査中の電源等情報の申請が2件あるため承認できません"):
        reviews.approve(actor=staff, application=deletion)
    for application in stranded:
        reviews.reject(actor=staff, application=application, reason="事業者情報削除のため。")
    reviews.approve(actor=staff, application=deletion)
    operator.refresh_from_db()
    assert not operator.is_active
