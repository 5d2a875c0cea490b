"""The registry of supply points (供給地点).

A `SupplyPoint` is the stable identity: its 22-digit 供給地点特定番号, the area its first two digits
name, and its voltage class. Everything else the operators (TSO) change — the items of seed 004,
the customer's basic info and the current retailer — lives in `SupplyPointVersion` rows bounded by
[valid_from, valid_to). A change retires the open row (sets valid_to) and opens a new one; rows are
never deleted, so who supplied a point from when to when, and every change of its data, can be
traced. One open row per point is enforced by the database (a partial unique constraint).

Keys are varchar (CharField), never char(n): see RECIPES.md, PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Q

from kouiki.core.japanese import Area, validate_supply_point_number
from kouiki.switching.models.search_keys import keys


class Voltage(models.TextChoices):
    LOW = "low", "低圧"
    HIGH = "high", "高圧"
    EXTRA_HIGH = "extra_high", "特別高圧"


class PointClass(models.TextChoices):
    """区分 of a point: which functions of the hub serve it (services/lines.py says which). A
    receiving point (受電地点) of a low-voltage FIT or FIT-graduated source is kept as a point of its
    own class, keyed by its 受電地点特定番号; its generator (発電者) takes the customer's fields."""

    LOW = "low", "低圧"
    HIGH = "high", "高圧（500kW未満）"
    HIGH_LARGE = "high_large", "高圧（500kW以上）"
    EXTRA_HIGH = "extra_high", "特別高圧"
    FIT = "fit", "低圧FIT電源"
    FIT_GRADUATED = "fit_graduated", "低圧FIT卒業電源"


# The voltage of each class (a FIT or FIT-graduated receiving point is low voltage).
CLASS_VOLTAGE: dict[str, str] = {
    PointClass.LOW: Voltage.LOW,
    PointClass.HIGH: Voltage.HIGH,
    PointClass.HIGH_LARGE: Voltage.HIGH,
    PointClass.EXTRA_HIGH: Voltage.EXTRA_HIGH,
    PointClass.FIT: Voltage.LOW,
    PointClass.FIT_GRADUATED: Voltage.LOW,
}
RECEIVING_CLASSES = frozenset({PointClass.FIT, PointClass.FIT_GRADUATED})
# 高圧 is split at a contract of 500 kW: below it the hub's 高圧 functions serve the point.
HIGH_LARGE_KW = 500


def class_of_supply_point(voltage: str, contract_kw: float | None) -> str:
    """The class of a supply point (not a FIT receiving point) from its voltage and contract."""
    if voltage == Voltage.HIGH:
        return PointClass.HIGH_LARGE if (contract_kw or 0) >= HIGH_LARGE_KW else PointClass.HIGH
    return PointClass.EXTRA_HIGH if voltage == Voltage.EXTRA_HIGH else PointClass.LOW


class SupplyMethod(models.TextChoices):
    """供給方式."""

    SINGLE_PHASE_2_WIRE = "1p2w", "単相2線式"
    SINGLE_PHASE_3_WIRE = "1p3w", "単相3線式"
    THREE_PHASE_3_WIRE = "3p3w", "三相3線式"
    THREE_PHASE_4_WIRE = "3p4w", "三相4線式"


class ContractDecisionMethod(models.TextChoices):
    """託送契約決定方法."""

    AMPERE = "ampere", "契約電流（アンペア制）"
    CAPACITY = "capacity", "契約容量"
    LOAD = "load", "負荷設備契約"
    DEMAND = "demand", "実量制（最大需要電力）"
    AGREEMENT = "agreement", "協議制"


class ContractState(models.TextChoices):
    """契約状態."""

    IN_SERVICE = "in_service", "送電中"
    STOPPED = "stopped", "停止中"
    ABOLISHED = "abolished", "廃止"


class AbolitionMethod(models.TextChoices):
    """廃止措置方法 (empty while the point is not being abolished)."""

    NONE = "", "なし"
    METER_REMOVAL = "meter_removal", "計器取外し"
    SERVICE_DROP_REMOVAL = "drop_removal", "引込線撤去"
    SWITCH_OFF = "switch_off", "開閉器切"
    ON_SITE = "on_site", "現地対応なし（設備存置）"


