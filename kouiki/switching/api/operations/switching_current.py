"""スイッチング(現小売): 廃止取次照会 (SW-L09, SW-H07, SW-F07), 廃止取次判断 (SW-L10, SW-H08,
SW-F08), スイッチング廃止申請 (SW-L11, SW-H09, SW-F09) with its 取消 — on every line that switches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query

from kouiki.core.api import problems
from kouiki.switching import selectors
from kouiki.switching.api.common import LineOperations
from kouiki.switching.api.operations.switching_new import (
    PurposeQuery,
    SwitchQuery,
    own_application,
    party_switch_detail,
    switch_page,
)
from kouiki.switching.api.present import answered, application_status, switch_summary
from kouiki.switching.api.schemas import (
    ApplicationStatus,
    DecisionIn,
    ReceptionNumberPath,
    SwitchAbolishIn,
    SwitchDetail,
    SwitchNumberPath,
    SwitchPage,
    SwitchSummary,
)
from kouiki.switching.models import Kind
from kouiki.switching.services import applications, switch_pairs, switches
from kouiki.switching.services.lines import Business

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.services.lines import Line

operations = LineOperations()


@operations(
    "get",
    "/received-cancel-forwards",
    Business.CANCEL_FORWARD_INQUIRY,
    suffix="list",
    summary="スイッチング廃止取次照会（一覧） ({function})",
    response={200: SwitchPage, **problems(403)},
    description=(
        "自社（現小売）が受けた廃止取次の一覧です（新しい順）。state=requested で判断待ちを絞り込めます。"
    ),
)
def list_received_cancel_forwards(
    request: HttpRequest, actor: User, query: Query[SwitchQuery], *, line: Line
) -> Any:
    found = selectors.switches_received(
        actor=actor, state=query.state, supply_point_number=query.supply_point_number, line=line.key
    )
    return switch_page(found, query)


@operations(
    "get",
    "/received-cancel-forwards/{switch_number}",
    Business.CANCEL_FORWARD_INQUIRY,
    response={200: SwitchDetail, **problems(403, 404, 422)},
    description=(
        "廃止取次番号で指定した、自社が受けた廃止取次と新小売が登録した本人確認情報です。"
        "`identification_check` に、本人確認情報と{point}の登録内容（自社の登録）を項目ごとに並べ、"
        "一致・不一致を示します（全角・半角、空白、ハイフンの違いは問いません）。これを見て取次の可否を判断します。"
        "利用目的（purpose）は必須で、閲覧はその目的とともに記録されます。"
        "手続が終了した案件では、自社が{point}の現小売である場合を除き、本人確認情報は null です。"
    ),
)
def received_cancel_forward(
    request: HttpRequest,
    actor: User,
    query: Query[PurposeQuery],
    switch_number: SwitchNumberPath,
    *,
    line: Line,
) -> Any:
    return party_switch_detail(actor, switch_number, query.purpose, "current", line)


@operations(
    "post",
    "/received-cancel-forwards/{switch_number}/decision",
    Business.DECISION,
    response={200: SwitchSummary, **problems(403, 404, 409, 422)},
    description=(
        "現小売として取次の可否を、自社の担当者とともに登録します。NG のときは理由（`ng_reasons`: 定められた"
        "理由から1つ以上、同時に複数可）と詳細（ng_text）が必要です。理由は名称とともに新小売へ返されます。"
        "判断は一度だけです。"
    ),
)
def decide_cancel_forward(
    request: HttpRequest, actor: User, body: DecisionIn, switch_number: SwitchNumberPath, *, line: Line
) -> Any:
    decided = switches.decide_cancel_forward(
        actor=actor,
        switch_number=switch_number,
        decision=body.decision,
        ng_reasons=body.ng_reasons or (),
        ng_reason=body.ng_reason or "",
        ng_text=body.ng_text,
        current_contact_name=body.current_contact_name or "",
        current_contact_phone=body.current_contact_phone or "",
        line=line.key,
    )
    return switch_summary(decided)


@operations(
    "post",
    "/switch-abolitions",
    Business.SWITCH_ABOLISH,
    response={202: ApplicationStatus, **problems(403, 404, 409, 422)},
    description=(
        "取次OKの後、現小売のスイッチング廃止申請を行います。新小売の開始申請と揃うと突合され、"
        "一般送配電事業者へ送られます。"
    ),
)
def apply_switching_abolish(
    request: HttpRequest, actor: User, response: HttpResponse, body: SwitchAbolishIn, *, line: Line
) -> Any:
    application = switch_pairs.apply_switching_abolish(
        actor=actor, switch_number=body.switch_number, line=line.key
    )
    return answered(response, application, 202)  # as filed and, once matched, forwarded


@operations(
    "post",
    "/switch-abolitions/{reception_number}/cancellation",
    Business.SWITCH_ABOLISH,
    suffix="cancel",
    summary="スイッチング廃止申請の取消 ({function})",
    response={200: ApplicationStatus, **problems(403, 404, 409)},
    description="突合前に限り、スイッチング廃止申請を取り消します。",
)
def cancel_switching_abolish(
    request: HttpRequest, actor: User, reception_number: ReceptionNumberPath, *, line: Line
) -> Any:
    own_application(actor, reception_number, Kind.SWITCH_ABOLISH, line)
    applications.cancel_application(actor=actor, reception_number=reception_number)
    return application_status(selectors.application_for(actor=actor, reception_number=reception_number))
