"""使用量情報照会 as the real system does it (issue 13, ADR 29): the password comes back to the applying
retailer in its application's answer, valid as long as it chose (at most one month) and usable by
another retailer meanwhile; identity documents checked by their content and never shown to
others; usage from before a change of the contract holder withheld; 13 months, with 30-minute
values where the meter is smart. On the low and the high line, and for a DR contractor."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kouiki.core.calendar import JST
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.core.systems import Role
from kouiki.switching import selectors
from kouiki.switching.models import (
    Application,
    Kind,
    PersonalDataAccess,
    PointClass,
    State,
    SupplyPoint,
    UsageDocument,
)
from kouiki.switching.services import applications
from kouiki.switching.services.registry import record_version
from kouiki.switching.services.usage import Document
from kouiki.tso.models import OperatorMessage
from tests.factories import OrganizationFactory, dr_contractor_user
from tests.switching.conftest import Retailer, make_point, make_retailer, operators_work, reload

pytestmark = pytest.mark.usefixtures("clock")
PURPOSE = "point_info"
PDF = b"%PDF-1.4\n%test document\n"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
MB = 1024 * 1024

LINES = [
    pytest.param("low", PointClass.LOW, id="low"),
    pytest.param("high", PointClass.HIGH, id="high"),
    pytest.param("high", PointClass.HIGH_LARGE, id="high-500kW"),
]


def _password(actor: Any, point: str, line: str = "low", **options: Any) -> Application:
    application = applications.apply_usage_password(
        actor=actor, supply_point_number=point, purpose=PURPOSE, line=line, **options
    )
    operators_work()
    return reload(application)


def _retrieve(actor: Any, point: str, password: str, line: str = "low") -> Application:
    application = applications.retrieve_usage(
        actor=actor, supply_point_number=point, password=password, purpose=PURPOSE, line=line
    )
    operators_work()
    return reload(application)


@pytest.mark.parametrize(("line", "point_class"), LINES)
def test_the_password_comes_back_to_the_filer_only_and_its_read_is_recorded(
    retailer_a: Retailer, retailer_b: Retailer, line: str, point_class: str
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    issued = _password(retailer_a.user, point, line)
    assert issued.state == State.COMPLETED and issued.application_type == "08"

    result = selectors.application_result(actor=retailer_a.user, application=issued)
    assert len(result["password"]) == 10
    assert result["valid_until"] == "2026-12-02"  # one month when not chosen
    [access] = PersonalDataAccess.objects.all()
    assert (access.organization, access.function_id, access.items) == (
        retailer_a.organization,
        "SW-L02" if line == "low" else "SW-H01",
        ["usage"],
    )
    # Another organization does not find the application, let alone its password.
    with pytest.raises(NotFound):
        selectors.application_result(actor=retailer_b.user, application=issued)
    with pytest.raises(NotFound):
        selectors.application_for(actor=retailer_b.user, reception_number=issued.reception_number)


@pytest.mark.parametrize(("line", "point_class"), LINES)
def test_a_second_retailer_retrieves_with_the_first_ones_password_while_it_is_valid(
    retailer_a: Retailer,
    retailer_b: Retailer,
    clock: time_machine.Coordinates,
    line: str,
    point_class: str,
) -> None:
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    issued = _password(retailer_a.user, point, line, valid_days=7)
    password = selectors.application_result(actor=retailer_a.user, application=issued)["password"]
    assert issued.result["valid_until"] == "2026-11-09"

    # 新電力C got the password from 新電力A (with the customer's consent) and uses it.
    retailer_c = make_retailer("9103", "新電力C株式会社")
    used = _retrieve(retailer_c.user, point, password, line)
    assert used.state == State.COMPLETED
    assert (
        len(selectors.application_result(actor=retailer_c.user, application=used)["usage"]["monthly"]) == 13
    )

    clock.move_to(datetime(2026, 11, 9, 23, 59, tzinfo=JST))
    assert _retrieve(retailer_c.user, point, password, line).state == State.COMPLETED
    clock.move_to(datetime(2026, 11, 10, 0, 0, tzinfo=JST))
    late = _retrieve(retailer_c.user, point, password, line)
    assert (late.state, late.error_code) == (State.DEFECTIVE, "usage_password_expired")
    assert "2026年11月09日まで" in late.error_detail
    wrong = _retrieve(retailer_c.user, point, "WRONGPASS2", line)
    assert wrong.error_code == "usage_password_invalid"


def test_the_validity_is_chosen_at_application_and_at_most_one_month(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    chosen = _password(retailer_a.user, point, valid_until=date(2026, 11, 20))
    assert chosen.result["valid_until"] == "2026-11-20"
    assert chosen.payload["valid_until"] == "2026-11-20"
    assert _password(retailer_a.user, point, valid_until=date(2026, 12, 2)).state == State.COMPLETED

    refusals = [
        ({"valid_until": date(2026, 12, 3)}, "usage_validity_too_long", "1か月以内（2026年12月02日まで）"),
        ({"valid_days": 31}, "usage_validity_too_long", "30日まで"),
        ({"valid_until": date(2026, 11, 1)}, "usage_validity_past", "以降の日付"),
        ({"valid_days": 0}, "usage_validity_invalid", "1日以上"),
        ({"valid_days": 3, "valid_until": date(2026, 11, 20)}, "usage_validity_twice", "どちらか一方"),
    ]
    for options, code, words in refusals:
        with pytest.raises(ValidationFailed) as caught:
            applications.apply_usage_password(
                actor=retailer_a.user, supply_point_number=point, purpose=PURPOSE, **options
            )
        assert caught.value.code == code and words in caught.value.message, options
    assert Application.objects.filter(kind=Kind.USAGE_PASSWORD).count() == 2


def test_documents_are_accepted_by_their_content_and_refused_naming_the_file(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    refusals = [
        (Document("運転免許証.pdf", EXE), "usage_document_type", "「運転免許証.pdf」の内容が"),
        (
            Document("大きい.pdf", b"%PDF-" + b"0" * (MB + 1 - 5)),
            "usage_document_too_large",
            "「大きい.pdf」",
        ),
        (Document("空.png", b""), "usage_document_empty", "「空.png」"),
    ]
    for document, code, words in refusals:
        with pytest.raises(ValidationFailed) as caught:
            applications.apply_usage_password(
                actor=retailer_a.user, supply_point_number=point, purpose=PURPOSE, documents=[document]
            )
        assert (caught.value.code, caught.value.field) == (code, "documents")
        assert words in caught.value.message
    with pytest.raises(ValidationFailed) as too_many:
        applications.apply_usage_password(
            actor=retailer_a.user,
            supply_point_number=point,
            purpose=PURPOSE,
            documents=[Document("a.gif", GIF)] * 6,
        )
    assert too_many.value.code == "usage_documents_too_many"
    assert not UsageDocument.objects.exists() and not Application.objects.exists()

    exactly_1_mb = b"%PDF-" + b"0" * (MB - 5)
    filed = _password(
        retailer_a.user,
        point,
        documents=[
            Document("C:\\scan\\保険証.gif", GIF),  # the browser's path is dropped
            Document("本人確認.pdf", exactly_1_mb),
            Document("写真.jpg", PNG),  # a PNG named .jpg is a PNG
        ],
    )
    kept = list(UsageDocument.objects.filter(application=filed).order_by("id"))
    assert [(d.name, d.content_type, d.size) for d in kept] == [
        ("保険証.gif", "image/gif", len(GIF)),
        ("本人確認.pdf", "application/pdf", MB),
        ("写真.jpg", "image/png", len(PNG)),
    ]
    assert bytes(kept[0].data) == GIF and len(kept[0].sha256) == 64
    listed = selectors.usage_documents(actor=retailer_a.user, application=filed)
    assert [item["name"] for item in listed] == ["保険証.gif", "本人確認.pdf", "写真.jpg"]
    assert all("data" not in item for item in listed)


def test_documents_are_never_in_another_partys_reads(retailer_a: Retailer, retailer_b: Retailer) -> None:
    point = make_point(retailer_b.organization, 1)
    filed = _password(retailer_a.user, point, documents=[Document("保険証.gif", GIF)])
    password = filed.result["password"]
    with pytest.raises(NotFound):
        selectors.usage_documents(actor=retailer_b.user, application=filed)
    used = _retrieve(retailer_b.user, point, password)
    read = selectors.application_result(actor=retailer_b.user, application=used)
    assert "保険証" not in str(read) and "documents" not in str(read)
    # The operator's message carries its name, type, size and digest.
    sent = OperatorMessage.objects.get(reference=filed.reception_number).payload
    assert sent["documents"] == [
        {
            "name": "保険証.gif",
            "content_type": "image/gif",
            "size": len(GIF),
            "sha256": sent["documents"][0]["sha256"],
        }
    ]


def test_usage_from_before_a_change_of_the_contract_holder_is_withheld(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    supply_point = SupplyPoint.objects.get(number=point)
    # The same holder written with another space, then a new holder from 2026-03-15.
    record_version(
        supply_point=supply_point, valid_from=datetime(2025, 9, 1, tzinfo=JST), customer_name="広域　太郎"
    )
    record_version(
        supply_point=supply_point, valid_from=datetime(2026, 3, 15, tzinfo=JST), customer_name="広域 花子"
    )
    record_version(
        supply_point=supply_point, valid_from=datetime(2026, 6, 1, tzinfo=JST), customer_phone="03-0000-0000"
    )
    password = _password(retailer_a.user, point).result["password"]

    used = _retrieve(retailer_a.user, point, password)
    usage = used.result["usage"]
    # March 2026 was the former holder's in part: withheld with every month before it.
    assert [month["month"] for month in usage["monthly"]] == [f"2026-{m:02d}" for m in range(4, 11)]
    assert usage["half_hourly"][0]["date"] == "2026-04-01"
    assert usage["withheld_before"] == "2026-04-01"
    assert "契約名義の変更（2026年03月15日）より前の使用量は提供していません" in usage["notice"]


def test_13_monthly_values_and_30_minute_values_for_a_smart_meter_only(
    retailer_a: Retailer, retailer_b: Retailer
) -> None:
    smart = make_point(retailer_b.organization, 1)
    old = make_point(retailer_b.organization, 2, meter={"meter_number": "M2", "smart_meter": False})
    for point in (smart, old):
        password = _password(retailer_a.user, point).result["password"]
        usage = _retrieve(retailer_a.user, point, password).result["usage"]
        months = [month["month"] for month in usage["monthly"]]
        assert (len(months), months[0], months[-1]) == (13, "2025-10", "2026-10")
        assert "withheld_before" not in usage
        if point == smart:
            assert usage["smart_meter"] is True
            assert len(usage["half_hourly"]) == 396 and {len(day["kwh"]) for day in usage["half_hourly"]} == {
                48
            }
        else:
            assert usage["smart_meter"] is False and "half_hourly" not in usage


def test_a_dr_contractor_applies_attaches_and_retrieves(retailer_b: Retailer) -> None:
    organization = OrganizationFactory(code="9401")
    dr = dr_contractor_user(organization=organization, role=Role.USER)
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH)
    filed = _password(dr, point, "high", valid_days=10, documents=[Document("委任状.pdf", PDF)])
    result = selectors.application_result(actor=dr, application=filed)
    assert result["valid_until"] == "2026-11-12"
    assert [d["name"] for d in selectors.usage_documents(actor=dr, application=filed)] == ["委任状.pdf"]
    used = _retrieve(dr, point, result["password"], "high")
    assert used.state == State.COMPLETED and len(used.result["usage"]["monthly"]) == 13


# --- the screens -------------------------------------------------------------------------------------


def _upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("line", "point_class"), [("low", PointClass.LOW), ("high", PointClass.HIGH_LARGE)])
def test_the_password_form_uploads_documents_and_the_answer_shows_the_password(
    client: Client, retailer_a: Retailer, retailer_b: Retailer, line: str, point_class: str
) -> None:
    client.force_login(retailer_a.user)
    point = make_point(retailer_b.organization, 1, point_class=point_class)
    url = reverse("sw:usage_password" if line == "low" else "sw:high_usage_password")
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form and "csrfmiddlewaretoken" in form
    data = {"supply_point_number": point, "purpose": PURPOSE, "valid_days": "10"}

    # A program renamed .pdf (declared application/pdf) is refused on the form, naming the file.
    refused = client.post(url, {**data, "step": "confirm", "documents": [_upload("免許証.pdf", EXE)]})
    assert refused.status_code == 422
    assert "「免許証.pdf」の内容がPDF・JPEG・PNG・GIFのいずれでもありません" in refused.content.decode()
    beyond = client.post(url, {**data, "valid_days": "", "valid_until": "2026-12-03", "step": "confirm"})
    assert beyond.status_code == 422 and "1か月以内（2026年12月02日まで）" in beyond.content.decode()

    confirm = client.post(
        url,
        {
            **data,
            "step": "confirm",
            "documents": [_upload("保険証.gif", GIF, "image/gif"), _upload("a.pdf", PDF)],
        },
    )
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "保険証.gif（" in page and "a.pdf（" in page
    token = re.search(r'name="documents_token" value="([^"]+)"', page)
    assert token is not None
    done = client.post(url, {**data, "step": "submit", "documents_token": token.group(1)})
    assert done.status_code == 302
    filed = Application.objects.get(kind=Kind.USAGE_PASSWORD)
    assert sorted(UsageDocument.objects.filter(application=filed).values_list("name", flat=True)) == [
        "a.pdf",
        "保険証.gif",
    ]
    operators_work()
    detail = client.get(done["Location"] + "?result=1").content.decode()
    assert reload(filed).result["password"] in detail and "2026-11-12 まで" in detail
    assert "保険証.gif" in detail  # the filer sees the names and sizes of its documents
    # Another retailer does not find the application.
    client.force_login(retailer_b.user)
    assert client.get(done["Location"]).status_code == 404


def test_the_usage_screen_shows_charts_beside_the_tables_and_downloads_csv(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1)
    password = _password(retailer_a.user, point).result["password"]
    used = _retrieve(retailer_a.user, point, password)
    client.force_login(retailer_a.user)
    url = reverse("sw:application_detail", args=[used.reception_number])

    page = client.get(url, {"result": "1"}).content.decode()
    assert page.count("<svg") == 2 and 'role="img"' in page
    assert page.count('<rect x="') == 13 + 48  # 13 months of bars, 48 half hours of the last day
    assert "<script" not in page.split("<main", 1)[-1]  # drawn on the server
    assert "2026年10月31日の30分値" in page
    chosen = client.get(url, {"result": "1", "day": "2026-05-03"}).content.decode()
    assert "2026年05月03日の30分値" in chosen

    monthly = client.get(reverse("sw:usage_csv", args=[used.reception_number]))
    assert monthly["Content-Type"] == "text/csv; charset=utf-8"
    text = monthly.content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "供給地点特定番号,年月,使用量（kWh）" and len([x for x in lines if x]) == 14
    assert lines[1].startswith(f"{point},2025-10,")
    half = client.get(reverse("sw:usage_csv", args=[used.reception_number]), {"part": "half_hourly"})
    rows = half.content.decode("utf-8-sig").split("\r\n")
    assert rows[0].startswith("供給地点特定番号,日付,00:00-00:30,00:30-01:00") and rows[0].endswith(
        "23:30-24:00,日計（kWh）"
    )
    assert len([x for x in rows if x]) == 1 + 396
    # Every read of the usage was recorded (the screen twice, the two downloads).
    assert PersonalDataAccess.objects.filter(reference=used.reception_number).count() == 4
    # Another retailer gets nothing.
    client.force_login(retailer_b.user)
    assert client.get(reverse("sw:usage_csv", args=[used.reception_number])).status_code == 404


def test_a_meter_that_is_not_smart_shows_the_months_only(
    client: Client, retailer_a: Retailer, retailer_b: Retailer
) -> None:
    point = make_point(retailer_b.organization, 1, meter={"meter_number": "M1", "smart_meter": False})
    used = _retrieve(retailer_a.user, point, _password(retailer_a.user, point).result["password"])
    client.force_login(retailer_a.user)
    page = client.get(reverse("sw:application_detail", args=[used.reception_number]), {"result": "1"})
    assert page.content.decode().count("<svg") == 1 and "30分値のCSV" not in page.content.decode()
    half = client.get(reverse("sw:usage_csv", args=[used.reception_number]), {"part": "half_hourly"})
    assert half.status_code == 404


def test_a_dr_contractor_uses_the_screens_on_the_high_line(client: Client, retailer_b: Retailer) -> None:
    dr = dr_contractor_user(organization=OrganizationFactory(code="9401"))
    point = make_point(retailer_b.organization, 1, point_class=PointClass.HIGH)
    client.force_login(dr)
    url = reverse("sw:high_usage_password")
    data = {"supply_point_number": point, "purpose": PURPOSE}
    confirm = client.post(url, {**data, "step": "confirm", "documents": [_upload("委任状.pdf", PDF)]})
    token = re.search(r'name="documents_token" value="([^"]+)"', confirm.content.decode())
    assert token is not None
    assert client.post(url, {**data, "step": "submit", "documents_token": token.group(1)}).status_code == 302
    operators_work()
    filed = Application.objects.get(kind=Kind.USAGE_PASSWORD)
    used = _retrieve(dr, point, reload(filed).result["password"], "high")
    page = client.get(reverse("sw:high_application_detail", args=[used.reception_number]), {"result": "1"})
    assert page.status_code == 200 and page.content.decode().count("<svg") == 2
    assert client.get(reverse("sw:high_usage_csv", args=[used.reception_number])).status_code == 200
