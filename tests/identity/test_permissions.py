"""Permissions as a table: every built member-system screen, every role, as the catalog says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.systems import Role
from kouiki.identity.models import Duty, User
from tests.access import sent_to_login
from tests.factories import participant

# Screens a logged-in user reaches without a prior step (login itself is public).
BUILT_MEMBER_SCREENS = [
    function
    for function in catalog.functions(system="member")
    if function.built
    and function.url_name
    and function.id != "MEM-A1"
    and not function.who & {"anyone", "applicant"}  # public pages
    and function.who != frozenset({"O"})  # staff screens live in the back office (below)
]
BUILT_STAFF_SCREENS = [
    function
    for function in catalog.functions()
    if function.built and function.url_name and function.who == {"O"}
]


def test_the_table_is_not_empty() -> None:
    assert {f.id for f in BUILT_MEMBER_SCREENS} >= {"MEM-U1", "MEM-U2", "MEM-U3"}


@pytest.mark.parametrize("function", BUILT_MEMBER_SCREENS, ids=lambda f: f.id)
@pytest.mark.parametrize("role", ["anonymous", "M", "M_with_duties", "A", "O", "other_system"])
def test_member_screen_access(client: Client, staff: User, function: catalog.Function, role: str) -> None:
    url = reverse(function.url_name)  # type: ignore[arg-type]
    duty_ok = True
    if role == "M":
        # A user without any 担当業務: the screens of one duty are not for it (seed 003).
        client.force_login(participant(role=Role.USER))
        codes = frozenset({"M"})
        duty_ok = function.duty is None
    elif role == "M_with_duties":
        client.force_login(participant(role=Role.USER, duties=[duty.value for duty in Duty]))
        codes = frozenset({"M"})
    elif role == "A":
        client.force_login(participant(role=Role.ADMIN))
        codes = frozenset({"M", "A"})
    elif role == "O":
        client.force_login(staff)
        codes = frozenset()
    elif role == "other_system":
        client.force_login(participant(system="switching", role=Role.ADMIN))
        codes = frozenset()
    else:
        codes = frozenset()
    response = client.get(url)
    if catalog.allows(function.id, codes) and duty_ok:
        assert response.status_code == 200, (function.id, role)
    elif role in {"anonymous", "O", "other_system"}:
        # Issue 17 point 9: who the member system does not let in gets its login page, not a 403.
        assert response.status_code == 302
        assert response["Location"].startswith("/member/login/")
    else:
        assert response.status_code == 403, (function.id, role)


@pytest.mark.django_db
def test_menu_lists_duty_screens_only_to_their_users(client: Client) -> None:
    plain = participant(role=Role.USER)
    fees = participant(organization=plain.organization, role=Role.USER, login_id="fee001", duties=["fees"])
    client.force_login(plain)
    assert "請求書の確認" not in client.get("/member/").content.decode()
    client.force_login(fees)
    menu = client.get("/member/").content.decode()
    assert "請求書の確認" in menu
    assert "容量市場請求書等情報管理" not in menu


@pytest.mark.parametrize("function", BUILT_STAFF_SCREENS, ids=lambda f: f.id)
def test_staff_screen_access(client: Client, staff: User, function: catalog.Function) -> None:
    url = reverse(function.url_name)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")
    client.force_login(participant(role=Role.ADMIN))
    assert sent_to_login(client.get(url), "backoffice")
    client.force_login(staff)
    session = client.session
    session["staff_verified"] = True
    session.save()
    assert client.get(url).status_code == 200
