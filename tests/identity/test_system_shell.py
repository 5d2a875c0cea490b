"""The shell the switching and capacity systems share: login, menu, profile, forced password change."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kouiki.core.systems import Role, System
from tests.factories import participant

PASSWORD = "Demo-pass1"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("system", [System.SWITCHING, System.CAPACITY])
def test_login_leads_to_the_menu_of_the_system(client: Client, system: str) -> None:
    user = participant(system=system, role=Role.ADMIN, password=PASSWORD)
    response = client.post(
        f"/{system}/login/",
        {"organization_code": user.organization.code, "user_id": user.login_id, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/{system}/"
    menu = client.get(f"/{system}/")
    assert menu.status_code == 200
    assert System(system).label in menu.content.decode()
    assert client.get(f"/{system}/profile/").status_code == 200


def test_a_user_not_enrolled_in_the_system_cannot_log_in_there(client: Client) -> None:
    user = participant(system=System.MEMBER, password=PASSWORD)
    response = client.post(
        "/capacity/login/",
        {"organization_code": user.organization.code, "user_id": user.login_id, "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode() or "ログイン" in response.content.decode()
    client.force_login(user)
    # Issue 17 point 9: the capacity system's login page, saying why, and who is signed in.
    response = client.get("/capacity/", follow=True)
    assert response.redirect_chain == [("/capacity/login/?next=/capacity/", 302)]
    page = response.content.decode()
    assert "ログイン中のユーザは容量市場システムを利用できません。" in page
    organization = user.organization
    assert f"会員情報管理システムに{organization.name}（事業者コード {organization.code}）のユーザ" in page


def test_anonymous_visitors_are_sent_to_the_login_of_the_system(client: Client, db: None) -> None:
    response = client.get("/switching/")
    assert response.status_code == 302
    assert response["Location"].startswith("/switching/login/")


def test_a_mailed_password_is_changed_on_the_screen_of_the_system(client: Client) -> None:
    user = participant(system=System.SWITCHING, password=PASSWORD, must_change_password=True)
    client.force_login(user)
    response = client.get("/switching/")
    assert response.status_code == 302
    assert response["Location"] == "/switching/password/change/"
    page = client.get("/switching/password/change/")
    assert page.status_code == 200
    assert "スイッチング支援システム" in page.content.decode()


def test_the_switching_menu_links_the_api_tools_for_administrators_only(client: Client) -> None:
    admin = participant(system=System.SWITCHING, role=Role.ADMIN, password=PASSWORD)
    user = participant(system=System.SWITCHING, organization=admin.organization, password=PASSWORD)
    client.force_login(admin)
    assert "/switching/tokens/" in client.get("/switching/").content.decode()
    client.force_login(user)
    assert "/switching/tokens/" not in client.get("/switching/").content.decode()


def test_a_participant_whose_contract_ended_is_told_so_not_that_it_lost_a_membership(client: Client) -> None:
    user = participant(system=System.CAPACITY, role=Role.ADMIN, password=PASSWORD)
    organization = user.organization
    organization.status = "withdrawn"
    organization.save(update_fields=["status"])
    response = client.post(
        "/capacity/login/",
        {"organization_code": organization.code, "user_id": user.login_id, "password": PASSWORD},
    )
    page = response.content.decode()
    assert "ご利用契約が終了" in page
    assert "会員資格" not in page


def test_the_capacity_login_links_the_application_and_its_status(client: Client) -> None:
    # Issue 17 point 10: a newcomer to the capacity market finds how to apply from the login page.
    page = client.get("/capacity/login/").content.decode()
    for label, url in (("利用申請", "/capacity/apply/"), ("審査状況確認", "/capacity/apply/status/")):
        assert re.search(rf'<a href="{re.escape(url)}">[^<]*{label}[^<]*</a>', page), label
        assert client.get(url).status_code == 200
