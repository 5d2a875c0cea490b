"""Switching (スイッチング) of low-voltage supply points: the new retailer's 廃止取次登録 (SW-L06),
the current retailer's decision (SW-L10), the new retailer's スイッチング開始申請 (SW-L08, kind 05)
and the current retailer's スイッチング廃止申請 (SW-L11, kind 03); matching of 05 with 03 by the
hub, the deadline of an unmatched pair, and 訂正 / 取消 until matching.

Issue 7 and ADR 11:
- at most one switch in progress per supply point: refused with the number of the one in
  progress (409) — held by the partial unique constraint `switching_one_open_switch_per_point`,
  so two concurrent registrations cannot both pass;
- a cancel-forward whose customer identification does not match the registry is refused, naming
  the field that does not match;
- the current retailer's NG carries one of the fixed reasons (NgReason) and free text;
- once both 05 and 03 are in, the switch is matched and locked (訂正 / 取消 refused) and both are
  forwarded to the operator, which completes them on the switching date;
- a pair not complete by its deadline is rejected by the periodic job `expire_unmatched_switches`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.calendar import JST, today_jst
from kouiki.core.errors import Conflict, InvalidTransition, KouikiError, NotFound, ValidationFailed
from kouiki.core.field_facts import FieldFacts, field_facts
from kouiki.core.japanese import clean_text, is_visible
from kouiki.identity.access import function, organization_of
from kouiki.switching.models import (
    LIVE_STATES,
    OPEN_SWITCH_STATES,
    UNMATCHED_SWITCH_STATES,
    Application,
    ContractState,
    Kind,
    NgReason,
    State,
    SupplyPoint,
    SupplyPointVersion,
    Switch,
    SwitchDecision,
    SwitchState,
    Voltage,
)
from kouiki.switching.services import dates
from kouiki.switching.services.dates import require_future_date
from kouiki.switching.services.filing import (
    STEP_CANCELLED,
    STEP_DECIDED_NG,
    STEP_DECIDED_OK,
    STEP_DEFECTIVE,
    STEP_WAITING_DECISION,
    STEP_WAITING_PAIR,
    SYSTEM,
    file_application,
    finish,
    forward,
    publish_application,
    publish_switch,
)
from kouiki.switching.services.numbering import next_switch_number
from kouiki.switching.services.points import point_for_number, require_voltage

if TYPE_CHECKING:
    from kouiki.identity.models import User

logger = logging.getLogger(__name__)

SWITCH_KINDS = frozenset({Kind.CANCEL_FORWARD, Kind.SWITCH_START, Kind.SWITCH_ABOLISH})
# The customer identification of a cancel-forward: the switch's item → the registry field it must match.
IDENTIFICATION = {
    "customer_name": "customer_name",
    "customer_address": "customer_address",
    "contract_number": "retail_contract_number",
}
# Their labels and the longest values kept, from the switch's fields (forms and API take them too).
IDENTIFICATION_FACTS: dict[str, FieldFacts] = {name: field_facts(Switch, name) for name in IDENTIFICATION}
# The new retailer's retail contract number in a 05's payload: the registry's 小売供給契約番号 once the
# switch is complete, so no longer than that field.
NEW_CONTRACT_NUMBER = FieldFacts(
    label="新しい小売供給契約番号",
    max_length=field_facts(SupplyPointVersion, "retail_contract_number").max_length,
)
NG_TEXT = field_facts(Switch, "ng_text")
CLOSE_DETAIL = field_facts(Switch, "close_detail")
DEADLINE_PASSED = "pair_deadline_passed"
_HYPHENS = str.maketrans({c: "-" for c in "‐‑‒–—―−－ｰー"})


class SwitchInProgress(Conflict):
    """409: the point already has a switch in progress; `switch_number` names it."""

    code = "switch_in_progress"

    def __init__(self, switch_number: str) -> None:
        self.switch_number = switch_number
        super().__init__(
            f"この供給地点は既にスイッチング手続中です(廃止取次番号 {switch_number})。"
            "手続が終わるまで新たな廃止取次は登録できません。",
            field="supply_point_number",
        )


def _comparable(value: str) -> str:
    """Identification compared as people write it: width, spaces, invisible characters and hyphen
    forms do not count."""
    return "".join(clean_text(value).translate(_HYPHENS).split())


def _identification(given: dict[str, Any]) -> dict[str, str]:
    """The identification as kept: each item cleaned (core.japanese.clean_text)."""
    return {name: clean_text(str(given.get(name) or "")) for name in IDENTIFICATION}


def _check_identification(version: SupplyPointVersion, values: dict[str, str]) -> None:
    """The cleaned identification must be there (something visible), fit, and match the registry."""
    errors: dict[str, list[str]] = {}
    for name, registry_field in IDENTIFICATION.items():
        label, limit = IDENTIFICATION_FACTS[name].label, IDENTIFICATION_FACTS[name].limit
        value = values[name]
        if not is_visible(value):
            errors[name] = [f"{label}を入力してください(空白や表示されない文字だけでは登録できません)。"]
        elif len(value) > limit:
            errors[name] = [f"{label}は{limit}文字以内で入力してください。"]
        elif _comparable(value) != _comparable(getattr(version, registry_field)):
            errors[name] = [f"{label}が供給地点の登録内容と一致しません。"]
    if errors:
        mismatched = [IDENTIFICATION_FACTS[name].label for name in errors]
        raise ValidationFailed(
            f"需要者の本人確認ができません({'・'.join(mismatched)})。",
            code="customer_mismatch",
            errors=errors,
        )


def _switchable(actor: User, point: SupplyPoint, version: SupplyPointVersion) -> None:
    require_voltage(point, Voltage.LOW, "低圧")
    if version.contract_state != ContractState.IN_SERVICE:
        raise ValidationFailed(
            f"スイッチングは送電中の供給地点のみ申し込めます(この供給地点は{version.get_contract_state_display()})。",
            code="point_not_in_service",
            field="supply_point_number",
        )
    if version.retailer_id is None:
        raise ValidationFailed(
            "小売電気事業者との契約がない供給地点です。再点を申し込んでください。",
            code="no_current_retailer",
            field="supply_point_number",
        )
    if version.retailer_id == actor.organization_id:
        raise ValidationFailed(
            "貴社が現在の小売電気事業者である供給地点です。",
            code="already_current_retailer",
            field="supply_point_number",
        )


def _check_desired_date(desired_date: date | None, point: SupplyPoint, meter_work: bool) -> None:
    """Not before the operator's lead time from today, not beyond the horizon (one year ahead)."""
    require_future_date(desired_date)
    if desired_date is None:
        return
    earliest = dates.earliest_date(
        filed_on=today_jst(), area=point.area, voltage=point.voltage, meter_work=meter_work
    )
    if desired_date < earliest:
        raise ValidationFailed(
            f"希望日は一般送配電事業者の標準処理期間により {earliest:%Y/%m/%d} 以降を指定してください。",
            code="desired_date_too_early",
            field="desired_date",
        )


