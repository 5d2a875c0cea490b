"""設備情報照会 (SW-L01, SW-F01) and 使用量情報照会 (SW-L02 / SW-H01 password, SW-L03 / SW-H02
retrieval), and the customer's basic info (SW-P2) — each read of personal data names its purpose
and is recorded (SW-P1); the usage password comes back in the answer to its application, readable
by the filer only. Each operation is served on every line that serves its 業務.

Identity documents travel as base64 in the JSON body (ADR 29): one content type for every
operation, the body an integrator already sends, and the same Idempotency-Key replay."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.core.errors import ValidationFailed
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
    UsageDocumentIn,
    UsagePasswordIn,
    UsagePasswordResult,
    UsageRetrievalIn,
)
from kouiki.switching.models import Kind
from kouiki.switching.services import applications, personal_data, usage
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
        "使用量情報照会用パスワードの発行を申請します。パスワードは一般送配電事業者の回答として申請した事業者に返り、"
        "`GET {prefix}/usage-passwords/{{reception_number}}` で読めます"
        "（閲覧は利用目的とともに記録されます）。"
        "有効期限は `valid_until`（日付）か `valid_days`（日数）で申請日から1か月以内を指定します"
        "（省略時は1か月）。有効期限内は、パスワードを受け取った他の事業者も使用量を照会できます。"
        f"本人確認書類を `documents` に Base64 で添付できます（{usage.DOCUMENT_RULE}。"
        "種類はファイルの内容で判定）。"
    ),
)
def apply_usage_password(
    request: HttpRequest, actor: User, response: HttpResponse, body: UsagePasswordIn, *, line: Line
) -> Any:
    application = applications.apply_usage_password(
        actor=actor,
        supply_point_number=body.supply_point_number,
        purpose=body.purpose,
        line=line.key,
        valid_until=body.valid_until,
        valid_days=body.valid_days,
        documents=[_document(document) for document in body.documents],
    )
    return answered(response, application, 202)


def _document(document: UsageDocumentIn) -> usage.Document:
    """A document of the API: its base64 content decoded, or a refusal naming the file."""
    try:
        data = base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            f"「{document.name}」の content_base64 がBase64として読めません"
            "（改行や空白を含めずに指定してください）。",
            code="usage_document_base64",
            field="documents",
        ) from None
    return usage.Document(name=document.name, data=data)


@operations(
    "get",
    "/usage-passwords/{reception_number}",
    Business.USAGE_PASSWORD,
    suffix="result",
    summary="使用量情報照会申請の回答 ({function})",
    response={200: UsagePasswordResult, **problems(403, 404)},
    description=(
        "使用量情報照会申請の状況と回答（パスワードと有効期限）、添付した本人確認書類の一覧（名前・種類・サイズ）です。"
        "申請した事業者だけが読めます（他の事業者には 404）。パスワードの閲覧は利用目的とともに記録されます。"
    ),
)
def usage_password_result(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    application = selectors.application_for(
        actor=actor, reception_number=reception_number, kind=Kind.USAGE_PASSWORD
    )
    filed_through(line, application)
    return {
        "application": application_status(application),
        "result": selectors.application_result(actor=actor, application=application),
        "documents": selectors.usage_documents(actor=actor, application=application),
    }


@operations(
    "post",
    "/usage-retrievals",
    Business.USAGE_RETRIEVE,
    response={202: ApplicationStatus, **problems(403, 404, 422)},
    description=(
        "使用量情報照会申請の回答のパスワード（自社の申請のもの、または申請した事業者から受け取ったもの）で"
        "13か月分の使用量を照会します。期限切れ・誤りのパスワードは不備"
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
    description=(
        "使用量情報照会の状況と回答です。`result.usage` に月別（monthly: 13か月）、スマートメーターは30分値"
        "（half_hourly: 日ごとに48コマのkWh）。契約名義の変更より前の月は提供されず、"
        "`withheld_before`（この日より前は提供なし）と `notice` で示されます。"
        "閲覧は利用目的とともに記録されます。"
    ),
)
def usage_retrieval_result(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    return _result(actor, reception_number, Kind.USAGE_RETRIEVE, line)
