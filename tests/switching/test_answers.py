"""The operators' answers reach the hub once, and the registry changes only through them; the
simulator reads the registry through the hub's reader (ADR 11)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from kouiki.core.calendar import JST
from kouiki.switching.models import Application, State, SupplyPointVersion
from kouiki.switching.services import applications
from kouiki.switching.services.answers import handle_answer, read_registry
from kouiki.tso import services as tso
from kouiki.tso.services.gateway import Answer
from tests.switching.conftest import Retailer, current, make_point, reload

pytestmark = pytest.mark.usefixtures("clock")


def _answer(application, outcome: str, **fields) -> Answer:  # type: ignore[no-untyped-def]
    values = {
        "message_id": application.message_id,
        "reference": application.reception_number,
        "operation": "ampere_change",
        "area": "03",
        "outcome": outcome,
        "step": "完了" if outcome == "completed" else "一般送配電事業者受付",
        "data": {},
        "answered_at": timezone.now(),
        **fields,
    }
    return Answer(**values)


def test_the_hub_registers_its_handler_and_reader_with_the_gateway() -> None:
    assert tso.answer_handler() is handle_answer
    assert tso.registry_reader() is read_registry


def test_a_repeated_answer_changes_nothing_and_the_registry_changes_once(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    application = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=point, current_limit_a=40
    )
    done = _answer(
        application,
        "completed",
        data={"registry": {"effective_on": "2026-11-02", "current_limit_a": 40, "contract_capacity": "4.0"}},
    )
    handle_answer(done)
    handle_answer(done)
    application = reload(application)
    assert application.state == State.COMPLETED and len(application.answers) == 1
    assert SupplyPointVersion.objects.filter(supply_point__number=point).count() == 2
    version = current(point)
    assert version.current_limit_a == 40 and version.valid_from == datetime(2026, 11, 2, tzinfo=JST)
    # A late "accepted" through the gateway is kept on record and changes nothing; a repeat of it
    # is not even handed over.
    late = _answer(application, "accepted")
    assert tso.receive_answer(late) is True
    assert tso.receive_answer(late) is False
    application = reload(application)
    assert application.state == State.COMPLETED and len(application.answers) == 2


def test_a_rejection_keeps_the_operators_code_and_text(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1, contract_state="stopped")
    application = applications.apply_reconnection(actor=retailer_b.user, supply_point_number=point)
    handle_answer(_answer(application, "accepted"))
    assert reload(application).state == State.PROCESSING
    handle_answer(
        _answer(
            application,
            "rejected",
            step="不備",
            error_code="reconnect_not_stopped",
            error_detail="停止中ではありません",
        )
    )
    application = reload(application)
    assert (application.state, application.error_code, application.error_detail) == (
        State.DEFECTIVE,
        "reconnect_not_stopped",
        "停止中ではありません",
    )
    assert current(point).contract_state == "stopped"


def test_an_answer_for_an_unknown_number_is_ignored(db: None) -> None:
    handle_answer(
        Answer(
            message_id="x" * 32,
            reference="2026110200000000",
            operation="reconnect",
            area="03",
            outcome="completed",
            step="完了",
            data={"registry": {"contract_state": "in_service"}},
            answered_at=timezone.now(),
        )
    )


def test_the_registry_reader_gives_the_current_items(retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    items = read_registry(point)
    assert items is not None
    assert items["retailer_code"] == "9102" and items["area"] == "03" and items["voltage"] == "low"
    assert items["smart_meter"] is True and items["contract_capacity"] == "3.0"
    assert items["customer_name"] == "広域 太郎" and items["reading_day"] == "10"
    assert read_registry("0300000000000000009999") is None


def test_an_operator_step_or_error_code_longer_than_the_hub_kept_still_moves_the_application_on(
    retailer_b: Retailer,
) -> None:
    """A 受付工程 of 41..60 characters once could not be stored in the application (40): on
    PostgreSQL the hand-over failed for ever and the application never moved on."""
    first, second = (make_point(retailer_b.organization, n) for n in (1, 2))
    accepted_then_done = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=first, current_limit_a=40
    )
    rejected = applications.apply_ampere_change(
        actor=retailer_b.user, supply_point_number=second, current_limit_a=40
    )
    long_step = "一般送配電事業者受付（" + "工事日程調整中" * 6 + "）"  # 50 characters
    long_code = "operator_specific_rejection_code_" + "x" * 37  # 70 characters
    assert 40 < len(long_step) <= 60 and len(long_code) > 64

    assert tso.receive_answer(_answer(accepted_then_done, "accepted", step=long_step)) is True
    application = reload(accepted_then_done)
    assert (application.state, application.operator_step) == (State.PROCESSING, long_step)
    assert len(application.operator_step) <= Application._meta.get_field("operator_step").max_length
    assert tso.receive_answer(_answer(accepted_then_done, "completed")) is True
    assert reload(accepted_then_done).state == State.COMPLETED

    rejected_answer = _answer(
        rejected, "rejected", step="不備", error_code=long_code, error_detail="詳細" * 3000
    )
    assert tso.receive_answer(rejected_answer) is True
    application = reload(rejected)
    assert application.state == State.DEFECTIVE
    assert application.error_code == long_code[:64] and len(application.error_detail) == 2000
