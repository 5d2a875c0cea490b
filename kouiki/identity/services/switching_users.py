"""The switching system's user administration (seed 001 2.2.1 (3), 3.2–3.4; FUNCTIONS.md 2.4):
its administrators register, change, delete, unlock, enable and disable their users and reissue
their passwords (SW-U04..U10), register many from a CSV file (SW-U05), and choose which of the
organization's switching functions each user may use (利用者権限, SW-U11; ADR 26).

The acts are identity's shared user administration (`add_user`, `change_user`, `remove_user`,
`reissue_password`, `lift_lockout`, the member system's too); this module adds the switching
system's rules: the ID and the password in two mails, a mail when a user is changed, users
disabled after a period without use, and the rights, which the access layer reads
(`access._refusal`) on every surface.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import catalog, csvio, japanese
from kouiki.core.catalog import implements
from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import Role, System
from kouiki.identity.access import function
from kouiki.identity.choices import ParticipantKind
from kouiki.identity.forms import ProfileForm
from kouiki.identity.models import Enrollment, Organization, User
from kouiki.identity.selectors import organization_participant_kind, role_in
from kouiki.identity.services import (
    PROFILE_FIELDS,
    _user_of,
    add_user,
    change_user,
    check_natural_person,
    lift_lockout,
    mail_context,
    reissue_password,
    remove_user,
)
from kouiki.identity.services.persons import person_key

SYSTEM = System.SWITCHING
# The audit log's actor of what the system does by itself (kouiki.audit.models.SYSTEM_ACTOR).
SYSTEM_ACTOR = "system"


# --- 利用者権限 (SW-U11): which functions a user may be given --------------------------------------


def _kind_code(kind: str) -> str:
    """The catalog code of an organization's kind of participant (ADR 22)."""
    return "D" if kind == ParticipantKind.DR_CONTRACTOR else "R"


def organization_kind(organization_id: int) -> str:
    """What the organization is in the switching system (a retailer when it has no user yet)."""
    return (
        organization_participant_kind(organization_id=organization_id, system=SYSTEM)
        or ParticipantKind.RETAILER
    )


def grantable_functions(kind: str) -> list[catalog.Function]:
    """The switching functions a user of an organization of `kind` may be given: those the kind may
    use (FUNCTIONS.md 2.1–2.3), never the administrator's (2.4) nor the system's own."""
    code = _kind_code(kind)
    return [
        f
        for f in catalog.functions(SYSTEM)
        if code in f.who and f.surface != "system" and catalog.allows(f.id, frozenset({code}))
    ]


def function_groups(kind: str) -> list[tuple[str, list[catalog.Function]]]:
    """The grantable functions by 業務 (their menu heading), in the catalog's order: the matrix."""
    return by_heading(grantable_functions(kind))


def by_heading(functions: Iterable[catalog.Function]) -> list[tuple[str, list[catalog.Function]]]:
    """Functions grouped by 業務 (their menu heading), in the order given: the matrix a user's rights
    (SW-U11) and a contractor's grant (X-I2) are chosen on."""
    groups: dict[str, list[catalog.Function]] = {}
    for f in functions:
        groups.setdefault(f.menu or f.business or "共通", []).append(f)
    return list(groups.items())


# The words of an inquiry's name (照会, 状況確認, 検索, 一覧取得): what 「照会のみ」 gives.
INQUIRY_WORDS = ("照会", "状況確認", "検索", "一覧取得")


@dataclass(frozen=True)
class Preset:
    key: str
    label: str


PRESETS = (
    Preset("all", "すべての機能"),
    Preset("inquiry", "照会のみ"),
    Preset("custom", "個別に選択"),
)
PRESET_LABELS = {preset.key: preset.label for preset in PRESETS}


def preset_functions(preset: str, kind: str) -> list[str] | None:
    """The functions a preset gives (None: every function, with no limit); `custom` is a choice."""
    if preset == "all":
        return None
    if preset == "inquiry":
        return [f.id for f in grantable_functions(kind) if any(word in f.name for word in INQUIRY_WORDS)]
    raise ValidationFailed("権限の設定方法を選択してください。", field="preset")


