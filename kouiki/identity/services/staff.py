"""The organization's own staff accounts (issue 15, 職員管理): the staff administrators (職員管理者)
register them, change their roles, disable and enable them and reset their passwords.

- A new account's first password is mailed to the person (to change at the first login); the back
  office's door then makes it enrol its authenticator (TOTP, a QR code) before anything else when
  it has no confirmed device (`KOUIKI_STAFF_OTP_REQUIRED`, kouiki.backoffice.views.auth).
- Roles (`StaffRole`) open the areas of the back office (kouiki.backoffice.urls.AREAS).
- Nobody locks the staff out: a staff administrator cannot take its own 職員管理者 role away nor
  disable itself, and the last active staff administrator keeps the role.
- A staff account is one natural person's too (X-I1, services.persons).
- A lost authenticator is forgotten by a staff administrator (`reset_second_factor`): the next
  login enrols a new one.
- Every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import BACKOFFICE, site
from kouiki.identity.access import require_staff_role
from kouiki.identity.choices import StaffRole, staff_username
from kouiki.identity.models import AccountKind, User
from kouiki.identity.services import _store_password, generate_password
from kouiki.identity.services.persons import check_person

ADMINISTER = frozenset({StaffRole.STAFF_ADMIN.value})
STAFF_ADMIN = StaffRole.STAFF_ADMIN.value
# A staff ID: half-width letters, digits, '.', '_' and '-', 3 to 20 characters, a letter first.
STAFF_ID = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{2,19}$")
STAFF_FIELDS = (
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "department_title",
    "email",
    "phone",
)


def _administrator(actor: Any) -> User:
    return require_staff_role(actor, ADMINISTER)


def _checked_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    valid = {role.value for role in StaffRole}
    unknown = [role for role in chosen if role not in valid]
    if unknown:
        raise ValidationFailed(errors={"roles": [f"職員権限の選択が不正です: {'、'.join(unknown)}"]})
    return chosen


def role_labels(user: User) -> list[str]:
    labels = dict(StaffRole.choices)
    return [str(labels.get(role, role)) for role in user.staff_roles or []]


# --- reads ---------------------------------------------------------------------------------------


def staff_members(*, actor: Any, query: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    """The staff accounts, searchable by ID, name and address, by role and by state."""
    _administrator(actor)
    rows = User.objects.filter(kind=AccountKind.STAFF).order_by("login_id")
    if query:
        rows = rows.filter(
            Q(login_id__icontains=query)
            | Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name_kana__icontains=query)
            | Q(first_name_kana__icontains=query)
            | Q(email__icontains=query)
            | Q(department_title__icontains=query)
        )
    if active in ("1", "0"):
        rows = rows.filter(is_active=active == "1")
    if role:
        # JSON containment is not portable (SQLite): the staff are few, the role is read in Python.
        rows = rows.filter(pk__in=[user.pk for user in rows if role in (user.staff_roles or [])])
    return rows


def staff_member(*, actor: Any, pk: int) -> User:
    _administrator(actor)
    user = User.objects.filter(kind=AccountKind.STAFF, pk=pk).first()
    if user is None:
        raise NotFound()
    return user


# --- changes -------------------------------------------------------------------------------------


def _mail(user: User, template: str, **more: Any) -> None:
    door = site(BACKOFFICE)
    queue_mail(
        to=user.email,
        template=template,
        context={
            "user": user,
            "system_name": door.name,
            "login_url": f"{settings.SITE_URL}{door.login_url}",
            "otp_required": settings.KOUIKI_STAFF_OTP_REQUIRED,
            **more,
        },
        sensitive="password" in more,
    )


def register_staff(*, actor: Any, login_id: str, roles: Iterable[str], **profile: Any) -> User:
    """A new staff account: its first password mailed (changed at the first login, after the
    authenticator is enrolled), its roles, audited."""
    _administrator(actor)
    login_id = (login_id or "").strip()
    if not STAFF_ID.match(login_id):
        raise ValidationFailed(
            errors={
                "login_id": ["職員IDは半角英字で始まる半角英数字・記号（. _ -）3〜20文字で入力してください。"]
            }
        )
    if not profile.get("email"):
        raise ValidationFailed(
            errors={"email": ["メールアドレスを入力してください。初期パスワードを送付します。"]}
        )
    chosen = _checked_roles(roles)
    password = generate_password()
    with transaction.atomic():
        # The staff rows locked (ordered by pk: User's own ordering joins the organization, which
        # FOR UPDATE cannot lock): two registrations of one person at once cannot both pass.
        list(User.objects.select_for_update().filter(kind=AccountKind.STAFF).order_by("pk").values_list("pk"))
        email = str(profile.get("email", "")).strip()
        check_person(profile, accounts=User.objects.filter(kind=AccountKind.STAFF, email__iexact=email))
        user = User(
            username=staff_username(login_id),
            login_id=login_id,
            kind=AccountKind.STAFF,
            staff_roles=chosen,
            **{name: str(profile.get(name) or "") for name in STAFF_FIELDS},
        )
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:
            raise ValidationFailed(errors={"login_id": ["この職員IDは既に使用されています。"]}) from error
        _store_password(user, password, must_change=True)
        record(
            actor=actor,
            action=Action.USER_REGISTER,
            obj=user,
            system=BACKOFFICE,
            detail={"staff_roles": chosen},
        )
        _mail(user, "identity/mail/staff_registered", password=password)
    return user


def _active_administrators(exclude_pk: int) -> list[User]:
    """The other active staff administrators (the staff rows locked: two changes at once cannot
    both take the last one away)."""
    staff = (
        User.objects.select_for_update()
        .filter(kind=AccountKind.STAFF, is_active=True)
        .exclude(pk=exclude_pk)
        .order_by("pk")
    )
    return [user for user in staff if STAFF_ADMIN in (user.staff_roles or [])]


def change_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    """Change a staff member's roles (never its own 職員管理者 role; never the last one's)."""
    _administrator(actor)
    chosen = _checked_roles(roles)
    before = sorted(user.staff_roles or [])
    if chosen == before:
        return user
    losing_admin = STAFF_ADMIN in before and STAFF_ADMIN not in chosen
    if losing_admin and user.pk == actor.pk:
        raise ValidationFailed(
            errors={"roles": ["ご自身の職員管理者の権限は外せません。他の職員管理者に依頼してください。"]}
        )
    with transaction.atomic():
        if losing_admin and user.is_active and not _active_administrators(user.pk):
            raise ValidationFailed(
                errors={
                    "roles": ["最後の職員管理者の権限は外せません。先に他の職員を職員管理者にしてください。"]
                }
            )
        user.staff_roles = chosen
        user.save(update_fields=["staff_roles"])
        record(
            actor=actor,
            action=Action.USER_UPDATE,
            obj=user,
            system=BACKOFFICE,
            detail={"fields": ["staff_roles"], "before": before, "after": chosen},
        )
    return user


def set_active(*, actor: Any, user: User, active: bool) -> User:
    """Disable or enable a staff account (never oneself; never the last active staff administrator).
    A disabled account can no longer log in."""
    _administrator(actor)
    if user.pk == actor.pk:
        raise Forbidden("ログイン中の職員自身は無効にできません。")
    if user.is_active == active:
        return user
    with transaction.atomic():
        if not active and STAFF_ADMIN in (user.staff_roles or []) and not _active_administrators(user.pk):
            raise Forbidden("最後の職員管理者は無効にできません。先に他の職員を職員管理者にしてください。")
        user.is_active = active
        user.save(update_fields=["is_active"])
        record(
            actor=actor,
            action=Action.USER_UPDATE,
            obj=user,
            system=BACKOFFICE,
            detail={"fields": ["is_active"], "is_active": active},
        )
    return user


def reset_password(*, actor: Any, user: User) -> None:
    """A new password mailed to the staff member (to change at its next login); a lockout is lifted."""
    _administrator(actor)
    if user.pk == actor.pk:
        raise Forbidden("ご自身のパスワードは「パスワード変更」から変更してください。")
    password = generate_password()
    with transaction.atomic():
        _store_password(user, password, must_change=True)
        axes_reset(username=user.username)
        record(actor=actor, action=Action.USER_PASSWORD_INITIALIZE, obj=user, system=BACKOFFICE)
        _mail(user, "identity/mail/staff_password_reset", password=password)


def reset_second_factor(*, actor: Any, user: User) -> None:
    """Forget a staff member's authenticator (a lost or replaced phone): its next login enrols a new
    one with a QR code before anything else. Never one's own (a session without the device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _administrator(actor)
    if user.pk == actor.pk:
        raise Forbidden("ご自身の二要素認証はリセットできません。他の職員管理者に依頼してください。")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        record(actor=actor, action=Action.OTP_REMOVE, obj=user, system=BACKOFFICE, detail={"reset": True})
