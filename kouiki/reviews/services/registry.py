"""Application types: what each kind of application validates, applies and shows to the reviewer.

The owner of a kind declares it once and registers it when Django starts, from its AppConfig:

    class MembershipConfig(AppConfig):
        def ready(self) -> None:
            from kouiki.membership.services import review_join  # calls registry.register(...)

The workflow (`kouiki.reviews.services`) calls the hooks: `validate` on submit, on resubmit and on
an edit of a submitted application; `apply` inside the approval transaction (an exception there
rolls the approval back); `diff` and `labels` for the back office's detail screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from kouiki.core import display

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

Payload = dict[str, Any]
# (label, current value, requested value), as text for the screen.
DiffRow = tuple[str, str, str]

# The acts that send a mail to the applicant, each with its default template pair
# (reviews/mail/<act>.subject.txt and .body.txt).
MAIL_EVENTS = ("submit", "resubmit", "hold", "reject", "approve", "withdraw", "expire")

_PREFIX = re.compile(r"^[A-Z]{1,3}$")


def accept(payload: Payload) -> Payload:
    """The default validation: the payload as given."""
    return payload


def nothing(application: Application, actor: User) -> None:
    """The default approval: nothing beyond the state change."""


def format_value(value: Any) -> str:
    """A payload value as the screen shows it (a day or a time kept as ISO text as every one is shown)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, str | date):
        return display.moment(value)
    if isinstance(value, list | tuple):
        return "、".join(format_value(item) for item in value)
    if isinstance(value, dict):
        return "、".join(f"{key}: {format_value(item)}" for key, item in value.items())
    return str(value)


@dataclass(frozen=True)
class ApplicationType:
    """One kind of application. Only `key` and `name` are required."""

    key: str  # stored in Application.kind: "membership.join", "capacity.operator", ...
    name: str  # the Japanese name users and reviewers see: 加入申請, 事業者情報登録申請, ...
    # payload -> cleaned payload; raises kouiki.core.errors.ValidationFailed with field errors.
    validate: Callable[[Payload], Payload] = accept
    # Called once, inside the approval transaction, with the approved application and the reviewer.
    # It may set application.organization (a joining applicant's new organization); the workflow
    # saves the application after it.
    apply: Callable[[Application, User], None] = nothing
    # The reviewer's current/requested table; without it, `current` and `payload` are compared.
    diff: Callable[[Application], list[DiffRow]] | None = None
    # Japanese labels of the payload keys, in the order the screens list them.
    labels: Mapping[str, str] = field(default_factory=dict)
    # payload -> a short label for lists and search (a company name, a power source name).
    summary: Callable[[Payload], str] | None = None
    # The catalog function whose roles may file and edit this kind ("MEM-I4"); None: any user of
    # the organization. A guest applicant (no account yet) is let in by reception number + e-mail.
    function_id: str | None = None
    # The reception number's prefix: 1-3 capital letters ("A2026-000123").
    prefix: str = "A"
    # Template pair per mail event, replacing reviews/mail/<event>; None sends no mail for it.
    mail_templates: Mapping[str, str | None] = field(default_factory=dict)
    # The mail recipients; by default the applicant's e-mail address.
    recipients: Callable[[Application], list[str]] | None = None

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            raise ValueError(f"reception number prefix must be 1-3 capital letters: {self.prefix!r}")
        unknown = set(self.mail_templates) - set(MAIL_EVENTS)
        if unknown:
            raise ValueError(f"unknown mail events: {', '.join(sorted(unknown))}")

    def mail_template(self, event: str) -> str | None:
        """The template pair mailed on `event`, or None when this kind sends none."""
        return self.mail_templates.get(event, f"reviews/mail/{event}")

    def mail_recipients(self, application: Application) -> list[str]:
        if self.recipients is not None:
            return self.recipients(application)
        return [application.applicant_email] if application.applicant_email else []

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def _keys(self, *payloads: Mapping[str, Any] | None) -> list[str]:
        keys = [key for key in self.labels if any(p and key in p for p in payloads)]
        for payload in payloads:
            keys += [key for key in (payload or {}) if key not in keys]
        return keys

    def rows(self, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The payload as (label, value) rows, labelled keys first in their declared order."""
        return [(self.label(key), format_value(payload.get(key))) for key in self._keys(payload)]

    def differences(self, application: Application) -> list[DiffRow]:
        """The rows whose requested value differs from the registered one."""
        if self.diff is not None:
            return self.diff(application)
        if application.current is None:
            return []
        current, requested = application.current, application.payload
        return [
            (self.label(key), format_value(current.get(key)), format_value(requested.get(key)))
            for key in self._keys(current, requested)
            if current.get(key) != requested.get(key)
        ]


_TYPES: dict[str, ApplicationType] = {}


def register(application_type: ApplicationType) -> ApplicationType:
    """Make a kind known to the workflow; registering the same key twice is a programming error."""
    existing = _TYPES.get(application_type.key)
    if existing is not None and existing is not application_type:
        raise ValueError(f"application type {application_type.key!r} is already registered")
    _TYPES[application_type.key] = application_type
    return application_type


def unregister(key: str) -> None:
    """Forget a kind (tests that register their own types clean up with it)."""
    _TYPES.pop(key, None)


def get(kind: str) -> ApplicationType:
    """The type registered under `kind`; LookupError names the key when there is none."""
    try:
        return _TYPES[kind]
    except KeyError:
        raise LookupError(f"unknown application type {kind!r}: register it in its app's ready()") from None


def find(kind: str) -> ApplicationType | None:
    return _TYPES.get(kind)


def name_of(kind: str) -> str:
    """The Japanese name of a kind, or the key itself for a kind no longer registered."""
    found = _TYPES.get(kind)
    return found.name if found else kind


def types() -> list[ApplicationType]:
    """Every registered type, by Japanese name."""
    return sorted(_TYPES.values(), key=lambda t: (t.name, t.key))
