"""Demand-response contractors (需要抑制契約者), a kind of switching participant (ADR 22): the
catalog code D instead of R, exactly the functions of FUNCTIONS.md 2.3 (seed 001 2.2.2), one kind
per organization, and the demo contractor 9401."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client

from kouiki.core import catalog
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.systems import SITES, Role, System
from kouiki.identity import access, services
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import Enrollment, Organization, User
from kouiki.identity.selectors import participant_kind_in, password_change_required, role_codes
from tests.factories import OrganizationFactory, corporate_number, dr_contractor_user, participant

pytestmark = pytest.mark.django_db

PASSWORD = "Demo-pass1"
# FUNCTIONS.md 2.3 (seed 001 2.2.2): what a DR contractor may use, API+Web and Web only.
DR_FUNCTIONS = {
    "SW-L01",
    "SW-L02",
    "SW-L03",
    "SW-L15",
    "SW-H01",
    "SW-H02",
    "SW-H11",
    "SW-H12",
    "SW-W01",
    "SW-W07",
    "SW-W13",
}
# 2.4: its administrator's user administration and information, as a retailer's.
# A participant's administrator's functions (who A, or A and the organization's staff: SW-P3).
ADMIN_FUNCTIONS = {
    f.id for f in catalog.functions(System.SWITCHING) if "A" in f.who and f.who <= frozenset({"A", "O"})
}


def test_a_dr_contractors_users_hold_d_where_a_retailers_hold_r() -> None:
    user = dr_contractor_user()
    admin = dr_contractor_user(organization=user.organization, role=Role.ADMIN, login_id="adm001")
    retailer = participant(system=System.SWITCHING)
    assert role_codes(user, System.SWITCHING) == {"D"}
    assert role_codes(admin, System.SWITCHING) == {"D", "A"}
    assert role_codes(retailer, System.SWITCHING) == {"R"}
    assert participant_kind_in(user) == ParticipantKind.DR_CONTRACTOR
    assert participant_kind_in(retailer) == ParticipantKind.RETAILER


@pytest.mark.parametrize("function", catalog.functions(System.SWITCHING), ids=lambda f: f.id)
def test_a_dr_contractor_may_use_exactly_the_functions_of_functions_md_2_3(
    function: catalog.Function,
) -> None:
    user = dr_contractor_user()
    admin = dr_contractor_user(organization=user.organization, role=Role.ADMIN, login_id="adm001")
    assert access.may_use(user, function.id) == (function.id in DR_FUNCTIONS)
    assert access.may_use(admin, function.id) == (function.id in DR_FUNCTIONS | ADMIN_FUNCTIONS)


def test_switching_reconnection_and_abolition_are_refused_with_the_reason() -> None:
    user = dr_contractor_user()
    for function_id in ("SW-L04", "SW-L05", "SW-L06", "SW-L08", "SW-L10", "SW-L11", "SW-L12", "SW-L13"):
        with pytest.raises(Forbidden, match="この機能を利用する権限がありません。"):
            access.require_function(user, function_id)
    assert access.participant_organization(user, "SW-L02") == user.organization_id


def test_the_menu_lists_only_what_a_dr_contractor_may_use() -> None:
    admin = dr_contractor_user(role=Role.ADMIN)
    listed = {f.id for _heading, functions in access.menu(admin, System.SWITCHING) for f in functions}
    assert listed
    assert listed <= DR_FUNCTIONS | ADMIN_FUNCTIONS
    assert {"SW-L01", "SW-L02", "SW-L03", "SW-L15"} <= listed
    assert "SW-L06" not in listed and "SW-C01" not in listed


def test_only_a_switching_enrollment_can_be_a_dr_contractors() -> None:
    user = participant(system=System.MEMBER)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            user=user, system=System.CAPACITY, participant_kind=ParticipantKind.DR_CONTRACTOR
        )
    member = user.enrollments.get()
    member.participant_kind = ParticipantKind.DR_CONTRACTOR
    with pytest.raises(IntegrityError), transaction.atomic():
        member.save()


def _administrator(organization: Organization, login_id: str, **kwargs: object) -> User:
    return services.create_administrator(
        actor=None,
        organization=organization,
        login_id=login_id,
        system=System.SWITCHING,
        duties=[],
        last_name="寺田",
        first_name="一郎",
        email=f"{login_id}@example.jp",
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_organizations_accounts_take_its_kind_and_cannot_mix_kinds() -> None:
    organization = OrganizationFactory(code="9403", business_types=[], member_since=None)
    admin = _administrator(organization, "adm001", participant_kind=ParticipantKind.DR_CONTRACTOR)
    assert role_codes(admin, System.SWITCHING) == {"D", "A"}
    # A further account of the contract, opened without naming a kind, is the contract's kind.
    second = _administrator(organization, "adm002")
    assert participant_kind_in(second) == ParticipantKind.DR_CONTRACTOR
    # The retailer's side of the same company is its own application, under its own code.
    with pytest.raises(ValidationFailed) as refused:
        _administrator(organization, "adm003", participant_kind=ParticipantKind.RETAILER)
    assert refused.value.message == (
        "事業者コード 9403 は需要抑制契約者としてスイッチング支援システムを利用しています。"
        "小売電気事業者としての利用は、別の事業者コードで利用申請してください。"
    )
    assert not User.objects.filter(organization=organization, login_id="adm003").exists()


def test_no_other_system_knows_a_dr_contractor() -> None:
    organization = OrganizationFactory()
    with pytest.raises(ValidationFailed, match="スイッチング支援システムの利用者にのみ"):
        services.create_administrator(
            actor=None,
            organization=organization,
            login_id="adm001",
            system=System.CAPACITY,
            participant_kind=ParticipantKind.DR_CONTRACTOR,
            last_name="寺田",
            email="adm001@example.jp",
        )


def test_a_company_that_is_both_keeps_each_sides_rights_under_each_code() -> None:
    """Seed 001 2.1.1: a retailer that is also a DR contractor applies for each; each contract has
    its own 事業者コード and administrator, and each side's users only its own rights."""
    same_company = corporate_number("000012059103")
    retail = OrganizationFactory(code="9103", corporate_number=same_company, name="兼業電力株式会社")
    dr = OrganizationFactory(code="9403", corporate_number=same_company, name="兼業電力株式会社")
    retailer = participant(organization=retail, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    contractor = dr_contractor_user(organization=dr, role=Role.ADMIN, login_id="adm001")
    assert access.may_use(retailer, "SW-L06") and access.may_use(retailer, "SW-L02")
    assert not access.may_use(contractor, "SW-L06") and access.may_use(contractor, "SW-L02")
    assert access.organization_of(retailer) != access.organization_of(contractor)


def test_the_site_says_who_uses_the_switching_system() -> None:
    switching = next(site for site in SITES if site.key == System.SWITCHING)
    assert switching.audience == "小売電気事業者・需要抑制契約者のユーザ"


def test_the_demo_contractor_logs_in_and_its_menu_says_what_it_is() -> None:
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    organization = Organization.objects.get(code="9401")
    assert organization.name == "デマンドレスポンス株式会社"
    assert Enrollment.objects.filter(user__organization=organization).count() == 2
    for login_id, codes in (("adm001", {"D", "A"}), ("usr001", {"D"})):
        user = User.objects.get(organization=organization, login_id=login_id)
        assert role_codes(user, System.SWITCHING) == codes
        assert user.check_password(PASSWORD) and not password_change_required(user)
        assert user.password_expiry_exempt
        client = Client()
        response = client.post(
            "/switching/login/", {"organization_code": "9401", "user_id": login_id, "password": PASSWORD}
        )
        assert response.status_code == 302 and response["Location"] == "/switching/"
        menu = client.get("/switching/").content.decode()
        assert "貴社は需要抑制契約者としてご利用いただいています。" in menu
        assert "設備情報照会" in menu and "使用量情報照会申請" in menu
        assert "スイッチング廃止取次登録" not in menu and "/switching/low/reconnect/" not in menu
        assert ("/switching/tokens/" in menu) == (login_id == "adm001")
    # The retailers' menu says nothing of it.
    client = Client()
    client.force_login(User.objects.get(organization__code="9101", login_id="usr001"))
    assert "需要抑制契約者" not in client.get("/switching/").content.decode()
    # The portal names both kinds of switching users.
    assert "小売電気事業者・需要抑制契約者のユーザ" in Client().get("/").content.decode()
