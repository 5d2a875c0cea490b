"""Request limits (利用の制限, X-S1): a tighter API rate staff set for one participant in one system.

Seeds 000/001/002 2.4 ②: the organization may restrict a participant whose access goes above a set
limit. Every API counts its requests per organization against KOUIKI_API_RATE (kouiki.core.api);
staff may set a tighter rate for one participant, with the reason it is told:

- the API's guard asks `api_limit(user, system)` for each request (the hook `KouikiAPI(limit=…)`):
  the row comes prefetched with the token's user, cached per process and invalidated in every
  process by `invalidate_access` on any change (identity/apps.py), so it costs no query;
- beyond it the API answers 429 whose detail carries the reason;
- the participant's administrators get a mail when the limit is set, changed or removed, and the
  system's menu shows it (`menu_notice`). Every change is audited.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.identity.access import require_staff
from kouiki.identity.models import Organization, RequestLimit, User
from kouiki.identity.selectors import administrator_emails

# The systems with an API (the limit counts API requests).
LIMITED_SYSTEMS: tuple[str, ...] = (System.SWITCHING.value,)
PERIODS: dict[str, str] = {"s": "秒", "m": "分", "h": "時間", "d": "日"}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
MAX_REASON = 1000


def rate_text(rate: str) -> str:
    """ "60/m" → 「1分あたり60回」."""
    match = _RATE.match(rate)
    if match is None:
        return rate
    count, multiple, unit = match.groups()
    return f"{multiple or 1}{PERIODS[unit]}あたり{int(count):,}回"


def _per_second(rate: str) -> float:
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(rate)
    count, multiple, unit = match.groups()
    return int(count) / (int(multiple or 1) * _SECONDS[unit])


def _detail(limit: RequestLimit) -> str:
    return (
        f"貴社の{System(limit.system).label}のAPIの利用は、本機関により{rate_text(limit.rate)}までに"
        f"制限されています（理由: {limit.reason}）。しばらく待ってから再度お試しください。"
    )


# --- the API's hook and the menu ------------------------------------------------------------------


@implements("X-S1")
def api_limit(user: Any, system: str) -> tuple[str, str] | None:
    """The rate of the user's organization in `system` and the Japanese detail of its 429, or None
    (the system's default). The token's user carries its organization's limits prefetched
    (services/tokens.py): no query."""
    organization = getattr(user, "organization", None)
    if organization is None:
        return None
    for limit in organization.request_limits.all():
        if limit.system == system:
            return limit.rate, _detail(limit)
    return None


def menu_notice(*, organization_id: int | None, system: str) -> str | None:
    """What the system's menu tells the organization's users of a limit set on it, or None."""
    if organization_id is None or system not in LIMITED_SYSTEMS:
        return None
    found = RequestLimit.objects.filter(organization_id=organization_id, system=system).first()
    if found is None:
        return None
    return (
        f"本機関は、利用規約「利用の停止又は制限」に基づき、貴社の{System(system).label}のAPIの利用を"
        f"{rate_text(found.rate)}までに制限しています（理由: {found.reason}）。"
        "上限を超えた要求にはHTTP 429で応答します。ご不明な点は本機関にお問い合わせください。"
    )


# --- staff: list, set, remove ---------------------------------------------------------------------


def limits(*, actor: User) -> QuerySet[RequestLimit]:
    """Every limit set, by organization."""
    require_staff(actor)
    return RequestLimit.objects.select_related("organization", "set_by").order_by(
        "organization__code", "system"
    )


def limit(*, actor: User, pk: int) -> RequestLimit:
    found = limits(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("指定された利用制限は登録されていません。")
    return found


def _checked(
    organization_code: str, system: str, count: Any, period: str, reason: str
) -> tuple[Organization | None, str, str]:
    errors: dict[str, list[str]] = {}
    organization = Organization.objects.filter(code=(organization_code or "").strip()).first()
    if organization is None:
        errors["organization_code"] = ["登録されている事業者コードを入力してください。"]
    if system not in LIMITED_SYSTEMS:
        errors["system"] = ["対象システムを選択してください。"]
    rate = ""
    if period not in PERIODS:
        errors["period"] = ["単位を選択してください。"]
    elif not isinstance(count, int) or count < 1:
        errors["count"] = ["上限回数には1以上の整数を入力してください。"]
    else:
        rate = f"{count}/{period}"
        default = str(settings.KOUIKI_API_RATE)
        if _per_second(rate) >= _per_second(default):
            errors["count"] = [f"既定の上限（{rate_text(default)}）より厳しい上限を入力してください。"]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["理由を入力してください（事業者に通知されます）。"]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [f"理由は{MAX_REASON}文字以内で入力してください。"]
    if errors:
        raise ValidationFailed(errors=errors)
    return organization, rate, reason


@implements("X-S1")
def set_limit(
    *, actor: User, organization_code: str, system: str, count: Any, period: str, reason: str
) -> RequestLimit:
    """Set (or change) the organization's limit in `system`; its administrators are told by mail."""
    require_staff(actor)
    organization, rate, reason = _checked(organization_code, system, count, period, reason)
    assert organization is not None
    with transaction.atomic():
        found = (
            RequestLimit.objects.select_for_update().filter(organization=organization, system=system).first()
        )
        before = {"rate": found.rate, "reason": found.reason} if found else None
        if found is None:
            found = RequestLimit(organization=organization, system=system)
        found.rate, found.reason, found.set_at, found.set_by = rate, reason, timezone.now(), actor
        found.save()  # post_save: invalidate_access, every process reads the limit again
        record(
            actor=actor,
            action=Action.AVAILABILITY_LIMIT_SET,
            obj=found,
            organization=organization,
            system=system,
            detail={"rate": rate, "reason": reason, "before": before},
        )
        _tell(organization, system, "changed" if before else "set", found)
    return found


@implements("X-S1")
def remove_limit(*, actor: User, pk: int) -> RequestLimit:
    """Remove a limit: the organization is back to the system's default; its administrators are told."""
    found = limit(actor=actor, pk=pk)
    with transaction.atomic():
        RequestLimit.objects.filter(pk=found.pk).delete()  # post_delete: invalidate_access
        record(
            actor=actor,
            action=Action.AVAILABILITY_LIMIT_REMOVE,
            organization=found.organization,
            system=found.system,
            detail={"rate": found.rate, "reason": found.reason},
        )
        _tell(found.organization, found.system, "removed", found)
    return found


def _tell(organization: Organization, system: str, change: str, limit: RequestLimit) -> None:
    recipients = administrator_emails(organization_id=organization.pk, system=system)
    if not recipients:
        return
    queue_mail(
        to=recipients,
        template="identity/mail/request_limit",
        context={
            "organization": organization,
            "system_name": System(system).label,
            "change": change,
            "rate_text": rate_text(limit.rate),
            "default_text": rate_text(str(settings.KOUIKI_API_RATE)),
            "reason": limit.reason,
        },
    )
