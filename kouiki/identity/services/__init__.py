"""Every change to organizations' users and passwords: the only place these rules live.

Seed 003 chapter 2 (login, password rules) and chapter 3 (user administration); FUNCTIONS.md
MEM-A1, MEM-U1..U4.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.catalog import implements
from kouiki.core.errors import Forbidden, NotFound, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import Role, System, site
from kouiki.identity.access import function, is_staff
from kouiki.identity.choices import ParticipantKind, participant_username
from kouiki.identity.models import Duty, Enrollment, Organization, OrganizationStatus, PasswordHistory, User
from kouiki.identity.selectors import count_by_role, organization_participant_kind, role_in
from kouiki.identity.services.persons import check_person
from kouiki.identity.services.rules import rules_for
from kouiki.identity.validators import ALLOWED_SYMBOLS, character_classes

# Profile fields an administrator (MEM-U4) or the user itself (MEM-U1) may change.
PROFILE_FIELDS = (
    "department_title",
    "last_name",
    "first_name",
    "last_name_kana",
    "first_name_kana",
    "email",
    "phone",
    "other",
)
# How many old hashes to keep; the validator reads the newest generations only.
HISTORY_KEPT = 10


def _same_organization(actor: User, user: User) -> None:
    if actor.organization_id is None or actor.organization_id != user.organization_id:
        raise NotFound()


def generate_password(length: int = 16) -> str:
    """A random password that satisfies every composition rule (all four classes)."""
    alphabet = string.ascii_letters + string.digits + ALLOWED_SYMBOLS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if character_classes(candidate) == 4:
            return candidate


def _store_password(user: User, raw_password: str, *, must_change: bool) -> None:
    """Hash, remember in the history, restart the 90-day clock."""
    user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = list(user.password_history.values_list("pk", flat=True)[HISTORY_KEPT:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()


def people_of(organization_id: int | None, system: str, email: str) -> Any:
    """The accounts of an organization's system with this e-mail address: those X-I1's "one person,
    one ID" compares a new or changed profile with (the name is compared in Python, width-blind)."""
    return User.objects.filter(
        organization_id=organization_id or 0, enrollments__system=system, email__iexact=(email or "").strip()
    )


def check_natural_person(
    *, organization_id: int | None, system: str, profile: Mapping[str, Any], exclude_pk: int | None = None
) -> None:
    """X-I1 for an account of an organization's system (services.persons: one rule, said once)."""
    check_person(
        dict(profile),
        accounts=people_of(organization_id, system, str(profile.get("email") or "")),
        exclude_pk=exclude_pk,
    )


def _profile_after(user: User, fields: Mapping[str, Any]) -> dict[str, Any] | None:
    """The profile the change makes, when it touches the person (name or e-mail); else None."""
    if not any(name in fields for name in ("last_name", "first_name", "email")):
        return None
    return {name: fields.get(name, getattr(user, name)) for name in PROFILE_FIELDS}


