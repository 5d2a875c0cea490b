"""The functions forwarded to the operator, one screen each for every line that has it
(services/lines.py): 設備情報照会 (SW-L01, SW-F01), 使用量情報照会 password and retrieval (SW-L02,
SW-L03, SW-H01, SW-H02), 再点 (SW-L04, SW-F02), 廃止・撤去 (SW-L05, SW-H03, SW-F03), アンペア変更
(SW-L12), 需要者情報変更 / 発電者情報変更 (SW-L13, SW-H10, SW-F10). Each change has a confirmation
step; the answer is read on the application's status screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from kouiki.switching import forms
from kouiki.switching.services import applications
from kouiki.switching.services.lines import FIT, Business, Line
from kouiki.switching.views.common import confirmed, line_screen

if TYPE_CHECKING:
    from kouiki.identity.models import User

SENT = "受付番号 {number} で受け付け、一般送配電事業者へ送信しました。処理状況はこの画面で確認できます。"


@line_screen(Business.FACILITY_INQUIRY)
@require_http_methods(["GET", "POST"])
def facility_inquiry(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.FACILITY_INQUIRY,
        form_class=forms.FacilityInquiryForm,
        submit=lambda user, data: applications.inquire_facility(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_inquiry(
            actor=user, line=line.key, business=Business.FACILITY_INQUIRY, **data
        ),
        done=SENT,
        intro=(
            f"{line.point_label}の設備情報（託送契約高、電流上限値、計器情報、検針日など）を"
            "一般送配電事業者に照会します。"
        ),
    )


@line_screen(Business.USAGE_PASSWORD)
@require_http_methods(["GET", "POST"])
def usage_password(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    files = request.FILES

    class WithFiles(forms.UsagePasswordForm):
        """The form given the request's files (the confirmation step keeps them aside)."""

        def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
            super().__init__(data, files if data is not None else None, *args, **kwargs)

    return confirmed(
        request,
        actor,
        line=line,
        business=Business.USAGE_PASSWORD,
        form_class=WithFiles,
        submit=lambda user, data: applications.apply_usage_password(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_inquiry(
            actor=user, line=line.key, business=Business.USAGE_PASSWORD, **data
        ),
        done=SENT,
        intro=(
            "使用量情報を照会するためのパスワードを申請します。パスワードは一般送配電事業者の回答として"
            "この申請の処理結果に表示されます（有効期限は申請日から1か月以内で指定、省略時は1か月）。"
            "有効期限内は、パスワードを伝えた他の事業者も使用量を照会できます。"
            f"{line.customer_label}さまの本人確認書類を添付できます（申請した事業者以外には表示されません）。"
        ),
        template="switching/usage_password_form.html",
    )


@line_screen(Business.USAGE_RETRIEVE)
@require_http_methods(["GET", "POST"])
def usage_retrieve(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.USAGE_RETRIEVE,
        form_class=forms.UsageRetrieveForm,
        submit=lambda user, data: applications.retrieve_usage(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_inquiry(
            actor=user, line=line.key, business=Business.USAGE_RETRIEVE, **data
        ),
        done=SENT,
        intro=(
            "使用量情報照会申請の回答のパスワード（他の事業者から伝えられたものも有効期限内なら使えます）で、"
            "過去13か月の使用量を取得します。スマートメーターの地点は30分値も取得します。"
        ),
    )


@line_screen(Business.RECONNECT)
@require_http_methods(["GET", "POST"])
def reconnect(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    graduated = "FIT卒業電源の受電地点のみ申し込めます。" if line.key == FIT else ""
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.RECONNECT,
        form_class=forms.ReconnectForm,
        submit=lambda user, data: applications.apply_reconnection(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_reconnection(actor=user, line=line.key, **data),
        done=SENT,
        intro=(
            f"停止中の{line.point_label}の送電再開（再点）を申し込みます。現在の小売電気事業者のみ申し込めます。"
            + graduated
        ),
    )


@line_screen(Business.ABOLISH)
@require_http_methods(["GET", "POST"])
def abolish(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    removal = (
        "設備の撤去を伴う廃止（撤去あり）のみ申し込めます。"
        if forms.AbolishForm(line=line).removal_only
        else "設備の撤去あり・なしを選択してください。"
    )
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.ABOLISH,
        form_class=forms.AbolishForm,
        submit=lambda user, data: applications.apply_abolition(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_abolition(actor=user, line=line.key, **data),
        done=SENT,
        intro=(f"{line.point_label}の廃止を申し込みます。{removal}現在の小売電気事業者のみ申し込めます。"),
    )


@line_screen(Business.AMPERE_CHANGE)
@require_http_methods(["GET", "POST"])
def ampere_change(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.AMPERE_CHANGE,
        form_class=forms.AmpereChangeForm,
        submit=lambda user, data: applications.apply_ampere_change(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_ampere_change(actor=user, line=line.key, **data),
        done=SENT,
        intro=(
            "契約電流（アンペア）の変更を申し込みます。アンペアブレーカーを用いるエリアのみ申し込めます"
            "（関西・中国・四国・沖縄エリアは対象外）。"
        ),
    )


@line_screen(Business.CUSTOMER_CHANGE)
@require_http_methods(["GET", "POST"])
def customer_change(request: HttpRequest, actor: User, line: Line) -> HttpResponse:
    return confirmed(
        request,
        actor,
        line=line,
        business=Business.CUSTOMER_CHANGE,
        form_class=forms.CustomerChangeForm,
        submit=lambda user, data: applications.apply_customer_change(actor=user, line=line.key, **data),
        check=lambda user, data: applications.check_customer_change(actor=user, line=line.key, **data),
        done=SENT,
        intro=(
            f"{line.customer_label}さまの氏名・住所・電話番号・契約番号の変更を申し込みます。"
            "変更する項目のみ入力してください。"
        ),
    )
