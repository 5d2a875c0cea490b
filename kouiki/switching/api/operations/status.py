"""業務処理状況確認 of each line: one application (SW-L14, SW-H11, SW-F11), many (SW-L15, SW-H12,
SW-F12: by numbers, as a list, as CSV). A line answers for the applications of the points it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.core.csvio import Encoding, csv_response
from kouiki.core.schemas import IsoDate
from kouiki.switching import selectors
from kouiki.switching.api.common import LineOperations
from kouiki.switching.api.present import STATUS_COLUMNS, application_status
from kouiki.switching.api.schemas import (
    KIND_VALUES,
    ApplicationPage,
    ApplicationStatus,
    ReceptionNumberPath,
    StatusesIn,
    StatusesOut,
)
from kouiki.switching.selectors import exports
from kouiki.switching.services import lines
from kouiki.switching.services.lines import Business

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

operations = LineOperations()


@operations(
    "post",
    "/applications/statuses",
    Business.STATUS_MANY,
    response={200: StatusesOut, **problems(403, 422)},
    description=(
        "受付番号を最大1,000件指定し、自社の申請の処理状況を指定順に返します。"
        "見つからない番号は found=false です。"
    ),
)
def application_statuses(request: HttpRequest, actor: User, body: StatusesIn, *, line: Line) -> Any:
    found = selectors.statuses_for(
        actor=actor, reception_numbers=body.reception_numbers, columns=STATUS_COLUMNS, line=line.key
    )
    return {
        "results": [
            {
                "reception_number": number,
                "found": application is not None,
                "application": application_status(application) if application is not None else None,
            }
            for number, application in found
        ]
    }


@operations(
    "get",
    "/applications/{reception_number}",
    Business.STATUS,
    response={200: ApplicationStatus, **problems(403, 404)},
    description="受付番号で指定した自社の申請の処理状況（状態・受付工程・日時・不備の内容）を返します。",
)
def application_status_single(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    found = selectors.application_for(
        actor=actor, reception_number=reception_number, columns=STATUS_COLUMNS, line=line.key
    )
    return application_status(found)


class ApplicationQuery(Schema):
    business: KIND_VALUES | None = Field(None, description="業務で絞り込み")
    application_type: str = Field(
        "", pattern="^(|0[1-8]|1[2-7])$", description="申込種別（01〜08、FIT 12〜17）で絞り込み"
    )
    kind: str = Field(
        "",
        pattern="^(|0[1-9]|1[02-7]|20)$",
        description="旧来の申請種別コードで絞り込み（互換のため。`business` / `application_type` を推奨）",
        json_schema_extra={"deprecated": True},
    )
    state: str = Field(
        "", pattern="^(|received|processing|completed|defective|cancelled)$", description="状態で絞り込み"
    )
    date_from: IsoDate | None = Field(None, description="受付日（から） YYYY-MM-DD")
    date_to: IsoDate | None = Field(None, description="受付日（まで） YYYY-MM-DD")
    supply_point_number: str = Field(
        "", max_length=40, description="供給地点特定番号（全部または一部）で絞り込み"
    )
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


def _applications(user: Any, query: ApplicationQuery, line: Line) -> Any:
    kind, application_type = lines.from_legacy_kind(query.kind) if query.kind else ("", "")
    return selectors.applications_for(
        actor=user,
        line=line.key,
        kind=query.business or kind,
        application_type=query.application_type or application_type,
        state=query.state,
        date_from=query.date_from,
        date_to=query.date_to,
        supply_point_number=query.supply_point_number,
    )


@operations(
    "get",
    "/applications",
    Business.STATUS_MANY,
    suffix="list",
    summary="業務処理状況一覧 ({function})",
    response={200: ApplicationPage, **problems(403)},
    description=(
        "自社の{label}の申請の一覧です（受付の新しい順）。種別・状態・受付日・{point}で絞り込めます。"
    ),
)
def list_applications(
    request: HttpRequest, actor: User, query: Query[ApplicationQuery], *, line: Line
) -> Any:
    found = _applications(actor, query, line)
    rows = found[query.offset : query.offset + query.limit]
    return {
        "applications": [application_status(application) for application in rows],
        "count": found.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


# The web's limit too (kouiki.switching.views.status): a bigger list is narrowed by its filters.
CSV_MAX_ROWS = 100_000


class CsvQuery(ApplicationQuery):
    encoding: str = Field("utf-8", pattern="^(utf-8|cp932)$", description="utf-8（BOM付き）または cp932")


@operations(
    "get",
    "/applications.csv",
    Business.STATUS_MANY,
    suffix="csv",
    summary="業務処理状況一覧のCSV ({function})",
    response={200: None, **problems(403, 422)},
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV（UTF-8 BOM付き、CRLF）",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
    description="自社の申請の一覧をCSVで返します（不備の内容・廃止取次番号を含む。最大100,000件）。",
)
def applications_csv(
    request: HttpRequest, actor: User, query: Query[CsvQuery], *, line: Line
) -> HttpResponse:
    found = _applications(actor, query, line)[:CSV_MAX_ROWS]
    encoding: Encoding = "cp932" if query.encoding == "cp932" else "utf-8-sig"
    # The same file as the web's download (kouiki.switching.selectors.exports).
    data = exports.applications_csv(found.iterator(chunk_size=2000), encoding=encoding)
    return csv_response(f"applications_{timezone.localdate():%Y%m%d}.csv", data, encoding=encoding)
