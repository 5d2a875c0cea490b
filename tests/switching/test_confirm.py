"""Issue 17 (14): the 確認 step of every switching screen asks the service's own checks, without
writing — what 確認 shows is what 送信 accepts; and the screens take full-width numbers (13) and
refuse characters CP932 cannot hold (8)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.switching.models import Application, Switch
from kouiki.switching.services import switches
from kouiki.tso.models import OperatorMessage
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")

CONFIRMATION = "次の内容で送信します"


def confirm(client: Client, url_name: str, data: dict[str, Any]) -> str:
    response = client.post(reverse(url_name), {**data, "step": "confirm"})
    html = response.content.decode()
    assert (response.status_code == 200) == (CONFIRMATION in html), response.status_code
    return html


def cancel_forward(point: str, **changes: Any) -> dict[str, Any]:
    return {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": f"B-{int(point[-4:]):04d}",
        "desired_date": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("date_too_far", "希望日は本日から1年以内"),
        ("date_too_early", "希望日は一般送配電事業者の標準処理期間により"),
        ("wrong_kana", "需要者氏名カナ: カナはカタカナ"),
        ("unknown_point", "指定された供給地点特定番号の供給地点はありません"),
        (
            "high_voltage",
            "この供給地点は高圧（500kW未満）です。「高圧500kW未満 スイッチング（新小売） 廃止取次登録」",
        ),
        ("own_point", "貴社が現在の小売電気事業者である供給地点です"),
    ],
)
def test_sw_l06_confirmation_refuses_what_the_submission_would(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, case: str, message: str
) -> None:
    low = make_point(retailer_b.organization, 1)
    data = {
        "date_too_far": cancel_forward(low, desired_date="2030-01-01"),
        "date_too_early": cancel_forward(low, desired_date="2026-11-02"),
        "wrong_kana": cancel_forward(low, customer_name_kana="こういき"),
        "unknown_point": cancel_forward("0300000000000000000099"),
        "high_voltage": cancel_forward(make_point(retailer_b.organization, 2, voltage="high")),
        "own_point": cancel_forward(make_point(retailer_a.organization, 3)),
    }[case]
    client.force_login(retailer_a.user)

    html = confirm(client, "sw:cancel_forward_new", data)

    assert message in html
    assert not Switch.objects.exists() and not Application.objects.exists()


def test_sw_l06_confirmation_names_every_wrong_item_at_once(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_a.user)

    html = confirm(
        client,
        "sw:cancel_forward_new",
        cancel_forward(point, new_contact_phone="03-1234", desired_date="2030-01-01"),
    )

    assert "新小売担当者電話番号: 電話番号の桁数が正しくありません" in html
    assert "希望日は本日から1年以内" in html


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("sw:reconnect", {"desired_date": ""}, "再点は停止中の供給地点のみ申し込めます"),
        (
            "sw:abolish",
            {"removal": "no", "desired_date": "2000-01-01"},
            "希望日には本日以降の日付を指定してください",
        ),
        ("sw:ampere_change", {"current_limit_a": "30", "desired_date": ""}, "現在の契約電流と同じです"),
        ("sw:customer_change", {"customer_name": CUSTOMER_NAME}, "変更する項目を1つ以上"),
        (
            "sw:facility_inquiry",
            {"purpose": "point_info", "supply_point_number": "1000000000000000000001"},
            "ありません",
        ),
    ],
)
def test_the_operators_functions_confirm_only_what_they_would_file(
    client: Client, retailer_b: Retailer, url_name: str, data: dict[str, str], message: str
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_b.user)

    html = confirm(client, url_name, {"supply_point_number": point, **data})

    assert message in html
    assert not Application.objects.exists() and not OperatorMessage.objects.exists()


def test_the_current_retailers_decision_and_the_pair_confirm_only_what_they_would_file(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    application = switches.register_cancel_forward(
        actor=retailer_a.user, **cancel_forward(point, desired_date=None)
    )
    number = application.switch.number  # type: ignore[union-attr]
    client.force_login(retailer_b.user)
    assert "廃止取次番号の案件はありません" in confirm(
        client, "sw:cancel_forward_decide", {"switch_number": "HT20000101000000", "decision": "ok"}
    )
    assert "判断待ち" in confirm(client, "sw:switch_abolish", {"switch_number": number})
    client.force_login(retailer_a.user)
    assert "現小売の取次判断待ちです" in confirm(
        client, "sw:switch_start", {"switch_number": number, "contract_number": "A-1"}
    )
    assert Application.objects.count() == 1


def test_a_full_width_number_and_contract_number_are_the_same_on_the_screens(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    client.force_login(retailer_a.user)
    data = cancel_forward(point.translate(wide), contract_number="Ｂ－０００１")
    assert CONFIRMATION in confirm(client, "sw:cancel_forward_new", data)
    client.post(reverse("sw:cancel_forward_new"), {**data, "step": "submit"})
    application = Application.objects.get()
    assert application.switch.contract_number == "B-0001"  # type: ignore[union-attr]

    found = client.get(
        reverse("sw:status"), {"reception_number": application.reception_number.translate(wide)}
    )
    assert found.status_code == 302 and application.reception_number in found["Location"]
    listing = client.get(
        reverse("sw:applications"), {"reception_number": application.reception_number[-6:].translate(wide)}
    )
    assert application.reception_number in listing.content.decode()
    by_point = client.get(reverse("sw:applications"), {"supply_point_number": "００００１"})
    assert application.reception_number in by_point.content.decode()
    elsewhere = client.get(reverse("sw:applications"), {"supply_point_number": "99999"})
    assert application.reception_number not in elsewhere.content.decode()


def test_a_name_cp932_cannot_hold_is_refused_on_the_screen_naming_it(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    client.force_login(retailer_a.user)

    html = confirm(client, "sw:cancel_forward_new", cancel_forward(point, customer_name="𠀋田 太郎"))

    assert "「𠀋」は使用できません（Shift_JIS（CP932）で表せない文字です）。" in html
