"""管理者変更申請 of the switching system (X-I1; seed 001 3.2.2): the administrator ID is issued by the
organization, so a participant whose administrator changes applies for it, and the back office
reviews it as every other application (kouiki.reviews). On approval the new person gets an
administrator ID (its ID and password mailed), and the previous administrator becomes an ordinary,
disabled user (its history stays; the new administrator may enable or delete it).

The member system has the same through 会員情報変更 (MEM-I4); the capacity system hands the role to a
registered user (seed 002 3.2.2, identity.services.capacity_users).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import japanese
from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity.access import function
from kouiki.identity.forms import ProfileForm
from kouiki.identity.models import Enrollment, Organization, User
from kouiki.identity.services import PROFILE_FIELDS, check_natural_person, create_administrator
from kouiki.identity.services.persons import check_person
from kouiki.identity.services.tokens import invalidate_access
from kouiki.reviews import selectors as review_selectors
from kouiki.reviews import services as reviews
from kouiki.reviews.services import registry

if TYPE_CHECKING:
    from kouiki.reviews.models import Application

SYSTEM = System.SWITCHING
KIND = "switching.admin_change"
LABELS = {
    "login_id": "新しい管理者のユーザID",
    "last_name": "氏名（姓）",
    "first_name": "氏名（名）",
    "last_name_kana": "氏名カナ（セイ）",
    "first_name_kana": "氏名カナ（メイ）",
    "department_title": "所属・役職",
    "email": "メールアドレス",
    "phone": "電話番号",
    "other": "その他",
    "previous": "現在の管理者",
}
PENDING_STATES = ("submitted", "resubmitted", "on_hold")


def administrators(organization_id: int) -> list[User]:
    """The organization's switching administrators now."""
    return list(
        User.objects.filter(
            organization_id=organization_id, enrollments__system=SYSTEM, enrollments__role=Role.ADMIN
        ).order_by("login_id")
    )


def validate(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The new administrator's profile as the user screens check it (ProfileForm and X-I1's names);
    that its ID is free and the person holds no other ID is checked on filing and on approval."""
    data = {name: str(payload.get(name) or "") for name in (*PROFILE_FIELDS, "login_id")}
    errors: dict[str, list[str]] = {}
    login_id = japanese.normalize_user_login_id(data["login_id"])
    try:
        japanese.validate_user_login_id(login_id)
    except ValidationError as error:
        errors["login_id"] = list(error.messages)
    form = ProfileForm(data={**data, "email_confirm": data["email"]})
    for field, messages in form.errors.items():
        errors.setdefault(field, []).extend(str(message) for message in messages)
    if not errors:
        try:
            check_person(form.cleaned_data)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "login_id": login_id,
        **{name: form.cleaned_data.get(name, "") for name in PROFILE_FIELDS},
        "previous": str(payload.get("previous") or ""),
    }


def apply(application: Application, actor: User) -> None:
    """Approved: the new administrator ID (mailed), the previous administrators made disabled users."""
    organization = Organization.objects.get(pk=application.organization_id or 0)
    payload = application.payload
    previous = administrators(organization.pk)
    new = create_administrator(
        actor=actor,
        organization=organization,
        login_id=payload["login_id"],
        system=SYSTEM,
        duties=[],
        **{name: payload.get(name, "") for name in PROFILE_FIELDS},
    )
    for user in previous:
        Enrollment.objects.filter(user=user, system=SYSTEM).update(role=Role.USER, functions=None)
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(
            actor=actor,
            action=Action.USER_ADMIN_HANDOVER,
            obj=new,
            organization=organization,
            system=SYSTEM,
            detail={
                "from": user.login_id,
                "to": new.login_id,
                "reception_number": application.reception_number,
                "previous_disabled": True,
            },
        )
    invalidate_access()  # update() sends no signal


TYPE = registry.register(
    registry.ApplicationType(
        key=KIND,
        name="管理者変更申請（スイッチング支援システム）",
        validate=validate,
        apply=apply,
        labels=LABELS,
        summary=lambda payload: (
            f"新しい管理者 {payload.get('last_name', '')} {payload.get('first_name', '')}".strip()
        ),
        function_id="SW-U04",
        prefix="SA",
    )
)


def pending(*, actor: User) -> list[Application]:
    """The organization's administrator changes not yet decided for good."""
    return [
        application
        for application in review_selectors.applications_for(actor=actor, kind=KIND)
        if application.state in PENDING_STATES
    ]


@function("SW-U04")
def request_change(*, actor: User, login_id: str, **profile: Any) -> Application:
    """File 管理者変更申請: the new administrator's ID and profile, checked now as on approval (the ID
    free, one natural person holding no other ID here), for the back office to review."""
    organization_id = actor.organization_id or 0
    cleaned = validate({"login_id": login_id, **profile})
    if pending(actor=actor):
        raise Conflict("審査中の管理者変更申請があります。審査の結果をお待ちください。")
    if User.objects.filter(organization_id=organization_id, login_id=cleaned["login_id"]).exists():
        raise ValidationFailed(errors={"login_id": ["このユーザIDは既に使用されています。"]})
    check_natural_person(organization_id=organization_id, system=SYSTEM, profile=cleaned)
    cleaned["previous"] = "、".join(
        f"{user.login_id} {user.display_name}".strip() for user in administrators(organization_id)
    )
    with transaction.atomic():
        application = reviews.create_draft(actor=actor, kind=KIND, payload=cleaned)
        return reviews.submit(actor=actor, application=application)
