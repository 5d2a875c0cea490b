"""Reads of identity data, always scoped to the actor's organization."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.core.systems import Role, System
from kouiki.identity.choices import ParticipantKind, participant_username
from kouiki.identity.models import AccountKind, Enrollment, Organization, User


def password_change_required(user: User) -> bool:
    """A mailed password must be replaced; any other expires after the configured days."""
    if user.must_change_password:
        return True
    if user.password_expiry_exempt:
        return False
    max_age = timedelta(days=settings.KOUIKI_PASSWORD_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at >= max_age


def _enrollment_in(user: User, system: str) -> Enrollment | None:
    for enrollment in user.enrollments.all():
        if enrollment.system == system:
            return enrollment
    return None


def role_in(user: User, system: str) -> str | None:
    """The user's role in a system, or None when it is not enrolled there."""
    enrollment = _enrollment_in(user, system)
    return enrollment.role if enrollment is not None else None


def participant_kind_in(user: User, system: str = System.SWITCHING) -> str | None:
    """What the user's organization is in a system (小売電気事業者 or 需要抑制契約者, ADR 22), or None
    when the user is not enrolled there."""
    enrollment = _enrollment_in(user, system)
    return enrollment.participant_kind if enrollment is not None else None


def organization_participant_kind(*, organization_id: int, system: str) -> str | None:
    """What an organization is in a system, from its users' enrollments (one kind per organization),
    or None when none of its users is enrolled there yet."""
    return (
        Enrollment.objects.filter(user__organization_id=organization_id, system=system)
        .values_list("participant_kind", flat=True)
        .first()
    )


def role_codes(user: User, system: str) -> frozenset[str]:
    """The FUNCTIONS.md "who" codes the user holds in a system (M, A, R, D, C, O): in the switching
    system a demand-response contractor's users hold D where a retailer's hold R (seed 001 2.2.2)."""
    return rights_in(user, system)[0]


def rights_in(user: User, system: str) -> tuple[frozenset[str], frozenset[str] | None]:
    """The user's role codes in a system (`role_codes`) and the functions its administrator gave it
    there (`granted_functions`), from one read of its enrollments."""
    if not user.is_authenticated:
        return frozenset(), None
    if user.kind == AccountKind.STAFF:
        return frozenset({"O"}), None
    if user.organization is None or not user.organization.is_active:
        return frozenset(), None
    enrollment = _enrollment_in(user, system)
    if enrollment is None:
        return frozenset(), None
    codes: set[str] = set()
    if system == System.MEMBER:
        codes.add("M")
    elif system == System.CAPACITY:
        codes.add("C")
    elif system == System.SWITCHING:
        codes.add("D" if enrollment.participant_kind == ParticipantKind.DR_CONTRACTOR else "R")
    if enrollment.role == Role.ADMIN:
        codes.add("A")
    return frozenset(codes), _granted_by(enrollment)


def _granted_by(enrollment: Enrollment) -> frozenset[str] | None:
    if enrollment.role == Role.ADMIN or enrollment.functions is None:
        return None
    return frozenset(enrollment.functions)


def granted_functions(user: User, system: str) -> frozenset[str] | None:
    """The functions of `system` the user's administrator lets it use (利用者権限, SW-U11), or None
    when it sets no limit: administrators, users never limited, users not enrolled there."""
    enrollment = _enrollment_in(user, system)
    return None if enrollment is None else _granted_by(enrollment)


def user_by_credentials(organization_code: str, login_id: str) -> User | None:
    return (
        User.objects.select_related("organization")
        .filter(username=participant_username(organization_code, login_id))
        .first()
    )


