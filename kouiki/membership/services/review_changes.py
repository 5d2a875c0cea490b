"""Change, succession and withdrawal application kinds (MEM-I4..I6), registered with the review workflow.

The back office's review queue shows any registered kind; what it shows of these comes from here:
the labels of the payload, and `diff`, the registered values against the requested ones (live values
while the request waits, the values at filing once it is decided).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kouiki.membership import selectors
from kouiki.membership.selectors import CHANGE, SUCCESSION, WITHDRAWAL
from kouiki.membership.services import changes, exits
from kouiki.reviews import services as reviews
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.reviews.models import Application


def _text(key: str, value: Any) -> str:
    if key == "business_types":
        return "、".join(selectors.business_type_labels(list(value or [])))
    if key == "parent_share_ratio" and value not in (None, ""):
        return f"{value}%"
    return registry.format_value(value)


@dataclass(frozen=True)
class MemberApplicationType(registry.ApplicationType):
    """An application type whose payload rows show 事業者種別 by their Japanese names."""

    def rows(self, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [(self.label(key), _text(key, payload.get(key))) for key in self._keys(payload)]


def _change_current(application: Application) -> dict[str, Any] | None:
    """What the request is compared with: the live member information until it is decided."""
    if application.state not in reviews.FINAL and application.organization_id is not None:
        profile = selectors.profile_of(organization_id=application.organization_id)
        if profile is not None:
            return selectors.snapshot(profile)
    return application.current


def change_diff(application: Application) -> list[registry.DiffRow]:
    """会員情報変更: every field whose requested value differs from the registered one."""
    current = _change_current(application) or {}
    requested = application.payload or {}
    filed = application.current or current
    # An administrator the request leaves as it was when filed is not part of it, even if an
    # administrator-only change (applied at once) has changed that slot since.
    untouched = {
        slot
        for slot in selectors.SLOTS
        if changes.administrator(requested, slot) == changes.administrator(filed, slot)
    }
    return [
        (label, _text(key, current.get(key)), _text(key, requested.get(key)))
        for key, label in selectors.change_labels().items()
        if not any(key.startswith(f"admin{slot}_") for slot in untouched)
        and (current.get(key) or None) != (requested.get(key) or None)
    ]


def succession_diff(application: Application) -> list[registry.DiffRow]:
    current = application.current or {}
    requested = application.payload or {}
    return [
        ("事業者コード", current.get("organization_code", ""), requested.get("successor_code", "")),
        ("会社名", current.get("organization_name", ""), requested.get("successor_name", "")),
        ("会員資格", "会員", "承継により喪失（本システムは利用できなくなります）"),
    ]


def withdrawal_diff(application: Application) -> list[registry.DiffRow]:
    return [("会員資格", "会員", "脱退により喪失（本システムは利用できなくなります）")]


def _recipients(application: Application) -> list[str]:
    """The applicant and the organization's administrators ① and ②."""
    addresses = [application.applicant_email]
    if application.organization_id is not None:
        profile = selectors.profile_of(organization_id=application.organization_id)
        if profile is not None:
            addresses += [user.email for user in (profile.administrator1, profile.administrator2) if user]
    return list(dict.fromkeys(address for address in addresses if address))


CHANGE_TYPE = registry.register(
    MemberApplicationType(
        key=CHANGE,
        name="会員情報変更申請",
        validate=changes.validate_change,
        apply=changes.apply_change,
        diff=change_diff,
        labels=selectors.change_labels(),
        summary=lambda payload: str(payload.get("name") or ""),
        function_id="MEM-I4",
        prefix="MC",
        recipients=_recipients,
    )
)

SUCCESSION_TYPE = registry.register(
    MemberApplicationType(
        key=SUCCESSION,
        name="承継申請",
        validate=exits.validate_succession,
        apply=exits.apply_succession,
        diff=succession_diff,
        labels={"successor_code": "承継事業者コード", "successor_name": "承継事業者名"},
        summary=lambda payload: (
            f"承継先 {payload.get('successor_code', '')} {payload.get('successor_name', '')}"
        ),
        function_id="MEM-I5",
        prefix="MS",
        mail_templates={"approve": "membership/mail/change_exit_approved"},
        recipients=_recipients,
    )
)

WITHDRAWAL_TYPE = registry.register(
    MemberApplicationType(
        key=WITHDRAWAL,
        name="脱退申請",
        apply=exits.apply_withdrawal,
        diff=withdrawal_diff,
        labels={"organization_code": "事業者コード", "organization_name": "会社名"},
        summary=lambda payload: f"脱退 {payload.get('organization_name', '')}",
        function_id="MEM-I6",
        prefix="MW",
        mail_templates={"approve": "membership/mail/change_exit_approved"},
        recipients=_recipients,
    )
)

TYPES = {CHANGE: CHANGE_TYPE, SUCCESSION: SUCCESSION_TYPE, WITHDRAWAL: WITHDRAWAL_TYPE}
