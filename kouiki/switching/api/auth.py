"""Who is calling the switching API: the one function every operation relies on.

Today a caller proves itself with a user's API token (`Authorization: Bearer`). X-C1 (client
certificates, a later issue) adds its check here, in front of the token: the reverse proxy
verifies the certificate and passes its fingerprint in a header the app trusts only from the
proxy's address; `authenticate` will refuse a token whose organization's certificate does not
match. No operation changes.

A contractor's token (受託者, X-I2) names the principal it acts for in the `X-Acting-For` header
(the principal's 事業者コード); the access layer then answers for the principal's functions as
granted (ADR 32).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from kouiki.core.systems import System
from kouiki.identity.access import ACTING_HEADER, act_for_header
from kouiki.identity.services.tokens import authenticate_bearer

if TYPE_CHECKING:
    from kouiki.identity.models import User


def authenticate(request: HttpRequest) -> User:
    """The user the request acts as; raises `kouiki.core.api.Unauthenticated` (401) otherwise."""
    user = getattr(request, "api_user", None)
    if user is not None:
        return user  # type: ignore[no-any-return]
    user = authenticate_bearer(request, system=System.SWITCHING)
    # A contractor's token acts for the principal the request names (受託者, X-I2, ADR 32): 403
    # when it holds no grant in force from it.
    act_for_header(user, request.headers.get(ACTING_HEADER), System.SWITCHING)
    return user
