"""The simulator's HTTP face: the simulated operators behind the protocol of kouiki.tso.services.adapters.

Served under /tso-simulator/<area>/ only when KOUIKI_TSO_SIMULATOR_HTTP is on (otherwise 404),
and, when KOUIKI_TSO_SIMULATOR_TOKEN is set, only to `Authorization: Bearer <that token>`. This is
what the HTTP adapter is tested against, and what a second Kouiki (or a partner's test system) may
point at.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kouiki.core.japanese import Area
from kouiki.tso.services import simulator
from kouiki.tso.services.gateway import Operation, OperatorUnavailable, OutgoingMessage, answer_to_json

RETRY_AFTER_SECONDS = 60
MAX_BODY = 64 * 1024


def _open(request: HttpRequest, area: str) -> JsonResponse | None:
    """404 when the face is off or the area unknown; 401 without the token; else None."""
    if not settings.KOUIKI_TSO_SIMULATOR_HTTP or area not in Area.values:
        raise Http404
    token = settings.KOUIKI_TSO_SIMULATOR_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _error(401, "unauthorized", "認証トークンが正しくありません。")
    return None


def _error(status: int, code: str, detail: str) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": detail}, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _message(body: Any, area: str) -> OutgoingMessage:
    if not isinstance(body, dict):
        raise ValueError("本文は JSON オブジェクトで送ってください。")
    message_id = body.get("message_id")
    if not isinstance(message_id, str) or not 1 <= len(message_id) <= 32:
        raise ValueError("message_id（32文字以内の文字列）が必要です。")
    operation = body.get("operation")
    if operation not in {member.value for member in Operation}:
        raise ValueError(f"operation {operation!r} は取り扱っていません。")
    reference = body.get("reference")
    if not isinstance(reference, str) or not 1 <= len(reference) <= 40:
        raise ValueError("reference（40文字以内の文字列）が必要です。")
    payload = body.get("payload", {})
    if not isinstance(payload, dict):
        raise ValueError("payload は JSON オブジェクトで送ってください。")
    attempt = body.get("attempt", 1)
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ValueError("attempt は1以上の整数です。")
    return OutgoingMessage(
        message_id=message_id,
        area=area,
        operation=operation,
        reference=reference,
        payload=payload,
        attempt=attempt,
    )


@csrf_exempt
@require_POST
def messages(request: HttpRequest, area: str) -> JsonResponse:
    """Take a message; a repeated message id returns the first answers (idempotent)."""
    refused = _open(request, area)
    if refused is not None:
        return refused
    if len(request.body) > MAX_BODY:
        return _error(413, "too_large", "電文が大きすぎます。")
    try:
        message = _message(json.loads(request.body or b"null"), area)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return _error(400, "invalid_message", str(error))
    try:
        answers = simulator.receive(message)
    except OperatorUnavailable as error:
        return _error(503, "operator_unavailable", str(error))
    return JsonResponse({"message_id": message.message_id, "answers": [answer_to_json(a) for a in answers]})


@require_GET
def answers(request: HttpRequest, area: str) -> JsonResponse:
    """The area's answers after position `after` (gapless, in order), the due work done first."""
    refused = _open(request, area)
    if refused is not None:
        return refused
    try:
        after = int(request.GET.get("after", "0"))
        limit = int(request.GET.get("limit", "500"))
    except ValueError:
        return _error(400, "invalid_query", "after と limit は整数で指定してください。")
    try:
        items = simulator.answers_after(area, after, limit=limit)
    except OperatorUnavailable as error:
        return _error(503, "operator_unavailable", str(error))
    return JsonResponse({"answers": [{"seq": item.seq, **answer_to_json(item.answer)} for item in items]})
