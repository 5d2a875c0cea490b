"""The two halves of a switch after the current retailer's OK: the new retailer's スイッチング開始申請
(SW-L08, SW-H06, SW-F06; 申込種別 05, FIT 16) and the current retailer's スイッチング廃止申請 (SW-L11,
SW-H09, SW-F09; 03, FIT 14); once both are in, the hub matches them, fixes the switching date and
forwards both to the area's operator (ADR 11)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kouiki.core.errors import KouikiError, ValidationFailed
from kouiki.identity.access import function
from kouiki.switching.models import Application, Kind, SupplyPointVersion, Switch, SwitchState
from kouiki.switching.services import lines
from kouiki.switching.services.filing import (
    STEP_WAITING_PAIR,
    file_application,
    forward,
    publish_application,
    publish_switch,
)
from kouiki.switching.services.lines import LOW, Business
from kouiki.switching.services.switches import (
    NEW_CONTRACT_NUMBER,
    estimated_switching_date,
    live_application,
    live_applications,
    locked_switch,
    pair_refusal,
    party_switch,
    party_switches,
    refuse,
    save_switch,
    switch_not_found,
)
from kouiki.tso.services.gateway import StepCode

if TYPE_CHECKING:
    from kouiki.identity.models import User

BUSINESSES: dict[str, Business] = {
    Kind.SWITCH_START: Business.SWITCH_START,
    Kind.SWITCH_ABOLISH: Business.SWITCH_ABOLISH,
}


def _new_contract_number(contract_number: str) -> str:
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
    return number


def _side(kind: str) -> str:
    return "new" if kind == Kind.SWITCH_START else "current"


def _reached(actor: User, line: str, kind: str) -> tuple[lines.Line, Business]:
    business = BUSINESSES[kind]
    return lines.enter(actor, line, business), business


def _check_pair(*, actor: User, switch_number: str, kind: str, line: str) -> None:
    """The refusals of filing the 05 or 03 (`kind`) as of now, without a lock or a write."""
    switch = party_switch(
        actor=actor, switch_number=switch_number, side=_side(kind), reached=_reached(actor, line, kind)
    )
    refuse(pair_refusal(switch, kind))


@function(*lines.functions_of(Business.SWITCH_START, Business.SWITCH_ABOLISH))
def check_pairs(
    *, actor: User, line: str, kind: str, rows: Sequence[tuple[str, str]]
) -> list[KouikiError | None]:
    """`check_switching_start` (``kind`` 05; each row its switch number and new contract number) or
    `check_switching_abolish` (03; the contract number ignored) for a batch (a bulk file's), the
    switches and their live applications read in one query each: each row's refusal, or None."""
    reached = _reached(actor, line, kind)
    found = party_switches(actor=actor, numbers=[number for number, _ in rows], side=_side(kind))
    live = live_applications(found.values(), kind)
    results: list[KouikiError | None] = []
    for number, contract_number in rows:
        try:
            if kind == Kind.SWITCH_START:
                _new_contract_number(contract_number)
            switch = found.get((number or "").strip())
            if switch is None:
                raise switch_not_found()
            lines.require_class(*reached, switch.point_class)
            refuse(pair_refusal(switch, kind, live=lambda switch, _kind: live.get(switch.pk)))
        except KouikiError as refusal:
            results.append(refusal)
        else:
            results.append(None)
    return results


@function(*lines.functions_of(Business.SWITCH_START))
def check_switching_start(*, actor: User, switch_number: str, contract_number: str, line: str = LOW) -> None:
    """開始申請 without writing: the refusals of `apply_switching_start` as of now (its 確認 step)."""
    _new_contract_number(contract_number)
    _check_pair(actor=actor, switch_number=switch_number, kind=Kind.SWITCH_START, line=line)


@function(*lines.functions_of(Business.SWITCH_ABOLISH))
def check_switching_abolish(*, actor: User, switch_number: str, line: str = LOW) -> None:
    """廃止申請 without writing: the refusals of `apply_switching_abolish` as of now (its 確認 step)."""
    _check_pair(actor=actor, switch_number=switch_number, kind=Kind.SWITCH_ABOLISH, line=line)


@function(*lines.functions_of(Business.SWITCH_START))
def apply_switching_start(
    *, actor: User, switch_number: str, contract_number: str, line: str = LOW
) -> Application:
    """スイッチング開始申請 (SW-L08, SW-H06, SW-F06): the new retailer, after the current retailer's
    OK, files its start. ``contract_number`` is the new retailer's retail contract number with the
    customer (the registry shows it once the switch is complete). Matched at once if the current
    retailer's 廃止申請 is in."""
    number = _new_contract_number(contract_number)
    return _file_pair(
        actor=actor,
        switch_number=switch_number,
        kind=Kind.SWITCH_START,
        payload={"contract_number": number},
        line=line,
    )


@function(*lines.functions_of(Business.SWITCH_ABOLISH))
def apply_switching_abolish(*, actor: User, switch_number: str, line: str = LOW) -> Application:
    """スイッチング廃止申請 (SW-L11, SW-H09, SW-F09): the current retailer, after its OK, files the
    end of its supply. Matched at once if the new retailer's 開始申請 is in."""
    return _file_pair(
        actor=actor, switch_number=switch_number, kind=Kind.SWITCH_ABOLISH, payload={}, line=line
    )


def _file_pair(
    *, actor: User, switch_number: str, kind: str, payload: dict[str, Any], line: str
) -> Application:
    """File the 開始 (the new retailer's side) or the 廃止 (the current retailer's side) of an
    approved switch, and match the pair once both are in."""
    reached = _reached(actor, line, kind)
    with transaction.atomic():
        switch = locked_switch(actor=actor, switch_number=switch_number, side=_side(kind), reached=reached)
        refuse(pair_refusal(switch, kind))
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
    # `filed` is its kind's one live application (pair_refusal refused a second): only the other
    # half is looked for.
    other = live_application(
        switch, Kind.SWITCH_ABOLISH if filed.kind == Kind.SWITCH_START else Kind.SWITCH_START
    )
    if other is None:
        publish_application(filed)
        return
    start, abolish = (filed, other) if filed.kind == Kind.SWITCH_START else (other, filed)
    point = switch.supply_point
    version = SupplyPointVersion.objects.get(supply_point=point, valid_to__isnull=True)
    switch.switching_date = estimated_switching_date(switch, version)
    switch.state = SwitchState.MATCHED
    switch.matched_at = timezone.now()
    save_switch(switch, "state", "matched_at", "switching_date")
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
        # The hub matches the pair (ADR 11), so it sets 受付工程 05 マッチング完了 itself; the
        # operator's "accepted" answers 05 too (ADR 28).
        application.switching_date = switch.switching_date
        application.step_code = StepCode.MATCHED.value
        application.save(update_fields=["switching_date", "step_code"])
        forward(application, payload)
    publish_application(start)
    publish_application(abolish)
    publish_switch(switch)
