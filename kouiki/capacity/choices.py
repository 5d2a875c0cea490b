"""Choices of the capacity market system, and the rules that hang on them.

Importable by other apps and by forms without touching the models. The field list of a power source
and the reasons for each rule are in docs/decisions/0012-power-source-registry.md.
"""

from __future__ import annotations

from django.db import models

from kouiki.core.japanese import Area

__all__ = [
    "AGGREGATE_CATEGORIES",
    "EXPECTED_REQUIRED",
    "MAX_CAPACITY_KW",
    "MAX_MEMBERS",
    "MIN_CAPACITY_KW",
    "MIN_MEMBERS",
    "TYPES_BY_CATEGORY",
    "Area",
    "GenerationType",
    "OperatorStatus",
    "Ownership",
    "SourceCategory",
    "SourceOwnership",
    "SourceStatus",
    "SupplierKind",
]


class SupplierKind(models.TextChoices):
    """電気供給事業者の種別: the kinds of electricity business under 電気事業法 (seed 002 2.1.1 (ア))."""

    RETAIL = "retail", "小売電気事業者"
    GENERAL_TD = "general_td", "一般送配電事業者"
    TRANSMISSION = "transmission", "送電事業者"
    DISTRIBUTION = "distribution", "配電事業者"
    SPECIFIED_TD = "specified_td", "特定送配電事業者"
    GENERATION = "generation", "発電事業者"
    SPECIFIED_WHOLESALE = "specified_wholesale", "特定卸供給事業者"


# identity's 事業者種別 (the member system's list) for the kinds it knows; the others have none.
BUSINESS_TYPES = {
    SupplierKind.RETAIL: "retail",
    SupplierKind.GENERAL_TD: "general_td",
    SupplierKind.TRANSMISSION: "transmission",
    SupplierKind.DISTRIBUTION: "distribution",
    SupplierKind.SPECIFIED_TD: "specified_td",
    SupplierKind.GENERATION: "generation",
}


class SourceOwnership(models.TextChoices):
    """Whose power sources the operator bids with (seed 002 2.1.1 (ア): 自ら又は他社が保有する電源等)."""

    OWN = "own", "自社が保有する電源等"
    OTHERS = "others", "他社が保有する電源等"
    BOTH = "both", "自社及び他社が保有する電源等"


class OperatorStatus(models.TextChoices):
    ACTIVE = "active", "利用中"
    ENDED = "ended", "利用終了"


class SourceCategory(models.TextChoices):
    """電源等の区分 of the capacity market."""

    STABLE = "stable", "安定電源"
    VARIABLE_SINGLE = "variable_single", "変動電源（単独）"
    VARIABLE_AGGREGATE = "variable_aggregate", "変動電源（アグリゲート）"
    DISPATCHABLE = "dispatchable", "発動指令電源"


class GenerationType(models.TextChoices):
    """発電方式等: how the source produces (or, for demand response, frees) capacity."""

    COAL = "coal", "火力（石炭）"
    LNG = "lng", "火力（LNG）"
    OIL = "oil", "火力（石油）"
    NUCLEAR = "nuclear", "原子力"
    HYDRO_RESERVOIR = "hydro_reservoir", "一般水力（貯水式・調整池式）"
    HYDRO_RUN_OF_RIVER = "hydro_run_of_river", "一般水力（流込式）"
    PUMPED_STORAGE = "pumped_storage", "揚水"
    GEOTHERMAL = "geothermal", "地熱"
    BIOMASS = "biomass", "バイオマス"
    SOLAR = "solar", "太陽光"
    WIND = "wind", "風力"
    BATTERY = "battery", "蓄電池"
    DEMAND_RESPONSE = "demand_response", "ディマンドリスポンス（需要抑制）"
    PRIVATE_GENERATION = "private_generation", "自家発電設備"
    OTHER = "other", "その他"


class Ownership(models.TextChoices):
    """保有区分 of one power source."""

    OWN = "own", "自社保有"
    OTHER = "other", "他社保有"


class SourceStatus(models.TextChoices):
    REGISTERED = "registered", "登録済"
    DELETED = "deleted", "削除済"


# Aggregated categories list their members (構成電源) instead of one receiving point.
AGGREGATE_CATEGORIES = frozenset({SourceCategory.VARIABLE_AGGREGATE, SourceCategory.DISPATCHABLE})
# The categories whose bid rests on an expected capacity (期待容量) rather than the installed one.
EXPECTED_REQUIRED = frozenset(
    {SourceCategory.VARIABLE_SINGLE, SourceCategory.VARIABLE_AGGREGATE, SourceCategory.DISPATCHABLE}
)
# An aggregate of variable sources has at least two members; a 発動指令電源 at least one site.
MIN_MEMBERS = {SourceCategory.VARIABLE_AGGREGATE: 2, SourceCategory.DISPATCHABLE: 1}
MAX_MEMBERS = 1000

_VARIABLE = (GenerationType.SOLAR, GenerationType.WIND, GenerationType.HYDRO_RUN_OF_RIVER)
# Which 発電方式等 each category admits (for an aggregate: the source and each of its members).
TYPES_BY_CATEGORY: dict[str, tuple[GenerationType, ...]] = {
    SourceCategory.STABLE: (
        GenerationType.COAL,
        GenerationType.LNG,
        GenerationType.OIL,
        GenerationType.NUCLEAR,
        GenerationType.HYDRO_RESERVOIR,
        GenerationType.PUMPED_STORAGE,
        GenerationType.GEOTHERMAL,
        GenerationType.BIOMASS,
        GenerationType.BATTERY,
        GenerationType.OTHER,
    ),
    SourceCategory.VARIABLE_SINGLE: _VARIABLE,
    SourceCategory.VARIABLE_AGGREGATE: _VARIABLE,
    SourceCategory.DISPATCHABLE: (
        GenerationType.DEMAND_RESPONSE,
        GenerationType.PRIVATE_GENERATION,
        GenerationType.BATTERY,
        GenerationType.BIOMASS,
        GenerationType.OTHER,
    ),
}

# kW. The capacity market's smallest unit of participation is 1,000 kW; no single power plant in
# Japan reaches 10 GW, so anything above is a typing error (a value entered in W, say).
MIN_CAPACITY_KW = 1_000
MAX_CAPACITY_KW = 10_000_000
