"""スイッチング, one screen each for every line that switches (services/lines.py): the new
retailer's 廃止取次登録 (SW-L06, SW-H04, SW-F04), 結果照会 (SW-L07, SW-H05, SW-F05), 開始申請
(SW-L08, SW-H06, SW-F06); the current retailer's 廃止取次照会 (SW-L09, SW-H07, SW-F07), 判断
(SW-L10, SW-H08, SW-F08), 廃止申請 (SW-L11, SW-H09, SW-F09); one switch's screen for both."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.errors import KouikiError
from kouiki.core.lists import paginate, searched
from kouiki.identity.access import organization_of
from kouiki.switching import forms, selectors
from kouiki.switching.models import Purpose, Switch
from kouiki.switching.services import switch_pairs, switches
from kouiki.switching.services.filing import ng_reason_names
from kouiki.switching.services.lines import FIT, Business, Line, line_for_class
from kouiki.switching.views.common import PAGE_SIZE, confirmed, function_title, line_screen, line_url, page

if TYPE_CHECKING:
    from kouiki.identity.models import User


def _switch_url(switch: Switch) -> tuple[str, str]:
    return switch.number, line_url(line_for_class(switch.point_class), "switch_detail", switch.number)


def _graduated(line: Line) -> str:
    return "FIT卒業電源の受電地点のみ申し込めます。" if line.key == FIT else ""


# --- 新小売 -------------------------------------------------------------------------------------------


@line_screen(Business.CANCEL_FORWARD)
@require_http_methods(["GET", "POST"])
def cancel_forward_new(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    customer = line.customer_label
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.CANCEL_FORWARD,
        form_class=forms.CancelForwardForm,
        submit=lambda user, data: switches.register_cancel_forward(actor=user, line=line.key, **data),
        check=lambda user, data: switches.check_cancel_forward(actor=user, line=line.key, **data),
        done="廃止取次を受付番号 {number} で登録しました。現小売の取次判断をお待ちください。",
        initial={"supply_point_number": request.GET.get("point", "")},
        intro=(
            f"{customer}さまから新たに小売供給契約の申込みを受けたとき、現在の小売電気事業者への解約（廃止取次）を"
            f"登録します。{customer}の氏名・住所・現小売の契約番号は、現小売との契約のとおり入力してください。"
            + _graduated(line)
        ),
    )


def _list(request: HttpRequest, actor: User, line: Line, *, business: Business, side: str) -> HttpResponse:
    form = forms.SwitchFilterForm(request.GET or None, line=line)
    select = selectors.switches_filed if side == "new" else selectors.switches_received
    listing = paginate(request, searched(form, partial(select, actor=actor, line=line.key)), PAGE_SIZE)
    # Each switch with its NG reasons by name, for the table.
    rows = [(switch, ng_reason_names(switch)) for switch in listing.object_list]
    return page(
        request,
        "switching/switch_list.html",
        {
            "form": form,
            "page": listing,
            "rows": rows,
            "side": side,
            "title": function_title(line.function(business)),
        },
        line=line,
    )


@line_screen(Business.CANCEL_FORWARD_RESULT)
@require_GET
def cancel_forwards_filed(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """廃止取次結果照会: the new retailer's cancel-forwards and the current retailers' decisions."""
    return _list(request, actor, line, business=Business.CANCEL_FORWARD_RESULT, side="new")


@line_screen(Business.CANCEL_FORWARD_INQUIRY)
@require_GET
def cancel_forwards_received(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """廃止取次照会: the cancel-forwards the current retailer has received."""
    return _list(request, actor, line, business=Business.CANCEL_FORWARD_INQUIRY, side="current")


class PurposeForm(django_forms.Form):
    purpose = forms.purpose_field()


@line_screen(None)
@require_GET
def switch_detail(request: HttpRequest, actor: User, line: Line, number: str) -> HttpResponse:
    """One switch for either retailer, under the tab of its line: its state, dates and decision,
    its applications, and what the viewer may do next. The customer identification shows once a
    purpose is named (SW-P1), and only while the switch is in progress or to the point's current
    retailer (SW-P2)."""
    user = actor
    switch = selectors.switch_for(actor=user, switch_number=number)
    own_line = line_for_class(switch.point_class)
    if own_line != line:
        return redirect(line_url(own_line, "switch_detail", switch.number))
    side = "new" if switch.new_retailer_id == organization_of(user) else "current"
    readable = selectors.identification_readable(actor=user, switch=switch)
    purpose_form = PurposeForm(request.GET or None, initial={"purpose": Purpose.CANCEL_FORWARD})
    view = None
    purpose_label = ""
    if readable and purpose_form.is_bound and purpose_form.is_valid():
        purpose = purpose_form.cleaned_data["purpose"]
        view = selectors.cancel_forward_detail(actor=user, switch_number=switch.number, purpose=purpose)
        purpose_label = Purpose(purpose).label
    own = (
        view.applications
        if view
        else list(
            switch.applications.filter(organization_id=organization_of(user)).order_by("created_at", "id")
        )
    )
    acts = switches.allowed_acts(actor=user, switch=switch)
    context: dict[str, Any] = {
        "switch": switch,
        "side": side,
        "view": view,
        "purpose": purpose_form.cleaned_data["purpose"] if view else "",
        "ng_reasons": ng_reason_names(switch),
        "readable": readable,
        "purpose_form": purpose_form,
        "purpose_label": purpose_label,
        "applications": own,
        "can_decide": "decide" in acts,
        "can_start": "start" in acts,
        "can_abolish": "abolish" in acts,
        "title": f"スイッチング案件 {switch.number}",
    }
    return page(request, "switching/switch_detail.html", context, line=line)


@line_screen(Business.SWITCH_START)
@require_http_methods(["GET", "POST"])
def switch_start(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.SWITCH_START,
        form_class=forms.SwitchStartForm,
        submit=lambda user, data: switch_pairs.apply_switching_start(actor=user, line=line.key, **data),
        check=lambda user, data: switch_pairs.check_switching_start(actor=user, line=line.key, **data),
        done=(
            "スイッチング開始申請を受付番号 {number} で受け付けました。"
            "現小売の廃止申請と突合のうえ一般送配電事業者へ送信します。"
        ),
        initial={"switch_number": request.GET.get("switch", "")},
        intro="現小売が取次OKと判断した廃止取次について、スイッチング開始を申請します。",
    )


# --- 現小売 -------------------------------------------------------------------------------------------


def _identification_check(request: HttpRequest, actor: User, line: Line) -> Any:
    """The switch the decision screen was opened for (`?switch=`), with what the new retailer sent
    beside the registry, when a purpose was named there (`?purpose=`, carried from the switch's
    screen): a recorded read (SW-P1). None otherwise; a switch that is not the actor's to decide
    shows nothing here (the decision itself refuses it)."""
    number, purpose = request.GET.get("switch", ""), request.GET.get("purpose", "")
    if request.method != "GET" or not number or purpose not in Purpose.values:
        return None
    try:
        return selectors.cancel_forward_detail(
            actor=actor, switch_number=number, purpose=purpose, side="current", line=line.key
        )
    except KouikiError:
        return None


@line_screen(Business.DECISION)
@require_http_methods(["GET", "POST"])
def cancel_forward_decide(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    customer = line.customer_label
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.DECISION,
        form_class=forms.DecisionForm,
        submit=lambda user, data: switches.decide_cancel_forward(actor=user, line=line.key, **data),
        check=lambda user, data: switches.check_decision(actor=user, line=line.key, **data),
        after=_switch_url,
        done="廃止取次番号 {number} の取次判断を登録しました。",
        initial={"switch_number": request.GET.get("switch", "")},
        intro=(
            f"受け付けた廃止取次について、新小売が登録した{customer}の本人確認情報を貴社の契約と照合し、"
            "取次の可否を判断します。NGの場合は理由を1つ以上選択し、詳細を入力してください。"
        ),
        template="switching/decision_form.html",
        shown={"view": _identification_check(request, actor, line)},
    )


@line_screen(Business.SWITCH_ABOLISH)
@require_http_methods(["GET", "POST"])
def switch_abolish(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.SWITCH_ABOLISH,
        form_class=forms.SwitchAbolishForm,
        submit=lambda user, data: switch_pairs.apply_switching_abolish(actor=user, line=line.key, **data),
        check=lambda user, data: switch_pairs.check_switching_abolish(actor=user, line=line.key, **data),
        done=(
            "スイッチング廃止申請を受付番号 {number} で受け付けました。"
            "新小売の開始申請と突合のうえ一般送配電事業者へ送信します。"
        ),
        initial={"switch_number": request.GET.get("switch", "")},
        intro="取次OKとした廃止取次について、貴社の供給の廃止（スイッチング廃止）を申請します。",
    )
