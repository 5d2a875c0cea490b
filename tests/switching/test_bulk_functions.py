"""SW-W03..W06 (and their 高圧 / FIT lines) as bulk files (issue 14): 開始一括申請, 廃止取次一括判断,
廃止一括申請, 需要者情報変更一括申請 — judged in batches by the single-row services' rules and
messages, duplicates refused, 訂正 / 取消 by 更新フラグ, applied row by row, each in a savepoint."""

from __future__ import annotations

import base64

import pytest

from kouiki.bulk import registry
from kouiki.switching.models import Application, Kind, PointClass, State, Switch, SwitchState
from kouiki.switching.services import applications, switches
from tests.switching.bulk_helpers import apply, csv_bytes, validate
from tests.switching.conftest import Retailer, make_point

pytestmark = pytest.mark.usefixtures("clock")

NAME, ADDRESS = "広域 太郎", "東京都千代田区丸の内一丁目1番1号"


def cancel_forwards(retailer_a: Retailer, points: list[str], line: str = "low") -> list[Switch]:
    found = []
    for point in points:
        application = switches.register_cancel_forward(
            actor=retailer_a.user,
            supply_point_number=point,
            customer_name=NAME,
            customer_address=ADDRESS,
            contract_number="B",
            line=line,
        )
        assert application.switch is not None
        found.append(application.switch)
    return found


def test_every_function_is_registered_with_the_apis_fields() -> None:
    ids = [function.function_id for function in registry.all_functions() if function.system == "switching"]
    assert {f"SW-W{n:02d}" for n in (2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 15, 16, 17, 18)} <= set(ids)
    labels = [column.label for column in registry.get("SW-W04").columns]
    assert labels == [
        "廃止取次番号",
        "取次判断（ok / ng）",
        "NG理由コード",
        "NG理由（詳細）",
        "現小売担当者",
        "現小売担当者電話番号",
    ]
    assert [column.label for column in registry.get("SW-W16").columns][:3] == [
        "更新フラグ",
        "受付番号",
        "廃止取次番号",
    ]
    assert registry.get("SW-W15").columns[2].label == "受電地点特定番号"
    for function in registry.all_functions():
        if function.example_rows:
            assert all(len(row) == len(function.columns) for row in function.example_rows), (
                function.function_id
            )


def test_decisions_in_a_file(retailer_a: Retailer, retailer_b: Retailer) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3)]
    one, two, three = cancel_forwards(retailer_a, points)
    rows = [
        [one.number, "OK", "", "", "現小売 次郎", "03-9876-5432"],  # 2
        [two.number.lower(), "ng", "01・05", "契約者名が一致しません。", "", ""],  # 3
        [three.number, "ng", "", "", "", ""],  # 4: NG without reasons and text
        ["HT20261102999999", "ok", "", "", "", ""],  # 5: no such switch of ours
        [one.number, "ok", "", "", "", ""],  # 6: duplicate
        [three.number, "maybe", "", "", "", ""],  # 7
        [
            three.number.replace("HT", "ＨＴ"),
            "ng",
            "77",
            "x",
            "",
            "",
        ],  # 8: unknown reason (duplicate of 4 too)
    ]
    checked = validate("SW-W04", retailer_b.user, csv_bytes("SW-W04", [list(r) for r in rows]))
    assert [check.line for check in checked.good] == [2, 3]
    assert "NG理由を1つ以上選択してください" in checked.messages(4)
    assert "NG理由の詳細を入力してください" in checked.messages(4)
    assert "指定された廃止取次番号の案件はありません" in checked.messages(5)
    assert "2行目と重複" in checked.messages(6)
    assert "取次判断（OK / NG）を選択してください" in checked.messages(7)
    assert "77" in checked.messages(8) and "4行目と重複" in checked.messages(8)
    # The new retailer may not decide: not its switch to decide.
    theirs = validate("SW-W04", retailer_a.user, csv_bytes("SW-W04", [rows[0]]))
    assert "指定された廃止取次番号の案件はありません" in theirs.messages(2)

    outcomes = apply(checked, retailer_b.user)
    assert [outcome.number for outcome in outcomes] == [one.number, two.number]
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == SwitchState.APPROVED and one.current_contact_name == "現小売 次郎"
    assert two.state == SwitchState.REJECTED and two.ng_reasons == ["01", "05"]


