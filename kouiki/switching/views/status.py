"""業務処理状況確認 of every line (services/lines.py): one 受付番号 (SW-L14, SW-H11, SW-F11), up to
1,000 (SW-L15, SW-H12, SW-F12), the list of the organization's applications of the line with
filters and its CSV; one application's screen with 訂正 / 取消, under the tab of its line."""

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
from kouiki.switching.services import applications, switches, updates
from kouiki.switching.services.lines import KIND_BUSINESS, Business, Line, line_for_class
from kouiki.switching.views import usage
from kouiki.switching.views.common import (
    PAGE_SIZE,
    application_url,
    confirmed,
    function_title,
    line_screen,
    line_url,
    page,
)
from kouiki.tso.services.gateway import STEP_CODE_NAMES

if TYPE_CHECKING:
    from kouiki.identity.models import User

CSV_LIMIT = 100_000


@line_screen(Business.STATUS_MANY)
@require_GET
def application_list(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """The organization's applications of the line, newest first, by kind, state, dates, point and
    number."""
    form = forms.ApplicationFilterForm(request.GET or None, line=line)
    found = searched(form, partial(selectors.applications_for, actor=actor, line=line.key))
    listing = paginate(request, found, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return page(
        request,
        "switching/application_list.html",
        {"form": form, "page": listing, "query": query.urlencode(), "title": f"{line.label} 申請一覧"},
        line=line,
    )


@line_screen(Business.STATUS_MANY)
@require_GET
def application_csv(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """The same list as CSV (UTF-8 with BOM, or CP932 with ?encoding=cp932), with error reasons and
    廃止取次番号."""
    form = forms.ApplicationFilterForm(request.GET or None, line=line)
    filters = form.filters()
    if filters is None:
        messages.error(request, "検索条件に誤りがあるため、ダウンロードできません。")
        return redirect(line_url(line, "applications"))
    found = selectors.applications_for(actor=actor, line=line.key, **filters)[:CSV_LIMIT]
    encoding: Encoding = "cp932" if request.GET.get("encoding") == "cp932" else "utf-8-sig"
    try:
        data = applications_csv(found, encoding=encoding)
    except KouikiError as error:
        messages.error(request, error.message)
        return redirect(line_url(line, "applications"))
    return csv_response("申請一覧.csv", data, encoding=encoding)


@line_screen(Business.STATUS)
@require_GET
def status(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """業務処理状況確認: one 受付番号 of an application of the line."""
    form = forms.StatusForm(request.GET or None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["reception_number"]
        try:
            application = selectors.application_for(actor=actor, reception_number=number, line=line.key)
        except KouikiError as error:
            form.add_error("reception_number", error.message)
        else:
            return redirect(application_url(application))
    title = function_title(line.function(Business.STATUS))
    return page(request, "switching/status.html", {"form": form, "title": title}, line=line)


@line_screen(Business.STATUS_MANY)
@require_http_methods(["GET", "POST"])
def status_many(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    """業務処理状況確認(複数件): up to 1,000 受付番号; unknown ones, and those of another line, are
    listed as not found."""
    form = forms.StatusManyForm(request.POST or None)
    rows: list[tuple[str, Any]] | None = None
    if form.is_bound and form.is_valid():
        try:
            rows = selectors.statuses_for(actor=actor, reception_numbers=form.numbers(), line=line.key)
        except KouikiError as error:
            form.add_error("reception_numbers", error.message)
    return page(
        request,
        "switching/status_many.html",
        {
            "form": form,
            "rows": rows,
            "not_found": sum(1 for _number, found in rows or [] if found is None),
            "title": function_title(line.function(Business.STATUS_MANY)),
        },
        line=line,
    )


def _elsewhere(application: Application, line: Line, name: str) -> HttpResponse | None:
    """The same screen under the tab of the application's own line, when reached from another."""
    own = line_for_class(application.point_class)
    if own.key == line.key:
        return None
    return redirect(line_url(own, name, application.reception_number))


@line_screen(None)
@require_GET
def application_detail(request: HttpRequest, actor: User, line: Line, reception_number: str) -> HttpResponse:
    """One application: state, 受付工程, dates, errors; the operator's result on request (a read of
    personal data, recorded with the purpose named when filing); 訂正 / 取消 while allowed. The
    customer's identification or new basic info an application carries (20, 07) is not shown here:
    only that it was given (SW-P1 — it is read through the switch's screen or 需要者基本情報照会,
    with a purpose, and recorded)."""
    user = actor
    application = selectors.application_for(actor=user, reception_number=reception_number)
    elsewhere = _elsewhere(application, line, "application_detail")
    if elsewhere is not None:
        return elsewhere
    result = None
    if request.GET.get("result") == "1" and application.result:
        result = selectors.application_result(actor=user, application=application)
        if isinstance(result.get("facility"), dict):
            result["facility_rows"] = _facility_rows(result["facility"], line)
    acts = applications.allowed_acts(application)
    context: dict[str, Any] = {
        "application": application,
        "result": result,
        "result_is_personal": application.kind in selectors.PERSONAL_RESULTS,
        "can_correct": "correct" in acts,
        "can_cancel": "cancel" in acts,
        "step_name": STEP_CODE_NAMES.get(application.step_code, ""),
        "update_flag_name": UPDATE_FLAG_NAMES.get(application.update_flag, application.update_flag),
        "payload_rows": _payload_rows(application, line),
        "payload_is_personal": application.kind in PERSONAL_KINDS,
        "title": f"{application.kind_name} 受付番号 {application.reception_number}",
        # 使用量情報照会: the usage as charts and tables, the documents the filer attached.
        "usage": usage.usage_context(request, result["usage"]) if result and "usage" in result else None,
        **usage.password_context(user, application),
    }
    return page(request, "switching/application_detail.html", context, line=line)


PAYLOAD_LABELS = {
    "purpose": forms.PURPOSE,
    "switch_number": forms.SWITCH_NUMBER.label,
    # A 廃止取次登録's items (the contacts shown, the customer's only as given).
    **{name: facts.label for name, facts in switches.ITEM_FACTS.items() if name != "contract_number"},
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
IDENTIFICATION_KEYS = frozenset(switches.CANCEL_FORWARD_ITEMS) - switches.CONTACT_ITEMS
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


def _facility_rows(facility: dict[str, Any], line: Line) -> list[tuple[str, str]]:
    """The operator's facility items with their seed-004 names (in the line's words) and readable
    values."""
    words = forms.line_words(line)
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
        rows.append((forms.in_words(label, words), "―" if value in (None, "") else str(value)))
    return rows


def _payload_rows(application: Application, line: Line) -> list[tuple[str, str]]:
    """The application's input as shown to its filer (labels in the line's words): the customer's
    identification (a 廃止取次登録) and the new basic info (a 需要者情報変更) only as given — which
    items, not their values."""
    words = forms.line_words(line)
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
        rows.append((forms.in_words(PAYLOAD_LABELS.get(key, key), words), str(value)))
    return rows


UPDATE_FLAG_NAMES = {"1": "1 新規", "2": "2 訂正", "3": "3 取消"}
# 訂正 of what is forwarded to the operator: each kind's form.
OPERATOR_CORRECTIONS: dict[str, type[forms.FunctionForm]] = {
    Kind.RECONNECT: forms.CorrectReconnectForm,
    Kind.ABOLISH: forms.CorrectAbolishForm,
    Kind.ABOLISH_WITH_REMOVAL: forms.CorrectAbolishForm,
    Kind.AMPERE_CHANGE: forms.CorrectAmpereForm,
    Kind.CUSTOMER_CHANGE: forms.CorrectCustomerChangeForm,
}


@line_screen(None)
@require_http_methods(["GET", "POST"])
def application_correct(request: HttpRequest, actor: User, line: Line, reception_number: str) -> HttpResponse:
    """訂正 under the same 受付番号 (a 廃止取次登録 before the decision, a 開始申請 before matching).
    A 廃止取次登録's identification is not shown again (it is personal data, read only with a
    purpose): the filer types the items to change, a blank one stays as registered."""
    application = selectors.application_for(actor=actor, reception_number=reception_number)
    elsewhere = _elsewhere(application, line, "application_correct")
    if elsewhere is not None:
        return elsewhere
    intro = f"受付番号 {application.reception_number} の申請を訂正します（受付番号は変わりません）。"
    if application.kind == Kind.CANCEL_FORWARD:
        form_class: type[forms.FunctionForm] = forms.CorrectCancelForwardForm
        initial: dict[str, Any] = {"desired_date": application.desired_date}
        intro += (
            f"{line.customer_label}の氏名・住所・契約番号は個人情報のため表示しません。"
            "訂正する項目だけを入力してください（空欄の項目は登録どおりです）。"
        )
    elif application.kind == Kind.SWITCH_START:
        form_class = forms.CorrectStartForm
        initial = {"contract_number": application.payload.get("contract_number", "")}
    elif application.kind in OPERATOR_CORRECTIONS:
        # Forwarded to the operator: corrected through it (更新フラグ 2) until it takes it.
        form_class = OPERATOR_CORRECTIONS[application.kind]
        payload = application.payload
        initial = {
            "desired_date": application.desired_date,
            "removal": "yes" if payload.get("removal") else "no",
            "current_limit_a": payload.get("current_limit_a"),
        }
        intro += (
            "一般送配電事業者へ訂正（更新フラグ 2）を送ります。一般送配電事業者が反映すると申請が"
            "訂正後の内容になり、既に処理を開始していた場合は元の内容のまま処理されます"
            "（受付メッセージでお知らせします）。"
        )
        if application.kind == Kind.CUSTOMER_CHANGE:
            intro += "変更後の値は個人情報のため表示しません。訂正する項目だけを入力してください。"
    else:
        messages.error(request, "この申請は訂正できません。")
        return redirect(application_url(application))
    return confirmed(
        request,
        actor,
        line=line,
        business=KIND_BUSINESS[application.kind],
        form_class=form_class,
        submit=lambda user, data: applications.correct_application(
            actor=user, reception_number=application.reception_number, changes=data
        ),
        check=lambda user, data: applications.check_correction(
            actor=user, reception_number=application.reception_number, changes=data
        ),
        done=(
            "受付番号 {number} の訂正を一般送配電事業者へ送りました。"
            "反映されると申請が訂正後の内容になります。"
            if application.kind in OPERATOR_CORRECTIONS
            else "受付番号 {number} の申請を訂正しました。"
        ),
        initial=initial,
        intro=intro,
    )


@line_screen(None)
@require_http_methods(["GET", "POST"])
def application_cancel(request: HttpRequest, actor: User, line: Line, reception_number: str) -> HttpResponse:
    """取消, after a confirmation."""
    user = actor
    application = selectors.application_for(actor=user, reception_number=reception_number)
    elsewhere = _elsewhere(application, line, "application_cancel")
    if elsewhere is not None:
        return elsewhere
    if request.method == "POST":
        try:
            applications.cancel_application(actor=user, reception_number=application.reception_number)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"受付番号 {application.reception_number} の取消を一般送配電事業者へ送りました。"
                if application.kind in updates.UPDATABLE_KINDS
                else f"受付番号 {application.reception_number} の申請を取り消しました。",
            )
        return redirect(application_url(application))
    warning = (
        "廃止取次を取り消すと、このスイッチング案件そのものが終了します。"
        if application.kind == Kind.CANCEL_FORWARD
        else "取り消した申請は元に戻せません。必要なら改めて申請してください。"
    )
    if application.kind in updates.UPDATABLE_KINDS:
        warning += (
            "一般送配電事業者へ取消（更新フラグ 3）を送ります。既に処理を開始していた場合は取り消されず、"
            "受付メッセージでお知らせします。"
        )
    return page(
        request,
        "switching/cancel_confirm.html",
        {
            "application": application,
            "warning": warning,
            "title": f"申請の取消 {application.reception_number}",
        },
        line=line,
    )
