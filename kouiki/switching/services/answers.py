"""The operators' side of the hub: answers move applications to their final state, and the registry
changes only through them (ADR 11). Both functions are lent to the gateway in AppConfig.ready:

- `handle_answer` (kouiki.tso.services.register_answer_handler): called inside a transaction once
  per answer; idempotent per (message_id, outcome, step), so a repeated answer changes nothing.
- `read_registry` (kouiki.tso.services.register_registry_reader): the simulator's read of a
  point's current data.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.japanese import normalize_supply_point_number
from kouiki.identity.selectors import organization_by_code
from kouiki.switching.models import (
    Application,
    Kind,
    State,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    SwitchState,
)
from kouiki.switching.services import updates
from kouiki.switching.services.dates import start_of_day
from kouiki.switching.services.filing import SYSTEM, publish_application, publish_switch
from kouiki.switching.services.registry import VERSION_FIELDS, record_version
from kouiki.switching.services.switches import CLOSE_DETAIL

if TYPE_CHECKING:
    from kouiki.tso.services.gateway import Answer

logger = logging.getLogger(__name__)

ACCEPTED, COMPLETED, REJECTED = "accepted", "completed", "rejected"
_AUDITED = {
    ACCEPTED: Action.SWITCHING_APPLICATION_ACCEPTED,
    COMPLETED: Action.SWITCHING_APPLICATION_COMPLETED,
    REJECTED: Action.SWITCHING_APPLICATION_REJECTED,
}
STEP_COMPLETED = "完了"
STEP_REJECTED = "不備"
# The fields of a version the operators may change (the registry's keys and bounds are not theirs).
_CHANGEABLE = (VERSION_FIELDS - {"retailer_id"}) | {"retailer"}


def handle_answer(answer: Answer) -> None:
    """Apply one operator answer to the application it refers to (its 受付番号)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("supply_point")
            .filter(reception_number=answer.reference)
            .first()
        )
        if application is None:
            logger.warning(
                "Answer %s for unknown reception number %s ignored", answer.message_id, answer.reference
            )
            return
        key = {"message_id": answer.message_id, "outcome": answer.outcome, "step": answer.step}
        if any({k: entry.get(k) for k in key} == key for entry in application.answers):
            return
        application.answers = [
            *application.answers,
            {
                **key,
                "answered_at": answer.answered_at.isoformat(),
                "error_code": answer.error_code,
                "update_flag": answer.update_flag,
            },
        ]
        if updates.is_update_answer(answer):
            # An answer to a 訂正 or 取消 (更新フラグ 2 / 3) of this 受付番号 (ADR 28).
            changed = updates.settle(application, answer)
            application.save(update_fields=["answers", *changed])
            if changed:
                publish_application(application)
            return
        if application.is_final:
            # E.g. cancelled by the retailer meanwhile: keep the answer on record, change nothing.
            application.save(update_fields=["answers"])
            return
        # Every lock before the first publish (kouiki.core.events): the switch, then the point.
        switch = None
        if application.switch_id and application.kind in (Kind.SWITCH_START, Kind.SWITCH_ABOLISH):
            switch = (
                Switch.objects.select_for_update()
                .select_related("supply_point")
                .get(pk=application.switch_id)
            )
        now = timezone.now()
        status_fields = _take_status(application, answer)
        if updates.is_withdrawal(answer):
            changed = updates.withdraw(application, answer)
            application.save(update_fields=["answers", *status_fields, *changed])
            record(
                actor=None,
                action=Action.SWITCHING_APPLICATION_CANCEL,
                obj=application,
                organization=None,
                system=SYSTEM,
                detail={"message_id": answer.message_id, "error_code": answer.error_code},
            )
            publish_application(application)
            return
        if answer.outcome == ACCEPTED:
            application.state = State.PROCESSING
            application.operator_step = answer.step or application.operator_step
        elif answer.outcome == COMPLETED:
            registry = dict(answer.data.get("registry") or {})
            if registry:
                _apply_registry(application.supply_point, registry, reference=application.reception_number)
            application.result = {key: value for key, value in answer.data.items() if key != "registry"}
            application.state = State.COMPLETED
            application.operator_step = answer.step or STEP_COMPLETED
            application.finished_at = now
        elif answer.outcome == REJECTED:
            application.state = State.DEFECTIVE
            application.operator_step = answer.step or STEP_REJECTED
            application.error_code = answer.error_code or "operator_rejected"
            application.error_detail = answer.error_detail or "一般送配電事業者が不備として返却しました。"
            application.result = {key: value for key, value in answer.data.items() if key != "registry"}
            application.finished_at = now
        else:
            logger.warning("Answer %s with unknown outcome %r ignored", answer.message_id, answer.outcome)
            application.save(update_fields=["answers"])
            return
        application.updated_at = now
        application.save(
            update_fields=[
                "answers",
                "state",
                "operator_step",
                "result",
                "error_code",
                "error_detail",
                "finished_at",
                "updated_at",
                *status_fields,
            ]
        )
        record(
            actor=None,
            action=_AUDITED[answer.outcome],
            obj=application,
            organization=None,
            system=SYSTEM,
            detail={"message_id": answer.message_id, "step": answer.step, "error_code": answer.error_code},
        )
        publish_application(application)
        if switch is not None:
            _advance_switch(switch, application)


