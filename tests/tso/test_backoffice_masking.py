"""Back office 送配電連携: customers' basic info never shows in a message or an answer (SW-P1)."""

from __future__ import annotations

import pytest
from django.test import Client

from kouiki.tso import services
from kouiki.tso.models import AnswerRecord, OperatorMessage
from kouiki.tso.services import delivery
from kouiki.tso.services.gateway import Operation
from tests.tso.conftest import TOKYO_SMART

pytestmark = pytest.mark.usefixtures("clock")


def test_customer_items_are_masked_in_the_message_and_its_answers(staff_client: Client) -> None:
    message_id = services.submit(
        area="03",
        operation=Operation.CUSTOMER_CHANGE,
        reference="A0000009",
        payload={
            "supply_point_number": TOKYO_SMART,
            "changes": {"customer_name": "新しい 氏名", "customer_phone": "090-1111-2222"},
        },
    )
    message = OperatorMessage.objects.get(message_id=message_id)
    delivery.deliver(message.pk)
    delivery.poll_answers(areas=["03"])  # the operator takes a change at its next tick
    facility = services.submit(
        area="03",
        operation=Operation.FACILITY_INQUIRY,
        reference="A0000010",
        payload={"supply_point_number": TOKYO_SMART},
    )
    delivery.deliver(OperatorMessage.objects.get(message_id=facility).pk)

    # What is stored holds them (the hub needs them); what staff see does not.
    stored = str(
        list(AnswerRecord.objects.filter(message__message_id=message_id).values_list("data", flat=True))
    )
    assert "新しい 氏名" in stored
    for shown in (message_id, facility):
        page = staff_client.get(f"/backoffice/tso/messages/{shown}/").content.decode()
        assert "新しい 氏名" not in page and "090-1111-2222" not in page
        assert TOKYO_SMART in page
    assert "********" in staff_client.get(f"/backoffice/tso/messages/{message_id}/").content.decode()
