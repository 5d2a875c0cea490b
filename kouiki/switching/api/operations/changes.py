"""Changes of a supply point by its current retailer, forwarded to the operator: 再点 (SW-L04),
廃止・撤去 (SW-L05), アンペア変更 (SW-L12), 需要者情報変更 (SW-L13). Each answers 202 with the 受付番号
and the status URL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from kouiki.core.api import problems
from kouiki.switching.api.common import operation
from kouiki.switching.api.present import answered
from kouiki.switching.api.schemas import (
    AbolitionIn,
    AmpereChangeIn,
    ApplicationStatus,
    CustomerChangeIn,
    ReconnectionIn,
)
from kouiki.switching.services import applications

if TYPE_CHECKING:
    from kouiki.identity.models import User

router = Router()
ANSWERS = {202: ApplicationStatus, **problems(403, 404, 409, 422)}


@operation(
    router,
    "post",
    "/reconnections",
    "SW-L04",
    response=ANSWERS,
    description="停止中の供給地点の再点を申し込みます（現小売のみ）。",
)
def apply_reconnection(
    request: HttpRequest, actor: User, response: HttpResponse, body: ReconnectionIn
) -> Any:
    application = applications.apply_reconnection(
        actor=actor, supply_point_number=body.supply_point_number, desired_date=body.desired_date
    )
    return answered(response, application, 202)


@operation(
    router,
    "post",
    "/abolitions",
    "SW-L05",
    response=ANSWERS,
    description=(
        "供給地点の廃止（removal=true で設備撤去あり）を申し込みます"
        "（現小売のみ、スイッチング手続中は不可）。"
    ),
)
def apply_abolition(request: HttpRequest, actor: User, response: HttpResponse, body: AbolitionIn) -> Any:
    application = applications.apply_abolition(
        actor=actor,
        supply_point_number=body.supply_point_number,
        removal=body.removal,
        desired_date=body.desired_date,
    )
    return answered(response, application, 202)


@operation(
    router,
    "post",
    "/ampere-changes",
    "SW-L12",
    response=ANSWERS,
    description=(
        "契約電流の変更を申し込みます（現小売のみ）。関西・中国・四国・沖縄エリアはアンペアブレーカーを用いないため"
        "受け付けません（422 `ampere_change_not_in_area`）。"
    ),
)
def apply_ampere_change(
    request: HttpRequest, actor: User, response: HttpResponse, body: AmpereChangeIn
) -> Any:
    application = applications.apply_ampere_change(
        actor=actor,
        supply_point_number=body.supply_point_number,
        current_limit_a=body.current_limit_a,
        desired_date=body.desired_date,
    )
    return answered(response, application, 202)


@operation(
    router,
    "post",
    "/customer-changes",
    "SW-L13",
    response=ANSWERS,
    description="需要者の基本情報（氏名・住所・電話番号・契約番号）の変更を申し込みます（現小売のみ、1項目以上）。",
)
def apply_customer_change(
    request: HttpRequest, actor: User, response: HttpResponse, body: CustomerChangeIn
) -> Any:
    application = applications.apply_customer_change(
        actor=actor,
        supply_point_number=body.supply_point_number,
        customer_name=body.customer_name,
        customer_address=body.customer_address,
        customer_phone=body.customer_phone,
        contract_number=body.contract_number,
    )
    return answered(response, application, 202)
