"""The capacity market's demo data (README, Demo accounts): キャパシティ発電株式会社 (9201) with its
administrator adm001 and user usr001 (password Demo-pass1, never expiring), its operator
information, power sources of every category, and one registration waiting for review.
Idempotent; registered with kouiki.core.demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kouiki.capacity import selectors
from kouiki.capacity.choices import GenerationType, Ownership, SourceCategory, SourceOwnership, SupplierKind
from kouiki.capacity.models import (
    Operator,
    OperatorVersion,
    PowerSource,
    PowerSourceMember,
    PowerSourceVersion,
)
from kouiki.capacity.selectors import SOURCE_REGISTRATION
from kouiki.capacity.services.sources import next_source_id
from kouiki.core.japanese import corporate_number_check_digit
from kouiki.core.systems import Role
from kouiki.identity import services as identity_services
from kouiki.identity.selectors import organization_by_code, user_by_credentials
from kouiki.identity.services import capacity_users as identity_capacity
from kouiki.reviews import services as reviews

DEMO_CODE = "9201"
DEMO_PASSWORD = "Demo-pass1"
DEMO_REGISTRATION = "デモデータ"
CORPORATE_BASE = "000012092010"

ACCOUNTS: list[dict[str, Any]] = [
    {
        "login_id": "adm001",
        "role": Role.ADMIN,
        "department_title": "容量市場部　部長",
        "last_name": "容量",
        "first_name": "一郎",
        "last_name_kana": "ヨウリョウ",
        "first_name_kana": "イチロウ",
        "email": "adm001@capacity-hatsuden.example.jp",
        "phone": "03-5555-0001",
    },
    {
        "login_id": "usr001",
        "role": Role.USER,
        "department_title": "容量市場部　主任",
        "last_name": "容量",
        "first_name": "花子",
        "last_name_kana": "ヨウリョウ",
        "first_name_kana": "ハナコ",
        "email": "usr001@capacity-hatsuden.example.jp",
        "phone": "03-5555-0002",
    },
]

OPERATOR: dict[str, Any] = {
    "name": "キャパシティ発電株式会社",
    "name_kana": "キャパシティハツデンカブシキガイシャ",
    "postal_code": "1000005",
    "address": "東京都千代田区丸の内1-1-1",
    "phone": "03-5555-0000",
    "representative_title": "代表取締役社長",
    "representative_name": "容量　太郎",
    "representative_name_kana": "ヨウリョウ　タロウ",
    "supplier_kinds": [SupplierKind.RETAIL, SupplierKind.GENERATION],
    "source_ownership": SourceOwnership.BOTH,
    "bid_intent": True,
    "client_certificate": True,
    "contact1_department": "容量市場部",
    "contact1_name": "容量　花子",
    "contact1_name_kana": "ヨウリョウ　ハナコ",
    "contact1_phone": "03-5555-0002",
    "contact1_email": "usr001@capacity-hatsuden.example.jp",
}


def _point(area: str, number: int) -> str:
    return f"{area}{number:020d}"


SOURCES: list[dict[str, Any]] = [
    {
        "name": "キャパシティ火力発電所１号機",
        "area": "03",
        "location": "千葉県袖ケ浦市中袖1-1",
        "category": SourceCategory.STABLE,
        "generation_type": GenerationType.LNG,
        "installed_capacity_kw": 500_000,
        "expected_capacity_kw": 480_000,
        "receiving_point_number": _point("03", 92010001),
        "grid_connection": "キャパシティ変電所　２７５ｋＶ母線",
        "connection_voltage_kv": Decimal("275"),
        "ownership": Ownership.OWN,
        "operation_start": dt.date(2012, 4, 1),
    },
    {
        "name": "キャパシティ揚水発電所",
        "area": "04",
        "location": "岐阜県恵那市大井町１",
        "category": SourceCategory.STABLE,
        "generation_type": GenerationType.PUMPED_STORAGE,
        "installed_capacity_kw": 300_000,
        "receiving_point_number": _point("04", 92010002),
        "grid_connection": "恵那変電所　１５４ｋＶ母線",
        "connection_voltage_kv": Decimal("154"),
        "ownership": Ownership.OTHER,
        "owner_name": "中部揚水株式会社",
        "operation_start": dt.date(1995, 10, 1),
    },
    {
        "name": "キャパシティ風力発電所",
        "area": "02",
        "location": "青森県上北郡六ヶ所村１",
        "category": SourceCategory.VARIABLE_SINGLE,
        "generation_type": GenerationType.WIND,
        "installed_capacity_kw": 30_000,
        "expected_capacity_kw": 6_000,
        "receiving_point_number": _point("02", 92010003),
        "grid_connection": "六ヶ所変電所　６６ｋＶ母線",
        "connection_voltage_kv": Decimal("66"),
        "ownership": Ownership.OWN,
    },
    {
        "name": "キャパシティ太陽光アグリゲート",
        "area": "09",
        "location": "熊本県阿蘇郡ほか",
        "category": SourceCategory.VARIABLE_AGGREGATE,
        "generation_type": GenerationType.SOLAR,
        "installed_capacity_kw": 3_500,
        "expected_capacity_kw": 1_400,
        "ownership": Ownership.OWN,
        "members": [
            ("阿蘇太陽光第一発電所", _point("09", 92010011), GenerationType.SOLAR, 2_000),
            ("阿蘇太陽光第二発電所", _point("09", 92010012), GenerationType.SOLAR, 1_500),
        ],
    },
    {
        "name": "キャパシティＤＲ関西",
        "area": "06",
        "location": "大阪府大阪市北区ほか",
        "category": SourceCategory.DISPATCHABLE,
        "generation_type": GenerationType.DEMAND_RESPONSE,
        "installed_capacity_kw": 1_500,
        "expected_capacity_kw": 1_500,
        "ownership": Ownership.OWN,
        "members": [
            ("梅田工場", _point("06", 92010021), GenerationType.DEMAND_RESPONSE, 600),
            ("堺工場", _point("06", 92010022), GenerationType.DEMAND_RESPONSE, 500),
            ("茨木物流センター", _point("06", 92010023), GenerationType.PRIVATE_GENERATION, 400),
        ],
    },
]

# Filed by usr001, waiting for the organization's review.
UNDER_REVIEW: dict[str, Any] = {
    "name": "キャパシティ地熱発電所",
    "area": "09",
    "location": "大分県玖珠郡九重町１",
    "category": SourceCategory.STABLE,
    "generation_type": GenerationType.GEOTHERMAL,
    "installed_capacity_kw": 12_000,
    "expected_capacity_kw": 11_000,
    "receiving_point_number": _point("09", 92010031),
    "grid_connection": "九重変電所　６６ｋＶ母線",
    "connection_voltage_kv": "66",
    "ownership": Ownership.OWN,
    "owner_name": "",
    "operation_start": "2027-04-01",
    "members": [],
}


def load() -> int:
    created = 0
    with transaction.atomic():
        organization = organization_by_code(DEMO_CODE)
        if organization is None:
            organization = identity_services.create_organization(
                actor=None,
                code=DEMO_CODE,
                corporate_number=f"{corporate_number_check_digit(CORPORATE_BASE)}{CORPORATE_BASE}",
                name=OPERATOR["name"],
                name_kana=OPERATOR["name_kana"],
                business_types=["retail", "generation"],
            )
            created += 1
        for account in ACCOUNTS:
            created += identity_capacity.create_demo_account(
                organization=organization, password=DEMO_PASSWORD, **account
            )
        if Operator.objects.filter(organization=organization).exists():
            return created
        administrator = user_by_credentials(DEMO_CODE, "adm001")
        started = timezone.make_aware(dt.datetime(2020, 3, 2, 10, 0))
        operator = Operator.objects.create(
            organization=organization,
            corporate_number=organization.corporate_number,
            **OPERATOR,
            administrator=administrator,
            admin_id_mailed_to=administrator.email
            if administrator
            else "adm001@capacity-hatsuden.example.jp",
            contract_started_at=started,
            registration_number=DEMO_REGISTRATION,
            registered_at=started,
            updated_at=started,
        )
        OperatorVersion.objects.create(
            operator=operator,
            version=1,
            data=selectors.operator_snapshot(operator),
            summary="登録",
            reception_number=DEMO_REGISTRATION,
            approved_at=started,
        )
        created += 1
        for values in SOURCES:
            created += _source(operator, dict(values), started)
        created += _under_review(organization.code)
    return created


def _source(operator: Operator, values: dict[str, Any], at: dt.datetime) -> int:
    members = values.pop("members", [])
    source = PowerSource.objects.create(
        operator=operator,
        source_id=next_source_id(),
        registration_number=DEMO_REGISTRATION,
        registered_at=at,
        updated_at=at,
        **values,
    )
    PowerSourceMember.objects.bulk_create(
        PowerSourceMember(
            source=source,
            position=position,
            name=name,
            point_number=number,
            generation_type=kind,
            capacity_kw=kw,
        )
        for position, (name, number, kind, kw) in enumerate(members, start=1)
    )
    PowerSourceVersion.objects.create(
        source=source,
        version=1,
        data=selectors.source_snapshot(source),
        summary="登録",
        reception_number=DEMO_REGISTRATION,
        approved_at=at,
    )
    return 1


def _under_review(code: str) -> int:
    user = user_by_credentials(code, "usr001")
    if user is None:
        return 0
    application = reviews.create_draft(actor=user, kind=SOURCE_REGISTRATION, payload=UNDER_REVIEW)
    reviews.submit(actor=user, application=application)
    return 1
