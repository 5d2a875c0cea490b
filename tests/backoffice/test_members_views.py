"""Back office: member organizations, one member's information, history, certificates and applications."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.identity.models import Organization, OrganizationStatus, User
from kouiki.membership.models import MemberProfile
from kouiki.membership.services import certificates, changes, exits
from kouiki.reviews import services as reviews
from tests.access import sent_to_login
from tests.membership.factories import ADMIN1_INPUT, ADMIN2_INPUT, change_form_data, member

LIST = "/backoffice/members/"


@pytest.fixture
def profile(db: None) -> MemberProfile:
    return member()


def other_member(user_id: str, **company: Any) -> MemberProfile:
    return member(admin1_input={**ADMIN1_INPUT, "user_id": user_id}, admin2=False, **company)


def listed(response: Any) -> list[str]:
    return [profile.organization.code for profile in response.context["page"].object_list]


def test_urls_are_named() -> None:
    assert reverse("backoffice:member_list") == LIST
    assert reverse("backoffice:member_detail", args=["8001"]) == f"{LIST}8001/"


def test_only_staff_open_the_members(client: Client, profile: MemberProfile, staff: User) -> None:
    assert client.get(LIST)["Location"].startswith("/backoffice/login/")
    assert profile.administrator1 is not None
    client.force_login(profile.administrator1)
    assert sent_to_login(client.get(LIST), "backoffice")
    assert sent_to_login(client.get(f"{LIST}{profile.organization.code}/"), "backoffice")
    client.force_login(staff)  # not verified with its second factor
    assert client.get(LIST)["Location"].startswith("/backoffice/login/")


def test_list_searches_by_code_name_and_status(staff_client: Client, profile: MemberProfile) -> None:
    other = other_member("zzz001", name="北海電力株式会社", name_kana="ホッカイデンリョクカブシキガイシャ")
    Organization.objects.filter(pk=other.organization_id).update(status=OrganizationStatus.WITHDRAWN)
    code, other_code = profile.organization.code, other.organization.code

    assert listed(staff_client.get(LIST)) == sorted([code, other_code])
    assert listed(staff_client.get(LIST, {"q": code})) == [code]
    assert listed(staff_client.get(LIST, {"q": "北海"})) == [other_code]
    assert listed(staff_client.get(LIST, {"q": "ホッカイ"})) == [other_code]
    assert listed(staff_client.get(LIST, {"status": "withdrawn"})) == [other_code]
    assert listed(staff_client.get(LIST, {"status": "active"})) == [code]
    bad = staff_client.get(LIST, {"status": "nonsense"})
    assert listed(bad) == []
    assert "状態の選択が不正です" in bad.content.decode()
    page = staff_client.get(LIST).content.decode()
    assert "脱退済" in page and "広域電力株式会社" in page and "田中 一郎（abc001）" in page


def test_list_queries_do_not_grow_with_rows(
    staff_client: Client, profile: MemberProfile, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        other_member(f"zz{i:04d}")
    with django_assert_max_num_queries(6):
        response = staff_client.get(LIST)
    assert len(listed(response)) == 13


def test_detail_shows_information_history_certificates_and_applications(
    staff_client: Client, profile: MemberProfile, staff: User
) -> None:
    admin = profile.administrator1
    assert admin is not None
    issued = certificates.issue_certificate(actor=admin)
    payload = {
        key: value for key, value in change_form_data(name="広域電力ＨＤ株式会社").items() if "-" not in key
    }
    for slot, values in ((1, ADMIN1_INPUT), (2, ADMIN2_INPUT)):
        payload.update({f"admin{slot}_{name}": value for name, value in values.items()})
    outcome = changes.request_change(actor=admin, payload=payload)
    assert outcome.application is not None
    reviews.approve(actor=staff, application=outcome.application)
    withdrawal = exits.request_withdrawal(actor=admin)

    response = staff_client.get(f"{LIST}{profile.organization.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "広域電力ＨＤ株式会社",
        "abc001",
        "abc002",
        "第2版",
        "会社名: 広域電力株式会社 → 広域電力ＨＤ株式会社",
        issued.number,
        outcome.application.reception_number,
        withdrawal.reception_number,
        "脱退申請",
        f"/backoffice/reviews/{withdrawal.pk}/",
        f"/backoffice/reviews/?q={profile.organization.code}",
    ):
        assert text in page, text


def test_detail_of_an_unknown_member_is_not_found(staff_client: Client, db: None) -> None:
    assert staff_client.get(f"{LIST}9999/").status_code == 404


def test_detail_queries_are_bounded(
    staff_client: Client, profile: MemberProfile, django_assert_max_num_queries: Any
) -> None:
    admin = profile.administrator1
    assert admin is not None
    for _ in range(5):
        certificates.issue_certificate(actor=admin)
        reviews.create_draft(actor=admin, kind="membership.change", payload={"name": "x"})
    with django_assert_max_num_queries(10):
        assert staff_client.get(f"{LIST}{profile.organization.code}/").status_code == 200
