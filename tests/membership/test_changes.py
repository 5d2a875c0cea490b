"""MEM-I3..I6: administrator changes at once, company changes after approval, edit and resubmit,
succession and withdrawal ending access (seed 003 chapters 5-7)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import ValidationFailed
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity.models import Organization, OrganizationStatus, User
from kouiki.membership.models import MemberProfile
from kouiki.membership.services import changes, exits
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application, State
from tests.access import sent_to_login
from tests.factories import participant
from tests.membership.factories import ADMIN1_INPUT, ADMIN2_INPUT, change_form_data, member

NEW = "/member/changes/new/"
LIST = "/member/changes/"
SUCCESSION = "/member/exit/succession/"
WITHDRAWAL = "/member/exit/withdrawal/"
NEW_NAME = "広域電力ホールディングス株式会社"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


@pytest.fixture
def profile(db: None) -> MemberProfile:
    return member()


@pytest.fixture
def admin(profile: MemberProfile) -> User:
    assert profile.administrator1 is not None
    return profile.administrator1


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    session = client.session
    session["staff_verified"] = True
    session.save()
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def field_error(response: Any, field_id: str) -> str:
    """The error shown next to one field (includes/field.html)."""
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}_error">(.*?)</p>', html(response))
    return match.group(1) if match else ""


def file_change(admin: User, **company: Any) -> Application:
    """A company change request filed through the screen's service."""
    form_data = change_form_data(**company)
    payload = {key: value for key, value in form_data.items() if "-" not in key}
    for slot, values in ((1, ADMIN1_INPUT), (2, ADMIN2_INPUT)):
        payload.update({f"admin{slot}_{name}": value for name, value in values.items()})
    outcome = changes.request_change(actor=admin, payload=payload)
    assert outcome.application is not None
    return outcome.application


# --- administrators ① ② only: applied at once ------------------------------------------------------------


def test_mem_i4_administrator_profile_change_applies_at_once(
    admin_client: Client, profile: MemberProfile
) -> None:
    data = change_form_data(
        admin2={**ADMIN2_INPUT, "phone": "03-9999-0000", "department_title": "企画部 部長"}
    )
    response = admin_client.post(NEW, data)

    assert response.status_code == 302
    assert response["Location"] == "/member/info/"
    assert not Application.objects.exists()
    profile.refresh_from_db()
    assert profile.version == 2
    second = User.objects.get(pk=profile.administrator2_id)
    assert second.login_id == "abc002"
    assert second.phone == "03-9999-0000"
    assert second.department_title == "企画部　部長"
    assert Event.objects.filter(action="membership.administrators_update").count() == 1
    assert Event.objects.filter(action="user.update", object_id=str(second.pk)).exists()
    mail = OutboxMessage.objects.get(template="membership/mail/change_administrators")
    assert second.email in mail.to
    assert "管理者②（所属・役職、電話番号）" in mail.body

    history = html(admin_client.get("/member/info/history/"))
    assert "第2版" in history
    assert "管理者情報の即時反映: 管理者②（所属・役職、電話番号）" in history
    info = html(admin_client.get("/member/info/"))
    assert "03-9999-0000" in info
    assert "審査中の申請があります" not in info


def test_mem_i4_a_new_user_id_replaces_the_administrator(
    admin_client: Client, profile: MemberProfile
) -> None:
    old_pk = profile.administrator2_id
    newcomer = {
        **ADMIN2_INPUT,
        "user_id": "sato01",
        "last_name": "佐藤",
        "first_name": "花子",
        "last_name_kana": "サトウ",
        "first_name_kana": "ハナコ",
        "email": "sato@koiki-denryoku.example.jp",
    }
    response = admin_client.post(NEW, change_form_data(admin2=newcomer))

    assert response.status_code == 302
    assert not Application.objects.exists()
    assert not User.objects.filter(pk=old_pk).exists()
    profile.refresh_from_db()
    second = User.objects.get(pk=profile.administrator2_id)
    assert (second.login_id, second.display_name) == ("sato01", "佐藤 花子")
    assert second.enrollments.get(system="member").role == Role.ADMIN
    assert second.must_change_password
    password_mail = OutboxMessage.objects.get(template="identity/mail/user_registered")
    assert password_mail.to == ["sato@koiki-denryoku.example.jp"]
    assert Event.objects.filter(action="user.delete", object_id=str(old_pk)).exists()
    assert "管理者②（交代）" in html(admin_client.get("/member/info/history/"))


