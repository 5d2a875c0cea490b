"""Filing an application with the hub: its 受付番号 and audit row, the message to the area's operator,
its final state, and the events that tell the organizations (ADR 11). Every 業務 of the hub files
through these, so that an application is numbered, audited, forwarded and published one way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record_many
from kouiki.core import events
from kouiki.core.systems import System
from kouiki.identity.access import organization_of
from kouiki.switching.models import Application, Kind, State, SupplyPoint, Switch
from kouiki.switching.services.lines import application_type, legacy_kind
from kouiki.switching.services.numbering import next_reception_number
from kouiki.tso import services as tso
from kouiki.tso.services.gateway import UPDATE_FLAG_KEY, UpdateFlag

if TYPE_CHECKING:
    from django.db.models import Model

    from kouiki.identity.models import User

SYSTEM = System.SWITCHING.value
# The hub's own steps (受付工程) while it, not the operator, holds an application.
STEP_WAITING_DECISION = "現小売判断待ち"
STEP_WAITING_PAIR = "突合待ち"
STEP_OPERATOR_PENDING = "一般送配電事業者回答待ち"
STEP_DECIDED_OK = "取次OK"
STEP_DECIDED_NG = "取次NG"
STEP_CANCELLED = "取消"
STEP_DEFECTIVE = "不備"

# The operation each kind travels as (kouiki.tso.services.gateway.Operation values).
OPERATIONS: dict[str, str] = {
    Kind.FACILITY_INQUIRY: "facility_inquiry",
    Kind.USAGE_PASSWORD: "usage_password",
    Kind.USAGE_RETRIEVE: "usage_retrieve",
    Kind.RECONNECT: "reconnect",
    Kind.ABOLISH: "abolish",
    Kind.ABOLISH_WITH_REMOVAL: "abolish",
    Kind.SWITCH_START: "switch_start",
    Kind.SWITCH_ABOLISH: "switch_abolish",
    Kind.AMPERE_CHANGE: "ampere_change",
    Kind.CUSTOMER_CHANGE: "customer_change",
}


def file_application(
    *,
    actor: User,
    kind: str,
    point: SupplyPoint,
    payload: dict[str, Any],
    state: str = State.RECEIVED,
    operator_step: str = "",
    switch: Switch | None = None,
    desired_date: date | None = None,
    switching_date: date | None = None,
    audit_also: Sequence[tuple[Action, Model, dict[str, Any] | None]] = (),
) -> Application:
    """A new application with its 受付番号, audited (inside the caller's transaction). The caller
    publishes it (`publish_application`) last, after the transaction's other locks. `audit_also`:
    the act's other audit rows (action, object, detail), written with the filing's in one insert."""
    application = new_application(
        actor=actor,
        reception_number=next_reception_number(),
        kind=kind,
        point=point,
        payload=payload,
        state=state,
        operator_step=operator_step,
        switch=switch,
        desired_date=desired_date,
        switching_date=switching_date,
    )
    application.save(force_insert=True)
    record_many(
        actor=actor,
        entries=[
            (Action.SWITCHING_APPLICATION_FILE, application, filing_detail(application)),
            *audit_also,
        ],
        system=SYSTEM,
    )
    return application


def filing_detail(application: Application) -> dict[str, Any]:
    """The audit detail of an application's filing (`file_application`; a bulk file's batch)."""
    return {"kind": application.kind, "supply_point": application.supply_point.number}


def new_application(
    *,
    actor: User,
    reception_number: str,
    kind: str,
    point: SupplyPoint,
    payload: dict[str, Any],
    state: str = State.RECEIVED,
    operator_step: str = "",
    switch: Switch | None = None,
    desired_date: date | None = None,
    switching_date: date | None = None,
) -> Application:
    """The application `file_application` saves, unsaved (a bulk file's batch inserts many)."""
    now = timezone.now()
    return Application(
        reception_number=reception_number,
        kind=kind,
        application_type=application_type(kind, point.point_class),
        voltage=point.voltage,
        point_class=point.point_class,
        area=point.area,
        organization_id=organization_of(actor),
        filed_by=actor,
        supply_point=point,
        switch=switch,
        state=state,
        operator_step=operator_step,
        desired_date=desired_date,
        switching_date=switching_date,
        payload=payload,
        created_at=now,
        updated_at=now,
    )


def forward(application: Application, payload: dict[str, Any]) -> Application:
    """Write the message to the area's operator in this transaction (sent on commit); the
    application waits for the operator's answer. The caller publishes the application. The message
    names the point's class and the 申込種別, as the operator's rules depend on them, and its
    更新フラグ: 1, a new application (a 訂正 or 取消 is sent by services/updates.py)."""
    message_id = tso.submit(
        area=application.area,
        operation=OPERATIONS[application.kind],
        reference=application.reception_number,
        payload={
            **payload,
            "point_class": application.point_class,
            "application_type": application.application_type,
            UPDATE_FLAG_KEY: UpdateFlag.NEW.value,
        },
    )
    now = timezone.now()
    application.message_id = message_id
    application.forwarded_at = now
    application.operator_step = STEP_OPERATOR_PENDING
    application.updated_at = now
    application.save(update_fields=["message_id", "forwarded_at", "operator_step", "updated_at"])
    return application


def finish(
    application: Application,
    *,
    state: str,
    step: str,
    error_code: str = "",
    error_detail: str = "",
    publish: bool = True,
) -> None:
    """Move an application to a final state and tell its filer (publish after taking locks)."""
    now = timezone.now()
    application.state = state
    application.operator_step = step
    application.error_code = error_code
    application.error_detail = error_detail
    application.finished_at = now
    application.updated_at = now
    application.save(
        update_fields=["state", "operator_step", "error_code", "error_detail", "finished_at", "updated_at"]
    )
    if publish:
        publish_application(application)


def _japan_time(value: datetime) -> str:
    """A time in an event's payload as the API writes every time: Japan time, `+09:00`."""
    return timezone.localtime(value).isoformat()


def publish_application(application: Application) -> None:
    """application.updated to the filer (ADR 11). Publishing locks the system's event counter until
    commit (kouiki.core.events): call it after the transaction's other locks."""
    notice = application_notice(application)
    events.publish(
        organization_id=notice.organization_id,
        system=notice.system,
        topic=notice.topic,
        reference=notice.reference,
        payload=notice.payload,
    )


def application_notice(application: Application) -> events.Notice:
    """The application.updated event of `publish_application` (a bulk file's batch publishes many
    with events.publish_many)."""
    return events.Notice(
        organization_id=application.organization_id,
        system=SYSTEM,
        topic="application.updated",
        reference=application.reception_number,
        payload={
            "reception_number": application.reception_number,
            "kind": legacy_kind(application.kind, application.application_type),
            "business": application.kind,
            "application_type": application.application_type or None,
            "point_class": application.point_class,
            "state": application.state,
            "operator_step": application.operator_step,
            "step_code": application.step_code or None,
            "operator_messages": application.operator_messages,
            "operator_notes": application.operator_notes,
            "planned_change_date": _day(application.planned_change_date),
            "change_date": _day(application.change_date),
            "update_flag": application.update_flag,
            "revision": application.revision,
            "error_code": application.error_code,
            "error_detail": application.error_detail,
            "updated_at": _japan_time(application.updated_at),
        },
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def ng_reason_names(switch: Switch) -> list[dict[str, str]]:
    """The switch's NG reasons by name, in code order ({code, name}): what the new retailer is told
    (API, events, screens, CSV). A switch decided before reasons were kept together has its one."""
    return [{"code": reason.value, "name": reason.label} for reason in switch.ng_reason_choices]


def publish_switch(switch: Switch) -> None:
    """switch.updated to both retailers of the switch (ADR 11). No personal data travels here."""
    for notice in switch_notices(switch):
        events.publish(
            organization_id=notice.organization_id,
            system=notice.system,
            topic=notice.topic,
            reference=notice.reference,
            payload=notice.payload,
        )


def switch_notices(switch: Switch) -> list[events.Notice]:
    """The switch.updated events of `publish_switch`: the new retailer's, then the current one's."""
    payload = {
        "switch_number": switch.number,
        "supply_point_number": switch.supply_point.number,
        "point_class": switch.point_class,
        "state": switch.state,
        "decision": switch.decision,
        "ng_reason": switch.ng_reason,
        "ng_reasons": ng_reason_names(switch),
        "desired_date": switch.desired_date.isoformat() if switch.desired_date else None,
        "switching_date": switch.switching_date.isoformat() if switch.switching_date else None,
        "deadline": _japan_time(switch.deadline),
        "close_code": switch.close_code,
        "updated_at": _japan_time(switch.updated_at),
    }
    return [
        events.Notice(
            organization_id=organization_id,
            system=SYSTEM,
            topic="switch.updated",
            reference=switch.number,
            payload=payload,
        )
        for organization_id in (switch.new_retailer_id, switch.current_retailer_id)
    ]
