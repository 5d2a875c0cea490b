"""訂正 and 取消 of a switch's applications until matching: a 20 (identification and desired date,
before the decision; its 取消 ends the switch), a 05 (the new contract number), a 03 (取消 only)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.calendar import JST
from kouiki.core.errors import InvalidTransition, KouikiError, ValidationFailed, refuse_together
from kouiki.switching.models import Application, Kind, State, SupplyPointVersion, Switch, SwitchState
from kouiki.switching.services.filing import (
    STEP_CANCELLED,
    SYSTEM,
    finish,
    publish_application,
    publish_switch,
)
from kouiki.switching.services.switches import (
    CANCEL_FORWARD_ITEMS,
    NEW_CONTRACT_NUMBER,
    check_desired_date,
    check_items,
    clean_item,
    plan,
    refuse,
    save_switch,
)

if TYPE_CHECKING:
    from kouiki.identity.models import User


APPLICATION_ACTS = ("correct", "cancel")  # 訂正, 取消


def _change_refusal(switch: Switch, application: Application, act: str) -> KouikiError | None:
    """Why the filer may not correct or cancel (`act`) its application of the switch now; None when
    it may. Until matching only; a 20 is corrected only before the current retailer's decision, and a
    03 has nothing to correct."""
    if switch.state in (SwitchState.MATCHED, SwitchState.COMPLETED):
        return InvalidTransition(
            f"受付番号 {application.reception_number} は開始申請と廃止申請の突合が済んでいるため、"
            "訂正・取消できません。",
            code="locked_after_matching",
        )
    if not switch.is_open or (application.is_final and application.kind != Kind.CANCEL_FORWARD):
        return InvalidTransition(
            f"受付番号 {application.reception_number} は「{application.get_state_display()}」のため、"
            "訂正・取消できません。",
            code="application_final",
        )
    if act == "correct" and application.kind == Kind.CANCEL_FORWARD and switch.state != SwitchState.REQUESTED:
        return InvalidTransition(
            f"受付番号 {application.reception_number} は現小売が判断済みのため訂正できません。"
            "取消してから登録し直してください。",
            code="already_decided",
        )
    if act == "correct" and application.kind == Kind.SWITCH_ABOLISH:
        return ValidationFailed(
            "スイッチング廃止申請には訂正できる項目がありません。取消してから申請し直してください。",
            code="nothing_to_correct",
        )
    return None


def application_acts(application: Application) -> frozenset[str]:
    """What the filer may do next on its application of a switch ("correct", "cancel"): the same
    rules `correct` and `cancel` enforce (`_change_refusal`)."""
    switch = application.switch
    if switch is None:
        return frozenset()
    return frozenset(act for act in APPLICATION_ACTS if _change_refusal(switch, application, act) is None)


def _locked_with_switch(application: Application) -> tuple[Switch, Application]:
    """The application and its switch, locked for this transaction (the switch first, as every act
    on a switch locks it), as now committed."""
    switch = (
        Switch.objects.select_for_update()
        .select_related("supply_point")
        .get(pk=cast(int, application.switch_id))
    )
    return switch, Application.objects.select_for_update().get(pk=application.pk)


def correct(*, actor: User, application: Application, changes: dict[str, Any]) -> Application:
    """訂正 of a 20 (identification and desired date, before the decision) or a 05 (the new
    contract number, before matching). Called through applications.correct_application. A
    correction that changes nothing is refused (`nothing_to_change`): it would only count a
    revision and tell both retailers of a change that is not one."""
    with transaction.atomic():
        switch, application = _locked_with_switch(application)
        refuse(_change_refusal(switch, application, "correct"))
        if application.kind == Kind.CANCEL_FORWARD:
            _correct_request(actor, switch, application, changes)
        else:  # a 05: a 03 has nothing to correct (refused above)
            number = _corrected_number(application, changes)
            application.payload = {**application.payload, "contract_number": number}
        application.revision += 1
        application.updated_at = timezone.now()
        application.save(
            update_fields=["payload", "revision", "desired_date", "switching_date", "updated_at"]
        )
        publish_application(application)
        if application.kind == Kind.CANCEL_FORWARD:
            publish_switch(switch)
        record(
            actor=actor,
            action=Action.SWITCHING_APPLICATION_CORRECT,
            obj=application,
            system=SYSTEM,
            detail={"fields": sorted(changes)},
        )
    return application


def check_correction(*, application: Application, changes: dict[str, Any]) -> None:
    """訂正 without writing: the refusals of `correct` as of now, without a lock (its 確認 step)."""
    switch = cast(Switch, application.switch)
    refuse(_change_refusal(switch, application, "correct"))
    if application.kind == Kind.CANCEL_FORWARD:
        _corrected_request(switch, changes)
    else:
        _corrected_number(application, changes)


def check_cancellation(*, application: Application) -> None:
    """取消 without writing: the refusals of `cancel` as of now, without a lock (its 確認 step)."""
    refuse(_change_refusal(cast(Switch, application.switch), application, "cancel"))


def _corrected_number(application: Application, changes: dict[str, Any]) -> str:
    """A 05's new contract number, as the correction gives it."""
    number = str(changes.get("contract_number") or "").strip()
    if not number or len(number) > NEW_CONTRACT_NUMBER.limit:
        raise ValidationFailed(
            f"新しい契約番号を{NEW_CONTRACT_NUMBER.limit}文字以内で入力してください。",
            code="contract_number_required",
            field="contract_number",
        )
    if number == application.payload.get("contract_number"):
        raise _nothing_to_change()
    return number