def test_mem_i4_administrator_2_can_be_removed_and_added_again(
    admin_client: Client, profile: MemberProfile
) -> None:
    old_pk = profile.administrator2_id
    assert admin_client.post(NEW, change_form_data(admin2_none=True)).status_code == 302
    profile.refresh_from_db()
    assert profile.administrator2 is None
    assert not User.objects.filter(pk=old_pk).exists()

    # With no administrator ②, a blank section means "none"; filling it in adds one.
    page = html(admin_client.get(NEW))
    assert 'name="admin2-user_id"' in page
    assert (
        admin_client.post(NEW, change_form_data(admin2={**ADMIN2_INPUT, "user_id": "abc003"})).status_code
        == 302
    )
    profile.refresh_from_db()
    assert profile.administrator2 is not None and profile.administrator2.login_id == "abc003"
    assert profile.version == 3
    assert not Application.objects.exists()


def test_mem_i4_administrators_may_swap_slots(admin_client: Client, profile: MemberProfile) -> None:
    first, second = profile.administrator1_id, profile.administrator2_id
    response = admin_client.post(NEW, change_form_data(admin1=ADMIN2_INPUT, admin2=ADMIN1_INPUT))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.administrator1_id, profile.administrator2_id) == (second, first)


def test_mem_i4_an_administrator_replacing_itself_is_logged_out(
    admin_client: Client, profile: MemberProfile, admin: User
) -> None:
    successor = {**ADMIN1_INPUT, "user_id": "suzu01", "last_name": "鈴木", "email": "suzuki@example.jp"}
    response = admin_client.post(NEW, change_form_data(admin1=successor))

    assert response.status_code == 200
    assert "管理者を交代しました" in html(response)
    assert not User.objects.filter(pk=admin.pk).exists()
    assert "_auth_user_id" not in admin_client.session
    profile.refresh_from_db()
    assert profile.administrator1 is not None and profile.administrator1.login_id == "suzu01"


def test_mem_i4_nothing_changed_is_refused(admin_client: Client, profile: MemberProfile) -> None:
    response = admin_client.post(NEW, change_form_data())
    assert response.status_code == 200
    assert "変更内容がありません" in html(response)
    profile.refresh_from_db()
    assert profile.version == 1


def test_mem_i4_the_form_is_prefilled_with_the_registered_values(
    admin_client: Client, profile: MemberProfile
) -> None:
    page = html(admin_client.get(NEW))
    assert 'value="広域電力株式会社"' in page
    assert 'value="abc001"' in page and 'value="abc002"' in page
    assert "管理者①・②の情報のみの変更は、即時に会員情報へ反映されます" in page


# --- company changes: approval first --------------------------------------------------------------------