def test_starts_and_abolitions_match_and_their_corrections(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2, 3)]
    one, two, waiting = cancel_forwards(retailer_a, points)
    for switch in (one, two):
        switches.decide_cancel_forward(actor=retailer_b.user, switch_number=switch.number, decision="ok")
    starts = validate(
        "SW-W03",
        retailer_a.user,
        csv_bytes(
            "SW-W03",
            [
                ["1", "", one.number, "A-0001"],
                ["", "", two.number, "A-0002"],
                ["1", "", waiting.number, "A-0003"],  # 4: not decided yet
                ["1", "", one.number, ""],  # 5: no contract number, and a duplicate
            ],
        ),
    )
    assert [check.line for check in starts.good] == [2, 3]
    assert "現小売の取次判断待ち" in starts.messages(4)
    assert "新しい契約番号を入力してください" in starts.messages(5) and "2行目と重複" in starts.messages(5)
    filed = apply(starts, retailer_a.user)
    assert all(outcome.error is None for outcome in filed)
    start_of_two = Application.objects.get(reception_number=filed[1].number)

    # 訂正 of one 05 (its contract number), 取消 of the other; then the current retailer's 03s.
    corrections = validate(
        "SW-W03",
        retailer_a.user,
        csv_bytes(
            "SW-W03", [["2", filed[0].number, "", "A-1001"], ["3", start_of_two.reception_number, "", ""]]
        ),
    )
    assert len(corrections.good) == 2, [corrections.messages(2), corrections.messages(3)]
    assert all(outcome.error is None for outcome in apply(corrections, retailer_a.user))
    assert Application.objects.get(reception_number=filed[0].number).payload["contract_number"] == "A-1001"
    assert Application.objects.get(pk=start_of_two.pk).state == State.CANCELLED

    abolitions = validate(
        "SW-W05",
        retailer_b.user,
        csv_bytes("SW-W05", [["1", "", one.number], ["1", "", two.number], ["2", "", one.number]]),
    )
    assert [check.line for check in abolitions.good] == [2, 3]
    assert "更新フラグ" in abolitions.messages(4)
    outcomes = apply(abolitions, retailer_b.user)
    assert all(outcome.error is None for outcome in outcomes)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == SwitchState.MATCHED and two.state == SwitchState.APPROVED
    # A matched switch's 05 can no longer be corrected.
    late = validate("SW-W03", retailer_a.user, csv_bytes("SW-W03", [["2", filed[0].number, "", "A-2001"]]))
    assert "突合が済んでいる" in late.messages(2)


def test_customer_changes_in_a_file(retailer_a: Retailer, retailer_b: Retailer) -> None:
    points = [make_point(retailer_b.organization, serial) for serial in (1, 2)]
    high = make_point(retailer_b.organization, 3, point_class=PointClass.HIGH)
    theirs = make_point(retailer_a.organization, 4)
    rows = [
        ["1", "", points[0], "広域 花子", "", "", ""],  # 2
        ["1", "", points[1], NAME, "", "", ""],  # 3: nothing changes
        ["1", "", high, "広域 花子", "", "", ""],  # 4: 高圧
        ["1", "", theirs, "広域 花子", "", "", ""],  # 5: not our customer
        ["1", "", points[1], "", "", "03-12", ""],  # 6: a bad phone (and a duplicate of 3)
    ]
    checked = validate("SW-W06", retailer_b.user, csv_bytes("SW-W06", rows))
    assert [check.line for check in checked.good] == [2]
    assert "変更する項目を1つ以上" in checked.messages(3)
    assert "SW-W12" not in checked.messages(4) and "SW-H10" in checked.messages(4)
    assert "現在の小売電気事業者ではない" in checked.messages(5)
    assert "電話番号" in checked.messages(6) and "3行目と重複" in checked.messages(6)
    [outcome] = apply(checked, retailer_b.user)
    filed = Application.objects.get(reception_number=outcome.number)
    assert filed.kind == Kind.CUSTOMER_CHANGE and filed.payload["changes"] == {"customer_name": "広域 花子"}

    # 訂正 through the operator (更新フラグ 2) until it takes it, then 取消 (3) refused while it waits.
    again = validate(
        "SW-W06",
        retailer_b.user,
        csv_bytes("SW-W06", [["2", outcome.number, "", "広域 花江", "", "", ""]]),
    )
    assert len(again.good) == 1, again.messages(2)
    assert apply(again, retailer_b.user)[0].error is None
    assert applications.allowed_acts(Application.objects.get(pk=filed.pk)) == frozenset()
    cancel = validate(
        "SW-W06", retailer_b.user, csv_bytes("SW-W06", [["3", outcome.number, "", "", "", "", ""]])
    )
    assert "回答を待っています" in cancel.messages(2)


