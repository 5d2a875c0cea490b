"""Back office: member organizations, their member information, history, certificates and applications.
Staff only, read only (changes are decided in the review queue)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kouiki.core.lists import FilterForm, list_page
from kouiki.identity.access import staff_required
from kouiki.identity.choices import OrganizationStatus
from kouiki.membership import selectors
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50
LIST_LIMIT = 100


class MemberFilterForm(FilterForm):
    q = forms.CharField(
        label="キーワード",
        max_length=100,
        required=False,
        help_text="事業者コード（完全一致）、会社名・カナ（部分一致）",
    )
    status = forms.ChoiceField(
        label="状態",
        required=False,
        choices=[("", "すべて"), *OrganizationStatus.choices],
        error_messages={"invalid_choice": "状態の選択が不正です。"},
    )

    def arguments(self) -> dict[str, Any]:
        return {"query": self.cleaned_data["q"].strip(), "status": self.cleaned_data["status"]}


@staff_required
@require_GET
def member_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Member organizations by 事業者コード, searchable by code, name and status."""
    return list_page(
        request,
        form=MemberFilterForm(request.GET or None),
        select=partial(selectors.members, actor=actor),
        template="backoffice/members/list.html",
        title="会員一覧",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def member_detail(request: HttpRequest, actor: User, code: str) -> HttpResponse:
    """One member: member information, administrators, versions, certificates issued, applications."""
    profile = selectors.member_for_staff(actor=actor, code=code)  # type: ignore[arg-type]
    applications = selectors.member_applications(actor=actor, organization_id=profile.organization_id)  # type: ignore[arg-type]
    certificates = selectors.member_certificates(actor=actor, organization_id=profile.organization_id)  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/members/detail.html",
        {
            "info": selectors.member_info(profile),
            "organization": profile.organization,
            "versions": selectors.history_of(profile),
            "certificates": certificates[:LIST_LIMIT],
            "certificate_count": certificates.count(),
            "applications": [
                (application, registry.name_of(application.kind)) for application in applications[:LIST_LIMIT]
            ],
            "application_count": applications.count(),
            "title": f"会員詳細 {profile.organization.code}",
        },
    )
