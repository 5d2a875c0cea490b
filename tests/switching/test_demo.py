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
from kouiki.switching.models import SupplyPoint
from kouiki.switching.services import applications, switches
from tests.switching.conftest import current

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
    assert applications.apply_reconnection(actor=a, supply_point_number="0300000000000000000022").kind == "04"
    client.force_login(a)
    assert client.get("/switching/low/").status_code == 200
