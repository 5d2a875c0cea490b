"""API tokens: issued and revoked by the user's administrator, shown once, kept as a SHA-256 hash.

A token stands for its user in one system: the caller has exactly the user's rights (the catalog
codes of `role_codes(user, system)`), and the audit log names the user. `authenticate_bearer` is
what a system's API calls to resolve `Authorization: Bearer <token>` to a user.
"""

from __future__ import annotations

import hashlib
import pickle
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.api import Unauthenticated
from kouiki.core.caching import Generation, LocalCache
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity.access import require_administrator
from kouiki.identity.models import AccountKind, ApiToken, User
from kouiki.identity.selectors import locked_usernames, role_codes
from kouiki.identity.services import certificates

SECRET_PREFIX = "kk_"
DISPLAY_PREFIX_LENGTH = 8
# last_used_at is refreshed at most this often: not one write per request.
LAST_USED_PRECISION = timedelta(minutes=1)
# Token administration is an act of the participant's administrator (A) of the system, like its user
# administration; it has no function id of its own in FUNCTIONS.md.
ADMIN_ONLY = "APIトークンの発行・失効は、貴社の管理者が行います。"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_for(*, actor: User, system: str = System.SWITCHING) -> QuerySet[ApiToken]:
    """The tokens of the users of the actor's organization in `system`, newest first."""
    organization_id = require_administrator(actor, system, ADMIN_ONLY)
    return (
        ApiToken.objects.filter(user__organization_id=organization_id, system=system)
        .select_related("user", "created_by", "revoked_by")
        .order_by("-created_at", "-id")
    )


def token_for(*, actor: User, pk: int, system: str = System.SWITCHING) -> ApiToken:
    """One token of the actor's organization; another organization's is NotFound."""
    token = tokens_for(actor=actor, system=system).filter(pk=pk).first()
    if token is None:
        raise NotFound()
    return token


def issue_token(
    *, actor: User, user: User, name: str, system: str = System.SWITCHING
) -> tuple[ApiToken, str]:
    """Issue a token for a user of the actor's organization; return it and its secret (shown once)."""
    if user.organization_id != require_administrator(actor, system, ADMIN_ONLY):
        raise NotFound()
    name = name.strip()
    if not name:
        raise ValidationFailed(field="name", message="名称を入力してください。")
    if len(name) > 100:
        raise ValidationFailed(field="name", message="名称は100文字以内で入力してください。")
    if not user.is_active or not role_codes(user, system):
        raise ValidationFailed(
            field="user", message="このシステムを利用できる有効なユーザを選択してください。"
        )
    raw = f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            system=system,
            name=name,
            prefix=raw[:DISPLAY_PREFIX_LENGTH],
            token_hash=hash_token(raw),
            created_by=actor,
        )
        record(
            actor=actor,
            action=Action.API_TOKEN_ISSUE,
            obj=token,
            system=system,
            detail={"user": user.login_id, "name": name, "prefix": token.prefix},
        )
    return token, raw


def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token of the actor's organization: it stops working at once."""
    if token.user.organization_id != require_administrator(actor, token.system, ADMIN_ONLY):
        raise NotFound()
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if not updated:
            raise InvalidTransition("このAPIトークンは失効済みです。")
        invalidate_access()
        token.refresh_from_db()
        record(
            actor=actor,
            action=Action.API_TOKEN_REVOKE,
            obj=token,
            system=token.system,
            detail={"user": token.user.login_id, "name": token.name, "prefix": token.prefix},
        )
    return token


# What a token stands for, cached in each process (token → user with organization and enrollments):
# the look-up runs on every API request. Any change to tokens, users, enrollments, organizations or
# lockouts changes ACCESS (`invalidate_access`), so a revoked token or a changed right is refused on
# the very next request, in every process.
ACCESS = Generation("access")
_token_users: LocalCache = LocalCache()
_last_used_written: dict[int, datetime] = {}


def invalidate_access(**_signal: Any) -> None:
    """What a token stands for may have changed: every process looks it up again."""
    ACCESS.bump()


def user_for_token(raw: str, *, system: str) -> User | None:
    """The active participant user an unrevoked token of `system` stands for, or None.

    A user locked out of the login page (django-axes) is locked out of the API too: a lockout
    says the account may be under attack, and none of its credentials work until it is unlocked.
    Whether the user may use a function is the operation's question (403), not this one's."""
    if not raw:
        return None
    digest = hash_token(raw)
    generation = ACCESS.current()
    cached = _token_users.get((digest, system), generation)
    if cached is None:
        found = _look_up(digest, system)
        if found is None:
            return None
        cached = (found[0], pickle.dumps(found[1]))
        _token_users.put((digest, system), generation, cached)
    token_pk, pickled = cached
    _touch(token_pk)
    return pickle.loads(pickled)  # type: ignore[no-any-return]  # noqa: S301 - our own pickle


def _look_up(digest: str, system: str) -> tuple[int, User] | None:
    token = (
        ApiToken.objects.select_related("user__organization")
        # The organization's request limits (X-S1) ride with the cached user: the API's guard reads them.
        .prefetch_related("user__enrollments", "user__organization__request_limits")
        .filter(token_hash=digest, system=system, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.user
    organization = user.organization
    if not user.is_active or user.kind != AccountKind.PARTICIPANT or organization is None:
        return None
    if not organization.is_active:
        return None
    if locked_usernames([user.username]):
        return None
    return token.pk, user


def _touch(token_pk: int) -> None:
    """Refresh the token's last use, at most once per LAST_USED_PRECISION and process."""
    now = timezone.now()
    written = _last_used_written.get(token_pk)
    if written is None or now - written >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_pk).update(last_used_at=now)
        _last_used_written[token_pk] = now


def authenticate_bearer(request: HttpRequest, *, system: str) -> User:
    """The user of the request's `Authorization: Bearer` token; Unauthenticated otherwise."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if not header:
        raise Unauthenticated()
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated(
            "Authorization ヘッダーは Bearer 形式で指定してください。", code="invalid_authorization"
        )
    user = user_for_token(raw.strip(), system=system)
    if user is None:
        raise Unauthenticated(
            "APIトークンが無効です（誤り、失効、またはユーザが利用できない状態です）。", code="invalid_token"
        )
    # X-C1: with KOUIKI_CLIENT_CERTIFICATES=required, the token's organization's active client
    # certificate must be the one the proxy verified (403 client_certificate_*).
    refused = certificates.refusal(request, user, system)
    if refused is not None:
        raise Forbidden(refused.message, code=refused.code)
    return user


def ensure_demo_token(
    *, user: User, raw: str, name: str = "デモ用トークン", system: str = System.SWITCHING
) -> bool:
    """The demo's fixed token (`demo-9101`, `demo-9102`) for `user`, working; True when created."""
    token, created = ApiToken.objects.get_or_create(
        token_hash=hash_token(raw),
        defaults={"user": user, "system": system, "name": name, "prefix": raw[:DISPLAY_PREFIX_LENGTH]},
    )
    if not created and (token.user_id != user.pk or token.revoked_at is not None or token.system != system):
        ApiToken.objects.filter(pk=token.pk).update(
            user=user, system=system, revoked_at=None, revoked_by=None
        )
        invalidate_access()
    return created
