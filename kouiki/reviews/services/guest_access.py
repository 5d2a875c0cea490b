"""A guest applicant's proof, kept in its session, that it opened its application with the
受付番号 and the mail address of the application (the member joining's main application, the
capacity market's application to use the system).

The proof is signed and expires after an idle time; the application is looked up again with the
number and address each time, so that once approved (or no longer a guest's) it no longer opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core import signing
from django.http import HttpRequest

from kouiki.core.errors import NotFound

if TYPE_CHECKING:
    from kouiki.reviews.models import Application

Finder = Callable[..., "Application"]


@dataclass(frozen=True)
class GuestAccess:
    session_key: str
    salt: str
    max_age_seconds: int
    # find(reception_number=, email=) -> the guest's application, NotFound otherwise.
    find: Finder

    def grant(self, request: HttpRequest, application: Application, email: str) -> None:
        request.session[self.session_key] = signing.dumps(
            {"r": application.reception_number, "e": email}, salt=self.salt
        )

    def granted(self, request: HttpRequest) -> tuple[Application, str] | None:
        """The application this browser proved to be its own, recently; None once the proof is
        gone, expired, or the application no longer opens to the guest. Each use renews it."""
        value = request.session.get(self.session_key)
        if not value:
            return None
        try:
            proof = signing.loads(value, salt=self.salt, max_age=self.max_age_seconds)
            application = self.find(reception_number=proof["r"], email=proof["e"])
        except (signing.BadSignature, KeyError, TypeError, NotFound):
            request.session.pop(self.session_key, None)
            return None
        self.grant(request, application, proof["e"])
        return application, proof["e"]


def remember_reception(request: HttpRequest, key: str, application: Application) -> None:
    """What the reception screen after a public application shows (its 受付番号, the company and
    the address the receipt went to), kept in the applicant's session under `key`."""
    request.session[key] = {
        "reception_number": application.reception_number,
        "company_name": application.subject,
        "email": application.applicant_email,
    }
