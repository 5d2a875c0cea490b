"""The one access layer (ADR 16): one answer to "may this user, now, use function X", asked in the
same way by services, screens and API operations, each naming the function once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from kouiki.core.errors import Forbidden
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import OrganizationStatus
from kouiki.identity.models import User
from tests.factories import participant

KOUIKI = Path(settings.BASE_DIR) / "kouiki"


@pytest.fixture
def retailer(organization) -> User:
    return participant(organization=organization, system=System.SWITCHING)


def test_an_anonymous_visitor_may_use_nothing() -> None:
    assert not access.may_use(AnonymousUser(), "SW-L06")
    with pytest.raises(Forbidden):
        access.require_function(AnonymousUser(), "SW-L06")
    with pytest.raises(Forbidden):
        access.organization_of(AnonymousUser())


def test_staff_may_use_only_what_the_catalog_gives_the_organization(staff: User) -> None:
    assert access.is_staff(staff)
    assert not access.may_use(staff, "SW-L06")  # R only
    assert access.may_use(staff, "MEM-I4")  # A, O
    with pytest.raises(Forbidden):
        access.organization_of(staff)  # staff act for no participant
    with pytest.raises(Forbidden):
        access.participant_organization(staff, "MEM-I4")


def test_a_participant_may_use_the_functions_of_its_role_in_the_functions_system(
    retailer: User, member_user: User
) -> None:
    assert access.may_use(retailer, "SW-L06")
    assert not access.may_use(retailer, "MEM-I2")  # not enrolled in the member system
    assert not access.may_use(member_user, "SW-L06")
    assert access.participant_organization(retailer, "SW-L06") == retailer.organization_id
    assert not access.is_staff(retailer)
    with pytest.raises(Forbidden):
        access.require_staff(retailer)


def test_an_administrators_function_is_refused_to_a_user(organization, member_user: User) -> None:
    admin = participant(organization=organization, role=Role.ADMIN, login_id="adm009")
    assert access.may_use(admin, "MEM-U2")
    assert not access.may_use(member_user, "MEM-U2")
    assert access.is_administrator(admin, System.MEMBER)
    with pytest.raises(Forbidden, match="管理者"):
        access.require_administrator(member_user, System.MEMBER, "管理者が行います。")


def test_a_duty_screen_says_which_duty_it_needs(member_user: User) -> None:
    with pytest.raises(Forbidden, match="担当業務「総会」"):
        access.require_function(member_user, "MEM-G1")
    member_user.duties = ["assembly"]
    assert access.may_use(member_user, "MEM-G1")


def test_a_participant_that_is_no_longer_active_may_use_nothing(retailer: User) -> None:
    organization = retailer.organization
    assert organization is not None
    organization.status = OrganizationStatus.WITHDRAWN
    organization.save()
    retailer.refresh_from_db()
    assert not access.may_use(retailer, "SW-L06")


def test_a_service_marked_with_its_function_refuses_before_its_body_runs(member_user: User) -> None:
    ran = []

    @access.function("SW-L06")
    def service(*, actor: User) -> str:
        ran.append(actor)
        return "done"

    with pytest.raises(Forbidden):
        service(actor=member_user)
    assert ran == []


def test_the_menu_lists_only_what_the_user_may_use(member_user: User) -> None:
    listed = {f.id for _heading, functions in access.menu(member_user, System.MEMBER) for f in functions}
    assert "MEM-I2" in listed
    assert "MEM-U2" not in listed  # administrators only
    assert "MEM-G1" not in listed  # a duty the user does not hold
    assert all(access.may_use(member_user, function_id) for function_id in listed)


def _function_id_literals(node: ast.AST) -> list[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("SW-")
    ]


def test_an_api_operation_names_its_function_once_and_defines_no_actor_of_its_own() -> None:
    for path in sorted((KOUIKI / "switching" / "api").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert "actor" not in names, f"{path} defines its own actor()"
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
                continue
            in_decorators = [i for d in node.decorator_list for i in _function_id_literals(d)]
            in_body = [i for stmt in node.body for i in _function_id_literals(stmt)]
            if in_decorators:
                assert len(in_decorators) == 1, f"{path}:{node.name} names {in_decorators}"
                assert not in_body, f"{path}:{node.name} names its function again in its body"


def test_one_staff_check() -> None:
    """Only the access layer asks whether a user is staff (and the model says what staff is)."""
    allowed = {KOUIKI / "identity" / "access.py", KOUIKI / "identity" / "models.py"}
    for path in sorted(KOUIKI.rglob("*.py")):
        if path in allowed or "migrations" in path.parts:
            continue
        assert "is_kouiki_staff" not in path.read_text(encoding="utf-8"), f"{path} checks staff itself"


def test_the_menu_reads_the_users_roles_once_not_once_per_entry(
    client, member_admin: User, django_assert_max_num_queries
) -> None:
    client.force_login(member_admin)
    client.get("/member/")  # the per-process caches warm (generations, uses of the systems, stops)
    # (+1 each: the generations of the access caches (X-S2/X-S3) and of the stops (X-S1), one
    # shared-cache read per request, not one per entry.)
    with django_assert_max_num_queries(14):
        response = client.get("/member/")
    assert response.status_code == 200
    assert "会員情報の確認" in response.content.decode()


def test_a_refused_screen_leads_back_to_the_menu_of_its_system(client: Client, member_user: User) -> None:
    # Issue 17 point 9: the 403 page's way out was "/" (then /member/ for everyone): it leads to the
    # menu of the system the user is in, which answers.
    client.force_login(member_user)
    refused = client.get("/member/users/")  # the administrator's user list
    assert refused.status_code == 403
    assert '<a href="/member/">会員情報管理システムのメニューへ戻る</a>' in refused.content.decode()
    assert client.get("/member/").status_code == 200
