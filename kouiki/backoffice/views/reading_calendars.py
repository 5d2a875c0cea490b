"""Back office (送配電連携): the operators' 検針日程 calendars — which months are loaded per area, one
month's dates, and loading them from a CSV (docs/decisions/0025)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from kouiki.core.calendar import today_jst
from kouiki.core.csvio import csv_response
from kouiki.core.errors import KouikiError, NotFound
from kouiki.core.japanese import Area
from kouiki.identity.access import staff_required
from kouiki.tso import selectors
from kouiki.tso.choices import READING_CODES, reading_codes_text
from kouiki.tso.forms import ReadingCalendarImportForm, ReadingCalendarWindowForm
from kouiki.tso.services import reading_calendars

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The months the list shows: this one and the next 13 (as far as the demo loads).
WINDOW_MONTHS = 14


def _months(start: date, count: int) -> list[date]:
    months = [selectors.first_of_month(start)]
    while len(months) < count:
        months.append(selectors.next_month(months[-1]))
    return months


@staff_required
@require_GET
def calendar_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Per area, which months of the window have a calendar; a warning for this month and the next."""
    form = ReadingCalendarWindowForm(request.GET or None)
    this_month = selectors.first_of_month(today_jst())
    start = form.cleaned_data["start"] if form.is_valid() and form.cleaned_data["start"] else this_month
    months = _months(start, WINDOW_MONTHS)
    loaded = {
        (calendar.area, calendar.month): calendar
        for calendar in selectors.reading_calendars(first_month=months[0], last_month=months[-1])
    }
    soon = _months(this_month, 2)
    ready = {
        (calendar.area, calendar.month)
        for calendar in selectors.reading_calendars(first_month=soon[0], last_month=soon[-1])
    }
    missing_soon = [
        (Area(area).label, selectors.month_label(month))
        for area in Area.values
        for month in soon
        if (area, month) not in ready
    ]
    rows = [
        {
            "area": area,
            "label": Area(area).label,
            "codes": reading_codes_text(area),
            "code_count": len(READING_CODES[area]),
            "cells": [(month, loaded.get((area, month))) for month in months],
        }
        for area in Area.values
    ]
    return render(
        request,
        "backoffice/tso/reading_calendars.html",
        {
            "form": form,
            "months": [(month, selectors.month_label(month)) for month in months],
            "rows": rows,
            "missing_soon": missing_soon,
            "title": "検針日程カレンダー（送配電連携）",
        },
    )


def _month_of(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404("年月が正しくありません。") from None


@staff_required
@require_GET
def calendar_detail(request: HttpRequest, actor: User, area: str, month: str) -> HttpResponse:
    """One area's calendar of one month: each 検針日程 and its date."""
    if area not in Area.values:
        raise Http404("エリアが正しくありません。")
    try:
        calendar = selectors.reading_calendar(area=area, month=_month_of(month))
    except NotFound as error:
        raise Http404(error.message) from error
    return render(
        request,
        "backoffice/tso/reading_calendar.html",
        {
            "calendar": calendar,
            "dates": selectors.reading_dates(calendar),
            "title": f"検針日程カレンダー {calendar}",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def calendar_import(request: HttpRequest, actor: User) -> HttpResponse:
    """Load calendars from a CSV; one bad row loads nothing and every bad row is listed."""
    form = ReadingCalendarImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {
        "form": form,
        "header": reading_calendars.HEADER,
        "codes": [(Area(area).label, reading_codes_text(area)) for area in Area.values],
        "title": "検針日程カレンダーの登録（送配電連携）",
    }
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            outcome = reading_calendars.load_reading_calendars(
                actor=actor, data=upload.read(), filename=upload.name, dry_run=dry_run
            )
        except reading_calendars.ReadingCalendarLoadFailed as error:
            context["row_errors"] = error.row_errors
            messages.error(request, error.message)
        except KouikiError as error:
            messages.error(request, error.message)
        else:
            months = len(outcome.planned)
            if dry_run:
                context["preview"] = outcome.planned
                messages.info(
                    request,
                    f"誤りはありません。{months}か月分（{outcome.rows}件）の検針日程カレンダーを登録できます"
                    "（まだ登録していません）。",
                )
            else:
                messages.success(
                    request, f"{months}か月分（{outcome.rows}件）の検針日程カレンダーを登録しました。"
                )
                return redirect("backoffice:tso_reading_calendars")
    return render(request, "backoffice/tso/reading_calendar_import.html", context)


@staff_required
@require_GET
def calendar_template(request: HttpRequest, actor: User) -> HttpResponse:
    return csv_response("検針日程カレンダー_見本.csv", reading_calendars.csv_template())