def _switching_date(switch: Switch, version: SupplyPointVersion) -> date:
    """The switch's switching date as of today: its desired date, or the operator's earliest on the
    point's reading day (dates.switching_date)."""
    point = switch.supply_point
    return dates.switching_date(
        filed_on=today_jst(),
        area=point.area,
        voltage=point.voltage,
        meter_work=switch.meter_work,
        reading_day=version.reading_day,
        desired_date=switch.desired_date,
    )


def _plan(
    switch: Switch, version: SupplyPointVersion, desired_date: date | None, *, registered_on: date
) -> None:
    """Set the switch's desired date, its switching date estimated as of today, and its deadline
    counted from ``registered_on`` — the day of the registration, also when a 訂正 recomputes it
    (a correction does not buy the pair more time)."""
    point = switch.supply_point
    switch.desired_date = desired_date
    switch.switching_date = _switching_date(switch, version)
    switch.deadline = dates.pair_deadline(
        registered_on=registered_on,
        area=point.area,
        voltage=point.voltage,
        meter_work=switch.meter_work,
        desired_date=desired_date,
    )


def _open_switch_number(point: SupplyPoint) -> str:
    return (
        Switch.objects.filter(supply_point=point, state__in=OPEN_SWITCH_STATES)
        .values_list("number", flat=True)
        .first()
        or ""
    )


# --- SW-L06 廃止取次登録 (new retailer) -----------------------------------------------------------------