def open_account(
    *,
    actor: User | None,
    organization: Organization,
    login_id: str,
    system: str,
    role: str,
    password: str,
    duties: list[str],
    profile: Mapping[str, Any],
    detail: Mapping[str, Any] | None = None,
    participant_kind: str | None = None,
) -> User:
    """A new account of a participant (inside the caller's transaction, which holds the limits): a
    taken user ID is refused next to the field; the account is enrolled in `system` with `role` and
    the organization's kind of participant (`participant_kind` for its first account, ADR 22), its
    first password stored to be changed at the first login, and the registration audited."""
    kind = _participant_kind(organization, system, participant_kind)
    check_natural_person(organization_id=organization.pk, system=system, profile=profile)
    user = User(
        organization=organization,
        login_id=login_id,
        username=participant_username(organization.code, login_id),
        duties=duties,
        **{name: profile.get(name, "") or "" for name in PROFILE_FIELDS},
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise ValidationFailed(errors={"user_id": ["このユーザIDは既に使用されています。"]}) from error
    Enrollment.objects.create(user=user, system=system, role=role, participant_kind=kind)
    _store_password(user, password, must_change=True)
    facts: dict[str, Any] = {"role": role}
    if system == System.SWITCHING:
        facts["participant_kind"] = kind
    record(
        actor=actor,
        action=Action.USER_REGISTER,
        obj=user,
        organization=organization,
        system=system,
        detail={**facts, **(detail or {})},
    )
    return user


def _participant_kind(organization: Organization, system: str, requested: str | None) -> str:
    """The kind of participant a new account of `organization` in `system` is: the organization's
    own once it has accounts there (one contract, one kind: seed 001 2.1.1 has a company that is
    both apply for each separately, and every switching read is scoped by organization), the
    requested one (a retailer by default) for its first. Only the switching system knows kinds."""
    existing = organization_participant_kind(organization_id=organization.pk, system=system)
    kind = requested or existing or ParticipantKind.RETAILER
    if kind != ParticipantKind.RETAILER and system != System.SWITCHING:
        raise ValidationFailed(
            f"{ParticipantKind(kind).label}の区分は、スイッチング支援システムの利用者にのみ設定できます。"
        )
    if existing is not None and kind != existing:
        raise ValidationFailed(
            f"事業者コード {organization.code} は{ParticipantKind(existing).label}として"
            "スイッチング支援システムを利用しています。"
            f"{ParticipantKind(kind).label}としての利用は、別の事業者コードで利用申請してください。"
        )
    return kind


def mail_context(user: User, system: str, **more: Any) -> dict[str, Any]:
    """What every account mail of `system` says: the user, the system's name and login page."""
    door = site(system)
    return {
        "user": user,
        "site_url": settings.SITE_URL,
        "system": system,
        "system_name": door.name,
        "login_url": f"{settings.SITE_URL}{door.login_url}",
        **more,
    }


def _mail_registered(user: User, password: str, system: str, *, separately: bool = False) -> None:
    """The new account's ID and first password, mailed to the person (sent on commit); `separately`:
    the ID in one mail and the password in another (SW-U04)."""
    if separately:
        queue_mail(to=user.email, template="identity/mail/user_id_notice", context=mail_context(user, system))
        queue_mail(
            to=user.email,
            template="identity/mail/user_password_notice",
            context=mail_context(user, system, password=password),
            sensitive=True,
        )
        return
    queue_mail(
        to=user.email,
        template=rules_for(system).registered_mail,
        context=mail_context(user, system, password=password),
        sensitive=True,
    )


def _validate_new_password(raw_password: str, user: User, field: str) -> None:
    try:
        password_validation.validate_password(raw_password, user)
    except ValidationError as error:
        raise ValidationFailed(errors={field: list(error.messages)}) from error


@implements("MEM-U1")
def change_own_password(*, actor: User, old_password: str, new_password: str) -> User:
    """MEM-U1 / forced change: the user replaces its own password (seed 003 2.2)."""
    if not actor.check_password(old_password):
        raise ValidationFailed(errors={"old_password": ["現在のパスワードが正しくありません。"]})
    _validate_new_password(new_password, actor, "new_password1")
    with transaction.atomic():
        _store_password(actor, new_password, must_change=False)
        record(actor=actor, action=Action.PASSWORD_CHANGE, obj=actor)
        if actor.email:
            queue_mail(
                to=actor.email,
                template="identity/mail/password_changed",
                context={"user": actor, "site_url": settings.SITE_URL},
            )
    return actor


@implements("MEM-U1")
def update_own_profile(*, actor: User, **fields: Any) -> User:
    """MEM-U1: a user changes its own profile (still one natural person in each of its systems)."""
    after = _profile_after(actor, fields)
    if after is not None:
        for system in actor.enrollments.values_list("system", flat=True):
            check_natural_person(
                organization_id=actor.organization_id, system=system, profile=after, exclude_pk=actor.pk
            )
    changed = _apply_profile(actor, fields)
    with transaction.atomic():
        actor.save()
        record(actor=actor, action=Action.USER_PROFILE_UPDATE, obj=actor, detail={"fields": changed})
    return actor


def _apply_profile(user: User, fields: dict[str, Any]) -> list[str]:
    changed = []
    for name in PROFILE_FIELDS:
        if name in fields and getattr(user, name) != fields[name]:
            setattr(user, name, fields[name])
            changed.append(name)
    if "duties" in fields and sorted(user.duties) != sorted(fields["duties"]):
        user.duties = list(fields["duties"])
        changed.append("duties")
    return changed


@function("MEM-U3")
def register_user(
    *,
    actor: User,
    login_id: str,
    system: str = System.MEMBER,
    role: str = Role.USER,
    duties: list[str] | None = None,
    **profile: Any,
) -> User:
    """MEM-U3: an administrator registers a user of its organization; the password is mailed."""
    return add_user(actor=actor, login_id=login_id, system=system, role=role, duties=duties, profile=profile)


# --- user administration shared by the systems (MEM-U3/U4, SW-U04..U10): each system's service
# checks its own function and calls these, which hold the per-system rules (rules.py).


def _user_of(actor: User, user: User, system: str) -> None:
    """A user of the actor's organization enrolled in `system`; anyone else is NotFound."""
    _same_organization(actor, user)
    if role_in(user, system) is None:
        raise NotFound()


def add_user(
    *,
    actor: User,
    login_id: str,
    system: str,
    role: str = Role.USER,
    duties: list[str] | None = None,
    profile: Mapping[str, Any],
    functions: list[str] | None = None,
    separate_mails: bool = False,
    check: Callable[[Organization], None] | None = None,
) -> User:
    """A user of the actor's organization in `system` (the system's limits held under the
    organization's row lock), its first password mailed; `functions`: its 利用者権限 (SW-U11);
    `check`: a rule of the system's own, run under the same lock (the capacity system's one address,
    one ID)."""
    rules = rules_for(system)
    if role == Role.ADMIN and not rules.admins_via_user_admin:
        raise Forbidden(
            f"管理者は追加できません。管理者の追加・変更は{rules.admin_route}", code="admin_id_issued_once"
        )
    if rules.duties_required and not duties:
        raise ValidationFailed(errors={"duties": ["担当業務を1つ以上選択してください。"]})
    organization = actor.organization
    assert organization is not None
    password = generate_password()
    with transaction.atomic():
        # Lock the organization row: two administrators registering at once cannot pass the limit.
        type(organization).objects.select_for_update().get(pk=organization.pk)
        counts = count_by_role(organization=organization, system=system)
        limit = rules.max_admins if role == Role.ADMIN else rules.max_users
        if limit is not None and counts.get(role, 0) >= limit:
            kind = "管理者" if role == Role.ADMIN else "その他の担当者"
            raise ValidationFailed(f"{kind}は{limit}名まで登録できます。これ以上登録できません。")
        if check is not None:
            check(organization)
        user = open_account(
            actor=actor,
            organization=organization,
            login_id=login_id,
            system=system,
            role=role,
            password=password,
            duties=list(duties or []),
            profile=profile,
        )
        if functions is not None:
            Enrollment.objects.filter(user=user, system=system).update(functions=sorted(functions))
        _mail_registered(user, password, system, separately=separate_mails)
    return user


def change_user(*, actor: User, user: User, system: str, fields: dict[str, Any]) -> list[str]:
    """Change a user's profile (and duties) in `system`, audited; the names of the changed fields."""
    _user_of(actor, user, system)
    rules = rules_for(system)
    if role_in(user, system) == Role.ADMIN and not rules.admins_via_user_admin:
        _check_admin_change(user, fields, rules)
    if rules.duties_required and "duties" in fields and not fields["duties"]:
        raise ValidationFailed(errors={"duties": ["担当業務を1つ以上選択してください。"]})
    after = _profile_after(user, fields)
    if after is not None:
        check_natural_person(
            organization_id=user.organization_id, system=system, profile=after, exclude_pk=user.pk
        )
    changed = _apply_profile(user, fields)
    with transaction.atomic():
        user.save()
        record(actor=actor, action=Action.USER_UPDATE, obj=user, system=system, detail={"fields": changed})
    return changed


# The fields that say who a person is: another value is another person (X-I1).
PERSON_FIELDS = ("last_name", "first_name", "last_name_kana", "first_name_kana")


def _check_admin_change(user: User, fields: Mapping[str, Any], rules: Any) -> None:
    """An administrator on the user screen: its contact details where the system allows it, never
    another person in its place (a change of administrator goes through `rules.admin_route`)."""
    message = f"管理者の変更は{rules.admin_route}"
    if not rules.admin_contact_editable:
        raise Forbidden(message)
    renamed = [name for name in PERSON_FIELDS if name in fields and fields[name] != getattr(user, name)]
    if renamed:
        raise ValidationFailed(
            errors={name: [f"管理者の氏名は変更できません。{message}"] for name in renamed}
        )


def remove_user(*, actor: User, user: User, system: str) -> None:
    """Delete a user of `system` (never oneself): the account, or only its enrollment and API
    tokens of `system` when it still uses another system. What it did stays (SET_NULL, audit)."""
    _user_of(actor, user, system)
    if user.pk == actor.pk:
        raise Forbidden("ログイン中のユーザ自身は削除できません。")
    if role_in(user, system) == Role.ADMIN and not rules_for(system).admins_via_user_admin:
        raise Forbidden(f"管理者は削除できません。管理者の変更は{rules_for(system).admin_route}")
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.USER_DELETE,
            obj=user,
            system=system,
            detail={"login_id": user.login_id, "name": user.display_name},
        )
        if user.enrollments.exclude(system=system).exists():
            user.api_tokens.filter(system=system).delete()
            user.enrollments.filter(system=system).delete()
        else:
            user.delete()


