"""Back office: the capacity market system (CAP-R1 / CAP-P1 for the organization, CAP-R3). Staff only.

The registrations, changes and deletions themselves are reviewed in the review queue
(/backoffice/reviews/); these screens show the registered operators (with their administrator ID
notice and contract), their versions and applications, and every registered power source.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kouiki.capacity import selectors
from kouiki.capacity.choices import Area, OperatorStatus, SourceCategory, SourceStatus
from kouiki.capacity.services import payloads, sources_csv
from kouiki.core.csvio import csv_response
from kouiki.core.lists import list_page, paginate, searched
from kouiki.identity.access import staff_required
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50
KINDS = selectors.OPERATOR_KINDS + selectors.SOURCE_KINDS


class OperatorSearchForm(forms.Form):
    q = forms.CharField(
        label="キーワード", max_length=100, required=False, help_text="事業者コード、会社名、法人番号"
    )
    status = forms.ChoiceField(
        label="状態", required=False, choices=[("", "すべて"), *OperatorStatus.choices]
    )

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; every operator while the input is invalid."""
        if not self.is_valid():
            return {}
        return {"query": self.cleaned_data["q"], "status": self.cleaned_data["status"]}


class SourceSearchForm(forms.Form):
    q = forms.CharField(
        label="キーワード",
        max_length=100,
        required=False,
        help_text="電源等識別番号、名称、所在地、受電地点特定番号",
    )
    category = forms.ChoiceField(
        label="電源等の区分", required=False, choices=[("", "すべて"), *SourceCategory.choices]
    )
    area = forms.ChoiceField(label="エリア", required=False, choices=[("", "すべて"), *Area.choices])
    status = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *SourceStatus.choices])

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; every source while the input is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "category": data["category"],
            "area": data["area"],
            "status": data["status"],
        }


def _pending_count(request: HttpRequest, actor: User) -> int:
    return (
        review_selectors.review_queue(actor=actor, state=review_selectors.PENDING)
        .filter(kind__in=KINDS)
        .count()
    )


@staff_required
@require_GET
def operators(request: HttpRequest, actor: User) -> HttpResponse:
    """Registered operators with their administrator ID notice (CAP-R3) and contract."""
    return list_page(
        request,
        form=OperatorSearchForm(request.GET or None),
        select=partial(selectors.operators, actor=actor),
        template="backoffice/capacity/operators.html",
        title="容量市場 事業者一覧",
        context={
            "pending": _pending_count(request, actor),
            "kinds": [(kind, registry.name_of(kind)) for kind in KINDS],
        },
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def operator_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One operator: its information, administrator ID notice, versions, applications, sources."""
    operator = selectors.operator_by_pk(actor=actor, pk=pk)  # type: ignore[arg-type]
    history = payloads.version_history(selectors.operator_versions(operator), payloads.OPERATOR_LABELS)
    applications = selectors.operator_applications_staff(actor=actor, operator=operator)[:50]  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/capacity/operator_detail.html",
        {
            "operator": operator,
            "rows": payloads.rows(selectors.operator_snapshot(operator), payloads.OPERATOR_LABELS),
            "history": history,
            "applications": [
                (application, registry.name_of(application.kind)) for application in applications
            ],
            "sources": selectors.all_sources(actor=actor, operator=operator),  # type: ignore[arg-type]
            "title": f"容量市場 事業者 {operator.organization.code}",
        },
    )


@staff_required
@require_GET
def sources(request: HttpRequest, actor: User) -> HttpResponse:
    """Every operator's power sources; `?download=csv` gives the selection as CSV."""
    form = SourceSearchForm(request.GET or None)
    found = searched(form, partial(selectors.all_sources, actor=actor))
    if request.GET.get("download") == "csv":
        return csv_response(
            f"電源等情報_全事業者_{timezone.localtime():%Y%m%d%H%M}.csv", sources_csv.export(found)
        )
    return render(
        request,
        "backoffice/capacity/sources.html",
        {"form": form, "page": paginate(request, found, PAGE_SIZE), "title": "容量市場 電源等情報一覧"},
    )


@staff_required
@require_GET
def source_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    source = selectors.source_by_pk(actor=actor, pk=pk)  # type: ignore[arg-type]
    snapshot = selectors.source_snapshot(source)
    history = payloads.version_history(selectors.source_versions(source), payloads.SOURCE_LABELS)
    return render(
        request,
        "backoffice/capacity/source_detail.html",
        {
            "source": source,
            "rows": payloads.rows(
                {k: v for k, v in snapshot.items() if k != "members"}, payloads.SOURCE_LABELS
            ),
            "members": source.members.all(),
            "history": history,
            "title": f"電源等情報 {source.source_id}",
        },
    )