def test_the_high_voltage_decisions_refuse_a_low_voltage_switch(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    low = cancel_forwards(retailer_a, [make_point(retailer_b.organization, 1)])[0]
    high_point = make_point(retailer_b.organization, 2, point_class=PointClass.HIGH)
    high = cancel_forwards(retailer_a, [high_point], line="high")[0]
    checked = validate(
        "SW-W10",
        retailer_b.user,
        csv_bytes("SW-W10", [[high.number, "ok", "", "", "", ""], [low.number, "ok", "", "", "", ""]]),
    )
    assert [check.line for check in checked.good] == [2]
    assert "SW-L10" in checked.messages(3)
    assert apply(checked, retailer_b.user)[0].number == high.number


PDF = b"%PDF-1.4\n% consent\n"


def consent(data: bytes = PDF) -> dict[str, str]:
    return {
        "consent_file": {
            "name": "同意書.pdf",
            "content_type": "application/pdf",
            "data_b64": base64.b64encode(data).decode(),
        }
    }


def test_usage_passwords_of_one_corporate_customer_one_area_one_consent(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    tokyo = [make_point(retailer_b.organization, serial) for serial in (1, 2)]
    chubu = make_point(retailer_b.organization, 3, area="04")
    high = make_point(retailer_b.organization, 4, point_class=PointClass.HIGH)
    rows = [
        ["1", "", tokyo[0], "3", "", "14"],  # 2
        ["", "", tokyo[1], "point_info", "", ""],  # 3
        ["1", "", chubu, "3", "", ""],  # 4: another area
        ["1", "", high, "3", "", ""],  # 5: 高圧 in the 低圧 file
        ["1", "", tokyo[0], "9", "", ""],  # 6: no such purpose, a duplicate
        ["1", "", tokyo[1].replace("0", "1", 1), "3", "2026/11/20", "3"],  # 7: both validities
    ]
    checked = validate("SW-W07", retailer_a.user, csv_bytes("SW-W07", rows), shared=consent())
    assert [check.line for check in checked.good] == [2, 3]
    assert "同じエリア" in checked.messages(4) and "中部" in checked.messages(4)
    assert "SW-H01" in checked.messages(5)
    assert "利用目的" in checked.messages(6) and "2行目と重複" in checked.messages(6)
    assert "どちらか一方" in checked.messages(7)
    outcomes = apply(checked, retailer_a.user)
    filed = Application.objects.filter(reception_number__in=[outcome.number for outcome in outcomes])
    assert len(filed) == 2 and all(application.kind == Kind.USAGE_PASSWORD for application in filed)
    assert all(application.documents.count() == 1 for application in filed)

    # No consent, or one that is no document: every row refused.
    for shared in ({}, consent(b"MZ not a pdf")):
        refused = validate("SW-W07", retailer_a.user, csv_bytes("SW-W07", rows[:1]), shared=shared)
        assert (
            not refused.good
            and refused.errors_of(2)[0].column_label == "需要者の同意書・本人確認書類（ファイル）"
        )


@pytest.mark.parametrize(
    ("line", "point_class", "ids"),
    [
        ("low", PointClass.LOW, ("SW-W02", "SW-W04", "SW-W03", "SW-W05")),
        ("high", PointClass.HIGH, ("SW-W08", "SW-W10", "SW-W09", "SW-W11")),
        ("fit", PointClass.FIT_GRADUATED, ("SW-W15", "SW-W17", "SW-W16", "SW-W18")),
    ],
)
def test_a_whole_switch_by_files_each_naming_the_numbers_the_last_one_gave(
    retailer_a: Retailer, retailer_b: Retailer, line: str, point_class: str, ids: tuple[str, str, str, str]
) -> None:
    register, decide, start, abolish = ids
    points = [make_point(retailer_b.organization, serial, point_class=point_class) for serial in (1, 2)]
    row = ["1", "", "", NAME, "", ADDRESS, "", "B-1", "", "", ""]
    registered = apply(
        validate(
            register, retailer_a.user, csv_bytes(register, [[*row[:2], point, *row[3:]] for point in points])
        ),
        retailer_a.user,
    )
    numbers = [outcome.number for outcome in registered]
    decided = apply(
        validate(
            decide, retailer_b.user, csv_bytes(decide, [[number, "ok", "", "", "", ""] for number in numbers])
        ),
        retailer_b.user,
    )
    assert [outcome.number for outcome in decided] == numbers
    started = apply(
        validate(
            start,
            retailer_a.user,
            csv_bytes(start, [["1", "", number, f"A-{n}"] for n, number in enumerate(numbers)]),
        ),
        retailer_a.user,
    )
    ended = apply(
        validate(abolish, retailer_b.user, csv_bytes(abolish, [["1", "", number] for number in numbers])),
        retailer_b.user,
    )
    assert all(outcome.error is None for outcome in [*started, *ended])
    assert set(Switch.objects.filter(number__in=numbers).values_list("state", flat=True)) == {
        SwitchState.MATCHED
    }
    assert set(Switch.objects.values_list("point_class", flat=True)) == {point_class}