def _checked_functions(kind: str, functions: Iterable[str]) -> list[str]:
    """The chosen functions, each one the organization's kind may use; a function it may not (a DR
    contractor's user and switching) is refused by name."""
    allowed = {f.id for f in grantable_functions(kind)}
    chosen = sorted(set(functions))
    refused = [function_id for function_id in chosen if function_id not in allowed]
    if refused:
        names = "、".join(
            f"{f.id} {f.title}" if (f := catalog.FUNCTIONS.get(function_id)) else function_id
            for function_id in refused
        )
        raise ValidationFailed(
            f"{ParticipantKind(kind).label}のユーザには次の機能を設定できません: {names}",
            field="functions",
            code="function_not_grantable",
        )
    return chosen


def rights_of(user: User) -> list[str] | None:
    """The functions the user's administrator gave it, or None when it sets no limit."""
    enrollment = Enrollment.objects.filter(user=user, system=SYSTEM).first()
    return None if enrollment is None else enrollment.functions


# --- SW-U04, SW-U05: registration ------------------------------------------------------------------


@function("SW-U04")
def register_user(
    *, actor: User, login_id: str, role: str = Role.USER, functions: list[str] | None = None, **profile: Any
) -> User:
    """SW-U04: register a user of the actor's organization; its ID and its password are mailed to
    it separately. `functions`: its 利用者権限 (None: every function of the organization's kind)."""
    chosen = None
    if functions is not None and role != Role.ADMIN:  # an administrator is refused by add_user (X-I1)
        chosen = _checked_functions(organization_kind(actor.organization_id or 0), functions)
    return add_user(
        actor=actor,
        login_id=login_id,
        system=SYSTEM,
        role=role,
        profile=profile,
        functions=chosen,
        separate_mails=True,
    )


# The columns of the bulk registration file (SW-U05), in their order; 権限 is optional.
CSV_COLUMNS = (
    csvio.Column(
        "user_id",
        "ユーザID",
        required=True,
        normalizer=japanese.normalize_user_login_id,
        validator=japanese.validate_user_login_id,
    ),
    csvio.Column("last_name", "氏名（姓）", required=True),
    csvio.Column("first_name", "氏名（名）", required=True),
    csvio.Column("last_name_kana", "氏名カナ（セイ）", required=True),
    csvio.Column("first_name_kana", "氏名カナ（メイ）", required=True),
    csvio.Column("department_title", "所属・役職", required=True),
    csvio.Column("email", "メールアドレス", required=True),
    csvio.Column("phone", "電話番号", required=True),
    csvio.Column("other", "その他"),
    csvio.Column("preset", "権限"),
)
# 権限 as written in the file: a preset's label (empty: every function).
_PRESET_BY_LABEL = {"": "all", **{preset.label: preset.key for preset in PRESETS if preset.key != "custom"}}


def _row_errors(row: csvio.CsvRow, organization_id: int) -> tuple[dict[str, Any], list[csvio.RowError]]:
    """A row's profile as the registration screen checks it (ProfileForm and X-I1's natural person:
    one rule, said once)."""
    labels = {column.name: column.label for column in CSV_COLUMNS}
    data = {name: row.data.get(name, "") for name in PROFILE_FIELDS}
    form = ProfileForm(data={**data, "email_confirm": data["email"]})
    found: dict[str, list[str]] = {
        field: [str(m) for m in messages] for field, messages in form.errors.items()
    }
    if form.is_valid():
        try:
            check_natural_person(organization_id=organization_id, system=SYSTEM, profile=form.cleaned_data)
        except ValidationFailed as error:
            found.update(error.errors)
    errors = [
        csvio.RowError(row.line, labels.get(field), str(message))
        for field, messages in found.items()
        for message in messages
    ]
    if row.data.get("preset", "") not in _PRESET_BY_LABEL:
        choices = "「" + "」「".join(label for label in _PRESET_BY_LABEL if label) + "」"
        errors.append(csvio.RowError(row.line, "権限", f"権限は{choices}または空欄で指定してください。"))
    profile = {name: form.cleaned_data.get(name, "") for name in PROFILE_FIELDS} if form.is_valid() else {}
    return profile, errors


