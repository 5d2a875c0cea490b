"""Switching Support System screens (SW-*), mounted at /switching/ (namespace "sw"). The login,
menu, profile and password screens are identity's (namespace "switching")."""

from django.urls import path

from kouiki.switching.views import low, shared, status, switching

app_name = "sw"

urlpatterns = [
    # Tabs
    path("low/", shared.low, name="low"),
    path("high/", shared.high, name="high"),
    path("fit/", shared.fit, name="fit"),
    # 低圧 設備情報照会 / 再点 / 廃止・撤去 / アンペア変更 / 需要者情報変更 (TSO)
    path("low/facility/", low.facility_inquiry, name="facility_inquiry"),
    path("low/usage-password/", low.usage_password, name="usage_password"),
    path("low/usage/", low.usage_retrieve, name="usage_retrieve"),
    path("low/reconnect/", low.reconnect, name="reconnect"),
    path("low/abolish/", low.abolish, name="abolish"),
    path("low/ampere/", low.ampere_change, name="ampere_change"),
    path("low/customer-change/", low.customer_change, name="customer_change"),
    # 低圧 スイッチング
    path("low/switching/new/", switching.cancel_forward_new, name="cancel_forward_new"),
    path("low/switching/filed/", switching.cancel_forwards_filed, name="cancel_forwards_filed"),
    path("low/switching/start/", switching.switch_start, name="switch_start"),
    path("low/switching/received/", switching.cancel_forwards_received, name="cancel_forwards_received"),
    path("low/switching/decide/", switching.cancel_forward_decide, name="cancel_forward_decide"),
    path("low/switching/abolish/", switching.switch_abolish, name="switch_abolish"),
    path("low/switching/<str:number>/", switching.switch_detail, name="switch_detail"),
    # 低圧 業務処理状況確認
    path("low/status/", status.status, name="status"),
    path("low/status/many/", status.status_many, name="status_many"),
    path("low/applications/", status.application_list, name="applications"),
    path("low/applications.csv", status.application_csv, name="applications_csv"),
    path("low/applications/<str:reception_number>/", status.application_detail, name="application_detail"),
    path(
        "low/applications/<str:reception_number>/correct/",
        status.application_correct,
        name="application_correct",
    ),
    path(
        "low/applications/<str:reception_number>/cancel/",
        status.application_cancel,
        name="application_cancel",
    ),
    # 共通, personal data
    path("operators/", shared.operators, name="operators"),
    path("low/customer-info/", shared.basic_info, name="basic_info"),
    path("access-ledger/", shared.ledger, name="ledger"),
]
