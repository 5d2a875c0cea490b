"""低圧 業務処理状況確認: SW-L14 (one 受付番号), SW-L15 (up to 1,000), the list of the organization's
applications with filters and its CSV, one application's screen with 訂正 / 取消."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.csvio import Encoding, csv_response
from kouiki.core.errors import KouikiError
from kouiki.core.field_facts import field_label
from kouiki.core.japanese import Area
from kouiki.core.lists import paginate, searched
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required, function_required
from kouiki.switching import forms, selectors
from kouiki.switching.models import (
    AbolitionMethod,
    Application,
    ContractDecisionMethod,
    ContractState,
    Kind,
    Purpose,
    SupplyMethod,
    SupplyPoint,
    SupplyPointVersion,
    Voltage,
)
from kouiki.switching.selectors.exports import applications_csv
from kouiki.switching.services import applications, switches
from kouiki.switching.views.common import PAGE_SIZE, confirmed, function_title, page

if TYPE_CHECKING:
    from kouiki.identity.models import User

CSV_LIMIT = 100_000


@function_required("SW-L15")
@require_GET
def application_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The organization's 低圧 applications, newest first, by kind, state, dates, point and number."""
    form = forms.ApplicationFilterForm(request.GET or None)
    found = searched(form, partial(selectors.applications_for, actor=actor))
    listing = paginate(request, found, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "switching/application_list.html",
        {"form": form, "page": listing, "query": query.urlencode(), "title": "低圧 申請一覧"},
    )


@function_required("SW-L15")
@require_GET
def application_csv(request: HttpRequest, actor: User) -> HttpResponse:
    """The same list as CSV (UTF-8 with BOM, or CP932 with ?encoding=cp932), with error reasons and
    廃止取次番号."""
    form = forms.ApplicationFilterForm(request.GET or None)
    filters = form.filters()
    if filters is None:
        messages.error(request, "検索条件に誤りがあるため、ダウンロードできません。")
        return redirect("sw:applications")
    found = selectors.applications_for(actor=actor, **filters)[:CSV_LIMIT]
    encoding: Encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    try:
        data = applications_csv(found, encoding=encoding)
    except KouikiError as error:
        messages.error(request, error.message)
        return redirect("sw:applications")
    return csv_response("申請一覧.csv", data, encoding=encoding)


@function_required("SW-L14")
@require_GET
def status(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-L14 業務処理状況確認: one 受付番号."""
    form = forms.StatusForm(request.GET or None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["reception_number"]
        try:
            application = selectors.application_for(actor=actor, reception_number=number)
        except KouikiError as error:
            form.add_error("reception_number", error.message)
        else:
            return redirect("sw:application_detail", reception_number=application.reception_number)
    return page(request, "switching/status.html", {"form": form, "title": function_title("SW-L14")})


@function_required("SW-L15")
@require_http_methods(["GET", "POST"])
def status_many(request: HttpRequest, actor: User) -> HttpResponse:
    """SW-L15 業務処理状況確認(複数件): up to 1,000 受付番号; unknown ones are listed as such."""
    form = forms.StatusManyForm(request.POST or None)
    rows: list[tuple[str, Any]] | None = None
    if form.is_bound and form.is_valid():
        try:
            rows = selectors.statuses_for(actor=actor, reception_numbers=form.numbers())
        except KouikiError as error:
            form.add_error("reception_numbers", error.message)
    return page(
        request,
        "switching/status_many.html",
        {
            "form": form,
            "rows": rows,
            "not_found": sum(1 for _number, found in rows or [] if found is None),
            "title": function_title("SW-L15"),
        },
    )


@enrolled_required(System.SWITCHING)
@require_GET
def application_detail(request: HttpRequest, actor: User, reception_number: str) -> HttpResponse:
    """One application: state, 受付工程, dates, errors; the operator's result on request (a read of
    personal data, recorded with the purpose named when filing); 訂正 / 取消 while allowed. The
    customer's identification or new basic info an application carries (20, 07) is not shown here:
    only that it was given (SW-P1 — it is read through the switch's screen or 需要者基本情報照会,
    with a purpose, and recorded)."""
    user = actor
    application = selectors.application_for(actor=user, reception_number=reception_number)
    result = None
    if request.GET.get("result") == "1" and application.result:
        result = selectors.application_result(actor=user, application=application)
        if isinstance(result.get("facility"), dict):
            result["facility_rows"] = _facility_rows(result["facility"])
    acts = applications.allowed_acts(application)
    context: dict[str, Any] = {
        "application": application,
        "result": result,
        "result_is_personal": application.kind in (Kind.FACILITY_INQUIRY, Kind.USAGE_RETRIEVE),
        "can_correct": "correct" in acts,
        "can_cancel": "cancel" in acts,
        "payload_rows": _payload_rows(application),
        "payload_is_personal": application.kind in PERSONAL_KINDS,
        "title": f"{application.get_kind_display()} 受付番号 {application.reception_number}",
    }
    return page(request, "switching/application_detail.html", context)


PAYLOAD_LABELS = {
    "purpose": forms.PURPOSE,
    "switch_number": forms.SWITCH_NUMBER.label,
    "customer_name": switches.IDENTIFICATION_FACTS["customer_name"].label,
    "customer_address": switches.IDENTIFICATION_FACTS["customer_address"].label,
    # The current retailer's in a 20, the new retailer's in a 05.
    "contract_number": "契約番号",
    "desired_date": field_label(Application, "desired_date"),
    "removal": "撤去",
    "current_limit_a": "変更後の契約電流（A）",
    "changes": "変更内容",
}


# The kinds whose input holds the customer's basic info: the identification of a 廃止取次登録 (the
# 05's contract_number is the new retailer's own, shown) and the new values of a 需要者情報変更.
PERSONAL_KINDS = frozenset({Kind.CANCEL_FORWARD, Kind.CUSTOMER_CHANGE})
IDENTIFICATION_KEYS = frozenset({"customer_name", "customer_address", "contract_number"})
CHANGE_LABELS = {
    "customer_name": "氏名",
    "customer_address": "住所",
    "customer_phone": "電話番号",
    "contract_number": "契約番号",
}
GIVEN = "入力済み（個人情報のため表示しません）"

FACILITY_LABELS = {
    "supply_point_number": forms.POINT_NUMBER,
    "area": field_label(SupplyPoint, "area"),
    "voltage": field_label(SupplyPoint, "voltage"),
}
FACILITY_CHOICES = {
    "contract_state": ContractState,
    "supply_method": SupplyMethod,
    "contract_decision_method": ContractDecisionMethod,
    "abolition_method": AbolitionMethod,
    "voltage": Voltage,
    "area": Area,
}


def _facility_rows(facility: dict[str, Any]) -> list[tuple[str, str]]:
    """The operator's facility items with their seed-004 names and readable values."""
    rows = []
    for key, value in facility.items():
        try:
            label = field_label(SupplyPointVersion, key)
        except FieldDoesNotExist:
            label = FACILITY_LABELS.get(key, key)
        if key in FACILITY_CHOICES and value not in (None, ""):
            value = dict(FACILITY_CHOICES[key].choices).get(value, value)
        elif key == "meter" and isinstance(value, dict):
            smart = "スマートメーター" if value.get("smart_meter") else "従来型計器"
            value = f"{value.get('meter_number', '')}（{smart}）"
        elif isinstance(value, bool):
            value = "あり" if value else "なし"
        rows.append((label, "―" if value in (None, "") else str(value)))
    return rows


