"""Back office: notices of the switching and capacity systems (CAP-N1, SW-N01/N02's organization
side): write, correct, withdraw; see who was addressed and how many read them."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.lists import list_page
from kouiki.identity.access import staff_required
from kouiki.notices import selectors, services
from kouiki.notices.forms import SYSTEM_CHOICES, NoticeForm
from kouiki.notices.views import attachment_response

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.notices.models import Notice

PAGE_SIZE = 50


class StaffNoticeFilterForm(forms.Form):
    system = forms.ChoiceField(label="システム", choices=[("", "すべて"), *SYSTEM_CHOICES], required=False)
    state = forms.ChoiceField(
        label="状態", choices=[("", "すべて"), *selectors.STATES.items()], required=False
    )
    q = forms.CharField(label="件名", max_length=200, required=False, help_text="部分一致")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"system": data["system"], "state": data["state"], "query": data["q"].strip()}


def _form_values(form: NoticeForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "category": data["category"],
        "title": data["title"],
        "body": data["body"],
        "publish_from": data["publish_from"],
        "publish_until": data["publish_until"],
        "audience": data["audience"],
        "organization_codes": services.parse_organization_codes(data["organization_codes"]),
        "files": data["attachments"],
    }


@staff_required
@require_GET
def notice_list(request: HttpRequest, actor: User) -> HttpResponse:
    return list_page(
        request,
        form=StaffNoticeFilterForm(request.GET or None),
        select=partial(selectors.staff_notices, actor=actor),
        template="backoffice/notices/list.html",
        title="お知らせ",
        context={"now": timezone.now(), "states": selectors.STATES},
        page_size=PAGE_SIZE,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest, actor: User) -> HttpResponse:
    form = NoticeForm(request.POST or None, request.FILES or None, initial={"publish_from": _now_minute()})
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.create_notice(
                actor=actor, system=form.cleaned_data["system"], **_form_values(form)
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, f"お知らせ「{notice.title}」を登録しました。")
            return redirect("backoffice:notice_detail", pk=notice.pk)
    return render(request, "backoffice/notices/form.html", {"form": form, "title": "お知らせの登録"})


def _now_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


def _initial(notice: Notice) -> dict[str, Any]:
    return {
        "category": notice.category,
        "title": notice.title,
        "body": notice.body,
        "publish_from": timezone.localtime(notice.publish_from),
        "publish_until": timezone.localtime(notice.publish_until) if notice.publish_until else None,
        "audience": notice.audience,
        "organization_codes": "\n".join(r.organization.code for r in notice.recipients.all()),
    }


@staff_required
@require_GET
def notice_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    notice = selectors.staff_notice(actor=actor, pk=pk)
    return render(
        request,
        "backoffice/notices/detail.html",
        {
            "notice": notice,
            "state": selectors.STATES[notice.state_at()],
            "title": f"お知らせ: {notice.title}",
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    notice = selectors.staff_notice(actor=actor, pk=pk)
    if notice.is_withdrawn:
        messages.error(request, "取り下げたお知らせは修正できません。")
        return redirect("backoffice:notice_detail", pk=notice.pk)
    form = NoticeForm(request.POST or None, request.FILES or None, initial=_initial(notice), editing=True)
    if request.method == "POST" and form.is_valid():
        remove = [
            int(value)
            for value in request.POST.getlist("remove_attachment")
            if value.isascii() and value.isdigit() and len(value) <= 18
        ]
        try:
            services.update_notice(
                actor=actor,
                notice=notice,
                remove_attachment_ids=remove,
                mark_unread=form.cleaned_data["mark_unread"],
                **_form_values(form),
            )
        except KouikiError as error:
            errors_onto_form(form, error)
        else:
            messages.success(request, "お知らせを修正しました。")
            return redirect("backoffice:notice_detail", pk=notice.pk)
    return render(
        request,
        "backoffice/notices/form.html",
        {"form": form, "notice": notice, "title": "お知らせの修正"},
    )


@staff_required
@require_POST
def notice_withdraw(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    notice = selectors.staff_notice(actor=actor, pk=pk)
    try:
        services.withdraw_notice(actor=actor, notice=notice)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "お知らせを取り下げました。利用者には表示されなくなりました。")
    return redirect("backoffice:notice_detail", pk=notice.pk)


@staff_required
@require_GET
def notice_attachment(request: HttpRequest, actor: User, pk: int, attachment_pk: int) -> HttpResponse:
    notice = selectors.staff_notice(actor=actor, pk=pk)
    return attachment_response(selectors.staff_attachment(actor=actor, notice=notice, pk=attachment_pk))