def _take_status(application: Application, answer: Answer) -> list[str]:
    """The operator's coded status of an answer onto the application: 受付工程コード, 受付メッセージ
    (added to those before, each once), ご連絡事項 (the latest given), 異動予定日 and 異動日 (as
    given); the fields changed."""
    changed = []
    if answer.step_code:
        application.step_code = answer.step_code
        changed.append("step_code")
    if answer.messages:
        updates.add_messages(application, answer.messages)
        changed.append("operator_messages")
    if answer.notes:
        application.operator_notes = answer.notes
        changed.append("operator_notes")
    if answer.planned_change_date is not None:
        application.planned_change_date = answer.planned_change_date
        changed.append("planned_change_date")
    if answer.change_date is not None:
        application.change_date = answer.change_date
        changed.append("change_date")
    return changed


def _advance_switch(switch: Switch, application: Application) -> None:
    """A matched switch is complete when both its 05 and 03 are; it fails when either is rejected."""
    if switch.state != SwitchState.MATCHED:
        return
    now = timezone.now()
    if application.state == State.DEFECTIVE:
        switch.state = SwitchState.FAILED
        switch.close_code = application.error_code
        switch.close_detail = application.error_detail[: CLOSE_DETAIL.limit]
    elif application.state == State.COMPLETED:
        pair = switch.applications.filter(
            kind__in=(Kind.SWITCH_START, Kind.SWITCH_ABOLISH), state=State.COMPLETED
        )
        if pair.count() < 2:
            return
        switch.state = SwitchState.COMPLETED
    else:
        return
    switch.closed_at = now
    switch.updated_at = now
    switch.save(update_fields=["state", "close_code", "close_detail", "closed_at", "updated_at"])
    publish_switch(switch)


def _field_value(name: str, value: Any) -> Any:
    field = cast(models.Field, SupplyPointVersion._meta.get_field(name))
    try:
        return field.to_python(value)
    except ValidationError as error:
        raise ValueError(f"registry field {name}: {value!r}: {error.messages}") from error


def _apply_registry(point: SupplyPoint, registry: dict[str, Any], *, reference: str) -> None:
    """Record the operator's change as a new version from 00:00 JST of its effective day. A change
    the registry already shows (the same answer, or the pair's other half) is not recorded twice."""
    effective_on = registry.pop("effective_on", None)
    effective = date.fromisoformat(effective_on) if effective_on else timezone.localdate()
    fields: dict[str, Any] = {}
    retailer_code = registry.pop("retailer_code", None)
    if retailer_code is not None:
        retailer = organization_by_code(str(retailer_code)) if retailer_code else None
        if retailer_code and retailer is None:
            logger.warning("Registry change for %s names unknown retailer %s", point.number, retailer_code)
        else:
            fields["retailer"] = retailer
    for name, value in registry.items():
        if name in _CHANGEABLE and name != "retailer":
            fields[name] = _field_value(name, value)
        else:
            logger.warning("Registry change for %s: unknown item %s ignored", point.number, name)
    with transaction.atomic():
        SupplyPoint.objects.select_for_update().filter(pk=point.pk).get()
        current = SupplyPointVersion.objects.filter(supply_point=point, valid_to__isnull=True).first()
        if current is not None:
            unchanged = all(
                (current.retailer_id == (value.pk if value else None))
                if name == "retailer"
                else getattr(current, name) == value
                for name, value in fields.items()
            )
            if unchanged:
                return
        valid_from = start_of_day(effective)
        if current is not None and valid_from <= current.valid_from:
            # Another change took effect on the same day or later: this one follows it.
            valid_from = current.valid_from + timedelta(seconds=1)
        record_version(supply_point=point, valid_from=valid_from, **fields)
        record(
            actor=None,
            action=Action.SWITCHING_REGISTRY_CHANGE,
            obj=point,
            organization=None,
            system=SYSTEM,
            detail={"reference": reference, "fields": sorted(fields), "effective_on": effective.isoformat()},
        )


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_registry(number: str) -> dict[str, Any] | None:
    """The current version's items of a point (seed 004 names as in SupplyPointVersion), plus
    "supply_point_number", "retailer_code", "voltage", "area" and "smart_meter"; None when unknown."""
    version = (
        SupplyPointVersion.objects.select_related("supply_point", "retailer")
        .filter(supply_point__number=normalize_supply_point_number(number or ""), valid_to__isnull=True)
        .first()
    )
    if version is None:
        return None
    items = {name: _json(getattr(version, name)) for name in sorted(VERSION_FIELDS - {"retailer_id"})}
    items.pop("retailer", None)
    point = version.supply_point
    items.update(
        {
            "supply_point_number": point.number,
            "retailer_code": version.retailer.code if version.retailer else "",
            "voltage": point.voltage,
            "area": point.area,
            "smart_meter": bool((version.meter or {}).get("smart_meter")),
            "valid_from": version.valid_from.isoformat(),
        }
    )
    return items
