"""The application kinds of the capacity market system, registered with the review workflow.

The back office's review queue shows any registered kind; what it shows of these (labels, choices
by their Japanese names, the registered values against the requested ones) comes from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kouiki.capacity.selectors import (
    OPERATOR_CHANGE,
    OPERATOR_DELETION,
    REGISTRATION,
    SOURCE_CHANGE,
    SOURCE_DELETION,
    SOURCE_REGISTRATION,
)
from kouiki.capacity.services import operators, payloads, sources
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.reviews.models import Application


@dataclass(frozen=True)
class CapacityApplicationType(registry.ApplicationType):
    """Shows choices by their Japanese names and members one by one; compares labelled keys only."""

    def rows(self, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
        return payloads.rows(payload, self.labels)

    def differences(self, application: Application) -> list[registry.DiffRow]:
        if self.diff is not None:
            return self.diff(application)
        return payloads.differences(application.current, application.payload or {}, self.labels)


def _participant_recipients(application: Application) -> list[str]:
    """The applicant and the participant's administrator as it is now (after any hand-over, not the
    one whose ID was issued on approval)."""
    addresses = [application.applicant_email]
    if application.organization_id is not None:
        addresses += [
            user.email
            for user in identity_capacity.administrators(organization_id=application.organization_id)
        ]
    return list(dict.fromkeys(address for address in addresses if address))


def _operator_deletion_diff(application: Application) -> list[registry.DiffRow]:
    return [("本システム利用契約", "利用中", "終了（この事業者のユーザはログインできなくなります）")]


def _source_deletion_diff(application: Application) -> list[registry.DiffRow]:
    source = f"{application.payload.get('source_id', '')} {application.payload.get('name', '')}"
    return [(f"電源等 {source}", "登録済", "削除（以後、容量オークションに用いません）")]


def _deletion_summary(payload: Mapping[str, Any]) -> str:
    return f"削除 {payload.get('source_id', '')} {payload.get('name', '')}".strip()


OPERATOR_COMPARED = {
    key: label for key, label in payloads.OPERATOR_LABELS.items() if not key.startswith("admin_")
}

REGISTRATION_TYPE = registry.register(
    CapacityApplicationType(
        key=REGISTRATION,
        name="事業者情報登録申請",
        validate=payloads.validate_registration,
        apply=operators.apply_registration,
        labels=payloads.OPERATOR_LABELS,
        summary=lambda payload: str(payload.get("name") or ""),
        function_id="CAP-R1",
        prefix="CR",
        mail_templates={
            "submit": "capacity/mail/registration_submit",
            "hold": "capacity/mail/registration_hold",
            "reject": "capacity/mail/registration_reject",
            "approve": "capacity/mail/registration_approve",
        },
        recipients=operators.registration_recipients,
    )
)

OPERATOR_CHANGE_TYPE = registry.register(
    CapacityApplicationType(
        key=OPERATOR_CHANGE,
        name="事業者情報変更申請",
        validate=payloads.validate_operator_change,
        apply=operators.apply_change,
        labels=OPERATOR_COMPARED,
        summary=lambda payload: str(payload.get("name") or ""),
        function_id="CAP-R1",
        prefix="CC",
        recipients=_participant_recipients,
    )
)

OPERATOR_DELETION_TYPE = registry.register(
    CapacityApplicationType(
        key=OPERATOR_DELETION,
        name="事業者情報削除申請",
        validate=payloads.validate_operator_deletion,
        apply=operators.apply_deletion,
        labels={"name": "会社名", "reason": "削除の理由"},
        diff=_operator_deletion_diff,
        summary=lambda payload: f"削除 {payload.get('name', '')}",
        function_id="CAP-R1",
        prefix="CD",
        recipients=_participant_recipients,
    )
)

SOURCE_REGISTRATION_TYPE = registry.register(
    CapacityApplicationType(
        key=SOURCE_REGISTRATION,
        name="電源等情報登録申請",
        validate=payloads.validate_source,
        apply=sources.apply_registration,
        labels=payloads.SOURCE_LABELS,
        summary=lambda payload: str(payload.get("name") or ""),
        function_id="CAP-P1",
        prefix="PR",
        # One receipt per filing (a CSV files hundreds at once): sources._receipt.
        mail_templates={"submit": None},
        recipients=_participant_recipients,
    )
)

SOURCE_CHANGE_TYPE = registry.register(
    CapacityApplicationType(
        key=SOURCE_CHANGE,
        name="電源等情報変更申請",
        validate=payloads.validate_source,
        apply=sources.apply_change,
        labels=payloads.SOURCE_LABELS,
        summary=lambda payload: f"{payload.get('source_id', '')} {payload.get('name', '')}".strip(),
        function_id="CAP-P1",
        prefix="PC",
        recipients=_participant_recipients,
    )
)

SOURCE_DELETION_TYPE = registry.register(
    CapacityApplicationType(
        key=SOURCE_DELETION,
        name="電源等情報削除申請",
        validate=payloads.validate_source_deletion,
        apply=sources.apply_deletion,
        labels=payloads.DELETION_LABELS,
        diff=_source_deletion_diff,
        summary=_deletion_summary,
        function_id="CAP-P1",
        prefix="PD",
        recipients=_participant_recipients,
    )
)

TYPES = {
    application_type.key: application_type
    for application_type in (
        REGISTRATION_TYPE,
        OPERATOR_CHANGE_TYPE,
        OPERATOR_DELETION_TYPE,
        SOURCE_REGISTRATION_TYPE,
        SOURCE_CHANGE_TYPE,
        SOURCE_DELETION_TYPE,
    )
}
