"""The switching demo (README, docs/demo.md): two retailers with their accounts, points in every
area, the twenty Tokyo points of 新電力B; loading it twice changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from kouiki.core.japanese import Area
from kouiki.identity.access import organization_of
from kouiki.identity.models import User
from kouiki.identity.selectors import password_change_required, role_codes
from kouiki.switching import demo
from kouiki.switching.models import PointClass, SupplyPoint
from kouiki.switching.services import applications, switches
from tests.switching.conftest import current
from tests.tso.calendars import load_reading_calendars

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_the_demo_loads_once_with_its_accounts_and_points() -> None:
    assert demo.load() > 0
    assert demo.load() == 0
    for code in ("9101", "9102"):
        for login_id, codes in (("adm001", {"R", "A"}), ("usr001", {"R"})):
            user = User.objects.get(organization__code=code, login_id=login_id)
            assert user.check_password("Demo-pass1") and not password_change_required(user)
            assert role_codes(user, "switching") == codes
    assert set(SupplyPoint.objects.values_list("area", flat=True)) == set(Area.values)
    for serial in range(1, 21):
        version = current(f"03{serial:020d}")
        assert version.retailer is not None and version.retailer.code == "9102"
        assert (version.customer_name, version.customer_address, version.retail_contract_number) == (
            "広域 太郎",
            "東京都千代田区丸の内一丁目1番1号",
            f"B-{serial:04d}",
        )
        assert version.contract_state == "in_service"


def test_the_demo_points_serve_the_walkthroughs_of_docs_demo_md(client: Client) -> None:
    demo.load()
    load_reading_calendars(areas=["03"])  # the tso demo's calendars (load_demo loads both)
    a = User.objects.get(organization__code="9101", login_id="usr001")
    b = User.objects.get(organization__code="9102", login_id="usr001")
    # 新電力A switches a point of 新電力B.
    request = switches.register_cancel_forward(
        actor=a,
        supply_point_number="0300000000000000000001",
        customer_name="広域 太郎",
        customer_address="東京都千代田区丸の内一丁目1番1号",
        contract_number="B-0001",
    )
    assert request.switch is not None and request.switch.current_retailer_id == organization_of(b)
    # Kansai refuses the ampere change; a stopped point of 新電力A can be reconnected.
    with pytest.raises(Exception, match="アンペア"):
        applications.apply_ampere_change(
            actor=a, supply_point_number="0600000000000000000001", current_limit_a=40
        )
    reconnection = applications.apply_reconnection(actor=a, supply_point_number="0300000000000000000022")
    assert reconnection.application_type == "04"
    # The README's high-voltage and FIT points of 新電力B (issue 13).
    for serial in range(101, 106):
        version = current(f"03{serial:020d}")
        assert version.supply_point.point_class == PointClass.HIGH
        assert (version.customer_name, version.retail_contract_number) == (
            "広域工業株式会社",
            f"BH-{serial:04d}",
        )
        assert version.retailer is not None and version.retailer.code == "9102"
    for serials, point_class in (
        (range(201, 206), PointClass.FIT_GRADUATED),
        (range(301, 304), PointClass.FIT),
    ):
        for serial in serials:
            version = current(f"03{serial:020d}")
            assert version.supply_point.point_class == point_class
            assert (version.customer_name, version.customer_address) == (
                "広域 花子",
                "東京都世田谷区世田谷一丁目2番3号",
            )
    high = switches.register_cancel_forward(
        actor=a,
        supply_point_number="0300000000000000000101",
        customer_name="広域工業株式会社",
        customer_address="東京都江東区豊洲三丁目3番3号",
        contract_number="BH-0101",
        line="high",
    )
    assert high.switch is not None and high.switch.point_class == PointClass.HIGH
    graduated = switches.register_cancel_forward(
        actor=a,
        supply_point_number="0300000000000000000201",
        customer_name="広域 花子",
        customer_address="東京都世田谷区世田谷一丁目2番3号",
        contract_number="BF-0201",
        line="fit",
    )
    assert graduated.switch is not None
    client.force_login(a)
    assert client.get("/switching/low/").status_code == 200
