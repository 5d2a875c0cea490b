"""The search keys of supply points (SW-W01, SW-W14; ADR 31): one form for what is stored and what
is typed, kept in step by every writer of the registry."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from kouiki.switching.models import PointClass, SupplyPointVersion, Voltage
from kouiki.switching.models.search_keys import NUMBER_BASE, address_key, keys, number_key
from kouiki.switching.services.registry import record_version, register_supply_point
from kouiki.switching.services.synthetic import flush_search_index, generate


def _n(*numbers: int) -> str:
    """Numbers as the address key writes them: one character each."""
    return "".join(chr(NUMBER_BASE + n) for n in numbers)


T0 = datetime(2026, 4, 1, tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize(
    "stored",
    [
        "東京都千代田区丸の内一丁目9番2号",
        "千代田区丸の内1-9-2",
        "千代田区丸の内１－９－２",  # full width
        "東京都千代田区　丸の内 1丁目 9番地2",  # ideographic and ASCII spaces, 番地
        "千代田区丸の内一ー九ー二",  # long-vowel marks typed for hyphens
        "千代田区丸の内1‐9‐2 丸の内ビル101",
    ],
)
@pytest.mark.parametrize(
    "typed", ["丸の内1-9", "丸の内１丁目９番", "丸の内一丁目九", "丸の内 1 - 9", "丸の内1ー9"]
)
def test_every_written_form_of_an_address_meets_every_typed_fragment(stored: str, typed: str) -> None:
    assert address_key(typed) in address_key(stored)


def test_a_closed_number_does_not_match_a_longer_one() -> None:
    assert address_key("丸の内1丁目") not in address_key("丸の内十丁目3番1号")
    assert address_key("丸の内1丁目") in address_key("丸の内一丁目3番1号")
    assert address_key("丸の内1-9-2") not in address_key("丸の内1-9-20")
    assert address_key("丸の内1-9") not in address_key("丸の内1-19-2")
    assert address_key("丸の内1-9") not in address_key("丸の内1-90")
    # Before a building's name too; a number is whole wherever it is.
    assert address_key("丸の内1-9-2") in address_key("丸の内1-9-2 丸の内ビル101")
    assert address_key("丸の内1") not in address_key("丸の内10-1-1")
    assert address_key("第2") in address_key("丸の内1-1 第2ビル")


def test_kanji_numerals_of_place_names_stay_kanji() -> None:
    assert address_key("東京都中央区八丁堀三丁目") == "東京都中央区八丁堀" + _n(3)
    assert address_key("港区六本木六丁目10番1号") == "港区六本木" + _n(6, 10, 1)
    assert address_key("九段北一丁目") == "九段北" + _n(1)
    assert address_key("霞ヶ関二十三番") == address_key("霞ケ関23番")


def test_pole_and_meter_numbers_ignore_width_case_spaces_and_hyphens() -> None:
    assert number_key("本町幹１２－３") == number_key("本町幹 12-3") == "本町幹123"
    assert number_key("ab-12 34") == number_key("ＡＢ１２３４") == "AB1234"
    assert number_key("03-1234ー5678") == "0312345678"


@pytest.mark.django_db
def test_the_registry_keeps_the_keys_of_every_version_in_step() -> None:
    version = register_supply_point(
        number="0300000000000000000001",
        voltage=Voltage.LOW,
        valid_from=T0,
        customer_name="広域 太郎",
        customer_address="東京都千代田区丸の内一丁目9番2号",
        pole_number="丸の内幹12-3",
        meter={"meter_number": "03-1234-5678"},
    )
    assert (version.search_address, version.search_pole, version.search_meter, version.search_name) == (
        "東京都千代田区丸の内" + _n(1, 9, 2),
        "丸の内幹123",
        "0312345678",
        "広域太郎",
    )
    changed = record_version(
        supply_point=version.supply_point,
        valid_from=T0 + timedelta(days=1),
        meter={"meter_number": "03-9999-0000"},
    )
    stored = SupplyPointVersion.objects.get(pk=changed.pk)
    assert stored.search_meter == "0399990000"
    assert stored.search_address == "東京都千代田区丸の内" + _n(1, 9, 2)  # carried over, recomputed alike


@pytest.mark.django_db
def test_the_generator_writes_the_keys_the_model_computes_and_fit_points() -> None:
    generate(count=400, seed=3, batch=128)
    assert flush_search_index() == 0  # the generator merged the trigram index's pending list
    for version in SupplyPointVersion.objects.all():
        assert {
            "search_address": version.search_address,
            "search_pole": version.search_pole,
            "search_meter": version.search_meter,
            "search_name": version.search_name,
        } == keys(
            address=version.customer_address,
            pole=version.pole_number,
            meter=version.meter,
            name=version.customer_name,
        )
        assert version.search_address and version.search_meter and version.search_pole
    classes = set(SupplyPointVersion.objects.values_list("supply_point__point_class", flat=True))
    assert {PointClass.LOW, PointClass.FIT} <= classes
    meters = list(SupplyPointVersion.objects.values_list("search_meter", flat=True))
    assert len(meters) == len(set(meters))  # one meter number per point