@function("SW-L06")
def register_cancel_forward(
    *,
    actor: User,
    supply_point_number: str,
    customer_name: str,
    customer_address: str,
    contract_number: str,
    desired_date: date | None = None,
) -> Application:
    """SW-L06 スイッチング廃止取次登録 (kind 20): the new retailer asks, on the customer's behalf,
    the current retailer to end its contract. Returns the application (its `reception_number`;
    `switch.number` is the 廃止取次番号).

    Refused: a malformed number (422), an unknown point (404), a point not in service or without a
    retailer or already the actor's (422), identification that does not match the registry (422,
    naming each field), a desired date before the operator's lead time or more than a year ahead
    (422), a point already switching (409 `SwitchInProgress`, naming the 廃止取次番号)."""
    point, version = point_for_number(supply_point_number)
    _switchable(actor, point, version)
    identification = _identification(
        {
            "customer_name": customer_name,
            "customer_address": customer_address,
            "contract_number": contract_number,
        }
    )
    _check_identification(version, identification)
    meter_work = not bool((version.meter or {}).get("smart_meter"))
    _check_desired_date(desired_date, point, meter_work)
    in_progress = _open_switch_number(point)
    if in_progress:
        raise SwitchInProgress(in_progress)
    now = timezone.now()
    switch = Switch(
        supply_point=point,
        voltage=point.voltage,
        area=point.area,
        new_retailer_id=organization_of(actor),
        current_retailer_id=cast(int, version.retailer_id),  # _switchable: the point has a retailer
        customer_name=identification["customer_name"],
        customer_address=identification["customer_address"],
        contract_number=identification["contract_number"],
        meter_work=meter_work,
        created_at=now,
        updated_at=now,
    )
    _plan(switch, version, desired_date, registered_on=today_jst())
    with transaction.atomic():
        try:
            with transaction.atomic():
                switch.number = next_switch_number()
                switch.save(force_insert=True)
        except IntegrityError:
            # A concurrent registration for the same point won: the constraint decided.
            in_progress = _open_switch_number(point)
            if not in_progress:
                raise
            raise SwitchInProgress(in_progress) from None
        application = file_application(
            actor=actor,
            kind=Kind.CANCEL_FORWARD,
            point=point,
            switch=switch,
            operator_step=STEP_WAITING_DECISION,
            desired_date=desired_date,
            switching_date=switch.switching_date,
            payload={
                "switch_number": switch.number,
                "customer_name": switch.customer_name,
                "customer_address": switch.customer_address,
                "contract_number": switch.contract_number,
                "desired_date": desired_date.isoformat() if desired_date else None,
            },
        )
        record(actor=actor, action=Action.SWITCHING_SWITCH_REGISTER, obj=switch, system=SYSTEM)
        publish_application(application)
        publish_switch(switch)
    return application


# --- SW-L10 廃止取次判断 (current retailer) --------------------------------------------------------------


def _locked_switch(*, actor: User, switch_number: str, side: str) -> Switch:
    """The switch, locked for this transaction, if the actor's organization is its ``side``
    ("new" or "current") retailer; anyone else gets NotFound."""
    organization_id = organization_of(actor)
    owner = Q(new_retailer_id=organization_id) if side == "new" else Q(current_retailer_id=organization_id)
    switch = (
        Switch.objects.select_for_update()
        .select_related("supply_point")
        .filter(owner, number=(switch_number or "").strip())
        .first()
    )
    if switch is None:
        raise NotFound(
            "指定された廃止取次番号の案件はありません。", code="switch_not_found", field="switch_number"
        )
    return switch


def _live(switch: Switch, kind: str) -> Application | None:
    return switch.applications.filter(kind=kind, state__in=LIVE_STATES).first()


def _save(switch: Switch, *fields: str) -> None:
    switch.updated_at = timezone.now()
    switch.save(update_fields=[*fields, "updated_at"])


def _deadline_refusal(switch: Switch) -> KouikiError | None:
    if timezone.now() >= switch.deadline:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は突合期限({switch.deadline:%Y/%m/%d %H:%M})を過ぎています。",
            code=DEADLINE_PASSED,
        )
    return None


def _decision_refusal(switch: Switch) -> KouikiError | None:
    """Why the current retailer may not decide the switch now; None when it may (SW-L10): only
    while the switch waits for it, and before its deadline."""
    if switch.state != SwitchState.REQUESTED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は「{switch.get_state_display()}」のため、判断できません。",
            code="switch_not_requested",
        )
    return _deadline_refusal(switch)


def _refuse(refusal: KouikiError | None) -> None:
    if refusal is not None:
        raise refusal


