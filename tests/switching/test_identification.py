"""The switch's identity check is the current retailer's decision (issue 13, ADR 27): the hub
registers a 廃止取次 whose identification differs from the registry, the current retailer sees what
was sent beside its registry entry item by item (a recorded read the new retailer never gets), and
answers OK or NG with one or more of the fixed reasons and text, which reach the new retailer by
name (selectors, events, CSV). The 廃止取次 items as retailers send them (需要者氏名カナ, 建物名, each
side's contact) are checked for their form — on every line that switches."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core.errors import ValidationFailed
from kouiki.core.events import events_after
from kouiki.switching import selectors
from kouiki.switching.models import Application, NgReason, PersonalDataAccess, PointClass, State, SwitchState
from kouiki.switching.selectors.exports import applications_csv
from kouiki.switching.services import applications, switches
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point, reload

pytestmark = pytest.mark.usefixtures("clock")

LINES = [(PointClass.LOW, "low"), (PointClass.HIGH, "high"), (PointClass.FIT_GRADUATED, "fit")]
PURPOSE = "cancel_forward"


def register(retailer: Retailer, point: str, line: str, **changes: str) -> Application:
    values: dict[str, str] = {
        "supply_point_number": point,
        "customer_name": CUSTOMER_NAME,
        "customer_address": CUSTOMER_ADDRESS,
        "contract_number": f"B-{int(point[-4:]):04d}",
        **changes,
    }
    return switches.register_cancel_forward(actor=retailer.user, line=line, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("point_class", "line"), LINES)
def test_a_mismatching_registration_is_accepted_and_shown_per_item_to_the_current_retailer_only(
    retailer_a: Retailer, retailer_b: Retailer, point_class: str, line: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    request = register(
        retailer_a,
        point,
        line,
        customer_name="広域 次郎",
        customer_name_kana="ｺｳｲｷ ｼﾞﾛｳ",
        customer_address="東京都千代田区丸の内一丁目１番１号",
        building_name="丸の内ビル 3階",
        contract_number="Ｂ－９９９９",
        new_contact_name="新電力A 担当 山田",
        new_contact_phone="０３－１１１１－２２２２",
    )
    switch = request.switch
    assert request.state == State.RECEIVED and switch is not None
    assert (switch.customer_name_kana, switch.building_name, switch.new_contact_phone) == (
        "コウイキ\u3000ジロウ",
        "丸の内ビル 3階",
        "03-1111-2222",
    )

    # The current retailer: what was sent beside its registry entry, per item.
    view = selectors.cancel_forward_detail(
        actor=retailer_b.user, switch_number=switch.number, purpose=PURPOSE, side="current", line=line
    )
    assert view.comparison is not None
    compared = {item.name: (item.sent, item.registered, item.matches) for item in view.comparison}
    assert compared == {
        "customer_name": ("広域 次郎", CUSTOMER_NAME, False),
        "customer_address": (CUSTOMER_ADDRESS, CUSTOMER_ADDRESS, True),  # width does not count
        "contract_number": ("B-9999", "B-0001", False),
    }
    assert view.mismatches == 2
    assert view.customer_name_kana == "コウイキ\u3000ジロウ" and view.building_name == "丸の内ビル 3階"
    # The read is recorded, with the function of the line and the 廃止取次番号.
    [access] = PersonalDataAccess.objects.filter(organization=retailer_b.organization)
    function = {"low": "SW-L09", "high": "SW-H07", "fit": "SW-F07"}[line]
    assert (access.function_id, access.reference, access.purpose) == (function, switch.number, PURPOSE)

    # The new retailer sees what it sent, never the registry's side.
    mine = selectors.cancel_forward_detail(
        actor=retailer_a.user, switch_number=switch.number, purpose=PURPOSE, side="new", line=line
    )
    assert mine.customer_name == "広域 次郎" and mine.comparison is None
    # The contacts are business data: both sides see them.
    assert mine.contacts["new_contact_name"] == view.contacts["new_contact_name"] == "新電力A 担当 山田"


def test_width_spaces_hyphens_and_the_building_do_not_make_a_mismatch(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(
        retailer_b.organization, 1, customer_address="東京都千代田区丸の内一丁目1番1号 丸の内ビル3階"
    )
    switch = register(
        retailer_a,
        point,
        "low",
        customer_name="広域　太郎",
        customer_address="東京都千代田区丸の内一丁目１番１号",
        building_name="丸の内ビル３階",
        contract_number="Ｂ‐０００１",
    ).switch
    assert switch is not None
    view = selectors.cancel_forward_detail(
        actor=retailer_b.user, switch_number=switch.number, purpose=PURPOSE
    )
    assert view.comparison is not None and all(item.matches for item in view.comparison)


@pytest.mark.parametrize(("point_class", "line"), LINES)
def test_ng_with_several_reasons_reaches_the_new_retailer_by_name(
    retailer_a: Retailer, retailer_b: Retailer, point_class: str, line: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    request = register(retailer_a, point, line, customer_name="広域 次郎")
    switch = request.switch
    assert switch is not None
    decided = switches.decide_cancel_forward(
        actor=retailer_b.user,
        switch_number=switch.number,
        decision="ng",
        ng_reasons=["07", "01", "07"],
        ng_text="名義が違います",
        current_contact_name="新電力B 担当 佐藤",
        current_contact_phone="06-1234-5678",
        line=line,
    )
    # Each once, in code order; the first also as the one reason older clients read.
    assert decided.state == SwitchState.REJECTED
    assert (decided.ng_reasons, decided.ng_reason) == (["01", "07"], "01")
    assert decided.current_contact_phone == "06-1234-5678"
    request = reload(request)
    assert request.state == State.DEFECTIVE
    assert NgReason.CUSTOMER_MISMATCH.label in request.error_detail
    assert NgReason.HOLDER_CHANGED.label in request.error_detail and "名義が違います" in request.error_detail

    # The event tells both retailers the reasons by name.
    [*_, event] = [
        e
        for e in events_after(organization_id=retailer_a.organization.pk, system="switching", after=0)
        if e.topic == "switch.updated"
    ]
    assert event.payload["ng_reasons"] == [
        {"code": "01", "name": NgReason.CUSTOMER_MISMATCH.label},
        {"code": "07", "name": NgReason.HOLDER_CHANGED.label},
    ]
    # The applications CSV carries them on the 廃止取次's row.
    found = selectors.applications_for(actor=retailer_a.user, line=line)
    header, row = list(csv.reader(io.StringIO(applications_csv(found).decode("utf-8-sig"))))
    expected = f"01 {NgReason.CUSTOMER_MISMATCH.label}／07 {NgReason.HOLDER_CHANGED.label}"
    assert row[header.index("NG理由")] == expected
    # The new retailer's view of the switch: the current retailer's contact (business data).
    view = selectors.cancel_forward_detail(
        actor=retailer_a.user, switch_number=switch.number, purpose=PURPOSE
    )
    assert view.contacts["current_contact_name"] == "新電力B 担当 佐藤"


def test_ng_without_a_reason_or_text_or_with_an_unknown_reason_is_refused(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    switch = register(retailer_a, point, "low").switch
    assert switch is not None
    for given, fields, code in (
        ({"ng_reasons": [], "ng_text": "理由"}, {"ng_reasons"}, "ng_reason_required"),
        ({"ng_reasons": ["02"], "ng_text": " \u3000"}, {"ng_text"}, "ng_reason_required"),
        ({"ng_reasons": ["02", "10"], "ng_text": "理由"}, {"ng_reasons"}, "ng_reason_unknown"),
        ({"ng_reasons": ["00"], "ng_text": ""}, {"ng_reasons", "ng_text"}, "ng_reason_unknown"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            switches.decide_cancel_forward(
                actor=retailer_b.user, switch_number=switch.number, decision="ng", **given
            )
        assert (set(caught.value.errors), caught.value.code) == (fields, code), given
    assert "10" in caught_message(retailer_b, switch.number)
    switch.refresh_from_db()
    assert switch.state == SwitchState.REQUESTED and switch.ng_reasons == []


def caught_message(retailer: Retailer, switch_number: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        switches.check_decision(
            actor=retailer.user, switch_number=switch_number, decision="ng", ng_reasons=["10"], ng_text="x"
        )
    return caught.value.errors["ng_reasons"][0]


def test_the_new_items_are_checked_for_their_form_with_japanese_messages(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    with pytest.raises(ValidationFailed) as caught:
        register(
            retailer_a,
            point,
            "low",
            customer_name_kana="こういき たろう",
            new_contact_phone="03-1234",
            building_name="x" * 101,
            new_contact_name="担当🔥",
        )
    errors = caught.value.errors
    assert set(errors) == {"customer_name_kana", "new_contact_phone", "building_name", "new_contact_name"}
    assert (
        "需要者氏名カナ" in errors["customer_name_kana"][0] and "カタカナ" in errors["customer_name_kana"][0]
    )
    assert "電話番号" in errors["new_contact_phone"][0]
    assert "100文字以内" in errors["building_name"][0]
    assert "Shift_JIS" in errors["new_contact_name"][0]

    # The current retailer's contact with its decision, checked the same way.
    switch = register(retailer_a, point, "low").switch
    assert switch is not None
    with pytest.raises(ValidationFailed) as caught:
        switches.decide_cancel_forward(
            actor=retailer_b.user, switch_number=switch.number, decision="ok", current_contact_phone="1234"
        )
    assert list(caught.value.errors) == ["current_contact_phone"]


def test_a_correction_changes_the_new_items_and_checks_them(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(retailer_a, point, "low", building_name="旧ビル")
    with pytest.raises(ValidationFailed) as caught:
        applications.correct_application(
            actor=retailer_a.user,
            reception_number=request.reception_number,
            changes={"customer_name_kana": "たろう"},
        )
    assert list(caught.value.errors) == ["customer_name_kana"]
    applications.correct_application(
        actor=retailer_a.user,
        reception_number=request.reception_number,
        changes={
            "customer_name": "別人 花子",  # a mismatch: the current retailer judges it
            "customer_name_kana": "ﾍﾞﾂｼﾞﾝ ﾊﾅｺ",
            "building_name": None,
            "new_contact_phone": "090-1234-5678",
        },
    )
    switch = reload(request).switch
    assert switch is not None
    switch.refresh_from_db()
    assert (
        switch.customer_name,
        switch.customer_name_kana,
        switch.building_name,
        switch.new_contact_phone,
    ) == (
        "別人 花子",
        "ベツジン\u3000ハナコ",
        "",
        "090-1234-5678",
    )
    assert reload(request).payload["customer_name_kana"] == "ベツジン\u3000ハナコ"


# --- the screens ------------------------------------------------------------------------------------

URL_PREFIX = {"low": "sw:", "high": "sw:high_", "fit": "sw:fit_"}


@pytest.mark.parametrize(("point_class", "line"), LINES)
def test_screens_show_the_check_to_the_current_retailer_and_the_reasons_to_the_new_one(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, point_class: str, line: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    switch = register(
        retailer_a,
        point,
        line,
        customer_name="広域 次郎",
        new_contact_name="山田",
        new_contact_phone="03-1111-2222",
    ).switch
    assert switch is not None
    prefix = URL_PREFIX[line]
    detail = reverse(f"{prefix}switch_detail", args=[switch.number])

    # The new retailer sees what it sent, not the registry's side.
    client.force_login(retailer_a.user)
    sent = client.get(detail, {"purpose": PURPOSE}).content.decode()
    assert "広域 次郎" in sent and "本人確認情報の照合" not in sent and "不一致" not in sent

    # The current retailer names a purpose: the check per item, and the way on to the decision.
    client.force_login(retailer_b.user)
    html = client.get(detail, {"purpose": PURPOSE}).content.decode()
    assert "本人確認情報の照合" in html and "1項目が" in html and "不一致" in html
    assert "山田" in html and "03-1111-2222" in html  # the new retailer's contact
    decide = reverse(f"{prefix}cancel_forward_decide")
    assert f"{decide}?switch={switch.number}&amp;purpose={PURPOSE}" in html
    # The decision screen, opened from there, shows the check too (one more recorded read).
    form_html = client.get(decide, {"switch": switch.number, "purpose": PURPOSE}).content.decode()
    assert "本人確認情報の照合" in form_html and "広域 次郎" in form_html
    assert PersonalDataAccess.objects.filter(organization=retailer_b.organization).count() == 2

    # NG with two reasons, confirmed then sent; the text is required.
    data = {
        "switch_number": switch.number,
        "decision": "ng",
        "ng_reasons": ["01", "07"],
        "ng_text": "",
        "current_contact_name": "佐藤",
        "current_contact_phone": "",
    }
    refused = client.post(decide, {**data, "step": "confirm"})
    assert refused.status_code == 422 and "NG理由の詳細を入力してください" in refused.content.decode()
    data["ng_text"] = "名義が異なります"
    confirm = client.post(decide, {**data, "step": "confirm"}).content.decode()
    # (On the FIT line the reasons say 発電者 where they say 需要者.)
    assert f"一致しない、{NgReason.HOLDER_CHANGED.label}" in confirm
    assert client.post(decide, {**data, "step": "submit"}).status_code == 302
    switch.refresh_from_db()
    assert switch.ng_reasons == ["01", "07"] and switch.current_contact_name == "佐藤"

    # The new retailer: the reasons by name in its list and on the switch, never the registry's side
    # (it sees what it sent while the switch is in progress: test above).
    client.force_login(retailer_a.user)
    listed = client.get(reverse(f"{prefix}cancel_forwards_filed")).content.decode()
    assert (
        f"01 {NgReason.CUSTOMER_MISMATCH.label}" in listed and f"07 {NgReason.HOLDER_CHANGED.label}" in listed
    )
    mine = client.get(detail, {"purpose": PURPOSE}).content.decode()
    assert NgReason.HOLDER_CHANGED.label in mine and "佐藤" in mine
    # Ended by the NG: the identification is no longer the new retailer's to read (SW-P2).
    assert "本人確認情報の照合" not in mine and "広域 次郎" not in mine and "表示できません" in mine


def test_ng_without_a_reason_is_refused_on_the_screen(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    switch = register(retailer_a, point, "low").switch
    assert switch is not None
    client.force_login(retailer_b.user)
    refused = client.post(
        reverse("sw:cancel_forward_decide"),
        {"switch_number": switch.number, "decision": "ng", "ng_text": "理由", "step": "confirm"},
    )
    assert refused.status_code == 422 and "NG理由を1つ以上選択してください" in refused.content.decode()
    unknown = client.post(
        reverse("sw:cancel_forward_decide"),
        {
            "switch_number": switch.number,
            "decision": "ng",
            "ng_reasons": ["10"],
            "ng_text": "理由",
            "step": "confirm",
        },
    )
    assert unknown.status_code == 422 and "NG理由の選択が不正です" in unknown.content.decode()


def test_the_status_screen_of_the_registration_shows_the_customer_items_only_as_given(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    request = register(
        retailer_a,
        point,
        "low",
        customer_name_kana="コウイキ タロウ",
        building_name="丸の内ビル",
        new_contact_name="山田",
    )
    client.force_login(retailer_a.user)
    html = client.get(reverse("sw:application_detail", args=[request.reception_number])).content.decode()
    assert "需要者氏名カナ" in html and "建物名" in html and "入力済み（個人情報のため表示しません）" in html
    assert "コウイキ" not in html and "丸の内ビル" not in html
    assert "新小売担当者" in html and "山田" in html  # business data
