"""The join application kind (加入申請, MEM-J2..J4) and what the review workflow needs of it.

The payload is flat, one key per screen field, so that the back office lists it with Japanese
labels: the company fields of `CompanyForm`, administrator ① and ② as `admin1_<field>` and
`admin2_<field>` (② absent when not given), `electronic_notice_consent`, and from the main
application on the `organization_code` the applicant entered. `Application.current` keeps the
provisional application as it was filed, so the reviewer sees what the main application changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError as DjangoValidationError

from kouiki.core import japanese
from kouiki.identity.choices import BusinessType
from kouiki.identity.services.persons import name_errors
from kouiki.membership.forms import AdministratorForm, CompanyForm
from kouiki.reviews.services import registry
from kouiki.reviews.services.payloads import PayloadCheck

if TYPE_CHECKING:
    from kouiki.identity.models import User
    from kouiki.reviews.models import Application

KIND = "membership.join"
PREFIX = "J"
ADMINISTRATORS = (1, 2)

COMPANY_FIELDS: tuple[str, ...] = tuple(CompanyForm.base_fields)
ADMIN_FIELDS: tuple[str, ...] = tuple(
    name for name in AdministratorForm.base_fields if name != "email_confirm"
)
ADMIN_NAMES = {1: "管理者①", 2: "管理者②"}


def admin_key(number: int, name: str) -> str:
    return f"admin{number}_{name}"


def _labels() -> dict[str, str]:
    labels = {"organization_code": "事業者コード"}
    labels.update({name: str(CompanyForm.base_fields[name].label) for name in COMPANY_FIELDS})
    labels["electronic_notice_consent"] = "総会招集通知の電磁的方法による受領"
    for number in ADMINISTRATORS:
        for name in ADMIN_FIELDS:
            labels[admin_key(number, name)] = (
                f"{ADMIN_NAMES[number]} {AdministratorForm.base_fields[name].label}"
            )
    return labels


LABELS = _labels()


def company_data(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The company part of a payload, as `CompanyForm` data."""
    data = {name: payload.get(name) for name in COMPANY_FIELDS}
    data["business_types"] = list(payload.get("business_types") or [])
    return {name: ("" if value is None else value) for name, value in data.items()}


def admin_data(payload: Mapping[str, Any], number: int) -> dict[str, Any]:
    """Administrator `number` of a payload, as `AdministratorForm` data (without the confirmation)."""
    return {name: payload.get(admin_key(number, name)) or "" for name in ADMIN_FIELDS}


def has_admin(payload: Mapping[str, Any], number: int) -> bool:
    return any(str(value).strip() for value in admin_data(payload, number).values())


def clean_payload(payload: Mapping[str, Any], *, main: bool) -> dict[str, Any]:
    """Every field checked with the screens' own rules; ValidationFailed lists the errors per key.

    `main`: the main application (加入(本)申請) also needs the 事業者コード (seed 003 1.4); whether it is
    the one issued to this application is checked by the join service, which knows the application.
    """
    check = PayloadCheck(payload)
    company = CompanyForm(data=company_data(payload))
    if check.form(company):
        check.cleaned.update(company.payload())
    for number in ADMINISTRATORS:
        if number == 2 and not has_admin(payload, 2):
            continue
        data = admin_data(payload, number)
        data["email_confirm"] = data["email"]
        admin = AdministratorForm(data=data)
        if check.form(admin, partial(admin_key, number)):
            check.cleaned.update({admin_key(number, name): value for name, value in admin.payload().items()})
    cleaned, errors = check.cleaned, check.errors
    for key, messages in administrator_problems(cleaned).items():
        errors.setdefault(key, []).extend(messages)
    cleaned["electronic_notice_consent"] = bool(payload.get("electronic_notice_consent"))
    code = japanese.normalize_organization_code(str(payload.get("organization_code") or ""))
    if not code and main:
        errors["organization_code"] = ["事業者コードを入力してください。"]
    elif code:
        try:
            japanese.validate_organization_code(code)
        except DjangoValidationError as error:
            errors["organization_code"] = list(error.messages)
        else:
            cleaned["organization_code"] = code
    return check.result()


def administrator_problems(cleaned: Mapping[str, Any]) -> dict[str, list[str]]:
    """Administrators ① and ② are two people: not one user ID twice, each named as a natural person
    (X-I1: no shared or role name; of what `cleaned` holds; the join screens ask it with the fields'
    own errors)."""
    problems: dict[str, list[str]] = {}
    for number in ADMINISTRATORS:
        data = admin_data(cleaned, number)
        if number == 2 and not has_admin(cleaned, 2):
            continue
        for field, messages in name_errors(data).items():
            if data.get(field):  # a missing name is the form's own error
                problems[admin_key(number, field)] = messages
    user_ids = [str(cleaned.get(admin_key(number, "user_id"), "")).casefold() for number in ADMINISTRATORS]
    if user_ids[0] and user_ids[0] == user_ids[1]:
        problems[admin_key(2, "user_id")] = ["管理者②のユーザIDには管理者①と異なるものを入力してください。"]
    return problems


def validate(payload: dict[str, Any]) -> dict[str, Any]:
    """The workflow's check on (re)submission: the whole main application."""
    return clean_payload(payload, main=True)


def display_value(key: str, value: Any) -> Any:
    """A payload value as people read it (事業者種別 by name)."""
    if key == "business_types" and isinstance(value, list | tuple):
        names = dict(BusinessType.choices)
        return [str(names.get(item, item)) for item in value]
    return value


def _ordered_keys(*payloads: Mapping[str, Any]) -> list[str]:
    keys = [key for key in LABELS if any(key in payload for payload in payloads)]
    for payload in payloads:
        keys += [key for key in payload if key not in keys]
    return keys


def diff(application: Application) -> list[registry.DiffRow]:
    """What the main application changed against the provisional one (仮申請時 → 本申請)."""
    if application.current is None:
        return []
    current, requested = application.current, application.payload
    return [
        (
            LABELS.get(key, key),
            registry.format_value(display_value(key, current.get(key))),
            registry.format_value(display_value(key, requested.get(key))),
        )
        for key in _ordered_keys(current, requested)
        if current.get(key) != requested.get(key)
    ]


def recipients(application: Application) -> list[str]:
    """The applicant's address (administrator ① at the provisional application) and administrator
    ①'s address as now requested, when it was corrected."""
    found: list[str] = []
    for address in (application.applicant_email, (application.payload or {}).get(admin_key(1, "email"))):
        if address and str(address).casefold() not in {item.casefold() for item in found}:
            found.append(str(address))
    return found


def apply(application: Application, actor: User) -> None:
    """On approval: the organization, its member information and its administrators."""
    from kouiki.membership.services.join import apply_approval

    apply_approval(application=application, actor=actor)


class JoinApplicationType(registry.ApplicationType):
    """Lists 事業者種別 by name on the back office's detail screen."""

    def rows(self, payload: Mapping[str, Any]) -> list[tuple[str, str]]:
        return super().rows({key: display_value(key, value) for key, value in payload.items()})


JOIN = registry.register(
    JoinApplicationType(
        key=KIND,
        name="加入申請",
        validate=validate,
        apply=apply,
        diff=diff,
        labels=LABELS,
        summary=lambda payload: str(payload.get("name") or ""),
        prefix=PREFIX,
        mail_templates={
            "hold": "membership/mail/join_hold",
            "reject": "membership/mail/join_reject",
            "approve": "membership/mail/join_approve",
            "expire": "membership/mail/join_expire",
        },
        recipients=recipients,
    )
)
