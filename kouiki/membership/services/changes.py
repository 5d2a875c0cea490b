"""会員情報の変更 (MEM-I3, MEM-I4, seed 003 chapter 5): every write of member information, and the
editing of a request (change, succession, withdrawal) not yet approved. Filing a succession or a
withdrawal and their approval live in `exits`; both share the rules below.

- A change of administrators ① / ② only applies at once (seed 003 5.1: 管理者①及び②の情報変更のみの
  場合は、即時会員情報に反映されます): their accounts change through identity's services.
- Any other change, a succession and a withdrawal are applications (`membership.change`,
  `membership.succession`, `membership.withdrawal`) that the organization reviews; the member
  information keeps its values until the approval applies them (`apply_change`), as a new version
  whose predecessor stays in the history.
- An organization has at most one request waiting for the organization's decision (submitted,
  resubmitted or on hold): the reviewer then always compares one request with what is registered.
  A rejected request does not count; it may be resubmitted only while no other one waits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.identity import services as identity_services
from kouiki.identity.access import function, organization_of
from kouiki.membership.forms import AdministratorForm, CompanyForm
from kouiki.membership.models import MemberProfile
from kouiki.membership.selectors import (
    ADMIN_FIELDS,
    ADMIN_PROFILE_FIELDS,
    CHANGE,
    COMPANY_FIELDS,
    COMPANY_LABELS,
    REQUEST_KINDS,
    SLOT_NAMES,
    SLOTS,
    SUCCESSION,
    WITHDRAWAL,
    admin_key,
    open_request_for,
    ratio_text,
    snapshot,
    sorted_business_types,
)
from kouiki.reviews import services as reviews
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.identity.models import Organization, User
    from kouiki.reviews.models import Application

SYSTEM = "member"
# History entries keep a one-line summary of what changed (HistoricalRecords' change reason).
_REASON_LENGTH = 100
NOTHING_CHANGED = "変更内容がありません。変更する項目を入力してください。"
NO_PROFILE = "会員情報が登録されていないため、変更申請できません。本機関にお問い合わせください。"


def lock_profile(organization_id: int | None) -> MemberProfile | None:
    """The member information row, locked: requests of one organization are filed one at a time."""
    if organization_id is None:
        return None
    return (
        MemberProfile.objects.select_for_update(of=("self",))
        .select_related("organization", "administrator1", "administrator2")
        .filter(organization_id=organization_id)
        .first()
    )


def _locked_profile(organization_id: int | None) -> MemberProfile:
    profile = lock_profile(organization_id)
    if profile is None:
        raise ValidationFailed(NO_PROFILE)
    return profile


def refuse_if_open(actor: User, exclude_pk: int | None = None) -> None:
    pending = open_request_for(actor=actor, exclude_pk=exclude_pk)
    if pending is not None:
        raise ValidationFailed(
            f"審査中の申請（受付番号 {pending.reception_number}）があります。申請は1件ずつ受け付けます。"
            "審査中の申請の内容を変更する場合は、会員情報変更申請一覧から当該申請を開いて変更してください。",
            code="request_pending",
        )


# --- validation of a change payload ------------------------------------------------------------------


def _form_errors(form: Any, key: Any) -> dict[str, list[str]]:
    return {key(name): [str(message) for message in messages] for name, messages in form.errors.items()}


def administrator(payload: Mapping[str, Any], slot: int) -> dict[str, str] | None:
    """Administrator ① / ② of a change payload, or None when the slot is left empty."""
    values = {name: str(payload.get(admin_key(slot, name)) or "") for name in ADMIN_FIELDS}
    return values if values["user_id"] else None


def validate_change(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The review workflow's `validate` hook: the company fields and administrators as the screens check
    them (CompanyForm, AdministratorForm); errors keyed by payload key."""
    company = CompanyForm(data={name: payload.get(name) for name in COMPANY_FIELDS})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if company.is_valid():
        cleaned.update(company.payload())
    else:
        errors.update(_form_errors(company, lambda name: name))
    for slot in SLOTS:
        data = {name: payload.get(admin_key(slot, name)) or "" for name in ADMIN_FIELDS}
        if slot == 2 and not any(data.values()):
            cleaned.update({admin_key(slot, name): "" for name in ADMIN_FIELDS})
            continue
        data["email_confirm"] = str(payload.get(admin_key(slot, "email_confirm")) or data["email"])
        form = AdministratorForm(data=data)
        if form.is_valid():
            admin = form.payload()
            cleaned.update({admin_key(slot, name): admin.get(name) or "" for name in ADMIN_FIELDS})
        else:
            errors.update(_form_errors(form, lambda name, slot=slot: admin_key(slot, name)))
    try:
        check_administrators(cleaned)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors=errors)
    cleaned["business_types"] = sorted_business_types(list(cleaned["business_types"]))
    cleaned["parent_share_ratio"] = ratio_text(cleaned.get("parent_share_ratio"))
    return cleaned