def test_mem_i4_company_change_waits_for_approval_then_becomes_a_new_version(
    admin_client: Client, staff_client: Client, profile: MemberProfile
) -> None:
    response = admin_client.post(NEW, change_form_data(name=NEW_NAME, phone="03-1111-2222"))
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/member/changes/{application.pk}/"
    assert (application.kind, application.state) == ("membership.change", State.SUBMITTED)
    assert application.payload["name"] == NEW_NAME
    assert application.current is not None and application.current["name"] == "広域電力株式会社"
    assert OutboxMessage.objects.filter(template="reviews/mail/submit").exists()

    # Until approval the member information keeps the old values and shows the pending request.
    profile.refresh_from_db()
    assert (profile.name, profile.version) == ("広域電力株式会社", 1)
    info = html(admin_client.get("/member/info/"))
    assert "広域電力株式会社" in info and NEW_NAME not in info
    assert "審査中の申請があります" in info
    assert application.reception_number in info
    assert f"/member/changes/{application.pk}/" in info

    # The reviewer sees current against requested.
    review = html(staff_client.get(f"/backoffice/reviews/{application.pk}/"))
    assert "会員情報変更申請" in review
    assert re.search(r"会社名</th><td>広域電力株式会社</td><td><strong>" + NEW_NAME, review)
    assert "代表電話番号</th><td>03-1234-5678</td><td><strong>03-1111-2222" in review

    decided = staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "approve", "version": application.version, "confirmed": "1"},
    )
    assert decided.status_code == 302
    application.refresh_from_db()
    assert application.state == State.APPROVED
    profile.refresh_from_db()
    assert (profile.name, profile.phone, profile.version) == (NEW_NAME, "03-1111-2222", 2)
    organization = Organization.objects.get(pk=profile.organization_id)
    assert organization.name == NEW_NAME
    assert profile.history.count() == 2
    assert Event.objects.filter(action="membership.profile_update").exists()

    history = html(admin_client.get("/member/info/history/"))
    assert "第2版" in history and "第1版" in history
    assert f"会社名: 広域電力株式会社 → {NEW_NAME}" in history
    assert application.reception_number in history
    info = html(admin_client.get("/member/info/"))
    assert NEW_NAME in info
    assert "審査中の申請があります" not in info


def test_mem_i4_approval_applies_the_administrators_the_request_changed(
    admin: User, staff: User, profile: MemberProfile
) -> None:
    payload = {key: value for key, value in change_form_data(name=NEW_NAME).items() if "-" not in key}
    payload.update({f"admin1_{name}": value for name, value in ADMIN1_INPUT.items()})
    payload.update({f"admin2_{name}": value for name, value in {**ADMIN2_INPUT, "user_id": "new002"}.items()})
    outcome = changes.request_change(actor=admin, payload=payload)
    assert outcome.application is not None
    old_second = profile.administrator2_id
    # Nothing changes before approval, administrators included.
    assert User.objects.filter(pk=old_second).exists()

    reviews.approve(actor=staff, application=outcome.application)

    profile.refresh_from_db()
    assert profile.name == NEW_NAME
    assert profile.administrator2 is not None and profile.administrator2.login_id == "new002"
    assert not User.objects.filter(pk=old_second).exists()
    assert profile.administrator1_id == admin.pk


def test_mem_i4_one_request_waits_at_a_time(admin_client: Client, admin: User) -> None:
    first = file_change(admin, name=NEW_NAME)
    response = admin_client.post(NEW, change_form_data(phone="03-1111-2222"))
    assert response.status_code == 200
    assert "審査中の申請" in html(response)
    assert first.reception_number in html(response)
    assert Application.objects.count() == 1
    # An administrator-only change still applies at once meanwhile.
    response = admin_client.post(NEW, change_form_data(admin1={**ADMIN1_INPUT, "phone": "03-2222-3333"}))
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.phone == "03-2222-3333"
    # Nor may a succession be filed while the change waits.
    with pytest.raises(ValidationFailed, match="審査中の申請"):
        exits.request_withdrawal(actor=admin)


def test_mem_i4_approval_keeps_an_administrator_change_made_meanwhile(
    admin_client: Client, staff_client: Client, admin: User, staff: User
) -> None:
    application = file_change(admin, name=NEW_NAME)
    admin_client.post(NEW, change_form_data(admin1={**ADMIN1_INPUT, "phone": "03-2222-3333"}))

    review = html(staff_client.get(f"/backoffice/reviews/{application.pk}/"))
    assert "会社名</th>" in review
    assert "管理者① 電話番号</th>" not in review

    reviews.approve(actor=staff, application=application)
    admin.refresh_from_db()
    assert admin.phone == "03-2222-3333"
    profile = MemberProfile.objects.get(organization_id=admin.organization_id)
    assert (profile.name, profile.version) == (NEW_NAME, 3)


