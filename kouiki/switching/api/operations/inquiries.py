"""低圧 設備情報照会 (SW-L01) and 使用量情報照会 (SW-L02 password, SW-L03 retrieval), and the customer's
basic info (SW-P2) — each read of personal data names its purpose and is recorded (SW-P1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import operation
from kouiki.switching.api.present import answered, application_status
from kouiki.switching.api.schemas import (
    PURPOSE_DESCRIPTION,
    PURPOSES,
    ApplicationResult,
    ApplicationStatus,
    CustomerInfo,
    InquiryIn,
    ReceptionNumberPath,
    SupplyPointNumberPath,
    UsageRetrievalIn,
)
from kouiki.switching.models import Kind
from kouiki.switching.services import applications, personal_data

if TYPE_CHECKING:
    from kouiki.identity.models import User

router = Router()


def _result(user: Any, reception_number: str, kind: str) -> dict[str, Any]:
    application = selectors.application_for(actor=user, reception_number=reception_number, kind=kind)
    return {
        "application": application_status(application),
        "result": selectors.application_result(actor=user, application=application),
    }


@operation(
    router,
    "post",
    "/facility-inquiries",
    "SW-L01",
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "供給地点の設備情報を一般送配電事業者へ照会します。"
        "回答は `GET /facility-inquiries/{reception_number}` "
        "で読めます（閲覧は利用目的とともに記録されます）。"
    ),
)
def inquire_facility(request: HttpRequest, actor: User, response: HttpResponse, body: InquiryIn) -> Any:
    application = applications.inquire_facility(
        actor=actor, supply_point_number=body.supply_point_number, purpose=body.purpose
    )
    return answered(response, application, 202)


@operation(
    router,
    "get",
    "/facility-inquiries/{reception_number}",
    "SW-L01",
    suffix="result",
    summary="設備情報照会の回答 (SW-L01)",
    response={200: ApplicationResult, **problems(403, 404)},
    description=(
        "設備情報照会の状況と回答です。需要者基本情報は現小売、またはスイッチング手続中の新小売にだけ含まれます。"
    ),
)
def facility_inquiry_result(request: HttpRequest, actor: User, reception_number: ReceptionNumberPath) -> Any:
    return _result(actor, reception_number, Kind.FACILITY_INQUIRY)


class CustomerQuery(Schema):
    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)


@operation(
    router,
    "get",
    "/supply-points/{supply_point_number}/customer",
    "SW-L01",
    suffix="customer",
    summary="需要者基本情報 (SW-L01, SW-P2)",
    response={200: CustomerInfo, **problems(403, 404, 422)},
    description=(
        "需要者の基本情報（氏名・住所・電話番号・契約番号）です。現小売、またはスイッチング手続中の新小売に限り、"
        "それ以外は 404 です。閲覧は利用目的とともに記録されます。"
    ),
)
def customer_info(
    request: HttpRequest,
    actor: User,
    query: Query[CustomerQuery],
    supply_point_number: SupplyPointNumberPath,
) -> Any:
    return personal_data.read_basic_info(
        actor=actor, supply_point_number=supply_point_number, purpose=query.purpose
    )


@operation(
    router,
    "post",
    "/usage-passwords",
    "SW-L02",
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description="使用量情報照会用パスワードの発行を申請します。パスワードは一般送配電事業者から需要者へ通知されます。",
)
def apply_usage_password(request: HttpRequest, actor: User, response: HttpResponse, body: InquiryIn) -> Any:
    application = applications.apply_usage_password(
        actor=actor, supply_point_number=body.supply_point_number, purpose=body.purpose
    )
    return answered(response, application, 202)


@operation(
    router,
    "post",
    "/usage-retrievals",
    "SW-L03",
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "需要者から受け取ったパスワードで13か月分の使用量を照会します。期限切れ・誤りのパスワードは不備"
        "（error_code）で返ります。回答は `GET /usage-retrievals/{reception_number}` で読めます。"
    ),
)
def retrieve_usage(request: HttpRequest, actor: User, response: HttpResponse, body: UsageRetrievalIn) -> Any:
    application = applications.retrieve_usage(
        actor=actor,
        supply_point_number=body.supply_point_number,
        password=body.password,
        purpose=body.purpose,
    )
    return answered(response, application, 202)


@operation(
    router,
    "get",
    "/usage-retrievals/{reception_number}",
    "SW-L03",
    suffix="result",
    summary="使用量情報照会の回答 (SW-L03)",
    response={200: ApplicationResult, **problems(403, 404)},
    description="使用量情報照会の状況と回答（月別、スマートメーターは30分値）です。閲覧は記録されます。",
)
def usage_retrieval_result(request: HttpRequest, actor: User, reception_number: ReceptionNumberPath) -> Any:
    return _result(actor, reception_number, Kind.USAGE_RETRIEVE)