@implements("MEM-U2", "CAP-U1", "SW-U01", "SW-U02")
def users_for(
    *,
    actor: User,
    system: str = System.MEMBER,
    query: str = "",
    role: str = "",
) -> QuerySet[User]:
    """The users of the actor's organization enrolled in `system`, optionally searched."""
    if actor.organization_id is None:
        return User.objects.none()
    users = (
        User.objects.filter(organization_id=actor.organization_id, enrollments__system=system)
        .select_related("organization")
        .prefetch_related("enrollments")
        .order_by("login_id")
    )
    if query:
        users = users.filter(
            Q(login_id__icontains=query)
            | Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name_kana__icontains=query)
            | Q(first_name_kana__icontains=query)
            | Q(email__icontains=query)
            | Q(department_title__icontains=query)
        )
    if role:
        users = users.filter(enrollments__system=system, enrollments__role=role)
    return users.distinct()


@implements("SW-U03")
def user_for(*, actor: User, pk: int, system: str = System.MEMBER) -> User:
    """One user of the actor's organization; another organization's user is NotFound."""
    user = users_for(actor=actor, system=system).filter(pk=pk).first()
    if user is None:
        raise NotFound()
    return user


def count_by_role(*, organization: Organization, system: str) -> dict[str, int]:
    counts = {Role.ADMIN.value: 0, Role.USER.value: 0}
    for role in Enrollment.objects.filter(user__organization=organization, system=system).values_list(
        "role", flat=True
    ):
        counts[role] = counts.get(role, 0) + 1
    return counts


def organization_by_code(code: str) -> Organization | None:
    return Organization.objects.filter(code=code).first()


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of these usernames django-axes has locked out (failures at or above the limit)."""
    from axes.models import AccessAttempt

    if not usernames:
        return set()
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        ).values_list("username", flat=True)
    )


def has_duty(user: User, duty: str, system: str = System.MEMBER) -> bool:
    """Whether the member-system screens and mails of a 担当業務 are for this user.

    Administrators see everything of their organization; other users only their duties.
    """
    if not user.is_authenticated or user.organization_id is None:  # staff belong to no participant
        return False
    return role_in(user, system) == Role.ADMIN or duty in user.duties


def users_with_duty(*, organization_id: int, duty: str, system: str = System.MEMBER) -> list[User]:
    """The active users of an organization a 担当業務's mail goes to: its administrators and the
    users holding the duty."""
    users = (
        User.objects.filter(organization_id=organization_id, is_active=True, enrollments__system=system)
        .prefetch_related("enrollments")
        .order_by("login_id")
    )
    return [user for user in users if role_in(user, system) == Role.ADMIN or duty in user.duties]


def duty_emails(
    *, organization_ids: list[int], duty: str, system: str = System.MEMBER
) -> dict[int, list[str]]:
    """For many organizations at once (a batch of invoices, a convocation): the sorted addresses of
    the users a 担当業務's mail goes to, by organization. Two queries whatever the number."""
    users = (
        User.objects.filter(organization_id__in=organization_ids, is_active=True, enrollments__system=system)
        .exclude(email="")
        .prefetch_related("enrollments")
        .distinct()
    )
    found: dict[int, set[str]] = {pk: set() for pk in organization_ids}
    for user in users:
        if role_in(user, system) == Role.ADMIN or duty in user.duties:
            found[user.organization_id].add(user.email)  # type: ignore[index]
    return {pk: sorted(emails) for pk, emails in found.items()}


def pending_totp_device(user: User) -> Any:
    """The TOTP device the user is enrolling (scanned, not yet confirmed), if any."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def active_user(pk: int) -> User | None:
    """An active account by primary key (a pending login, a reset link), with its organization."""
    return User.objects.select_related("organization").filter(pk=pk, is_active=True).first()


def active_system_users(*, system: str) -> QuerySet[User]:
    """Every active user enrolled in `system`, across the active organizations, with an address:
    whom a mail to all users of a system goes to (terms changes, X-T1), by organization and ID.
    (One enrollment per user and system: no duplicates.)"""
    from kouiki.identity.choices import OrganizationStatus

    return (
        User.objects.filter(
            enrollments__system=system,
            is_active=True,
            organization__isnull=False,
            organization__status=OrganizationStatus.ACTIVE,
        )
        .exclude(email="")
        .select_related("organization")
        .order_by("organization__code", "login_id")
    )