def reissue_password(*, actor: User, user: User, system: str, act: str = "初期化") -> None:
    """A new password for a user of `system`, mailed to it (to change at its next login); a
    lockout is lifted too. `act` names it in the mail (初期化, 再発行)."""
    _user_of(actor, user, system)
    password = generate_password()
    with transaction.atomic():
        _store_password(user, password, must_change=True)
        axes_reset(username=user.username)
        record(actor=actor, action=Action.USER_PASSWORD_INITIALIZE, obj=user, system=system)
        queue_mail(
            to=user.email,
            template=rules_for(system).password_mail,
            context=mail_context(user, system, password=password, act=act),
            sensitive=True,
        )


def lift_lockout(*, actor: User, user: User, system: str) -> None:
    """Lift the lockout (django-axes) of a user of `system` after too many failed logins."""
    _user_of(actor, user, system)
    with transaction.atomic():
        axes_reset(username=user.username)
        record(actor=actor, action=Action.USER_UNLOCK, obj=user, system=system)


@function("MEM-U4")
def update_user(*, actor: User, user: User, system: str = System.MEMBER, **fields: Any) -> User:
    """MEM-U4: an administrator changes a user of its organization."""
    change_user(actor=actor, user=user, system=system, fields=fields)
    return user


@function("MEM-U4")
def delete_user(*, actor: User, user: User, system: str = System.MEMBER) -> None:
    """MEM-U4: an administrator deletes a user of its organization (never itself, never an admin)."""
    remove_user(actor=actor, user=user, system=system)


