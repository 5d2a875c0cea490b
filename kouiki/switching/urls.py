"""Switching Support System screens (SW-*), mounted at /switching/ (namespace "sw"). The login,
menu, profile and password screens are identity's (namespace "switching").

Each line's screens live under its tab's path (/switching/low/, /switching/high/, /switching/fit/):
one screen per 業務, written once, served on every line that has the 業務 and guarded there by the
line's function (views.common.served). The 低圧 URL names are the screens' own (sw:abolish); the
others carry their line's key (sw:high_abolish, sw:fit_abolish)."""

from django.urls import URLPattern, path

from kouiki.switching.services.lines import LINES, Line
from kouiki.switching.views import applications, bulk, incidents, search, shared, status, switching, usage
from kouiki.switching.views.common import View, route_name, served, serves

app_name = "sw"

# (path below the line's, screen, name)
LINE_SCREENS: list[tuple[str, View, str]] = [
    # 設備情報照会 / 使用量情報照会 / 再点 / 廃止・撤去 / アンペア変更 / 需要者(発電者)情報変更 (TSO)
    ("facility/", applications.facility_inquiry, "facility_inquiry"),
    ("usage-password/", applications.usage_password, "usage_password"),
    ("usage/", applications.usage_retrieve, "usage_retrieve"),
    ("applications/<str:reception_number>/usage.csv", usage.usage_csv, "usage_csv"),
    ("reconnect/", applications.reconnect, "reconnect"),
    ("abolish/", applications.abolish, "abolish"),
    ("ampere/", applications.ampere_change, "ampere_change"),
    ("customer-change/", applications.customer_change, "customer_change"),
    # スイッチング
    ("switching/new/", switching.cancel_forward_new, "cancel_forward_new"),
    ("switching/filed/", switching.cancel_forwards_filed, "cancel_forwards_filed"),
    ("switching/start/", switching.switch_start, "switch_start"),
    ("switching/received/", switching.cancel_forwards_received, "cancel_forwards_received"),
    ("switching/decide/", switching.cancel_forward_decide, "cancel_forward_decide"),
    ("switching/abolish/", switching.switch_abolish, "switch_abolish"),
    ("switching/<str:number>/", switching.switch_detail, "switch_detail"),
    # 業務処理状況確認
    ("status/", status.status, "status"),
    ("status/many/", status.status_many, "status_many"),
    ("applications/", status.application_list, "applications"),
    ("applications.csv", status.application_csv, "applications_csv"),
    ("applications/<str:reception_number>/", status.application_detail, "application_detail"),
    ("applications/<str:reception_number>/correct/", status.application_correct, "application_correct"),
    ("applications/<str:reception_number>/cancel/", status.application_cancel, "application_cancel"),
]


def line_patterns(line: Line) -> list[URLPattern]:
    """The line's tab and the screens it serves."""
    return [
        path(f"{line.key}/", served(shared.tab, line), name=line.key),
        *(
            path(f"{line.key}/{route}", served(screen, line), name=route_name(line, name))
            for route, screen, name in LINE_SCREENS
            if serves(screen, line)
        ),
    ]


urlpatterns = [
    *(pattern for line in LINES.values() for pattern in line_patterns(line)),
    # 特定地点検索 (SW-W01 低圧, SW-W14 低圧FIT)
    path("low/search/", search.search_low, name="search"),
    path("fit/search/", search.search_fit, name="fit_search"),
    # 共通, personal data
    path("operators/", shared.operators, name="operators"),
    path("low/customer-info/", shared.basic_info, name="basic_info"),
    path("access-ledger/", shared.ledger, name="ledger"),
    # 漏えい等事案 (SW-P3)
    path("incidents/", incidents.incident_list, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/<slug:act>/", incidents.incident_act, name="incident_act"),
    # 一括処理 (SW-W02..W13, W15..W18): kouiki.bulk's screens
    *bulk.patterns(),
]
