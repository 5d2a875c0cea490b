"""The shell every participant system shares: the menu generated from the catalog, and the user's
own profile. The member system keeps its own (担当業務); switching and capacity use these."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from kouiki.core.systems import System
from kouiki.identity.access import View, acting_for, enrolled_required, is_administrator, menu
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.models import User
from kouiki.identity.selectors import participant_kind_in
from kouiki.identity.services import request_limits
from kouiki.identity.views.member import own_profile


def menu_groups(user: User, system: str) -> list[tuple[str, list[dict[str, str]]]]:
    """The menu of `system` for `user`: built functions by heading, with their URLs."""
    groups = []
    for group, functions in menu(user, system):
        entries = [
            {"id": function.id, "name": function.name, "url": reverse(function.url_name)}
            for function in functions
            if function.url_name
        ]
        if entries:
            groups.append((group, entries))
    return groups


def _per_system(view: View) -> View:
    """The view for any user enrolled in the system of the URL prefix (`system`)."""
    guarded: dict[str, View] = {
        system.value: enrolled_required(system)(view) for system in (System.SWITCHING, System.CAPACITY)
    }

    @wraps(view)
    def dispatch(request: HttpRequest, system: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return guarded[system](request, system, *args, **kwargs)

    return dispatch


@_per_system
def system_menu(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    groups = menu_groups(actor, system)
    # API tokens and status callbacks (issue 7) are the administrator's tools for integrators;
    # they are not functions of FUNCTIONS.md, so the catalog does not list them.
    if system == "switching" and is_administrator(actor, system):
        groups.append(
            (
                "API連携（管理者機能）",
                [
                    {"id": "", "name": "APIトークン管理", "url": reverse("sw_tokens:list")},
                    {
                        "id": "",
                        "name": "イベント通知（コールバック）",
                        "url": reverse("sw_callbacks:endpoint"),
                    },
                ],
            )
        )
    # クライアント証明書 (X-C1): a function of both systems, the administrator's.
    if is_administrator(actor, system):
        groups.append(
            (
                "クライアント証明書（管理者機能）",
                [{"id": "X-C1", "name": "クライアント証明書", "url": reverse(f"{system}:certificates")}],
            )
        )
    kind = participant_kind_in(actor, system) if system == System.SWITCHING else None
    # 業務委託 (X-I2): the principal's administrator grants; a contractor's users see their principals.
    if kind == ParticipantKind.CONTRACTOR:
        groups.insert(
            0,
            (
                "受託者",
                [{"id": "X-I2", "name": "委託元一覧", "url": reverse("switching:contractor_principals")}],
            ),
        )
    elif kind is not None and is_administrator(actor, system):
        groups.append(
            (
                "業務委託（管理者機能）",
                [{"id": "X-I2", "name": "業務委託（受託者）", "url": reverse("switching:contractor_grants")}],
            )
        )
    # 利用終了の申請 (X-S3): the administrator's, in both systems.
    if is_administrator(actor, system):
        groups.append(
            (
                "契約（管理者機能）",
                [{"id": "X-S3", "name": "利用終了の申請", "url": reverse(f"{system}:termination")}],
            )
        )
    return render(
        request,
        "identity/system/menu.html",
        {
            "groups": groups,
            "title": "メニュー",
            "dr_contractor": kind == ParticipantKind.DR_CONTRACTOR,
            "contractor": kind == ParticipantKind.CONTRACTOR,
            "acting": acting_for(actor),
            # 利用の制限 (X-S1): a tighter API rate staff set for the organization, with its reason.
            "request_limit": request_limits.menu_notice(organization_id=actor.organization_id, system=system),
        },
    )


@require_http_methods(["GET", "POST"])
@_per_system
def system_profile(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    """The user's own contact details; the password has its own screen."""
    return own_profile(request, actor, done=f"/{system}/profile/", template="identity/system/profile.html")


@_per_system
def system_password_change(request: HttpRequest, actor: User, system: str) -> HttpResponse:
    from kouiki.identity.views.auth import password_change

    return password_change(request, actor, system)
