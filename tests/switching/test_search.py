"""特定地点検索 (SW-W01 低圧, SW-W14 低圧FIT; ADR 31): by address fragment, pole and meter number in
any written form, scoped to the line's classes; the customer's name only for a lawful role
(SW-P2), each such read in the ledger (SW-P1); rights and refusals; the screens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core.errors import Forbidden, ValidationFailed
from kouiki.identity.services import switching_users
from kouiki.switching.models import PersonalDataAccess, PointClass
from kouiki.switching.services import search, switches
from kouiki.switching.services.search import Criteria
from tests.factories import OrganizationFactory, dr_contractor_user
from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, Retailer, make_point, make_retailer

pytestmark = pytest.mark.usefixtures("clock")


def _points(retailer: Retailer) -> dict[str, str]:
    """Points of 新電力B written the ways the registry holds addresses, and a FIT receiving point."""
    org = retailer.organization
    return {
        "kanji": make_point(
            org,
            1,
            customer_address="東京都千代田区丸の内一丁目9番2号",
            pole_number="丸の内幹12-3",
            meter={"meter_number": "03-1111-2222"},
        ),
        "hyphen": make_point(org, 2, customer_address="千代田区丸の内1-9-2 丸の内ビル101"),
        "other": make_point(org, 3, customer_address="東京都千代田区丸の内十丁目9番2号"),
        "fit": make_point(
            org,
            4,
            point_class=PointClass.FIT,
            customer_address="東京都千代田区丸の内一丁目9番3号",
            pole_number="丸の内幹12-4",
            meter={"meter_number": "03-3333-4444"},
        ),
    }


def _numbers(result: search.Result) -> list[str]:
    return [hit.number for hit in result.hits]


def test_an_address_fragment_finds_every_written_form_and_only_the_lines_classes(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = _points(retailer_b)
    for typed in ("丸の内1-9", "丸の内１丁目９番", "丸の内 一丁目 九", "丸の内1ー9"):
        found = search.search(actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(address=typed))
        assert _numbers(found) == [points["kanji"], points["hyphen"]], typed
        assert not found.more
    fit = search.search(actor=retailer_a.user, function_id="SW-W14", criteria=Criteria(address="丸の内1-9"))
    assert _numbers(fit) == [points["fit"]]
    hit = fit.hits[0]
    assert (hit.area_label, hit.class_label, hit.address) == (
        "東京",
        "低圧FIT電源",
        "東京都千代田区丸の内一丁目9番3号",
    )


def test_pole_and_meter_numbers_match_exactly_in_any_width(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = _points(retailer_b)
    by_pole = search.search(
        actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(pole_number="丸の内幹１２－３")
    )
    assert _numbers(by_pole) == [points["kanji"]]
    assert by_pole.hits[0].pole_number == "丸の内幹12-3"
    by_meter = search.search(
        actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(meter_number="０３ １１１１ ２２２２")
    )
    assert _numbers(by_meter) == [points["kanji"]]
    assert by_meter.hits[0].meter_number == "03-1111-2222"
    # A FIT receiving point's meter is not a 低圧 supply point's, and the other way round.
    assert not search.search(
        actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(meter_number="03-3333-4444")
    ).hits
    assert not search.search(
        actor=retailer_a.user, function_id="SW-W14", criteria=Criteria(meter_number="03-1111-2222")
    ).hits
    # Several criteria narrow each other.
    assert not search.search(
        actor=retailer_a.user,
        function_id="SW-W01",
        criteria=Criteria(address="丸の内1-9", meter_number="0399999999"),
    ).hits


def test_no_personal_data_without_a_lawful_role_and_every_read_recorded(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = _points(retailer_b)
    third = make_retailer("9103", "新電力C株式会社")
    # A stranger: never a name, even naming a purpose; nothing in the ledger.
    stranger = search.search(
        actor=third.user, function_id="SW-W01", criteria=Criteria(address="丸の内1-9", purpose="point_info")
    )
    assert [hit.customer_name for hit in stranger.hits] == [None, None]
    assert not stranger.names_withheld
    assert not PersonalDataAccess.objects.exists()
    # The current retailer without a purpose: no name, told why.
    unnamed = search.search(
        actor=retailer_b.user, function_id="SW-W01", criteria=Criteria(address="丸の内1-9")
    )
    assert [hit.customer_name for hit in unnamed.hits] == [None, None] and unnamed.names_withheld
    assert not PersonalDataAccess.objects.exists()
    # With a purpose: the names, each read in the ledger with the purpose and the function.
    named = search.search(
        actor=retailer_b.user, function_id="SW-W01", criteria=Criteria(address="丸の内1-9", purpose="billing")
    )
    assert [(hit.customer_name, hit.lawful_role) for hit in named.hits] == [(CUSTOMER_NAME, "current")] * 2
    ledger = PersonalDataAccess.objects.order_by("supply_point__number")
    assert [(a.supply_point.number, a.purpose, a.function_id, a.items) for a in ledger] == [
        (points["kanji"], "billing", "SW-W01", ["basic"]),
        (points["hyphen"], "billing", "SW-W01", ["basic"]),
    ]
    assert all(a.organization_id == retailer_b.organization.pk for a in ledger)


def test_a_name_is_searched_only_among_the_points_of_a_lawful_role(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = _points(retailer_b)
    by_name = Criteria(customer_name="広域", purpose="cancel_forward")
    # The new retailer before its switching finds nothing by the name: not even that it exists.
    assert not search.search(actor=retailer_a.user, function_id="SW-W01", criteria=by_name).hits
    application = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=points["kanji"],
        customer_name=CUSTOMER_NAME,
        customer_address=CUSTOMER_ADDRESS,
        contract_number="B-0001",
    )
    found = search.search(actor=retailer_a.user, function_id="SW-W01", criteria=by_name)
    assert [(hit.number, hit.customer_name, hit.lawful_role) for hit in found.hits] == [
        (points["kanji"], CUSTOMER_NAME, "new")
    ]
    access = PersonalDataAccess.objects.get(organization=retailer_a.organization)
    assert access.reference == application.switch.number  # type: ignore[union-attr]
    # The current retailer finds all its 低圧 customers of the name (spaces ignored).
    own = search.search(
        actor=retailer_b.user,
        function_id="SW-W01",
        criteria=Criteria(customer_name="広域太郎", purpose="billing"),
    )
    assert _numbers(own) == [points["kanji"], points["hyphen"], points["other"]]


@pytest.mark.parametrize(
    ("criteria", "field", "code"),
    [
        (Criteria(), "address", "search_criteria_required"),
        (Criteria(address="丸の"), "address", "address_too_short"),
        (Criteria(address="  1 - "), "address", "address_too_short"),
        (Criteria(customer_name="広域"), "purpose", "purpose_required"),
    ],
)
def test_what_is_not_a_search_is_refused_naming_the_field(
    retailer_a: Retailer, criteria: Criteria, field: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search.search(actor=retailer_a.user, function_id="SW-W01", criteria=criteria)
    assert caught.value.code == code
    assert field in caught.value.errors


def test_results_are_capped_and_say_so(retailer_a: Retailer, retailer_b: Retailer) -> None:
    for serial in range(1, search.LIMIT + 3):
        make_point(
            retailer_b.organization, serial, customer_address=f"東京都千代田区丸の内一丁目{serial}番1号"
        )
    found = search.search(
        actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(address="丸の内1丁目")
    )
    assert len(found.hits) == search.LIMIT and found.more
    assert _numbers(found) == sorted(_numbers(found))


def test_rights_sw_u11_and_the_functions_of_a_dr_contractor(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    _points(retailer_b)
    switching_users.set_rights(actor=retailer_a.admin, user=retailer_a.user, functions=["SW-L14"])
    with pytest.raises(Forbidden):
        search.search(actor=retailer_a.user, function_id="SW-W01", criteria=Criteria(address="丸の内1-9"))
    organization = OrganizationFactory(code="9401", name="デマンドレスポンス株式会社", business_types=[])
    contractor = dr_contractor_user(organization=organization, login_id="usr001")
    found = search.search(actor=contractor, function_id="SW-W01", criteria=Criteria(address="丸の内1-9"))
    assert len(found.hits) == 2  # FUNCTIONS.md 2.3: a DR contractor has SW-W01 …
    with pytest.raises(Forbidden):  # … and not SW-W14
        search.search(actor=contractor, function_id="SW-W14", criteria=Criteria(address="丸の内1-9"))


def test_the_screens_search_refuse_in_japanese_and_relabel_the_fit_line(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = _points(retailer_b)
    client.force_login(retailer_a.user)
    url = reverse("sw:search")
    assert client.get(url).status_code == 200
    found = client.get(url, {"address": "丸の内１－９"})
    body = found.content.decode()
    assert found.status_code == 200 and points["kanji"] in body and points["hyphen"] in body
    assert points["fit"] not in body
    assert CUSTOMER_NAME not in body.split("<main", 1)[1]
    short = client.get(url, {"address": "丸の"})
    assert short.status_code == 422
    assert "住所は3文字以上入力してください" in short.content.decode()
    empty = client.get(url, {"address": ""})
    assert empty.status_code == 422 and "いずれかを入力してください" in empty.content.decode()

    fit = client.get(reverse("sw:fit_search"), {"pole_number": "丸の内幹12-4"})
    body = fit.content.decode()
    assert (
        fit.status_code == 200
        and points["fit"] in body
        and "受電地点特定番号" in body
        and "発電者氏名" in body
    )

    client.force_login(retailer_b.user)
    named = client.get(url, {"meter_number": "03-1111-2222", "purpose": "billing"}).content.decode()
    assert CUSTOMER_NAME in named
    assert (
        PersonalDataAccess.objects.filter(organization=retailer_b.organization, function_id="SW-W01").count()
        == 1
    )