@function("MEM-U4")
def reset_password_by_admin(*, actor: User, user: User, system: str = System.MEMBER) -> None:
    """MEM-U4 パスワード初期化: a new password is mailed; the lockout is lifted too."""
    reissue_password(actor=actor, user=user, system=system)


@function("MEM-U4")
def unlock_user(*, actor: User, user: User, system: str = System.MEMBER) -> None:
    """An administrator lifts the lockout of a user of its organization."""
    lift_lockout(actor=actor, user=user, system=system)


@implements("MEM-A1")
def record_login(*, user: User, system: str) -> None:
    """Remember the previous login for the header (前回ログイン日時) and audit the success."""
    user.previous_login = user.last_login
    user.save(update_fields=["previous_login"])
    record(actor=user, action=Action.LOGIN_SUCCESS, obj=user, system=system)


def record_logout(*, user: User, system: str) -> None:
    record(actor=user, action=Action.LOGIN_LOGOUT, obj=user, system=system)


def record_login_failure(*, username: str, system: str, reason: str) -> None:
    record(
        actor=None,
        action=Action.LOGIN_FAILURE,
        system=system,
        actor_label=username,
        detail={"reason": reason},
    )


def record_lockout(*, username: str, system: str) -> None:
    """A login refused because the user is locked out (the lockout itself and every later try)."""
    record(actor=None, action=Action.LOGIN_LOCKOUT, system=system, actor_label=username)


