"""Staff accounts (issue 15, 職員管理) and the staff roles that open the back office's areas."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp

from kouiki.audit.models import Event
from kouiki.backoffice.urls import AREAS
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.models import OutboxMessage
from kouiki.identity import access
from kouiki.identity.choices import StaffRole
from kouiki.identity.models import User
from kouiki.identity.services import staff as staff_services
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NEW_STAFF = {
    "login_id": "yamada",
    "last_name": "山田",
    "first_name": "花子",
    "last_name_kana": "ヤマダ",
    "first_name_kana": "ハナコ",
    "department_title": "業務部",
    "email": "yamada@occto.example.jp",
    "roles": ["reviewer", "switching"],
}


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    return client


def mailed_password(message: OutboxMessage) -> str:
    return re.search(r"パスワード: (\S+)", message.body).group(1)  # type: ignore[union-attr]


# --- roles open areas --------------------------------------------------------------------------------


def test_every_area_names_the_roles_it_is_open_to() -> None:
    valid = {role.value for role in StaffRole}
    for area in AREAS:
        assert area.roles and area.roles <= valid, area.prefix
    staff_area = next(area for area in AREAS if area.prefix == "staff/")
    assert staff_area.roles == {"staff_admin"}


def test_a_reviewer_sees_and_uses_only_its_areas(client: Client) -> None:
    reviewer = StaffFactory(staff_roles=["reviewer"])
    signed_in(client, reviewer)
    home = client.get("/backoffice/").content.decode()
    assert 'href="/backoffice/reviews/"' in home and 'href="/backoffice/members/"' in home
    assert 'href="/backoffice/switching/"' not in home and 'href="/backoffice/staff/"' not in home
    assert client.get("/backoffice/reviews/").status_code == 200
    for refused in (
        "/backoffice/staff/",
        "/backoffice/switching/",
        "/backoffice/capacity/",
        "/backoffice/audit/",
    ):
        response = client.get(refused)
        assert response.status_code == 403, refused
        assert "職員権限がありません" in response.content.decode()


def test_each_area_answers_its_roles_and_refuses_the_others(client: Client) -> None:
    for role in StaffRole:
        member = StaffFactory(staff_roles=[role.value])
        signed_in(client, member)
        for area in AREAS:
            status = client.get(f"/backoffice/{area.prefix}").status_code
            assert status == (200 if role.value in area.roles else 403), (role, area.prefix)
        client.logout()


def test_staff_without_a_role_is_told_to_ask_the_staff_administrator(client: Client) -> None:
    signed_in(client, StaffFactory(staff_roles=[]))
    page = client.get("/backoffice/").content.decode()
    assert "職員権限が設定されていない" in page and "menu__item" not in page
    assert client.get("/backoffice/reviews/").status_code == 403


def test_the_django_admin_is_for_staff_administrators_only(client: Client) -> None:
    superuser = StaffFactory(staff_roles=["reviewer"], is_superuser=True)
    signed_in(client, superuser)
    assert client.get("/admin/").status_code == 302
    superuser.staff_roles = ["staff_admin"]
    superuser.save()
    assert client.get("/admin/").status_code == 200


def test_participants_never_reach_the_staff_area(client: Client, member_admin: User) -> None:
    client.force_login(member_admin)
    response = client.get("/backoffice/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/backoffice/login/")


# --- registration and first login ---------------------------------------------------------------------


def test_register_mails_a_first_password_and_the_first_login_enrols_totp(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    signed_in(client, admin)
    form = client.get("/backoffice/staff/new/").content.decode()
    assert "職員登録" in form and "スイッチング業務担当" in form
    response = client.post("/backoffice/staff/new/", NEW_STAFF)
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(login_id="yamada", kind="staff")
    assert user.staff_roles == ["reviewer", "switching"] and user.must_change_password
    event = Event.objects.get(action="user.register", object_id=str(user.pk))
    assert event.actor_id == admin.pk and event.detail["staff_roles"] == ["reviewer", "switching"]
    (mail,) = OutboxMessage.objects.filter(template="identity/mail/staff_registered")
    assert mail.to == ["yamada@occto.example.jp"] and mail.sensitive
    assert "認証アプリ" in mail.body and "/backoffice/login/" in mail.body
    client.logout()

    browser = Client()
    response = browser.post("/backoffice/login/", {"user_id": "yamada", "password": mailed_password(mail)})
    assert response["Location"] == "/backoffice/otp/setup/"
    assert "QRコード" in browser.get("/backoffice/otp/setup/").content.decode()
    device = user.totpdevice_set.get(confirmed=False)
    browser.post("/backoffice/otp/setup/", {"token": f"{totp(device.bin_key):06d}"})
    assert browser.get("/backoffice/")["Location"] == "/backoffice/password/change/"


def test_register_refuses_a_taken_id_a_bad_id_and_a_shared_name(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    signed_in(client, admin)
    taken = client.post("/backoffice/staff/new/", {**NEW_STAFF, "login_id": "admin1"}).content.decode()
    assert "この職員IDは既に使用されています。" in taken
    bad = client.post("/backoffice/staff/new/", {**NEW_STAFF, "login_id": "1a"}).content.decode()
    assert "職員IDは半角英字で始まる" in bad
    shared = client.post("/backoffice/staff/new/", {**NEW_STAFF, "last_name": "審査窓口"}).content.decode()
    assert "氏名（姓）に「窓口」を含む名前は登録できません" in shared
    StaffFactory(login_id="yamada2", last_name="山田", first_name="花子", email="yamada@occto.example.jp")
    twice = client.post("/backoffice/staff/new/", NEW_STAFF).content.decode()
    assert "既にユーザID yamada2 が発行されています" in twice
    assert not User.objects.filter(login_id="yamada").exists()


def test_only_a_staff_administrator_may_register(client: Client) -> None:
    reviewer = StaffFactory(staff_roles=["reviewer", "switching", "capacity"])
    with pytest.raises(Forbidden):
        staff_services.register_staff(actor=reviewer, **NEW_STAFF)
    assert signed_in(client, reviewer).post("/backoffice/staff/new/", NEW_STAFF).status_code == 403
    assert not User.objects.filter(login_id="yamada").exists()


# --- list, roles, disable, password ----------------------------------------------------------------


def test_the_list_searches_by_name_role_and_state(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    StaffFactory(login_id="tanaka", last_name="田中", staff_roles=["capacity"])
    StaffFactory(login_id="suzuki", last_name="鈴木", staff_roles=["switching"], is_active=False)
    signed_in(client, admin)
    page = client.get("/backoffice/staff/").content.decode()
    assert "tanaka" in page and "suzuki" in page and "容量市場業務担当" in page
    page = client.get("/backoffice/staff/", {"q": "田中"}).content.decode()
    assert "tanaka" in page and "suzuki" not in page
    page = client.get("/backoffice/staff/", {"role": "switching"}).content.decode()
    assert "suzuki" in page and "tanaka" not in page
    page = client.get("/backoffice/staff/", {"active": "0"}).content.decode()
    assert "suzuki" in page and "tanaka" not in page
    assert "職員権限の選択が不正です" in client.get("/backoffice/staff/", {"role": "x"}).content.decode()


def test_change_roles_audited_never_ones_own_staff_admin_role(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    other = StaffFactory(login_id="other", staff_roles=["reviewer"])
    signed_in(client, admin)
    response = client.post(f"/backoffice/staff/{other.pk}/roles/", {"roles": ["capacity", "staff_admin"]})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.staff_roles == ["capacity", "staff_admin"]
    event = Event.objects.get(action="user.update", object_id=str(other.pk))
    assert event.detail["before"] == ["reviewer"] and event.detail["after"] == ["capacity", "staff_admin"]

    page = client.post(f"/backoffice/staff/{admin.pk}/roles/", {"roles": ["reviewer"]}).content.decode()
    assert "ご自身の職員管理者の権限は外せません" in page
    admin.refresh_from_db()
    assert admin.staff_roles == ["staff_admin"]
    # Its other roles it may change.
    client.post(f"/backoffice/staff/{admin.pk}/roles/", {"roles": ["reviewer", "staff_admin"]})
    admin.refresh_from_db()
    assert admin.staff_roles == ["reviewer", "staff_admin"]


def test_the_last_staff_administrator_keeps_the_role(db: None) -> None:
    first = StaffFactory(login_id="first", staff_roles=["staff_admin"])
    second = StaffFactory(login_id="second", staff_roles=["staff_admin"])
    stale_first = User.objects.get(pk=first.pk)
    # The second takes the first's role away; the first, on a page opened before, tries the same.
    staff_services.change_roles(actor=second, user=first, roles=["reviewer"])
    with pytest.raises(ValidationFailed) as refused:
        staff_services.change_roles(actor=stale_first, user=second, roles=["reviewer"])
    assert "最後の職員管理者" in refused.value.errors["roles"][0]
    with pytest.raises(Forbidden, match="最後の職員管理者"):
        staff_services.set_active(actor=stale_first, user=second, active=False)
    second.refresh_from_db()
    assert second.staff_roles == ["staff_admin"] and second.is_active


def test_disable_and_enable_never_oneself(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    other = StaffFactory(login_id="other", staff_roles=["reviewer"])
    signed_in(client, admin)
    client.post(f"/backoffice/staff/{other.pk}/active/", {"active": "0"})
    other.refresh_from_db()
    assert not other.is_active
    login = Client().post("/backoffice/login/", {"user_id": "other", "password": "Test-pass1"})
    assert login.status_code == 200  # the login page again: a disabled account cannot log in
    client.post(f"/backoffice/staff/{other.pk}/active/", {"active": "1"})
    other.refresh_from_db()
    assert other.is_active
    assert Event.objects.filter(action="user.update", object_id=str(other.pk)).count() == 2

    response = client.post(f"/backoffice/staff/{admin.pk}/active/", {"active": "0"}, follow=True)
    assert "ログイン中の職員自身は無効にできません" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_password_reset_is_mailed_and_must_be_changed(client: Client) -> None:
    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    other = StaffFactory(login_id="other", staff_roles=["reviewer"])
    signed_in(client, admin)
    client.post(f"/backoffice/staff/{other.pk}/password/")
    (mail,) = OutboxMessage.objects.filter(template="identity/mail/staff_password_reset")
    assert mail.to == [other.email] and mail.sensitive
    other.refresh_from_db()
    assert other.must_change_password and other.check_password(mailed_password(mail))
    assert Event.objects.filter(action="user.password_initialize", object_id=str(other.pk)).exists()
    detail = client.get(f"/backoffice/staff/{other.pk}/").content.decode()
    assert "次回ログイン時に変更が必要" in detail
    assert client.get("/backoffice/staff/999999/").status_code == 404


def test_a_lost_authenticator_is_reset_and_enrolled_again(client: Client) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = StaffFactory(login_id="admin1", staff_roles=["staff_admin"])
    other = StaffFactory(login_id="other", staff_roles=["reviewer"])
    TOTPDevice.objects.create(user=other, name="認証アプリ", confirmed=True)
    signed_in(client, admin)
    assert "二要素認証をリセットする" in client.get(f"/backoffice/staff/{other.pk}/").content.decode()
    client.post(f"/backoffice/staff/{other.pk}/otp/reset/")
    assert not TOTPDevice.objects.filter(user=other).exists()
    assert Event.objects.filter(action="otp.remove", object_id=str(other.pk), actor_id=admin.pk).exists()
    login = Client().post("/backoffice/login/", {"user_id": "other", "password": "Test-pass1"})
    assert login["Location"] == "/backoffice/otp/setup/"
    with pytest.raises(Forbidden):
        staff_services.reset_second_factor(actor=admin, user=admin)