def test_mem_i4_capital_change_needs_the_parent_ratio(admin_client: Client, profile: MemberProfile) -> None:
    response = admin_client.post(
        NEW, change_form_data(capital_relationship="新親会社株式会社", parent_share_ratio="")
    )
    assert response.status_code == 200
    assert "親会社の持株比率を入力してください" in field_error(response, "id_parent_share_ratio")
    assert not Application.objects.exists()

    response = admin_client.post(
        NEW, change_form_data(capital_relationship="新親会社株式会社", parent_share_ratio="51.5")
    )
    assert response.status_code == 302
    assert Application.objects.get().payload["parent_share_ratio"] == "51.50"


BAD_INPUT = [
    ("corporate_number", {"corporate_number": "1000012050002"}, "id_corporate_number", "チェックデジット"),
    ("name", {"name": "広域\t電力"}, "id_name", "全角で入力してください"),
    ("address_kana", {"address1_kana": 'トヨス"ビル'}, "id_address1_kana", "ダブルクォーテーション"),
    ("phone", {"phone": "0312345678"}, "id_phone", "ハイフン"),
    ("kana", {"name_kana": "こういき"}, "id_name_kana", "カナ"),
]


@pytest.mark.parametrize(("case", "company", "field_id", "message"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_mem_i4_bad_company_input_is_shown_next_to_the_field(
    admin_client: Client,
    profile: MemberProfile,
    case: str,
    company: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    response = admin_client.post(NEW, change_form_data(**company))
    assert response.status_code == 200
    assert "入力内容に誤りがあります" in html(response)
    assert message in field_error(response, field_id)
    assert not Application.objects.exists()
    profile.refresh_from_db()
    assert profile.version == 1


@pytest.mark.parametrize(
    ("changes_to_admin", "field_id", "message"),
    [
        (
            {"email_confirm": "other@example.jp", "phone": "03-1111-0000"},
            "id_admin1-email_confirm",
            "一致しません",
        ),
        ({"phone": "0333331234"}, "id_admin1-phone", "ハイフン"),
        ({"last_name": "田中\u200b"}, "id_admin1-last_name", "全角で入力してください"),
        ({"user_id": "ab1"}, "id_admin1-user_id", "6"),
    ],
)
def test_mem_i4_bad_administrator_input_is_shown_next_to_the_field(
    admin_client: Client,
    profile: MemberProfile,
    admin: User,
    changes_to_admin: dict[str, str],
    field_id: str,
    message: str,
) -> None:
    response = admin_client.post(NEW, change_form_data(admin1={**ADMIN1_INPUT, **changes_to_admin}))
    assert response.status_code == 200
    assert message in field_error(response, field_id)
    admin.refresh_from_db()
    assert admin.phone == "03-3333-1234"
    profile.refresh_from_db()
    assert profile.version == 1
    assert not OutboxMessage.objects.exists()


def blank_administrator2() -> dict[str, str]:
    return {name: "" for name in ADMIN2_INPUT}


@pytest.mark.parametrize("admin2_none", [False, True], ids=["left-blank", "ticked-none"])
def test_mem_i4_an_error_elsewhere_leaves_an_unwanted_administrator_2_without_errors(
    admin_client: Client, admin2_none: bool
) -> None:
    # Issue 17 point 15: one wrong 代表電話番号 used to add nine "管理者②… を入力してください".
    data = change_form_data(admin2_none=admin2_none, phone="abc")
    if not admin2_none:
        data.update({f"admin2-{name}": "" for name in [*ADMIN2_INPUT, "email_confirm"]})
    response = admin_client.post(NEW, data)
    assert response.status_code == 200
    assert field_error(response, "id_phone")
    page = html(response)
    assert "管理者②" not in page.split('class="error-summary"')[1].split("</div>")[0]
    assert 'class="field__error" id="id_admin2-' not in page


def test_mem_i4_a_partly_filled_administrator_2_reports_its_missing_fields(
    admin_client: Client, profile: MemberProfile
) -> None:
    partial = {**blank_administrator2(), "user_id": "abc009", "email_confirm": ""}
    response = admin_client.post(NEW, change_form_data(admin2=partial))
    assert response.status_code == 200
    assert "氏名（姓）を入力してください" in field_error(response, "id_admin2-last_name")
    assert "メールアドレスを入力してください" in field_error(response, "id_admin2-email")
    assert not field_error(response, "id_admin2-user_id")


def test_mem_i4_the_same_user_id_twice_is_refused(admin_client: Client, profile: MemberProfile) -> None:
    response = admin_client.post(NEW, change_form_data(admin2={**ADMIN2_INPUT, "user_id": "abc001"}))
    assert "同じユーザIDは指定できません" in field_error(response, "id_admin2-user_id")


def test_mem_i4_a_user_id_taken_by_another_user_is_refused_next_to_the_field(
    admin_client: Client, profile: MemberProfile
) -> None:
    participant(organization=profile.organization, login_id="usr001")
    response = admin_client.post(NEW, change_form_data(admin2={**ADMIN2_INPUT, "user_id": "usr001"}))
    assert "既に使用されています" in field_error(response, "id_admin2-user_id")
    profile.refresh_from_db()
    assert profile.administrator2 is not None and profile.administrator2.login_id == "abc002"
    assert profile.version == 1


# --- MEM-I3: the list, edit and resubmit ----------------------------------------------------------------


def test_mem_i3_list_searches_by_state_and_date(admin_client: Client, admin: User, staff: User) -> None:
    held = file_change(admin, name=NEW_NAME)
    reviews.hold(actor=staff, application=held, reason="登記簿謄本を提出してください。")

    def listed(**query: str) -> list[str]:
        response = admin_client.get(LIST, query)
        assert response.status_code == 200
        return [application.reception_number for application, _kind in response.context["rows"]]

    page = html(admin_client.get(LIST))
    assert "保留" in page and "会員情報変更申請" in page
    assert listed() == [held.reception_number]
    assert listed(state="on_hold") == [held.reception_number]
    assert listed(state="approved") == []
    assert listed(date_from="2000-01-01", date_to="2000-01-31") == []
    today = f"{timezone.localtime(held.created_at):%Y-%m-%d}"
    assert listed(date_from=today, date_to=today) == [held.reception_number]
    bad = admin_client.get(LIST, {"date_from": "2030-02-01", "date_to": "2030-01-01"})
    assert "以降の日付" in html(bad)
    assert bad.context["rows"] == []


def test_mem_i3_a_held_request_is_edited_and_resubmitted(
    admin_client: Client, admin: User, staff: User
) -> None:
    application = file_change(admin, name=NEW_NAME)
    reviews.hold(actor=staff, application=application, reason="代表電話番号を確認してください。")
    application.refresh_from_db()

    detail = html(admin_client.get(f"/member/changes/{application.pk}/"))
    assert "代表電話番号を確認してください。" in detail
    assert "修正して再申請" in detail
    form = html(admin_client.get(f"/member/changes/{application.pk}/edit/"))
    assert f'value="{NEW_NAME}"' in form

    data = change_form_data(name=NEW_NAME, phone="03-5555-6666")
    data["version"] = str(application.version)
    response = admin_client.post(f"/member/changes/{application.pk}/edit/", data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
    assert application.payload["phone"] == "03-5555-6666"
    assert application.transitions.filter(action="resubmit").exists()


def test_mem_i3_a_submitted_request_is_edited_in_place(admin_client: Client, admin: User) -> None:
    application = file_change(admin, name=NEW_NAME)
    data = change_form_data(name="広域電力グループ株式会社")
    data["version"] = str(application.version)
    response = admin_client.post(f"/member/changes/{application.pk}/edit/", data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.payload["name"] == "広域電力グループ株式会社"
    # A page showing an older version is refused.
    data["version"] = "1"
    stale = admin_client.post(f"/member/changes/{application.pk}/edit/", data)
    assert "画面を開き直して" in html(stale)


def test_mem_i3_a_rejected_request_is_resubmitted_only_while_none_waits(
    admin_client: Client, admin: User, staff: User
) -> None:
    rejected = file_change(admin, name=NEW_NAME)
    reviews.reject(actor=staff, application=rejected, reason="資料が不足しています。")
    waiting = file_change(admin, phone="03-1111-2222")
    rejected.refresh_from_db()
    data = change_form_data(name=NEW_NAME)
    data["version"] = str(rejected.version)
    response = admin_client.post(f"/member/changes/{rejected.pk}/edit/", data)
    assert waiting.reception_number in html(response)
    rejected.refresh_from_db()
    assert rejected.state == State.REJECTED


def test_mem_i3_an_approved_request_cannot_be_edited(admin_client: Client, admin: User, staff: User) -> None:
    application = file_change(admin, name=NEW_NAME)
    reviews.approve(actor=staff, application=application)
    response = admin_client.get(f"/member/changes/{application.pk}/edit/")
    assert response.status_code == 302
    detail = html(admin_client.get(f"/member/changes/{application.pk}/"))
    assert "申請内容を変更" not in detail
    assert "申請時の登録内容" in detail


def test_mem_i3_withdraw_a_waiting_request(admin_client: Client, admin: User) -> None:
    application = file_change(admin, name=NEW_NAME)
    response = admin_client.post(
        f"/member/changes/{application.pk}/withdraw/", {"version": application.version}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN


def test_another_organizations_request_is_not_found(client: Client, admin: User) -> None:
    application = file_change(admin, name=NEW_NAME)
    other = member(admin1_input={**ADMIN1_INPUT, "user_id": "zzz001"}, admin2=False)
    assert other.administrator1 is not None
    client.force_login(other.administrator1)
    assert client.get(f"/member/changes/{application.pk}/").status_code == 404
    assert client.get(f"/member/changes/{application.pk}/edit/").status_code == 404
    assert client.post(f"/member/changes/{application.pk}/withdraw/").status_code == 404
    assert application.reception_number not in html(client.get(LIST))


@pytest.mark.parametrize(
    "url", [LIST, NEW, SUCCESSION, WITHDRAWAL, "/member/changes/{pk}/", "/member/changes/{pk}/edit/"]
)
def test_a_plain_user_cannot_open_the_administrators_screens(client: Client, admin: User, url: str) -> None:
    application = file_change(admin, name=NEW_NAME)
    user = participant(organization=admin.organization, login_id="usr001")
    client.force_login(user)
    assert client.get(url.format(pk=application.pk)).status_code == 403
    assert client.post(url.format(pk=application.pk), change_form_data()).status_code == 403


def test_list_queries_do_not_grow_with_rows(
    admin_client: Client, admin: User, django_assert_max_num_queries: Any
) -> None:
    for _ in range(25):
        reviews.create_draft(actor=admin, kind="membership.change", payload={"name": NEW_NAME})
    admin_client.get(
        LIST
    )  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(8):
        response = admin_client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 20


# --- MEM-I5 承継, MEM-I6 脱退 ---------------------------------------------------------------------------


def login(client: Client, user: User) -> Any:
    return client.post(
        "/member/login/",
        {"organization_code": user.organization.code, "user_id": user.login_id, "password": "Test-pass1"},
    )


def test_mem_i5_succession_warns_and_asks_for_confirmation(admin_client: Client, admin: User) -> None:
    page = html(admin_client.get(SUCCESSION))
    assert "「承継」「脱退」の場合、広域機関会員ではなくなるため申請の際はご注意ください" in page
    assert "承継ではなく" in page and "会員情報の変更" in page

    response = admin_client.post(SUCCESSION, {"successor_code": "9001", "successor_name": "新電力株式会社"})
    assert "確認欄にチェック" in field_error(response, "id_confirm")
    response = admin_client.post(
        SUCCESSION, {"successor_code": "90", "successor_name": "新電力株式会社", "confirm": "on"}
    )
    assert field_error(response, "id_successor_code")
    response = admin_client.post(
        SUCCESSION, {"successor_code": "9001", "successor_name": "新電力\t株式会社", "confirm": "on"}
    )
    assert "全角" in field_error(response, "id_successor_name")
    own = admin.organization.code
    response = admin_client.post(
        SUCCESSION, {"successor_code": own, "successor_name": "新電力株式会社", "confirm": "on"}
    )
    assert "変更にて手続き" in field_error(response, "id_successor_code")
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "status", "kind"),
    [
        (
            SUCCESSION,
            {"successor_code": "９００１", "successor_name": "ｼﾝ電力株式会社", "confirm": "on"},
            OrganizationStatus.SUCCEEDED,
            "membership.succession",
        ),
        (WITHDRAWAL, {"confirm": "on"}, OrganizationStatus.WITHDRAWN, "membership.withdrawal"),
    ],
    ids=["succession", "withdrawal"],
)
def test_mem_i5_i6_approval_ends_membership_and_access(
    admin_client: Client,
    staff_client: Client,
    admin: User,
    profile: MemberProfile,
    url: str,
    data: dict[str, str],
    status: str,
    kind: str,
) -> None:
    response = admin_client.post(url, data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert (application.kind, application.state) == (kind, State.SUBMITTED)
    if kind == "membership.succession":
        assert application.payload == {"successor_code": "9001", "successor_name": "シン電力株式会社"}
    review = html(staff_client.get(f"/backoffice/reviews/{application.pk}/"))
    assert "会員資格" in review

    staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "approve", "version": application.version, "confirmed": "1"},
    )
    organization = Organization.objects.get(pk=admin.organization_id)
    assert organization.status == status
    assert Event.objects.filter(action=f"organization.{status}").exists()
    mail = OutboxMessage.objects.get(template="membership/mail/change_exit_approved")
    assert "広域機関会員ではなくなりました" in mail.body
    assert admin.email in mail.to

    # The open session loses its rights; a new login is refused with the clear message.
    assert sent_to_login(admin_client.get("/member/info/"), "member")
    second = profile.administrator2
    assert second is not None
    fresh = Client()
    answer = login(fresh, second)
    assert "会員資格を喪失しているため、本システムはご利用いただけません。" in html(answer)
    assert "_auth_user_id" not in fresh.session
    # The data stays.
    assert MemberProfile.objects.filter(pk=profile.pk).exists()
    assert User.objects.filter(pk=admin.pk).exists()


def test_mem_i6_withdrawal_needs_confirmation(admin_client: Client) -> None:
    page = html(admin_client.get(WITHDRAWAL))
    assert "広域機関会員ではなくなるため申請の際はご注意ください" in page
    response = admin_client.post(WITHDRAWAL, {})
    assert "確認欄にチェック" in field_error(response, "id_confirm")
    assert not Application.objects.exists()


def test_mem_i6_a_held_withdrawal_is_resubmitted(admin_client: Client, admin: User, staff: User) -> None:
    application = exits.request_withdrawal(actor=admin)
    reviews.hold(actor=staff, application=application, reason="書面を提出してください。")
    application.refresh_from_db()
    response = admin_client.post(
        f"/member/changes/{application.pk}/edit/", {"confirm": "on", "version": application.version}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED
