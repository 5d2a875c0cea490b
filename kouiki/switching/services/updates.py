"""訂正 and 取消 of an application the hub forwarded to the operator (再点, 廃止, アンペア変更,
需要者情報変更, 使用量情報照会申請), under the same 受付番号, as the real system does them: a new
message to the operator with 更新フラグ 2 (訂正: the whole corrected application) or 3 (取消)
(kouiki.tso.services.gateway.UpdateFlag). ADR 28.

The filer may ask until the operator has taken the application (its first "accepted" answer: the
application leaves 受付); after that the hub refuses at once (`already_taken`). The operator
answers the update: applied — the application is corrected (its content, desired date, kind and
申込種別 as corrected; the registry later changes as corrected) or cancelled — or refused, when it
had taken the original before the update reached it (the race): the application stays as it was
and the filer is told (a 受付メッセージ, the event, the audit). One update at a time: while one
waits for its answer, another is refused (`update_pending`).

What may be corrected, and how a corrected value is checked, is each 業務's own rule
(services/applications.py); this module sends, keeps and settles the update. The update waiting
for its answer is kept in the application's payload under PENDING_KEY (the original's content
changes only when the operator applies it).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import InvalidTransition, KouikiError, ValidationFailed
from kouiki.switching.models import Application, Kind, State
from kouiki.switching.services.filing import (
    OPERATIONS,
    STEP_CANCELLED,
    STEP_OPERATOR_PENDING,
    SYSTEM,
    publish_application,
)
from kouiki.switching.services.lines import application_type
from kouiki.tso import services as tso
from kouiki.tso.services.gateway import UPDATE_FLAG_KEY, WITHDRAWN, UpdateFlag

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.tso.services.gateway import Answer

# The kinds a filer may correct (the items of each) or cancel through the operator.
CORRECTABLE: dict[str, frozenset[str]] = {
    Kind.RECONNECT: frozenset({"desired_date"}),
    Kind.ABOLISH: frozenset({"desired_date", "removal"}),
    Kind.ABOLISH_WITH_REMOVAL: frozenset({"desired_date", "removal"}),
    Kind.AMPERE_CHANGE: frozenset({"desired_date", "current_limit_a"}),
    Kind.CUSTOMER_CHANGE: frozenset(
        {"customer_name", "customer_address", "customer_phone", "contract_number"}
    ),
    Kind.USAGE_PASSWORD: frozenset(),  # 取消 only
}
UPDATABLE_KINDS = frozenset(CORRECTABLE)
ACTS = ("correct", "cancel")  # 訂正, 取消
ACT_FLAGS = {"correct": UpdateFlag.CORRECTION, "cancel": UpdateFlag.CANCELLATION}
ACT_NAMES = {"correct": "訂正", "cancel": "取消"}
AUDITED = {"correct": Action.SWITCHING_APPLICATION_CORRECT, "cancel": Action.SWITCHING_APPLICATION_CANCEL}
FLAG_ACTS = {flag: act for act, flag in ACT_FLAGS.items()}
PENDING_KEY = "operator_update"
PENDING, APPLIED, REFUSED = "pending", "applied", "refused"
# The hub's step (受付工程 text) while an update waits for the operator's answer.
STEP_WAITING = {"correct": "訂正回答待ち", "cancel": "取消回答待ち"}
MESSAGE_HUB = "H"  # 受付メッセージ the hub adds of its own (an operator's code never starts with H)


def pending_update(application: Application) -> dict[str, Any] | None:
    """The update waiting for the operator's answer, if any."""
    update = (application.payload or {}).get(PENDING_KEY)
    return update if isinstance(update, dict) and update.get("state") == PENDING else None


def refusal(application: Application, act: str) -> KouikiError | None:
    """Why the filer may not correct or cancel (``act``) its forwarded application now; None when
    it may."""
    number = application.reception_number
    name = ACT_NAMES[act]
    if application.kind not in UPDATABLE_KINDS:
        return InvalidTransition(
            f"受付番号 {number}（{application.kind_name}）は一般送配電事業者が即時に回答するため、"
            f"{name}できません。",
            code="already_forwarded",
        )
    if application.is_final:
        return InvalidTransition(
            f"受付番号 {number} は「{application.get_state_display()}」のため、{name}できません。",
            code="application_final",
        )
    if application.state != State.RECEIVED:
        return InvalidTransition(
            f"受付番号 {number} は一般送配電事業者が既に受け付けて処理を開始しているため、{name}できません。"
            "内容を変える場合は、完了後に改めて申し込んでください。",
            code="already_taken",
        )
    if pending_update(application) is not None:
        return InvalidTransition(
            f"受付番号 {number} は先の訂正・取消について一般送配電事業者の回答を待っています。"
            "回答の後にやり直してください。",
            code="update_pending",
        )
    if act == "correct" and not CORRECTABLE[application.kind]:
        return ValidationFailed(
            f"{application.kind_name}には訂正できる項目がありません。取消してから申し込み直してください。",
            code="nothing_to_correct",
        )
    return None


def acts(application: Application) -> frozenset[str]:
    """What the filer may do next on a forwarded application ("correct", "cancel")."""
    return frozenset(act for act in ACTS if refusal(application, act) is None)


def refuse_unknown_items(application: Application, changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - CORRECTABLE.get(application.kind, frozenset()))
    if unknown:
        raise ValidationFailed(
            f"{application.kind_name}で訂正できない項目です: {', '.join(unknown)}", code="not_correctable"
        )


def _locked(application: Application, act: str) -> Application:
    locked = Application.objects.select_for_update().select_related("supply_point").get(pk=application.pk)
    error = refusal(locked, act)
    if error is not None:
        raise error
    return locked


