"""The switching system's demo (README, docs/demo.md): two retailers, 新電力A (9101) and 新電力B
(9102), each with an administrator adm001 and a user usr001 (password Demo-pass1, no forced
change, no expiry), and supply points in every area. Idempotent; registered with kouiki.core.demo.

The accounts are written here as identity's own demo writes its accounts: identity has no
service that sets a known password without a forced change (a demo-only need).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from kouiki.core.calendar import JST
from kouiki.core.systems import Role, System
from kouiki.identity.choices import participant_username
from kouiki.identity.demo import DEMO_PASSWORD, billing_contractor, demo_corporate_number, inquiry_user
from kouiki.identity.models import Enrollment, PasswordHistory, User
from kouiki.identity.selectors import organization_by_code
from kouiki.identity.services import create_organization
from kouiki.identity.services.tokens import ensure_demo_token
from kouiki.switching.models import CLASS_VOLTAGE, LeakIncident, PointClass, SupplyPoint, Voltage
from kouiki.switching.services import incidents
from kouiki.switching.services.registry import register_supply_point
from kouiki.tso.choices import READING_CODES

if TYPE_CHECKING:
    from kouiki.identity.models import Organization

REGISTERED_AT = datetime(2025, 4, 1, tzinfo=JST)
RETAILER_A = "9101"
RETAILER_B = "9102"
TOKYO_CUSTOMER = "広域 太郎"
TOKYO_ADDRESS = "東京都千代田区丸の内一丁目1番1号"


@dataclass(frozen=True)
class DemoRetailer:
    code: str
    name: str
    name_kana: str
    corporate_base: str
    domain: str
    admin_name: tuple[str, str, str, str]
    user_name: tuple[str, str, str, str]


RETAILERS = (
    DemoRetailer(
        RETAILER_A,
        "新電力A株式会社",
        "シンデンリョクエーカブシキガイシャ",
        "000012059101",
        "shin-denryoku-a.example.jp",
        ("新井", "一郎", "アライ", "イチロウ"),
        ("新井", "花子", "アライ", "ハナコ"),
    ),
    DemoRetailer(
        RETAILER_B,
        "新電力B株式会社",
        "シンデンリョクビーカブシキガイシャ",
        "000012059102",
        "shin-denryoku-b.example.jp",
        ("坂東", "次郎", "バンドウ", "ジロウ"),
        ("坂東", "桜", "バンドウ", "サクラ"),
    ),
)

# Per area: a town for the addresses and whether ampere breakers are used (seed 001 2.2.1).
AREAS: dict[str, tuple[str, bool]] = {
    "01": ("北海道札幌市中央区北一条西二丁目1番地", True),
    "02": ("宮城県仙台市青葉区本町三丁目8番1号", True),
    "03": ("東京都千代田区丸の内一丁目1番1号", True),
    "04": ("愛知県名古屋市中区三の丸三丁目1番2号", True),
    "05": ("富山県富山市新総曲輪1番7号", True),
    "06": ("大阪府大阪市中央区大手前二丁目1番22号", False),
    "07": ("広島県広島市中区基町10番52号", False),
    "08": ("香川県高松市番町四丁目1番10号", False),
    "09": ("福岡県福岡市博多区東公園7番7号", True),
    "10": ("沖縄県那覇市泉崎一丁目2番2号", False),
}
SURNAMES = {
    "01": "北海",
    "02": "東北",
    "03": "関東",
    "04": "中部",
    "05": "北陸",
    "06": "関西",
    "07": "中国",
    "08": "四国",
    "09": "九州",
    "10": "沖縄",
}


def load() -> int:
    """Create what is missing; returns how many organizations, accounts and points were made."""
    created = 0
    with transaction.atomic():
        organizations: dict[str, Organization] = {}
        for retailer in RETAILERS:
            organization, made = _organization(retailer)
            organizations[retailer.code] = organization
            created += made
            created += _account(organization, retailer, "adm001", Role.ADMIN, retailer.admin_name)
            created += _account(organization, retailer, "usr001", Role.USER, retailer.user_name)
            # The demo API token (README): `demo-9101` / `demo-9102`, belonging to usr001.
            user = User.objects.get(username=participant_username(organization.code, "usr001"))
            created += ensure_demo_token(user=user, raw=f"demo-{retailer.code}")
            if retailer.code == RETAILER_A:
                # A third user allowed only the inquiries (利用者権限「照会のみ」, SW-U11; README).
                created += inquiry_user(
                    organization, email_domain=retailer.domain, names=("新井", "三郎", "アライ", "サブロウ")
                )
                # 請求代行株式会社 (9501), a contractor acting for 新電力A (受託者, X-I2; README).
                created += billing_contractor(organization)
        for number, fields in points(organizations[RETAILER_A], organizations[RETAILER_B]):
            created += _point(number, fields)
        created += leak_incident(organizations[RETAILER_B])
    return created


def leak_incident(organization: Organization) -> int:
    """新電力B's leak incident in progress (SW-P3, docs/demo.md): two Tokyo customers, one told."""
    if LeakIncident.objects.filter(organization=organization).exists():
        return 0
    admin = User.objects.get(username=participant_username(organization.code, "adm001"))
    found = timezone.localdate() - timedelta(days=3)
    numbers = [f"03{serial:020d}" for serial in (19, 20)]
    incident = incidents.record_incident(
        actor=admin,
        kind="leak",
        summary="需要者2件の氏名・住所を記載した書類を、誤って別の取引先にメールで送付した。",
        data_items="需要者氏名、需要場所住所",
        occurred_on=found,
        found_on=found,
        cause="送信先アドレスの選択誤り（確認手順の不備）",
        supply_point_numbers=numbers,
    )
    incidents.record_notifications(
        actor=admin,
        incident_id=incident.pk,
        supply_point_numbers=numbers[:1],
        outcome="notified",
        notified_on=found,
        method="phone",
    )
    return 1