@function("SW-L10")
def decide_cancel_forward(
    *, actor: User, switch_number: str, decision: str, ng_reason: str = "", ng_text: str = ""
) -> Switch:
    """SW-L10 スイッチング廃止取次判断: the current retailer answers OK, or NG with one of the fixed
    reasons (NgReason) and free text. Only once, and only while the switch waits for it."""
    if decision not in SwitchDecision.values:
        raise ValidationFailed(
            "取次判断(OK / NG)を選択してください。", code="decision_required", field="decision"
        )
    if decision == SwitchDecision.NG:
        errors: dict[str, list[str]] = {}
        if ng_reason not in NgReason.values:
            errors["ng_reason"] = ["NG理由を選択してください。"]
        if not (ng_text or "").strip():
            errors["ng_text"] = ["NG理由の詳細を入力してください。"]
        elif len(ng_text.strip()) > NG_TEXT.limit:
            errors["ng_text"] = [f"NG理由の詳細は{NG_TEXT.limit}文字以内で入力してください。"]
        if errors:
            raise ValidationFailed("NG理由を入力してください。", code="ng_reason_required", errors=errors)
    with transaction.atomic():
        switch = _locked_switch(actor=actor, switch_number=switch_number, side="current")
        _refuse(_decision_refusal(switch))
        now = timezone.now()
        switch.decision = decision
        switch.decided_at = now
        switch.decided_by = actor
        request = _live(switch, Kind.CANCEL_FORWARD)
        if decision == SwitchDecision.OK:
            switch.state = SwitchState.APPROVED
            if request is not None:
                finish(request, state=State.COMPLETED, step=STEP_DECIDED_OK, publish=False)
        else:
            switch.state = SwitchState.REJECTED
            switch.ng_reason = ng_reason
            switch.ng_text = ng_text.strip()
            switch.closed_at = now
            switch.close_code = "cancel_forward_ng"
            switch.close_detail = f"{NgReason(ng_reason).label}: {switch.ng_text}"[: CLOSE_DETAIL.limit]
            if request is not None:
                finish(
                    request,
                    state=State.DEFECTIVE,
                    step=STEP_DECIDED_NG,
                    error_code="cancel_forward_ng",
                    error_detail=switch.close_detail,
                    publish=False,
                )
        _save(
            switch,
            "state",
            "decision",
            "decided_at",
            "decided_by",
            "ng_reason",
            "ng_text",
            "closed_at",
            "close_code",
            "close_detail",
        )
        record(
            actor=actor,
            action=Action.SWITCHING_SWITCH_DECIDE,
            obj=switch,
            system=SYSTEM,
            detail={"decision": decision, "ng_reason": ng_reason},
        )
        if request is not None:
            publish_application(request)
        publish_switch(switch)
    return switch


# --- SW-L08 開始申請 (new retailer), SW-L11 廃止申請 (current retailer), matching -----------------------


def _pair_refusal(switch: Switch, kind: str) -> KouikiError | None:
    """Why the 05 or 03 (`kind`) may not be filed for the switch now; None when it may (SW-L08,
    SW-L11): only after the current retailer's OK, before the deadline, and once."""
    if switch.state == SwitchState.REQUESTED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は現小売の取次判断待ちです。OKの判断の後に申請してください。",
            code="switch_not_approved",
        )
    if switch.state != SwitchState.APPROVED:
        return InvalidTransition(
            f"廃止取次番号 {switch.number} は「{switch.get_state_display()}」のため、申請できません。",
            code="switch_not_approved",
        )
    deadline = _deadline_refusal(switch)
    if deadline is not None:
        return deadline
    existing = _live(switch, kind)
    if existing is not None:
        return Conflict(
            f"この案件の{Kind(kind).label}申請は受付済みです(受付番号 {existing.reception_number})。",
            code="already_filed",
        )
    return None


def allowed_acts(*, actor: User, switch: Switch) -> frozenset[str]:
    """What the actor's organization may do next on the switch: "decide" (SW-L10) and "abolish"
    (SW-L11) as its current retailer, "start" (SW-L08) as its new one. The same rules the acts
    enforce (`_decision_refusal`, `_pair_refusal`); the actor's rights are the access layer's."""
    organization_id = organization_of(actor)
    acts: set[str] = set()
    if switch.current_retailer_id == organization_id:
        if _decision_refusal(switch) is None:
            acts.add("decide")
        if _pair_refusal(switch, Kind.SWITCH_ABOLISH) is None:
            acts.add("abolish")
    if switch.new_retailer_id == organization_id and _pair_refusal(switch, Kind.SWITCH_START) is None:
        acts.add("start")
    return frozenset(acts)


