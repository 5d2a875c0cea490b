"""Issue 17 (8, 13, 14) on the member screens: every error at once (the fields' and the rules
across them), characters CP932 cannot hold named, full-width codes taken as half-width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from kouiki.membership.services import join
from kouiki.reviews.models import Application, State
from tests.membership.factories import ADMIN1_INPUT, change_form_data, member
from tests.membership.join_helpers import file_provisional, form_post
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]

SAME_ID = "管理者①と管理者②に同じユーザIDは指定できません。"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


def field_error(response: Any, field_id: str) -> str:
    match = re.search(
        rf'<p class="field__error" id="{re.escape(field_id)}_error">(.*?)</p>', response.content.decode()
    )
    return match[1] if match else ""


@pytest.fixture
def profile(db: None) -> MemberProfile:
    return member()


@pytest.fixture
def admin_client(client: Client, profile: MemberProfile) -> Client:
    assert profile.administrator1 is not None
    client.force_login(profile.administrator1)
    return client


def test_mem_i4_a_wrong_field_and_rules_across_fields_are_reported_together(admin_client: Client) -> None:
    data = change_form_data(
        phone="03-1234",
        capital_relationship="広域ホールディングス株式会社",
        parent_share_ratio="",
        admin2={**ADMIN1_INPUT, "email": "second@koiki-denryoku.example.jp"},
    )

    response = admin_client.post("/member/changes/new/", data)

    assert response.status_code == 200
    assert "電話番号" in field_error(response, "id_phone")
    assert field_error(response, "id_admin2-user_id") == SAME_ID
    assert "持株比率を入力してください" in field_error(response, "id_parent_share_ratio")
    assert not Application.objects.exists()


def test_mem_i4_a_character_cp932_cannot_hold_is_named(admin_client: Client) -> None:
    response = admin_client.post("/member/changes/new/", change_form_data(name="広域電力🔥株式会社"))

    assert (
        field_error(response, "id_name") == "「🔥」は使用できません（Shift_JIS（CP932）で表せない文字です）。"
    )


def test_mem_j2_two_administrators_with_one_id_are_reported_with_the_fields_errors(client: Client) -> None:
    token = join.request_join_link(email="kanyu@koiki-denryoku.example.jp", name="広域 太郎")
    data = form_post(admin2=True, company={"postal_code": "123"})
    data["admin2-user_id"] = data["admin1-user_id"]

    response = client.post(f"/member/join/provisional/{token}/", data)

    assert response.status_code == 200
    assert "郵便番号" in field_error(response, "id_postal_code")
    assert (
        field_error(response, "id_admin2-user_id")
        == "管理者②のユーザIDには管理者①と異なるものを入力してください。"
    )
    assert not Application.objects.exists()


def test_mem_j4_a_wrong_code_is_reported_with_the_fields_errors_and_a_full_width_one_is_right(
    client: Client, staff: User
) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    client.post(
        "/member/join/main/",
        {"reception_number": application.reception_number.lower(), "email": application.applicant_email},
    )

    refused = client.post(
        "/member/join/main/application/", form_post(code="9999", company={"postal_code": "123"})
    )

    assert "郵便番号" in field_error(refused, "id_postal_code")
    assert "事業者コードが正しくありません" in field_error(refused, "id_organization_code")
    accepted = client.post("/member/join/main/application/", form_post(code="２３４５"))
    assert accepted.status_code == 302
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