@function("SW-U05")
def register_users_from_csv(*, actor: User, data: bytes) -> list[User]:
    """SW-U05: register every user of a CSV file (CP932 or UTF-8), or none: every bad row is
    reported (line and column, in Japanese) and nothing is registered until the file is right.
    Each user's ID and password are mailed separately, as for one user (SW-U04)."""
    organization_id = actor.organization_id or 0
    kind = organization_kind(organization_id)
    result = csvio.read_csv(data, columns=CSV_COLUMNS)
    errors = list(result.errors)
    rows: list[tuple[str, dict[str, Any], list[str] | None]] = []
    seen: dict[str, int] = {}
    people: dict[tuple[str, str], int] = {}
    taken = set(User.objects.filter(organization_id=organization_id).values_list("login_id", flat=True))
    for row in result.rows:
        profile, row_errors = _row_errors(row, organization_id)
        if profile and not row_errors:
            person = person_key(profile["last_name"], profile["first_name"], profile["email"])
            if person in people:
                row_errors.append(
                    csvio.RowError(
                        row.line,
                        "メールアドレス",
                        f"{people[person]}行目と同じ氏名・メールアドレスの方です。"
                        "1人の方に発行できるユーザIDは1つのみです。",
                    )
                )
            people.setdefault(person, row.line)
        login_id = row.data.get("user_id", "")
        if login_id and row.ok:
            if login_id in seen:
                row_errors.append(
                    csvio.RowError(
                        row.line, "ユーザID", f"ユーザID {login_id} は{seen[login_id]}行目と重複しています。"
                    )
                )
            elif login_id in taken:
                row_errors.append(
                    csvio.RowError(row.line, "ユーザID", f"ユーザID {login_id} は既に使用されています。")
                )
            seen.setdefault(login_id, row.line)
        errors.extend(row_errors)
        if row.ok and not row_errors:
            preset = _PRESET_BY_LABEL[row.data.get("preset", "")]
            rows.append((login_id, profile, preset_functions(preset, kind)))
    if not errors and not rows:
        errors.append(csvio.RowError(None, None, "登録するユーザの行がありません。"))
    if errors:
        errors.sort(key=lambda error: error.line or 0)
        raise ValidationFailed(
            f"{len(errors)}件の誤りがあるため、登録していません。ファイルを修正して再度登録してください。",
            errors={"file": [str(error) for error in errors]},
        )
    with transaction.atomic():
        return [
            add_user(
                actor=actor,
                login_id=login_id,
                system=SYSTEM,
                profile=profile,
                functions=functions,
                separate_mails=True,
            )
            for login_id, profile, functions in rows
        ]


# --- SW-U06..U10: one user ---------------------------------------------------------------------------

_FIELD_LABELS = {
    name: str(getattr(User._meta.get_field(name), "verbose_name", name)) for name in PROFILE_FIELDS
}


@function("SW-U06")
def update_user(*, actor: User, user: User, **fields: Any) -> User:
    """SW-U06: change a user's profile; the user is told by mail what changed."""
    changed = change_user(actor=actor, user=user, system=SYSTEM, fields=fields)
    if changed and user.email:
        queue_mail(
            to=user.email,
            template="identity/mail/user_changed",
            context=mail_context(user, SYSTEM, changes=[_FIELD_LABELS.get(name, name) for name in changed]),
        )
    return user


@function("SW-U07")
def delete_user(*, actor: User, user: User) -> None:
    """SW-U07: delete a user; what it did stays (applications, the audit log), its API tokens die."""
    remove_user(actor=actor, user=user, system=SYSTEM)


@function("SW-U08")
def unlock_user(*, actor: User, user: User) -> None:
    """SW-U08: lift the lockout of a user after too many failed logins (django-axes)."""
    lift_lockout(actor=actor, user=user, system=SYSTEM)


@function("SW-U09")
def set_active(*, actor: User, user: User, active: bool) -> User:
    """SW-U09: enable or disable a user (never oneself). A disabled user can neither log in nor use
    its API tokens; enabled again, its period without use starts anew."""
    _user_of(actor, user, SYSTEM)
    if user.pk == actor.pk:
        raise Forbidden("ログイン中のユーザ自身は無効にできません。")
    if user.is_active == active:
        return user
    with transaction.atomic():
        user.is_active = active
        fields = ["is_active"]
        if active:
            user.enabled_at = timezone.now()
            fields.append("enabled_at")
        user.save(update_fields=fields)
        record(
            actor=actor,
            action=Action.USER_UPDATE,
            obj=user,
            system=SYSTEM,
            detail={"fields": ["is_active"], "is_active": active},
        )
    return user


