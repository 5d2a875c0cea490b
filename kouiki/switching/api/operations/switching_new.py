"""スイッチング(新小売): 廃止取次登録 (SW-L06, SW-H04, SW-F04) with its 訂正 / 取消, 廃止取次結果照会
(SW-L07, SW-H05, SW-F05), スイッチング開始申請 (SW-L08, SW-H06, SW-F06) with its 訂正 / 取消 — on
every line that switches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from pydantic import Field

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import LineOperations, filed_through
from kouiki.switching.api.present import answered, application_status, switch_detail, switch_summary
from kouiki.switching.api.schemas import (
    PURPOSE_DESCRIPTION,
    PURPOSES,
    ApplicationStatus,
    CancelForwardAnswer,
    CancelForwardCorrection,
    CancelForwardIn,
    ReceptionNumberPath,
    SwitchDetail,
    SwitchNumberPath,
    SwitchPage,
    SwitchStartCorrection,
    SwitchStartIn,
)
from kouiki.switching.models import Kind
from kouiki.switching.services import applications, switch_pairs, switches
from kouiki.switching.services.lines import Business

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

operations = LineOperations()


def own_application(user: Any, reception_number: str, kind: str, line: Line) -> None:
    """The caller's application of `kind`, of a point the line serves for it; any other number is
    NotFound (not "wrong kind")."""
    filed_through(line, selectors.application_for(actor=user, reception_number=reception_number, kind=kind))


@operations(
    "post",
    "/cancel-forwards",
    Business.CANCEL_FORWARD,
    response={201: CancelForwardAnswer, **problems(403, 404, 409, 422)},
    description=(
        "新小売として、{customer}の本人確認情報（氏名・氏名カナ・住所・建物名・現小売の契約番号）と自社の担当者、"
        "希望日を添えて廃止取次を登録します。ハブが確かめるのは{point}、各項目の形式（必須・表示される文字・"
        "長さ・Shift_JIS（CP932）・カナ・電話番号）とスイッチングを始められることで、誤りは 422（項目ごとの"
        "エラー）、既にスイッチング手続中なら 409（`switch_number` に手続中の廃止取次番号）です。"
        "本人確認情報が{point}の登録と一致するかは現小売が照合して判断します（不一致でも登録されます）。"
        "応答の `reception_number` が受付番号、`switch_number` が廃止取次番号です。"
    ),
)
def register_cancel_forward(
    request: HttpRequest, actor: User, response: HttpResponse, body: CancelForwardIn, *, line: Line
) -> Any:
    application = switches.register_cancel_forward(
        actor=actor,
        supply_point_number=body.supply_point_number,
        customer_name=body.customer_name,
        customer_name_kana=body.customer_name_kana or "",
        customer_address=body.customer_address,
        building_name=body.building_name or "",
        contract_number=body.contract_number,
        new_contact_name=body.new_contact_name or "",
        new_contact_phone=body.new_contact_phone or "",
        desired_date=body.desired_date,
        line=line.key,
    )
    answer = answered(response, application, 201)
    answer.value["deadline"] = application.switch.deadline if application.switch else None
    return answer


@operations(
    "post",
    "/cancel-forwards/{reception_number}/correction",
    Business.CANCEL_FORWARD,
    suffix="correct",
    summary="スイッチング廃止取次登録の訂正 ({function})",
    response={200: ApplicationStatus, **problems(403, 404, 409, 422)},
    description=(
        "現小売の判断前に限り、同じ受付番号のまま本人確認情報・担当者・希望日を訂正します（指定した項目のみ。"
        "省略可の項目は null で消去）。"
    ),
)
def correct_cancel_forward(
    request: HttpRequest,
    actor: User,
    body: CancelForwardCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    own_application(actor, reception_number, Kind.CANCEL_FORWARD, line)
    changes = body.model_dump(exclude_unset=True)
    if "desired_date" in changes and changes["desired_date"] is not None:
        changes["desired_date"] = changes["desired_date"].isoformat()
    application = applications.correct_application(
        actor=actor, reception_number=reception_number, changes=changes
    )
    return application_status(
        selectors.application_for(actor=actor, reception_number=application.reception_number)
    )


@operations(
    "post",
    "/cancel-forwards/{reception_number}/cancellation",
    Business.CANCEL_FORWARD,
    suffix="cancel",
    summary="スイッチング廃止取次登録の取消 ({function})",
    response={200: ApplicationStatus, **problems(403, 404, 409)},
    description="開始申請と廃止申請の突合前に限り、廃止取次を取り消します（案件全体が取消になります）。",
)
def cancel_cancel_forward(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    own_application(actor, reception_number, Kind.CANCEL_FORWARD, line)
    applications.cancel_application(actor=actor, reception_number=reception_number)
    return application_status(selectors.application_for(actor=actor, reception_number=reception_number))


class SwitchQuery(Schema):
    state: str = Field(
        "",
        pattern="^(|requested|approved|rejected|matched|completed|failed|cancelled)$",
        description="案件の状態で絞り込み",
    )
    supply_point_number: str = Field(
        "", max_length=40, description="供給地点特定番号（全部または一部）で絞り込み"
    )
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class PurposeQuery(Schema):
    """The purpose of a read that may show the customer identification: required, never assumed."""

    purpose: PURPOSES = Field(description=PURPOSE_DESCRIPTION)


def switch_page(found: Any, query: SwitchQuery) -> dict[str, Any]:
    rows = found[query.offset : query.offset + query.limit]
    return {
        "switches": [switch_summary(switch) for switch in rows],
        "count": found.count(),
        "limit": query.limit,
        "offset": query.offset,
    }


def party_switch_detail(actor: User, switch_number: str, purpose: str, side: str, line: Line) -> Any:
    """A switch with its identification for one side (結果照会 "new", 取次照会 "current"), of a point
    the line switches: another is refused naming the function that serves it, before any read is
    recorded."""
    view = selectors.cancel_forward_detail(
        actor=actor, switch_number=switch_number, purpose=purpose, side=side, line=line.key
    )
    return switch_detail(view)


@operations(
    "get",
    "/cancel-forward-results",
    Business.CANCEL_FORWARD_RESULT,
    suffix="list",
    summary="スイッチング廃止取次結果照会（一覧） ({function})",
    response={200: SwitchPage, **problems(403)},
    description="自社（新小売）が登録した廃止取次と現小売の判断結果の一覧です（新しい順）。",
)
def list_cancel_forward_results(
    request: HttpRequest, actor: User, query: Query[SwitchQuery], *, line: Line
) -> Any:
    found = selectors.switches_filed(
        actor=actor, state=query.state, supply_point_number=query.supply_point_number, line=line.key
    )
    return switch_page(found, query)


@operations(
    "get",
    "/cancel-forward-results/{switch_number}",
    Business.CANCEL_FORWARD_RESULT,
    response={200: SwitchDetail, **problems(403, 404, 422)},
    description=(
        "廃止取次番号で指定した自社の廃止取次の結果（現小売の判断、NG理由（`ng_reasons`: コードと名称）、"
        "予定日、両小売の担当者）と登録した本人確認情報です。供給地点の登録内容との照合（`identification_check`）"
        "は現小売にのみ示され、ここでは null です。"
        "利用目的（purpose）は必須で、本人確認情報の閲覧はその目的とともに記録されます。"
        "手続が終了した案件（取次NG・取消・不備・完了）では、自社が{point}の現小売である場合を除き、"
        "本人確認情報は null です（閲覧も記録されません）。"
    ),
)
def cancel_forward_result(
    request: HttpRequest,
    actor: User,
    query: Query[PurposeQuery],
    switch_number: SwitchNumberPath,
    *,
    line: Line,
) -> Any:
    return party_switch_detail(actor, switch_number, query.purpose, "new", line)


@operations(
    "post",
    "/switch-starts",
    Business.SWITCH_START,
    response={202: ApplicationStatus, **problems(403, 404, 409, 422)},
    description=(
        "現小売の取次OKの後、新小売のスイッチング開始申請を行います。現小売の廃止申請と揃うと突合され、"
        "一般送配電事業者へ送られます（以後は訂正・取消できません）。"
    ),
)
def apply_switching_start(
    request: HttpRequest, actor: User, response: HttpResponse, body: SwitchStartIn, *, line: Line
) -> Any:
    application = switch_pairs.apply_switching_start(
        actor=actor, switch_number=body.switch_number, contract_number=body.contract_number, line=line.key
    )
    return answered(response, application, 202)  # as filed and, once matched, forwarded


@operations(
    "post",
    "/switch-starts/{reception_number}/correction",
    Business.SWITCH_START,
    suffix="correct",
    summary="スイッチング開始申請の訂正 ({function})",
    response={200: ApplicationStatus, **problems(403, 404, 409, 422)},
    description="突合前に限り、同じ受付番号のまま新小売の契約番号を訂正します。",
)
def correct_switching_start(
    request: HttpRequest,
    actor: User,
    body: SwitchStartCorrection,
    reception_number: ReceptionNumberPath,
    *,
    line: Line,
) -> Any:
    own_application(actor, reception_number, Kind.SWITCH_START, line)
    applications.correct_application(
        actor=actor, reception_number=reception_number, changes={"contract_number": body.contract_number}
    )
    return application_status(selectors.application_for(actor=actor, reception_number=reception_number))


@operations(
    "post",
    "/switch-starts/{reception_number}/cancellation",
    Business.SWITCH_START,
    suffix="cancel",
    summary="スイッチング開始申請の取消 ({function})",
    response={200: ApplicationStatus, **problems(403, 404, 409)},
    description="突合前に限り、スイッチング開始申請を取り消します（案件は開始申請待ちに戻ります）。",
)
def cancel_switching_start(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    own_application(actor, reception_number, Kind.SWITCH_START, line)
    applications.cancel_application(actor=actor, reception_number=reception_number)
    return application_status(selectors.application_for(actor=actor, reception_number=reception_number))
