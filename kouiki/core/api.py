"""What every system's JSON API shares (ARCHITECTURE.md, "The API conventions"; ADR 15).

- `KouikiAPI`: a NinjaAPI whose errors are RFC 9457 problem details (`application/problem+json`
  with `type`, `title`, `status`, `detail` in Japanese, a stable `code` and `errors` per field),
  whose OpenAPI declares them truthfully, and whose operations all pass through one guard.
- The guard (`ApiGuard`) runs in front of every operation: it resolves the caller through the
  system's one `authenticate(request)` function, applies the per-organization rate limit (429
  with `Retry-After`; a tighter one the system's `limit(user)` names, with its reason, X-S1),
  and, for a POST with an `Idempotency-Key`, replays the first answer byte for
  byte or refuses a reused key with another body (422 `idempotency_key_reused`).

The system supplies `authenticate` (returning its user, raising `Unauthenticated`), so a client
certificate or another credential can be checked in front of the token without touching an
operation. This module knows nothing of our apps: a user is anything with `pk` and
`organization_id`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import wraps
from http.client import responses as HTTP_REASONS
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import RequestDataTooBig
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, reverse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security.http import HttpBearer
from pydantic import Field

from kouiki.core.database import BUSY_MESSAGE, BUSY_RETRY_AFTER_SECONDS, database_busy
from kouiki.core.errors import KouikiError
from kouiki.core.japanese import too_long_message
from kouiki.core.models import IdempotencyRecord

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Printable ASCII without spaces at the ends, as for other HTTP tokens; at most 255 characters.
IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
REPLAYED_HEADER = "Idempotent-Replayed"

TITLES = {
    400: "要求の形式が正しくありません",
    401: "認証が必要です",
    403: "権限がありません",
    404: "見つかりません",
    405: "許可されていないメソッドです",
    409: "処理できない状態です",
    422: "入力内容に誤りがあります",
    429: "要求が多すぎます",
    500: "システムエラーが発生しました",
    503: "混み合っています",
}


# --- Problem details -------------------------------------------------------------------------------


class ProblemDetails(Schema):
    """RFC 9457 problem details, with our stable `code` and the messages per field."""

    type: str = Field(description="問題の種別を表すURI (urn:kouiki:problem:<code>)")
    title: str = Field(description="HTTPステータスの見出し")
    status: int = Field(description="HTTPステータスコード")
    detail: str = Field(description="利用者向けの説明（日本語）")
    code: str = Field(description="問題の種別を表す安定したコード（例: not_found）")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="項目名ごとのエラーメッセージ（日本語）"
    )
    instance: str = Field("", description="要求のパス")


class Unauthenticated(KouikiError):
    """No credentials, or credentials that do not name an active user."""

    code = "authentication_required"
    status = 401
    default_message = "APIトークンを Authorization: Bearer ヘッダーで指定してください。"


class RateLimited(KouikiError):
    code = "rate_limited"
    status = 429
    default_message = "短時間に多くの要求があったため、一時的に受け付けを制限しています。"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
    title: str | None = None,
) -> HttpResponse:
    """One problem-details answer; `extensions` are further members (RFC 9457 3.2); `title` in
    place of the status's own (a 503 for maintenance is not 「混み合っています」)."""
    document: dict[str, Any] = {
        **(extensions or {}),
        "type": f"urn:kouiki:problem:{code}",
        "title": title or TITLES.get(status, "エラー"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or {},
        "instance": request.path if request is not None else "",
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_problem(request: HttpRequest, error: KouikiError) -> HttpResponse:
    """A domain error as problem details (the API's twin of DomainErrorMiddleware)."""
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="kouiki"'
    return problem_response(
        request,
        status=error.status,
        code=error.code,
        detail=error.message,
        errors=error.errors,
        headers=headers,
        extensions=_extensions(error),
    )


_STANDARD_ATTRIBUTES = frozenset({"message", "code", "field", "errors", "status", "retry_after"})


def _extensions(error: KouikiError) -> dict[str, Any]:
    """What a domain error carries besides its message, e.g. the `switch_number` of the switch in
    progress that refused a second one: plain values only."""
    return {
        name: value
        for name, value in vars(error).items()
        if name not in _STANDARD_ATTRIBUTES
        and not name.startswith("_")
        and isinstance(value, str | int | bool)
    }


# Pydantic's error types in Japanese; `{…}` are filled from the error's context.
_MESSAGES = {
    "missing": "必須項目です。",
    "string_type": "文字列で指定してください。",
    "string_too_short": "{min_length}文字以上で指定してください。",
    "string_too_long": "{max_length}文字以内で指定してください。",
    "string_pattern_mismatch": "形式が正しくありません。",
    "int_type": "整数で指定してください。",
    "int_parsing": "整数で指定してください。",
    "int_from_float": "整数で指定してください。",
    "greater_than": "{gt}より大きい値を指定してください。",
    "greater_than_equal": "{ge}以上の値を指定してください。",
    "less_than": "{lt}より小さい値を指定してください。",
    "less_than_equal": "{le}以下の値を指定してください。",
    "bool_type": "true または false を指定してください。",
    "bool_parsing": "true または false を指定してください。",
    "date_type": "日付は YYYY-MM-DD の形式で指定してください。",
    "date_parsing": "日付は YYYY-MM-DD の形式で指定してください。",
    "date_from_datetime_parsing": "日付は YYYY-MM-DD の形式で指定してください。",
    "date_from_datetime_inexact": "日付は YYYY-MM-DD の形式で指定してください。",
    "datetime_type": "日時は ISO 8601 の形式で指定してください。",
    "datetime_parsing": "日時は ISO 8601 の形式で指定してください。",
    "datetime_from_date_parsing": "日時は ISO 8601 の形式で指定してください。",
    "list_type": "配列で指定してください。",
    "too_short": "{min_length}件以上指定してください。",
    "too_long": "{max_length}件以内で指定してください。",
    "dict_type": "オブジェクトで指定してください。",
    "model_type": "オブジェクトで指定してください。",
    "model_attributes_type": "オブジェクトで指定してください。",
    "literal_error": "次のいずれかを指定してください: {expected}",
    "enum": "次のいずれかを指定してください: {expected}",
    "extra_forbidden": "この項目は指定できません。",
    "json_invalid": "JSONの形式が正しくありません。",
    "json_type": "JSONの形式が正しくありません。",
    "uuid_parsing": "UUIDの形式で指定してください。",
    "decimal_parsing": "数値で指定してください。",
    "float_parsing": "数値で指定してください。",
    "float_type": "数値で指定してください。",
}
_DEFAULT_MESSAGE = "値が正しくありません。"


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "body", "customer_name")` → "customer_name"; `("query", "after")` → "after".

    By convention an operation names its JSON body parameter `body` (ninja puts it in the path).
    """
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "body":
            parts.pop(0)
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in {"too_short", "too_long"} and context.get("field_type") == "Value":
        # A length on an optional text (`Code | None`) is reported as a collection's: it is a text's.
        if kind == "too_long" and "actual_length" in context:
            return too_long_message(int(context["max_length"]), int(context["actual_length"]))
        kind = f"string_{kind}"
    if kind in {"value_error", "assertion_error"}:
        # Our validators raise ValueError with a Japanese message.
        message = str(context.get("error") or error.get("msg", ""))
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ") or _DEFAULT_MESSAGE
    template = _MESSAGES.get(kind)
    if template is None:
        return _DEFAULT_MESSAGE
    if kind in {"literal_error", "enum"} and "expected" in context:
        # Pydantic lists the choices in English ("'ok' or 'ng'", "'a', 'b' or 'c'").
        expected = str(context["expected"]).replace("' or '", "'、'").replace("', '", "'、'")
        context = {**context, "expected": expected}
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return _DEFAULT_MESSAGE


def validation_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Ninja's validation errors as Japanese messages per field."""
    found: dict[str, list[str]] = {}
    for error in errors:
        field = _field_name(error.get("loc", ()))
        message = _message(error)
        if message not in found.setdefault(field, []):
            found[field].append(message)
    return found


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error an operation can meet becomes problem details."""

    def kouiki_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, KouikiError)
        return error_problem(request, exc)

    def invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, NinjaValidationError)
        return problem_response(
            request,
            status=422,
            code="validation_failed",
            detail="入力内容に誤りがあります。項目ごとのエラーを確認してください。",
            errors=validation_errors(exc.errors),
        )

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_problem(request, Unauthenticated())

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        assert isinstance(exc, HttpError)
        status = exc.status_code
        if status == 400:
            return problem_response(
                request, status=400, code="malformed_request", detail="要求本文をJSONとして解釈できません。"
            )
        return problem_response(
            request, status=status, code=f"http_{status}", detail=TITLES.get(status, "エラーです。")
        )

    def too_large(request: HttpRequest, exc: Any) -> HttpResponse:
        return body_too_large_problem(request)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem_response(
            request, status=404, code="not_found", detail="指定されたデータは存在しません。"
        )

    def server_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if database_busy(exc):
            return database_busy_problem(request)
        logger.error("API operation failed: %s %s", request.method, request.path, exc_info=exc)
        return problem_response(
            request,
            status=500,
            code="internal_error",
            detail="システムエラーが発生しました。しばらくしてから再度お試しください。",
        )

    api.add_exception_handler(KouikiError, kouiki_error)
    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(RequestDataTooBig, too_large)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(Exception, server_error)


def body_too_large_problem(request: HttpRequest) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, which Django refuses to read."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return problem_response(
        request,
        status=400,
        code="request_too_large",
        detail=f"要求本文が大きすぎます（上限 {limit:,} バイト）。",
    )


def database_busy_problem(request: HttpRequest) -> HttpResponse:
    """The database stayed locked past the busy timeout: nothing was done, send it again later."""
    logger.warning("Database busy: %s %s answered 503.", request.method, request.path)
    return problem_response(
        request,
        status=503,
        code="database_busy",
        detail=BUSY_MESSAGE,
        headers={"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)},
    )


def problems(*statuses: int) -> dict[int, type[ProblemDetails]]:
    """The error answers an operation declares: `response={200: Out, **problems(403, 404)}`."""
    return dict.fromkeys(statuses, ProblemDetails)


# --- Authentication seen by ninja --------------------------------------------------------------------


class BearerToken(HttpBearer):
    """Declares `Authorization: Bearer` in the OpenAPI; the guard has already resolved the caller."""

    def __init__(self, authenticate: Callable[[HttpRequest], Any]) -> None:
        super().__init__()
        self._authenticate = authenticate

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "api_user", None)
        return user if user is not None else self._authenticate(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return self._authenticate(request)


# --- The guard: caller, rate limit, idempotency -------------------------------------------------------


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_limit_wait(
    request: HttpRequest, *, group: str, key: str, rate: str, tally: tuple[str, int] | None = None
) -> int | None:
    """Count one request of `key` in `group`; the seconds to wait when over `rate` ("600/m",
    "10/5s"), else None. A fixed window of the rate's period, counted in the shared cache. With
    `tally` (system, organization id) the request is also counted in that organization's
    requests of the minute (`api_requests_per_minute`), in the same round trip."""
    match = _RATE.match(rate)
    if match is None:
        raise ValueError(f"rate {rate!r}: expected <count>/<period>, as 600/m")
    limit = int(match.group(1))
    period = int(match.group(2) or 1) * _PERIOD_SECONDS[match.group(3)]
    now = int(time.time())
    window = now // period
    count = _count(f"rl:{group}:{key}:{period}:{window}", period, tally=tally, minute=now // 60)
    if count <= limit:
        return None
    return max((window + 1) * period - now, 1)


def _count(cache_key: str, period: int, *, tally: tuple[str, int] | None = None, minute: int = 0) -> int:
    """One more in the window's counter; the count. On Redis one round trip (SET NX EX and INCR
    pipelined, where the cache's add and incr take three commands, and the minute's tally in the
    same pipeline); elsewhere add and incr."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        name = backend.make_and_validate_key(cache_key)
        client = backend._cache.get_client(name, write=True)
        with client.pipeline(transaction=False) as pipe:
            pipe.set(name, 0, ex=period + 1, nx=True)
            pipe.incr(name)
            if tally is not None:
                _tally_in_redis(backend, pipe, tally, minute)
            count = pipe.execute()[1]
        return int(count)
    if tally is not None:
        _increment(backend, _tally_key(minute, *tally), TALLY_SECONDS)
    return _increment(backend, cache_key, period + 1)


def _increment(backend: Any, cache_key: str, timeout: int) -> int:
    backend.add(cache_key, 0, timeout)
    try:
        return int(backend.incr(cache_key))
    except ValueError:  # the window's counter expired between the two
        backend.add(cache_key, 1, timeout)
        return 1


# --- API requests per organization and minute (the back office's overview, X-S1) ------------------
#
# Every request the guard lets through to the rate count is also counted per minute for its
# organization and system, kept TALLY_SECONDS (about two hours). On Redis a minute is one hash
# (field "<system>:<organization id>"), incremented in the rate count's pipeline, so the reader
# finds every organization of a minute with one HGETALL; elsewhere (the database cache of a single
# machine) a minute has one key per organization, which the reader asks for by name.

TALLY_SECONDS = 2 * 3600 + 60


def _tally_key(minute: int, system: str = "", organization_id: int | None = None) -> str:
    """The minute's hash on Redis; with a system and an organization, that organization's key."""
    if organization_id is None:
        return f"api-requests:{minute}"
    return f"api-requests:{minute}:{system}:{organization_id}"


def _tally_in_redis(backend: RedisCache, pipe: Any, tally: tuple[str, int], minute: int) -> None:
    system, organization_id = tally
    name = backend.make_and_validate_key(_tally_key(minute))
    pipe.hincrby(name, f"{system}:{organization_id}", 1)
    pipe.expire(name, TALLY_SECONDS)


def api_requests_per_minute(
    *, minutes: int, candidates: Iterable[tuple[str, int]] = (), now: float | None = None
) -> tuple[list[int], dict[tuple[str, int], list[int]]]:
    """The last `minutes` minutes (epoch minutes, oldest first, the current one last) and, for
    each (system, organization id) that made API requests in them, its count per minute.

    On Redis every organization counted is found (one round trip); elsewhere only the
    `candidates` are read (the caller names those that may have called, e.g. by their tokens'
    last use)."""
    current = int(now if now is not None else time.time()) // 60
    span = [current - back for back in range(min(minutes, TALLY_SECONDS // 60) - 1, -1, -1)]
    counts: dict[tuple[str, int], list[int]] = {}
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        names = [backend.make_and_validate_key(_tally_key(minute)) for minute in span]
        client = backend._cache.get_client(names[0])
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.hgetall(name)
            found = pipe.execute()
        for index, fields in enumerate(found):
            for field, value in fields.items():
                system, _, organization = field.decode().rpartition(":")
                counts.setdefault((system, int(organization)), [0] * len(span))[index] = int(value)
        return span, counts
    keys = {
        _tally_key(minute, system, organization_id): (index, (system, organization_id))
        for system, organization_id in set(candidates)
        for index, minute in enumerate(span)
    }
    for key, value in backend.get_many(list(keys)).items():
        index, who = keys[key]
        counts.setdefault(who, [0] * len(span))[index] = int(value)
    return span, counts


def request_hash(request: HttpRequest) -> str:
    """What "the same request" means: method, path with query, and the body (JSON compared as data)."""
    body = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.body.encode(), status=record.status, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response[REPLAYED_HEADER] = "true"
    return response


# Answers that are not kept: the request was not processed (401, 429) or failed (5xx); a retry
# with the same key then runs the operation.
def _keep(status: int) -> bool:
    return status < 500 and status not in {401, 429}


# A NUL in a JSON text: raw, or escaped as \u0000 (but not the text "\\u0000", an escaped backslash).
_NUL_IN_JSON = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")


class ApiGuard:
    """The one decorator in front of every operation of a system's API (ninja "view" mode)."""

    def __init__(
        self,
        *,
        system: str,
        authenticate: Callable[[HttpRequest], Any],
        rate: Callable[[], str],
        on_error: Callable[[HttpRequest, Exception], HttpResponse],
        limit: Callable[[Any], tuple[str, str] | None] | None = None,
    ) -> None:
        self.system = system
        self.authenticate = authenticate
        self.rate = rate
        self.on_error = on_error
        # A tighter rate staff set for the caller's organization (X-S1): (rate, the 429's detail).
        self.limit = limit

    def __call__(self, run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            # Ninja's handlers answer what fails inside the operation; what fails here, in front of
            # it (a body too large to read, the database during authentication, the rate count or
            # the idempotency record), goes to the same handlers, so it is a problem too.
            try:
                return self._guard(request, run, kwargs)
            except Exception as error:
                return self.on_error(request, error)

        return guarded

    def _guard(
        self, request: HttpRequest, run: Callable[..., HttpResponse], kwargs: dict[str, Any]
    ) -> HttpResponse:
        """The body's NUL check, the caller, the rate limit and idempotency, then the operation."""
        if _NUL_IN_JSON.search(request.body):
            # No text field of ours may hold NUL (PostgreSQL cannot store it): refuse it here,
            # once for every operation, rather than fail in the database.
            return problem_response(
                request,
                status=422,
                code="validation_failed",
                detail="NUL文字（\\u0000）は使用できません。",
                errors={"body": ["NUL文字（\\u0000）は使用できません。"]},
            )
        try:
            user = self.authenticate(request)
        except KouikiError as error:
            return error_problem(request, error)
        request.api_user = user  # type: ignore[attr-defined]
        own = self.limit(user) if self.limit is not None else None
        wait = rate_limit_wait(
            request,
            group=f"api:{self.system}",
            key=f"organization:{user.organization_id}",
            rate=own[0] if own else self.rate(),
            tally=(self.system, user.organization_id),
        )
        if wait is not None:
            return error_problem(request, RateLimited(wait, own[1] if own else None))
        if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers:
            return self._idempotent(request, user, run, kwargs)
        return run(request, **kwargs)

    def _idempotent(
        self, request: HttpRequest, user: Any, run: Callable[..., HttpResponse], kwargs: dict[str, Any]
    ) -> HttpResponse:
        key = request.headers[IDEMPOTENCY_HEADER]
        if not _IDEMPOTENCY_KEY.match(key):
            return problem_response(
                request,
                status=400,
                code="invalid_idempotency_key",
                detail="Idempotency-Key は1〜255文字の印字可能なASCII文字で指定してください。",
                errors={IDEMPOTENCY_HEADER: ["1〜255文字の印字可能なASCII文字で指定してください。"]},
            )
        scope = f"{self.system}:user:{user.pk}"
        # A contractor's user acting for a principal (X-Acting-For): its keys are per principal.
        acting = getattr(user, "acting_for", None)
        if acting is not None:
            scope = f"{scope}:for:{acting.principal.pk}"
        digest = request_hash(request)
        # The operation and its record commit together, in one transaction without savepoints of
        # the guard's own: the record is written last, by an insert that yields to an existing one.
        # A concurrent duplicate waits on the unique (scope, key) index for the first to commit.
        with transaction.atomic():
            response = run(request, **kwargs)
            succeeded = response.status_code < 400 and not response.streaming
            if succeeded and _record(scope, key, request, digest, response):
                return response
            # A refusal leaves nothing behind but its answer; a duplicate leaves nothing at all.
            transaction.set_rollback(True)
        first = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if first is None and _keep(response.status_code) and not response.streaming:
            if _record(scope, key, request, digest, response):
                return response
            first = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if first is None:
            return response
        if first.request_hash != digest:
            return problem_response(
                request,
                status=422,
                code="idempotency_key_reused",
                detail=(
                    "この Idempotency-Key は別の内容の要求に使われています。新しいキーを指定してください。"
                ),
                errors={IDEMPOTENCY_HEADER: ["別の内容の要求に使われたキーです。"]},
            )
        return _replay(first)


def _record(scope: str, key: str, request: HttpRequest, digest: str, response: HttpResponse) -> bool:
    """Keep the answer to the key unless another request's answer is kept already; True if kept.

    One statement (`INSERT … ON CONFLICT DO NOTHING RETURNING`, PostgreSQL and SQLite alike): no
    savepoint to catch a duplicate, and a concurrent first request is waited for, not overtaken."""
    meta = IdempotencyRecord._meta
    columns = ("scope", "key", "method", "path", "request_hash", "status", "content_type", "location", "body")
    values = (
        scope,
        key,
        request.method or "",
        request.path[: meta.get_field("path").max_length or 300],
        digest,
        response.status_code,
        response.get("Content-Type", "")[:100],
        response.get("Location", "")[:300],
        response.content.decode("utf-8"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(columns)}, created_at)"  # noqa: S608 - our names
            f" VALUES ({', '.join(['%s'] * len(columns))}, %s)"
            " ON CONFLICT (scope, key) DO NOTHING RETURNING id",
            [*values, timezone.now()],
        )
        return cursor.fetchone() is not None


def purge_idempotency_records() -> int:
    """Delete the answers kept longer than KOUIKI_API_IDEMPOTENCY_HOURS; return how many."""
    limit = timezone.now() - timedelta(hours=settings.KOUIKI_API_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=limit).delete()
    return deleted


# --- The API class --------------------------------------------------------------------------------


class KouikiJSONEncoder(NinjaJSONEncoder):
    """Every time in Japan time with its offset (`2026-11-02T10:00:00+09:00`), whichever field it
    is in: the database hands out UTC, which Django's encoder would write with `Z`."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class KouikiRenderer(JSONRenderer):
    """The APIs' one JSON writer: UTF-8 as is (Japanese is not `\\u`-escaped), times in Japan time."""

    encoder_class = KouikiJSONEncoder
    json_dumps_params = {"ensure_ascii": False}


class KouikiAPI(NinjaAPI):
    """A NinjaAPI with problem details, the guard, and an OpenAPI that declares what they add."""

    def __init__(
        self,
        *,
        system: str,
        authenticate: Callable[[HttpRequest], Any],
        rate: Callable[[], str] | None = None,
        limit: Callable[[Any], tuple[str, str] | None] | None = None,
        header_parameters: tuple[dict[str, Any], ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(auth=BearerToken(authenticate), renderer=KouikiRenderer(), **kwargs)
        self.system = system
        # Request headers every operation of the system reads in `authenticate` (OpenAPI parameters).
        self.header_parameters = header_parameters
        install_problem_handlers(self)
        self.add_decorator(
            ApiGuard(
                system=system,
                authenticate=authenticate,
                rate=rate or (lambda: settings.KOUIKI_API_RATE),
                on_error=self.on_exception,
                limit=limit,
            ),
            mode="view",
        )

    @property
    def urls(self) -> Any:
        """Ninja's URLs, each answering a method it does not take with problem details (405)."""
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                if pattern.name == "openapi-json":
                    pattern.callback = self._openapi_json
                elif pattern.name == "api-root":
                    pattern.callback = self._index
                pattern.callback = _problem_for_wrong_method(pattern.callback)
        return patterns, app_name, namespace

    def links(self) -> dict[str, str]:
        """What a client needs to start: the API's name, version, and where its documents are."""
        root = reverse(f"{self.urls_namespace}:api-root")
        return {
            "title": self.title,
            "version": self.version,
            "url": root,
            "openapi": f"{root}{self.openapi_url.lstrip('/')}" if self.openapi_url else "",
            "docs": f"{root}{self.docs_url.lstrip('/')}" if self.docs_url else "",
        }

    def _index(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The API's root: a small index linking its OpenAPI document and its docs (no token)."""
        return self.create_response(request, self.links(), status=200)

    def _openapi_json(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The OpenAPI document, written like every answer (ninja's own view escapes Japanese).

        Built once per process (and again after a setting changes, in tests): building it takes
        seconds of CPU, which every anonymous caller of `openapi.json` would otherwise cost."""
        key = (self.urls_namespace, tuple(sorted(kwargs.items())))
        schema = _OPENAPI_SCHEMAS.get(key)
        if schema is None:
            schema = _OPENAPI_SCHEMAS[key] = self.get_openapi_schema(path_params=kwargs)
        return self.create_response(request, schema, status=200)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                if self.header_parameters:
                    # A header the caller may not use (not its own to name) is refused with 403.
                    operation.setdefault("parameters", []).extend(dict(p) for p in self.header_parameters)
                    operation.setdefault("responses", {}).setdefault(403, {"description": TITLES[403]})
        declare_conventions(schema)
        japanese_only(schema)
        return schema


# The OpenAPI documents built by KouikiAPI._openapi_json, by API and path parameters.
_OPENAPI_SCHEMAS: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}


@receiver(setting_changed)
def _forget_openapi_schemas(**kwargs: Any) -> None:
    _OPENAPI_SCHEMAS.clear()


# The success answers' descriptions, in place of the HTTP reason phrases ninja writes ("OK").
SUCCESS_DESCRIPTIONS = {
    200: "成功",
    201: "登録しました",
    202: "受け付けました（処理状況は Location のURLで確認できます）",
    204: "成功（本文なし）",
}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def japanese_only(schema: dict[str, Any]) -> None:
    """What an integrator reads in the docs is Japanese: success answers are described in Japanese,
    the engineers' English docstrings that pydantic copies into the schemas are left out, and so are
    the titles pydantic makes from field names ("Supply Point Number"): the docs show the field's
    name and its Japanese description."""
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            for code, response in operation.get("responses", {}).items():
                described = _JAPANESE.search(response.get("description", ""))
                if int(code) in SUCCESS_DESCRIPTIONS and not described:
                    response["description"] = SUCCESS_DESCRIPTIONS[int(code)]
            for parameter in operation.get("parameters", []):
                parameter.get("schema", {}).pop("title", None)
    for component in schema.get("components", {}).get("schemas", {}).values():
        if not _JAPANESE.search(component.get("description", "")):
            component.pop("description", None)
        for field in component.get("properties", {}).values():
            field.pop("title", None)


def api_index(request: HttpRequest, *, apis: list[KouikiAPI], system: str = "") -> HttpResponse:
    """`/api/` (and `/api/<system>/`): the APIs served, each with its OpenAPI document and docs."""
    listed = [api.links() for api in apis if not system or api.system == system]
    if not listed:
        return problem_response(
            request, status=404, code="not_found", detail="指定されたURLの機能はありません。"
        )
    return HttpResponse(
        json.dumps({"apis": listed}, ensure_ascii=False),
        content_type=f"{KouikiRenderer.media_type}; charset=utf-8",
    )


def _problem_for_wrong_method(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a wrong method with a bare text 405: the API's clients get a problem document."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        problem = response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)
        if response.status_code == 405 and not problem:
            allowed = response.get("Allow", "")
            return problem_response(
                request,
                status=405,
                code="method_not_allowed",
                detail=f"このURLでは {request.method} メソッドは使えません（使えるメソッド: {allowed}）。",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
_AUTO_ERRORS = {
    401: "認証が必要です（APIトークンがない、無効、または失効）",
    429: "要求が多すぎます（Retry-After 秒後に再試行）",
    503: "混み合っています（何も処理していません。Retry-After 秒後に再試行）",
}


def declare_conventions(schema: dict[str, Any]) -> None:
    """Make the OpenAPI tell what the guard and the handlers do for every operation.

    Error answers are `application/problem+json`; every operation may answer 401, 429 and 503 (with
    `Retry-After`) and 400 (malformed); a POST takes an optional `Idempotency-Key` header (its
    pattern declared) and may answer 422 (key reused); an operation with parameters or a body may
    answer 422; 201 and 202 carry `Location`.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ProblemDetails", _problem_schema())
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            responses = {str(status): value for status, value in operation.get("responses", {}).items()}
            # Any request may be malformed (400 malformed_request): a NUL in its URL, a body that is
            # not JSON, an Idempotency-Key outside its pattern.
            extra: dict[int, str] = {400: TITLES[400], **_AUTO_ERRORS}
            if operation.get("parameters") or operation.get("requestBody"):
                extra[422] = TITLES[422]
            if method == "post":
                extra[422] = TITLES[422]
                operation.setdefault("parameters", []).append(
                    {
                        "in": "header",
                        "name": IDEMPOTENCY_HEADER,
                        "required": False,
                        "description": "同じキーと同じ本文の再送には最初の応答をそのまま返します。",
                        "schema": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": 255,
                            "pattern": IDEMPOTENCY_KEY_PATTERN,
                        },
                    }
                )
            for code, description in extra.items():
                responses.setdefault(str(code), {"description": description})
            for key, response in list(responses.items()):
                code = int(key)
                if code >= 400:
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": _PROBLEM_REF}}
                    if response.get("description") in (None, HTTP_REASONS.get(code)):
                        response["description"] = TITLES.get(code, "エラー")
                if code in (429, 503):
                    response.setdefault("headers", {})["Retry-After"] = {
                        "description": "再試行までの秒数",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                if code == 401:
                    response.setdefault("headers", {})["WWW-Authenticate"] = {"schema": {"type": "string"}}
                if code in (201, 202):
                    response.setdefault("headers", {})["Location"] = {
                        "description": "処理状況を確認するURL",
                        "schema": {"type": "string"},
                    }
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


def _problem_schema() -> dict[str, Any]:
    document = ProblemDetails.model_json_schema()
    document["title"] = "ProblemDetails"
    return document
