"""What the switching screens share: the actor, the tabs, and the confirmation step before a
change is submitted (入力 → 確認 → 送信)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.switching.forms import FunctionForm

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.models import Application

PAGE_SIZE = 50
LOW, HIGH, FIT = "low", "high", "fit"
TABS = [(LOW, "低圧", "sw:low"), (HIGH, "高圧", "sw:high"), (FIT, "低圧FIT電源", "sw:fit")]


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, tab: str = LOW, status: int = 200
) -> HttpResponse:
    """Render a switching screen under its tab."""
    return render(request, template, {"tab": tab, "tabs": TABS, **context}, status=status)


def _application_status(application: Application) -> tuple[str, str]:
    return application.reception_number, reverse("sw:application_detail", args=[application.reception_number])


def function_title(function_id: str) -> str:
    return catalog.get(function_id).title


def confirmed(
    request: HttpRequest,
    actor: User,
    *,
    function_id: str,
    form_class: type[FunctionForm],
    submit: Callable[[User, dict[str, Any]], Any],
    check: Callable[[User, dict[str, Any]], Any],
    done: str,
    after: Callable[[Any], tuple[str, str]] | None = None,
    intro: str = "",
    initial: dict[str, Any] | None = None,
    template: str = "switching/form.html",
) -> HttpResponse:
    """The three steps of a change: the form (GET, or "戻る"), the confirmation (POST step=confirm:
    the service's own check without writing, ``check``, then the values read-only, carried in hidden
    fields), the submission (POST step=submit: the service is called). A refusal of either shows on
    the form, so that what 確認 shows is what 送信 accepts unless the data changed meanwhile. After
    it, the status screen of the application the service returned, or where ``after(result)`` says:
    (number for the message, URL)."""
    title = function_title(function_id)
    step = request.POST.get("step") if request.method == "POST" else None
    form = form_class(request.POST if step in ("confirm", "submit") else None, initial=initial)
    if step == "edit":
        form = form_class(initial={k: v for k, v in request.POST.items() if k in form_class.base_fields})
    context: dict[str, Any] = {"form": form, "title": title, "function_id": function_id, "intro": intro}
    if step in ("confirm", "submit") and form.is_valid():
        try:
            if step == "confirm":
                check(actor, form.values())
                return page(request, "switching/confirm.html", {**context, "rows": form.display()})
            result = submit(actor, form.values())
        except KouikiError as error:
            # Refusals of the input (a point of another retailer, a number not found, a switch
            # in progress) are shown on the form, where the user can correct them.
            errors_onto_form(form, error, with_summary=True)
        else:
            number, url = (after or _application_status)(result)
            messages.success(request, done.format(number=number))
            return redirect(url)
    status = 422 if form.is_bound and form.errors else 200
    return page(request, template, context, status=status)
