"""Power source information (CAP-P1, CAP-P2) as a participant and the organization's staff use it:
register, change and delete, each reviewed, with its state and history; the rules of each category;
the CSV import (all or nothing, every bad row with its line) and export; other organizations'
sources are not found."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kouiki.audit.models import Event
from kouiki.capacity.models import Operator, PowerSource, PowerSourceVersion
from kouiki.capacity.services import sources, sources_csv
from kouiki.capacity.services.payloads import validate_source
from kouiki.core import csvio
from kouiki.core.errors import ValidationFailed
from kouiki.identity.models import User
from kouiki.reviews import services as reviews
from kouiki.reviews.models import Application, State
from tests.capacity.helpers import AGGREGATE, STABLE, last_mail, login, mails, point, source_post
from tests.membership.join_helpers import staff_session

HEADER = ",".join(sources_csv.HEADER)


def registered(user: User, staff: User, values: dict[str, Any] = STABLE) -> PowerSource:
    application = sources.file_registration(actor=user, payload=values)
    approved = reviews.approve(actor=staff, application=application)
    return PowerSource.objects.get(registration_number=approved.reception_number)


# --- register / change / delete through the screens -------------------------------------------------


def test_cap_p1_p2_register_change_delete_each_reviewed(
    client: Client, operator: Operator, cap_user: User, staff: User
) -> None:
    login(client, cap_user)
    assert "登録申請" in client.get("/capacity/sources/").content.decode()

    # Register: an application, no power source (and no identifier) until approved.
    response = client.post("/capacity/sources/new/", source_post(STABLE))
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(kind="capacity.source")
    assert application.state == State.SUBMITTED and application.reception_number.startswith("PR")
    assert not PowerSource.objects.exists()
    receipt = last_mail("capacity/mail/sources_received")
    assert receipt.to == [cap_user.email] and application.reception_number in receipt.body
    states = client.get("/capacity/sources/applications/").content.decode()
    assert application.reception_number in states and "申請中" in states

    # The organization holds it; the participant corrects and resubmits.
    staff_client = staff_session(Client(), staff)
    application.refresh_from_db()
    staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "hold", "reason": "連系電圧を確認してください。", "version": application.version},
    )
    page = client.get(f"/capacity/sources/applications/{application.pk}/").content.decode()
    assert "連系電圧を確認してください。" in page and "保留" in page
    response = client.post(
        f"/capacity/sources/applications/{application.pk}/edit/",
        source_post({**STABLE, "connection_voltage_kv": "154"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.state == State.RESUBMITTED and application.payload["connection_voltage_kv"] == "154.0"

    # Approval issues the identifier and version 1.
    application.refresh_from_db()
    staff_client.post(
        f"/backoffice/reviews/{application.pk}/decide/",
        {"decision": "approve", "version": application.version, "confirmed": "1"},
    )
    source = PowerSource.objects.get()
    assert source.source_id == "P0000001" and source.version == 1 and source.is_registered
    assert source.operator == operator
    assert str(source.connection_voltage_kv) == "154.0"
    application.refresh_from_db()
    assert application.subject == "P0000001 キャパ火力発電所１号機"
    assert "キャパ火力発電所１号機" in client.get("/capacity/sources/").content.decode()

    # Change: reviewed; the registered values stay until approved.
    response = client.post(
        "/capacity/sources/P0000001/change/", source_post({**STABLE, "expected_capacity_kw": 380_000})
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    change = Application.objects.get(kind="capacity.source_change")
    assert change.payload["source_id"] == "P0000001" and change.current["expected_capacity_kw"] == 390_000
    detail = client.get("/capacity/sources/P0000001/").content.decode()
    assert change.reception_number in detail
    # One request at a time per source.
    response = client.post("/capacity/sources/P0000001/delete/", {"reason": "廃止"})
    assert "審査中の申請" in response.content.decode()
    review = staff_client.get(f"/backoffice/reviews/{change.pk}/").content.decode()
    assert "390,000" in review and "380,000" in review
    reviews.approve(actor=staff, application=change)
    source.refresh_from_db()
    assert source.version == 2 and source.expected_capacity_kw == 380_000

    # Delete: reviewed; the source and its versions stay, marked deleted.
    response = client.post("/capacity/sources/P0000001/delete/", {"reason": "設備を廃止するため。"})
    assert response.status_code == 302
    deletion = Application.objects.get(kind="capacity.source_deletion")
    reviews.approve(actor=staff, application=deletion)
    source.refresh_from_db()
    assert not source.is_registered and source.deleted_at is not None and source.version == 3
    assert [v.summary for v in PowerSourceVersion.objects.filter(source=source).order_by("version")] == [
        "登録",
        "変更",
        "削除",
    ]
    history = client.get("/capacity/sources/P0000001/").content.decode()
    assert "第3版" in history and "390,000 → 380,000" in history
    assert "キャパ火力発電所１号機" not in client.get("/capacity/sources/").content.decode()
    assert Event.objects.filter(action="capacity.source_delete").count() == 1
    # Decisions are mailed to the applicant and the administrator.
    approved = last_mail("reviews/mail/approve")
    assert cap_user.email in approved.to and operator.administrator.email in approved.to


def test_an_aggregate_is_registered_with_its_members_through_the_screen(
    client: Client, operator: Operator, cap_user: User, staff: User
) -> None:
    login(client, cap_user)
    response = client.post("/capacity/sources/new/", source_post(AGGREGATE))
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(kind="capacity.source")
    assert [member["name"] for member in application.payload["members"]] == ["第一太陽光", "第二太陽光"]
    reviews.approve(actor=staff, application=application)
    source = PowerSource.objects.get()
    assert [(m.position, m.capacity_kw) for m in source.members.all()] == [(1, 2_000), (2, 1_000)]
    page = client.get(f"/capacity/sources/{source.source_id}/").content.decode()
    assert "第二太陽光" in page and point("09", 12) in page


def test_the_screen_puts_the_category_rules_next_to_the_fields(
    client: Client, operator: Operator, cap_user: User
) -> None:
    login(client, cap_user)
    bad = {
        **AGGREGATE,
        "installed_capacity_kw": 5_000,
        "receiving_point_number": point("09", 99),
        "members": [{**AGGREGATE["members"][0], "point_number": point("03", 11)}],
    }
    response = client.post("/capacity/sources/new/", source_post(bad))
    page = response.content.decode()
    assert response.status_code == 200
    assert "構成電源を2件以上入力してください" in page
    assert "同じエリア（九州）" in page
    assert "構成電源ごとの受電地点特定番号" in page
    assert not Application.objects.filter(kind="capacity.source").exists()


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"installed_capacity_kw": 999}, "installed_capacity_kw", "1,000kW以上"),
        ({"installed_capacity_kw": 10_000_001}, "installed_capacity_kw", "10,000,000kW以下"),
        ({"installed_capacity_kw": -5}, "installed_capacity_kw", "1kW以上"),
        ({"expected_capacity_kw": 500_000}, "expected_capacity_kw", "設備容量以下"),
        (
            {"category": "variable_single", "generation_type": "solar", "expected_capacity_kw": None},
            "expected_capacity_kw",
            "期待容量",
        ),
        ({"generation_type": "solar"}, "generation_type", "安定電源の発電方式等"),
        (
            {"receiving_point_number": point("06", 1)},
            "receiving_point_number",
            "エリア（東京: 03）と一致しません",
        ),
        ({"receiving_point_number": "123"}, "receiving_point_number", "22桁"),
        ({"ownership": "other"}, "owner_name", "保有者名"),
        ({"grid_connection": ""}, "grid_connection", "系統連系点を入力してください"),
        ({"area": "11"}, "area", "エリアの選択が正しくありません"),
    ],
)
def test_power_source_rules(changes: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_source({**STABLE, **changes})
    assert any(message in text for text in caught.value.errors[key]), caught.value.errors


def test_an_aggregate_needs_members_summing_to_its_capacity() -> None:
    wrong_sum = copy.deepcopy(AGGREGATE)
    wrong_sum["members"][1]["capacity_kw"] = 500
    with pytest.raises(ValidationFailed) as caught:
        validate_source(wrong_sum)
    assert "合計（2,500kW）" in caught.value.errors["installed_capacity_kw"][0]
    same_point = copy.deepcopy(AGGREGATE)
    same_point["members"][1]["point_number"] = same_point["members"][0]["point_number"]
    with pytest.raises(ValidationFailed) as caught:
        validate_source(same_point)
    assert "1件目の構成電源と同じ地点" in caught.value.errors["members.1.point_number"][0]
    cleaned = validate_source(
        {
            **AGGREGATE,
            "category": "dispatchable",
            "generation_type": "demand_response",
            "members": [
                {
                    "name": "梅田工場",
                    "point_number": point("09", 21),
                    "generation_type": "demand_response",
                    "capacity_kw": 3_000,
                }
            ],
        }
    )
    assert cleaned["members"][0]["capacity_kw"] == 3_000


def test_a_point_registered_for_one_source_cannot_be_claimed_again(
    operator: Operator, cap_user: User, staff: User, other_operator: Operator
) -> None:
    source = registered(cap_user, staff)
    with pytest.raises(ValidationFailed) as caught:
        sources.file_registration(actor=cap_user, payload={**STABLE, "name": "別名"})
    assert source.source_id in caught.value.errors["receiving_point_number"][0]
    # Two registrations of one point waiting at once: the second approval is refused.
    first = sources.file_registration(
        actor=cap_user, payload={**STABLE, "receiving_point_number": point("03", 5)}
    )
    second = sources.file_registration(
        actor=cap_user, payload={**STABLE, "receiving_point_number": point("03", 5)}
    )
    reviews.approve(actor=staff, application=first)
    with pytest.raises(ValidationFailed, match="承認できません"):
        reviews.approve(actor=staff, application=second)
    second.refresh_from_db()
    assert second.state == State.SUBMITTED


# --- CSV ----------------------------------------------------------------------------------------------


def csv_file(*lines: str, encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "sources.csv", "\r\n".join([HEADER, *lines]).encode(encoding), content_type="text/csv"
    )


STABLE_LINE = (
    '電源,キャパ火力発電所２号機,東京,千葉県市原市五井1,安定電源,火力（LNG）,"400,000",390000,'
    "0300000000000000000021,五井変電所 275kV母線,275,自社保有,,2016/04/01,,,,"
)
AGGREGATE_LINES = (
    "電源,キャパ風力アグリゲート,2,青森県ほか,変動電源（アグリゲート）,風力,3000,1000,,,,自社保有,,,,,,",
    "構成,,,,,,,,,,,,,,第一風力,0200000000000000000031,風力,2000",
    "構成,,,,,,,,,,,,,,第二風力,0200000000000000000032,風力,1000",
)


def test_cap_p1_csv_import_with_a_bad_row_files_nothing_and_reports_every_line(
    client: Client, operator: Operator, cap_user: User
) -> None:
    login(client, cap_user)
    upload = csv_file(
        STABLE_LINE,
        *AGGREGATE_LINES,
        "電源,不明なエリア,関東,東京都,安定電源,火力（LNG）,5000,,0300000000000000000041,変電所,66,自社保有,,,,,,",
        "電源,小さな電源,東京,東京都,安定電源,火力（LNG）,500,,0300000000000000000042,変電所,66,自社保有,,,,,,",
        "構成,,,,,,,,,,,,,,第三風力,0300000000000000000033,風力,100",
        encoding="cp932",
    )
    response = client.post("/capacity/sources/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "1件も申請していません" in page
    errors = re.findall(r"<tr><td>(\d+)行目</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert [(line, column) for line, column, _message in errors] == [
        ("6", "エリア"),
        ("7", "設備容量（kW）"),
        ("8", "構成電源"),
    ]
    assert "「関東」は使用できません" in errors[0][2]
    assert "1,000kW以上" in errors[1][2]
    assert "安定電源には構成電源を入力できません" in errors[2][2]
    assert not Application.objects.filter(kind="capacity.source").exists()
    with pytest.raises(sources.SourceImportFailed) as caught:
        sources.import_sources(
            actor=cap_user,
            data="\r\n".join(
                [
                    HEADER,
                    STABLE_LINE,
                    "電源,重複,東京,東京都,安定電源,火力（LNG）,1000,,0300000000000000000021,変電所,66,自社保有,,,,,,",
                ]
            ).encode(),
        )
    assert [(error.line, error.column_label) for error in caught.value.row_errors] == [
        (3, "受電地点特定番号")
    ]
    assert "2行目の電源等と同じ地点" in caught.value.row_errors[0].message


def test_cap_p1_csv_import_files_one_application_per_source(
    client: Client, operator: Operator, cap_user: User, staff: User
) -> None:
    login(client, cap_user)
    preview = client.post(
        "/capacity/sources/import/", {"file": csv_file(STABLE_LINE, *AGGREGATE_LINES), "dry_run": "on"}
    )
    assert "2件の電源等を申請できます" in preview.content.decode()
    assert not Application.objects.filter(kind="capacity.source").exists()
    response = client.post("/capacity/sources/import/", {"file": csv_file(STABLE_LINE, *AGGREGATE_LINES)})
    assert response.status_code == 302
    applications = list(Application.objects.filter(kind="capacity.source").order_by("id"))
    assert [a.subject for a in applications] == ["キャパ火力発電所２号機", "キャパ風力アグリゲート"]
    assert applications[0].payload["installed_capacity_kw"] == 400_000
    assert applications[1].payload["area"] == "02"
    assert len(applications[1].payload["members"]) == 2
    assert len(mails("capacity/mail/sources_received")) == 1  # one receipt for the file
    assert not mails("reviews/mail/submit")
    for application in applications:
        reviews.approve(actor=staff, application=application)
    assert PowerSource.objects.count() == 2


def test_cap_p1_csv_export_lists_the_registered_sources_and_their_members(
    client: Client, operator: Operator, cap_user: User, staff: User, other_operator: Operator
) -> None:
    registered(cap_user, staff)
    registered(cap_user, staff, AGGREGATE)
    login(client, cap_user)
    response = client.get("/capacity/sources/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    result = csvio.read_csv(data)
    rows = [row.cells for row in result.rows]
    assert result.header == tuple(sources_csv.EXPORT_HEADER)
    assert [row[:3] for row in rows] == [
        ("P0000001", "電源", "キャパ火力発電所１号機"),
        ("P0000002", "電源", "キャパ太陽光アグリゲート"),
        ("P0000002", "構成", ""),
        ("P0000002", "構成", ""),
    ]
    assert rows[3][-4:] == ("第二太陽光", point("09", 12), "太陽光", "1000")
    cp932 = client.get("/capacity/sources/export.csv", {"encoding": "cp932"})
    assert "キャパ火力".encode("cp932") in cp932.content


def test_the_sample_csv_imports_cleanly(operator: Operator, cap_user: User) -> None:
    outcome = sources.import_sources(actor=cap_user, data=sources_csv.template(), dry_run=True)
    assert [payload["name"] for payload in outcome.planned] == [
        "広域火力発電所１号機",
        "広域太陽光アグリゲート",
    ]


# --- scope ------------------------------------------------------------------------------------------


def test_another_organizations_power_sources_are_not_found(
    client: Client, operator: Operator, cap_user: User, staff: User, other_operator: Operator
) -> None:
    other_user = User.objects.get(organization=other_operator.organization, login_id="adm001")
    other_source = registered(other_user, staff, {**STABLE, "receiving_point_number": point("03", 77)})
    other_application = Application.objects.get(reception_number=other_source.registration_number)
    login(client, cap_user)
    assert client.get(f"/capacity/sources/{other_source.source_id}/").status_code == 404
    assert client.get(f"/capacity/sources/{other_source.source_id}/change/").status_code == 404
    assert (
        client.post(f"/capacity/sources/{other_source.source_id}/delete/", {"reason": "x"}).status_code == 404
    )
    assert client.get(f"/capacity/sources/applications/{other_application.pk}/").status_code == 404
    listing = client.get("/capacity/sources/", {"status": "all"}).content.decode()
    assert other_source.source_id not in listing
    assert other_source.name not in client.get("/capacity/sources/export.csv").content.decode("utf-8-sig")
    assert not Application.objects.filter(kind="capacity.source_deletion").exists()


def test_the_source_list_does_not_query_per_row(
    client: Client, operator: Operator, cap_user: User, staff: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(3):
        registered(
            cap_user,
            staff,
            {
                **AGGREGATE,
                "members": [
                    {**member, "point_number": point("09", 100 + number * 10 + index)}
                    for index, member in enumerate(AGGREGATE["members"])
                ],
            },
        )
    login(client, cap_user)
    with django_assert_max_num_queries(20):
        assert client.get("/capacity/sources/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/capacity/sources/export.csv").status_code == 200


def test_staff_see_every_operators_sources(
    operator: Operator, cap_user: User, staff: User, staff_client: Client
) -> None:
    source = registered(cap_user, staff)
    listing = staff_client.get("/backoffice/capacity/sources/").content.decode()
    assert source.source_id in listing and operator.name in listing
    detail = staff_client.get(f"/backoffice/capacity/sources/{source.pk}/").content.decode()
    assert "第1版" in detail and "五井変電所" in detail
    download = staff_client.get("/backoffice/capacity/sources/", {"download": "csv"})
    assert source.source_id.encode() in download.content
    assert re.search(r"容量市場", staff_client.get("/backoffice/").content.decode())


def test_an_undecided_application_is_withdrawn(client: Client, operator: Operator, cap_user: User) -> None:
    application = sources.file_registration(actor=cap_user, payload=STABLE)
    login(client, cap_user)
    response = client.post(
        f"/capacity/sources/applications/{application.pk}/withdraw/", {"version": application.version}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    # The point is free again for a new registration.
    assert sources.file_registration(actor=cap_user, payload=STABLE).state == State.SUBMITTED


# --- audit fixes: the CSV's limits, the area's digits, a tampered member formset ---------------------


def unknown_area_line(number: int) -> str:
    """A source line whose only error is its area (「関東」 is no area)."""
    cells = (
        "電源",
        f"電源{number}",
        "関東",
        "東京都",
        "安定電源",
        "火力（LNG）",
        "5000",
        "",
        point("03", number),
    )
    return ",".join([*cells, "変電所", "66", "自社保有", "", "", "", "", "", ""])


def test_cap_p1_csv_import_over_the_limit_is_refused_before_any_row_is_checked(
    operator: Operator, cap_user: User
) -> None:
    too_many = "\r\n".join([HEADER, *(unknown_area_line(number) for number in range(1, 1002))])
    with pytest.raises(sources.SourceImportFailed) as caught:
        sources.import_sources(actor=cap_user, data=too_many.encode(), dry_run=True)
    assert [(error.line, error.code) for error in caught.value.row_errors] == [(None, "csv_too_many")]
    assert "1,000件までです（このファイルは1,001件）" in caught.value.row_errors[0].message
    # Lines too broken to say what they are count too: no line-by-line report of junk.
    junk = "\r\n".join([HEADER, *(["a,b"] * 1001)])
    with pytest.raises(sources.SourceImportFailed) as caught:
        sources.import_sources(actor=cap_user, data=junk.encode(), dry_run=True)
    assert [error.code for error in caught.value.row_errors] == ["csv_too_many"]
    assert not Application.objects.filter(kind="capacity.source").exists()


def test_cap_p1_csv_import_page_lists_the_first_hundred_errors_and_counts_the_rest(
    client: Client, operator: Operator, cap_user: User
) -> None:
    login(client, cap_user)
    upload = csv_file(*(unknown_area_line(number) for number in range(1, 151)))
    response = client.post("/capacity/sources/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    errors = re.findall(r"<tr><td>(\d+)行目</td><td>(.*?)</td><td>(.*?)</td></tr>", page)
    assert [line for line, _column, _message in errors] == [str(line) for line in range(2, 102)]
    assert "電源等情報の誤り（150件）" in page
    assert "ほか50件のエラーがあります" in page


@pytest.mark.parametrize("area", ["፩", "١"])
def test_cap_p1_csv_area_in_digits_of_other_scripts_is_a_row_error(
    client: Client, operator: Operator, cap_user: User, area: str
) -> None:
    line = STABLE_LINE.replace(",東京,", f",{area},", 1)
    login(client, cap_user)
    response = client.post("/capacity/sources/import/", {"file": csv_file(line)})
    assert response.status_code == 200
    errors = re.findall(r"<tr><td>(\d+)行目</td><td>(.*?)</td><td>(.*?)</td></tr>", response.content.decode())
    assert [(line, column) for line, column, _message in errors] == [("2", "エリア")]
    assert f"「{area}」は使用できません" in errors[0][2]
    assert not Application.objects.filter(kind="capacity.source").exists()


@pytest.mark.parametrize(
    ("tampering", "message"),
    [("no management form", "画面を開き直して入力してください"), ("5000 rows", "構成電源は1,000件までです")],
)
def test_a_tampered_member_formset_is_reported_not_silently_ignored(
    client: Client, operator: Operator, cap_user: User, tampering: str, message: str
) -> None:
    post = source_post(STABLE)
    if tampering == "no management form":
        post = {key: value for key, value in post.items() if not key.startswith("members-")}
    else:
        post["members-TOTAL_FORMS"] = "5000"
    login(client, cap_user)
    response = client.post("/capacity/sources/new/", post)
    page = response.content.decode()
    assert response.status_code == 200
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None and message in summary[0], page[:3000]
    assert not Application.objects.filter(kind="capacity.source").exists()
