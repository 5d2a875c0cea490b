"""低圧 functions forwarded to the operator: SW-L01 設備情報照会, SW-L02 / SW-L03 使用量情報照会,
SW-L04 再点, SW-L05 廃止・撤去, SW-L12 アンペア変更, SW-L13 需要者情報変更. Each change has a
confirmation step; the answer is read on the application's status screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from kouiki.identity.access import function_required
from kouiki.switching import forms
from kouiki.switching.services import applications
from kouiki.switching.views.common import confirmed

if TYPE_CHECKING:
    from kouiki.identity.models import User

SENT = "受付番号 {number} で受け付け、一般送配電事業者へ送信しました。処理状況はこの画面で確認できます。"


@function_required("SW-L01")
@require_http_methods(["GET", "POST"])
def facility_inquiry(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L01",
        form_class=forms.FacilityInquiryForm,
        submit=lambda user, data: applications.inquire_facility(actor=user, **data),
        check=lambda user, data: applications.check_inquiry(actor=user, **data),
        done=SENT,
        intro="供給地点の設備情報（託送契約高、電流上限値、計器情報、検針日など）を一般送配電事業者に照会します。",
    )


@function_required("SW-L02")
@require_http_methods(["GET", "POST"])
def usage_password(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L02",
        form_class=forms.UsagePasswordForm,
        submit=lambda user, data: applications.apply_usage_password(actor=user, **data),
        check=lambda user, data: applications.check_inquiry(actor=user, **data),
        done=SENT,
        intro=(
            "使用量情報を照会するためのパスワードを申請します。パスワードは一般送配電事業者から需要者さまへ"
            "通知されます（有効期限1か月）。需要者さまからお聞きのうえ「使用量情報照会」で入力してください。"
        ),
    )


@function_required("SW-L03")
@require_http_methods(["GET", "POST"])
def usage_retrieve(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L03",
        form_class=forms.UsageRetrieveForm,
        submit=lambda user, data: applications.retrieve_usage(actor=user, **data),
        check=lambda user, data: applications.check_inquiry(actor=user, **data),
        done=SENT,
        intro="需要者さまから伝えられたパスワードで、過去13か月の使用量を取得します。",
    )


@function_required("SW-L04")
@require_http_methods(["GET", "POST"])
def reconnect(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L04",
        form_class=forms.ReconnectForm,
        submit=lambda user, data: applications.apply_reconnection(actor=user, **data),
        check=lambda user, data: applications.check_reconnection(actor=user, **data),
        done=SENT,
        intro="停止中の供給地点の送電再開（再点）を申し込みます。現在の小売電気事業者のみ申し込めます。",
    )


@function_required("SW-L05")
@require_http_methods(["GET", "POST"])
def abolish(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L05",
        form_class=forms.AbolishForm,
        submit=lambda user, data: applications.apply_abolition(actor=user, **data),
        check=lambda user, data: applications.check_abolition(actor=user, **data),
        done=SENT,
        intro="供給地点の廃止（設備の撤去あり・なし）を申し込みます。現在の小売電気事業者のみ申し込めます。",
    )


@function_required("SW-L12")
@require_http_methods(["GET", "POST"])
def ampere_change(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L12",
        form_class=forms.AmpereChangeForm,
        submit=lambda user, data: applications.apply_ampere_change(actor=user, **data),
        check=lambda user, data: applications.check_ampere_change(actor=user, **data),
        done=SENT,
        intro=(
            "契約電流（アンペア）の変更を申し込みます。アンペアブレーカーを用いるエリアのみ申し込めます"
            "（関西・中国・四国・沖縄エリアは対象外）。"
        ),
    )


@function_required("SW-L13")
@require_http_methods(["GET", "POST"])
def customer_change(request: HttpRequest, actor: User) -> HttpResponse:
    return confirmed(
        request,
        actor,
        function_id="SW-L13",
        form_class=forms.CustomerChangeForm,
        submit=lambda user, data: applications.apply_customer_change(actor=user, **data),
        check=lambda user, data: applications.check_customer_change(actor=user, **data),
        done=SENT,
        intro="需要者さまの氏名・住所・電話番号・契約番号の変更を申し込みます。変更する項目のみ入力してください。",
    )
