"""Application types of the review tests, registered on import, and a helper to reach any state.

Their `apply` hooks write an audit event (APPLIED): the database shows whether, and how often,
approval applied, and whether a failed approval rolled the hook's own writes back.
"""

from __future__ import annotations

import time
from typing import Any

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import ValidationFailed
from kouiki.identity.models import User
from kouiki.reviews import services
from kouiki.reviews.models import Application, State
from kouiki.reviews.services import registry

# What the hooks record: a stand-in for a real hook's act (an approved change updates the organization).
APPLIED = Action.ORGANIZATION_UPDATE
PAYLOAD = {"name": "広域電力株式会社", "phone": "03-1234-5678"}


def validate(payload: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: str(value).strip() for key, value in payload.items()}
    if not cleaned.get("name"):
        raise ValidationFailed(errors={"name": ["会社名を入力してください。"]})
    return cleaned


def apply(application: Application, actor: User) -> None:
    record(actor=actor, action=APPLIED, obj=application)


def apply_then_fail(application: Application, actor: User) -> None:
    apply(application, actor)
    raise ValidationFailed("事業者コードが重複しているため承認できません。")


def apply_slowly(application: Application, actor: User) -> None:
    apply(application, actor)
    time.sleep(0.3)


LABELS = {"name": "会社名", "phone": "代表電話番号"}

SAMPLE = registry.register(
    registry.ApplicationType(
        key="test.sample",
        name="テスト申請",
        validate=validate,
        apply=apply,
        labels=LABELS,
        summary=lambda payload: str(payload.get("name", "")),
        prefix="T",
    )
)
FAILING = registry.register(
    registry.ApplicationType(
        key="test.failing", name="適用に失敗する申請", validate=validate, apply=apply_then_fail, prefix="TF"
    )
)
SLOW = registry.register(
    registry.ApplicationType(key="test.slow", name="適用に時間のかかる申請", apply=apply_slowly, prefix="TS")
)
# Only the organization's administrators may file it (MEM-I4 is for "A").
RESTRICTED = registry.register(
    registry.ApplicationType(
        key="test.restricted", name="管理者のみの申請", function_id="MEM-I4", prefix="TR"
    )
)
SILENT = registry.register(
    registry.ApplicationType(
        key="test.silent",
        name="承認メールを送らない申請",
        mail_templates={"approve": None},
        prefix="TQ",
    )
)

REASON = "添付資料が不足しています。"


def bring_to(state: str, *, applicant: User, staff: User, kind: str = "test.sample") -> Application:
    """A new application moved to `state` through the services, as users would."""
    application = services.create_draft(actor=applicant, kind=kind, payload=PAYLOAD)
    if state == State.DRAFT:
        return application
    if state == State.WITHDRAWN:
        return services.withdraw(actor=applicant, application=application)
    if state == State.EXPIRED:
        return services.expire(application=application)
    application = services.submit(actor=applicant, application=application)
    if state == State.SUBMITTED:
        return application
    if state == State.APPROVED:
        return services.approve(actor=staff, application=application)
    if state == State.REJECTED:
        return services.reject(actor=staff, application=application, reason=REASON)
    application = services.hold(actor=staff, application=application, reason=REASON)
    if state == State.ON_HOLD:
        return application
    assert state == State.RESUBMITTED
    return services.resubmit(actor=applicant, application=application)
