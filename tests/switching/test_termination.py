"""The end of a participant's switching contract (X-S3) ends its joint use of personal data (SW-P4):
it can no longer read any customer's data — screens, API, search, bulk — while the organization's
staff still read its retained cancel-forward data, each read recorded with its purpose (X-L1)."""

from __future__ import annotations

import pytest
from django.test import Client

from kouiki.audit.models import Event
from kouiki.bulk import services as bulk
from kouiki.core.errors import Forbidden
from kouiki.core.systems import System
from kouiki.identity.choices import UseState
from kouiki.identity.models import SystemUse
from kouiki.identity.services import system_use
from kouiki.switching.models import PersonalDataAccess
from kouiki.switching.services import personal_data
from tests.api.conftest import (  # noqa: F401 - the API tests' fixtures
    CUSTOMER_NAME,
    api,
    api_settings,
    cancel_forward_body,
    clock,
    points,
    retailer_a,
    retailer_b,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.usefixtures("clock")

PURPOSE = "需要者からの苦情（2026年12月）への回答のため"


def test_a_terminated_participant_cannot_read_personal_data_while_staff_still_can_recorded(
    api,  # noqa: F811
    retailer_a,  # noqa: F811
    retailer_b,  # noqa: F811
    points,  # noqa: F811
    staff_client: Client,
) -> None:
    a, b = api(retailer_a.token), api(retailer_b.token)
    switch_number = a.post("/cancel-forwards", cancel_forward_body(points[0]), key="t1").json()[
        "switch_number"
    ]
    customer = f"/supply-points/{points[0]}/customer"
    assert b.get(customer, data={"purpose": "point_info"}).status_code == 200
    assert (
        b.get(f"/received-cancel-forwards/{switch_number}", data={"purpose": "cancel_forward"}).status_code
        == 200
    )
    reads_before = PersonalDataAccess.objects.filter(organization=retailer_b.organization).count()
    assert reads_before == 2
    inquiry = b.post("/facility-inquiries", {"supply_point_number": points[1], "purpose": "point_info"})
    reception_number = inquiry.json()["reception_number"]

    officer = StaffFactory(login_id="officer")
    system_use.terminate(
        actor=officer,
        organization=retailer_b.organization,
        system=System.SWITCHING,
        ground="prohibited_act",
        text="他の利用者になりすました利用（2.5⑤）",
    )

    # The terminated participant: refused everywhere, with the stable code.
    for path, data in (
        (customer, {"purpose": "point_info"}),
        (f"/received-cancel-forwards/{switch_number}", {"purpose": "cancel_forward"}),
        ("/received-cancel-forwards", {}),
        ("/supply-points/search", {"meter_number": "M00000001"}),
        ("/events", {}),
    ):
        refused = b.get(path, data=data)
        assert refused.status_code == 403, path
        assert refused.json()["code"] == "participant_terminated", path
    with pytest.raises(Forbidden) as caught:
        personal_data.read_basic_info(actor=retailer_b.user, supply_point_number=points[0], purpose="billing")
    assert caught.value.code == "participant_terminated"
    with pytest.raises(Forbidden):
        bulk.upload(actor=retailer_b.user, function_id="SW-W02", name="a.csv", data=b"x")
    browser = Client()
    browser.force_login(retailer_b.user)
    page = browser.get("/switching/")
    assert page.status_code == 403 and "利用契約は" in page.content.decode()
    # Another participant is not touched.
    assert a.get("/operators").status_code == 200

    # Its data and logs stay; the back office reads the cancel-forward data with a purpose, recorded.
    assert PersonalDataAccess.objects.filter(organization=retailer_b.organization).count() == reads_before
    url = f"/backoffice/participants/{retailer_b.organization.code}/retained/"
    unread = staff_client.get(url)
    assert unread.status_code == 200 and CUSTOMER_NAME not in unread.content.decode()
    assert not Event.objects.filter(action="use.retained_read").exists()
    without = staff_client.get(url, {"purpose": " "})
    assert "閲覧の目的を入力してください。" in without.content.decode()
    shown = staff_client.get(url, {"purpose": PURPOSE}).content.decode()
    assert CUSTOMER_NAME in shown and switch_number in shown and reception_number in shown
    read = Event.objects.get(action="use.retained_read")
    assert (read.purpose, read.organization_code, read.system) == (PURPOSE, "9102", "switching")
    assert read.detail["switches"] == [switch_number] and read.detail["supply_points"] == [points[0]]
    assert read.detail["applications"] == [reception_number]
    # A participant still under contract has no retained data to read here.
    assert (
        staff_client.get("/backoffice/participants/9101/retained/", {"purpose": PURPOSE}).status_code == 404
    )


def test_the_administrator_applies_to_end_its_contract_from_the_menu(retailer_a) -> None:  # noqa: F811
    browser = Client()
    browser.force_login(retailer_a.admin)
    assert "/switching/termination/" in browser.get("/switching/").content.decode()
    form = browser.get("/switching/termination/")
    assert form.status_code == 200 and "利用終了の申請" in form.content.decode()
    missing = browser.post("/switching/termination/", {"act": "request", "reason": "事業撤退のため"})
    assert "確認事項にチェックしてください。" in missing.content.decode()
    assert not SystemUse.objects.exists()
    done = browser.post(
        "/switching/termination/", {"act": "request", "reason": "事業撤退のため", "confirm": "on"}
    )
    assert done.status_code == 302
    assert SystemUse.objects.get().state == UseState.TERMINATION_REQUESTED
    assert "申請を取り下げる" in browser.get("/switching/termination/").content.decode()
    browser.post("/switching/termination/", {"act": "withdraw"})
    assert SystemUse.objects.get().state == UseState.ACTIVE

    user = Client()
    user.force_login(retailer_a.user)
    assert "/switching/termination/" not in user.get("/switching/").content.decode()
    assert user.get("/switching/termination/").status_code == 403
