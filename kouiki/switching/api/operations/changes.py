"""Changes of a point by its current retailer, forwarded to the operator: 再点 (SW-L04, SW-F02),
廃止・撤去 (SW-L05, SW-H03, SW-F03), アンペア変更 (SW-L12), 需要者情報変更 / 発電者情報変更 (SW-L13,
SW-H10, SW-F10). Each answers 202 with the 受付番号 and the status URL, on every line that serves
its 業務."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

from kouiki.core.api import problems
from kouiki.switching.api.common import LineOperations
from kouiki.switching.api.present import answered
from kouiki.switching.api.schemas import (
    AbolitionIn,
    AmpereChangeIn,
    ApplicationStatus,
    CustomerChangeIn,
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
