"""The screens of the 高圧 and 低圧FIT電源 tabs (issue 13): each screen written once and served on
every line that has its 業務, guarded there by the line's function, in the line's words (受電地点,
発電者) and under the line's tab; a point of a class the line does not serve is refused on the form,
naming the function that serves it; a high-voltage switch walked through the screens of both
retailers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from kouiki.core.calendar import JST
from kouiki.switching.models import Application, Kind, State, Switch, SwitchState
from kouiki.switching.services import applications
from kouiki.switching.services.lines import FIT, HIGH, LINES
from kouiki.switching.urls import LINE_SCREENS
from kouiki.switching.views.common import TAB_LABELS, route_name, serves
from tests.switching.conftest import (
    CUSTOMER_ADDRESS,
    CUSTOMER_NAME,
    Retailer,
    current,
    make_point,
    operators_work,
)

pytestmark = pytest.mark.usefixtures("clock")

# Every screen of the 高圧 and FIT tabs that opens without an object's number, and the tabs.
NEW_SCREENS = [f"sw:{key}" for key in (HIGH, FIT)] + [
    f"sw:{route_name(LINES[key], name)}"
    for key in (HIGH, FIT)
    for route, screen, name in LINE_SCREENS
    if "<" not in route and serves(screen, LINES[key])
]


def tab_link(key: str) -> str:
    """The tab of ``key`` as the current one."""
    return f'<a href="/switching/{key}/" aria-current="page">{TAB_LABELS[key]}</a>'


def _post(client: Client, url: str, data: dict[str, Any], step: str) -> Any:
    return client.post(url, {**data, "step": step})


def _confirm_and_submit(client: Client, url: str, data: dict[str, Any]) -> Any:
    confirm = _post(client, url, data, "confirm")
    assert confirm.status_code == 200, confirm.content.decode()[:3000]
    assert "次の内容で送信します" in confirm.content.decode()
    done = _post(client, url, data, "submit")
    assert done.status_code == 302, done.content.decode()[:3000]
    return confirm, done


def test_the_new_screens_are_those_of_the_lines() -> None:
    assert "sw:high_abolish" in NEW_SCREENS and "sw:fit_customer_change" in NEW_SCREENS
    # Only what each line serves: no 設備情報照会 nor 再点 on 高圧, no 使用量情報照会 on FIT, no
    # アンペア変更 on either.
    for absent in (
        "sw:high_facility_inquiry",
        "sw:high_reconnect",
        "sw:fit_usage_password",
        "sw:fit_ampere_change",
    ):
        assert absent not in NEW_SCREENS


@pytest.mark.parametrize("url_name", NEW_SCREENS)
def test_every_screen_of_the_high_and_fit_tabs_opens_for_a_retailer_under_its_tab(
    client: Client, retailer_a: Retailer, url_name: str
) -> None:
    client.force_login(retailer_a.user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, url_name
    if response["Content-Type"].startswith("text/csv"):
        return
    key = HIGH if url_name.startswith("sw:high") else FIT
    assert tab_link(key) in response.content.decode()
    assert "準備中" not in response.content.decode()


def test_the_tabs_list_the_functions_of_their_line_by_business(client: Client, retailer_a: Retailer) -> None:
    client.force_login(retailer_a.user)
    high = client.get(reverse("sw:high")).content.decode()
    assert "高圧500kW未満 スイッチング（新小売）" in high and "高圧500kW未満 廃止・撤去" in high
    assert f'href="{reverse("sw:high_cancel_forward_new")}"' in high
    assert f'href="{reverse("sw:high_applications")}"' in high
    assert 'href="/switching/low/abolish/"' not in high
    fit = client.get(reverse("sw:fit")).content.decode()
    assert "発電者情報変更" in fit and f'href="{reverse("sw:fit_customer_change")}"' in fit
    assert "低圧FIT電源・FIT卒業電源 スイッチング（現小売）" in fit
    low = client.get(reverse("sw:low")).content.decode()
    # The FIT line's headings start with 低圧 too: they are under their own tab, not under 低圧.
    assert "低圧FIT電源・FIT卒業電源" not in low and "sw:fit" not in low
    assert 'href="/switching/fit/customer-change/"' not in low and 'href="/switching/low/abolish/"' in low


def test_sw_h03_high_voltage_abolition_is_always_with_removal_confirmed_then_submitted(
    client: Client, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="high")
    client.force_login(retailer_b.user)
    url = reverse("sw:high_abolish")
    form = client.get(url).content.decode()
    assert 'name="removal"' not in form and "撤去あり" in form
    confirm, done = _confirm_and_submit(client, url, {"supply_point_number": point, "desired_date": ""})
    assert "あり（申込種別 02）" in confirm.content.decode()
    application = Application.objects.get()
    assert application.kind == Kind.ABOLISH_WITH_REMOVAL and application.application_type == "02"
    assert application.payload["removal"] is True
    assert done["Location"] == f"/switching/high/applications/{application.reception_number}/"
    detail = client.get(done["Location"]).content.decode()
    assert tab_link(HIGH) in detail and "02 廃止（撤去あり）" in detail


def test_sw_f03_fit_abolition_offers_the_receiving_points_types(client: Client, retailer_b: Retailer) -> None:
    client.force_login(retailer_b.user)
    form = client.get(reverse("sw:fit_abolish")).content.decode()
    assert "撤去なし（申込種別 12）" in form and "撤去あり（申込種別 13）" in form
    assert "受電地点特定番号" in form and "供給地点" not in form.split('<form method="post"', 1)[1]


def test_sw_f10_generator_change_in_the_lines_words_confirmed_then_submitted(
    client: Client, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="fit")
    client.force_login(retailer_b.user)
    url = reverse("sw:fit_customer_change")
    form = client.get(url).content.decode()
    assert "受電地点特定番号" in form and "発電者氏名（変更後）" in form and "需要者" not in form
    data = {
        "supply_point_number": point,
        "customer_name": "",
        "customer_address": "",
        "customer_phone": "03-9999-0000",
        "contract_number": "",
    }
    refused = _post(client, url, {**data, "customer_phone": ""}, "confirm")
    assert refused.status_code == 422 and "変更する項目を1つ以上入力してください" in refused.content.decode()
    confirm, done = _confirm_and_submit(client, url, data)
    assert "受電地点特定番号" in confirm.content.decode()
    application = Application.objects.get()
    assert application.kind == Kind.CUSTOMER_CHANGE and application.application_type == "17"
    assert done["Location"] == f"/switching/fit/applications/{application.reception_number}/"
    detail = client.get(done["Location"]).content.decode()
    assert tab_link(FIT) in detail and "17 発電者情報変更" in detail and "受電地点特定番号" in detail


def test_sw_f04_a_fit_point_not_graduated_is_refused_on_the_fit_switch_screen(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="fit")
    client.force_login(retailer_a.user)
    data = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "desired_date": "",
    }
    form = client.get(reverse("sw:fit_cancel_forward_new")).content.decode()
    assert "発電者氏名" in form and "受電地点住所" in form
    refused = _post(client, reverse("sw:fit_cancel_forward_new"), data, "confirm")
    assert refused.status_code == 422
    assert "FIT卒業電源の受電地点のみ申し込めます" in refused.content.decode()
    assert not Switch.objects.exists()


def test_sw_f04_a_fit_graduated_point_is_switched_from_the_fit_screen(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="fit_graduated")
    client.force_login(retailer_a.user)
    data = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "desired_date": "",
    }
    _confirm, done = _confirm_and_submit(client, reverse("sw:fit_cancel_forward_new"), data)
    switch = Switch.objects.get()
    assert done["Location"].startswith("/switching/fit/applications/")
    assert tab_link(FIT) in client.get(reverse("sw:fit_switch_detail", args=[switch.number])).content.decode()
    assert switch.number in client.get(reverse("sw:fit_cancel_forwards_filed")).content.decode()
    assert switch.number not in client.get(reverse("sw:cancel_forwards_filed")).content.decode()


@pytest.mark.parametrize(
    ("url_name", "data", "function_id"),
    [
        ("sw:abolish", {"removal": "yes", "desired_date": ""}, "SW-H03"),
        (
            "sw:cancel_forward_new",
            {
                "customer_name": CUSTOMER_NAME,
                "customer_address": CUSTOMER_ADDRESS,
                "contract_number": "B-0001",
                "desired_date": "",
            },
            "SW-H04",
        ),
    ],
)
def test_a_high_voltage_point_is_refused_on_a_low_voltage_screen_naming_the_high_voltage_function(
    client: Client,
    retailer_a: Retailer,
    retailer_b: Retailer,
    url_name: str,
    data: dict[str, Any],
    function_id: str,
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="high")
    client.force_login(retailer_b.user if url_name == "sw:abolish" else retailer_a.user)
    refused = _post(client, reverse(url_name), {"supply_point_number": point, **data}, "confirm")
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "は高圧（500kW未満）です。" in text and f"（{function_id}）" in text
    assert not Application.objects.exists()


def test_an_application_shows_under_the_tab_of_its_line(client: Client, retailer_b: Retailer) -> None:
    high_point = make_point(retailer_b.organization, 1, point_class="high")
    low_point = make_point(retailer_b.organization, 2)
    high = applications.apply_usage_password(
        actor=retailer_b.user, supply_point_number=high_point, purpose="point_info", line=HIGH
    )
    low = applications.inquire_facility(
        actor=retailer_b.user, supply_point_number=low_point, purpose="point_info"
    )
    client.force_login(retailer_b.user)
    # Reached from another tab, the application's screen is its own line's.
    moved = client.get(reverse("sw:application_detail", args=[high.reception_number]))
    assert moved.status_code == 302 and moved["Location"] == reverse(
        "sw:high_application_detail", args=[high.reception_number]
    )
    # SW-H11 finds it; SW-L14 refuses it, naming SW-H11.
    found = client.get(reverse("sw:high_status"), {"reception_number": high.reception_number})
    assert found.status_code == 302 and found["Location"].startswith("/switching/high/applications/")
    refused = client.get(reverse("sw:status"), {"reception_number": high.reception_number})
    assert refused.status_code == 200 and "SW-H11" in refused.content.decode()
    # The lists and SW-H12 hold the line's applications only.
    listing = client.get(reverse("sw:high_applications")).content.decode()
    assert high.reception_number in listing and low.reception_number not in listing
    assert high.reception_number not in client.get(reverse("sw:applications")).content.decode()
    many = client.post(
        reverse("sw:high_status_many"),
        {"reception_numbers": f"{high.reception_number}\n{low.reception_number}"},
    ).content.decode()
    assert "うち該当なし 1件" in many
    csv = client.get(reverse("sw:high_applications_csv")).content.decode("utf-8-sig")
    assert high.reception_number in csv and low.reception_number not in csv


def test_sw_h04_to_h09_a_high_voltage_switch_through_the_screens_of_both_retailers(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, clock: time_machine.Coordinates
) -> None:
    point = make_point(retailer_b.organization, 1, point_class="high")

    # SW-H04: 新電力A registers the cancel-forward.
    client.force_login(retailer_a.user)
    registration = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": "B-0001",
        "desired_date": "",
    }
    _confirm_and_submit(client, reverse("sw:high_cancel_forward_new"), registration)
    switch = Switch.objects.get()
    assert switch.state == SwitchState.REQUESTED
    assert switch.number in client.get(reverse("sw:high_cancel_forwards_filed")).content.decode()

    # SW-H07 / SW-H08: 新電力B finds it among the high-voltage cancel-forwards and decides OK.
    client.force_login(retailer_b.user)
    received = client.get(reverse("sw:high_cancel_forwards_received")).content.decode()
    assert switch.number in received and reverse("sw:high_switch_detail", args=[switch.number]) in received
    assert switch.number not in client.get(reverse("sw:cancel_forwards_received")).content.decode()
    detail = client.get(reverse("sw:high_switch_detail", args=[switch.number])).content.decode()
    decide = reverse("sw:high_cancel_forward_decide")
    assert tab_link(HIGH) in detail and f'href="{decide}?switch={switch.number}"' in detail
    _confirm, done = _confirm_and_submit(
        client, decide, {"switch_number": switch.number, "decision": "ok", "ng_reason": "", "ng_text": ""}
    )
    assert done["Location"] == reverse("sw:high_switch_detail", args=[switch.number])
    switch.refresh_from_db()
    assert switch.state == SwitchState.APPROVED

    # SW-H09: 新電力B files its abolish.
    detail = client.get(done["Location"]).content.decode()
    assert f'href="{reverse("sw:high_switch_abolish")}?switch={switch.number}"' in detail
    _confirm_and_submit(client, reverse("sw:high_switch_abolish"), {"switch_number": switch.number})

    # SW-H05 / SW-H06: 新電力A sees the OK and files its start; the pair is matched.
    client.force_login(retailer_a.user)
    detail = client.get(reverse("sw:high_switch_detail", args=[switch.number])).content.decode()
    assert f'href="{reverse("sw:high_switch_start")}?switch={switch.number}"' in detail
    _confirm, done = _confirm_and_submit(
        client, reverse("sw:high_switch_start"), {"switch_number": switch.number, "contract_number": "A-9001"}
    )
    assert done["Location"].startswith("/switching/high/applications/")
    switch.refresh_from_db()
    assert switch.state == SwitchState.MATCHED
    start = Application.objects.get(kind=Kind.SWITCH_START)
    abolish = Application.objects.get(kind=Kind.SWITCH_ABOLISH)
    assert (start.application_type, abolish.application_type) == ("05", "03")
    shown = client.get(reverse("sw:high_switch_detail", args=[switch.number])).content.decode()
    assert "突合済（一般送配電事業者処理中）" in shown

    # The operator switches on the switching date: 新電力A supplies the point.
    operators_work()
    start.refresh_from_db()
    assert start.state == State.PROCESSING and start.switching_date is not None
    clock.move_to(
        datetime.combine(start.switching_date, datetime.min.time(), tzinfo=JST) + timedelta(minutes=5)
    )
    operators_work()
    assert current(point).retailer == retailer_a.organization
    client.force_login(retailer_a.user)  # weeks later: a new session
    finished = client.get(
        reverse("sw:high_status"), {"reception_number": start.reception_number}, follow=True
    )
    assert "完了" in finished.content.decode() and tab_link(HIGH) in finished.content.decode()