def _organization(retailer: DemoRetailer) -> tuple[Organization, int]:
    existing = organization_by_code(retailer.code)
    if existing is not None:
        return existing, 0
    organization = create_organization(
        actor=None,
        code=retailer.code,
        corporate_number=demo_corporate_number(retailer.corporate_base),
        name=retailer.name,
        name_kana=retailer.name_kana,
        business_types=["retail"],
    )
    return organization, 1


def _account(
    organization: Organization,
    retailer: DemoRetailer,
    login_id: str,
    role: str,
    names: tuple[str, str, str, str],
) -> int:
    username = participant_username(organization.code, login_id)
    if User.objects.filter(username=username).exists():
        return 0
    last_name, first_name, last_kana, first_kana = names
    user = User(
        username=username,
        organization=organization,
        login_id=login_id,
        last_name=last_name,
        first_name=first_name,
        last_name_kana=last_kana,
        first_name_kana=first_kana,
        department_title="需給管理部",
        email=f"{login_id}@{retailer.domain}",
        phone="03-1234-5678",
        password_expiry_exempt=True,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password)
    Enrollment.objects.create(user=user, system=System.SWITCHING, role=role)
    return 1


def _reading_code(area: str, number: int) -> str:
    """A 検針日程 the area's operator has (kouiki.tso.choices.READING_CODES): ``number`` or the next."""
    codes = READING_CODES[area]
    return next((code for code in codes if int(code) >= number), codes[-1])


def _low(
    *,
    retailer: Organization | None,
    name: str,
    address: str,
    contract: str,
    serial: int,
    ampere: bool,
    smart: bool = True,
    state: str = "in_service",
    reading_day: str = "",
    area: str = "03",
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "retailer": retailer,
        "customer_name": name,
        "customer_address": address,
        "customer_phone": f"03-5555-{serial:04d}",
        "retail_contract_number": contract,
        "contract_state": state,
        "service_menu": "低圧標準接続送電サービス",
        "supply_method": "1p3w",
        "meter": {
            "meter_number": f"M{serial:010d}",
            "smart_meter": smart,
            "multiplier": 1,
            "communication": "スマートメーター" if smart else "",
        },
        "pole_number": f"丸の内幹{serial}-1",
        "reading_day": reading_day or _reading_code(area, serial % 20 + 1),
    }
    if ampere:
        fields.update(current_limit_a=30, contract_capacity=Decimal("3.0"), contract_decision_method="ampere")
    else:
        fields.update(contract_capacity=Decimal("6.0"), contract_decision_method="capacity")
    return fields


