"""The switching screens: every built screen by role, the confirmation step before a change, the
tabs, another organization's objects as 404, lists with a bounded number of queries, the CSV."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.systems import Role, System
from kouiki.identity.models import User
from kouiki.switching.models import Application, PersonalDataAccess, State, Switch
from kouiki.switching.services import applications, switches
from kouiki.switching.views.common import TAB_LABELS
from kouiki.switching.views.shared import tab_of
from tests.factories import participant
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point, make_retailer

pytestmark = pytest.mark.usefixtures("clock")

SWITCHING_SCREENS = [
    function
    for function in catalog.functions(system="switching")
    if function.built and function.url_name and function.who & {"R", "D"}
]
EXTRA_SCREENS = [
    "sw:low",
    "sw:high",
    "sw:fit",
    "sw:applications",
    "sw:applications_csv",
    "sw:basic_info",
    "sw:ledger",
]


def test_the_low_voltage_functions_are_built() -> None:
    built = {f.id for f in SWITCHING_SCREENS}
    assert built >= {f"SW-L{n:02d}" for n in range(1, 16)} | {"SW-C01"}


@pytest.mark.parametrize("function", SWITCHING_SCREENS, ids=lambda f: f.id)
@pytest.mark.parametrize("role", ["anonymous", "R", "A", "other_system", "O"])
def test_switching_screen_access(client: Client, staff: User, function: catalog.Function, role: str) -> None:
    url = reverse(function.url_name)  # type: ignore[arg-type]
    if role == "R":
        client.force_login(participant(system=System.SWITCHING, role=Role.USER))
    elif role == "A":
        client.force_login(participant(system=System.SWITCHING, role=Role.ADMIN))
    elif role == "other_system":
        client.force_login(participant(system=System.MEMBER, role=Role.ADMIN))
    elif role == "O":
        client.force_login(staff)
    response = client.get(url)
    if role in {"R", "A"}:
        assert response.status_code == 200, (function.id, role)
        tab = tab_of(function.business)
        if tab:  # the screen of a line's function is under that line's tab
            current = f'<a href="/switching/{tab}/" aria-current="page">{TAB_LABELS[tab]}</a>'
            assert current in response.content.decode(), function.id
    else:
        # Issue 17 point 9: a member-system user too gets the switching login, not a 403.
        assert response.status_code == 302 and response["Location"].startswith("/switching/login/")


@pytest.mark.parametrize("url_name", EXTRA_SCREENS)
def test_the_other_screens_open_for_a_retailer(client: Client, retailer_a: Retailer, url_name: str) -> None:
    client.force_login(retailer_a.user)
    assert client.get(reverse(url_name)).status_code == 200


def test_the_menu_lists_the_low_voltage_functions_and_the_tabs_say_which_voltage(
    client: Client, retailer_a: Retailer
) -> None:
    client.force_login(retailer_a.user)
    menu = client.get("/switching/").content.decode()
    assert "スイッチング廃止取次登録" in menu and "業務処理状況確認（複数件）" in menu
    page = client.get(reverse("sw:cancel_forward_new")).content.decode()
    assert '<a href="/switching/low/" aria-current="page">低圧</a>' in page
    assert '<a href="/switching/high/">高圧</a>' in page and "準備中" not in page
    high = client.get(reverse("sw:high")).content.decode()
    assert (
        f'href="{reverse("sw:high_cancel_forward_new")}"' in high
    )  # offered (tests/switching/test_line_views.py)


def _post(client: Client, url: str, data: dict[str, Any], step: str) -> Any:
    return client.post(url, {**data, "step": step})


def test_sw_l06_screen_confirms_before_it_submits_and_shows_refusals_on_the_form(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_a.user)
    url = reverse("sw:cancel_forward_new")
    data = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "new_contact_phone": "03-1234",
        "desired_date": "",
    }
    # Issue 17 (14): 確認 asks the service's checks, so a wrong item is refused there, not at 送信.
    refused = _post(client, url, data, "confirm")
    assert refused.status_code == 422
    assert "電話番号の桁数が正しくありません" in refused.content.decode()
    assert "次の内容で送信します" not in refused.content.decode()
    data["new_contact_phone"] = ""
    confirm = _post(client, url, {**data, "new_contact_phone": "03-1234-5678"}, "confirm")
    assert confirm.status_code == 200 and "次の内容で送信します" in confirm.content.decode()
    assert not Application.objects.exists()  # nothing is filed by the confirmation

    refused = _post(client, url, {**data, "new_contact_phone": "03-1234"}, "submit")
    assert refused.status_code == 422
    assert "電話番号の桁数が正しくありません" in refused.content.decode()

    back = _post(client, url, {**data, "contract_number": "B-0001"}, "edit")
    assert back.status_code == 200 and 'value="B-0001"' in back.content.decode()
    done = _post(client, url, {**data, "contract_number": "B-0001"}, "submit")
    application = Application.objects.get()
    assert (
        done.status_code == 302
        and done["Location"] == f"/switching/low/applications/{application.reception_number}/"
    )
    detail = client.get(done["Location"]).content.decode()
    assert application.reception_number in detail and application.switch.number in detail  # type: ignore[union-attr]

    # A second one for the same point: 409 on the form, with the number in progress.
    other = make_retailer("9103", "新電力C株式会社")
    client.force_login(other.user)
    conflict = _post(client, url, {**data, "contract_number": "B-0001"}, "submit")
    assert conflict.status_code == 422 and application.switch.number in conflict.content.decode()  # type: ignore[union-attr]


def test_sw_l12_refusal_in_kansai_on_the_screen(client: Client, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1, area="06")
    client.force_login(retailer_b.user)
    response = _post(
        client,
        reverse("sw:ampere_change"),
        {"supply_point_number": point, "current_limit_a": "40", "desired_date": ""},
        "submit",
    )
    assert (
        response.status_code == 422
        and "関西エリアはアンペアブレーカーを用いない" in response.content.decode()
    )


def test_the_current_retailer_decides_on_the_screen_and_sees_the_identification_with_a_purpose(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    switch = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    ).switch
    assert switch is not None
    client.force_login(retailer_b.user)
    received = client.get(reverse("sw:cancel_forwards_received")).content.decode()
    assert switch.number in received and CUSTOMER_ADDRESS not in received  # no personal data in the list

    detail_url = reverse("sw:switch_detail", args=[switch.number])
    detail = client.get(detail_url).content.decode()
    assert CUSTOMER_ADDRESS not in detail and "取次判断を行う" in detail
    assert not PersonalDataAccess.objects.exists()
    shown = client.get(detail_url, {"purpose": "cancel_forward"}).content.decode()
    assert CUSTOMER_ADDRESS in shown and "②小売供給等契約の廃止取次のため" in shown
    assert PersonalDataAccess.objects.get().function_id == "SW-L09"

    decide = reverse("sw:cancel_forward_decide")
    form = client.get(decide, {"switch": switch.number}).content.decode()
    assert switch.number in form
    data = {"switch_number": switch.number, "decision": "ng", "ng_reason": "", "ng_text": ""}
    assert _post(client, decide, data, "confirm").status_code == 422  # NG needs a reason
    response = _post(client, decide, {**data, "decision": "ok"}, "submit")
    assert response.status_code == 302 and response["Location"] == detail_url
    switch.refresh_from_db()
    assert switch.state == "approved"


def test_another_organizations_objects_are_not_found(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    number = application.switch.number  # type: ignore[union-attr]
    stranger = make_retailer("9103", "新電力C株式会社")
    client.force_login(stranger.user)
    for url in (
        reverse("sw:application_detail", args=[application.reception_number]),
        reverse("sw:application_cancel", args=[application.reception_number]),
        reverse("sw:application_correct", args=[application.reception_number]),
        reverse("sw:switch_detail", args=[number]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("sw:application_cancel", args=[application.reception_number])).status_code == 404
    )
    # The current retailer sees the switch but not the new retailer's application.
    client.force_login(retailer_b.user)
    assert client.get(reverse("sw:switch_detail", args=[number])).status_code == 200
    assert (
        client.get(reverse("sw:application_detail", args=[application.reception_number])).status_code == 404
    )


def test_cancel_with_a_confirmation(client: Client, retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    client.force_login(retailer_a.user)
    url = reverse("sw:application_cancel", args=[application.reception_number])
    assert "このスイッチング案件そのものが終了します" in client.get(url).content.decode()
    assert Switch.objects.get().is_open
    client.post(url)
    application.refresh_from_db()
    assert application.state == State.CANCELLED and not Switch.objects.get().is_open


def test_status_many_reports_unknown_numbers(client: Client, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    mine = applications.inquire_facility(
        actor=retailer_b.user, supply_point_number=point, purpose="point_info"
    )
    client.force_login(retailer_b.user)
    response = client.post(
        reverse("sw:status_many"), {"reception_numbers": f"{mine.reception_number}\n2099010100000001"}
    )
    text = response.content.decode()
    assert "うち該当なし 1件" in text and mine.reception_number in text
    single = client.get(reverse("sw:status"), {"reception_number": mine.reception_number})
    assert single.status_code == 302


def test_lists_use_a_bounded_number_of_queries(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, django_assert_max_num_queries: Any
) -> None:
    client.force_login(retailer_b.user)
    for serial in range(1, 4):
        point = make_point(retailer_b.organization, serial)
        applications.inquire_facility(actor=retailer_b.user, supply_point_number=point, purpose="point_info")
        switches.register_cancel_forward(
            actor=retailer_a.user,
            supply_point_number=point,
            customer_name=CUSTOMER_NAME,
            customer_address=CUSTOMER_ADDRESS,
            contract_number=f"B-{serial:04d}",
        )
    for url_name in ("sw:applications", "sw:cancel_forwards_received", "sw:ledger"):
        client.get(
            reverse(url_name)
        )  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
        with django_assert_max_num_queries(12):
            assert client.get(reverse(url_name)).status_code == 200


def test_csv_of_the_applications_with_filters(client: Client, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    applications.inquire_facility(actor=retailer_b.user, supply_point_number=point, purpose="point_info")
    client.force_login(retailer_b.user)
    response = client.get(reverse("sw:applications_csv"), {"kind": "facility_inquiry"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "設備情報照会" in text and point in text
    assert (
        client.get(reverse("sw:applications_csv"), {"kind": "switch_start"})
        .content.decode("utf-8-sig")
        .count("\r\n")
        == 1
    )
    sjis = client.get(reverse("sw:applications_csv"), {"encoding": "cp932"})
    assert "設備情報照会" in sjis.content.decode("cp932")


def test_a_facility_result_is_shown_on_request_and_its_read_recorded(
    client: Client, retailer_a: Retailer
) -> None:
    from tests.switching.conftest import operators_work

    point = make_point(None, 1, contract_state="stopped")
    client.force_login(retailer_a.user)
    url = reverse("sw:facility_inquiry")
    data = {"supply_point_number": point, "purpose": "point_info"}
    confirm = _post(client, url, data, "confirm").content.decode()
    assert "③供給（受電）地点に関する情報の確認のため" in confirm
    response = _post(client, url, data, "submit")
    operators_work()
    detail = client.get(response["Location"]).content.decode()
    assert "完了" in detail and "処理結果を表示" in detail
    assert not PersonalDataAccess.objects.exists()
    shown = client.get(response["Location"], {"result": "1"}).content.decode()
    assert "電流上限値（A）" in shown and "停止中" in shown
    assert PersonalDataAccess.objects.get().function_id == "SW-L01"


def test_the_confirmation_shows_labels_of_choices(client: Client, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_b.user)
    confirm = _post(
        client,
        reverse("sw:ampere_change"),
        {"supply_point_number": point, "current_limit_a": "40", "desired_date": "2026-11-20"},
        "confirm",
    ).content.decode()
    assert "<dd>40A</dd>" in confirm and "2026年11月20日" in confirm
    assert 'type="hidden" name="current_limit_a" value="40"' in confirm


def test_correct_a_cancel_forward_on_the_screen(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    client.force_login(retailer_a.user)
    detail = client.get(
        reverse("sw:application_detail", args=[application.reception_number])
    ).content.decode()
    assert "訂正" in detail and "取消" in detail
    url = reverse("sw:application_correct", args=[application.reception_number])
    form = client.get(url).content.decode()
    # The identification is not shown again (personal data): only the items to change are typed.
    assert "B-0001" not in form and CUSTOMER_ADDRESS not in form
    data = {"customer_name": "", "customer_address": "", "contract_number": "", "desired_date": "2026-11-27"}
    confirm = _post(client, url, data, "confirm").content.decode()
    assert "（変更なし）" in confirm
    response = _post(client, url, data, "submit")
    assert response.status_code == 302
    application.refresh_from_db()
    assert str(application.desired_date) == "2026-11-27" and application.revision == 1
    assert application.switch is not None and application.switch.customer_name == CUSTOMER_NAME
    # The same values again are no correction.
    again = _post(client, url, data, "submit")
    assert again.status_code == 422 and "訂正する項目がありません" in again.content.decode()


def test_the_application_screen_shows_that_customer_data_was_given_not_its_values(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point, other = make_point(retailer_b.organization, 1), make_point(retailer_b.organization, 2)
    request = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    change = applications.apply_customer_change(
        actor=retailer_b.user,
        supply_point_number=other,
        customer_address="東京都港区芝公園四丁目2番8号",
        customer_phone="090-1111-2222",
    )

    client.force_login(retailer_a.user)
    page = client.get(reverse("sw:application_detail", args=[request.reception_number])).content.decode()
    assert CUSTOMER_ADDRESS not in page and "B-0001" not in page
    assert "入力済み" in page and reverse("sw:switch_detail", args=[request.switch.number]) in page  # type: ignore[union-attr]
    client.force_login(retailer_b.user)
    page = client.get(reverse("sw:application_detail", args=[change.reception_number])).content.decode()
    assert "芝公園" not in page and "090-1111-2222" not in page
    assert "住所・電話番号" in page and reverse("sw:basic_info") in page
    assert not PersonalDataAccess.objects.exists()


def test_the_switch_screen_shows_the_identification_with_a_purpose_and_not_after_the_ng(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    switch = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    ).switch
    assert switch is not None
    url = reverse("sw:switch_detail", args=[switch.number])
    client.force_login(retailer_a.user)
    assert CUSTOMER_ADDRESS in client.get(url, {"purpose": "cancel_forward"}).content.decode()
    assert PersonalDataAccess.objects.get().organization == retailer_a.organization

    switches.decide_cancel_forward(
        actor=retailer_b.user, switch_number=switch.number, decision="ng", ng_reason="02", ng_text="継続"
    )
    page = client.get(url, {"purpose": "cancel_forward"}).content.decode()
    assert CUSTOMER_ADDRESS not in page and "B-0001" not in page and "手続が終了" in page
    assert "継続" in page  # the result itself is still there
    assert PersonalDataAccess.objects.count() == 1


def test_sw_l06_a_desired_date_at_the_end_of_the_calendar_is_a_message_on_the_form(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_a.user)
    data = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "desired_date": "9999-12-31",
    }
    response = _post(client, reverse("sw:cancel_forward_new"), data, "submit")
    assert response.status_code == 422 and "1年以内" in response.content.decode()
    assert not Switch.objects.exists()

    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    url = reverse("sw:application_correct", args=[application.reception_number])
    response = _post(client, url, {"desired_date": "9999-12-30"}, "submit")
    assert response.status_code == 422 and "1年以内" in response.content.decode()
    application.refresh_from_db()
    assert application.revision == 0 and application.desired_date is None


MENU_LINK = re.compile(r'<li class="menu__item"><a href="([^"]+)">([^<]+)</a>')


def test_every_entry_of_the_switching_menu_has_its_own_name(client: Client, retailer_a: Retailer) -> None:
    """Within its 業務: the lines' functions of one 業務 share their names (低圧 廃止・撤去, 高圧500kW未満
    廃止・撤去), told apart by the heading they are under."""
    client.force_login(retailer_a.admin)
    menu = client.get("/switching/").content.decode()
    for group in menu.split('<section class="menu__group"')[1:]:
        texts = [text for _url, text in MENU_LINK.findall(group)]
        assert len(texts) == len(set(texts)), sorted(texts)


def test_the_menu_and_the_callback_page_call_it_the_same(client: Client, retailer_a: Retailer) -> None:
    client.force_login(retailer_a.admin)
    url = reverse("sw_callbacks:endpoint")
    name = dict(MENU_LINK.findall(client.get("/switching/").content.decode()))[url]
    assert f'<h1 class="page-title">{name}</h1>' in client.get(url).content.decode()


def test_the_facility_inquiry_heading_says_each_word_once(client: Client, retailer_a: Retailer) -> None:
    client.force_login(retailer_a.user)
    page = client.get(reverse("sw:facility_inquiry")).content.decode()
    heading = re.search(r'<h1 class="page-title">(.*?)</h1>', page)
    assert heading is not None
    words = re.sub(r"<[^>]+>", " ", heading.group(1)).split()
    assert len(words) == len(set(words)), words