@function("SW-U10")
def reissue_user_password(*, actor: User, user: User) -> None:
    """SW-U10: a new password mailed to the user (to change at its next login); a lockout is lifted."""
    if user.pk == actor.pk:
        raise Forbidden("ご自身のパスワードは「パスワード変更」から変更してください。")
    reissue_password(actor=actor, user=user, system=SYSTEM, act="再発行")


@function("SW-U11")
def set_rights(*, actor: User, user: User, functions: list[str] | None) -> User:
    """SW-U11: the functions a user may use (None: every function of the organization's kind). The
    access layer reads them on every surface; the saved enrollment invalidates the API token cache
    (IdentityConfig.ready), so the next call with the user's token follows."""
    _user_of(actor, user, SYSTEM)
    if role_in(user, SYSTEM) == Role.ADMIN:
        raise ValidationFailed("管理者は常にすべての機能を利用できます。権限は設定できません。")
    chosen = (
        None
        if functions is None
        else _checked_functions(organization_kind(user.organization_id or 0), functions)
    )
    with transaction.atomic():
        enrollment = Enrollment.objects.select_for_update().get(user=user, system=SYSTEM)
        if enrollment.functions == chosen:
            return user
        enrollment.functions = chosen
        enrollment.save(update_fields=["functions"])
        record(
            actor=actor,
            action=Action.USER_UPDATE,
            obj=user,
            system=SYSTEM,
            detail={"fields": ["functions"], "functions": chosen if chosen is not None else "all"},
        )
    return user


# --- SW-U09: users without use disabled, daily ---------------------------------------------------


def _last_use(user: User) -> datetime:
    """The user's last sign of life: a login, an API call with its token, its enabling, its birth."""
    moments = [user.date_joined, user.last_login, user.enabled_at, getattr(user, "last_token_use", None)]
    return max(moment for moment in moments if moment is not None)


@implements("SW-U09")
def disable_idle_users(*, now: datetime | None = None) -> list[User]:
    """The switching users (not administrators) without use for KOUIKI_SWITCHING_USER_IDLE_DAYS days
    are disabled (SW-U09 一定期間利用のないユーザは自動で無効); each organization's administrators
    are told by mail which. Run daily (identity/tasks.py)."""
    now = now or timezone.now()
    days = int(settings.KOUIKI_SWITCHING_USER_IDLE_DAYS)
    cutoff = now - timedelta(days=days)
    candidates = (
        User.objects.filter(is_active=True, enrollments__system=SYSTEM, enrollments__role=Role.USER)
        .filter(date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .filter(Q(enabled_at__isnull=True) | Q(enabled_at__lt=cutoff))
        .annotate(last_token_use=Max("api_tokens__last_used_at"))
        .select_related("organization")
        .order_by("organization__code", "login_id")
    )
    idle: list[User] = [user for user in candidates if _last_use(user) < cutoff]
    by_organization: dict[int, list[User]] = {}
    with transaction.atomic():
        for user in idle:
            user.is_active = False
            user.save(update_fields=["is_active"])
            record(
                actor=None,
                actor_label=SYSTEM_ACTOR,
                action=Action.USER_UPDATE,
                obj=user,
                organization=user.organization,
                system=SYSTEM,
                detail={"fields": ["is_active"], "is_active": False, "idle_days": days},
            )
            by_organization.setdefault(user.organization_id or 0, []).append(user)
        for organization_id, users in by_organization.items():
            administrators = list(
                User.objects.filter(
                    organization_id=organization_id,
                    is_active=True,
                    enrollments__system=SYSTEM,
                    enrollments__role=Role.ADMIN,
                )
                .exclude(email="")
                .values_list("email", flat=True)
            )
            if administrators:
                queue_mail(
                    to=sorted(set(administrators)),
                    template="identity/mail/users_disabled",
                    context={
                        "organization": Organization.objects.get(pk=organization_id),
                        "users": users,
                        "days": days,
                        "system_name": System.SWITCHING.label,
                    },
                )
    return idle