class SupplyPoint(models.Model):
    """供給地点: identified by its 供給地点特定番号; the rest is in its versions."""

    number = models.CharField(
        "供給地点特定番号", max_length=22, unique=True, validators=[validate_supply_point_number]
    )
    area = models.CharField("エリア", max_length=2, choices=Area.choices)
    voltage = models.CharField("電圧区分", max_length=12, choices=Voltage.choices)
    point_class = models.CharField(
        "地点区分", max_length=16, choices=PointClass.choices, default=PointClass.LOW
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "供給地点"
        verbose_name_plural = "供給地点"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^(0[1-9]|10)[0-9]{20}$"), name="switching_sp_number_format"
            ),
            models.CheckConstraint(
                condition=Q(number__startswith=F("area")), name="switching_sp_area_prefix"
            ),
            models.CheckConstraint(condition=Q(voltage__in=Voltage.values), name="switching_sp_voltage"),
            models.CheckConstraint(
                condition=Q(
                    *(Q(point_class=c, voltage=v) for c, v in CLASS_VOLTAGE.items()), _connector=Q.OR
                ),
                name="switching_sp_class_voltage",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_receiving_point(self) -> bool:
        """A FIT / FIT-graduated source's 受電地点 (its number is a 受電地点特定番号)."""
        return self.point_class in RECEIVING_CLASSES

    @property
    def number_label(self) -> str:
        return "受電地点特定番号" if self.is_receiving_point else "供給地点特定番号"


SEARCH_KEY_FIELDS = ("search_address", "search_pole", "search_meter", "search_name")
# The address key's trigram index (PostgreSQL only: created by migration 0009, not a Meta index).
ADDRESS_TRGM_INDEX = "switching_spv_search_address_trgm"
SEARCH_SOURCE_FIELDS = frozenset({"customer_address", "pole_number", "meter", "customer_name"})


class SupplyPointVersion(models.Model):
    """The data of a supply point over [valid_from, valid_to); valid_to NULL = the current row."""

    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.PROTECT, related_name="versions", verbose_name="供給地点"
    )
    valid_from = models.DateTimeField("適用開始")
    valid_to = models.DateTimeField("適用終了", null=True, blank=True)

    # Seed 004: 供給（受電）地点に関する情報.
    isolated_island = models.BooleanField("離島供給約款対象", default=False)
    contract_capacity = models.DecimalField(
        "託送契約高（kW/kVA）", max_digits=10, decimal_places=1, null=True, blank=True
    )
    current_limit_a = models.PositiveIntegerField("電流上限値（A）", null=True, blank=True)
    service_menu = models.CharField("接続送電サービスメニュー", max_length=60, blank=True)
    power_factor = models.PositiveSmallIntegerField("力率（%）", null=True, blank=True)
    supply_method = models.CharField("供給方式", max_length=8, choices=SupplyMethod.choices, blank=True)
    contract_decision_method = models.CharField(
        "託送契約決定方法", max_length=12, choices=ContractDecisionMethod.choices, blank=True
    )
    # 計器情報: {"meter_number": str, "smart_meter": bool, "multiplier": int, ...}.
    meter = models.JSONField("計器情報", default=dict, blank=True)
    pole_number = models.CharField("引込柱番号", max_length=30, blank=True)
    grid_connection = models.BooleanField("系統連系設備有無", default=False)
    contract_changed_on = models.DateField("託送契約異動年月日", null=True, blank=True)
    # 検針日程: the operator's schedule code (two digits); its date in each month is in the
    # operator's calendar (kouiki.tso ReadingCalendar, ADR 25). The column keeps its old name.
    reading_day = models.CharField("検針日程", max_length=2, blank=True)
    contract_state = models.CharField(
        "契約状態", max_length=12, choices=ContractState.choices, default=ContractState.IN_SERVICE
    )
    abolition_method = models.CharField(
        "廃止措置方法", max_length=16, choices=AbolitionMethod.choices, blank=True, default=""
    )

    # Seed 004: 基本情報.
    customer_name = models.CharField("需要者氏名", max_length=100, blank=True)
    customer_address = models.CharField("需要場所住所", max_length=200, blank=True)
    customer_phone = models.CharField("電話番号", max_length=20, blank=True)
    retail_contract_number = models.CharField("小売供給契約番号", max_length=40, blank=True)

    retailer = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name="小売電気事業者",
    )

    # Search keys (SW-W01, SW-W14; ADR 31): computed from the fields above by
    # search_keys.keys on every write (save() here, the generator's COPY and bulk_create), never
    # typed. Indexed for the current rows only (migration 0008: pg_trgm on PostgreSQL).
    search_address = models.CharField("住所検索キー", max_length=200, blank=True, editable=False)
    search_pole = models.CharField("引込柱番号検索キー", max_length=30, blank=True, editable=False)
    search_meter = models.CharField("計器番号検索キー", max_length=40, blank=True, editable=False)
    search_name = models.CharField("需要者氏名検索キー", max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = "供給地点情報（履歴）"
        verbose_name_plural = "供給地点情報（履歴）"
        constraints = [
            models.UniqueConstraint(
                fields=["supply_point"],
                condition=Q(valid_to__isnull=True),
                name="switching_spv_one_open_version",
            ),
            models.UniqueConstraint(fields=["supply_point", "valid_from"], name="switching_spv_unique_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="switching_spv_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(power_factor__isnull=True) | Q(power_factor__gte=1, power_factor__lte=100),
                name="switching_spv_power_factor",
            ),
            models.CheckConstraint(
                condition=Q(reading_day="") | Q(reading_day__regex=r"^[0-9]{2}$"),
                name="switching_spv_reading_day",
            ),
            models.CheckConstraint(
                condition=Q(contract_state__in=ContractState.values), name="switching_spv_contract_state"
            ),
        ]
        indexes = [
            # The current retailer's points (and every retailer's history).
            models.Index(
                fields=["retailer", "supply_point"],
                condition=Q(valid_to__isnull=True),
                name="switching_spv_current_retailer",
            ),
            models.Index(fields=["retailer", "valid_from"], name="switching_spv_retailer_history"),
            # Search (ADR 31): exact pole / meter number; a name by its beginning within a
            # retailer's points. The address fragment's trigram index is PostgreSQL's (0008).
            models.Index(
                fields=["search_meter"], condition=Q(valid_to__isnull=True), name="switching_spv_search_meter"
            ),
            models.Index(
                fields=["search_pole"], condition=Q(valid_to__isnull=True), name="switching_spv_search_pole"
            ),
            models.Index(
                fields=["retailer", "search_name"],
                opclasses=["int8_ops", "varchar_pattern_ops"],
                condition=Q(valid_to__isnull=True),
                name="switching_spv_search_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supply_point_id} [{self.valid_from:%Y-%m-%d %H:%M}–{self.valid_to or ''})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & SEARCH_SOURCE_FIELDS:
            kwargs["update_fields"] = {*update_fields, *SEARCH_KEY_FIELDS}
        super().save(*args, **kwargs)

    def fill_search_keys(self) -> None:
        for name, value in keys(
            address=self.customer_address, pole=self.pole_number, meter=self.meter, name=self.customer_name
        ).items():
            setattr(self, name, value)
