"""Error pages and the rate-limit answer, in Japanese (under /api/, problem details), and the
site-wide middleware that shapes every answer."""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from kouiki.core.database import BUSY_MESSAGE, BUSY_RETRY_AFTER_SECONDS, database_busy

API_PATH = "/api/"
# The site's error answers under API_PATH: (code, detail) per status.
_API_PROBLEMS = {
    400: ("malformed_request", "要求の内容を確認してください。"),
    403: ("forbidden", "この操作を行う権限がありません。"),
    404: ("not_found", "指定されたURLの機能はありません。"),
    500: ("internal_error", "システムエラーが発生しました。しばらくしてから再度お試しください。"),
}


def _api_problem(
    request: HttpRequest, status: int, exception: Exception | None = None
) -> HttpResponse | None:
    """What fails before the API's own handlers (a middleware, the URL resolver) still answers an
    API client with problem details; None outside the API."""
    if not request.path.startswith(API_PATH):
        return None
    from kouiki.core.api import body_too_large_problem, problem_response

    if isinstance(exception, RequestDataTooBig):
        return body_too_large_problem(request)
    code, detail = _API_PROBLEMS[status]
    return problem_response(request, status=status, code=code, detail=detail)


def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {
            "title": "しばらくしてから再度お試しください",
            "message": "短時間に多くの要求があったため、一時的に受け付けを制限しています。",
        },
        status=429,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problem := _api_problem(request, 400, exception):
        return problem
    return render(
        request,
        "errors/error.html",
        {"title": "不正な要求です", "message": "要求の内容を確認してください。"},
        status=400,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problem := _api_problem(request, 403):
        return problem
    return render(
        request,
        "errors/error.html",
        {"title": "アクセスできません", "message": "この画面を利用する権限がありません。"},
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if problem := _api_problem(request, 404):
        return problem
    return render(
        request,
        "errors/error.html",
        {"title": "ページが見つかりません", "message": "指定されたページは存在しないか、移動しました。"},
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while it handles the exception (a view's or a middleware's).
    if database_busy(sys.exception()):
        return busy(request)
    if problem := _api_problem(request, 500):
        return problem
    return render(
        request,
        "errors/error.html",
        {
            "title": "システムエラーが発生しました",
            "message": "ご不便をおかけしております。しばらくしてから再度お試しください。",
            "kouiki_stops_ahead": (),
        },
        status=500,
    )


def busy(request: HttpRequest) -> HttpResponse:
    """503: the database stayed locked past the busy timeout; the request changed nothing (its
    transaction never began, or was rolled back) and may be sent again."""
    if request.path.startswith(API_PATH):
        from kouiki.core.api import database_busy_problem

        return database_busy_problem(request)
    response = render(
        request,
        "errors/error.html",
        {"title": "ただいま混み合っています", "message": BUSY_MESSAGE, "kouiki_stops_ahead": ()},
        status=503,
    )
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "errors/error.html",
        {
            "title": "画面の有効期限が切れました",
            "message": "お手数ですが、前の画面に戻り、再読み込みしてから操作してください。",
        },
        status=403,
    )


class DomainErrorMiddleware:
    """A NotFound or Forbidden raised by a selector or service becomes the Japanese 404/403 page."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)  # type: ignore[no-any-return]

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from kouiki.core.errors import Forbidden, NotFound

        if isinstance(exception, NotFound):
            return page_not_found(request, exception)
        if isinstance(exception, Forbidden):
            return render(
                request,
                "errors/error.html",
                {"title": "アクセスできません", "message": exception.message},
                status=403,
            )
        return None


class RejectNulMiddleware:
    """A NUL character in the path or the query string is refused with 400 before any view runs.

    No identifier or search of ours holds one, and PostgreSQL cannot even compare text with it:
    left to the views, `/…/applications/%00/` or `?q=%00` ends as a database error (500). Form
    fields are Django's and refuse NUL themselves; API bodies are checked by the API's guard.
    """

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return _nul_refused(request)
        return self.get_response(request)  # type: ignore[no-any-return]


def _nul_refused(request: HttpRequest) -> HttpResponse:
    message = "URLにNUL文字（%00）は使用できません。"
    if request.path.startswith(API_PATH):
        from kouiki.core.api import problem_response

        return problem_response(request, status=400, code="malformed_request", detail=message)
    return render(request, "errors/error.html", {"title": "不正な要求です", "message": message}, status=400)


class NoStoreMiddleware:
    """Nothing shown to a signed-in user, and no back-office page (KOUIKI_NO_STORE_PATHS), is kept
    by a browser's or a proxy's cache: on a shared computer the next person must not find personal
    data in the cache. A view's own directives are kept; `public` gives way to `private`.

    Outermost but for SecurityMiddleware, so that it sees every answer, error pages included,
    after the session's own work is done.
    """

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if request.path.startswith(tuple(settings.KOUIKI_NO_STORE_PATHS)) or _signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
