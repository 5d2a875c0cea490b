"""CSV of an organization's applications (issue 7): what the status screens show, with the error
reasons and the 廃止取次番号, written so that Excel opens it (kouiki.core.csvio)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from kouiki.core.csvio import Encoding, write_csv
from kouiki.core.field_facts import field_label
from kouiki.switching.models import Application, Kind, SupplyPoint, Switch
from kouiki.switching.services.filing import ng_reason_names

# The columns, named by the fields they show.
HEADER = [
    field_label(Application, "reception_number"),
    field_label(Application, "application_type"),
    "申請種別",
    field_label(SupplyPoint, "number"),
    field_label(Application, "area"),
    field_label(Application, "state"),
    field_label(Application, "operator_step"),
    field_label(Application, "desired_date"),
    field_label(Application, "switching_date"),
    field_label(Switch, "number"),
    field_label(Application, "created_at"),
    field_label(Application, "updated_at"),
    field_label(Application, "error_code"),
    field_label(Application, "error_detail"),
    field_label(Switch, "ng_reason"),
    field_label(Application, "step_code"),
    field_label(Application, "operator_messages"),
]


def _day(value: date | None) -> str:
    return f"{value:%Y/%m/%d}" if value else ""


def _moment(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y/%m/%d %H:%M:%S}" if value else ""


def _ng_reasons(application: Application) -> str:
    """The current retailer's NG reasons, by code and name, on the 廃止取次 they answer."""
    switch = application.switch if application.switch_id else None
    if switch is None or application.kind != Kind.CANCEL_FORWARD:
        return ""
    return "／".join(f"{reason['code']} {reason['name']}" for reason in ng_reason_names(switch))


def _messages(application: Application) -> str:
    """The operator's 受付メッセージ, by code and text, in the order they came."""
    return "／".join(
        f"{item.get('code', '')} {item.get('text', '')}".strip()
        for item in application.operator_messages or []
    )


def rows(applications: Iterable[Application]) -> Iterable[list[object]]:
    for application in applications:
        yield [
            application.reception_number,
            application.application_type,
            application.kind_name,
            application.supply_point.number,
            application.get_area_display(),
            application.get_state_display(),
            application.operator_step,
            _day(application.desired_date),
            _day(application.switching_date),
            application.switch.number if application.switch_id and application.switch else "",
            _moment(application.created_at),
            _moment(application.updated_at),
            application.error_code,
            application.error_detail,
            _ng_reasons(application),
            application.step_code,
            _messages(application),
        ]


def applications_csv(applications: Iterable[Application], *, encoding: Encoding = "utf-8-sig") -> bytes:
    """The applications as CSV bytes (UTF-8 with BOM by default, or "cp932")."""
    return write_csv(rows(applications), HEADER, encoding=encoding)
