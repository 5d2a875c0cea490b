"""Applications and switches as the API shows them (one shape wherever an item appears)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from ninja.responses import Status

from kouiki.switching.api.common import status_url
from kouiki.switching.services.filing import ng_reason_names
from kouiki.switching.services.lines import legacy_kind
from kouiki.tso.services.gateway import STEP_CODE_NAMES

if TYPE_CHECKING:
    from kouiki.switching.models import Application, Switch
    from kouiki.switching.selectors import CancelForwardView


# The columns `application_status` reads: what the status read (SW-L14) loads, nothing more.
STATUS_COLUMNS = (
    "reception_number",
    "kind",
    "application_type",
    "point_class",
    "state",
    "operator_step",
    "step_code",
    "operator_messages",
    "operator_notes",
    "planned_change_date",
    "change_date",
    "update_flag",
    "desired_date",
    "switching_date",
    "error_code",
    "error_detail",
    "revision",
    "created_at",
    "updated_at",
    "forwarded_at",
    "finished_at",
    "supply_point__number",
    "switch__number",
)


def application_status(application: Application) -> dict[str, Any]:
    """The fields of `schemas.ApplicationStatus` (its supply point and switch should be loaded)."""
    switch = application.switch
    return {
        "reception_number": application.reception_number,
        "kind": legacy_kind(application.kind, application.application_type),
        "kind_name": application.kind_name,
        "business": application.kind,
        "application_type": application.application_type or None,
        "point_class": application.point_class,
        "state": application.state,
        "state_name": application.get_state_display(),
        "operator_step": application.operator_step,
        "step_code": application.step_code or None,
        "step_name": STEP_CODE_NAMES.get(application.step_code, ""),
        "operator_messages": application.operator_messages or [],
        "operator_notes": application.operator_notes,
        "planned_change_date": application.planned_change_date,
        "change_date": application.change_date,
        "update_flag": application.update_flag or "1",
        "supply_point_number": application.supply_point.number,
        "switch_number": switch.number if switch is not None else None,
        "desired_date": application.desired_date,
        "switching_date": application.switching_date,
        "error_code": application.error_code,
        "error_detail": application.error_detail,
        "revision": application.revision,
        "created_at": application.created_at,
        "updated_at": application.updated_at,
        "forwarded_at": application.forwarded_at,
        "finished_at": application.finished_at,
        "status_url": status_url(application.reception_number, application.point_class),
    }


def answered(response: HttpResponse, application: Application, status: int) -> Status:
    """201 (done by the hub) or 202 (with the operator): the application, its status URL in Location."""
    body = application_status(application)
    response["Location"] = body["status_url"]
    return Status(status, body)


def switch_summary(switch: Switch) -> dict[str, Any]:
    """The fields of `schemas.SwitchSummary` (its point and both retailers should be loaded)."""
    return {
        "switch_number": switch.number,
        "supply_point_number": switch.supply_point.number,
        "point_class": switch.point_class,
        "state": switch.state,
        "state_name": switch.get_state_display(),
        "new_retailer_code": switch.new_retailer.code,
        "current_retailer_code": switch.current_retailer.code,
        "decision": switch.decision,
        "ng_reasons": ng_reason_names(switch),
        "ng_reason": switch.ng_reason,
        "ng_reason_name": switch.get_ng_reason_display() if switch.ng_reason else "",
        "ng_text": switch.ng_text,
        "desired_date": switch.desired_date,
        "switching_date": switch.switching_date,
        "deadline": switch.deadline,
        "decided_at": switch.decided_at,
        "matched_at": switch.matched_at,
        "closed_at": switch.closed_at,
        "close_code": switch.close_code,
        "close_detail": switch.close_detail,
        "created_at": switch.created_at,
        "updated_at": switch.updated_at,
    }


def switch_detail(view: CancelForwardView) -> dict[str, Any]:
    """The fields of `schemas.SwitchDetail`: the customer's items as the view gives them (None where
    the reader may not see them), the comparison with the registry for the current retailer only,
    the contacts of both retailers (business data) always."""
    return {
        **switch_summary(view.switch),
        "customer_name": view.customer_name,
        "customer_name_kana": view.customer_name_kana,
        "customer_address": view.customer_address,
        "building_name": view.building_name,
        "contract_number": view.contract_number,
        "identification_check": None
        if view.comparison is None
        else [
            {
                "item": item.name,
                "name": item.label,
                "sent": item.sent,
                "registered": item.registered,
                "matches": item.matches,
            }
            for item in view.comparison
        ],
        **view.contacts,
        "applications": [application_status(application) for application in view.applications],
    }
