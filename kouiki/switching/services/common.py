"""What every switching service shares: the actor's right, the supply point a number names, filing
an application, forwarding it to the operator, and telling the organizations (events)."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from kouiki.audit.actions import Action
from kouiki.audit.services import record
from kouiki.core import events
from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.japanese import normalize_supply_point_number, validate_supply_point_number
from kouiki.core.systems import System
from kouiki.identity.access import organization_of
from kouiki.switching.models import Application, Kind, State, SupplyPoint, SupplyPointVersion, Switch
from kouiki.switching.services.dates import latest_desired_date
from kouiki.switching.services.numbering import next_reception_number
from kouiki.tso import services as tso

if TYPE_CHECKING:
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

# The operation each kind travels as (kouiki.tso.gateway.Operation values).
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


def point_for_number(
    number: str, *, field: str = "supply_point_number"
) -> tuple[SupplyPoint, SupplyPointVersion]:
    """The supply point and its current data; a malformed number is refused naming ``field``, an
    unknown one is NotFound."""
    try:
        validate_supply_point_number(number or "")
    except ValidationError as error:
        raise ValidationFailed(error.messages[0], code=error.code, field=field) from error
    version = (
        SupplyPointVersion.objects.select_related("supply_point", "retailer")
        .filter(supply_point__number=normalize_supply_point_number(number), valid_to__isnull=True)
        .first()
    )
    if version is None:
        raise NotFound(
            "指定された供給地点特定番号の供給地点はありません。", code="supply_point_not_found", field=field
        )
    return version.supply_point, version


def lock_point(point: SupplyPoint) -> SupplyPointVersion:
    """Lock the point for this transaction and return its current data as now committed."""
    SupplyPoint.objects.select_for_update().filter(pk=point.pk).get()
    return SupplyPointVersion.objects.select_related("retailer").get(
        supply_point=point, valid_to__isnull=True
    )


def require_voltage(point: SupplyPoint, voltage: str, label: str) -> None:
    if point.voltage != voltage:
        raise ValidationFailed(
            f"この供給地点は{point.get_voltage_display()}です。{label}の機能では申し込めません。",
            code="voltage_mismatch",
            field="supply_point_number",
        )


def require_current_retailer(actor: User, version: SupplyPointVersion) -> None:
    """Only the current retailer may change the point (issue 7: L04, L05, L12, L13)."""
    if version.retailer_id is None or version.retailer_id != actor.organization_id:
        raise Forbidden(
            "この供給地点の現在の小売電気事業者ではないため、申し込めません。", code="not_current_retailer"
        )


def require_future_date(value: date | None, field: str = "desired_date") -> None:
    """A desired date from today up to the horizon (dates.latest_desired_date): a date years ahead
    is a typing error, and the date arithmetic of a switch could not reach the calendar's end."""
    if value is None:
        return
    today = timezone.localdate()
    if value < today:
        raise ValidationFailed(
            "希望日には本日以降の日付を指定してください。", code="date_in_past", field=field
        )
    latest = latest_desired_date(today)
    if value > latest:
        raise ValidationFailed(
            f"希望日は本日から1年以内({latest:%Y/%m/%d}まで)の日付を指定してください。",
            code="desired_date_too_far",
            field=field,
        )


# Removed from what people type: controls, format characters (a zero-width space, a byte-order
# mark, a bidirectional mark) and halves of surrogate pairs — they show nothing.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Letters and signs that show as blank space although they are not spaces (Hangul fillers, the
# blank Braille pattern).
_BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(value: str | None) -> str:
    """A name, address or number as typed, in the form we keep and compare: NFKC (full-width letters
    and digits narrowed, half-width katakana widened), controls, format characters and lone
    surrogates (Unicode Cc, Cf, Cs) removed, every run of spaces one half-width space, none at
    either end."""
    text = unicodedata.normalize("NFKC", value or "")
    text = "".join(c for c in text if c.isspace() or unicodedata.category(c) not in _REMOVED_CATEGORIES)
    return " ".join(text.split())


def is_visible(text: str) -> bool:
    """Whether the text shows anything: a letter, digit or sign, not only spaces, combining marks,
    invisible characters or blank signs."""
    return any(
        not c.isspace() and c not in _BLANK_SIGNS and unicodedata.category(c)[0] not in "CZM" for c in text
    )


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
) -> Application:
    """A new application with its 受付番号, audited (inside the caller's transaction). The caller
    publishes it (`publish_application`) last, after the transaction's other locks."""
    now = timezone.now()
    application = Application.objects.create(
        reception_number=next_reception_number(),
        kind=kind,
        voltage=point.voltage,
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
    record(
        actor=actor,
        action=Action.SWITCHING_APPLICATION_FILE,
        obj=application,
        system=SYSTEM,
        detail={"kind": kind, "supply_point": point.number},
    )
    return application


def forward(application: Application, payload: dict[str, Any]) -> Application:
    """Write the message to the area's operator in this transaction (sent on commit); the
    application waits for the operator's answer. The caller publishes the application."""
    message_id = tso.submit(
        area=application.area,
        operation=OPERATIONS[application.kind],
        reference=application.reception_number,
        payload=payload,
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


def publish_application(application: Application) -> None:
    """application.updated to the filer (ADR 11). Publishing locks the system's event counter until
    commit (kouiki.core.events): call it after the transaction's other locks."""
    events.publish(
        organization_id=application.organization_id,
        system=SYSTEM,
        topic="application.updated",
        reference=application.reception_number,
        payload={
            "reception_number": application.reception_number,
            "kind": application.kind,
            "state": application.state,
            "operator_step": application.operator_step,
            "error_code": application.error_code,
            "error_detail": application.error_detail,
            "updated_at": application.updated_at.isoformat(),
        },
    )


def publish_switch(switch: Switch) -> None:
    """switch.updated to both retailers of the switch (ADR 11). No personal data travels here."""
    payload = {
        "switch_number": switch.number,
        "supply_point_number": switch.supply_point.number,
        "state": switch.state,
        "decision": switch.decision,
        "ng_reason": switch.ng_reason,
        "desired_date": switch.desired_date.isoformat() if switch.desired_date else None,
        "switching_date": switch.switching_date.isoformat() if switch.switching_date else None,
        "deadline": switch.deadline.isoformat(),
        "close_code": switch.close_code,
        "updated_at": switch.updated_at.isoformat(),
    }
    for organization_id in (switch.new_retailer_id, switch.current_retailer_id):
        events.publish(
            organization_id=organization_id,
            system=SYSTEM,
            topic="switch.updated",
            reference=switch.number,
            payload=payload,
        )
