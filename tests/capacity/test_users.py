"""CAP-U1 ユーザ情報管理 (seed 002 3.2.2, 3.3): the administrator's user administration, the menu of
each role, and another organization's users not found."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from kouiki.capacity.models import Operator
from kouiki.capacity.services import sources
from kouiki.core import catalog
from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity.models import User
from kouiki.identity.selectors import role_codes, role_in
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews import services as reviews
from tests.access import sent_to_login
from tests.capacity.helpers import STABLE, capacity_user, last_mail, login, mailed_password
from tests.factories import participant

PERSON: dict[str, str] = {
    "department_title": "電源部 主任",
    "last_name": "利用",
    "first_name": "五郎",
    "last_name_kana": "リヨウ",
    "first_name_kana": "ゴロウ",
    "email": "goro@capa-denki.example.jp",
    "phone": "03-6666-0005",
    "other": "",
}


def create_post(**changes: str) -> dict[str, str]:
    values = {"user_id": "usr002", **PERSON, **changes}
    values["email_confirm"] = values["email"]
    values["natural_person"] = "on"
    return values


def profile_post(user: User, **changes: str) -> dict[str, str]:
    values = {name: getattr(user, name) for name in PERSON}
    values.update(changes)
    values["email_confirm"] = values["email"]
    return values


def test_cap_u1_the_administrator_registers_changes_and_deletes_a_user(
    client: Client, cap_admin: User
) -> None:
    login(client, cap_admin)
    assert "ユーザ登録" in client.get("/capacity/users/").content.decode()

    # Registered: the password goes to the user's own address, to be changed at first login.
    response = client.post("/capacity/users/new/", create_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(organization=cap_admin.organization, login_id="usr002")
    assert role_in(user, System.CAPACITY) == Role.USER and user.must_change_password
    mail = last_mail("identity/capacity/mail/user_registered")
    assert mail.to == [PERSON["email"]] and mail.sensitive
    assert "容量市場システム" in mail.body and "/capacity/login/" in mail.body

    browser = Client()
    browser.post(
        "/capacity/login/",
        {"organization_code": user.organization.code, "user_id": "usr002", "password": mailed_password(mail)},
    )
    assert browser.get("/capacity/")["Location"] == "/capacity/password/change/"

    # Changed, viewed, deleted.
    response = client.post(f"/capacity/users/{user.pk}/", profile_post(user, phone="03-6666-0099"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == "03-6666-0099"
    assert "usr002" in client.get("/capacity/users/").content.decode()
    response = client.post(f"/capacity/users/{user.pk}/delete/")
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_x_i1_one_user_id_per_natural_person(client: Client, cap_admin: User, cap_user: User) -> None:
    login(client, cap_admin)
    response = client.post("/capacity/users/new/", create_post(email=cap_user.email))
    assert "ユーザIDは1人に1つのみ" in response.content.decode()
    without = create_post()
    del without["natural_person"]
    response = client.post("/capacity/users/new/", without)
    assert "自然人に限り" in response.content.decode()
    assert not User.objects.filter(login_id="usr002").exists()


def test_cap_u1_the_administrator_changes_itself_and_hands_the_role_over(
    client: Client, cap_admin: User, cap_user: User, operator: Operator
) -> None:
    login(client, cap_admin)
    response = client.post(
        f"/capacity/users/{cap_admin.pk}/", profile_post(cap_admin, department_title="電源部　本部長")
    )
    assert response.status_code == 302
    cap_admin.refresh_from_db()
    assert cap_admin.department_title == "電源部　本部長"
    # The administrator cannot delete itself nor be deleted; the role is handed over instead (3.2.2).
    client.post(f"/capacity/users/{cap_admin.pk}/delete/")
    assert User.objects.filter(pk=cap_admin.pk).exists()
    response = client.post(f"/capacity/users/{cap_user.pk}/handover/")
    assert response.status_code == 302
    assert role_in(cap_user, System.CAPACITY) == Role.ADMIN
    assert role_in(cap_admin, System.CAPACITY) == Role.USER
    assert client.get("/capacity/users/").status_code == 403
    # Still one administrator ID, never issued anew.
    with pytest.raises(ValidationFailed):
        identity_capacity.create_administrator(
            actor=None, organization=operator.organization, login_id="adm009", **PERSON
        )


def test_cap_u1_unlock_and_password_reissue(client: Client, cap_admin: User, cap_user: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/capacity/login/",
            {
                "organization_code": cap_user.organization.code,
                "user_id": cap_user.login_id,
                "password": "wrong-pass1",
            },
        )
    assert AccessAttempt.objects.filter(username=cap_user.username).exists()
    login(client, cap_admin)
    assert "ロック中" in client.get(f"/capacity/users/{cap_user.pk}/").content.decode()
    client.post(f"/capacity/users/{cap_user.pk}/unlock/")
    assert not AccessAttempt.objects.filter(username=cap_user.username).exists()

    client.post(f"/capacity/users/{cap_user.pk}/password/")
    mail = last_mail("identity/capacity/mail/password_reissued")
    assert mail.to == [cap_user.email]
    cap_user.refresh_from_db()
    assert cap_user.must_change_password and cap_user.check_password(mailed_password(mail))


def test_cap_u1_is_the_administrators_only(client: Client, cap_user: User, cap_admin: User) -> None:
    login(client, cap_user)
    assert client.get("/capacity/users/").status_code == 403
    with pytest.raises(Forbidden):
        identity_capacity.register_user(actor=cap_user, login_id="usr009", **PERSON)
    with pytest.raises(Forbidden):
        identity_capacity.update_user(actor=cap_user, user=cap_admin, phone="03-0000-0000")


def test_another_organizations_users_are_not_found(
    client: Client, cap_admin: User, other_operator: Operator
) -> None:
    stranger = User.objects.get(organization=other_operator.organization, login_id="adm001")
    login(client, cap_admin)
    for path in ("", "password/", "unlock/", "delete/", "handover/"):
        method = client.get if not path else client.post
        assert method(f"/capacity/users/{stranger.pk}/{path}").status_code == 404, path
    with pytest.raises(NotFound):
        identity_capacity.reissue_password(actor=cap_admin, user=stranger)
    # A member-system user of the same organization is not a capacity user either.
    member = participant(system=System.MEMBER, organization=cap_admin.organization, login_id="mem001")
    assert client.get(f"/capacity/users/{member.pk}/").status_code == 404
    assert "mem001" not in client.get("/capacity/users/").content.decode()


# --- the menu of each role ----------------------------------------------------------------------------


def menu_names(client: Client) -> str:
    return client.get("/capacity/").content.decode()


def test_the_menu_shows_the_functions_of_each_role(
    cap_user: User, cap_admin: User, staff_client: Client, staff: User
) -> None:
    page = menu_names(login(Client(), cap_user))
    for name in ("事業者情報管理", "事業者情報審査管理", "電源等情報管理", "電源等情報審査管理"):
        assert name in page, name
    assert "ユーザ情報管理" not in page
    assert "管理者ID通知" not in page

    admin_page = menu_names(login(Client(), cap_admin))
    assert "ユーザ情報管理" in admin_page and "電源等情報管理" in admin_page
    assert "管理者ID通知" not in admin_page

    # Staff: the organization's side (CAP-R1, R3, P1) lives in the back office.
    staff_menu = [
        f.id
        for _group, functions in catalog.menu("capacity", role_codes(staff, "capacity"))
        for f in functions
    ]
    assert {"CAP-R1", "CAP-R3", "CAP-P1"} <= set(staff_menu)
    assert not {"CAP-R2", "CAP-P2", "CAP-U1"} & set(staff_menu)
    assert "容量市場" in staff_client.get("/backoffice/").content.decode()
    assert staff_client.get("/backoffice/capacity/").status_code == 200
    assert staff_client.get("/capacity/")["Location"].startswith("/capacity/login/")


@pytest.mark.parametrize(
    ("path", "user_code", "admin_code"),
    [
        ("/capacity/operator/", 200, 200),
        ("/capacity/operator/applications/", 200, 200),
        ("/capacity/sources/", 200, 200),
        ("/capacity/sources/applications/", 200, 200),
        ("/capacity/sources/new/", 200, 200),
        ("/capacity/sources/import/", 200, 200),
        ("/capacity/users/", 403, 200),
        ("/capacity/users/new/", 403, 200),
    ],
)
def test_each_screen_by_role(
    path: str, user_code: int, admin_code: int, cap_user: User, cap_admin: User, client: Client
) -> None:
    assert login(Client(), cap_user).get(path).status_code == user_code
    assert login(Client(), cap_admin).get(path).status_code == admin_code
    member = participant(system=System.MEMBER, role=Role.ADMIN)
    assert sent_to_login(login(Client(), member).get(path), "capacity")
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/capacity/login/")


def test_the_users_list_does_not_query_per_row(
    client: Client, cap_admin: User, operator: Operator, django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        participant(system=System.CAPACITY, organization=operator.organization, login_id=f"u{number:05d}")
    login(client, cap_admin)
    client.get(
        "/capacity/users/"
    )  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(15):
        assert client.get("/capacity/users/").status_code == 200


def test_after_a_hand_over_review_mails_and_the_operator_page_follow_the_current_administrator(
    client: Client, cap_admin: User, cap_user: User, operator: Operator, staff: User
) -> None:
    identity_capacity.hand_over_administrator(actor=cap_admin, user=cap_user)
    applicant = capacity_user(operator, "usr002", email="usr002@capa-denki.example.jp")
    application = sources.file_registration(actor=applicant, payload=STABLE)
    reviews.hold(actor=staff, application=application, reason="連系電圧を確認してください。")
    held = last_mail("reviews/mail/hold")
    assert sorted(held.to) == sorted([applicant.email, cap_user.email])
    assert cap_admin.email not in held.to

    # The administrator whose ID was issued on approval is deleted: the mails still reach one.
    identity_capacity.delete_user(actor=cap_user, user=cap_admin)
    operator.refresh_from_db()
    assert operator.administrator is None
    reviews.reject(actor=staff, application=application, reason="連系電圧が確認できません。")
    assert sorted(last_mail("reviews/mail/reject").to) == sorted([applicant.email, cap_user.email])

    login(client, applicant)
    page = client.get("/capacity/operator/").content.decode()
    current = re.search(r"<dt>現在の管理者</dt><dd>(.*?)</dd>", page)
    assert current is not None and cap_user.login_id in current[1]