def _nothing_to_change() -> ValidationFailed:
    return ValidationFailed(
        "訂正する項目がありません。登録内容と異なる値を入力してください。", code="nothing_to_change"
    )


# Every kind's 訂正 that changes nothing is refused alike (services/applications.py too).
nothing_to_change = _nothing_to_change


def _corrected_request(
    switch: Switch, changes: dict[str, Any]
) -> tuple[dict[str, str], date | None, SupplyPointVersion]:
    """A 20's items and desired date as the correction gives them (an item not given stays as
    registered; an optional item given blank is cleared), checked as a registration checks them;
    with the point's current data."""
    allowed = {*CANCEL_FORWARD_ITEMS, "desired_date"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(f"訂正できない項目です: {', '.join(unknown)}", code="not_correctable")
    registered = {name: getattr(switch, name) for name in CANCEL_FORWARD_ITEMS}
    values = {
        name: clean_item(name, changes[name]) if name in changes else registered[name]
        for name in CANCEL_FORWARD_ITEMS
    }
    desired = changes.get("desired_date", switch.desired_date)
    if isinstance(desired, str):
        desired = date.fromisoformat(desired) if desired else None
    if values == registered and desired == switch.desired_date:
        raise _nothing_to_change()
    version = SupplyPointVersion.objects.get(supply_point=switch.supply_point, valid_to__isnull=True)
    refuse_together(
        lambda: check_items({name: value for name, value in values.items() if name in changes}),
        lambda: check_desired_date(desired, switch.supply_point, switch.meter_work),
    )
    return values, desired, version


def _correct_request(actor: User, switch: Switch, application: Application, changes: dict[str, Any]) -> None:
    """The items given replace the registered ones; the deadline stays counted from the
    registration (a desired date's own deadline moves with it); only before the decision (refused
    by `_change_refusal`)."""
    values, desired, version = _corrected_request(switch, changes)
    for name, value in values.items():
        setattr(switch, name, value)
    plan(switch, version, desired, registered_on=timezone.localtime(switch.created_at, JST).date())
    save_switch(switch, *CANCEL_FORWARD_ITEMS, "desired_date", "switching_date", "deadline")
    application.payload = {
        **application.payload,
        **values,
        "desired_date": desired.isoformat() if desired else None,
    }
    application.desired_date = desired
    application.switching_date = switch.switching_date


def cancel(*, actor: User, application: Application) -> Application:
    """取消 of a 20 (the whole switch ends, with any 05 / 03 filed), or of a 05 / 03 (withdrawn;
    the switch waits for a new one). Until matching only."""
    with transaction.atomic():
        switch, application = _locked_with_switch(application)
        refuse(_change_refusal(switch, application, "cancel"))
        changed: list[Application] = []
        if application.kind == Kind.CANCEL_FORWARD:
            others = list(
                switch.applications.select_for_update()
                .filter(state=State.RECEIVED)
                .exclude(pk=application.pk)
            )
            switch.state = SwitchState.CANCELLED
            switch.closed_at = timezone.now()
            switch.close_code = "cancelled_by_new_retailer"
            switch.close_detail = "新小売が廃止取次を取り消しました。"
            save_switch(switch, "state", "closed_at", "close_code", "close_detail")
            for other in others:
                finish(
                    other,
                    state=State.CANCELLED,
                    step=STEP_CANCELLED,
                    error_detail=switch.close_detail,
                    publish=False,
                )
                changed.append(other)
        # An approved 20 stays 完了 as the record of the decision; its switch carries the cancel.
        if application.state != State.COMPLETED:
            finish(application, state=State.CANCELLED, step=STEP_CANCELLED, publish=False)
            changed.append(application)
        record(actor=actor, action=Action.SWITCHING_APPLICATION_CANCEL, obj=application, system=SYSTEM)
        for each in changed:
            publish_application(each)
        if application.kind == Kind.CANCEL_FORWARD:
            publish_switch(switch)
    return application
