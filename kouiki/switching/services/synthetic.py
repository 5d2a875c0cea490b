"""Realistic synthetic supply points for all ten areas (issue 7: `generate_supply_points`).

Deterministic for a seed: the same seed on the same registry gives the same rows. Numbers are
area-prefixed, valid 供給地点特定番号 that continue after the highest number already registered in
each area, so a second run adds new points and never collides with existing ones. One transaction
per batch: on PostgreSQL the rows go in with COPY (the points' ids taken from their sequence first,
then the points, then their versions), elsewhere with `bulk_create`. Both write the same rows.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kouiki.core.japanese import Area
from kouiki.switching.models import registry
from kouiki.tso.choices import READING_CODES

# Share of the country's supply points per area (roughly the operators' customer counts).
AREA_WEIGHTS: dict[str, int] = {
    "01": 4, "02": 8, "03": 34, "04": 12, "05": 2, "06": 16, "07": 6, "08": 3, "09": 10, "10": 1,
}  # fmt: skip
# Areas whose low-voltage lighting contracts are by ampere (others: minimum-charge, no breaker).
AMPERE_AREAS = frozenset({"01", "02", "03", "04", "05", "09"})
# Areas with 離島供給 (islands supplied under the isolated-island terms).
ISLAND_AREAS = frozenset({"03", "06", "07", "08", "09", "10"})

PLACES: dict[str, list[tuple[str, str]]] = {
    "01": [
        ("北海道", "札幌市中央区"),
        ("北海道", "旭川市"),
        ("北海道", "函館市"),
        ("北海道", "帯広市"),
    ],
    "02": [
        ("宮城県", "仙台市青葉区"),
        ("青森県", "青森市"),
        ("岩手県", "盛岡市"),
        ("新潟県", "新潟市中央区"),
    ],
    "03": [
        ("東京都", "千代田区"),
        ("東京都", "世田谷区"),
        ("神奈川県", "横浜市中区"),
        ("埼玉県", "さいたま市浦和区"),
        ("千葉県", "千葉市中央区"),
        ("東京都", "八丈町"),
    ],
    "04": [
        ("愛知県", "名古屋市中区"),
        ("静岡県", "静岡市葵区"),
        ("岐阜県", "岐阜市"),
        ("三重県", "津市"),
    ],
    "05": [
        ("富山県", "富山市"),
        ("石川県", "金沢市"),
        ("福井県", "福井市"),
    ],
    "06": [
        ("大阪府", "大阪市北区"),
        ("京都府", "京都市中京区"),
        ("兵庫県", "神戸市中央区"),
        ("奈良県", "奈良市"),
    ],
    "07": [
        ("広島県", "広島市中区"),
        ("岡山県", "岡山市北区"),
        ("山口県", "山口市"),
        ("島根県", "隠岐の島町"),
    ],
    "08": [
        ("香川県", "高松市"),
        ("愛媛県", "松山市"),
        ("徳島県", "徳島市"),
        ("高知県", "高知市"),
    ],
    "09": [
        ("福岡県", "福岡市博多区"),
        ("熊本県", "熊本市中央区"),
        ("鹿児島県", "鹿児島市"),
        ("長崎県", "対馬市"),
    ],
    "10": [
        ("沖縄県", "那覇市"),
        ("沖縄県", "宮古島市"),
        ("沖縄県", "石垣市"),
    ],
}
TOWNS = [
    "本町",
    "栄町",
    "旭町",
    "緑町",
    "中央",
    "東町",
    "西町",
    "南町",
    "北町",
    "桜木町",
    "若葉",
    "幸町",
    "新町",
]
KANJI_NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
            "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"]  # fmt: skip
GIVEN_NAMES = ["太郎", "花子", "一郎", "陽子", "健", "美咲", "大輔", "由美", "翔太", "恵子", "誠", "愛",
               "拓也", "直子", "蓮", "結衣"]  # fmt: skip
COMPANY_KINDS = ["商事", "工業", "製作所", "物産", "不動産", "食品", "運輸", "病院", "ホテル", "倉庫"]
SERVICE_MENUS = {
    registry.Voltage.LOW: [
        "低圧標準接続送電サービス",
        "低圧時間帯別接続送電サービス",
        "低圧季節別時間帯別接続送電サービス",
    ],
    registry.Voltage.HIGH: ["高圧標準接続送電サービス", "高圧時間帯別接続送電サービス"],
    registry.Voltage.EXTRA_HIGH: ["特別高圧標準接続送電サービス", "特別高圧時間帯別接続送電サービス"],
}  # fmt: skip
AMPERES = [20, 30, 40, 50, 60]


@dataclass
class Result:
    created: int
    per_area: dict[str, int]


def _next_serials() -> dict[str, int]:
    """Per area, the serial (last 20 digits) after the highest number already registered."""
    serials = {}
    for area in Area.values:
        highest = registry.SupplyPoint.objects.filter(area=area).aggregate(m=Max("number"))["m"]
        serials[area] = int(highest[2:]) + 1 if highest else 1
    return serials


def _version_data(rng: random.Random, area: str, voltage: str, serial: int) -> dict[str, Any]:
    prefecture, city = rng.choice(PLACES[area])
    island = area in ISLAND_AREAS and city in {"八丈町", "隠岐の島町", "対馬市", "宮古島市", "石垣市"}
    address = (
        f"{prefecture}{city}{rng.choice(TOWNS)}{rng.choice(KANJI_NUMBERS)}丁目"
        f"{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
    )
    smart = rng.random() < (0.92 if voltage == registry.Voltage.LOW else 1.0)
    state_roll = rng.random()
    state = (
        registry.ContractState.IN_SERVICE
        if state_roll < 0.93
        else registry.ContractState.STOPPED
        if state_roll < 0.98
        else registry.ContractState.ABOLISHED
    )
    data: dict[str, Any] = {
        "isolated_island": island,
        "service_menu": rng.choice(SERVICE_MENUS[registry.Voltage(voltage)]),
        "meter": {
            "meter_number": f"{area}{rng.randrange(10**10):010d}",
            "smart_meter": smart,
            "multiplier": 1 if voltage == registry.Voltage.LOW else rng.choice([40, 60, 120, 300]),
            "communication": "スマートメーター" if smart else "",
        },
        "pole_number": f"{rng.choice(TOWNS)}幹{rng.randint(1, 300)}-{rng.randint(1, 40)}",
        "grid_connection": rng.random() < (0.08 if voltage == registry.Voltage.LOW else 0.25),
        "contract_changed_on": date(2016, 4, 1) + timedelta(days=rng.randrange(3650)),
        "reading_day": rng.choice(READING_CODES[area]),
        "contract_state": state,
        "abolition_method": rng.choice(
            [registry.AbolitionMethod.METER_REMOVAL, registry.AbolitionMethod.SWITCH_OFF]
        )
        if state == registry.ContractState.ABOLISHED
        else registry.AbolitionMethod.NONE,
        "customer_phone": f"0{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randrange(10000):04d}",
        "retail_contract_number": f"R{area}-{serial:010d}",
    }
    if voltage == registry.Voltage.LOW:
        ampere = area in AMPERE_AREAS and rng.random() < 0.85
        data["customer_name"] = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}"
        data["supply_method"] = rng.choice(
            [registry.SupplyMethod.SINGLE_PHASE_3_WIRE] * 4 + [registry.SupplyMethod.SINGLE_PHASE_2_WIRE]
        )
        if ampere:
            amps = rng.choice(AMPERES)
            data["current_limit_a"] = amps
            data["contract_capacity"] = Decimal(amps) / 10
            data["contract_decision_method"] = registry.ContractDecisionMethod.AMPERE
        else:
            data["contract_capacity"] = Decimal(rng.randint(6, 120)) / 10
            data["contract_decision_method"] = rng.choice(
                [registry.ContractDecisionMethod.CAPACITY, registry.ContractDecisionMethod.LOAD]
            )
    else:
        data["customer_name"] = f"株式会社{rng.choice(SURNAMES)}{rng.choice(COMPANY_KINDS)}"
        data["supply_method"] = registry.SupplyMethod.THREE_PHASE_3_WIRE
        low, high = (50, 1999) if voltage == registry.Voltage.HIGH else (2000, 20000)
        data["contract_capacity"] = Decimal(rng.randint(low, high))
        data["power_factor"] = rng.randint(85, 100)
        data["contract_decision_method"] = rng.choice(
            [registry.ContractDecisionMethod.DEMAND, registry.ContractDecisionMethod.AGREEMENT]
        )
    data["customer_address"] = address
    return data


def _uses_copy() -> bool:
    """COPY where the backend has it (PostgreSQL through psycopg 3); `bulk_create` elsewhere."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