def send_update(
    *,
    actor: User,
    application: Application,
    act: str,
    message: dict[str, Any],
    corrected: dict[str, Any] | None = None,
) -> Application:
    """Send the operator a 訂正 (``corrected``: the application's payload, kind and desired date as
    corrected) or a 取消 for the application's 受付番号, and keep it waiting for the answer.
    ``message``: the operator's payload of the corrected application (or of the point, for a 取消)."""
    flag = ACT_FLAGS[act]
    with transaction.atomic():
        application = _locked(application, act)
        kind = (corrected or {}).get("kind", application.kind)
        message_id = tso.submit(
            area=application.area,
            operation=OPERATIONS[kind],
            reference=application.reception_number,
            payload={
                **message,
                "point_class": application.point_class,
                "application_type": application_type(kind, application.point_class),
                UPDATE_FLAG_KEY: flag.value,
            },
        )
        now = timezone.now()
        application.payload = {
            **application.payload,
            PENDING_KEY: {
                "flag": flag.value,
                "state": PENDING,
                "message_id": message_id,
                "requested_at": now.isoformat(),
                **({"corrected": corrected} if corrected is not None else {}),
            },
        }
        application.update_flag = flag.value
        application.operator_step = STEP_WAITING[act]
        application.updated_at = now
        application.save(update_fields=["payload", "update_flag", "operator_step", "updated_at"])
        record(
            actor=actor,
            action=Action.SWITCHING_APPLICATION_CORRECT
            if act == "correct"
            else Action.SWITCHING_APPLICATION_CANCEL,
            obj=application,
            system=SYSTEM,
            detail={
                "update_flag": flag.value,
                "message_id": message_id,
                **({"fields": sorted(corrected.get("changes", {}))} if corrected is not None else {}),
            },
        )
        publish_application(application)
    return application


def is_update_answer(answer: Answer) -> bool:
    return answer.update_flag in (UpdateFlag.CORRECTION, UpdateFlag.CANCELLATION)


def is_withdrawal(answer: Answer) -> bool:
    """The operator's final answer to an original that a 取消 withdrew."""
    return answer.outcome == "rejected" and answer.error_code == WITHDRAWN


def add_messages(application: Application, messages: list[dict[str, str]]) -> None:
    """Append an answer's 受付メッセージ to the application's (each once)."""
    kept = list(application.operator_messages or [])
    for message in messages:
        item = {"code": message.get("code", ""), "text": message.get("text", "")}
        if item not in kept:
            kept.append(item)
    application.operator_messages = kept


def withdraw(application: Application, answer: Answer) -> list[str]:
    """The operator's final answer to an original a 取消 withdrew (it may come before the answer to
    the 取消 itself): the application is cancelled and its 取消 settled; the fields changed."""
    now = timezone.now()
    add_messages(application, answer.messages)
    update = pending_update(application)
    if update is not None:
        application.payload = {
            **application.payload,
            PENDING_KEY: {**update, "state": APPLIED, "answered_at": now.isoformat()},
        }
    application.state = State.CANCELLED
    application.operator_step = STEP_CANCELLED
    application.finished_at = now
    application.updated_at = now
    return ["payload", "operator_messages", "state", "operator_step", "finished_at", "updated_at"]


def settle(application: Application, answer: Answer) -> list[str]:
    """Apply the operator's answer to a 訂正 or 取消 of ``application`` (locked by the caller): the
    fields changed (to save), or [] when the answer is not the one the application waits for."""
    update = pending_update(application)
    if update is None or update.get("message_id") != answer.message_id or application.is_final:
        return []
    act = FLAG_ACTS[UpdateFlag(answer.update_flag)]
    now = timezone.now()
    changed = ["payload", "operator_messages", "operator_step", "updated_at"]
    add_messages(application, answer.messages)
    if answer.outcome == "completed":
        settled = {**update, "state": APPLIED, "answered_at": now.isoformat()}
        if act == "cancel":
            application.payload = {**application.payload, PENDING_KEY: settled}
            application.state = State.CANCELLED
            application.operator_step = STEP_CANCELLED
            application.finished_at = now
            changed += ["state", "finished_at"]
        else:
            corrected = dict(update.get("corrected") or {})
            desired = corrected.get("desired_date")
            application.payload = {**corrected.get("payload", application.payload), PENDING_KEY: settled}
            application.kind = corrected.get("kind", application.kind)
            application.application_type = application_type(application.kind, application.point_class)
            application.desired_date = date.fromisoformat(desired) if desired else None
            application.revision += 1
            if application.state == State.RECEIVED:
                application.operator_step = STEP_OPERATOR_PENDING
            changed += ["kind", "application_type", "desired_date", "revision"]
    else:
        detail = answer.error_detail or f"一般送配電事業者が{ACT_NAMES[act]}を受け付けませんでした。"
        application.payload = {
            **application.payload,
            PENDING_KEY: {
                **update,
                "state": REFUSED,
                "answered_at": now.isoformat(),
                "error_code": answer.error_code,
                "error_detail": detail,
            },
        }
        if not answer.messages:
            add_messages(application, [{"code": f"{MESSAGE_HUB}{answer.update_flag}09", "text": detail}])
        if application.state == State.RECEIVED:
            application.operator_step = STEP_OPERATOR_PENDING
    application.updated_at = now
    record(
        actor=None,
        action=Action.SWITCHING_APPLICATION_CORRECT
        if act == "correct"
        else Action.SWITCHING_APPLICATION_CANCEL,
        obj=application,
        organization=None,
        system=SYSTEM,
        detail={
            "update_flag": answer.update_flag,
            "message_id": answer.message_id,
            "outcome": APPLIED if answer.outcome == "completed" else REFUSED,
            "error_code": answer.error_code,
        },
    )
    return changed
