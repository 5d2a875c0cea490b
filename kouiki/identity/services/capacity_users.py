"""The accounts of the capacity market system (容量市場システム, seed 002 chapter 3).

- CAP-R3 / X-I1: the administrator ID, created once per participant when its operator registration
  is approved, its password mailed to the address of the application (3.2.1: 管理者IDの新規発行は
  1回しか実施できない). A second one is refused here, whoever asks.
- CAP-U1: the administrator registers, changes, deletes and views its users (natural persons only,
  one ID per person: 3.3), unlocks them, reissues their passwords (mailed), changes itself, and
  hands the administrator role to another user when the administrator changes (3.2.2).

The acts are identity's shared user administration (`add_user`, `change_user`, `remove_user`,
`reissue_password`, `lift_lockout`: the switching and member systems' too), with this system's rules
and mails held in identity/rules.py (one administrator, never added on the user screen; its own mail
texts). This module adds the capacity market's own: the administrator ID issued once (CAP-R3), one
ID per e-mail address, and the hand-over of the administrator role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import Role, System
from kouiki.identity.access import function
from kouiki.identity.choices import participant_username
from kouiki.identity.models import Enrollment, Organization, PasswordHistory, User
from kouiki.identity.selectors import count_by_role
from kouiki.identity.services import (
    PROFILE_FIELDS,
    _user_of,
    add_user,
    change_user,
    generate_password,
    lift_lockout,
    open_account,
    remove_user,
)
from kouiki.identity.services import reissue_password as shared_reissue_password
from kouiki.identity.services.tokens import invalidate_access

SYSTEM = System.CAPACITY
FUNCTION = "CAP-U1"
LOGIN_PATH = "/capacity/login/"
ONE_ADMIN_ID = (
    "管理者IDは発行済みです。管理者IDの新規発行は1回のみです（容量市場システム利用規約 3.2.1）。"
    "管理者が変更になった場合は、ユーザ情報管理で変更してください。"
)


def _mail_context(user: User, password: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "user": user,
        "password": password,
        "site_url": settings.SITE_URL,
        "login_url": f"{settings.SITE_URL}{LOGIN_PATH}",
        **(extra or {}),
    }


def _own_user(actor: User, user: User) -> None:
    """A user of the actor's organization enrolled in this system; anyone else is NotFound."""
    _user_of(actor, user, SYSTEM)


def _one_id_per_person(organization: Organization, email: str, exclude_pk: int | None = None) -> None:
    """Seed 002 3.3 / X-I1: one user ID per natural person, told apart by the person's own address."""
    others = User.objects.filter(
        organization=organization, enrollments__system=SYSTEM, email__iexact=email.strip()
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    holder = others.first()
    if holder is not None:
        raise ValidationFailed(
            errors={
                "email": [
                    f"このメールアドレスはユーザID {holder.login_id} に登録されています。"
                    "ユーザIDは1人に1つのみ発行できます（容量市場システム利用規約 3.3）。"
                ]
            }
        )


# --- reads ------------------------------------------------------------------------------------------


def administrators(*, organization_id: int) -> list[User]:
    """The organization's capacity administrators now: the role moves on a hand-over (3.2.2), so this,
    not the ID issued on approval (CAP-R3), is whom the administrator's mails and screens mean."""
    return list(
        User.objects.filter(
            organization_id=organization_id,
            is_active=True,
            enrollments__system=SYSTEM,
            enrollments__role=Role.ADMIN,
        ).order_by("login_id")
    )


# --- CAP-R3: the administrator ID ------------------------------------------------------------------


def create_administrator(
    *,
    actor: User | None,
    organization: Organization,
    login_id: str,
    mail_context: Mapping[str, Any] | None = None,
    **profile: Any,
) -> User:
    """The participant's administrator ID, its password mailed to the administrator (CAP-R3).

    Called by the capacity app inside the approval of an operator registration; `mail_context`
    adds what the notice says about the contract (seed 002 2.1.2, 2.1.3). A participant that already
    has an administrator ID is refused (3.2.1), even when the administrator was later replaced.
    """
    password = generate_password()
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        # One administrator at a time (identity/rules.py), and only ever issued once.
        if count_by_role(organization=organization, system=SYSTEM)[Role.ADMIN]:
            raise ValidationFailed(ONE_ADMIN_ID, code="admin_id_issued")
        user = open_account(
            actor=actor,
            organization=organization,
            login_id=login_id,
            system=SYSTEM,
            role=Role.ADMIN,
            password=password,
            duties=[],
            profile=profile,
            detail={"function": "CAP-R3"},
        )
        queue_mail(
            to=user.email,
            template="identity/capacity/mail/administrator_id",
            context=_mail_context(user, password, mail_context),
            sensitive=True,
        )
    return user


# --- CAP-U1: the administrator's user administration ---------------------------------------------


@function(FUNCTION)
def register_user(*, actor: User, login_id: str, **profile: Any) -> User:
    """Register a user (a natural person) of the actor's organization; the password is mailed
    (identity's shared user administration, with this system's rules and mails: rules.py)."""
    return add_user(
        actor=actor,
        login_id=login_id,
        system=SYSTEM,
        role=Role.USER,
        duties=[],
        profile=profile,
        check=lambda organization: _one_id_per_person(organization, str(profile.get("email", ""))),
    )


@function(FUNCTION)
def update_user(*, actor: User, user: User, **fields: Any) -> User:
    """Change a user's profile; the administrator changes its own through this too (seed 002 3.2.2),
    its contact details only: another name is another person, a hand-over."""
    _own_user(actor, user)
    organization = actor.organization
    assert organization is not None
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)
        if "email" in fields:
            _one_id_per_person(organization, str(fields["email"]), exclude_pk=user.pk)
        change_user(
            actor=actor,
            user=user,
            system=SYSTEM,
            fields={name: value for name, value in fields.items() if name != "duties"},
        )
    return user