@function("SW-L08")
def apply_switching_start(*, actor: User, switch_number: str, contract_number: str) -> Application:
    """SW-L08 スイッチング開始申請 (kind 05): the new retailer, after the current retailer's OK,
    files its start. ``contract_number`` is the new retailer's retail contract number with the
    customer (the registry shows it once the switch is complete). Matched at once if the current
    retailer's 廃止申請 is in."""
    number = (contract_number or "").strip()
    if not number:
        raise ValidationFailed(
            "新しい契約番号を入力してください。", code="contract_number_required", field="contract_number"
        )
    if len(number) > NEW_CONTRACT_NUMBER.limit:
        raise ValidationFailed(
            f"契約番号は{NEW_CONTRACT_NUMBER.limit}文字以内で入力してください。",
            code="too_long",
            field="contract_number",
        )
    return _file_pair(
        actor=actor, switch_number=switch_number, kind=Kind.SWITCH_START, payload={"contract_number": number}
    )


@function("SW-L11")
def apply_switching_abolish(*, actor: User, switch_number: str) -> Application:
    """SW-L11 スイッチング廃止申請 (kind 03): the current retailer, after its OK, files the end of
    its supply. Matched at once if the new retailer's 開始申請 is in."""
    return _file_pair(actor=actor, switch_number=switch_number, kind=Kind.SWITCH_ABOLISH, payload={})


def _file_pair(*, actor: User, switch_number: str, kind: str, payload: dict[str, Any]) -> Application:
    """File the 05 (the new retailer's side) or the 03 (the current retailer's side) of an approved
    switch, and match the pair once both are in."""
    side = "new" if kind == Kind.SWITCH_START else "current"
    with transaction.atomic():
        switch = _locked_switch(actor=actor, switch_number=switch_number, side=side)
        _refuse(_pair_refusal(switch, kind))
        application = file_application(
            actor=actor,
            kind=kind,
            point=switch.supply_point,
            switch=switch,
            operator_step=STEP_WAITING_PAIR,
            desired_date=switch.desired_date,
            switching_date=switch.switching_date,
            payload={"switch_number": switch.number, **payload},
        )
        _match_if_complete(switch, application)
    return application


def _match_if_complete(switch: Switch, filed: Application) -> None:
    """Tell the filer of ``filed``; and once both 05 and 03 are in: match, lock, fix the switching
    date and forward both to the operator (the switch is locked by the caller)."""
    start = _live(switch, Kind.SWITCH_START)
    abolish = _live(switch, Kind.SWITCH_ABOLISH)
    if start is None or abolish is None:
        publish_application(filed)
        return
    start, abolish = (
        (filed if filed.kind == Kind.SWITCH_START else start),
        (filed if filed.kind == Kind.SWITCH_ABOLISH else abolish),
    )
    point = switch.supply_point
    version = SupplyPointVersion.objects.get(supply_point=point, valid_to__isnull=True)
    switch.switching_date = _switching_date(switch, version)
    switch.state = SwitchState.MATCHED
    switch.matched_at = timezone.now()
    _save(switch, "state", "matched_at", "switching_date")
    new_code, current_code = switch.new_retailer.code, switch.current_retailer.code
    common = {
        "supply_point_number": point.number,
        "switch_number": switch.number,
        "switching_date": switch.switching_date.isoformat(),
        "meter_work": switch.meter_work,
        "new_retailer_code": new_code,
        "current_retailer_code": current_code,
    }
    for application, payload in (
        (
            start,
            {
                **common,
                "retailer_code": new_code,
                "contract_number": start.payload.get("contract_number", ""),
            },
        ),
        (abolish, {**common, "retailer_code": current_code}),
    ):
        application.switching_date = switch.switching_date
        application.save(update_fields=["switching_date"])
        forward(application, payload)
    publish_application(start)
    publish_application(abolish)
    publish_switch(switch)


