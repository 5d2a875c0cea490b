"""The back office's review queue: staff only, filtered, and decisions made through the form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity.models import User
from kouiki.reviews import services
from kouiki.reviews.models import Application, State
from tests.access import sent_to_login
from tests.factories import OrganizationFactory, participant
from tests.reviews.sample import PAYLOAD, REASON, bring_to

QUEUE = "/backoffice/reviews/"


@pytest.fixture
def submitted(member_admin: User, staff: User) -> Application:
    return bring_to(State.SUBMITTED, applicant=member_admin, staff=staff)


def _numbers(response: Any) -> list[str]:
    return [application.reception_number for application, _kind in response.context["rows"]]


def test_urls_are_named() -> None:
    assert reverse("backoffice:review_queue") == QUEUE
    assert reverse("backoffice:review_detail", args=[7]) == f"{QUEUE}7/"
    assert reverse("backoffice:review_decide", args=[7]) == f"{QUEUE}7/decide/"


def test_a_participant_cannot_open_the_queue(
    client: Client, member_admin: User, submitted: Application
) -> None:
    client.force_login(member_admin)
    assert sent_to_login(client.get(QUEUE), "backoffice")
    assert sent_to_login(client.get(f"{QUEUE}{submitted.pk}/"), "backoffice")
    response = client.post(
        f"{QUEUE}{submitted.pk}/decide/", {"decision": "approve", "version": submitted.version}
    )
    assert sent_to_login(response, "backoffice")
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_anonymous_and_unverified_staff_are_sent_to_the_login(client: Client, staff: User) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")
    client.force_login(staff)
    assert client.get(QUEUE)["Location"].startswith("/backoffice/login/")


def test_the_queue_shows_what_waits_for_a_decision_by_default(
    staff_client: Client, member_admin: User, staff: User, submitted: Application
) -> None:
    held = bring_to(State.ON_HOLD, applicant=member_admin, staff=staff)
    resubmitted = bring_to(State.RESUBMITTED, applicant=member_admin, staff=staff)
    bring_to(State.DRAFT, applicant=member_admin, staff=staff)

    response = staff_client.get(QUEUE)
    assert response.status_code == 200
    assert _numbers(response) == [submitted.reception_number, resubmitted.reception_number]
    content = response.content.decode()
    assert "テスト申請" in content
    assert 'class="badge badge--pending"' in content

    response = staff_client.get(QUEUE, {"state": "on_hold"})
    assert _numbers(response) == [held.reception_number]
    assert len(_numbers(staff_client.get(QUEUE, {"state": ""}))) == 4


def test_the_queue_filters_by_type_and_text(
    staff_client: Client, member_admin: User, staff: User, submitted: Application
) -> None:
    other = participant(organization=OrganizationFactory(name="北国電力株式会社"), role=Role.ADMIN)
    restricted = bring_to(State.SUBMITTED, applicant=other, staff=staff, kind="test.restricted")

    assert _numbers(staff_client.get(QUEUE, {"state": "pending", "kind": "test.restricted"})) == [
        restricted.reception_number
    ]
    assert _numbers(staff_client.get(QUEUE, {"state": "pending", "q": "北国"})) == [
        restricted.reception_number
    ]
    assert _numbers(staff_client.get(QUEUE, {"state": "pending", "q": submitted.reception_number})) == [
        submitted.reception_number
    ]
    response = staff_client.get(QUEUE, {"state": "nonsense"})
    assert response.status_code == 200
    assert "選択してください" in response.content.decode()


def test_the_queue_paginates(staff_client: Client, member_admin: User) -> None:
    for _ in range(52):
        services.submit(
            actor=member_admin,
            application=services.create_draft(actor=member_admin, kind="test.sample", payload=PAYLOAD),
        )
    first = staff_client.get(QUEUE)
    assert len(_numbers(first)) == 50
    second = staff_client.get(QUEUE, {"page": 2})
    assert len(_numbers(second)) == 2
    assert "2 / 2" in second.content.decode()


@pytest.mark.parametrize("rows", [2, 25])
def test_the_queue_query_count_does_not_grow_with_rows(
    rows: int,
    staff_client: Client,
    staff: User,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    for _ in range(rows):
        applicant = participant(organization=OrganizationFactory(), role=Role.ADMIN)
        bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    with django_assert_max_num_queries(4):
        response = staff_client.get(QUEUE, {"state": ""})
    assert len(_numbers(response)) == rows


def test_the_detail_shows_the_request_its_differences_and_history(
    staff_client: Client, member_admin: User
) -> None:
    application = services.create_draft(
        actor=member_admin,
        kind="test.sample",
        payload={"name": "新社名電力株式会社", "phone": "03-1234-5678"},
        current={"name": "旧社名電力株式会社", "phone": "03-1234-5678"},
    )
    application = services.submit(actor=member_admin, application=application)

    response = staff_client.get(f"{QUEUE}{application.pk}/")
    assert response.status_code == 200
    assert response.context["differences"] == [("会社名", "旧社名電力株式会社", "新社名電力株式会社")]
    content = response.content.decode()
    for text in (
        application.reception_number,
        "代表電話番号",
        "旧社名電力株式会社",
        "新社名電力株式会社",
        "申請中",
    ):
        assert text in content
    assert [act for act, _name in response.context["decisions"]] == ["approve", "hold", "reject"]
    assert [name for _transition, name in response.context["transitions"]] == ["作成", "申請"]


def test_another_id_is_not_found(staff_client: Client) -> None:
    assert staff_client.get(f"{QUEUE}999999/").status_code == 404


def test_an_approval_asks_for_confirmation_first(staff_client: Client, submitted: Application) -> None:
    # Issue 17 point 18: 承認 acted in one click. Hold and reject need a reason; approval a second step.
    detail = staff_client.get(f"{QUEUE}{submitted.pk}/").content.decode()
    assert 'name="confirmed"' not in detail
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/", {"decision": "approve", "reason": "", "version": submitted.version}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "承認してよろしいですか" in page
    for text in (submitted.reception_number, "テスト申請", submitted.organization.name):
        assert text in page
    assert '<input type="hidden" name="confirmed" value="1">' in page
    assert '<input type="hidden" name="decision" value="approve">' in page
    assert f'href="{QUEUE}{submitted.pk}/"' in page  # back to the application, nothing decided
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert not submitted.transitions.filter(action="approve").exists()

    # 承認する posts the same decision again, confirmed.
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    response = staff_client.post(f"{QUEUE}{submitted.pk}/decide/", hidden)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == State.APPROVED


def test_staff_approve_through_the_form(staff_client: Client, submitted: Application) -> None:
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/",
        {"decision": "approve", "reason": "", "version": submitted.version, "confirmed": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    submitted.refresh_from_db()
    assert submitted.state == State.APPROVED
    followed = staff_client.get(QUEUE)
    assert f"受付番号 {submitted.reception_number} の申請を承認しました。" in followed.content.decode()


def test_a_hold_without_reason_is_shown_next_to_the_field(
    staff_client: Client, submitted: Application
) -> None:
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/", {"decision": "hold", "reason": "  ", "version": submitted.version}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["保留の理由を入力してください。"]
    assert 'class="field__error"' in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED
    assert not OutboxMessage.objects.filter(subject__contains="保留").exists()


def test_a_reject_with_reason_is_mailed(staff_client: Client, submitted: Application) -> None:
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/",
        {"decision": "reject", "reason": REASON, "version": submitted.version},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.decision_reason) == (State.REJECTED, REASON)
    mail = OutboxMessage.objects.order_by("-id").first()
    assert mail is not None and REASON in mail.body and submitted.reception_number in mail.subject


def test_a_decision_on_an_outdated_screen_is_refused(
    staff_client: Client, member_admin: User, submitted: Application
) -> None:
    shown = submitted.version
    services.update_payload(actor=member_admin, application=submitted, payload={"name": "差し替え電力"})
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/", {"decision": "approve", "version": shown, "confirmed": "1"}
    )
    assert response.status_code == 200
    assert "画面を開き直して" in response.content.decode()
    assert response.context["form"]["version"].value() == str(shown + 1)
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


def test_a_decided_application_offers_no_decision(
    staff_client: Client, member_admin: User, staff: User
) -> None:
    approved = bring_to(State.APPROVED, applicant=member_admin, staff=staff)
    response = staff_client.get(f"{QUEUE}{approved.pk}/")
    assert response.context["decisions"] == []
    assert "審査できません" in response.content.decode()
    response = staff_client.post(
        f"{QUEUE}{approved.pk}/decide/", {"decision": "reject", "reason": REASON, "version": approved.version}
    )
    assert response.status_code == 200
    assert "状態が「承認」の申請は却下できません。" in response.content.decode()


def test_a_missing_decision_is_an_error(staff_client: Client, submitted: Application) -> None:
    response = staff_client.post(
        f"{QUEUE}{submitted.pk}/decide/", {"reason": "", "version": submitted.version}
    )
    assert response.status_code == 200
    assert "審査結果（承認・保留・却下）を選択してください。" in response.content.decode()
