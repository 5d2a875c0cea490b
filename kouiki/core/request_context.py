"""Where the current request comes from, for the audit log's "from where".

Services do not take the request; the middleware puts the client address in a context variable
that lives for the request (and is empty in tasks and commands). It also opens the request's scope
of the shared caches' generations (`core.caching.request_scope`: each read once a request).

Behind the proxy (deploy/nginx/), the connection comes from the proxy: the middleware takes the
client's address from the `X-Real-IP` header the proxy sets, only when the connection comes from
one of KOUIKI_TRUSTED_PROXIES, and puts it in REMOTE_ADDR before anything else reads it (the login
lockout, the rate limits, the audit log); the proxy's own address stays in `KOUIKI_PEER_ADDR`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
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


# The address the connection came from, kept when REMOTE_ADDR is replaced by the client's.
PEER_ADDR = "KOUIKI_PEER_ADDR"
REAL_IP_HEADER = "X-Real-IP"


def client_ip(request: HttpRequest) -> str:
    """The client's address (behind a trusted proxy, the one the proxy saw)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def peer_address(request: HttpRequest) -> str:
    """The address the connection came from: the proxy's, when one is in front."""
    return str(request.META.get(PEER_ADDR) or request.META.get("REMOTE_ADDR", ""))


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection came from one of KOUIKI_TRUSTED_PROXIES, whose headers are believed."""
    return peer_address(request) in settings.KOUIKI_TRUSTED_PROXIES


def _take_client_address(request: HttpRequest) -> None:
    if PEER_ADDR in request.META or not from_trusted_proxy(request):
        return
    given = request.headers.get(REAL_IP_HEADER, "").strip()
    try:
        address = str(ipaddress.ip_address(given))
    except ValueError:
        return  # none, or not an address: the proxy's own stays
    request.META[PEER_ADDR] = request.META.get("REMOTE_ADDR", "")
    request.META["REMOTE_ADDR"] = address


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _take_client_address(request)
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
