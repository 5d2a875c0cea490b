"""SW-U01..U11: the switching administrator's user administration and per-user function rights
(seed 001 2.2.1 (3), 3.2–3.4; FUNCTIONS.md 2.4; ADR 26)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kouiki.audit.models import Event
from kouiki.core import catalog, periodic
from kouiki.core.calendar import JST
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.demo import DEMO_PASSWORD, inquiry_user
from kouiki.identity.models import Enrollment, Organization, User
from kouiki.identity.selectors import granted_functions, password_change_required
from kouiki.identity.services import switching_users
from tests.factories import OrganizationFactory, dr_contractor_user, participant

pytestmark = pytest.mark.django_db

NEW_USER = {
    "user_id": "sato01",
    "department_title": "業務部",
    "last_name": "佐藤",
    "first_name": "健",
    "last_name_kana": "ｻﾄｳ",
    "first_name_kana": "ケン",
    "email": "sato@example.co.jp",
    "email_confirm": "sato@example.co.jp",
    "phone": "03-3333-1234",
    "other": "",
    "preset": "inquiry",
}
HEADER = ",".join(column.label for column in switching_users.CSV_COLUMNS)


@pytest.fixture
def organization() -> Organization:
    return OrganizationFactory(code="9101", name="新電力A株式会社")


@pytest.fixture
def admin(organization: Organization) -> User:
    return participant(organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")


@pytest.fixture
def user(organization: Organization) -> User:
    return participant(organization=organization, system=System.SWITCHING, login_id="usr001")


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("pk"))


# --- SW-U01, U02, U03 -------------------------------------------------------------------------------


def test_sw_u01_the_list_is_searchable_and_in_the_administrators_menu(
    admin_client: Client, admin: User, user: User
) -> None:
    page = admin_client.get("/switching/users/", {"q": "usr"}).content.decode()
    assert "usr001" in page and "adm001" not in page.split("<tbody>")[1]
    menu = admin_client.get("/switching/").content.decode()
    assert "ユーザ管理（管理者機能）" in menu
    assert 'href="/switching/users/"' in menu and 'href="/switching/users/bulk/"' in menu
    plain = Client()
    plain.force_login(user)
    assert 'href="/switching/users/"' not in plain.get("/switching/").content.decode()
    assert plain.get("/switching/users/").status_code == 403


def test_sw_u02_the_list_downloads_as_csv_in_utf8_and_cp932(admin_client: Client, user: User) -> None:
    switching_users.set_rights(actor=User.objects.get(login_id="adm001"), user=user, functions=["SW-L14"])
    response = admin_client.get("/switching/users/csv/")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("ユーザID,氏名")
    assert any(line.startswith("usr001,") and "SW-L14" in line for line in lines)
    assert any(line.startswith("adm001,") and "すべての機能" in line for line in lines)
    sjis = admin_client.get("/switching/users/csv/", {"encoding": "cp932", "q": "usr001"})
    assert "usr001" in sjis.content.decode("cp932") and "adm001" not in sjis.content.decode("cp932")


def test_sw_u03_the_detail_shows_the_users_rights(admin_client: Client, user: User) -> None:
    page = admin_client.get(f"/switching/users/{user.pk}/").content.decode()
    assert "usr001" in page and "すべての機能" in page and "利用者権限設定" in page


# --- SW-U04, U05 ------------------------------------------------------------------------------------


def test_sw_u04_register_mails_the_id_and_the_password_separately(admin_client: Client, admin: User) -> None:
    response = admin_client.post("/switching/users/new/", NEW_USER)
    assert response.status_code == 302
    user = User.objects.get(organization=admin.organization, login_id="sato01")
    assert user.last_name_kana == "サトウ" and user.must_change_password
    assert Enrollment.objects.get(user=user).role == Role.USER
    granted = granted_functions(user, System.SWITCHING)
    assert granted is not None and "SW-L01" in granted and "SW-L06" not in granted
    (id_mail,) = mails("identity/mail/user_id_notice")
    (password_mail,) = mails("identity/mail/user_password_notice")
    assert id_mail.to == password_mail.to == ["sato@example.co.jp"]
    assert "sato01" in id_mail.body and "パスワード:" not in id_mail.body
    assert "スイッチング支援システム" in id_mail.subject and "/switching/login/" in id_mail.body
    assert password_mail.sensitive and "sato01" not in password_mail.body
    password = re.search(r"パスワード: (\S+)", password_mail.body).group(1)  # type: ignore[union-attr]
    assert user.check_password(password)
    assert Event.objects.get(action="user.register", object_id=str(user.pk)).system == System.SWITCHING


def test_sw_u04_a_taken_id_is_refused_next_to_the_field(admin_client: Client, user: User) -> None:
    page = admin_client.post("/switching/users/new/", {**NEW_USER, "user_id": "usr001"}).content.decode()
    assert "このユーザIDは既に使用されています。" in page


def _csv(*rows: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([HEADER, *rows]).encode(encoding)


def test_sw_u05_a_file_with_bad_rows_registers_nobody_and_lists_every_error(
    admin_client: Client, admin: User, user: User
) -> None:
    data = _csv(
        "sato01,佐藤,健,サトウ,ケン,業務部,sato@example.co.jp,03-3333-1234,,照会のみ",
        "abc,鈴木,一,スズキ,ハジメ,業務部,suzuki@example.co.jp,03-3333-1235,,",
        "usr001,田中,二郎,たなか,ジロウ,業務部,tanaka@example.co.jp,03-3333-1236,,",
        "sato01,高橋,三郎,タカハシ,サブロウ,業務部,takahashi@example.co.jp,03-3333-1237,,何でも",
    )
    with pytest.raises(ValidationFailed) as refused:
        switching_users.register_users_from_csv(actor=admin, data=data)
    problems = refused.value.errors["file"]
    assert any(p.startswith("3行目「ユーザID」") and "6桁" in p for p in problems)
    assert any(p.startswith("4行目「ユーザID」") and "既に使用されています" in p for p in problems)
    assert any(p.startswith("4行目「氏名カナ（セイ）」") for p in problems)
    assert any(p.startswith("5行目「ユーザID」") and "2行目と重複" in p for p in problems)
    assert any(p.startswith("5行目「権限」") for p in problems)
    assert not User.objects.filter(login_id="sato01").exists()
    assert not OutboxMessage.objects.exists()

    page = admin_client.post(
        "/switching/users/bulk/", {"file": _upload(data)}, format="multipart"
    ).content.decode()
    assert "登録していません" in page and "3行目「ユーザID」" in page
    assert User.objects.filter(organization=admin.organization).count() == 2


def _upload(data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("users.csv", data, content_type="text/csv")


def test_sw_u05_a_cp932_file_registers_every_user_and_mails_them(admin_client: Client, admin: User) -> None:
    data = _csv(
        "sato01,佐藤,健,サトウ,ケン,業務部,sato@example.co.jp,03-3333-1234,,照会のみ",
        "suzu01,鈴木,一,ｽｽﾞｷ,ハジメ,業務部,suzuki@example.co.jp,03-3333-1235,,",
        encoding="cp932",
    )
    response = admin_client.post("/switching/users/bulk/", {"file": _upload(data)})
    assert response.status_code == 302
    sato = User.objects.get(login_id="sato01")
    suzuki = User.objects.get(login_id="suzu01")
    assert suzuki.last_name_kana == "スズキ"
    assert "SW-L06" not in (granted_functions(sato, System.SWITCHING) or {"SW-L06"})
    assert granted_functions(suzuki, System.SWITCHING) is None
    assert len(mails("identity/mail/user_id_notice")) == len(mails("identity/mail/user_password_notice")) == 2


# --- SW-U06..U10 -----------------------------------------------------------------------------------


def test_sw_u06_a_change_is_mailed_to_the_user(admin_client: Client, user: User) -> None:
    form = {**NEW_USER, "department_title": "営業部", "email_confirm": NEW_USER["email"]}
    del form["user_id"], form["preset"]
    response = admin_client.post(f"/switching/users/{user.pk}/change/", form)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.department_title == "営業部" and user.email == "sato@example.co.jp"
    (mail,) = mails("identity/mail/user_changed")
    assert mail.to == ["sato@example.co.jp"] and "所属・役職" in mail.body and "メールアドレス" in mail.body


def test_sw_u07_delete_keeps_the_history(admin_client: Client, admin: User, user: User) -> None:
    pk = user.pk
    assert admin_client.post(f"/switching/users/{pk}/delete/").status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    deleted = Event.objects.get(action="user.delete", object_id=str(pk))
    assert deleted.detail["login_id"] == "usr001" and deleted.actor_id == admin.pk
    # Never oneself.
    admin_client.post(f"/switching/users/{admin.pk}/delete/")
    assert User.objects.filter(pk=admin.pk).exists()


def test_sw_u08_unlock_lifts_the_lockout(admin_client: Client, user: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/switching/login/",
            {
                "organization_code": user.organization.code,
                "user_id": user.login_id,
                "password": "wrong-pass1",
            },
        )
    assert "ロック中" in admin_client.get(f"/switching/users/{user.pk}/").content.decode()
    admin_client.post(f"/switching/users/{user.pk}/unlock/")
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert Event.objects.filter(action="user.unlock", object_id=str(user.pk)).exists()


def test_sw_u09_disable_and_enable(admin_client: Client, admin: User, user: User) -> None:
    admin_client.post(f"/switching/users/{user.pk}/active/", {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active
    assert "無効" in admin_client.get("/switching/users/").content.decode()
    admin_client.post(f"/switching/users/{user.pk}/active/", {"active": "1"})
    user.refresh_from_db()
    assert user.is_active and user.enabled_at is not None
    admin_client.post(f"/switching/users/{admin.pk}/active/", {"active": "0"})
    admin.refresh_from_db()
    assert admin.is_active  # never oneself


def test_sw_u09_a_disabled_user_can_no_longer_log_in(admin: User, user: User) -> None:
    client = Client()
    client.force_login(user)
    switching_users.set_active(actor=admin, user=user, active=False)
    assert client.get("/switching/").status_code == 302  # its session ends with it
    login = {"organization_code": user.organization.code, "user_id": user.login_id, "password": "Test-pass1"}
    other = Client()
    assert other.post("/switching/login/", login).status_code == 200  # the form again, not a redirect
    assert "_auth_user_id" not in other.session


def test_sw_u09_users_without_use_are_disabled_daily_and_the_administrator_is_told(
    organization: Organization,
) -> None:
    start = datetime(2026, 4, 1, 10, 0, tzinfo=JST)
    with time_machine.travel(start, tick=False) as clock:
        admin = participant(
            organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001"
        )
        idle = participant(organization=organization, system=System.SWITCHING, login_id="usr001")
        busy = participant(organization=organization, system=System.SWITCHING, login_id="usr002")
        clock.move_to(start + timedelta(days=30))
        Client().post(
            "/switching/login/",
            {"organization_code": organization.code, "user_id": busy.login_id, "password": "Test-pass1"},
        )
        busy.refresh_from_db()
        assert busy.last_login is not None, "the login did not happen"

        clock.move_to(start + timedelta(days=89))
        assert switching_users.disable_idle_users() == []
        clock.move_to(start + timedelta(days=91))
        assert [u.login_id for u in switching_users.disable_idle_users()] == ["usr001"]
        idle.refresh_from_db()
        admin.refresh_from_db()
        assert not idle.is_active and admin.is_active
        (mail,) = mails("identity/mail/users_disabled")
        assert mail.to == [admin.email] and "usr001" in mail.body and "90日" in mail.body
        assert Event.objects.filter(
            action="user.update", object_id=str(idle.pk), actor_label="system"
        ).exists()

        # Enabled again, its period without use starts anew.
        switching_users.set_active(actor=admin, user=idle, active=True)
        clock.move_to(start + timedelta(days=92))
        assert switching_users.disable_idle_users() == []
    periodic.autodiscover()
    assert "identity.disable_idle_switching_users" in {job.name for job in periodic.registered()}


def test_sw_u09_the_period_is_a_setting(settings: object, user: User) -> None:
    settings.KOUIKI_SWITCHING_USER_IDLE_DAYS = 10  # type: ignore[attr-defined]
    with time_machine.travel(user.date_joined + timedelta(days=11)):
        assert [u.pk for u in switching_users.disable_idle_users()] == [user.pk]


def test_sw_u10_a_reissued_password_is_mailed(admin_client: Client, user: User) -> None:
    admin_client.post(f"/switching/users/{user.pk}/password/")
    (mail,) = mails("identity/mail/password_initialized")
    assert mail.to == [user.email] and "再発行" in mail.subject and mail.sensitive
    user.refresh_from_db()
    assert password_change_required(user)


# --- SW-U11 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function",
    switching_users.grantable_functions(ParticipantKind.RETAILER),
    ids=lambda f: f.id,
)
def test_sw_u11_a_user_given_one_function_may_use_it_and_no_other(
    admin: User, user: User, function: catalog.Function
) -> None:
    switching_users.set_rights(actor=admin, user=user, functions=[function.id])
    user = User.objects.prefetch_related("enrollments").get(pk=user.pk)
    usable = access.usable(user, System.SWITCHING, [f.id for f in catalog.functions(System.SWITCHING)])
    assert usable == {function.id}
    assert access.may_use(admin, function.id)  # the administrator is never limited


def test_sw_u11_the_right_holds_on_the_screen_and_the_menu(admin: User, user: User) -> None:
    client = Client()
    client.force_login(user)
    new_switch = reverse(catalog.get("SW-L06").url_name or "")
    assert client.get(new_switch).status_code == 200
    assert f'href="{new_switch}"' in client.get("/switching/").content.decode()
    switching_users.set_rights(
        actor=admin,
        user=user,
        functions=switching_users.preset_functions("inquiry", ParticipantKind.RETAILER),
    )
    refused = client.get(new_switch)
    assert refused.status_code == 403 and "利用権限がありません" in refused.content.decode()
    menu = client.get("/switching/").content.decode()
    assert f'href="{new_switch}"' not in menu
    assert f'href="{reverse(catalog.get("SW-L01").url_name or "")}"' in menu


def test_sw_u11_the_matrix_screen_sets_a_preset_or_functions_one_by_one(
    admin_client: Client, user: User
) -> None:
    page = admin_client.get(f"/switching/users/{user.pk}/rights/").content.decode()
    assert "低圧 スイッチング（新小売）" in page and 'value="SW-L06"' in page
    admin_client.post(
        f"/switching/users/{user.pk}/rights/", {"preset": "custom", "functions": ["SW-L01", "SW-L14"]}
    )
    assert granted_functions(User.objects.get(pk=user.pk), System.SWITCHING) == {"SW-L01", "SW-L14"}
    admin_client.post(f"/switching/users/{user.pk}/rights/", {"preset": "all"})
    assert granted_functions(User.objects.get(pk=user.pk), System.SWITCHING) is None
    event = Event.objects.filter(action="user.update", object_id=str(user.pk)).latest("pk")
    assert event.detail == {"fields": ["functions"], "functions": "all"}
    page = admin_client.post(f"/switching/users/{user.pk}/rights/", {"preset": "custom"}).content.decode()
    assert "利用できる機能を1つ以上選択してください。" in page


def test_sw_u11_a_dr_contractors_user_can_never_be_given_switching() -> None:
    user = dr_contractor_user(login_id="usr001")
    admin = dr_contractor_user(organization=user.organization, role=Role.ADMIN, login_id="adm001")
    with pytest.raises(ValidationFailed, match="需要抑制契約者のユーザには次の機能を設定できません: SW-L06"):
        switching_users.set_rights(actor=admin, user=user, functions=["SW-L01", "SW-L06"])
    assert granted_functions(User.objects.get(pk=user.pk), System.SWITCHING) is None
    assert "SW-L06" not in {f.id for f in switching_users.grantable_functions(ParticipantKind.DR_CONTRACTOR)}
    client = Client()
    client.force_login(admin)
    page = client.post(
        f"/switching/users/{user.pk}/rights/", {"preset": "custom", "functions": ["SW-L06"]}
    ).content.decode()
    assert "需要抑制契約者のユーザには次の機能を設定できません" in page
    assert 'value="SW-L06"' not in page  # not in its matrix either
    with pytest.raises(ValidationFailed):
        switching_users.register_user(
            actor=admin, login_id="usr002", functions=["SW-L06"], email="x@example.jp"
        )


def test_sw_u11_an_administrator_has_every_function(admin: User) -> None:
    other = participant(
        organization=admin.organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm002"
    )
    with pytest.raises(ValidationFailed, match="管理者は常にすべての機能"):
        switching_users.set_rights(actor=admin, user=other, functions=["SW-L01"])


# --- another organization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/switching/users/{pk}/"),
        ("get", "/switching/users/{pk}/rights/"),
        ("post", "/switching/users/{pk}/rights/"),
        ("post", "/switching/users/{pk}/change/"),
        ("post", "/switching/users/{pk}/delete/"),
        ("post", "/switching/users/{pk}/unlock/"),
        ("post", "/switching/users/{pk}/active/"),
        ("post", "/switching/users/{pk}/password/"),
    ],
)
def test_an_administrator_of_another_organization_gets_404(user: User, method: str, path: str) -> None:
    stranger = participant(system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    client = Client()
    client.force_login(stranger)
    response = getattr(client, method)(path.format(pk=user.pk), {"preset": "all", "active": "0"})
    assert response.status_code == 404
    user.refresh_from_db()
    assert user.is_active and granted_functions(user, System.SWITCHING) is None
    assert "usr001" not in client.get("/switching/users/").content.decode()
    assert "usr001" not in client.get("/switching/users/csv/").content.decode("utf-8-sig")
    with pytest.raises(NotFound):
        switching_users.set_rights(actor=stranger, user=user, functions=["SW-L01"])


def test_a_member_system_user_is_no_switching_user(admin: User) -> None:
    member = participant(organization=admin.organization, system=System.MEMBER, login_id="mem001")
    with pytest.raises(NotFound):
        switching_users.delete_user(actor=admin, user=member)


# --- the demo -----------------------------------------------------------------------------------------


def test_the_demo_inquiry_user_may_use_only_the_inquiries(organization: Organization) -> None:
    assert (
        inquiry_user(organization, email_domain="example.jp", names=("新井", "三郎", "アライ", "サブロウ"))
        == 1
    )
    assert (
        inquiry_user(organization, email_domain="example.jp", names=("新井", "三郎", "アライ", "サブロウ"))
        == 0
    )
    user = User.objects.prefetch_related("enrollments").get(organization=organization, login_id="usr002")
    assert user.check_password(DEMO_PASSWORD) and not password_change_required(user)
    assert access.may_use(user, "SW-L01") and access.may_use(user, "SW-L14")
    assert not access.may_use(user, "SW-L06") and not access.may_use(user, "SW-L10")
