"""The rules of the simulated operators: what each operation checks and answers.

Each rule takes the receipt, the point's registry items (through the hub's reader) and the time
of processing, and returns the final answer's data, or raises Rejection (a stable code and a
Japanese detail for the retailer). Registry changes travel in data["registry"] (ADR 11):
{"effective_on": "YYYY-MM-DD", <SupplyPointVersion field>: value, ...}, plus "retailer_code"
when the retailer changes (a switch); an item absent is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from kouiki.core.calendar import JST
from kouiki.core.japanese import Area, normalize_supply_point_number, validate_supply_point_number
from kouiki.tso import services
from kouiki.tso.models import SimulatorReceipt, UsagePassword
from kouiki.tso.services import usage
from kouiki.tso.services.gateway import Operation

# seed 001 / issue 7: no ampere contracts (最低料金制) in Kansai, Chugoku, Shikoku and Okinawa.
NO_AMPERE_AREAS = frozenset({Area.KANSAI, Area.CHUGOKU, Area.SHIKOKU, Area.OKINAWA})
AMPERE_VALUES = (10, 15, 20, 30, 40, 50, 60)
CUSTOMER_FIELDS = ("customer_name", "customer_address", "customer_phone", "retail_contract_number")
# seed 004: 供給（受電）地点に関する情報 — what a facility inquiry returns.
FACILITY_FIELDS = (
    "isolated_island",
    "contract_capacity",
    "current_limit_a",
    "service_menu",
    "power_factor",
    "supply_method",
    "contract_decision_method",
    "meter",
    "pole_number",
    "grid_connection",
    "contract_changed_on",
    "reading_day",
    "contract_state",
    "abolition_method",
)
CONTRACT_STATE_LABELS = {"in_service": "送電中", "stopped": "停止中", "abolished": "廃止"}


class Rejection(Exception):
    """A rule says no: the final answer is "rejected" with this code and Japanese detail."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def work_day(receipt: SimulatorReceipt) -> date | None:
    """The day a dated message is carried out: the switching date, or a desired date later than
    the day the message came in. A switching date already past on that day is a Rejection."""
    received_on = receipt.received_at.astimezone(JST).date()
    if receipt.operation in (Operation.SWITCH_START, Operation.SWITCH_ABOLISH):
        switching_date = _date(receipt.payload, "switching_date", required=True)
        if switching_date is not None and switching_date < received_on:
            raise Rejection(
                "switching_date_past",
                f"スイッチング日（{switching_date:%Y年%m月%d日}）が過ぎています。",
            )
        return switching_date
    desired = _date(receipt.payload, "desired_date", required=False)
    return desired if desired is not None and desired > received_on else None


def _number(receipt: SimulatorReceipt) -> str:
    return normalize_supply_point_number(str(receipt.payload.get("supply_point_number", "")))


def point_of(receipt: SimulatorReceipt) -> dict[str, Any]:
    """The registry's items of the message's point; Rejection when unknown or not this area's."""
    number = _number(receipt)
    try:
        validate_supply_point_number(number)
    except ValidationError as error:
        raise Rejection(
            "supply_point_number_invalid", "供給地点特定番号の形式が正しくありません。"
        ) from error
    area = Area(receipt.area)
    if number[:2] != area.value:
        raise Rejection(
            "supply_point_other_area",
            f"供給地点特定番号 {number} は{Area(number[:2]).label}エリアの供給地点です。"
            f"{area.label}エリアの一般送配電事業者では受け付けられません。",
        )
    point = services.read_registry(number)
    if point is None:
        raise Rejection(
            "supply_point_unknown", f"供給地点特定番号 {number} は{area.label}エリアに登録されていません。"
        )
    if str(point.get("area") or number[:2]) != area.value:
        raise Rejection(
            "supply_point_other_area",
            f"供給地点特定番号 {number} は{area.label}エリアの供給地点ではありません。",
        )
    return point


def _date(payload: dict[str, Any], key: str, *, required: bool) -> date | None:
    value = payload.get(key)
    if value in (None, ""):
        if required:
            raise Rejection(f"{key}_missing", "スイッチング日が指定されていません。")
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Rejection(
            f"{key}_invalid", f"日付の形式が正しくありません（{value}）。YYYY-MM-DD で指定してください。"
        ) from None


