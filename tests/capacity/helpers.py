"""What capacity-market participants type, and operators and power sources brought to a state
through the services, as users and the organization's staff would."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from kouiki.capacity.models import Operator
from kouiki.capacity.services import operators
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role, System
from kouiki.identity.models import User
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application
from kouiki.terms.models import TermsDocument
from tests.factories import corporate_number, participant

ADMIN_EMAIL = "kanri@capa-denki.example.jp"

COMPANY: dict[str, Any] = {
    "corporate_number": corporate_number("000012092099"),
    "name": "キャパ電気株式会社",
    "name_kana": "キャパデンキカブシキガイシャ",
    "postal_code": "100-0005",
    "address": "東京都千代田区丸の内2-2-2",
    "phone": "03-6666-0000",
    "representative_title": "代表取締役",
    "representative_name": "容量 次郎",
    "representative_name_kana": "ヨウリョウ ジロウ",
    "supplier_kinds": ["generation", "retail"],
    "source_ownership": "own",
    "bid_intent": True,
    "client_certificate": True,
}
CONTACT1: dict[str, str] = {
    "department": "電源部",
    "name": "担当 三郎",
    "name_kana": "タントウ サブロウ",
    "phone": "03-6666-0001",
    "email": "tanto@capa-denki.example.jp",
}
ADMIN: dict[str, str] = {
    "department_title": "電源部 部長",
    "last_name": "管理",
    "first_name": "四郎",
    "last_name_kana": "カンリ",
    "first_name_kana": "シロウ",
    "email": ADMIN_EMAIL,
    "phone": "03-6666-0002",
    "other": "",
}


def payload(**company: Any) -> dict[str, Any]:
    """A registration payload as the screens build it (not yet cleaned)."""
    data: dict[str, Any] = {**COMPANY, **company}
    data.update({f"contact1_{name}": value for name, value in CONTACT1.items()})
    data.update({f"admin_{name}": value for name, value in ADMIN.items()})
    return data


def form_post(
    terms: TermsDocument | None, *, company: dict[str, Any] | None = None, **admin: str
) -> dict[str, Any]:
    """The POST of the application screen."""
    data: dict[str, Any] = {**COMPANY, **(company or {})}
    data["bid_intent"] = "on" if data["bid_intent"] else ""
    data["client_certificate"] = "on" if data["client_certificate"] else ""
    data.update({f"contact1-{name}": value for name, value in CONTACT1.items()})
    values = {**ADMIN, **admin}
    data.update({f"admin-{name}": value for name, value in values.items()})
    data["admin-email_confirm"] = values["email"]
    if terms is not None:
        data["consent"] = "on"
        data["terms_version"] = str(terms.pk)
    return {key: value for key, value in data.items() if value != ""}


def file_registration(terms: TermsDocument, **company: Any) -> Application:
    return operators.file_registration(payload=payload(**company), agreed_terms_id=terms.pk)


def registered_operator(staff: User, terms: TermsDocument, **company: Any) -> Operator:
    """An operator whose registration the organization approved (its administrator ID mailed)."""
    application = file_registration(terms, **company)
    reviews.approve(actor=staff, application=application)
    return Operator.objects.select_related("organization", "administrator").get(
        registration_number=application.reception_number
    )


def capacity_user(operator: Operator, login_id: str = "usr001", **kwargs: Any) -> User:
    """A user of the operator enrolled in the capacity market system (password Test-pass1)."""
    return participant(
        system=System.CAPACITY,
        role=Role.USER,
        organization=operator.organization,
        login_id=login_id,
        **kwargs,
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def mails(template: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template=template).order_by("id"))


def last_mail(template: str) -> OutboxMessage:
    found = mails(template)
    assert found, f"no mail {template}"
    return found[-1]


def mailed_password(message: OutboxMessage) -> str:
    match = re.search(r"パスワード: (\S+)", message.body)
    assert match, message.body
    return match[1]


def point(area: str, number: int) -> str:
    """A 22-digit receiving point number of `area`."""
    return f"{area}{number:020d}"


STABLE: dict[str, Any] = {
    "name": "キャパ火力発電所1号機",
    "area": "03",
    "location": "千葉県市原市五井1",
    "category": "stable",
    "generation_type": "lng",
    "installed_capacity_kw": 400_000,
    "expected_capacity_kw": 390_000,
    "receiving_point_number": point("03", 1),
    "grid_connection": "五井変電所 275kV母線",
    "connection_voltage_kv": "275",
    "ownership": "own",
    "owner_name": "",
    "operation_start": "2015-04-01",
    "members": [],
}

AGGREGATE: dict[str, Any] = {
    "name": "キャパ太陽光アグリゲート",
    "area": "09",
    "location": "熊本県ほか",
    "category": "variable_aggregate",
    "generation_type": "solar",
    "installed_capacity_kw": 3_000,
    "expected_capacity_kw": 1_200,
    "receiving_point_number": "",
    "grid_connection": "",
    "connection_voltage_kv": None,
    "ownership": "own",
    "owner_name": "",
    "operation_start": None,
    "members": [
        {
            "name": "第一太陽光",
            "point_number": point("09", 11),
            "generation_type": "solar",
            "capacity_kw": 2_000,
        },
        {
            "name": "第二太陽光",
            "point_number": point("09", 12),
            "generation_type": "solar",
            "capacity_kw": 1_000,
        },
    ],
}


def source_post(values: dict[str, Any], *, member_rows: int = 5) -> dict[str, Any]:
    """The POST of the power source screen (the source, then the member rows of the formset)."""
    data: dict[str, Any] = {
        key: ("" if value is None else value)
        for key, value in values.items()
        if key not in ("members", "source_id")
    }
    members = values.get("members") or []
    rows = max(member_rows, len(members))
    data.update(
        {
            "members-TOTAL_FORMS": str(rows),
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "1000",
        }
    )
    for index, member in enumerate(members):
        data.update({f"members-{index}-{name}": value for name, value in member.items()})
    return data
