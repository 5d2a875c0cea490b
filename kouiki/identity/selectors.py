"""Reads of identity data, always scoped to the actor's organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from kouiki.core.api import api_requests_per_minute
from kouiki.core.caching import Generation, LocalCache
from kouiki.core.catalog import implements
from kouiki.core.errors import NotFound
from kouiki.core.systems import Role, System
from kouiki.identity.choices import ParticipantKind, UseState, participant_username
from kouiki.identity.models import (
    AccountKind,
    ApiToken,
    ContractorGrant,
    Enrollment,
    Organization,
    RequestLimit,
    SystemUse,
    User,
)


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
    if enrollment.participant_kind == ParticipantKind.CONTRACTOR:
        return _contractor_rights(user, system, enrollment)
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


def _contractor_rights(
    user: User, system: str, enrollment: Enrollment
) -> tuple[frozenset[str], frozenset[str] | None]:
    """A contractor's user (受託者, X-I2, ADR 32): acting for a principal (`user.acting_for`, set by
    the access layer for one request), the principal kind's code and the grant's functions within
    the user's own rights; not acting, only its own organization's administration (A)."""
    acting: Acting | None = getattr(user, "acting_for", None)
    if acting is None or acting.system != system:
        return (frozenset({"A"}) if enrollment.role == Role.ADMIN else frozenset()), None
    codes = frozenset({"D" if acting.principal_kind == ParticipantKind.DR_CONTRACTOR else "R"})
    own = _granted_by(enrollment)
    return codes, acting.functions if own is None else acting.functions & own


def _granted_by(enrollment: Enrollment) -> frozenset[str] | None:
    if enrollment.role == Role.ADMIN or enrollment.functions is None:
        return None
    return frozenset(enrollment.functions)


def granted_functions(user: User, system: str) -> frozenset[str] | None:
    """The functions of `system` the user's administrator lets it use (利用者権限, SW-U11), or None
    when it sets no limit: administrators, users never limited, users not enrolled there."""
    enrollment = _enrollment_in(user, system)
    if enrollment is not None and enrollment.participant_kind == ParticipantKind.CONTRACTOR:
        return _contractor_rights(user, system, enrollment)[1]
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


# --- contractors (受託者, X-I2) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """A contractor's user acting for a principal under one grant, for one request (ADR 32): what
    the access layer reads (the principal, its kind, the granted functions) and what the audit log
    and the personal-data ledger name (the principal and the contractor). Picklable, no queries."""

    grant_id: int
    system: str
    principal: Organization
    principal_kind: str
    contractor: Organization
    functions: frozenset[str]
    valid_from: date
    valid_until: date | None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def administrator_emails(*, organization_id: int, system: str) -> list[str]:
    """The sorted addresses of an organization's active administrators of `system`: whom a mail
    about the organization's use of the system goes to (a leak incident staff recorded for it)."""
    return sorted(
        set(
            User.objects.filter(
                organization_id=organization_id,
                is_active=True,
                enrollments__system=system,
                enrollments__role=Role.ADMIN,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def organization_code(organization_id: int) -> str | None:
    """The 事業者コード of an organization, by its id."""
    return Organization.objects.filter(pk=organization_id).values_list("code", flat=True).first()


@dataclass(frozen=True)
class RequestRate:
    """One participant's API requests in one system, per minute (the back office's overview, X-S1),
    and the rate it is held to (staff's tighter limit, else the system's default)."""

    organization: Organization
    system: str
    per_minute: list[int]
    limit: str

    @property
    def total(self) -> int:
        return sum(self.per_minute)

    @property
    def peak(self) -> int:
        return max(self.per_minute, default=0)


def api_request_rates(*, minutes: int, top: int) -> tuple[list[int], list[RequestRate]]:
    """The last `minutes` minutes (epoch minutes, oldest first) and the `top` participants by their
    API requests in them, busiest first. Counted by the API's guard in the shared cache
    (core.api.api_requests_per_minute); where the cache cannot list who called, the candidates are
    the organizations whose tokens were used in the window (a token's last use is written at most
    once a minute per process, so a minute more is asked)."""
    since = timezone.now() - timedelta(minutes=minutes + 1)
    # Lazy: read only by a cache that cannot list who called (not Redis).
    candidates = (
        ApiToken.objects.filter(last_used_at__gte=since)
        .values_list("system", "user__organization_id")
        .distinct()
        .order_by()
    )
    span, counts = api_requests_per_minute(minutes=minutes, candidates=candidates)
    busiest = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))[:top]
    organizations = Organization.objects.in_bulk(
        [organization_id for (_system, organization_id), _ in busiest]
    )
    limits = {
        (limit.system, limit.organization_id): limit.rate
        for limit in RequestLimit.objects.filter(organization_id__in=list(organizations))
    }
    rates = [
        RequestRate(
            organization=organizations[organization_id],
            system=system,
            per_minute=per_minute,
            limit=limits.get((system, organization_id), settings.KOUIKI_API_RATE),
        )
        for (system, organization_id), per_minute in busiest
        if organization_id in organizations
    ]
    return span, rates


def grant_in_force(grant: ContractorGrant, day: date | None = None) -> bool:
    """Whether a grant lets its contractor act on `day` (today): not revoked, from its first day to
    its last (inclusive)."""
    day = day or timezone.localdate()
    return (
        grant.revoked_at is None
        and grant.valid_from <= day
        and (grant.valid_until is None or day <= grant.valid_until)
    )


def acting_for_code(*, contractor: Organization, principal_code: str, system: str) -> Acting | None:
    """The unrevoked grant of the principal with 事業者コード `principal_code` to `contractor` in
    `system`, as an `Acting` (its dates not checked: `Acting.in_force`), or None. Two queries."""
    grant = (
        ContractorGrant.objects.select_related("principal")
        .filter(
            contractor=contractor,
            principal__code=principal_code,
            system=system,
            revoked_at__isnull=True,
        )
        .first()
    )
    if grant is None or not grant.principal.is_active:
        return None
    kind = organization_participant_kind(organization_id=grant.principal_id, system=system)
    if kind is None or kind == ParticipantKind.CONTRACTOR:
        return None
    return Acting(
        grant_id=grant.pk,
        system=system,
        principal=grant.principal,
        principal_kind=kind,
        contractor=contractor,
        functions=frozenset(grant.functions),
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
    )


def grants_of_contractor(
    *, contractor_id: int, system: str, in_force_only: bool = False
) -> list[ContractorGrant]:
    """The grants a contractor holds in `system` (its principals), newest first; `in_force_only`:
    those it may act under today (the principal selector)."""
    grants = list(
        ContractorGrant.objects.select_related("principal", "contractor", "granted_by", "revoked_by")
        .filter(contractor_id=contractor_id, system=system)
        .order_by("principal__code", "-created_at", "-id")
    )
    if in_force_only:
        grants = [grant for grant in grants if grant_in_force(grant) and grant.principal.is_active]
    return grants


def grants_of_principal(*, principal_id: int, system: str) -> list[ContractorGrant]:
    """The grants a principal has given in `system` (every one, revoked and ended too), newest first."""
    return list(
        ContractorGrant.objects.select_related("principal", "contractor", "granted_by", "revoked_by")
        .filter(principal_id=principal_id, system=system)
        .order_by("-created_at", "-id")
    )


def all_grants(*, system: str, query: str = "") -> QuerySet[ContractorGrant]:
    """Every grant of `system` (the back office), newest first; `query`: a 事業者コード or a part of a
    company name of either party."""
    grants = ContractorGrant.objects.select_related(
        "principal", "contractor", "granted_by", "revoked_by"
    ).filter(system=system)
    if query:
        grants = grants.filter(
            Q(principal__code=query)
            | Q(contractor__code=query)
            | Q(principal__name__icontains=query)
            | Q(contractor__name__icontains=query)
        )
    return grants.order_by("-created_at", "-id")


# --- a participant's use of a system (利用の中断 X-S2, 契約の終了 X-S3) ------------------------------------


@dataclass(frozen=True)
class Use:
    """A participant's use of one system when it is not plainly in use: what the access layer reads
    on every request (picklable, no queries)."""

    state: str
    reason: str
    ground: str
    since: datetime
    terminated_at: datetime | None

    @property
    def refused(self) -> bool:
        """Suspended or terminated: the access layer refuses the participant in the system."""
        return self.state in (UseState.SUSPENDED, UseState.TERMINATED)


# Each organization's uses, per process, under the access layer's generation: a change to a
# SystemUse row bumps it (identity's apps.py), so the next request of every process reads it again.
_USES = Generation("access")
_uses_cache: LocalCache = LocalCache()


def uses_of(organization_id: int) -> dict[str, Use]:
    """The organization's uses that are not plainly "in use", by system (cached; one query per
    organization and generation)."""
    generation = _USES.current()
    uses: dict[str, Use] | None = _uses_cache.get(organization_id, generation)
    if uses is None:
        uses = {
            row.system: Use(
                state=row.state,
                reason=row.reason,
                ground=row.ground,
                since=row.since,
                terminated_at=row.terminated_at,
            )
            for row in SystemUse.objects.filter(organization_id=organization_id).exclude(
                state=UseState.ACTIVE
            )
        }
        _uses_cache.put(organization_id, generation, uses)
    return uses


def use_of(organization_id: int, system: str) -> Use | None:
    """The organization's use of `system`, None when it is plainly in use (cached)."""
    return uses_of(organization_id).get(system)


def is_paused(organization_id: int, system: str) -> bool:
    """Whether the organization's work in `system` waits (its bulk files, its callbacks): while it is
    suspended. (A terminated participant's is refused, not paused: the access layer says so.)"""
    use = use_of(organization_id, system)
    return use is not None and use.state == UseState.SUSPENDED


def system_uses(*, state: str = "", query: str = "") -> QuerySet[SystemUse]:
    """Every participant whose use of a system is not plainly in use — suspended, asked to end,
    ended — newest decision first (the back office); `query`: a 事業者コード or part of a name."""
    found = SystemUse.objects.exclude(state=UseState.ACTIVE).select_related(
        "organization", "decided_by", "requested_by"
    )
    if state:
        found = found.filter(state=state)
    if query:
        found = found.filter(Q(organization__code=query) | Q(organization__name__icontains=query))
    return found.order_by("-since", "-id")


def uses_by_system(organization_id: int) -> dict[str, SystemUse]:
    """The organization's rows by system, with who decided and who asked (the back office)."""
    rows = SystemUse.objects.filter(organization_id=organization_id).select_related(
        "decided_by", "requested_by"
    )
    return {row.system: row for row in rows}


def enrolled_systems(organization_id: int) -> list[str]:
    """The systems some user of the organization is enrolled in."""
    return sorted(
        set(Enrollment.objects.filter(user__organization_id=organization_id).values_list("system", flat=True))
    )
