"""設備情報照会 (SW-L01, SW-F01) and 使用量情報照会 (SW-L02 / SW-H01 password, SW-L03 / SW-H02
retrieval), and the customer's basic info (SW-P2) — each read of personal data names its purpose
and is recorded (SW-P1). Each operation is served on every line that serves its 業務."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import LineOperations, filed_through
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
from kouiki.switching.services.lines import LOW, Business

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

operations = LineOperations()


def _result(user: Any, reception_number: str, kind: str, line: Line) -> dict[str, Any]:
    application = selectors.application_for(actor=user, reception_number=reception_number, kind=kind)
    filed_through(line, application)
    return {
        "application": application_status(application),
        "result": selectors.application_result(actor=user, application=application),
    }


@operations(
    "post",
    "/facility-inquiries",
    Business.FACILITY_INQUIRY,
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "{point}の設備情報を一般送配電事業者へ照会します。"
        "回答は `GET {prefix}/facility-inquiries/{{reception_number}}` "
        "で読めます（閲覧は利用目的とともに記録されます）。"
    ),
)
def inquire_facility(
    request: HttpRequest, actor: User, response: HttpResponse, body: InquiryIn, *, line: Line
) -> Any:
    application = applications.inquire_facility(
        actor=actor, supply_point_number=body.supply_point_number, purpose=body.purpose, line=line.key
    )
    return answered(response, application, 202)


@operations(
    "get",
    "/facility-inquiries/{reception_number}",
    Business.FACILITY_INQUIRY,
    suffix="result",
    summary="設備情報照会の回答 ({function})",
    response={200: ApplicationResult, **problems(403, 404)},
    description=(
        "設備情報照会の状況と回答です。{customer}基本情報は現小売、またはスイッチング手続中の新小売にだけ含まれます。"
    ),
)
def facility_inquiry_result(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _result(actor, reception_number, Kind.FACILITY_INQUIRY, line)


class CustomerQuery(Schema):
    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)


@operations(
    "get",
    "/supply-points/{supply_point_number}/customer",
    Business.FACILITY_INQUIRY,
    on=(LOW,),
    suffix="customer",
    summary="需要者基本情報 ({function}, SW-P2)",
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
    *,
    line: Line,
) -> Any:
    return personal_data.read_basic_info(
        actor=actor, supply_point_number=supply_point_number, purpose=query.purpose
    )


@operations(
    "post",
    "/usage-passwords",
    Business.USAGE_PASSWORD,
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "使用量情報照会用パスワードの発行を申請します。パスワードは一般送配電事業者から{customer}へ通知されます。"
    ),
)
def apply_usage_password(
    request: HttpRequest, actor: User, response: HttpResponse, body: InquiryIn, *, line: Line
) -> Any:
    application = applications.apply_usage_password(
        actor=actor, supply_point_number=body.supply_point_number, purpose=body.purpose, line=line.key
    )
    return answered(response, application, 202)


@operations(
    "post",
    "/usage-retrievals",
    Business.USAGE_RETRIEVE,
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "{customer}から受け取ったパスワードで13か月分の使用量を照会します。期限切れ・誤りのパスワードは不備"
        "（error_code）で返ります。回答は `GET {prefix}/usage-retrievals/{{reception_number}}` で読めます。"
    ),
)
def retrieve_usage(
    request: HttpRequest, actor: User, response: HttpResponse, body: UsageRetrievalIn, *, line: Line
) -> Any:
    application = applications.retrieve_usage(
        actor=actor,
        supply_point_number=body.supply_point_number,
        password=body.password,
        purpose=body.purpose,
        line=line.key,
    )
    return answered(response, application, 202)


@operations(
    "get",
    "/usage-retrievals/{reception_number}",
    Business.USAGE_RETRIEVE,
    suffix="result",
    summary="使用量情報照会の回答 ({function})",
    response={200: ApplicationResult, **problems(403, 404)},
    description="使用量情報照会の状況と回答（月別、スマートメーターは30分値）です。閲覧は記録されます。",
)
def usage_retrieval_result(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _result(actor, reception_number, Kind.USAGE_RETRIEVE, line)