def check_administrators(requested: Mapping[str, Any]) -> None:
    """Administrators ① and ② are two people: not one user ID twice (of what `requested` holds;
    the change screen asks it with the fields' own errors)."""
    first, second = administrator(requested, 1), administrator(requested, 2)
    if first and second and first["user_id"] == second["user_id"]:
        raise ValidationFailed(
            errors={admin_key(2, "user_id"): ["管理者①と管理者②に同じユーザIDは指定できません。"]}
        )


def check_capital(current: Mapping[str, Any], requested: Mapping[str, Any]) -> None:
    """seed 003 5.2: 資本関係の変更が行われた場合は、親会社の持ち株比率を記載する."""
    relationship = requested.get("capital_relationship") or ""
    ratio = requested.get("parent_share_ratio")
    changed = relationship != (current.get("capital_relationship") or "") or ratio != current.get(
        "parent_share_ratio"
    )
    if not changed:
        return
    if relationship and ratio is None:
        raise ValidationFailed(
            errors={"parent_share_ratio": ["資本関係を変更する場合は、親会社の持株比率を入力してください。"]}
        )
    if not relationship and ratio is not None:
        raise ValidationFailed(
            errors={
                "parent_share_ratio": ["持株比率は、資本関係（親会社名）を入力した場合に入力してください。"]
            }
        )


def company_changes(current: Mapping[str, Any], requested: Mapping[str, Any]) -> list[str]:
    """The company fields whose requested value differs from the registered one."""
    return [name for name in COMPANY_FIELDS if requested.get(name) != current.get(name)]


def administrator_changes(current: Mapping[str, Any], requested: Mapping[str, Any]) -> list[int]:
    """The administrator slots whose requested values differ from the registered ones."""
    return [slot for slot in SLOTS if administrator(requested, slot) != administrator(current, slot)]


# --- administrators ① / ② -----------------------------------------------------------------------------


# How an administrator's profile change is summarized in the history ("管理者①(氏名、電話番号)").
_NOTE_LABELS = {
    "department_title": "所属・役職",
    "last_name": "氏名",
    "first_name": "氏名",
    "last_name_kana": "氏名カナ",
    "first_name_kana": "氏名カナ",
    "email": "メールアドレス",
    "phone": "電話番号",
    "other": "その他",
}


def _slot_note(slot: int, before: User | None, after: Mapping[str, str] | None) -> str:
    name = SLOT_NAMES[slot]
    if after is None:
        return f"{name}（削除）"
    if before is None:
        return f"{name}（追加）"
    if before.login_id != after["user_id"]:
        return f"{name}（交代）"
    changed = [
        _NOTE_LABELS[field_name]
        for field_name in ADMIN_PROFILE_FIELDS
        if (getattr(before, field_name) or "") != after[field_name]
    ]
    return f"{name}（{'、'.join(dict.fromkeys(changed))}）" if changed else name


