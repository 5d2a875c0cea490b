"""Back office: the operations overview (運用状況, X-S1) — the figures staff decide a restriction or
a stop with, as charts drawn on the server with the same figures in tables: the switching
applications filed per day by area and by 業務, the operators' backlog and answer times per area,
the API requests per minute of the busiest participants, and the mails and callbacks that failed.

Every figure is counted by its owner's selector over a bounded window (docs/operations.md, 運用状況)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kouiki.core.calendar import JST, today_jst
from kouiki.core.catalog import implements
from kouiki.core.charts import bar_chart
from kouiki.core.figures import failed_deliveries_per_day
from kouiki.core.japanese import Area
from kouiki.core.systems import System
from kouiki.identity.access import staff_required
from kouiki.identity.selectors import api_request_rates
from kouiki.identity.services.request_limits import rate_text
from kouiki.switching.selectors import KIND_CHOICES
from kouiki.switching.selectors.figures import applications_per_day
from kouiki.tso import selectors as tso

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The windows of the figures: days of applications and failures, days of answered messages,
# minutes of API requests and how many participants are drawn.
DAYS = 14
ANSWER_DAYS = 7
MINUTES = 60
TOP_PARTICIPANTS = 5


def _day_label(day: date) -> str:
    return f"{day.month}/{day.day}"


def _duration(value: timedelta | None) -> str:
    """「2時間05分」「12分30秒」「45秒」; 「—」 for none."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}時間{minutes:02d}分"
    if minutes:
        return f"{minutes}分{seconds:02d}秒"
    return f"{seconds}秒"


def _filed(actor: User, today: date) -> dict[str, Any]:
    """Applications filed per day: by area, and by 業務; each a chart and a table (day × column)."""
    days = [today - timedelta(days=back) for back in range(DAYS - 1, -1, -1)]
    by_area: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    by_kind: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in applications_per_day(actor=actor, days=DAYS, today=today):
        by_area[row.area][row.day] += row.count
        by_kind[row.kind][row.day] += row.count
    labels = [_day_label(day) for day in days]

    def figures(
        columns: list[tuple[str, str]], found: dict[str, dict[date, int]], what: str
    ) -> dict[str, Any]:
        shown = [(value, label) for value, label in columns if value in found]
        series = [(label, [found[value][day] for day in days]) for value, label in shown]
        return {
            "chart": bar_chart(
                title=f"申請件数（日別・{what}別、過去{DAYS}日）",
                description=f"過去{DAYS}日の日ごとの申請件数を{what}別に積み上げた棒グラフ。数値は下の表にあります。",
                categories=labels,
                series=series,
                unit="件",
            ),
            "columns": [label for _value, label in shown],
            "rows": [
                (
                    day,
                    [values[index] for _label, values in series],
                    sum(values[index] for _l, values in series),
                )
                for index, day in enumerate(days)
            ],
        }

    return {
        "by_area": figures(list(Area.choices), by_area, "エリア"),
        "by_kind": figures(list(KIND_CHOICES), by_kind, "業務"),
        "total": sum(sum(per_day.values()) for per_day in by_area.values()),
    }


def _operators() -> dict[str, Any]:
    """The operators' backlog and answer times per area."""
    backlog = tso.backlog_per_area()
    times = tso.answer_times_per_area(days=ANSWER_DAYS)
    names = [Area(row.area).label for row in backlog]
    longest = max((row.p95 for row in times if row.p95 is not None), default=timedelta())
    in_hours = longest >= timedelta(hours=2)
    scale, unit = (3600, "時間") if in_hours else (60, "分")

    def scaled(value: timedelta | None) -> float:
        return round(value.total_seconds() / scale, 2) if value is not None else 0.0

    return {
        "backlog_chart": bar_chart(
            title="送配電事業者への電文の未回答件数（エリア別、現在）",
            description="エリアごとの送信待ちと回答待ちの電文の件数を積み上げた棒グラフ。数値は下の表にあります。",
            categories=names,
            series=[
                ("送信待ち", [float(row.waiting) for row in backlog]),
                ("回答待ち", [float(row.acknowledged) for row in backlog]),
            ],
            unit="件",
        ),
        "backlog": [(Area(row.area).label, row) for row in backlog],
        "backlog_total": sum(row.waiting + row.acknowledged for row in backlog),
        "times_chart": bar_chart(
            title=f"送配電事業者の回答時間（エリア別、過去{ANSWER_DAYS}日、{unit}）",
            description=(
                f"過去{ANSWER_DAYS}日に送信し回答済みの電文の、送信から最終回答までの時間の中央値と"
                "95パーセンタイル値をエリアごとに並べた棒グラフ。数値は下の表にあります。"
            ),
            categories=names,
            series=[
                ("中央値", [scaled(row.median) for row in times]),
                ("95パーセンタイル", [scaled(row.p95) for row in times]),
            ],
            stacked=False,
            unit=unit,
        ),
        "times": [
            (Area(row.area).label, row.answered, _duration(row.median), _duration(row.p95)) for row in times
        ],
    }


