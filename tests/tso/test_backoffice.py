"""Back office: the messages to the operators and their answers (staff only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kouiki.identity.models import User
from kouiki.tso import services
from kouiki.tso.models import AnswerRecord, MessageState, OperatorMessage
from kouiki.tso.services import delivery
from kouiki.tso.services.gateway import Operation
from tests.access import sent_to_login
from tests.tso.conftest import TOKYO_SMART

pytestmark = pytest.mark.usefixtures("clock")

LIST = "/backoffice/tso/"


def send(operation: str, reference: str = "A0000001", **payload: Any) -> OperatorMessage:
    message_id = services.submit(
        area="03",
        operation=operation,
        reference=reference,
        payload={"supply_point_number": TOKYO_SMART, **payload},
    )
    message = OperatorMessage.objects.get(message_id=message_id)
    delivery.deliver(message.pk)
    delivery.poll_answers(areas=["03"])  # an application that may still be corrected is taken at a tick
    message.refresh_from_db()
    return message


@pytest.mark.parametrize("url", [LIST, "/backoffice/tso/messages/" + "0" * 32 + "/"])
def test_the_pages_are_for_staff_only(client: Client, member_user: User, url: str) -> None:
    assert client.get(url).status_code == 302  # to the back office's login

    client.force_login(member_user)
    assert sent_to_login(client.get(url), "backoffice")


def test_the_list_shows_state_attempts_and_errors_and_filters(staff_client: Client, settings: Any) -> None:
    answered = send(Operation.FACILITY_INQUIRY, reference="A0000001")
    settings.KOUIKI_TSO_SIMULATOR_DOWN_AREAS = ["03"]
    waiting = send(Operation.RECONNECT, reference="A0000002")

    page = staff_client.get(LIST).content.decode()
    assert "A0000001" in page and "A0000002" in page
    assert "回答済み（完了）" in page
    assert "送信待ち" in page
    assert "停止しています" in page  # the last error

    failing = staff_client.get(LIST, {"failing": "on"}).content.decode()
    assert "A0000002" in failing and "A0000001" not in failing
    by_state = staff_client.get(LIST, {"state": "answered"}).content.decode()
    assert "A0000001" in by_state and "A0000002" not in by_state
    by_reference = staff_client.get(LIST, {"reference": "0002"}).content.decode()
    assert "A0000002" in by_reference and "A0000001" not in by_reference
    assert answered.state == "answered" and waiting.state == "pending"


def test_the_detail_shows_the_answers_and_hides_a_usage_password(staff_client: Client) -> None:
    message = send(Operation.USAGE_RETRIEVE, password="SECRET1234")

    page = staff_client.get(f"/backoffice/tso/messages/{message.message_id}/").content.decode()

    assert "SECRET1234" not in page
    assert "********" in page
    assert "usage_password_invalid" in page
    assert "一般送配電事業者受付" in page


def test_the_password_the_operator_answers_is_masked_for_staff(staff_client: Client) -> None:
    message = send(Operation.USAGE_PASSWORD)
    [answer] = [a for a in AnswerRecord.objects.filter(message=message) if "password" in a.data]

    page = staff_client.get(f"/backoffice/tso/messages/{message.message_id}/").content.decode()

    assert answer.data["password"] not in page
    assert "********" in page and answer.data["valid_until"] in page


def test_an_unknown_message_is_404(staff_client: Client) -> None:
    assert staff_client.get("/backoffice/tso/messages/" + "f" * 32 + "/").status_code == 404


def test_the_list_costs_the_same_queries_for_many_messages(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        send(Operation.FACILITY_INQUIRY, reference=f"A{n:07d}")

    with django_assert_max_num_queries(12):
        assert staff_client.get(LIST).status_code == 200


def test_a_message_taken_and_never_answered_is_shown_after_the_set_hours(
    staff_client: Client, settings: Any
) -> None:
    settings.KOUIKI_TSO_UNANSWERED_HOURS = 24
    answered = send(Operation.FACILITY_INQUIRY, reference="A0000001")
    silent = send(Operation.RECONNECT, reference="A0000002")
    recent = send(Operation.RECONNECT, reference="A0000003")
    # As a real operator could: it took the two messages and then said nothing at all.
    OperatorMessage.objects.filter(pk__in=[silent.pk, recent.pk]).update(
        state=MessageState.ACKNOWLEDGED, final_outcome="", answered_at=None
    )
    AnswerRecord.objects.filter(message__in=[silent, recent]).delete()
    now = timezone.now()
    OperatorMessage.objects.filter(pk=silent.pk).update(acknowledged_at=now - timedelta(hours=24, minutes=1))
    OperatorMessage.objects.filter(pk=recent.pk).update(acknowledged_at=now - timedelta(hours=23, minutes=59))

    page = staff_client.get(LIST).content.decode()
    assert "24時間以上なにも回答していない電文が1件あります" in page
    only = staff_client.get(LIST, {"unanswered": "on"}).content.decode()
    assert "A0000002" in only
    assert "A0000001" not in only and "A0000003" not in only
    assert answered.state == "answered"
