"""What the switching screens share: the actor, the tabs of the three lines, a screen written once
and served on each line (services/lines.py), and the confirmation step before a change is
submitted (入力 → 確認 → 送信)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.errors import KouikiError
from kouiki.core.forms import errors_onto_form
from kouiki.core.systems import System
from kouiki.identity.access import enrolled_required, function_required, may_use
from kouiki.switching.forms import FunctionForm
from kouiki.switching.services.lines import FIT, HIGH, LINES, LOW, Business, Line, line_for_class

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.switching.models import Application

PAGE_SIZE = 50
# The tabs' short names; a tab's page is the URL named after its line (sw:low, sw:high, sw:fit).
TAB_LABELS = {LOW: "低圧", HIGH: "高圧", FIT: "低圧FIT電源"}
TABS = [(key, TAB_LABELS[key], f"sw:{key}") for key in LINES]

View = Callable[..., HttpResponse]
S = TypeVar("S", bound=View)
# Each line screen's 業務 (None: a tab's page, or a screen of one application or switch, open to any
# user enrolled in the system).
_BUSINESS: dict[View, Business | None] = {}


def route_name(line: Line, name: str) -> str:
    """The URL name of screen ``name`` on ``line`` within the namespace "sw": the 低圧 screens keep
    the names links, tests and docs use (``abolish``); the others carry their line's key
    (``high_abolish``, ``fit_abolish``)."""
    return name if line.key == LOW else f"{line.key}_{name}"


def url_name(line: Line, name: str) -> str:
    return f"sw:{route_name(line, name)}"


def line_url(line: Line, name: str, *args: Any) -> str:
    return reverse(url_name(line, name), args=args)


class LineUrls:
    """The URL names of one line's screens, for templates: ``{% url line_urls.switch_detail n %}``."""

    def __init__(self, line: Line) -> None:
        self.line = line

    def __getitem__(self, name: str) -> str:
        return url_name(self.line, name)


def line_screen(business: Business | None) -> Callable[[S], S]:
    """Declare a screen written once for every line, called as ``screen(request, actor, line, ...)``:
    urls.py serves it on each line that serves ``business``, guarded by that line's function of it
    (`served`). ``None``: on every line, for any user enrolled in the system — a tab's page, or a
    screen of one application or switch (which shows it under the tab of its own line)."""

    def declare(screen: S) -> S:
        _BUSINESS[screen] = business
        return screen

    return declare


def serves(screen: View, line: Line) -> bool:
    business = _BUSINESS[screen]
    return business is None or line.serves(business)


def served(screen: View, line: Line) -> View:
    """``screen`` as served on ``line``: the access layer's guard of the line's function for the
    screen's 業務 (SW-L05 on 低圧, SW-H03 on 高圧 for 廃止・撤去) hands it the checked user."""
    business = _BUSINESS[screen]

    @wraps(screen)
    def view(request: HttpRequest, actor: User, *args: Any, **kwargs: Any) -> HttpResponse:
        return screen(request, actor, line, *args, **kwargs)

    if business is None:
        return enrolled_required(System.SWITCHING)(view)
    return function_required(line.function(business))(view)


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    line: Line | None = LINES[LOW],
    status: int = 200,
) -> HttpResponse:
    """Render a switching screen under the tab of ``line`` (None: a page of the whole system)."""
    shared = {
        "tab": line.key if line else "",
        "tabs": TABS,
        "line": line,
        "line_urls": LineUrls(line) if line else None,
        "tab_label": TAB_LABELS[line.key] if line else "",
        # 事業者一覧 (SW-C01) is a retailer's function: a DR contractor's navigation leaves it out.
        "may_list_operators": may_use(request.user, "SW-C01"),
    }
    return render(request, template, {**shared, **context}, status=status)


def function_title(function_id: str) -> str:
    return catalog.get(function_id).title


def application_url(application: Application) -> str:
    """An application's status screen, under the tab of its point's line."""
    return line_url(
        line_for_class(application.point_class), "application_detail", application.reception_number
    )


def _application_status(application: Application) -> tuple[str, str]:
    return application.reception_number, application_url(application)


def confirmed(
    request: HttpRequest,
    actor: User,
    *,
    line: Line,
    business: Business,
    form_class: type[FunctionForm],
    submit: Callable[[User, dict[str, Any]], Any],
    check: Callable[[User, dict[str, Any]], Any],
    done: str,
    after: Callable[[Any], tuple[str, str]] | None = None,
    intro: str = "",
    initial: dict[str, Any] | None = None,
    template: str = "switching/form.html",
    shown: dict[str, Any] | None = None,
) -> HttpResponse:
    """The three steps of a change of ``business`` on ``line``: the form (GET, or "戻る"), the
    confirmation (POST step=confirm: the service's own check without writing, ``check``, then the
    values read-only, carried in hidden fields), the submission (POST step=submit: the service is
    called). A refusal of either shows on the form, so that what 確認 shows is what 送信 accepts
    unless the data changed meanwhile. After it, the status screen of the application the service
    returned, or where ``after(result)`` says: (number for the message, URL). The form's labels are
    the line's (受電地点, 発電者 on the FIT line). ``shown``: more for ``template`` to show beside the
    form (the decision's identification check)."""
    function_id = line.function(business)
    title = function_title(function_id)
    step = request.POST.get("step") if request.method == "POST" else None
    bound = request.POST if step in ("confirm", "submit") else None
    form = form_class(bound, initial=initial, line=line)
    if step == "edit":
        # Every value of a field of several (NG理由), one of any other.
        kept = {
            k: values if len(values) > 1 else values[0]
            for k, values in request.POST.lists()
            if k in form_class.base_fields
        }
        form = form_class(initial=kept, line=line)
    context: dict[str, Any] = {
        "form": form,
        "title": title,
        "function_id": function_id,
        "intro": intro,
        **(shown or {}),
    }
    if step in ("confirm", "submit") and form.is_valid():
        try:
            if step == "confirm":
                check(actor, form.values())
                return page(request, "switching/confirm.html", {**context, "rows": form.display()}, line=line)
            result = submit(actor, form.values())
        except KouikiError as error:
            # Refusals of the input (a point of another retailer or of another line, a number not
            # found, a switch in progress) are shown on the form, where the user can correct them.
            errors_onto_form(form, error, with_summary=True)
        else:
            number, url = (after or _application_status)(result)
            messages.success(request, done.format(number=number))
            return redirect(url)
    status = 422 if form.is_bound and form.errors else 200
    return page(request, template, context, line=line, status=status)