def _effective_on(receipt: SimulatorReceipt, now: datetime) -> str:
    """The day a change takes effect: the work day of a dated message, else today (Japan time)."""
    return (work_day(receipt) or now.astimezone(JST).date()).isoformat()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _not_abolished(point: dict[str, Any]) -> None:
    if point.get("contract_state") == "abolished":
        raise Rejection("supply_point_abolished", "この供給地点は廃止済みです。")


def facility_inquiry(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L01: the supply-point items of seed 004."""
    number = _number(receipt)
    facility = {
        "supply_point_number": number,
        "area": receipt.area,
        "voltage": point.get("voltage", ""),
        **{name: point.get(name) for name in FACILITY_FIELDS},
    }
    return {"facility": _jsonable(facility)}


def _usage_valid_until(receipt: SimulatorReceipt) -> date:
    """The last day the password is to be valid, as the retailer chose it (one month without a
    choice); beyond one month from the day the application came in is a Rejection."""
    received_on = receipt.received_at.astimezone(JST).date()
    latest = usage.latest_valid_day(received_on)
    chosen = _date(receipt.payload, "valid_until", required=False) or latest
    if not received_on <= chosen <= latest:
        raise Rejection(
            "usage_password_validity_invalid",
            f"パスワードの有効期限（{chosen:%Y年%m月%d日}）は、申請日から1か月以内"
            f"（{received_on:%Y年%m月%d日}〜{latest:%Y年%m月%d日}）で指定してください。",
        )
    return chosen


def usage_password(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L02 / SW-H01: issue a password valid through the day the retailer chose (at most one
    month) and answer it to the applying retailer (IF_10220: the status carries it). While valid,
    any retailer that holds it may retrieve the point's usage."""
    number = _number(receipt)
    valid_until = _usage_valid_until(receipt)
    password = usage.new_password()
    ends = usage.expires_at(valid_until)
    UsagePassword.objects.create(
        area=receipt.area,
        supply_point_number=number,
        password_hash=usage.hash_password(password),
        issued_at=now,
        valid_until=ends,
        message_id=receipt.message_id,
    )
    return {"password": password, "valid_until": valid_until.isoformat(), "expires_at": ends.isoformat()}


def usage_retrieve(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L03 / SW-H02: 13 months of usage, with a password of this point that has not expired
    (whoever applied for it); the months before the current contract holder's are withheld."""
    number = _number(receipt)
    given = str(receipt.payload.get("password") or "")
    matched = [
        candidate
        for candidate in UsagePassword.objects.filter(area=receipt.area, supply_point_number=number)
        if given and usage.password_matches(given, candidate.password_hash)
    ]
    if not matched:
        raise Rejection(
            "usage_password_invalid",
            "使用量情報照会パスワードが正しくありません。使用量情報照会申請の回答にあるパスワードをご確認ください。",
        )
    valid = [candidate for candidate in matched if now < candidate.valid_until]
    if not valid:
        ended = max(candidate.valid_until for candidate in matched).astimezone(JST)
        last_day = (ended - timedelta(microseconds=1)).date()
        raise Rejection(
            "usage_password_expired",
            f"使用量情報照会パスワードの有効期限（{last_day:%Y年%m月%d日}まで）が過ぎています。"
            "改めて使用量情報照会を申請してください。",
        )
    UsagePassword.objects.filter(pk=valid[0].pk).update(last_used_at=now)
    holder_since = _date(receipt.payload, "holder_since", required=False)
    return {"usage": usage.usage(number, point, now.astimezone(JST).date(), holder_since=holder_since)}


def reconnect(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L04: only a stopped point is reconnected (再点)."""
    state = str(point.get("contract_state") or "")
    if state != "stopped":
        label = CONTRACT_STATE_LABELS.get(state, state)
        raise Rejection(
            "reconnect_not_stopped", f"停止中の供給地点ではないため再点できません（契約状態: {label}）。"
        )
    on = _effective_on(receipt, now)
    return {"registry": {"effective_on": on, "contract_state": "in_service", "contract_changed_on": on}}


def abolish(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L05: 廃止, with removal of the meter (kind 02) or without (kind 01)."""
    _not_abolished(point)
    on = _effective_on(receipt, now)
    method = "meter_removal" if receipt.payload.get("removal") else "switch_off"
    return {
        "registry": {
            "effective_on": on,
            "contract_state": "abolished",
            "abolition_method": method,
            "contract_changed_on": on,
        }
    }


def ampere_change(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L12: アンペア変更, not where there are no ampere contracts."""
    area = Area(receipt.area)
    if area in NO_AMPERE_AREAS:
        raise Rejection(
            "ampere_change_not_available",
            f"{area.label}エリアでは契約電流（アンペア制）による託送契約がないため、アンペア変更は受け付けていません。",
        )
    _not_abolished(point)
    if point.get("contract_decision_method") not in ("ampere", None, ""):
        raise Rejection(
            "ampere_change_not_ampere_contract",
            "この供給地点は契約電流（アンペア制）の託送契約ではありません。",
        )
    value = receipt.payload.get("current_limit_a")
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or str(value).strip() not in map(str, AMPERE_VALUES)
    ):
        raise Rejection(
            "current_limit_invalid",
            f"電流上限値は {'・'.join(map(str, AMPERE_VALUES))}A のいずれかを指定してください。",
        )
    amperes = int(str(value).strip())
    on = _effective_on(receipt, now)
    return {
        "registry": {
            "effective_on": on,
            "current_limit_a": amperes,
            "contract_capacity": str(Decimal(amperes) / 10),
            "contract_changed_on": on,
        }
    }


def _customer_items(payload: dict[str, Any]) -> dict[str, str]:
    """Customer fields of a payload: under "changes" or at the top level; "contract_number" (the
    API's name) is the registry's retail_contract_number."""
    changes = payload.get("changes")
    source: dict[str, Any] = changes if isinstance(changes, dict) else payload
    items = {name: str(source[name]) for name in CUSTOMER_FIELDS if source.get(name)}
    if source.get("contract_number") and "retail_contract_number" not in items:
        items["retail_contract_number"] = str(source["contract_number"])
    return items


def customer_change(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L13: 需要者情報変更 — the customer's basic info."""
    _not_abolished(point)
    changes = _customer_items(receipt.payload)
    if not changes:
        raise Rejection("customer_change_empty", "変更する需要者情報が指定されていません。")
    return {"registry": {"effective_on": _effective_on(receipt, now), **changes}}


def _new_retailer(receipt: SimulatorReceipt) -> str:
    return str(receipt.payload.get("new_retailer_code") or receipt.payload.get("retailer_code") or "")


def _pair_reference(receipt: SimulatorReceipt) -> str:
    return str(receipt.payload.get("pair_reference") or receipt.payload.get("switch_number") or "")


def switch_start(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L08: スイッチング開始, completed on the switching date: the new retailer supplies."""
    _not_abolished(point)
    new_retailer = _new_retailer(receipt)
    if not new_retailer:
        raise Rejection("new_retailer_missing", "新小売電気事業者の事業者コードが指定されていません。")
    on = _effective_on(receipt, now)
    return {
        "switching_date": on,
        "pair_reference": _pair_reference(receipt),
        "registry": {
            "effective_on": on,
            "retailer_code": new_retailer,
            **_customer_items(receipt.payload),
            "contract_changed_on": on,
        },
    }


def switch_abolish(receipt: SimulatorReceipt, point: dict[str, Any], now: datetime) -> dict[str, Any]:
    """SW-L11: スイッチング廃止, completed on the switching date (the registry changes with the
    matching スイッチング開始)."""
    _not_abolished(point)
    return {
        "switching_date": _effective_on(receipt, now),
        "pair_reference": _pair_reference(receipt),
    }


Rule = Callable[[SimulatorReceipt, dict[str, Any], datetime], dict[str, Any]]
RULES: dict[str, Rule] = {
    Operation.FACILITY_INQUIRY: facility_inquiry,
    Operation.USAGE_PASSWORD: usage_password,
    Operation.USAGE_RETRIEVE: usage_retrieve,
    Operation.RECONNECT: reconnect,
    Operation.ABOLISH: abolish,
    Operation.AMPERE_CHANGE: ampere_change,
    Operation.CUSTOMER_CHANGE: customer_change,
    Operation.SWITCH_START: switch_start,
    Operation.SWITCH_ABOLISH: switch_abolish,
}
