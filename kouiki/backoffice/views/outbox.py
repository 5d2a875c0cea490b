"""Back office: every mail of the outbox, its attempts and errors, and the retry of a failed one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kouiki.backoffice.services.outbox import retry_outbox_message
from kouiki.core import outbox
from kouiki.core.errors import KouikiError, NotFound
from kouiki.core.lists import list_page
from kouiki.core.outbox import OutboxMessage, OutboxState
from kouiki.identity.access import staff_required

if TYPE_CHECKING:
    from kouiki.identity.models import User

PAGE_SIZE = 50


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(label="状態", choices=[("", "すべて"), *OutboxState.choices], required=False)
    recipient = forms.CharField(label="宛先", max_length=254, required=False, help_text="部分一致")
    subject = forms.CharField(label="件名", max_length=200, required=False, help_text="部分一致")

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; no filter at all while the form is invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "state": data["state"],
            "recipient": data["recipient"].strip(),
            "subject": data["subject"].strip(),
        }


def _get_message(pk: int) -> OutboxMessage:
    try:
        return outbox.outbox_message(pk)
    except NotFound as error:
        raise Http404(error.message) from error


@staff_required
@require_GET
def message_list(request: HttpRequest, actor: User) -> HttpResponse:
    """Every mail, newest first, filtered by state, recipient and subject."""
    return list_page(
        request,
        form=OutboxFilterForm(request.GET or None),
        select=outbox.outbox_messages,
        template="backoffice/outbox/list.html",
        title="送信メール",
        page_size=PAGE_SIZE,
    )


@staff_required
@require_GET
def message_detail(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """One mail: recipients, body (unless sensitive), attempts and the last error."""
    message = _get_message(pk)
    return render(
        request,
        "backoffice/outbox/detail.html",
        {
            "message": message,
            # A mail carrying a password or a token is not shown to staff before it is sent;
            # once sent, its body is the redaction note.
            "show_body": not message.sensitive or message.state == OutboxState.SENT,
            "can_retry": message.state == OutboxState.FAILED,
            "title": "送信メール詳細",
        },
    )


@staff_required
@require_POST
def message_retry(request: HttpRequest, actor: User, pk: int) -> HttpResponse:
    """再送: put a failed mail back in the queue."""
    message = _get_message(pk)
    try:
        retry_outbox_message(actor=actor, message=message)
    except KouikiError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "再送を受け付けました。まもなく送信されます。")
    return redirect("backoffice:outbox_detail", pk=pk)
