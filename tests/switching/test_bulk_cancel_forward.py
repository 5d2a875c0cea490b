"""SW-W02 / W08 / W15 廃止取次一括登録 (issue 14): the rows judged in batches by the single-row
service's rules and messages, duplicates refused, 訂正 / 取消 by 更新フラグ, applied in batches with
the same audit rows and events as one registration, a row refused at apply while the others go on."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kouiki.audit.models import Event as AuditEvent
from kouiki.core import events
from kouiki.core.events import Event
from kouiki.identity.services import switching_users
from kouiki.switching.models import Application, Kind, PointClass, State, Switch, SwitchState
from kouiki.switching.services import applications, switch_pairs, switches
from tests.switching.bulk_helpers import apply, csv_bytes, validate
from tests.switching.conftest import Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")

NAME, ADDRESS = "広域 太郎", "東京都千代田区丸の内一丁目1番1号"


def row(
    point: str, *, flag: str = "1", reception: str = "", name: str = NAME, desired: str = ""
) -> list[str]:
    return [
        flag,
        reception,
        point,
        name,
        "コウイキ タロウ",
        ADDRESS,
        "",
        "B-0001",
        "新電力 花子",
        "03-1234-5678",
        desired,
    ]


def test_a_file_of_good_and_bad_rows_every_bad_row_named_with_the_services_message(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    good = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3, 4)]
    high = make_point(retailer_b.organization, 5, point_class=PointClass.HIGH)
    own = make_point(retailer_a.organization, 6)
    busy = make_point(retailer_b.organization, 7)
    busy_switch = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=busy,
        customer_name=NAME,
        customer_address=ADDRESS,
        contract_number="B-7",
    ).switch
    rows = [
        row(good[0]),  # 2
        row(high),  # 3: wrong class
        row("0300000000000000009999"),  # 4: unknown point
        row(good[1], desired="2026/13/45"),  # 5: not a date (the column's check)
        row(good[2], desired="2026/11/04"),  # 6: before the operator's lead time
        row(good[0]),  # 7: the same point again
        row(good[3], name="広域 🔥"),  # 8: a character CP932 cannot hold
        row(own),  # 9: the actor's own customer
        row(busy),  # 10: a switch in progress
        row("12345"),  # 11: not a number
        row(good[3].replace("0", "０", 3)),  # 12: full-width digits are the same point (good)
    ]
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", rows))
    assert [check.line for check in checked.good] == [2, 12]
    assert "高圧" in checked.messages(3) and "SW-H04" in checked.messages(3)
    assert "指定された供給地点特定番号の供給地点はありません" in checked.messages(4)
    assert checked.errors_of(5)[0].column_label == "希望日"
    assert "以降を指定してください" in checked.messages(6) and "希望日" in checked.messages(6)
    assert "2行目と重複しています" in checked.messages(7)
    assert "需要者氏名" in checked.messages(8) and "🔥" in checked.messages(8)
    assert "貴社が現在の小売電気事業者" in checked.messages(9)
    assert busy_switch is not None and busy_switch.number in checked.messages(10)
    assert "供給地点特定番号" in checked.messages(11)
    assert checked.checks[-1].payload["supply_point_number"] == good[3]
    assert checked.checks[0].summary["希望日"] == "（最短の検針日）"
    assert Switch.objects.count() == 1  # nothing written by validation

    outcomes = apply(checked, retailer_a.user)
    assert all(outcome.error is None for outcome in outcomes)
    filed = Switch.objects.exclude(pk=busy_switch.pk).order_by("number")
    assert [outcome.number for outcome in outcomes] == [s.number for s in filed]
    assert {s.supply_point.number for s in filed} == {good[0], good[3]}
    assert all(s.state == SwitchState.REQUESTED and s.customer_name == NAME for s in filed)


def test_a_cp932_file_reads_as_a_utf8_one(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(point)], encoding="cp932"))
    assert [check.line for check in checked.good] == [2]
    assert checked.good[0].payload["customer_name"] == NAME


def _written(switch: Switch) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, int]], set[str]]:
    application = Application.objects.get(switch=switch)
    audit = Counter(
        (event.action, event.object_type)
        for event in AuditEvent.objects.filter(object_id__in=[str(switch.pk), str(application.pk)])
        if event.object_type in ("switching.switch", "switching.application")
    )
    feed = Event.objects.filter(reference__in=[switch.number, application.reception_number])
    return (
        audit,
        Counter((event.topic, event.organization_id) for event in feed),
        {key for event in feed for key in event.payload},
    )


def test_the_same_rows_as_one_registration_audit_events_application(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    one, other = make_point(retailer_b.organization, 1), make_point(retailer_b.organization, 2)
    single = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=one,
        customer_name=NAME,
        customer_name_kana="コウイキ タロウ",
        customer_address=ADDRESS,
        contract_number="B-0001",
        new_contact_name="新電力 花子",
        new_contact_phone="03-1234-5678",
    )
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(other)]))
    [outcome] = apply(checked, retailer_a.user)
    bulk = Switch.objects.get(number=outcome.number)
    assert single.switch is not None
    assert _written(bulk) == _written(single.switch)
    filed = Application.objects.get(switch=bulk)
    assert filed.payload == {**single.payload, "switch_number": bulk.number}
    for name in (
        "state",
        "operator_step",
        "kind",
        "switching_date",
        "desired_date",
        "organization_id",
        "filed_by_id",
    ):
        assert getattr(filed, name) == getattr(single, name)
    for name in ("deadline", "switching_date", "meter_work", *switches.CANCEL_FORWARD_ITEMS):
        assert getattr(bulk, name) == getattr(single.switch, name)
    # The feed stays numbered without gaps.
    sequences = sorted(
        Event.objects.filter(organization_id=retailer_a.organization.pk).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, len(sequences) + 1))


def test_a_row_filed_for_since_validation_gets_its_refusal_and_the_others_go_on(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3)]
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(point) for point in points]))
    assert len(checked.good) == 3
    raced = switches.register_cancel_forward(
        actor=retailer_a.user,
        supply_point_number=points[1],
        customer_name=NAME,
        customer_address=ADDRESS,
        contract_number="B",
    )
    outcomes = apply(checked, retailer_a.user)
    assert outcomes[0].error is None and outcomes[2].error is None
    assert outcomes[1].error is not None and raced.switch is not None
    assert raced.switch.number in outcomes[1].error.message
    assert Switch.objects.count() == 3


def test_correction_and_cancellation_by_update_flag(retailer_a: Retailer, retailer_b: Retailer) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3)]
    filed = [
        switches.register_cancel_forward(
            actor=retailer_a.user,
            supply_point_number=point,
            customer_name=NAME,
            customer_address=ADDRESS,
            contract_number="B",
        )
        for point in points
    ]
    # The third is matched: no 訂正 any more.
    third = filed[2].switch
    assert third is not None
    switches.decide_cancel_forward(actor=retailer_b.user, switch_number=third.number, decision="ok")
    switch_pairs.apply_switching_start(
        actor=retailer_a.user, switch_number=third.number, contract_number="A-1"
    )
    switch_pairs.apply_switching_abolish(actor=retailer_b.user, switch_number=third.number)
    rows = [
        row("", flag="2", reception=filed[0].reception_number, name="広域 次郎"),
        row("", flag="3", reception=cast_number(filed[1])),  # named by its 廃止取次番号
        row("", flag="2", reception=filed[2].reception_number, name="広域 三郎"),
        row("", flag="2", reception=""),
        row("", flag="4", reception=filed[0].reception_number),
    ]
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", rows))
    assert [check.line for check in checked.good] == [2, 3]
    assert "突合が済んでいる" in checked.messages(4)
    assert "受付番号" in checked.messages(5)
    assert "更新フラグ" in checked.messages(6)
    outcomes = apply(checked, retailer_a.user)
    assert [outcome.error for outcome in outcomes] == [None, None]
    first = Switch.objects.get(pk=filed[0].switch_id)
    assert first.customer_name == "広域 次郎" and first.customer_name_kana == "コウイキ　タロウ"
    assert Switch.objects.get(pk=filed[1].switch_id).state == SwitchState.CANCELLED
    assert Application.objects.get(pk=filed[1].pk).state == State.CANCELLED


def cast_number(application: Application) -> str:
    assert application.switch is not None
    return application.switch.number


@pytest.mark.parametrize(
    ("function_id", "line", "point_class"),
    [("SW-W08", "high", PointClass.HIGH), ("SW-W15", "fit", PointClass.FIT_GRADUATED)],
)
def test_the_high_voltage_and_fit_files(
    retailer_a: Retailer, retailer_b: Retailer, function_id: str, line: str, point_class: str
) -> None:
    right = make_point(retailer_b.organization, 1, point_class=point_class)
    low = make_point(retailer_b.organization, 2)
    checked = validate(function_id, retailer_a.user, csv_bytes(function_id, [row(right), row(low)]))
    assert [check.line for check in checked.good] == [2]
    assert "SW-L06" in checked.messages(3)
    [outcome] = apply(checked, retailer_a.user)
    assert Switch.objects.get(number=outcome.number).point_class == point_class


@pytest.mark.parametrize("kept", [["SW-L06"], ["SW-W02"]])
def test_a_user_without_the_bulk_function_or_the_registration_is_refused(
    retailer_a: Retailer, retailer_b: Retailer, kept: list[str]
) -> None:
    point = make_point(retailer_b.organization, 1)
    switching_users.set_rights(actor=retailer_a.admin, user=retailer_a.user, functions=[*kept, "SW-L14"])
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(point)]))
    assert not checked.good
    assert checked.errors_of(2)[0].code == "forbidden"
    assert not Application.objects.filter(kind=Kind.CANCEL_FORWARD).exists()
    assert applications  # the module the 訂正 rows go through


def test_a_batch_is_read_with_a_fixed_number_of_queries_whatever_its_rows(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in range(1, 13)]
    counts = []
    # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(points[0])]), batch_size=1)
    for size in (3, 12):
        data = csv_bytes("SW-W02", [row(point) for point in points[:size]])
        with CaptureQueriesContext(connection) as queries:
            checked = validate("SW-W02", retailer_a.user, data, batch_size=size)
        assert len(checked.good) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6  # the points with their data, their open switches, the rights

    checked = validate(
        "SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(point) for point in points]), batch_size=12
    )
    with CaptureQueriesContext(connection) as queries:
        outcomes = apply(checked, retailer_a.user, batch_size=12)
    assert all(outcome.error is None for outcome in outcomes)
    # One insert per table for the batch's 12 rows, one read each of the points and open switches.
    statements = [query["sql"] for query in queries.captured_queries]
    for table in ("switching_switch", "switching_application", "audit_event", "core_organizationevent"):
        assert sum(sql.startswith(f'INSERT INTO "{table}"') for sql in statements) == 1, table
    assert sum('FROM "switching_supplypointversion"' in sql for sql in statements) == 1
    assert len(statements) < 50


def test_the_events_of_a_batch_reach_a_registered_callback(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    events.register_callback(
        organization_id=retailer_b.organization.pk,
        system="switching",
        url="https://callback.example.jp/kouiki",
    )
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2)]
    checked = validate("SW-W02", retailer_a.user, csv_bytes("SW-W02", [row(point) for point in points]))
    apply(checked, retailer_a.user)
    feed = Event.objects.filter(organization_id=retailer_b.organization.pk, topic="switch.updated")
    assert feed.count() == 2
    assert events.CallbackDelivery.objects.filter(event__in=feed).count() == 2
