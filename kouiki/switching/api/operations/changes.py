"""Changes of a point by its current retailer, forwarded to the operator: 再点 (SW-L04, SW-F02),
廃止・撤去 (SW-L05, SW-H03, SW-F03), アンペア変更 (SW-L12), 需要者情報変更 / 発電者情報変更 (SW-L13,
SW-H10, SW-F10). Each answers 202 with the 受付番号 and the status URL, on every line that serves
its 業務.

Their 訂正 and 取消 (and the 取消 of a 使用量情報照会申請, SW-L02 / SW-H01) under the same 受付番号:
`POST /<kind>/{reception_number}/correction` and `/cancellation`, operations of the kind's own
function (operationId `sw_l04_correct`, `sw_l04_cancel`, …; the real system's service of the kind,
as there a 訂正 or 取消 is the same service with 更新フラグ 2 or 3). They answer 202: the hub has
sent the update to the operator, whose answer applies or refuses it (ADR 28)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja.responses import Status

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import LineOperations
from kouiki.switching.api.present import answered, application_status
from kouiki.switching.api.schemas import (
    AbolitionCorrection,
    AbolitionIn,
    AmpereChangeCorrection,
    AmpereChangeIn,
    ApplicationStatus,
    CustomerChangeCorrection,
    CustomerChangeIn,
    ReceptionNumberPath,
    ReconnectionCorrection,
    ReconnectionIn,
)
from kouiki.switching.services import applications
from kouiki.switching.services.lines import FIT, HIGH, LOW, Business

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

operations = LineOperations()
ANSWERS = {202: ApplicationStatus, **problems(403, 404, 409, 422)}


@operations(
    "post",
    "/reconnections",
    Business.RECONNECT,
    response=ANSWERS,
    description="停止中の{point}の再点を申し込みます（現小売のみ）。",
)
def apply_reconnection(
    request: HttpRequest, actor: User, response: HttpResponse, body: ReconnectionIn, *, line: Line
) -> Any:
    application = applications.apply_reconnection(
        actor=actor,
        supply_point_number=body.supply_point_number,
        desired_date=body.desired_date,
        line=line.key,
    )
    return answered(response, application, 202)


ABOLITION = (
    "{point}の廃止（removal=true で設備撤去あり）を申し込みます（現小売のみ、スイッチング手続中は不可）。"
)


@operations(
    "post",
    "/abolitions",
    Business.ABOLISH,
    response=ANSWERS,
    description={
        LOW: ABOLITION,
        HIGH: (
            "{point}の廃止・撤去を申し込みます（現小売のみ、スイッチング手続中は不可）。"
            "高圧の廃止は常に設備撤去ありです（申込種別 02。removal は指定しません）。"
        ),
        FIT: ABOLITION,
    },
)
def apply_abolition(
    request: HttpRequest, actor: User, response: HttpResponse, body: AbolitionIn, *, line: Line
) -> Any:
    application = applications.apply_abolition(
        actor=actor,
        supply_point_number=body.supply_point_number,
        removal=body.removal,
        desired_date=body.desired_date,
        line=line.key,
    )
    return answered(response, application, 202)


@operations(
    "post",
    "/ampere-changes",
    Business.AMPERE_CHANGE,
    response=ANSWERS,
    description=(
        "契約電流の変更を申し込みます（現小売のみ）。関西・中国・四国・沖縄エリアはアンペアブレーカーを用いないため"
        "受け付けません（422 `ampere_change_not_in_area`）。"
    ),
)
def apply_ampere_change(
    request: HttpRequest, actor: User, response: HttpResponse, body: AmpereChangeIn, *, line: Line
) -> Any:
    application = applications.apply_ampere_change(
        actor=actor,
        supply_point_number=body.supply_point_number,
        current_limit_a=body.current_limit_a,
        desired_date=body.desired_date,
        line=line.key,
    )
    return answered(response, application, 202)


@operations(
    "post",
    "/customer-changes",
    Business.CUSTOMER_CHANGE,
    response=ANSWERS,
    description="{customer}の基本情報（氏名・住所・電話番号・契約番号）の変更を申し込みます（現小売のみ、1項目以上）。",
)
def apply_customer_change(
    request: HttpRequest, actor: User, response: HttpResponse, body: CustomerChangeIn, *, line: Line
) -> Any:
    application = applications.apply_customer_change(
        actor=actor,
        supply_point_number=body.supply_point_number,
        customer_name=body.customer_name,
        customer_address=body.customer_address,
        customer_phone=body.customer_phone,
        contract_number=body.contract_number,
        line=line.key,
    )
    return answered(response, application, 202)


# --- 訂正 / 取消 under the same 受付番号 (更新フラグ 2 / 3) ---------------------------------------------

UPDATE_ANSWERS = {202: ApplicationStatus, **problems(403, 404, 409, 422)}
UNTIL_TAKEN = (
    "一般送配電事業者が受け付けて処理を開始する前（状態 received）に限ります。処理開始後は 409 "
    "`already_taken`、先の訂正・取消の回答待ちの間は 409 `update_pending` です。受け付けると 202 で、"
    "`update_flag` が {flag}、`operator_step` が「{step}」になります。一般送配電事業者が反映すると{done}、"
    "既に処理を開始していた場合は元の内容のまま処理され、受付メッセージで通知されます（イベント "
    "application.updated）。"
)
CORRECTION = UNTIL_TAKEN.format(
    flag="2", step="訂正回答待ち", done="訂正後の内容になり（revision が増えます）"
)
CANCELLATION = UNTIL_TAKEN.format(flag="3", step="取消回答待ち", done="状態が cancelled になり")


def _correct(
    actor: User, reception_number: str, business: Business, line: Line, changes: dict[str, Any]
) -> Any:
    application = applications.correct_application(
        actor=actor, reception_number=reception_number, changes=changes, line=line.key, business=business
    )
    return _status(actor, application.reception_number)


def _cancel(actor: User, reception_number: str, business: Business, line: Line) -> Any:
    application = applications.cancel_application(
        actor=actor, reception_number=reception_number, line=line.key, business=business
    )
    return _status(actor, application.reception_number)


def _status(actor: User, reception_number: str) -> Any:
    return Status(
        202, application_status(selectors.application_for(actor=actor, reception_number=reception_number))
    )


def _given(body: Any, *optional: str) -> dict[str, Any]:
    """The items the body gives (a null ``optional`` item is not given; a null desired date clears it)."""
    changes = body.model_dump(exclude_unset=True)
    return {name: value for name, value in changes.items() if not (name in optional and value is None)}


@operations(
    "post",
    "/reconnections/{reception_number}/correction",
    Business.RECONNECT,
    suffix="correct",
    summary="再点の訂正 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のまま再点の希望日を訂正します（更新フラグ 2）。" + CORRECTION,
)
def correct_reconnection(
    request: HttpRequest,
    actor: User,
    body: ReconnectionCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    return _correct(actor, reception_number, Business.RECONNECT, line, _given(body))


@operations(
    "post",
    "/reconnections/{reception_number}/cancellation",
    Business.RECONNECT,
    suffix="cancel",
    summary="再点の取消 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のまま再点を取り消します（更新フラグ 3）。" + CANCELLATION,
)
def cancel_reconnection(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _cancel(actor, reception_number, Business.RECONNECT, line)


@operations(
    "post",
    "/abolitions/{reception_number}/correction",
    Business.ABOLISH,
    suffix="correct",
    summary="廃止・撤去の訂正 ({function})",
    response=UPDATE_ANSWERS,
    description={
        LOW: "同じ受付番号のまま廃止の希望日・撤去の有無を訂正します（更新フラグ 2）。" + CORRECTION,
        HIGH: "同じ受付番号のまま廃止・撤去の希望日を訂正します（更新フラグ 2。高圧は常に撤去あり）。"
        + CORRECTION,
        FIT: "同じ受付番号のまま廃止の希望日・撤去の有無を訂正します（更新フラグ 2）。" + CORRECTION,
    },
)
def correct_abolition(
    request: HttpRequest,
    actor: User,
    body: AbolitionCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    return _correct(actor, reception_number, Business.ABOLISH, line, _given(body, "removal"))


@operations(
    "post",
    "/abolitions/{reception_number}/cancellation",
    Business.ABOLISH,
    suffix="cancel",
    summary="廃止・撤去の取消 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のまま廃止・撤去を取り消します（更新フラグ 3）。" + CANCELLATION,
)
def cancel_abolition(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _cancel(actor, reception_number, Business.ABOLISH, line)


@operations(
    "post",
    "/ampere-changes/{reception_number}/correction",
    Business.AMPERE_CHANGE,
    suffix="correct",
    summary="アンペア変更の訂正 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のまま変更後の契約電流・希望日を訂正します（更新フラグ 2）。" + CORRECTION,
)
def correct_ampere_change(
    request: HttpRequest,
    actor: User,
    body: AmpereChangeCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    return _correct(actor, reception_number, Business.AMPERE_CHANGE, line, _given(body, "current_limit_a"))


@operations(
    "post",
    "/ampere-changes/{reception_number}/cancellation",
    Business.AMPERE_CHANGE,
    suffix="cancel",
    summary="アンペア変更の取消 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のままアンペア変更を取り消します（更新フラグ 3）。" + CANCELLATION,
)
def cancel_ampere_change(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _cancel(actor, reception_number, Business.AMPERE_CHANGE, line)


@operations(
    "post",
    "/customer-changes/{reception_number}/correction",
    Business.CUSTOMER_CHANGE,
    suffix="correct",
    summary="{customer}情報変更の訂正 ({function})",
    response=UPDATE_ANSWERS,
    description=(
        "同じ受付番号のまま変更する{customer}情報を訂正します（指定した項目が申請の値に置き換わります。"
        "更新フラグ 2）。" + CORRECTION
    ),
)
def correct_customer_change(
    request: HttpRequest,
    actor: User,
    body: CustomerChangeCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    changes = _given(body, "customer_name", "customer_address", "customer_phone", "contract_number")
    return _correct(actor, reception_number, Business.CUSTOMER_CHANGE, line, changes)


@operations(
    "post",
    "/customer-changes/{reception_number}/cancellation",
    Business.CUSTOMER_CHANGE,
    suffix="cancel",
    summary="{customer}情報変更の取消 ({function})",
    response=UPDATE_ANSWERS,
    description="同じ受付番号のまま{customer}情報変更を取り消します（更新フラグ 3）。" + CANCELLATION,
)
def cancel_customer_change(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _cancel(actor, reception_number, Business.CUSTOMER_CHANGE, line)


@operations(
    "post",
    "/usage-passwords/{reception_number}/cancellation",
    Business.USAGE_PASSWORD,
    suffix="cancel",
    summary="使用量情報照会申請の取消 ({function})",
    response=UPDATE_ANSWERS,
    description=(
        "同じ受付番号のまま使用量情報照会申請を取り消します（更新フラグ 3。訂正できる項目はありません）。"
        + CANCELLATION
    ),
)
def cancel_usage_password(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _cancel(actor, reception_number, Business.USAGE_PASSWORD, line)