def _apply_administrators(
    *, actor: User, profile: MemberProfile, requested: Mapping[str, Any], slots: list[int]
) -> list[str]:
    """Make the accounts of administrators ① / ② those requested for `slots` (identity's services).

    The same user ID is the same person: its profile is updated. A new user ID is a new person: the
    account is created (its password mailed) and the replaced administrator's account removed. An
    administrator may move between the slots. Called inside the caller's transaction; sets the
    profile's administrator fields without saving the profile.
    """
    organization = profile.organization
    current: dict[int, User | None] = {1: profile.administrator1, 2: profile.administrator2}
    target: dict[int, dict[str, str] | None] = {
        slot: (administrator(requested, slot) if slot in slots else None) for slot in SLOTS
    }
    kept_ids = {values["user_id"] for values in target.values() if values is not None}
    kept_ids |= {user.login_id for slot, user in current.items() if user is not None and slot not in slots}
    accounts = {user.login_id: user for user in current.values() if user is not None}
    notes = [_slot_note(slot, current[slot], target[slot]) for slot in slots]

    # Free the slots of the accounts that go (the profile protects its administrators), then remove
    # them before creating new ones: the member system allows two administrators at most.
    leaving = [user for user in accounts.values() if user.login_id not in kept_ids]
    if leaving:
        MemberProfile.objects.filter(pk=profile.pk).update(
            **{
                f"administrator{slot}": None
                for slot, user in current.items()
                if user is not None and user.login_id not in kept_ids
            }
        )
        for user in leaving:
            identity_services.remove_administrator(actor=actor, user=user, system=SYSTEM)
    assigned: dict[int, User | None] = {}
    for slot in SLOTS:
        if slot not in slots:
            assigned[slot] = current[slot]
            continue
        values = target[slot]
        if values is None:
            assigned[slot] = None
            continue
        profile_values: dict[str, Any] = {name: values[name] for name in ADMIN_PROFILE_FIELDS}
        existing = accounts.get(values["user_id"])
        if existing is not None:
            assigned[slot] = identity_services.update_administrator(
                actor=actor, user=existing, system=SYSTEM, **profile_values
            )
            continue
        try:
            assigned[slot] = identity_services.create_administrator(
                actor=actor,
                organization=organization,
                login_id=values["user_id"],
                system=SYSTEM,
                **profile_values,
            )
        except ValidationFailed as error:
            messages = [message for found in error.errors.values() for message in found] or [error.message]
            raise ValidationFailed(
                f"{SLOT_NAMES[slot]}: {' '.join(messages)}", errors={admin_key(slot, "user_id"): messages}
            ) from error
    profile.administrator1 = assigned[1]
    profile.administrator2 = assigned[2]
    return notes


def _save_version(*, actor: User | None, profile: MemberProfile, summary: str) -> None:
    """Save the member information as its next version; the history keeps the previous one."""
    profile.version += 1
    profile.updated_at = timezone.now()
    profile._change_reason = summary[:_REASON_LENGTH]  # type: ignore[attr-defined]
    profile._history_user = actor  # type: ignore[attr-defined]
    profile.save()


def _recipients(profile: MemberProfile, *extra: str) -> list[str]:
    addresses = [user.email for user in (profile.administrator1, profile.administrator2) if user is not None]
    addresses += list(extra)
    return list(dict.fromkeys(address for address in addresses if address))


@dataclass
class ChangeOutcome:
    """What a change request led to: applied at once (administrators only) or filed for review."""

    application: Application | None = None
    notes: list[str] = field(default_factory=list)
    # The acting administrator replaced itself: its account no longer exists.
    actor_removed: bool = False


@function("MEM-I4")
def request_change(*, actor: User, payload: Mapping[str, Any]) -> ChangeOutcome:
    """MEM-I4 会員情報変更申請: administrators only → applied at once; anything else → an application."""
    requested = validate_change(payload)
    with transaction.atomic():
        profile = _locked_profile(organization_of(actor))
        current = snapshot(profile)
        check_capital(current, requested)
        company = company_changes(current, requested)
        slots = administrator_changes(current, requested)
        if not company and not slots:
            raise ValidationFailed(NOTHING_CHANGED, code="nothing_changed")
        if company:
            refuse_if_open(actor)
            application = reviews.create_draft(actor=actor, kind=CHANGE, payload=requested, current=current)
            application = reviews.submit(actor=actor, application=application)
            return ChangeOutcome(application=application)
        before = {user.login_id for user in (profile.administrator1, profile.administrator2) if user}
        notes = _apply_administrators(actor=actor, profile=profile, requested=requested, slots=slots)
        after = {user.login_id for user in (profile.administrator1, profile.administrator2) if user}
        actor_removed = actor.login_id in before - after
        summary = f"管理者情報の即時反映: {'、'.join(notes)}"
        _save_version(actor=None if actor_removed else actor, profile=profile, summary=summary)
        record(
            actor=actor,
            action=Action.MEMBERSHIP_ADMINISTRATORS_UPDATE,
            obj=profile,
            organization=profile.organization,
            system=SYSTEM,
            detail={"slots": slots, "notes": notes, "version": profile.version},
        )
        queue_mail(
            to=_recipients(profile, actor.email),
            template="membership/mail/change_administrators",
            context={
                "organization": profile.organization,
                "notes": notes,
                "version": profile.version,
                "actor_name": actor.display_name or actor.login_id,
                "site_url": settings.SITE_URL,
            },
        )
    return ChangeOutcome(notes=notes, actor_removed=actor_removed)