# A new point: (number, area, voltage, class).
Point = tuple[str, str, str, str]


def _bulk_create_batch(batch: list[Point], data: list[dict[str, Any]], start: datetime) -> None:
    points = [
        registry.SupplyPoint(number=number, area=area, voltage=voltage, point_class=point_class)
        for number, area, voltage, point_class in batch
    ]
    registry.SupplyPoint.objects.bulk_create(points, batch_size=len(points))
    if points and points[0].pk is None:  # a backend without RETURNING
        ids = dict(
            registry.SupplyPoint.objects.filter(number__in=[p.number for p in points]).values_list(
                "number", "pk"
            )
        )
        for point in points:
            point.pk = ids[point.number]
    registry.SupplyPointVersion.objects.bulk_create(
        [
            registry.SupplyPointVersion(supply_point=p, valid_from=start, **d)
            for p, d in zip(points, data, strict=True)
        ],
        batch_size=len(points),
    )


def _copy_batch(points: list[Point], data: list[dict[str, Any]], start: datetime) -> None:
    """COPY the points (ids drawn from their sequence), then their versions; inside the caller's
    transaction. Every column not in a version's data gets its model field's default, as with
    `bulk_create`; the meter (JSON) is encoded as the JSONField encodes it."""
    point_table = connection.ops.quote_name(registry.SupplyPoint._meta.db_table)
    version_fields = [f for f in registry.SupplyPointVersion._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in version_fields}
    meter = registry.SupplyPointVersion._meta.get_field("meter")
    encoder = getattr(meter, "encoder", None)
    names = [f.attname for f in version_fields]
    version_columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in version_fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [registry.SupplyPoint._meta.db_table, len(points)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
        columns = "id, number, area, voltage, point_class, created_at"
        with raw.copy(f"COPY {point_table} ({columns}) FROM STDIN") as copy:
            for point_id, (number, area, voltage, point_class) in zip(ids, points, strict=True):
                copy.write_row((point_id, number, area, voltage, point_class, now))
        version_table = connection.ops.quote_name(registry.SupplyPointVersion._meta.db_table)
        with raw.copy(f"COPY {version_table} ({version_columns}) FROM STDIN") as copy:
            for point_id, d in zip(ids, data, strict=True):
                row = {**defaults, **d, "supply_point_id": point_id, "valid_from": start}
                row["meter"] = json.dumps(row["meter"], cls=encoder)
                copy.write_row([row[name] for name in names])


def generate(
    *,
    count: int,
    seed: int = 0,
    batch: int = 10_000,
    valid_from: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Result:
    """Create ``count`` new supply points with one open version each; returns how many per area."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    start = valid_from or timezone.now().replace(microsecond=0)
    serials = _next_serials()
    areas = list(AREA_WEIGHTS)
    cum_weights = list(itertools.accumulate(AREA_WEIGHTS.values()))
    per_area = dict.fromkeys(areas, 0)
    created = 0
    while created < count:
        size = min(batch, count - created)
        points: list[Point] = []
        data: list[dict[str, Any]] = []
        for index in range(created, created + size):
            # The first ten points go one to each area, so even a small run covers all ten.
            area = areas[index] if index < len(areas) else rng.choices(areas, cum_weights=cum_weights)[0]
            serial = serials[area]
            serials[area] += 1
            roll = rng.random()
            voltage = (
                registry.Voltage.LOW
                if roll < 0.95
                else registry.Voltage.HIGH
                if roll < 0.995
                else registry.Voltage.EXTRA_HIGH
            )
            version = _version_data(rng, area, voltage, serial)
            point_class = registry.class_of_supply_point(voltage, version.get("contract_capacity"))
            points.append((f"{area}{serial:020d}", area, voltage, point_class))
            data.append(version)
            per_area[area] += 1
        with transaction.atomic():
            if _uses_copy():
                _copy_batch(points, data, start)
            else:
                _bulk_create_batch(points, data, start)
        created += size
        if progress:
            progress(created)
    return Result(created=created, per_area=per_area)