def points(retailer_a: Organization, retailer_b: Organization) -> list[tuple[str, dict[str, Any]]]:
    """The demo's supply points, as docs/demo.md lists them."""
    rows: list[tuple[str, dict[str, Any]]] = []
    # The twenty Tokyo points of the README: supplied by 新電力B, in service.
    for serial in range(1, 21):
        rows.append(
            (
                f"03{serial:020d}",
                _low(
                    retailer=retailer_b,
                    name=TOKYO_CUSTOMER,
                    address=TOKYO_ADDRESS,
                    contract=f"B-{serial:04d}",
                    serial=serial,
                    ampere=True,
                ),
            )
        )
    tokyo_extra = [
        # 新電力A's own customers: ampere change, customer change, abolition, reconnection.
        (21, retailer_a, "関東 一郎", "A-0021", True, "in_service"),
        (22, retailer_a, "関東 二郎", "A-0022", True, "stopped"),
        # No smart meter yet: the switching lead time with meter work (8 business days + 2 days).
        (23, retailer_b, "関東 三郎", "B-0023", False, "in_service"),
        (24, retailer_b, "関東 四郎", "B-0024", True, "stopped"),
    ]
    for serial, retailer, name, contract, smart, state in tokyo_extra:
        rows.append(
            (
                f"03{serial:020d}",
                _low(
                    retailer=retailer,
                    name=name,
                    address=f"東京都千代田区丸の内二丁目{serial}番1号",
                    contract=contract,
                    serial=serial,
                    ampere=True,
                    smart=smart,
                    state=state,
                ),
            )
        )
    # A high-voltage point of 新電力A (the 低圧 screens refuse it, naming the 高圧 function).
    high = _low(
        retailer=retailer_a,
        name="株式会社関東商事",
        address="東京都千代田区大手町一丁目3番1号",
        contract="A-0030",
        serial=30,
        ampere=False,
    )
    high.update(
        service_menu="高圧標準接続送電サービス",
        supply_method="3p3w",
        contract_capacity=Decimal("250"),
        power_factor=95,
        contract_decision_method="demand",
    )
    rows.append(("0300000000000000000030", {**high, "voltage": Voltage.HIGH}))
    rows.extend(_high_points(retailer_b))
    rows.extend(_fit_points(retailer_b))
    # Every other area: a point of each retailer in service and a stopped one of 新電力A.
    for area, (address, ampere) in AREAS.items():
        if area == "03":
            continue
        surname = SURNAMES[area]
        for serial, retailer, given, prefix, state in (
            (1, retailer_a, "一郎", "A", "in_service"),
            (2, retailer_b, "花子", "B", "in_service"),
            (3, retailer_a, "三郎", "A", "stopped"),
        ):
            rows.append(
                (
                    f"{area}{serial:020d}",
                    _low(
                        retailer=retailer,
                        name=f"{surname} {given}",
                        address=address,
                        contract=f"{prefix}-{area}{serial:02d}",
                        serial=int(area) * 100 + serial,
                        ampere=ampere,
                        state=state,
                        area=area,
                    ),
                )
            )
    return rows


def _high_points(retailer_b: Organization) -> list[tuple[str, dict[str, Any]]]:
    """The README's high-voltage points (< 500 kW) of 広域工業株式会社, supplied by 新電力B."""
    rows = []
    for serial in range(101, 106):
        fields = _low(
            retailer=retailer_b,
            name="広域工業株式会社",
            address="東京都江東区豊洲三丁目3番3号",
            contract=f"BH-{serial:04d}",
            serial=serial,
            ampere=False,
        )
        fields.update(
            service_menu="高圧標準接続送電サービス",
            supply_method="3p3w",
            contract_capacity=Decimal(100 + (serial - 100) * 50),
            power_factor=95,
            contract_decision_method="demand",
            pole_number=f"豊洲高{serial}",
        )
        rows.append((f"03{serial:020d}", {**fields, "point_class": PointClass.HIGH}))
    return rows


def _fit_points(retailer_b: Organization) -> list[tuple[str, dict[str, Any]]]:
    """The README's receiving points of 広域 花子's rooftop solar: FIT-graduated ones (switchable)
    and FIT ones (not), their power bought by 新電力B."""
    rows = []
    for serials, point_class in (
        (range(201, 206), PointClass.FIT_GRADUATED),
        (range(301, 304), PointClass.FIT),
    ):
        for serial in serials:
            fields = _low(
                retailer=retailer_b,
                name="広域 花子",
                address="東京都世田谷区世田谷一丁目2番3号",
                contract=f"BF-{serial:04d}",
                serial=serial,
                ampere=False,
            )
            fields.update(
                service_menu="低圧発電者接続送電サービス",
                contract_capacity=Decimal("4.5"),
                grid_connection=True,
                pole_number=f"世田谷幹{serial}-2",
            )
            rows.append((f"03{serial:020d}", {**fields, "point_class": point_class}))
    return rows


def _point(number: str, fields: dict[str, Any]) -> int:
    if SupplyPoint.objects.filter(number=number).exists():
        return 0
    values = dict(fields)
    point_class = values.pop("point_class", None)
    voltage = values.pop("voltage", CLASS_VOLTAGE[point_class] if point_class else Voltage.LOW)
    register_supply_point(
        number=number, voltage=voltage, point_class=point_class, valid_from=REGISTERED_AT, **values
    )
    return 1
