"""The supply-point registry: versions that are retired, never deleted; one open version per point;
the synthetic generator."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kouiki.core.errors import Conflict, NotFound, ValidationFailed
from kouiki.core.japanese import Area, validate_supply_point_number
from kouiki.identity.models import Organization
from kouiki.switching import selectors
from kouiki.switching.models import ContractState, SupplyPoint, SupplyPointVersion, Voltage
from kouiki.switching.services import synthetic
from kouiki.switching.services.registry import record_version, register_supply_point
from kouiki.switching.services.synthetic import generate

pytestmark = pytest.mark.django_db

NUMBER = "0300000000000000000001"
T0 = datetime(2026, 4, 1, tzinfo=timezone.get_current_timezone())


def _register(number: str = NUMBER, **fields) -> SupplyPointVersion:
    return register_supply_point(
        number=number,
        voltage=Voltage.LOW,
        valid_from=T0,
        customer_name="広域 太郎",
        contract_capacity=Decimal("3.0"),
        current_limit_a=30,
        **fields,
    )


def test_register_takes_area_from_number_and_accepts_full_width() -> None:
    version = _register("０３０００００００００００００００００００２")
    assert version.supply_point.number == "0300000000000000000002"
    assert version.supply_point.area == Area.TOKYO
    assert selectors.current("03-0000-0000-0000-0000-0002").customer_name == "広域 太郎"


@pytest.mark.parametrize(
    "number", ["030000000000000000001", "1100000000000000000001", "03000000000000000000a1"]
)
def test_bad_numbers_are_refused(number: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _register(number)
    assert caught.value.field == "number"
    assert not SupplyPoint.objects.exists()


def test_bad_number_refused_by_the_database_too() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplyPoint.objects.create(number="1100000000000000000001", area="11", voltage=Voltage.LOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplyPoint.objects.create(number=NUMBER, area=Area.KANSAI, voltage=Voltage.LOW)


def test_registering_a_number_twice_is_a_conflict() -> None:
    _register()
    with pytest.raises(Conflict):
        _register()


def test_rollover_keeps_history(organization: Organization) -> None:
    first = _register()
    point = first.supply_point
    switch_at = T0 + timedelta(days=30)
    second = record_version(supply_point=point, valid_from=switch_at, retailer=organization)
    stop_at = switch_at + timedelta(days=10)
    third = record_version(supply_point=point, valid_from=stop_at, contract_state=ContractState.STOPPED)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.valid_to == switch_at and second.valid_to == stop_at and third.valid_to is None
    # The new rows carry the old data forward, with only the changed fields changed.
    assert third.customer_name == "広域 太郎" and third.current_limit_a == 30
    assert third.retailer_id == organization.pk

    assert selectors.as_of(NUMBER, T0).pk == first.pk
    assert selectors.as_of(NUMBER, switch_at - timedelta(seconds=1)).retailer_id is None
    assert selectors.as_of(NUMBER, switch_at).pk == second.pk
    assert selectors.as_of(NUMBER, stop_at + timedelta(days=365)).pk == third.pk
    assert selectors.current(NUMBER).pk == third.pk
    assert [v.pk for v in selectors.history(NUMBER)] == [first.pk, second.pk, third.pk]
    with pytest.raises(NotFound):
        selectors.as_of(NUMBER, T0 - timedelta(seconds=1))
    with pytest.raises(NotFound):
        selectors.current("0300000000000000009999")


def test_a_version_must_start_after_the_open_one() -> None:
    point = _register().supply_point
    with pytest.raises(ValidationFailed):
        record_version(supply_point=point, valid_from=T0, customer_name="別人")
    assert SupplyPointVersion.objects.count() == 1


def test_unknown_fields_are_a_programming_error() -> None:
    point = _register().supply_point
    with pytest.raises(TypeError):
        record_version(supply_point=point, valid_from=T0 + timedelta(days=1), colour="red")


def test_database_enforces_one_open_version() -> None:
    point = _register().supply_point
    with pytest.raises(IntegrityError), transaction.atomic():
        SupplyPointVersion.objects.create(supply_point=point, valid_from=T0 + timedelta(days=1))
    # A closed row next to the open one is fine.
    SupplyPointVersion.objects.create(
        supply_point=point, valid_from=T0 - timedelta(days=10), valid_to=T0 - timedelta(days=1)
    )
    assert SupplyPointVersion.objects.filter(supply_point=point).count() == 2


def _snapshot() -> list[tuple]:
    return list(
        SupplyPointVersion.objects.order_by("supply_point__number").values_list(
            "supply_point__number",
            "supply_point__voltage",
            "customer_name",
            "customer_address",
            "contract_capacity",
            "meter",
            "contract_state",
        )
    )


def test_generator_creates_valid_points_in_every_area_deterministically() -> None:
    result = generate(count=200, seed=7, batch=64)
    assert result.created == 200
    points = list(SupplyPoint.objects.all())
    assert len(points) == 200
    assert {p.area for p in points} == set(Area.values)
    for point in points:
        validate_supply_point_number(point.number)
        assert point.number[:2] == point.area
    assert SupplyPointVersion.objects.filter(valid_to__isnull=True).count() == 200
    first = _snapshot()

    SupplyPointVersion.objects.all().delete()
    SupplyPoint.objects.all().delete()
    generate(count=200, seed=7, batch=50)
    assert _snapshot() == first


def test_generator_run_twice_does_not_duplicate() -> None:
    _register()  # an existing point in Tokyo: numbering continues after it
    out = StringIO()
    call_command("generate_supply_points", "--count", "120", "--seed", "1", stdout=out)
    call_command("generate_supply_points", "--count", "120", "--seed", "1", stdout=out)
    assert "120 件" in out.getvalue()
    numbers = list(SupplyPoint.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 241
    assert SupplyPointVersion.objects.filter(valid_to__isnull=True).count() == 241
    assert selectors.current(NUMBER).customer_name == "広域 太郎"


def _every_column() -> list[tuple]:
    """Every point and version column but the ids and created_at, by number."""
    fields = [
        f.attname
        for f in SupplyPointVersion._meta.concrete_fields
        if not f.primary_key and f.attname != "supply_point_id"
    ]
    return list(
        SupplyPointVersion.objects.order_by("supply_point__number").values_list(
            "supply_point__number", "supply_point__area", "supply_point__voltage", *fields
        )
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_generator_copy_writes_the_same_rows_as_bulk_create(monkeypatch: pytest.MonkeyPatch) -> None:
    assert synthetic._uses_copy()
    result = generate(count=300, seed=11, batch=64, valid_from=T0)
    assert result.created == 300
    copied = _every_column()
    assert len(copied) == 300
    assert SupplyPoint.objects.filter(created_at__isnull=True).count() == 0
    meters = list(SupplyPointVersion.objects.values_list("meter", flat=True))
    assert all(isinstance(m, dict) and m["meter_number"] for m in meters)  # JSON objects, not strings
    assert SupplyPointVersion.objects.filter(meter__smart_meter=True).exists()
    # The ids came from the sequence: a point registered afterwards gets a fresh one.
    _register("1099999999999999999999")
    assert SupplyPoint.objects.count() == 301

    SupplyPointVersion.objects.all().delete()
    SupplyPoint.objects.all().delete()
    monkeypatch.setattr(synthetic, "_uses_copy", lambda: False)
    generate(count=300, seed=11, batch=64, valid_from=T0)
    assert _every_column() == copied
