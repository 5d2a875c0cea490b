"""Where the current request comes from, for the audit log's "from where".

Services do not take the request; the middleware puts the client address in a context variable
that lives for the request (and is empty in tasks and commands). It also opens the request's scope
of the shared caches' generations (`core.caching.request_scope`: each read once a request).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from kouiki.core.caching import request_scope


@dataclass(frozen=True)
class RequestInfo:
    ip: str = ""
    user_agent: str = ""
    path: str = ""


_EMPTY = RequestInfo()
_current: ContextVar[RequestInfo | None] = ContextVar("kouiki_request", default=None)


def current() -> RequestInfo:
    return _current.get() or _EMPTY


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a proxy in front sets it through the ASGI server's trusted-proxy option.
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestInfo(
                ip=client_ip(request),
                user_agent=str(request.META.get("HTTP_USER_AGENT", ""))[:200],
                path=request.path[:200],
            )
        )
        try:
            with request_scope():
                return self.get_response(request)
        finally:
            _current.reset(token)
