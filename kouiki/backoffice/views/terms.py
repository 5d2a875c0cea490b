"""Back office: terms of use of the three systems (X-T1). New versions are registered as drafts,
checked on their preview and published; publishing mails every user of the system, and each
version shows how many of those mails went out and when (seed 002 1.3.3: within 30 days)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.catalog import implements
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import System
from kouiki.identity.access import staff_required
from kouiki.terms import selectors, services
from kouiki.terms.choices import CHANGE_MAIL_DEADLINE_DAYS, CHANGE_MAIL_WARNING_DAYS, SYSTEM_DOCUMENT_KINDS
from kouiki.terms.forms import TermsVersionForm
from kouiki.terms.selectors.rendering import blocks

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.terms.models import TermsDocument


@dataclass(frozen=True)
class VersionRow:
    """One line of the list: a version, its change mails' progress, whether it is in force."""

    document: TermsDocument
    status: selectors.MailingStatus | None
    in_force: bool


def _values(form: TermsVersionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "version": data["version"],
        "title": data["title"],
        "body": data["body"],
        "effective_date": data["effective_date"],
        "summary": data["summary"],
    }


@implements("X-T1")
@staff_required
@require_GET
def version_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Every version of every system's documents, with its change mails' progress."""
    documents = list(selectors.staff_documents(actor=actor))
    in_force = selectors.in_force_ids()
    rows = [
        VersionRow(
            document=document, status=selectors.mailing_status(document), in_force=document.pk in in_force
        )
        for document in documents
    ]
    groups = []
    for system, kinds in SYSTEM_DOCUMENT_KINDS.items():
        system_rows = [row for row in rows if row.document.system == system and row.document.kind in kinds]
        groups.append((System(system).label, system_rows))
    attention = [row for row in rows if row.status is not None and (row.status.warning or row.status.overdue)]
    return render(
        request,
        "backoffice/terms/list.html",
        {
            "groups": groups,
            "attention": attention,
            "deadline_days": CHANGE_MAIL_DEADLINE_DAYS,
            "warning_days": CHANGE_MAIL_WARNING_DAYS,
            "today": timezone.localdate(),
            "title": "利用規約",
        },
    )


@implements("X-T1")
@staff_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, actor: User) -> HttpResponse:
    """A new version, saved as a draft (nothing shown, nobody mailed)."""
    initial: dict[str, Any] = {}
    # Start from the text of an existing version (the usual way to revise).
    if (base_pk := request.GET.get("from", "")).isdigit():
        base = selectors.staff_document(actor=actor, pk=int(base_pk))
        initial = {"system": base.system, "kind": base.kind, "title": base.title, "body": base.body}
    form = TermsVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.create_version(
                actor=actor,
                system=form.cleaned_data["system"],
                kind=form.cleaned_data["kind"],
                **_values(form),
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, f"{document.title}（{document.version}）を下書きとして登録しました。")
            return redirect("backoffice:terms_detail", pk=document.pk)
    return render(request, "backoffice/terms/form.html", {"form": form, "title": "利用規約の新しい版の登録"})


def _detail(request: HttpRequest, actor: User, document: TermsDocument) -> HttpResponse:
    status = selectors.mailing_status(document)
    unsent = (
        selectors.unsent_change_mails(actor=actor, document=document)
        if status is not None and status.unsent
        else []
    )
    return render(
        request,
        "backoffice/terms/detail.html",
        {
            "document": document,
            "status": status,
            "unsent": unsent,
            "blocks": blocks(document.body),
            "deadline_days": CHANGE_MAIL_DEADLINE_DAYS,
            "title": f"{document.title}（{document.version}）",
        },
    )


@staff_required
@require_GET
def version_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One version: its text as users will see it, and for a published one its change mails."""
    return _detail(request, actor, selectors.staff_document(actor=actor, pk=pk))


@staff_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.staff_document(actor=actor, pk=pk)
    if document.published_at is not None:
        messages.error(request, "公表済みの版は修正できません。新しい版を登録してください。")
        return redirect("backoffice:terms_detail", pk=document.pk)
    initial = {
        "version": document.version,
        "title": document.title,
        "body": document.body,
        "effective_date": document.effective_date,
        "summary": document.summary,
    }
    form = TermsVersionForm(request.POST or None, initial=initial, draft=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(actor=actor, document=document, **_values(form))
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "下書きを修正しました。")
            return redirect("backoffice:terms_detail", pk=document.pk)
    return render(
        request,
        "backoffice/terms/form.html",
        {"form": form, "document": document, "title": "利用規約の下書きの修正"},
    )


@staff_required
@require_POST
def version_publish(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.staff_document(actor=actor, pk=pk)
    try:
        mailed = services.publish_version(actor=actor, document=document)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{document.title}（{document.version}）を公表し、{document.get_system_display()}の"
            f"利用者{mailed}名に改定のお知らせメールを送信します。",
        )
    return redirect("backoffice:terms_detail", pk=document.pk)


@staff_required
@require_POST
def version_delete(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    document = selectors.staff_document(actor=actor, pk=pk)
    try:
        services.delete_draft(actor=actor, document=document)
    except KouikiError as error:
        messages.error(request, error.message)
        return redirect("backoffice:terms_detail", pk=document.pk)
    messages.success(request, "下書きを削除しました。")
    return redirect("backoffice:terms_list")
