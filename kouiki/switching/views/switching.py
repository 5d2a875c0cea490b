"""低圧 スイッチング: the new retailer's SW-L06 廃止取次登録, SW-L07 結果照会, SW-L08 開始申請; the
current retailer's SW-L09 廃止取次照会, SW-L10 判断, SW-L11 廃止申請; one switch's screen for both."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.lists import paginate, searched
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required, function_required, organization_of
from kouiki.switching import forms, selectors
from kouiki.switching.models import Purpose, Switch
from kouiki.switching.services import switch_pairs, switches
from kouiki.switching.views.common import PAGE_SIZE, confirmed, function_title, page

if TYPE_CHECKING:
    from kouiki.identity.models import User


def _switch_url(switch: Switch) -> tuple[str, str]:
    return switch.number, reverse("sw:switch_detail", args=[switch.number])


# --- 新小売 -------------------------------------------------------------------------------------------


@function_required("SW-L06")
@require_http_methods(["GET", "POST"])
def cancel_forward_new(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L06",
        form_class=forms.CancelForwardForm,
        submit=lambda user, data: switches.register_cancel_forward(actor=user, **data),
        check=lambda user, data: switches.check_cancel_forward(actor=user, **data),
        done="廃止取次を受付番号 {number} で登録しました。現小売の取次判断をお待ちください。",
        initial={"supply_point_number": request.GET.get("point", "")},
        intro=(
            "需要者さまから新たに小売供給契約の申込みを受けたとき、現在の小売電気事業者への解約（廃止取次）を"
            "登録します。需要者の氏名・住所・現小売の契約番号は、現小売との契約のとおり入力してください。"
        ),
    )


def _list(request: HttpRequest, actor: User, *, function_id: str, side: str) -> HttpResponse:
    form = forms.SwitchFilterForm(request.GET or None)
    select = selectors.switches_filed if side == "new" else selectors.switches_received
    listing = paginate(request, searched(form, partial(select, actor=actor)), PAGE_SIZE)
    return page(
        request,
        "switching/switch_list.html",
        {"form": form, "page": listing, "side": side, "title": function_title(function_id)},
    )


@function_required("SW-L07")
@require_GET
def cancel_forwards_filed(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-L07: the new retailer's cancel-forwards and the current retailers' decisions."""
    return _list(request, actor, function_id="SW-L07", side="new")


@function_required("SW-L09")
@require_GET
def cancel_forwards_received(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-L09: the cancel-forwards the current retailer has received."""
    return _list(request, actor, function_id="SW-L09", side="current")


class PurposeForm(django_forms.Form):
    purpose = forms.purpose_field()


@enrolled_required(System.SWITCHING)
@require_GET
def switch_detail(request: HttpRequest, actor: User, number: str) -> HttpResponse:
    """One switch for either retailer: its state, dates and decision, its applications, and what
    the viewer may do next. The customer identification shows once a purpose is named (SW-P1), and
    only while the switch is in progress or to the point's current retailer (SW-P2)."""
    user = actor
    switch = selectors.switch_for(actor=user, switch_number=number)
    side = "new" if switch.new_retailer_id == user.organization_id else "current"
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
        "readable": readable,
        "purpose_form": purpose_form,
        "purpose_label": purpose_label,
        "applications": own,
        "can_decide": "decide" in acts,
        "can_start": "start" in acts,
        "can_abolish": "abolish" in acts,
        "title": f"スイッチング案件 {switch.number}",
    }
    return page(request, "switching/switch_detail.html", context)


@function_required("SW-L08")
@require_http_methods(["GET", "POST"])
def switch_start(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L08",
        form_class=forms.SwitchStartForm,
        submit=lambda user, data: switch_pairs.apply_switching_start(actor=user, **data),
        check=lambda user, data: switch_pairs.check_switching_start(actor=user, **data),
        done=(
            "スイッチング開始申請を受付番号 {number} で受け付けました。"
            "現小売の廃止申請と突合のうえ一般送配電事業者へ送信します。"
        ),
        initial={"switch_number": request.GET.get("switch", "")},
        intro="現小売が取次OKと判断した廃止取次について、スイッチング開始を申請します。",
    )


# --- 現小売 -------------------------------------------------------------------------------------------


@function_required("SW-L10")
@require_http_methods(["GET", "POST"])
def cancel_forward_decide(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L10",
        form_class=forms.DecisionForm,
        submit=lambda user, data: switches.decide_cancel_forward(actor=user, **data),
        check=lambda user, data: switches.check_decision(actor=user, **data),
        after=_switch_url,
        done="廃止取次番号 {number} の取次判断を登録しました。",
        initial={"switch_number": request.GET.get("switch", "")},
        intro="受け付けた廃止取次について、取次の可否を判断します。NGの場合は理由を選択し、詳細を入力してください。",
    )


@function_required("SW-L11")
@require_http_methods(["GET", "POST"])
def switch_abolish(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L11",
        form_class=forms.SwitchAbolishForm,
        submit=lambda user, data: switch_pairs.apply_switching_abolish(actor=user, **data),
        check=lambda user, data: switch_pairs.check_switching_abolish(actor=user, **data),
        done=(
            "スイッチング廃止申請を受付番号 {number} で受け付けました。"
            "新小売の開始申請と突合のうえ一般送配電事業者へ送信します。"
        ),
        initial={"switch_number": request.GET.get("switch", "")},
        intro="取次OKとした廃止取次について、貴社の供給の廃止（スイッチング廃止）を申請します。",
    )
