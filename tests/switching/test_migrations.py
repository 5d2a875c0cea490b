"""The switching migrations of issue 13 over a database that holds data (the suite's database is
empty when it migrates, so only a test that goes back and forward sees a data step fail): the old
kind codes become the 業務 with their 申込種別, every point gets its class, an NG keeps its reason.
On PostgreSQL this caught `cannot ALTER TABLE … pending trigger events`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kouiki.switching.models import Application, Switch

BEFORE = [("switching", "0005_full_width_parentheses_in_labels")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees the new state


@pytest.mark.django_db(transaction=True)
def test_kinds_classes_and_ng_reasons_move_with_the_data() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        organization = apps.get_model("identity", "Organization")
        point = apps.get_model("switching", "SupplyPoint")
        a = organization.objects.create(
            code="9101", corporate_number="1234567890123", name="A", name_kana="エー"
        )
        b = organization.objects.create(
            code="9102", corporate_number="1234567890124", name="B", name_kana="ビー"
        )
        low = point.objects.create(number="0300000000000000000001", area="03", voltage="low")
        high = point.objects.create(number="0300000000000000000002", area="03", voltage="high")
        switch = apps.get_model("switching", "Switch").objects.create(
            number="HT20261102000001",
            supply_point=low,
            voltage="low",
            area="03",
            new_retailer=a,
            current_retailer=b,
            customer_name="広域 太郎",
            customer_address="東京都千代田区丸の内一丁目1番1号",
            contract_number="B-0001",
            deadline=timezone.now(),
            state="rejected",
            decision="ng",
            ng_reason="02",
        )
        application = apps.get_model("switching", "Application")
        for serial, (kind, on) in enumerate([("20", low), ("05", low), ("09", high), ("02", high)]):
            application.objects.create(
                reception_number=f"202611020000000{serial}",
                kind=kind,
                voltage=on.voltage,
                area="03",
                organization=a,
                supply_point=on,
                switch=switch if kind in ("20", "05") else None,
            )
    finally:
        _migrate(latest)
    assert sorted(Application.objects.values_list("kind", "application_type", "point_class")) == [
        ("abolish_with_removal", "02", "high"),
        ("cancel_forward", "", "low"),
        ("facility_inquiry", "", "high"),
        ("switch_start", "05", "low"),
    ]
    assert Switch.objects.values_list("ng_reasons", "point_class").get() == (["02"], "low")
