"""Back office: 事業者マスタ登録 of join applications — staff only; codes issued, refused, mailed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core.models import OutboxMessage
from kouiki.identity.models import User
from kouiki.membership.models import CodeAssignment
from kouiki.membership.services import join
from kouiki.reviews.models import Application
from tests.access import sent_to_login
from tests.factories import OrganizationFactory
from tests.membership.join_helpers import file_provisional, submit_main
from tests.reviews.sample import bring_to
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]

LIST = "/backoffice/joining/"


@pytest.fixture
def provisional() -> Application:
    return file_provisional()


def _numbers(response: Any) -> list[str]:
    return [application.reception_number for application, _assignment, _state in response.context["rows"]]


def test_urls_are_named() -> None:
    assert reverse("backoffice:joining_list") == LIST
    assert reverse("backoffice:joining_assign", args=[7]) == f"{LIST}7/assign/"


def test_a_participant_is_sent_to_the_login(
    client: Client, member_admin: User, provisional: Application
) -> None:
    client.force_login(member_admin)
    assert sent_to_login(client.get(LIST), "backoffice")
    assert sent_to_login(client.get(f"{LIST}{provisional.pk}/assign/"), "backoffice")
    assert sent_to_login(client.post(f"{LIST}{provisional.pk}/assign/", {"code": "1234"}), "backoffice")
    assert not CodeAssignment.objects.exists()


def test_anonymous_and_unverified_staff_are_sent_to_the_login(
    client: Client, staff: User, provisional: Application
) -> None:
    assert client.get(LIST)["Location"].startswith("/backoffice/login/")
    client.force_login(staff)
    assert client.get(f"{LIST}{provisional.pk}/assign/")["Location"].startswith("/backoffice/login/")


def test_the_list_shows_provisional_applications_waiting_for_a_code_oldest_first(
    staff_client: Client, staff: User, provisional: Application
) -> None:
    assigned = file_provisional(name="送配電株式会社")
    join.assign_code(actor=staff, application=assigned, code="2222")
    waiting = file_provisional(name="新電力株式会社")

    response = staff_client.get(LIST)
    assert response.status_code == 200
    assert _numbers(response) == [provisional.reception_number, waiting.reception_number]
    assert "広域電力株式会社" in response.content.decode()

    response = staff_client.get(LIST, {"status": "assigned"})
    assert _numbers(response) == [assigned.reception_number]
    assert "2222" in response.content.decode()

    response = staff_client.get(LIST, {"status": "all", "q": "新電力"})
    assert _numbers(response) == [waiting.reception_number]


def test_the_list_ignores_other_kinds(staff_client: Client, member_admin: User, staff: User) -> None:
    bring_to("draft", applicant=member_admin, staff=staff)
    assert _numbers(staff_client.get(LIST, {"status": "all"})) == []


def test_the_list_query_count_does_not_grow_with_rows(
    staff_client: Client, staff: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(6):
        application = file_provisional(name=f"電力{number}株式会社")
        if number % 2:
            join.assign_code(actor=staff, application=application, code=f"{3000 + number}")
    with django_assert_max_num_queries(12):
        response = staff_client.get(LIST, {"status": "all"})
    assert len(_numbers(response)) == 6


def test_staff_issue_a_code_and_the_applicant_is_mailed(
    staff_client: Client, staff: User, provisional: Application
) -> None:
    page = staff_client.get(f"{LIST}{provisional.pk}/assign/").content.decode()
    assert "広域電力株式会社" in page
    assert "会員情報管理システム利用規約" in page  # the consents given
    assert "小売電気" in page

    response = staff_client.post(f"{LIST}{provisional.pk}/assign/", {"code": "１２３４"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assignment = CodeAssignment.objects.get(application=provisional)
    assert assignment.code == "1234"
    assert assignment.assigned_by == staff
    mail = OutboxMessage.objects.get(template="membership/mail/join_code_issued")
    assert "事業者コード：1234" in mail.body
    assert provisional.reception_number in mail.subject

    page = staff_client.get(f"{LIST}{provisional.pk}/assign/").content.decode()
    assert "発番済み" in page


def test_a_filed_provisional_application_shows_its_real_state_not_draft(
    staff_client: Client, staff: User, provisional: Application
) -> None:
    # Issue 17 point 18: the workflow keeps a provisional application as a draft (下書き), which
    # told staff that the applicant had not filed it.
    def states() -> str:
        listed = staff_client.get(LIST, {"status": "all"}).content.decode()
        detail = staff_client.get(f"{LIST}{provisional.pk}/assign/").content.decode()
        assert "下書き" not in listed + detail
        return listed + detail

    assert states().count("仮申請受付済（事業者コード発番待ち）") == 2
    join.assign_code(actor=staff, application=provisional, code="2345")
    assert states().count("事業者コード発番済（本申請待ち）") == 2
    submit_main(provisional, code="2345")
    assert states().count("申請中") >= 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12a4", "4桁の半角数字"),
        ("", "事業者コードを入力してください。"),
        ("1111", "既存電力株式会社"),
        ("2222", "他の加入申請"),
    ],
    ids=["format", "empty", "organization", "other-application"],
)
def test_a_code_that_cannot_be_issued_is_refused_with_the_reason(
    staff_client: Client, staff: User, provisional: Application, code: str, message: str
) -> None:
    OrganizationFactory(code="1111", name="既存電力株式会社")
    other = file_provisional(name="送配電株式会社")
    join.assign_code(actor=staff, application=other, code="2222")
    mails_before = OutboxMessage.objects.count()

    response = staff_client.post(f"{LIST}{provisional.pk}/assign/", {"code": code})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CodeAssignment.objects.filter(application=provisional).exists()
    assert OutboxMessage.objects.count() == mails_before


def test_no_code_once_the_main_application_was_filed(staff_client: Client, staff: User) -> None:
    application = file_provisional()
    join.assign_code(actor=staff, application=application, code="2345")
    submit_main(application, code="2345")
    response = staff_client.post(f"{LIST}{application.pk}/assign/", {"code": "5555"})
    assert response.status_code == 200
    assert "発番済み" in response.content.decode()


def test_another_kind_of_application_is_not_found(
    staff_client: Client, member_admin: User, staff: User
) -> None:
    other = bring_to("draft", applicant=member_admin, staff=staff)
    assert staff_client.get(f"{LIST}{other.pk}/assign/").status_code == 404
    assert staff_client.post(f"{LIST}{other.pk}/assign/", {"code": "1234"}).status_code == 404
    assert staff_client.get(f"{LIST}999999/assign/").status_code == 404