def apply_change(application: Application, actor: User) -> None:
    """The review workflow's `apply` hook of `membership.change`: the approved values become the
    member information's next version, the organization's names, 法人番号 and 事業者種別 follow, and
    the administrators the request changed are changed as at once (inside the approval transaction)."""
    profile = _locked_profile(application.organization_id)
    requested = application.payload
    live = snapshot(profile)
    filed = application.current or live
    company = company_changes(live, requested)
    for name in COMPANY_FIELDS:
        value = requested.get(name)
        if name == "parent_share_ratio":
            value = Decimal(value) if value is not None else None
        elif name == "business_types":
            value = list(value or [])
        setattr(profile, name, value)
    identity_services.update_organization(
        actor=actor,
        organization=profile.organization,
        corporate_number=requested["corporate_number"],
        name=requested["name"],
        name_kana=requested["name_kana"],
        business_types=list(requested["business_types"]),
    )
    # Only the administrators this request asked to change: another may have changed since it was filed.
    slots = administrator_changes(filed, requested)
    notes = _apply_administrators(actor=actor, profile=profile, requested=requested, slots=slots)
    items = [COMPANY_LABELS[name] for name in company] + notes
    _save_version(
        actor=actor,
        profile=profile,
        summary=f"{application.reception_number}: {'、'.join(items) or '変更なし'}",
    )
    record(
        actor=actor,
        action=Action.MEMBERSHIP_PROFILE_UPDATE,
        obj=profile,
        organization=profile.organization,
        system=SYSTEM,
        detail={
            "reception_number": application.reception_number,
            "fields": company,
            "administrators": notes,
            "version": profile.version,
        },
    )


# --- editing, resubmitting and withdrawing a request (MEM-I3) -----------------------------------------


def check_successor(organization: Organization, payload: Mapping[str, Any]) -> None:
    """seed 003 6.2: to keep the same 事業者コード, a change is filed, not a succession."""
    if payload["successor_code"] == organization.code:
        raise ValidationFailed(
            errors={
                "successor_code": [
                    "承継する際に事業者コードをそのまま引き継ぐ場合は、承継ではなく会員情報の変更にて手続きしてください。"
                ]
            }
        )


def edit_act(application: Application) -> str | None:
    """How the member's edit of a request is filed (MEM-I3), None when it cannot be edited: it is
    resubmitted after a hold or a rejection, and updated while it waits for review. A withdrawal has
    nothing to edit: it is only resubmitted. `edit_request` and the screens ask this."""
    if reviews.may("resubmit", application.state):
        return "resubmit"
    if application.state in reviews.PENDING and application.kind != WITHDRAWAL:
        return "update"
    return None


@function("MEM-I3")
def edit_request(
    *,
    actor: User,
    application: Application,
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Application:
    """MEM-I3: change a request not yet approved. While it waits for review the new values replace the
    old; after a hold or a rejection the corrected request is resubmitted (seed 003 5.1: 保留・却下の
    場合は理由に応じて申請内容を更新)."""
    if application.organization_id != organization_of(actor):
        raise NotFound()
    if application.kind not in REQUEST_KINDS:
        raise NotFound()
    if application.kind == WITHDRAWAL:
        cleaned = dict(application.payload)  # nothing to edit: it is only resubmitted
    else:
        cleaned = registry.get(application.kind).validate(dict(payload or {}))
    with transaction.atomic():
        profile = lock_profile(actor.organization_id)
        if application.kind == CHANGE:
            if profile is None:
                raise ValidationFailed(NO_PROFILE)
            current = snapshot(profile)
            check_capital(current, cleaned)
            if not company_changes(current, cleaned) and not administrator_changes(current, cleaned):
                raise ValidationFailed(NOTHING_CHANGED, code="nothing_changed")
        elif application.kind == SUCCESSION:
            assert actor.organization is not None
            check_successor(actor.organization, cleaned)
        act = edit_act(application)
        if act == "resubmit":
            refuse_if_open(actor, exclude_pk=application.pk)
            return reviews.resubmit(
                actor=actor, application=application, payload=cleaned, expected_version=expected_version
            )
        if act == "update":
            return reviews.update_payload(
                actor=actor, application=application, payload=cleaned, expected_version=expected_version
            )
    raise InvalidTransition("この申請は変更できません。")


@function("MEM-I3")
def withdraw_request(
    *, actor: User, application: Application, expected_version: int | None = None
) -> Application:
    """MEM-I3: the member takes back a request not yet decided (取下げ)."""
    return reviews.withdraw(actor=actor, application=application, expected_version=expected_version)
