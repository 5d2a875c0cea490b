"""特定地点検索 (SW-W01 低圧, SW-W14 低圧FIT): the screens' search as an API as well (issue 14: the
real system's users asked for it and never got it, so there is no service id to name). One
operation, served on the 低圧 and FIT lines (ADR 31)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.core.schemas import Text
from kouiki.switching.api.common import operation
from kouiki.switching.api.schemas import PURPOSE_DESCRIPTION, PURPOSES
from kouiki.switching.services import search
from kouiki.switching.services.lines import LINES

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

router = Router()

CRITERIA = (
    "住所の一部（{min}文字以上。全角・半角、空白、丁目・番地・番・号とハイフン、漢数字と算用数字の違いは問いません）、"
    "引込柱番号・計器番号（完全一致。全角・半角、空白・ハイフンは問いません）、{customer}氏名（前方一致）の"
    "いずれか一つ以上で検索し、複数指定はすべてを満たす{point}です。"
)


class SearchQuery(Schema):
    address: Text = Field("", max_length=200, description="需要場所住所の一部（例: 丸の内1-9）")
    pole_number: Text = Field("", max_length=40, description="引込柱番号（完全一致）")
    meter_number: Text = Field("", max_length=40, description="計器番号（完全一致）")
    customer_name: Text = Field(
        "",
        max_length=100,
        description=(
            "需要者（FIT: 発電者）氏名の前方一致。自社が現小売、またはスイッチング手続中の新小売である"
            "地点に限られ、purpose が必要です。"
        ),
    )
    purpose: PURPOSES | None = Field(
        None,
        description=PURPOSE_DESCRIPTION
        + "。指定すると、自社が現小売・手続中の新小売である地点に氏名を含めます（閲覧は記録されます）。",
    )


class SearchHit(Schema):
    supply_point_number: str = Field(description="供給地点特定番号（FIT: 受電地点特定番号）")
    area: str = Field(description="エリア（01 北海道 … 10 沖縄）")
    area_label: str
    point_class: str
    point_class_label: str
    contract_state: str = Field(description="in_service 送電中 / stopped 停止中 / abolished 廃止")
    address: str = Field(description="需要場所住所（登録されている表記）")
    pole_number: str
    meter_number: str
    customer_name: str | None = Field(
        description=(
            "氏名。自社が現小売、またはスイッチング手続中の新小売で、purpose を指定したときのみ（他は null）"
        )
    )
    lawful_role: str = Field(description="氏名を含めた根拠: current 現小売 / new 新小売（手続中）/ 空")


class SearchResult(Schema):
    results: list[SearchHit]
    more: bool = Field(description="ほかにも該当があるか（true なら条件を加えて絞り込んでください）")
    limit: int = Field(description="一度に返す最大件数")
    names_withheld: bool = Field(description="氏名を含められる地点があったが purpose がないため含めなかった")


def _search(actor: User, query: SearchQuery, line: Line) -> dict[str, Any]:
    result = search.search(
        actor=actor,
        function_id=search.FUNCTIONS[line.key],
        criteria=search.Criteria(
            address=query.address,
            pole_number=query.pole_number,
            meter_number=query.meter_number,
            customer_name=query.customer_name,
            purpose=query.purpose or "",
        ),
    )
    return {
        "results": [
            {
                "supply_point_number": hit.number,
                "area": hit.area,
                "area_label": hit.area_label,
                "point_class": hit.point_class,
                "point_class_label": hit.class_label,
                "contract_state": hit.contract_state,
                "address": hit.address,
                "pole_number": hit.pole_number,
                "meter_number": hit.meter_number,
                "customer_name": hit.customer_name,
                "lawful_role": hit.lawful_role,
            }
            for hit in result.hits
        ],
        "more": result.more,
        "limit": result.limit,
        "names_withheld": result.names_withheld,
    }


def _description(line: Line) -> str:
    return (
        CRITERIA.format(min=search.MIN_ADDRESS, customer=line.customer_label, point=line.point_label)
        + f"最大{search.LIMIT}件を{line.point_label}特定番号順に返し、ほかにも該当があれば more=true です。"
        "実システムにはないAPIのため `x-occto-service-id` はありません。"
    )


@operation(
    router,
    "get",
    "/supply-points/search",
    "SW-W01",
    line=LINES["low"],
    response={200: SearchResult, **problems(403, 422)},
    description=_description(LINES["low"]),
)
def search_supply_points(request: HttpRequest, actor: User, query: Query[SearchQuery], *, line: Line) -> Any:
    return _search(actor, query, line)


@operation(
    router,
    "get",
    "/fit/receiving-points/search",
    "SW-W14",
    line=LINES["fit"],
    response={200: SearchResult, **problems(403, 422)},
    description=_description(LINES["fit"]),
)
def search_receiving_points(
    request: HttpRequest, actor: User, query: Query[SearchQuery], *, line: Line
) -> Any:
    return _search(actor, query, line)
