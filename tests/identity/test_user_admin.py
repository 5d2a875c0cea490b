"""MEM-U1..U4: own profile, and the administrator's user list, registration, detail, deletion."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity import services
from kouiki.identity.models import User
from tests.factories import participant

NEW_USER = {
    "user_id": "yama01",
    "duties": ["assembly", "fees"],
    "department_title": "総務部 主任",
    "last_name": "山本",
    "first_name": "浩紀",
    "last_name_kana": "ﾔﾏﾓﾄ",
    "first_name_kana": "ヒロキ",
    "email": "yamamoto@example.co.jp",
    "email_confirm": "yamamoto@example.co.jp",
    "phone": "03-3333-1234",
    "other": "",
}


@pytest.fixture
def admin_client(client: Client, member_admin: User) -> Client:
    client.force_login(member_admin)
    return client


def test_mem_u3_register_mails_the_password_and_normalizes_input(
    admin_client: Client, member_admin: User
) -> None:
    response = admin_client.post("/member/users/new/", NEW_USER)
    assert response.status_code == 302
    user = User.objects.get(organization=member_admin.organization, login_id="yama01")
    assert user.last_name_kana == "ヤマモト"  # half-width kana stored as full-width
    assert user.department_title == "総務部　主任"  # full-width space
    assert user.duties == ["assembly", "fees"]
    assert user.must_change_password
    mail = OutboxMessage.objects.get(to=["yamamoto@example.co.jp"])
    assert mail.sensitive
    password = re.search(r"パスワード: (\S+)", mail.body).group(1)  # type: ignore[union-attr]
    assert user.check_password(password)
    event = Event.objects.get(action="user.register")
    assert event.actor_id == member_admin.pk
    assert event.organization_code == member_admin.organization.code


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("user_id", "ab12", "6"),
        ("user_id", "ab-123", "半角英数字"),
        ("department_title", "", "所属・役職を入力してください"),
        ("last_name_kana", "やまもと", "カナ"),
        ("phone", "0333331234", "ハイフン"),
        ("email_confirm", "other@example.co.jp", "一致しません"),
        ("duties", [], "担当業務"),
    ],
)
def test_mem_u3_bad_input_is_reported_next_to_the_field(
    admin_client: Client, field: str, value: object, message: str
) -> None:
    data = {**NEW_USER, field: value}
    response = admin_client.post("/member/users/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "入力内容に誤りがあります" in html
    assert message in html
    assert not User.objects.filter(login_id="yama01").exists()
    assert not OutboxMessage.objects.exists()


def test_mem_u3_user_id_unique_within_the_organization_only(admin_client: Client, member_admin: User) -> None:
    participant(login_id="yama01")  # another organization's user with the same ID
    assert admin_client.post("/member/users/new/", NEW_USER).status_code == 302
    again = admin_client.post(
        "/member/users/new/", {**NEW_USER, "email": "b@example.co.jp", "email_confirm": "b@example.co.jp"}
    )
    assert "既に使用されています" in again.content.decode()


def test_mem_u3_at_most_ten_other_users(member_admin: User) -> None:
    for i in range(9):
        participant(organization=member_admin.organization, login_id=f"usr{i:03d}")
    person = {"last_name": "広域", "first_name": "一郎"}
    services.register_user(
        actor=member_admin, login_id="usr100", duties=["assembly"], email="a@example.co.jp", **person
    )
    with pytest.raises(ValidationFailed, match="10名まで"):
        services.register_user(
            actor=member_admin, login_id="usr101", duties=["assembly"], email="b@example.co.jp", **person
        )


def test_mem_u3_administrators_only_through_member_information_change(member_admin: User) -> None:
    with pytest.raises(Forbidden, match="会員情報変更"):
        services.register_user(
            actor=member_admin,
            login_id="adm002",
            role=Role.ADMIN,
            duties=["assembly"],
            email="a@example.co.jp",
        )


def test_mem_u2_list_search_and_scope(admin_client: Client, member_admin: User, member_user: User) -> None:
    stranger = participant(login_id="zzz999", last_name="他社")
    html = admin_client.get("/member/users/").content.decode()
    assert member_user.login_id in html
    assert stranger.login_id not in html
    html = admin_client.get("/member/users/", {"q": "usr"}).content.decode()
    assert member_user.login_id in html
    assert "adm001</a>" not in html


def test_mem_u2_list_query_count_does_not_grow(
    admin_client: Client, member_admin: User, django_assert_max_num_queries
) -> None:
    for i in range(8):
        participant(organization=member_admin.organization, login_id=f"usr{i:03d}")
    admin_client.get(
        "/member/users/"
    )  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(12):
        assert admin_client.get("/member/users/").status_code == 200


def test_mem_u4_update_delete_and_initialize(admin_client: Client, member_user: User) -> None:
    url = f"/member/users/{member_user.pk}/"
    data = {
        **NEW_USER,
        "department_title": "営業部 課長",
        "email": "new@example.co.jp",
        "email_confirm": "new@example.co.jp",
    }
    del data["user_id"]
    assert admin_client.post(url, data).status_code == 302
    member_user.refresh_from_db()
    assert member_user.department_title == "営業部　課長"
    assert member_user.email == "new@example.co.jp"
    assert admin_client.post(f"{url}password/").status_code == 302
    assert OutboxMessage.objects.filter(
        to=["new@example.co.jp"], template="identity/mail/password_initialized"
    ).exists()
    assert admin_client.post(f"{url}delete/").status_code == 302
    assert not User.objects.filter(pk=member_user.pk).exists()
    assert {"user.update", "user.password_initialize", "user.delete"} <= set(
        Event.objects.values_list("action", flat=True)
    )


def test_mem_u4_administrator_cannot_delete_an_administrator_or_itself(member_admin: User) -> None:
    other_admin = participant(organization=member_admin.organization, role=Role.ADMIN, login_id="adm002")
    with pytest.raises(Forbidden):
        services.delete_user(actor=member_admin, user=other_admin)
    with pytest.raises(Forbidden):
        services.delete_user(actor=member_admin, user=member_admin)


@pytest.mark.parametrize("suffix", ["", "delete/", "password/", "unlock/"])
def test_mem_u4_another_organizations_user_is_404(admin_client: Client, suffix: str) -> None:
    stranger = participant(login_id="zzz999")
    url = f"/member/users/{stranger.pk}/{suffix}"
    response = admin_client.post(url) if suffix else admin_client.get(url)
    assert response.status_code == 404
    assert User.objects.filter(pk=stranger.pk).exists()


def test_mem_u4_services_refuse_foreign_users(member_admin: User) -> None:
    stranger = participant(login_id="zzz999")
    for call in (services.delete_user, services.reset_password_by_admin, services.unlock_user):
        with pytest.raises(NotFound):
            call(actor=member_admin, user=stranger)


@pytest.mark.parametrize("url", ["/member/users/", "/member/users/new/"])
def test_mem_u2_u3_are_for_administrators_only(client: Client, member_user: User, url: str) -> None:
    client.force_login(member_user)
    assert client.get(url).status_code == 403


@pytest.mark.django_db  # a system's page asks whether the system is stopped (X-S1): the shared cache
def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get("/member/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/member/login/?next=")


def test_mem_u1_own_profile(client: Client, member_user: User) -> None:
    client.force_login(member_user)
    data = {k: v for k, v in NEW_USER.items() if k not in {"user_id", "duties"}}
    assert client.post("/member/profile/", data).status_code == 302
    member_user.refresh_from_db()
    assert member_user.last_name == "山本"
    assert Event.objects.filter(action="user.profile_update", actor_id=member_user.pk).exists()


def test_duty_emails_of_many_organizations_in_constant_queries(
    member_admin: User, django_assert_max_num_queries
) -> None:
    from kouiki.identity.selectors import duty_emails

    other = participant(login_id="fee001", duties=["fees"], email="fee@example.co.jp")
    participant(organization=other.organization, login_id="asm001", duties=["assembly"])
    ids = [member_admin.organization_id, other.organization_id]
    with django_assert_max_num_queries(2):
        emails = duty_emails(organization_ids=ids, duty="fees")
    assert emails == {
        member_admin.organization_id: [member_admin.email],
        other.organization_id: [other.email],
    }