def _requests(now: datetime) -> dict[str, Any]:
    """API requests per minute of the busiest participants in the last hour."""
    span, rates = api_request_rates(minutes=MINUTES, top=TOP_PARTICIPANTS)
    minutes = [f"{datetime.fromtimestamp(minute * 60, JST):%H:%M}" for minute in span]
    return {
        "chart": bar_chart(
            title=f"APIの要求数（1分ごと、過去{MINUTES}分、上位{TOP_PARTICIPANTS}事業者）",
            description=(
                f"過去{MINUTES}分の1分ごとのAPI要求数を、要求の多い事業者ごとに積み上げた棒グラフ。"
                "事業者ごとの合計と最大は下の表、1分ごとの数値はその下にあります。"
            ),
            categories=minutes,
            series=[
                (f"{rate.organization.code} {rate.organization.name}", [float(n) for n in rate.per_minute])
                for rate in rates
            ],
            every=10,
            unit="件",
        ),
        "rates": [
            (rate, System(rate.system).label, rate_text(rate.limit), rate.limit != settings.KOUIKI_API_RATE)
            for rate in rates
        ],
        "minutes": [
            (label, [rate.per_minute[index] for rate in rates]) for index, label in enumerate(minutes)
        ],
        "default_rate": rate_text(settings.KOUIKI_API_RATE),
    }


def _failures(today: date) -> dict[str, Any]:
    """Mails and callbacks that failed for good, per day."""
    days = failed_deliveries_per_day(days=DAYS, today=today)
    return {
        "chart": bar_chart(
            title=f"送信に失敗したメールとコールバック（日別、過去{DAYS}日）",
            description=(
                f"過去{DAYS}日に作成され、すべての再試行で送信できなかったメールとコールバックの件数を"
                "日ごとに並べた棒グラフ。数値は下の表にあります。"
            ),
            categories=[_day_label(row.day) for row in days],
            series=[
                ("メール", [float(row.mails) for row in days]),
                ("コールバック", [float(row.callbacks) for row in days]),
            ],
            stacked=False,
            unit="件",
        ),
        "days": days,
        "mails": sum(row.mails for row in days),
        "callbacks": sum(row.callbacks for row in days),
    }


def _links() -> dict[str, str]:
    """The screens the figures call for, those that exist (maintenance and request limits: X-S1)."""
    found = {}
    for name in ("availability", "request_limits", "outbox_list", "tso_messages"):
        try:
            found[name] = reverse(f"backoffice:{name}")
        except NoReverseMatch:
            continue
    return found


@implements("X-S1")
@staff_required
@require_GET
def overview(request: HttpRequest, actor: User) -> HttpResponse:
    """The operations overview: every figure of the page, read when it is asked for."""
    now = timezone.now()
    today = today_jst()
    return render(
        request,
        "backoffice/overview/overview.html",
        {
            "title": "運用状況",
            "read_at": now,
            "filed": _filed(actor, today),
            "operators": _operators(),
            "answer_days": ANSWER_DAYS,
            "requests": _requests(now),
            "failures": _failures(today),
            "days": DAYS,
            "minutes_window": MINUTES,
            "links": _links(),
        },
    )