def request_password_reset(*, organization_code: str, email: str, system: str = System.MEMBER) -> int:
    """ID／パスワードを忘れた方: mail each user of the organization with this address a link.

    The answer is the same whether or not the address exists; the return value is for tests.
    """
    users = list(
        User.objects.filter(
            organization__code=organization_code,
            email__iexact=email,
            is_active=True,
            enrollments__system=system,
        ).select_related("organization")
    )
    with transaction.atomic():
        for user in users:
            token = default_token_generator.make_token(user)
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            queue_mail(
                to=user.email,
                template="identity/mail/password_reset",
                context={
                    "user": user,
                    "url": f"{settings.SITE_URL}/{system}/password/reset/{uid}/{token}/",
                    "minutes": settings.KOUIKI_PASSWORD_RESET_MINUTES,
                },
                sensitive=True,
            )
            record(actor=None, action=Action.PASSWORD_RESET_REQUEST, obj=user, organization=user.organization)
    return len(users)


def complete_password_reset(*, user: User, new_password: str) -> User:
    """The user sets a new password through the mailed single-use link."""
    _validate_new_password(new_password, user, "new_password1")
    with transaction.atomic():
        _store_password(user, new_password, must_change=False)
        record(actor=user, action=Action.PASSWORD_RESET, obj=user)
    return user


def start_totp_enrollment(*, user: User) -> Any:
    """A new, unconfirmed TOTP device for the user (replacing any unconfirmed one)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)


def confirm_totp(*, user: User, token: str) -> bool:
    """Confirm the pending device with a code from the authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor=user, action=Action.OTP_ENROLL, obj=user)
    return True


def remove_totp(*, actor: User, token: str) -> None:
    """A participant's administrator turns its optional two-factor login off (staff cannot), with
    a current code from its authenticator: a session taken over without the device cannot."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if is_staff(actor):
        raise Forbidden("本機関職員は二要素認証を解除できません。")
    device = TOTPDevice.objects.filter(user=actor, confirmed=True).first()
    if device is not None and not device.verify_token(token):
        raise ValidationFailed("確認コードが正しくありません。もう一度お試しください。", field="token")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        record(actor=actor, action=Action.OTP_REMOVE, obj=actor)


# --- Organizations and their administrators, for the member system's applications (MEM-J4, I4..I6).
# The caller (membership) has already decided that the change is allowed (an approval, or an
# administrator-only change that applies at once); these services keep identity's own rules.


def create_organization(
    *,
    actor: User | None,
    code: str,
    corporate_number: str,
    name: str,
    name_kana: str,
    business_types: list[str],
    member_since: Any = None,
) -> Organization:
    """A new participant organization: a member (join approval, `member_since` given) or a
    participant of another system only (capacity registration, switching demo: no 会員加入日)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                organization = Organization.objects.create(
                    code=code,
                    corporate_number=corporate_number,
                    name=name,
                    name_kana=name_kana,
                    business_types=list(business_types),
                    member_since=member_since,
                )
        except IntegrityError as error:
            raise ValidationFailed(
                errors={"organization_code": ["この事業者コードは既に使用されています。"]}
            ) from error
        record(actor=actor, action=Action.ORGANIZATION_CREATE, obj=organization, organization=organization)
    return organization