# --- 訂正 / 取消 until matching ---------------------------------------------------------------------------


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
        _refuse(_change_refusal(switch, application, "correct"))
        if application.kind == Kind.CANCEL_FORWARD:
            _correct_request(actor, switch, application, changes)
        else:  # a 05: a 03 has nothing to correct (refused above)
            number = str(changes.get("contract_number") or "").strip()
            if not number or len(number) > NEW_CONTRACT_NUMBER.limit:
                raise ValidationFailed(
                    f"新しい契約番号を{NEW_CONTRACT_NUMBER.limit}文字以内で入力してください。",
                    code="contract_number_required",
                    field="contract_number",
                )
            if number == application.payload.get("contract_number"):
                raise _nothing_to_change()
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


def _nothing_to_change() -> ValidationFailed:
    return ValidationFailed(
        "訂正する項目がありません。登録内容と異なる値を入力してください。", code="nothing_to_change"
    )


def _correct_request(actor: User, switch: Switch, application: Application, changes: dict[str, Any]) -> None:
    """The items given replace the registered ones; the deadline stays counted from the
    registration (a desired date's own deadline moves with it); only before the decision (refused
    by `_change_refusal`)."""
    allowed = {"customer_name", "customer_address", "contract_number", "desired_date"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(f"訂正できない項目です: {', '.join(unknown)}", code="not_correctable")
    registered = {name: getattr(switch, name) for name in IDENTIFICATION}
    values = {
        name: clean_text(str(changes[name] or "")) if name in changes else registered[name]
        for name in IDENTIFICATION
    }
    desired = changes.get("desired_date", switch.desired_date)
    if isinstance(desired, str):
        desired = date.fromisoformat(desired) if desired else None
    if values == registered and desired == switch.desired_date:
        raise _nothing_to_change()
    version = SupplyPointVersion.objects.get(supply_point=switch.supply_point, valid_to__isnull=True)
    _check_identification(version, values)
    _check_desired_date(desired, switch.supply_point, switch.meter_work)
    for name, value in values.items():
        setattr(switch, name, value)
    _plan(switch, version, desired, registered_on=timezone.localtime(switch.created_at, JST).date())
    _save(
        switch,
        "customer_name",
        "customer_address",
        "contract_number",
        "desired_date",
        "switching_date",
        "deadline",
    )
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
        _refuse(_change_refusal(switch, application, "cancel"))
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
            _save(switch, "state", "closed_at", "close_code", "close_detail")
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


# --- the deadline of an unmatched pair (periodic) --------------------------------------------------------


def expire_unmatched_switches(*, now: datetime | None = None) -> list[str]:
    """Reject every switch still waiting for its decision or its 05 / 03 past its deadline: the
    switch and its waiting applications become 不備 with the reason. Returns the 廃止取次番号."""
    now = now or timezone.now()
    expired: list[str] = []
    candidates = Switch.objects.filter(state__in=UNMATCHED_SWITCH_STATES, deadline__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            switch = (
                Switch.objects.select_for_update()
                .select_related("supply_point")
                .filter(pk=pk, state__in=UNMATCHED_SWITCH_STATES, deadline__lte=now)
                .first()
            )
            if switch is None:
                continue
            deadline = timezone.localtime(switch.deadline)
            if switch.state == SwitchState.REQUESTED:
                detail = (
                    f"期限({deadline:%Y/%m/%d %H:%M})までに現小売の取次判断がなかったため、不備としました。"
                )
            else:
                detail = (
                    f"期限({deadline:%Y/%m/%d %H:%M})までにスイッチング開始申請と廃止申請が揃わなかったため、"
                    "不備としました。"
                )
            waiting = list(switch.applications.select_for_update().filter(state=State.RECEIVED))
            switch.state = SwitchState.FAILED
            switch.closed_at = now
            switch.close_code = DEADLINE_PASSED
            switch.close_detail = detail
            _save(switch, "state", "closed_at", "close_code", "close_detail")
            for application in waiting:
                finish(
                    application,
                    state=State.DEFECTIVE,
                    step=STEP_DEFECTIVE,
                    error_code=DEADLINE_PASSED,
                    error_detail=detail,
                )
            record(
                actor=None,
                action=Action.SWITCHING_SWITCH_EXPIRE,
                obj=switch,
                organization=None,
                system=SYSTEM,
                detail={"deadline": switch.deadline.isoformat()},
            )
            publish_switch(switch)
            expired.append(switch.number)
    if expired:
        logger.info("Switches past their deadline rejected: %s", ", ".join(expired))
    return expired
