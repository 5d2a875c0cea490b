"""X-I1: one administrator, issued by the organization; user IDs belong to natural persons, one ID
per person (seed 001 3.2–3.3, seed 002 3.2–3.3) — on every surface of every system."""

from __future__ import annotations

import pytest
from django.test import Client

from kouiki.core import catalog
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity import access, services
from kouiki.identity.models import Organization, User
from kouiki.identity.selectors import role_in
from kouiki.identity.services import capacity_users, switching_users
from kouiki.identity.services.persons import check_person, person_key
from tests.factories import OrganizationFactory, participant

pytestmark = pytest.mark.django_db

PERSON = {
    "department_title": "業務部",
    "last_name": "佐藤",
    "first_name": "健",
    "last_name_kana": "サトウ",
    "first_name_kana": "ケン",
    "email": "sato@example.co.jp",
    "phone": "03-3333-1234",
}
HEADER = ",".join(column.label for column in switching_users.CSV_COLUMNS)


@pytest.fixture
def organization() -> Organization:
    return OrganizationFactory(code="9101")


@pytest.fixture
def sw_admin(organization: Organization) -> User:
    return participant(organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")


# --- the rule, once ------------------------------------------------------------------------------------


def test_the_rule_ignores_width_case_and_spaces(settings) -> None:
    assert person_key("佐藤", "健", "Sato@Example.co.jp ") == person_key("佐 藤", "健", "sato@example.co.jp")
    for name in ("共用", "営業部署", "ＡＤＭＩＮ", "Guest", "問合せ窓口"):
        with pytest.raises(ValidationFailed) as refused:
            check_person({**PERSON, "last_name": name})
        assert "氏名（姓）に「" in refused.value.errors["last_name"][0]
    with pytest.raises(ValidationFailed) as refused:
        check_person({**PERSON, "first_name": ""})
    assert refused.value.errors["first_name"][0].startswith("氏名（名）を入力してください。")
    settings.KOUIKI_SHARED_ACCOUNT_NAME_PATTERNS = ["経理"]
    check_person({**PERSON, "last_name": "共用"})  # the organization configures the patterns
    with pytest.raises(ValidationFailed):
        check_person({**PERSON, "last_name": "経理"})


def test_x_i1_is_built_and_placed() -> None:
    function = catalog.get("X-I1")
    assert function.built
    assert any(place.path.endswith("persons.check_person") for place in catalog.places("X-I1"))


# --- one administrator ------------------------------------------------------------------------------


def test_a_switching_administrator_cannot_make_a_second_administrator(sw_admin: User) -> None:
    with pytest.raises(
        Forbidden, match="管理者は追加できません。管理者の追加・変更は本機関への管理者変更の申請"
    ):
        switching_users.register_user(actor=sw_admin, login_id="adm002", role=Role.ADMIN, **PERSON)
    with pytest.raises(Forbidden, match="管理者は追加できません"):
        switching_users.register_user(
            actor=sw_admin, login_id="adm002", role=Role.ADMIN, functions=["SW-L01"], **PERSON
        )
    assert not User.objects.filter(login_id="adm002").exists()


def test_a_switching_administrator_changes_its_contact_never_the_person(sw_admin: User) -> None:
    switching_users.update_user(actor=sw_admin, user=sw_admin, phone="03-9999-0000")
    sw_admin.refresh_from_db()
    assert sw_admin.phone == "03-9999-0000"
    with pytest.raises(ValidationFailed) as refused:
        switching_users.update_user(actor=sw_admin, user=sw_admin, last_name="別人")
    assert "管理者の氏名は変更できません" in refused.value.errors["last_name"][0]
    # An administrator made before this rule (the factory) is not deleted on the user screen either.
    earlier = participant(
        organization=sw_admin.organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm002"
    )
    with pytest.raises(Forbidden, match="管理者は削除できません"):
        switching_users.delete_user(actor=sw_admin, user=earlier)


def test_member_and_capacity_administrators_cannot_add_administrators(organization: Organization) -> None:
    member_admin = participant(organization=organization, role=Role.ADMIN, login_id="madm01")
    with pytest.raises(Forbidden, match="会員情報変更"):
        services.register_user(
            actor=member_admin, login_id="madm02", role=Role.ADMIN, duties=["assembly"], **PERSON
        )
    # The capacity system's registration has no role: a user, handed the role over later (3.2.2).
    cap_admin = participant(
        organization=organization, system=System.CAPACITY, role=Role.ADMIN, login_id="cadm01"
    )
    user = capacity_users.register_user(actor=cap_admin, login_id="cusr01", **PERSON)
    assert role_in(user, System.CAPACITY) == Role.USER
    with pytest.raises(ValidationFailed, match="管理者IDは発行済み"):
        capacity_users.create_administrator(
            actor=None, organization=organization, login_id="cadm02", **PERSON
        )


# --- natural persons, one ID each --------------------------------------------------------------------


def test_sw_u04_refuses_a_shared_name_next_to_the_field(client: Client, sw_admin: User) -> None:
    client.force_login(sw_admin)
    form = {**PERSON, "user_id": "sato01", "email_confirm": PERSON["email"], "preset": "all", "other": ""}
    page = client.post("/switching/users/new/", {**form, "last_name": "共用"}).content.decode()
    assert "氏名（姓）に「共用」を含む名前は登録できません" in page
    assert client.post("/switching/users/new/", form).status_code == 302
    page = client.post("/switching/users/new/", {**form, "user_id": "sato02"}).content.decode()
    assert "同じ氏名・メールアドレスの方には既にユーザID sato01 が発行されています" in page
    # The same name with another address is another person (namesakes exist).
    assert (
        client.post(
            "/switching/users/new/",
            {
                **form,
                "user_id": "sato02",
                "email": "k.sato@example.co.jp",
                "email_confirm": "k.sato@example.co.jp",
            },
        ).status_code
        == 302
    )
    assert User.objects.filter(organization=sw_admin.organization, login_id__startswith="sato").count() == 2


def test_one_person_per_system_and_organization(sw_admin: User) -> None:
    switching_users.register_user(actor=sw_admin, login_id="sato01", **PERSON)
    # Another organization's, or another system's, ID of the same person is not a second one here.
    other = participant(system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    switching_users.register_user(actor=other, login_id="sato01", **PERSON)
    member_admin = participant(organization=sw_admin.organization, role=Role.ADMIN, login_id="madm01")
    services.register_user(actor=member_admin, login_id="sato02", duties=["fees"], **PERSON)


def test_sw_u06_and_cap_u1_changes_are_held_to_the_rule(sw_admin: User, organization: Organization) -> None:
    switching_users.register_user(actor=sw_admin, login_id="sato01", **PERSON)
    user = switching_users.register_user(
        actor=sw_admin, login_id="kato01", **{**PERSON, "last_name": "加藤", "email": "kato@example.co.jp"}
    )
    with pytest.raises(ValidationFailed) as refused:
        switching_users.update_user(actor=sw_admin, user=user, last_name="事務局")
    assert "「事務局」" in refused.value.errors["last_name"][0]
    with pytest.raises(ValidationFailed) as refused:
        switching_users.update_user(actor=sw_admin, user=user, last_name="佐藤", email="sato@example.co.jp")
    assert "sato01" in refused.value.errors["email"][0]
    user.refresh_from_db()
    assert user.last_name == "加藤"

    cap_admin = participant(
        organization=organization, system=System.CAPACITY, role=Role.ADMIN, login_id="cadm01"
    )
    with pytest.raises(ValidationFailed) as refused:
        capacity_users.register_user(actor=cap_admin, login_id="cusr01", **{**PERSON, "last_name": "代表"})
    assert "「代表」" in refused.value.errors["last_name"][0]
    cap_user = capacity_users.register_user(actor=cap_admin, login_id="cusr01", **PERSON)
    with pytest.raises(ValidationFailed):
        capacity_users.update_user(actor=cap_admin, user=cap_user, first_name="窓口")


def test_sw_u05_reports_shared_names_and_the_same_person_twice_and_registers_nobody(sw_admin: User) -> None:
    data = "\r\n".join(
        [
            HEADER,
            "sato01,佐藤,健,サトウ,ケン,業務部,sato@example.co.jp,03-3333-1234,,",
            "tanto1,営業,担当者,エイギョウ,タントウシャ,業務部,eigyo@example.co.jp,03-3333-1235,,",
            "sato02,佐藤,健,サトウ,ケン,業務部,SATO@example.co.jp,03-3333-1236,,",
        ]
    ).encode("utf-8-sig")
    with pytest.raises(ValidationFailed) as refused:
        switching_users.register_users_from_csv(actor=sw_admin, data=data)
    problems = refused.value.errors["file"]
    assert any(p.startswith("3行目「氏名（名）」") and "「担当者」" in p for p in problems)
    assert any(
        p.startswith("4行目「メールアドレス」") and "2行目と同じ氏名・メールアドレス" in p for p in problems
    )
    assert not User.objects.filter(login_id__in=["sato01", "tanto1", "sato02"]).exists()

    switching_users.register_user(actor=sw_admin, login_id="sato01", **PERSON)
    with pytest.raises(ValidationFailed) as refused:
        switching_users.register_users_from_csv(
            actor=sw_admin,
            data=f"{HEADER}\r\nsato03,佐藤,健,サトウ,ケン,業務部,sato@example.co.jp,03-3333-1234,,".encode(),
        )
    assert any("既にユーザID sato01" in p for p in refused.value.errors["file"])


def test_mem_u3_and_mem_u1_are_held_to_the_rule(organization: Organization) -> None:
    member_admin = participant(organization=organization, role=Role.ADMIN, login_id="madm01")
    with pytest.raises(ValidationFailed) as refused:
        services.register_user(
            actor=member_admin, login_id="usr009", duties=["fees"], **{**PERSON, "first_name": "ｔｅｓｔ"}
        )
    assert "「test」" in refused.value.errors["first_name"][0]
    user = services.register_user(actor=member_admin, login_id="usr009", duties=["fees"], **PERSON)
    with pytest.raises(ValidationFailed):
        services.update_own_profile(actor=user, last_name="総務部署")


# --- 管理者変更申請 of the switching system (seed 001 3.2.2) ----------------------------------------


def test_a_switching_administrator_change_is_an_application_the_back_office_approves(
    client: Client, sw_admin: User, staff: User
) -> None:
    from kouiki.core.models import OutboxMessage
    from kouiki.reviews import selectors as review_selectors
    from kouiki.reviews import services as reviews
    from kouiki.reviews.services import registry

    client.force_login(sw_admin)
    page = client.get("/switching/users/admin-change/").content.decode()
    assert "管理者変更申請" in page and "adm001" in page
    form = {**PERSON, "user_id": "adm002", "email_confirm": PERSON["email"], "other": ""}
    shared = client.post("/switching/users/admin-change/", {**form, "last_name": "事務局"}).content.decode()
    assert "氏名（姓）に「事務局」を含む名前は登録できません" in shared
    taken = client.post("/switching/users/admin-change/", {**form, "user_id": "adm001"}).content.decode()
    assert "このユーザIDは既に使用されています。" in taken
    response = client.post("/switching/users/admin-change/", form)
    assert response.status_code == 302
    (application,) = review_selectors.applications_for(actor=sw_admin, kind="switching.admin_change")
    assert application.state == "submitted" and application.payload["previous"].startswith("adm001")
    assert registry.name_of(application.kind) == "管理者変更申請（スイッチング支援システム）"
    again = client.post("/switching/users/admin-change/", {**form, "user_id": "adm003"}, follow=True)
    assert "審査中の申請があるため" in again.content.decode()

    # The back office reviews it as any application; approval issues the new ID, once.
    back_office = Client()
    back_office.force_login(staff)
    session = back_office.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    detail = back_office.get(f"/backoffice/reviews/{application.pk}/").content.decode()
    assert "新しい管理者のユーザID" in detail and "adm002" in detail
    reviews.approve(actor=staff, application=application)
    new = User.objects.get(organization=sw_admin.organization, login_id="adm002")
    assert role_in(new, System.SWITCHING) == Role.ADMIN and new.must_change_password
    sw_admin.refresh_from_db()
    assert role_in(sw_admin, System.SWITCHING) == Role.USER and not sw_admin.is_active
    assert OutboxMessage.objects.filter(
        template="identity/mail/user_registered", to=[PERSON["email"]]
    ).exists()


def test_the_join_application_names_its_administrators_as_natural_persons() -> None:
    from kouiki.membership.services import review_join
    from tests.membership.join_helpers import payload

    with pytest.raises(ValidationFailed) as refused:
        review_join.validate(
            {**payload(admin2=True), "admin1_last_name": "総務部署", "admin2_first_name": "窓口"}
        )
    assert "「部署」" in refused.value.errors["admin1_last_name"][0]
    assert "「窓口」" in refused.value.errors["admin2_first_name"][0]
    assert review_join.clean_payload(payload(admin2=True), main=False)["admin1_last_name"]


def test_the_capacity_registration_names_its_administrator_as_a_natural_person() -> None:
    from kouiki.capacity.services import payloads
    from tests.capacity.helpers import payload

    with pytest.raises(ValidationFailed) as refused:
        payloads.validate_registration({**payload(), "admin_last_name": "共用"})
    assert "「共用」" in refused.value.errors["admin_last_name"][0]
    assert payloads.validate_registration(payload())["admin_last_name"]
