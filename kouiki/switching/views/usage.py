"""使用量情報照会's screens beyond its forms (SW-L03, SW-H02; ADR 29): the usage an application
retrieved, as a chart beside its table — 13 months of bars, the 30-minute profile of a chosen day —
and as CSV; and what the usage-password application's answer shows its filer.

The charts are inline SVG drawn on the server (core.charts): no script (the CSP allows no inline
script and no CDN), readable without one, with a title and a description for screen readers and the
table beside them holding the same figures. Every read of the usage is a read of personal data, recorded with
the purpose named when filing (selectors.application_result)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from kouiki.core.charts import BarChart, bar_chart
from kouiki.core.csvio import csv_response, write_csv
from kouiki.core.errors import NotFound
from kouiki.switching import selectors
from kouiki.switching.models import Application, Kind
from kouiki.switching.services.lines import Business, Line
from kouiki.switching.views.common import line_screen

if TYPE_CHECKING:
    from kouiki.identity.models import User

SLOT_LABELS = [
    f"{slot // 2:02d}:{(slot % 2) * 30:02d}-{(slot + 1) // 2:02d}:{((slot + 1) % 2) * 30:02d}"
    for slot in range(48)
]


def _chart(title: str, description: str, values: list[tuple[str, float]], every: int) -> BarChart:
    return bar_chart(
        title=title,
        description=description,
        categories=[label for label, _kwh in values],
        series=[("使用量", [kwh for _label, kwh in values])],
        every=every,
        unit=" kWh",
    )


def _day(request: HttpRequest, days: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The day of the 30-minute profile: the one asked for (?day=YYYY-MM-DD), else the last."""
    if not days:
        return None
    asked = request.GET.get("day", "")
    return next((day for day in days if day["date"] == asked), days[-1])


def usage_context(request: HttpRequest, usage: dict[str, Any]) -> dict[str, Any]:
    """What the application screen shows of a retrieval's usage: the monthly chart and table, and
    for a smart meter the chosen day's 30-minute chart and table."""
    monthly = [(str(row["month"]).replace("-", "/"), float(row["kwh"])) for row in usage.get("monthly", [])]
    context: dict[str, Any] = {
        "monthly_chart": _chart(
            "月別使用量（kWh）",
            f"{len(monthly)}か月分の月別使用量の棒グラフ。数値は下の表にあります。",
            monthly,
            every=1,
        ),
    }
    days = usage.get("half_hourly") or []
    chosen = _day(request, days)
    if chosen is not None:
        shown = date.fromisoformat(chosen["date"])
        values = [(SLOT_LABELS[slot], float(kwh)) for slot, kwh in enumerate(chosen["kwh"])]
        context.update(
            {
                "day": shown,
                "first_day": days[0]["date"],
                "last_day": days[-1]["date"],
                "day_total": round(sum(kwh for _label, kwh in values), 2),
                "day_rows": values,
                "day_chart": _chart(
                    f"{shown:%Y年%m月%d日}の30分値（kWh）",
                    "48コマ（0:00〜24:00、30分ごと）の使用量の棒グラフ。数値は下の表にあります。",
                    [(label[:5], kwh) for label, kwh in values],
                    every=6,
                ),
            }
        )
    return context


def password_context(actor: User, application: Application) -> dict[str, Any]:
    """What a usage-password application's screen shows its filer besides the answer: the identity
    documents it attached (names and sizes; their contents are never served back)."""
    if application.kind != Kind.USAGE_PASSWORD:
        return {}
    return {"documents": selectors.usage_documents(actor=actor, application=application)}


def _usage_of(actor: User, line: Line, reception_number: str) -> tuple[Application, dict[str, Any]]:
    application = selectors.application_for(
        actor=actor, reception_number=reception_number, kind=Kind.USAGE_RETRIEVE, line=line.key
    )
    usage = selectors.application_result(actor=actor, application=application).get("usage")
    if not isinstance(usage, dict):
        raise NotFound("この申請には使用量の回答がありません。", code="usage_not_answered")
    return application, usage


MONTHLY_HEADER = ["供給地点特定番号", "年月", "使用量（kWh）"]
HALF_HOURLY_HEADER = ["供給地点特定番号", "日付", *SLOT_LABELS, "日計（kWh）"]


@line_screen(Business.USAGE_RETRIEVE)
@require_GET
def usage_csv(request: HttpRequest, actor: User, line: Line, reception_number: str) -> HttpResponse:
    """The retrieved usage as CSV (UTF-8 with BOM, CRLF: Excel opens it): monthly, or with
    ``?part=half_hourly`` one row per day of 48 half hours and the day's total. The read is
    recorded as the screen's is."""
    application, usage = _usage_of(actor, line, reception_number)
    number = application.supply_point.number
    if request.GET.get("part") == "half_hourly":
        days = usage.get("half_hourly") or []
        if not days:
            raise NotFound(
                "この供給地点の計器はスマートメーターではないため、30分値はありません。",
                code="no_half_hourly",
            )
        rows = [[number, day["date"], *day["kwh"], round(sum(day["kwh"]), 2)] for day in days]
        data = write_csv(rows, HALF_HOURLY_HEADER)
        return csv_response(f"使用量30分値_{number}_{application.reception_number}.csv", data)
    data = write_csv([[number, row["month"], row["kwh"]] for row in usage.get("monthly", [])], MONTHLY_HEADER)
    return csv_response(f"使用量月別_{number}_{application.reception_number}.csv", data)