def _payload_rows(application: Application) -> list[tuple[str, str]]:
    """The application's input as shown to its filer: the customer's identification (a 20) and the
    new basic info (a 07) only as given — which items, not their values."""
    hidden = IDENTIFICATION_KEYS if application.kind == Kind.CANCEL_FORWARD else frozenset()
    rows = []
    for key, value in application.payload.items():
        if value in (None, "", {}):
            continue
        if key in hidden:
            value = GIVEN
        elif key == "purpose":
            value = dict(Purpose.choices).get(value, value)
        elif key == "removal":
            value = "あり" if value else "なし"
        elif key == "changes" and isinstance(value, dict):
            items = [label for item, label in CHANGE_LABELS.items() if item in value]
            value = "・".join(items) + "（変更後の値は表示しません）"
        rows.append((PAYLOAD_LABELS.get(key, key), str(value)))
    return rows


@enrolled_required(System.SWITCHING)
@require_http_methods(["GET", "POST"])
def application_correct(request: HttpRequest, actor: User, reception_number: str) -> HttpResponse:
    """訂正 under the same 受付番号 (a 廃止取次登録 before the decision, a 開始申請 before matching).
    A 廃止取次登録's identification is not shown again (it is personal data, read only with a
    purpose): the filer types the items to change, a blank one stays as registered."""
    application = selectors.application_for(actor=actor, reception_number=reception_number)
    intro = f"受付番号 {application.reception_number} の申請を訂正します（受付番号は変わりません）。"
    if application.kind == Kind.CANCEL_FORWARD:
        form_class: type[forms.FunctionForm] = forms.CorrectCancelForwardForm
        initial: dict[str, Any] = {"desired_date": application.desired_date}
        intro += (
            "需要者の氏名・住所・契約番号は個人情報のため表示しません。訂正する項目だけを入力してください"
            "（空欄の項目は登録どおりです）。"
        )
    elif application.kind == Kind.SWITCH_START:
        form_class = forms.CorrectStartForm
        initial = {"contract_number": application.payload.get("contract_number", "")}
    else:
        messages.error(request, "この申請は訂正できません。")
        return redirect("sw:application_detail", reception_number=application.reception_number)
    return confirmed(
        request,
        actor,
        function_id="SW-L06" if application.kind == Kind.CANCEL_FORWARD else "SW-L08",
        form_class=form_class,
        submit=lambda user, data: applications.correct_application(
            actor=user, reception_number=application.reception_number, changes=data
        ),
        check=lambda user, data: applications.check_correction(
            actor=user, reception_number=application.reception_number, changes=data
        ),
        done="受付番号 {number} の申請を訂正しました。",
        initial=initial,
        intro=intro,
    )


@enrolled_required(System.SWITCHING)
@require_http_methods(["GET", "POST"])
def application_cancel(request: HttpRequest, actor: User, reception_number: str) -> HttpResponse:
    """取消, after a confirmation."""
    user = actor
    application = selectors.application_for(actor=user, reception_number=reception_number)
    if request.method == "POST":
        try:
            applications.cancel_application(actor=user, reception_number=application.reception_number)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"受付番号 {application.reception_number} の申請を取り消しました。")
        return redirect("sw:application_detail", reception_number=application.reception_number)
    warning = (
        "廃止取次を取り消すと、このスイッチング案件そのものが終了します。"
        if application.kind == Kind.CANCEL_FORWARD
        else "取り消した申請は元に戻せません。必要なら改めて申請してください。"
    )
    return page(
        request,
        "switching/cancel_confirm.html",
        {
            "application": application,
            "warning": warning,
            "title": f"申請の取消 {application.reception_number}",
        },
    )
