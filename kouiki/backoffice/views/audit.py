"""Back office: the audit log, filtered, paginated, exported as CSV. Staff only, read only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from kouiki.audit import choices as actions
from kouiki.audit import selectors
from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.csvio import csv_response, write_csv
from kouiki.core.errors import NotFound
from kouiki.core.lists import FilterForm, list_page
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
# write_csv builds the file in memory: a bigger export must be narrowed by the filters first.
EXPORT_LIMIT = 50_000


def object_type_choices() -> list[tuple[str, str]]:
    """The kinds of object our apps keep, by their Japanese names."""
    kinds = sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("kouiki.") and not model.__name__.startswith("Historical")
    )
    return [("", "すべて"), *sorted(kinds, key=lambda kind: kind[1])]


class EventFilterForm(FilterForm):
    action = forms.ChoiceField(
        label="操作",
        choices=[("", "すべて"), *actions.grouped_choices()],
        required=False,
        help_text="「（すべて）」はその分類の操作すべてです。",
    )
    organization_code = forms.CharField(label="事業者コード", max_length=8, required=False)
    actor = forms.CharField(label="操作者", max_length=120, required=False, help_text="部分一致")
    object_type = forms.ChoiceField(label="対象種別", choices=object_type_choices, required=False)
    object_id = forms.CharField(label="対象ID", max_length=64, required=False)
    date_from = forms.DateField(
        label="期間（開始日）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label="期間（終了日）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label="キーワード", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "期間の終了日は開始日以降の日付を指定してください。")
        return data

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "action": data["action"].strip() or None,
            "organization_code": data["organization_code"].strip() or None,
            "actor_label": data["actor"].strip() or None,
            "object_type": data["object_type"].strip() or None,
            "object_id": data["object_id"].strip() or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "query": data["q"].strip() or None,
        }


@staff_required
@require_GET
def event_list(request: HttpRequest, actor: User) -> HttpResponse:
    """The audit log, newest first, filtered by the search form."""
    query = request.GET.copy()
    query.pop("page", None)
    return list_page(
        request,
        form=EventFilterForm(request.GET or None),
        select=partial(selectors.events, actor=actor),
        template="backoffice/audit/list.html",
        title="監査ログ",
        context={"export_query": query.urlencode()},
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def event_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One event with every field, and its detail as formatted JSON."""
    try:
        event = selectors.event(actor=actor, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    detail = json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True)
    return render(
        request, "backoffice/audit/detail.html", {"event": event, "detail": detail, "title": "監査ログ詳細"}
    )


# Not "ID" first: Excel takes a file that starts with "ID" for a SYLK file.
CSV_HEADER = [
    "記録ID",
    "日時",
    "操作",
    "システム",
    "操作者ID",
    "操作者",
    "事業者コード",
    "対象種別",
    "対象ID",
    "対象",
    "接続元",
    "ブラウザ",
    "利用目的",
    "詳細",
    # Added last, so that the columns existing readers expect keep their places.
    "操作名",
    "受託者の事業者コード",
]


def _csv_rows(events: QuerySet[Any]) -> Iterator[list[Any]]:
    for event in events.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            event.pk,
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.action,
            event.system,
            event.actor_id,
            event.actor_label,
            event.organization_code,
            event.object_type,
            event.object_id,
            event.object_label,
            event.ip,
            event.user_agent,
            event.purpose,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True) if event.detail else "",
            event.action_label,
            event.contractor_code,
        ]


@staff_required
@require_GET
def event_export(request: HttpRequest, actor: User) -> HttpResponse:
    """The filtered list as CSV (UTF-8 with BOM, CRLF), at most EXPORT_LIMIT rows."""
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    if filters is None:
        return redirect(f"{reverse('backoffice:audit_list')}?{request.GET.urlencode()}")
    events = selectors.events(actor=actor, **filters)
    if events[: EXPORT_LIMIT + 1].count() > EXPORT_LIMIT:
        messages.error(
            request, f"CSV出力は{EXPORT_LIMIT:,}件までです。条件を絞り込んでから出力してください。"
        )
        return redirect(f"{reverse('backoffice:audit_list')}?{request.GET.urlencode()}")
    data = write_csv(_csv_rows(events), CSV_HEADER)
    # Taking a copy of the log is itself an audited act.
    record(
        actor=actor,
        action=Action.AUDIT_EXPORT,
        detail={key: str(value) for key, value in filters.items() if value},
    )
    return csv_response(f"監査ログ_{timezone.localtime():%Y%m%d_%H%M%S}.csv", data)