def update_organization(*, actor: User | None, organization: Organization, **fields: Any) -> Organization:
    """Names, 法人番号 and 事業者種別 of an organization (on approval of a change)."""
    allowed = {"corporate_number", "name", "name_kana", "business_types"}
    changed = {
        name: value
        for name, value in fields.items()
        if name in allowed and getattr(organization, name) != value
    }
    if changed:
        with transaction.atomic():
            for name, value in changed.items():
                setattr(organization, name, value)
            organization.save(update_fields=list(changed))
            record(
                actor=actor,
                action=Action.ORGANIZATION_UPDATE,
                obj=organization,
                organization=organization,
                detail={"fields": sorted(changed)},
            )
    return organization


def end_membership(
    *, actor: User | None, organization: Organization, status: str, reason: str = ""
) -> Organization:
    """Succession or withdrawal approved: the organization's users can no longer log in; data stays."""
    if status not in {OrganizationStatus.SUCCEEDED, OrganizationStatus.WITHDRAWN}:
        raise ValidationFailed("会員資格の終了の種別が不正です。")
    with transaction.atomic():
        organization.status = status
        organization.status_changed_at = timezone.now()
        organization.save(update_fields=["status", "status_changed_at"])
        record(
            actor=actor,
            action=(
                Action.ORGANIZATION_SUCCEEDED
                if status == OrganizationStatus.SUCCEEDED
                else Action.ORGANIZATION_WITHDRAWN
            ),
            obj=organization,
            organization=organization,
            detail={"reason": reason},
        )
    return organization


def create_administrator(
    *,
    actor: User | None,
    organization: Organization,
    login_id: str,
    system: str = System.MEMBER,
    duties: list[str] | None = None,
    participant_kind: str | None = None,
    **profile: Any,
) -> User:
    """An administrator account of `organization`, its password mailed (join approval, MEM-I4; in
    the switching system, the admin ID that makes a participant's contract, of `participant_kind`).

    The per-system limit of administrators holds here too.
    """
    rules = rules_for(system)
    password = generate_password()
    with transaction.atomic():
        type(organization).objects.select_for_update().get(pk=organization.pk)
        admins = count_by_role(organization=organization, system=system)[Role.ADMIN]
        if rules.max_admins is not None and admins >= rules.max_admins:
            raise ValidationFailed(f"管理者は{rules.max_admins}名まで登録できます。")
        user = open_account(
            actor=actor,
            organization=organization,
            login_id=login_id,
            system=system,
            role=Role.ADMIN,
            password=password,
            duties=list(duties if duties is not None else [d.value for d in Duty]),
            profile=profile,
            participant_kind=participant_kind,
        )
        _mail_registered(user, password, system)
    return user


def update_administrator(
    *, actor: User | None, user: User, system: str = System.MEMBER, **fields: Any
) -> User:
    """Profile of an administrator account, changed through the member information (MEM-I4)."""
    if role_in(user, system) != Role.ADMIN:
        raise ValidationFailed("管理者ではないユーザです。")
    after = _profile_after(user, fields)
    if after is not None:
        check_natural_person(
            organization_id=user.organization_id, system=system, profile=after, exclude_pk=user.pk
        )
    changed = _apply_profile(user, fields)
    with transaction.atomic():
        user.save()
        record(
            actor=actor,
            action=Action.USER_UPDATE,
            obj=user,
            organization=user.organization,
            system=system,
            detail={"fields": changed},
        )
    return user


def remove_administrator(*, actor: User | None, user: User, system: str = System.MEMBER) -> None:
    """An administrator replaced through MEM-I4: the account is removed (the audit log keeps it)."""
    if role_in(user, system) != Role.ADMIN:
        raise ValidationFailed("管理者ではないユーザです。")
    with transaction.atomic():
        record(
            actor=actor,
            action=Action.USER_DELETE,
            obj=user,
            organization=user.organization,
            system=system,
            detail={"login_id": user.login_id, "name": user.display_name, "role": Role.ADMIN},
        )
        user.delete()
