"""Back office: closing days of the organization (本機関休業日) and the capacity market system's
service hours they shape (CAP-H1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kouiki.backoffice.services import calendar as services_calendar
from kouiki.core import calendar, service_hours
from kouiki.core.errors import KouikiError
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The days listed ahead with the reason each is closed.
CLOSED_AHEAD_DAYS = 90


class ClosingDayForm(forms.Form):
    day = forms.DateField(
        label="休業日",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "休業日を入力してください。",
            "invalid": "休業日を正しく入力してください。",
        },
    )
    reason = forms.CharField(label="理由", max_length=100, required=False, help_text="例: システム更改作業")

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day < calendar.today_jst():
            raise forms.ValidationError("本日以降の日付を入力してください。")
        return day


def _closed_ahead(closing: list[service_hours.ClosingDayInfo]) -> list[tuple[date, str]]:
    """Each closed weekday of the coming days with why: a holiday, the year-end, a closing day."""
    today = calendar.today_jst()
    set_days = {info.day: info.reason for info in closing}
    found = []
    for offset in range(CLOSED_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        if name := calendar.public_holiday_name(day):
            found.append((day, f"国民の祝日（{name}）"))
        elif calendar.is_closing_day(day):
            found.append((day, "年末年始休業日"))
        elif day in set_days:
            found.append((day, f"本機関休業日{'(' + set_days[day] + ')' if set_days[day] else ''}"))
    return found


@staff_required
@require_http_methods(["GET", "POST"])
def closing_days(request: HttpRequest, actor: User) -> HttpResponse:
    """The closing days set, the form that adds one, and the state of the capacity system now."""
    form = ClosingDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing = services_calendar.add_closing_day(
                actor=actor, day=form.cleaned_data["day"], reason=form.cleaned_data["reason"]
            )
        except KouikiError as error:
            form.add_error("day", error.message)
        else:
            messages.success(request, f"{closing.day:%Y/%m/%d} を休業日に登録しました。")
            return redirect("backoffice:calendar")
    today = calendar.today_jst()
    upcoming = service_hours.closing_days(start=today)
    now = calendar.now_jst()
    is_open = service_hours.is_open(now)
    return render(
        request,
        "backoffice/calendar/closing_days.html",
        {
            "form": form,
            "upcoming": upcoming,
            "past": service_hours.closing_days(
                start=today - timedelta(days=365), end=today - timedelta(days=1)
            ),
            "closed_ahead": _closed_ahead(upcoming),
            "is_open": is_open,
            "next_opening": None
            if is_open
            else service_hours.format_opening(service_hours.next_opening(now)),
            "always_open": service_hours.always_open(),
            "hours_text": service_hours.HOURS_TEXT,
            "title": "休業日（容量市場システムの提供時間）",
        },
    )


@staff_required
@require_POST
def closing_day_remove(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    try:
        closing = services_calendar.remove_closing_day(actor=actor, pk=pk)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{closing.day:%Y/%m/%d} の休業日を削除しました。")
    return redirect("backoffice:calendar")