@function(FUNCTION)
def delete_user(*, actor: User, user: User) -> None:
    """Delete a user; never the administrator (hand the role over first) nor oneself."""
    remove_user(actor=actor, user=user, system=SYSTEM)


@function(FUNCTION)
def reissue_password(*, actor: User, user: User) -> None:
    """パスワードの再発行: a new password mailed to the user; a lockout is lifted too."""
    _own_user(actor, user)
    if user.pk == actor.pk:
        raise Forbidden("ご自身のパスワードは「パスワード変更」から変更してください。")
    shared_reissue_password(actor=actor, user=user, system=SYSTEM, act="再発行")


@function(FUNCTION)
def unlock_user(*, actor: User, user: User) -> None:
    """Lift the lockout of a user after too many failed logins."""
    lift_lockout(actor=actor, user=user, system=SYSTEM)


@function(FUNCTION)
def hand_over_administrator(*, actor: User, user: User) -> User:
    """The administrator changes (seed 002 3.2.2): `user` becomes the administrator, the actor a user.

    The one administrator ID stays one: the role moves, no new administrator is issued.
    """
    _own_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationFailed("管理者を引き継ぐユーザを選択してください。")
    with transaction.atomic():
        # The organization's row lock: two hand-overs at once cannot leave two administrators.
        Organization.objects.select_for_update().filter(pk=actor.organization_id or 0).first()
        if not Enrollment.objects.filter(user=actor, system=SYSTEM, role=Role.ADMIN).exists():
            raise Forbidden("管理者は既に変更されています。")
        Enrollment.objects.filter(user=actor, system=SYSTEM).update(role=Role.USER)
        Enrollment.objects.filter(user=user, system=SYSTEM).update(role=Role.ADMIN)
        invalidate_access()  # update() sends no signal
        record(
            actor=actor,
            action=Action.USER_ADMIN_HANDOVER,
            obj=user,
            system=SYSTEM,
            detail={"from": actor.login_id, "to": user.login_id},
        )
    return user


# --- demo data ------------------------------------------------------------------------------------


def create_demo_account(
    *, organization: Organization, login_id: str, role: str, password: str, **profile: Any
) -> bool:
    """A demo account of the capacity market (load_demo only): a known password that does not expire.

    Returns False when the account exists already.
    """
    if User.objects.filter(username=participant_username(organization.code, login_id)).exists():
        return False
    user = User(
        organization=organization,
        login_id=login_id,
        username=participant_username(organization.code, login_id),
        password_expiry_exempt=True,
        **{name: profile.get(name, "") for name in PROFILE_FIELDS},
    )
    user.set_password(password)
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password)
    Enrollment.objects.create(user=user, system=SYSTEM, role=role)
    return True
