"""The operators' 検針日程 calendars in the back office (送配電連携): loaded from a CSV all or nothing,
every bad row named by line and column, audited, staff only; the list of loaded months; the demo's
generated calendars (ADR 25)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.calendar import JST
from kouiki.core.errors import Forbidden
from kouiki.identity.models import User
from kouiki.tso import demo
from kouiki.tso.choices import READING_CODES
from kouiki.tso.models import ReadingCalendar, ReadingDate
from kouiki.tso.services import reading_calendars
from kouiki.tso.services.reading_calendars import ReadingCalendarLoadFailed, demo_calendar
from tests.access import sent_to_login
from tests.tso.calendars import load_reading_calendars

HEADER = "エリア,年月,検針日程,検針日"
# Far from the months other tests' calendars cover.
MONTH = date(2032, 4, 1)
LIST = "/backoffice/tso/reading-calendars/"
IMPORT = "/backoffice/tso/reading-calendars/import/"
TEMPLATE = "/backoffice/tso/reading-calendars/template.csv"


def month_rows(area: str, month: date = MONTH, **changes: str | None) -> list[str]:
    """The CSV rows of `area`'s demo calendar of `month`; `c10="..."` replaces the row of code 10,
    `c10=None` drops it."""
    rows = []
    for code, day in demo_calendar(area, month).items():
        row = changes.get(f"c{code}", f"{area},{month:%Y/%m},{code},{day:%Y/%m/%d}")
        if row is not None:
            rows.append(row)
    return rows


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join([header, *rows]).encode(encoding)


def load(actor: User, *rows: str, dry_run: bool = False, **options: Any) -> reading_calendars.CalendarLoad:
    return reading_calendars.load_reading_calendars(
        actor=actor, data=csv_bytes(*rows, **options), filename="検針日程.csv", dry_run=dry_run
    )


def stored(area: str, month: date = MONTH) -> dict[str, date]:
    return dict(
        ReadingDate.objects.filter(calendar__area=area, calendar__month=month).values_list(
            "code", "reading_date"
        )
    )


def test_a_good_file_loads_each_areas_month_and_is_audited(staff: User) -> None:
    outcome = load(staff, *month_rows("03"), *month_rows("01"))

    assert [(c.area, c.month, c.replaces) for c in outcome.planned] == [
        ("01", MONTH, False),
        ("03", MONTH, False),
    ]
    assert outcome.rows == len(READING_CODES["03"]) + len(READING_CODES["01"])
    assert stored("03") == demo_calendar("03", MONTH) and stored("01") == demo_calendar("01", MONTH)
    tokyo = ReadingCalendar.objects.get(area="03", month=MONTH)
    assert tokyo.loaded_by == staff and tokyo.filename == "検針日程.csv"
    event = Event.objects.get(action=Action.TSO_READING_CALENDAR_LOAD)
    assert event.actor_id == staff.pk and event.detail["rows"] == outcome.rows
    assert event.detail["calendars"] == [
        {"area": "01", "month": "2032-04", "replaced": False},
        {"area": "03", "month": "2032-04", "replaced": False},
    ]


def test_excel_cp932_with_area_names_months_as_dates_and_one_digit_codes_is_accepted(staff: User) -> None:
    rows = [
        f"東京,2032/4/1,{int(code)},{day.year}年{day.month}月{day.day}日"
        for code, day in demo_calendar("03", MONTH).items()
    ]
    outcome = load(staff, *rows, encoding="cp932")

    assert outcome.encoding == "cp932"
    assert stored("03") == demo_calendar("03", MONTH)


def test_a_month_loaded_again_is_replaced_whole(staff: User) -> None:
    load(staff, *month_rows("03"))
    moved = load(staff, *month_rows("03", c10="03,2032/04,10,2032/04/28"), dry_run=True)
    assert [c.replaces for c in moved.planned] == [True]
    assert stored("03")["10"] == demo_calendar("03", MONTH)["10"]  # a dry run changes nothing

    load(staff, *month_rows("03", c10="03,2032/04,10,2032/04/28"))

    assert ReadingCalendar.objects.filter(area="03", month=MONTH).count() == 1
    assert stored("03")["10"] == date(2032, 4, 28)
    assert len(stored("03")) == len(READING_CODES["03"])
    last = Event.objects.filter(action=Action.TSO_READING_CALENDAR_LOAD).latest("id")
    assert last.detail["calendars"] == [{"area": "03", "month": "2032-04", "replaced": True}]


BAD_ROWS = [
    # (the row of code 10 becomes ..., the column named, what the message says)
    ("11,2032/04,10,2032/04/15", "エリア", "エリアは01（北海道）から10（沖縄）"),
    ("03,2032/13,10,2032/04/15", "年月", "年月は「2027/01」の形式で入力してください。"),
    ("03,1999/04,10,1999/04/15", "年月", "年月は2000年から2099年までの月で入力してください。"),
    ("03,2032/04,A1,2032/04/15", "検針日程", "検針日程は2桁の数字で入力してください"),
    (
        "03,2032/04,05,2032/04/15",
        "検針日程",
        "東京エリアに検針日程「05」はありません（東京エリアの検針日程は 01〜04、08〜12",
    ),
    ("03,2032/04,10,2032/04/31", "検針日", "日付は「2025/06/30」の形式で、存在する日付を入力してください。"),
    ("03,2032/04,10,2032/05/01", "検針日", "検針日（2032/05/01）が年月（2032年4月）の日付ではありません。"),
    ("03,2032/04,10,", "検針日", "入力してください。"),
    ("03,2032/04,10", None, "列の数が正しくありません"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_named_by_line_and_column_and_nothing_is_loaded(
    staff: User, row: str, column: str | None, message: str
) -> None:
    good = month_rows("01")  # lines 2..24: a whole good month of another area in the same file
    before = (ReadingCalendar.objects.count(), ReadingDate.objects.count(), Event.objects.count())
    tokyo = month_rows("03", c10=row)

    with pytest.raises(ReadingCalendarLoadFailed) as failed:
        load(staff, *good, *tokyo)

    line = 2 + len(good) + list(READING_CODES["03"]).index("10")
    errors = [(error.line, error.column_label, error.message) for error in failed.value.row_errors]
    assert any(
        error_line == line and error_column == column and message in error_message
        for error_line, error_column, error_message in errors
    ), errors
    assert (ReadingCalendar.objects.count(), ReadingDate.objects.count(), Event.objects.count()) == before


def test_a_row_twice_and_a_month_without_every_code_are_refused(staff: User) -> None:
    tokyo = month_rows("03", c10=None)  # no code 10 in Tokyo's April
    duplicate = month_rows("01")
    duplicate.append(duplicate[0])  # Hokkaido's code 01 twice

    with pytest.raises(ReadingCalendarLoadFailed) as failed:
        load(staff, *tokyo, *duplicate)

    messages = [str(error) for error in failed.value.row_errors]
    assert "2行目「検針日程」: 東京エリアの2032年4月に検針日程 10 の検針日がありません" in messages[0]
    last_line = 1 + len(tokyo) + len(duplicate)
    duplicate_of = len(tokyo) + 2
    assert (
        f"{last_line}行目「検針日程」: {duplicate_of}行目と同じエリア・年月・検針日程です（重複しています）。"
        in messages
    )
    assert not ReadingCalendar.objects.filter(month=MONTH).exists()


def test_file_errors_are_reported_too(staff: User) -> None:
    with pytest.raises(ReadingCalendarLoadFailed) as missing_column:
        load(staff, "03,2032/04,10", header="エリア,年月,検針日程")
    assert any(
        "見出し行に列 「検針日」 がありません" in str(error) for error in missing_column.value.row_errors
    )
    with pytest.raises(ReadingCalendarLoadFailed) as empty:
        load(staff)
    assert [error.code for error in empty.value.row_errors] == ["csv_no_rows"]


def test_only_staff_load_calendars(member_user: User) -> None:
    with pytest.raises(Forbidden):
        load(member_user, *month_rows("03"))
    assert not ReadingCalendar.objects.filter(month=MONTH).exists()


# --- the screens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, IMPORT, TEMPLATE, "/backoffice/tso/reading-calendars/03/2032-04/"])
def test_the_screens_are_for_staff_only(client: Client, member_user: User, url: str) -> None:
    assert client.get(url).status_code == 302  # to the back office's login

    client.force_login(member_user)
    assert sent_to_login(client.get(url), "backoffice")
    assert sent_to_login(
        client.post(IMPORT, {"file": SimpleUploadedFile("a.csv", csv_bytes())}), "backoffice"
    )


@pytest.fixture
def in_april() -> Any:
    """Today is 2032-04-10 (Japan)."""
    with time_machine.travel(datetime(2032, 4, 10, 10, 0, tzinfo=JST), tick=False) as traveller:
        yield traveller


def test_the_list_shows_the_loaded_months_per_area_and_warns_of_this_and_next_month(
    in_april: Any, staff_client: Client, staff: User, django_assert_max_num_queries: Any
) -> None:
    load(staff, *month_rows("03"), *month_rows("03", date(2032, 5, 1)), *month_rows("01"))

    with django_assert_max_num_queries(12):
        page = staff_client.get(LIST).content.decode()

    assert "2032年4月" in page and "2033年5月" in page  # this month and the next 13
    assert page.count('href="/backoffice/tso/reading-calendars/03/2032-0') == 2
    assert 'href="/backoffice/tso/reading-calendars/01/2032-04/"' in page
    assert "次の月の検針日程カレンダーが登録されていません" in page
    assert "北海道エリア 2032年5月" in page and "東京エリア 2032年5月" not in page
    assert "東京（03）" in page and "01〜04、08〜12、15〜19、22〜26（19種類）" in page

    earlier = staff_client.get(LIST, {"start": "2032-03"}).content.decode()
    assert "2032年3月" in earlier and "2033年5月" not in earlier
    refused = staff_client.get(LIST, {"start": "9999-12"}).content.decode()
    assert "表示開始年月は2000年から2099年までの日時で入力してください。" in refused


def test_the_detail_shows_each_code_and_its_date(staff_client: Client, staff: User) -> None:
    load(staff, *month_rows("03"))

    page = staff_client.get("/backoffice/tso/reading-calendars/03/2032-04/").content.decode()

    assert "東京 2032年4月" in page and "検針日程.csv" in page
    first = demo_calendar("03", MONTH)["01"]
    assert f"<td>01</td><td>{first:%Y/%m/%d}（" in page
    assert staff_client.get("/backoffice/tso/reading-calendars/03/2032-05/").status_code == 404
    assert staff_client.get("/backoffice/tso/reading-calendars/99/2032-04/").status_code == 404
    assert staff_client.get("/backoffice/tso/reading-calendars/03/april/").status_code == 404


def test_the_import_screen_loads_a_good_file_and_lists_every_bad_row(staff_client: Client) -> None:
    bad = month_rows("03", c10="03,2032/04,10,2032/05/01")
    response = staff_client.post(IMPORT, {"file": SimpleUploadedFile("bad.csv", csv_bytes(*bad))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "検針日程カレンダーの誤り（1件）" in page and "どの月も登録していません" in page
    assert "検針日（2032/05/01）が年月（2032年4月）の日付ではありません。" in page
    assert not ReadingCalendar.objects.filter(month=MONTH).exists()

    checked = staff_client.post(
        IMPORT, {"file": SimpleUploadedFile("ok.csv", csv_bytes(*month_rows("03"))), "dry_run": "on"}
    ).content.decode()
    assert "登録予定の検針日程カレンダー（1か月分、まだ登録していません）" in checked and "新規" in checked
    assert not ReadingCalendar.objects.filter(month=MONTH).exists()

    done = staff_client.post(IMPORT, {"file": SimpleUploadedFile("ok.csv", csv_bytes(*month_rows("03")))})
    assert done.status_code == 302 and done["Location"] == LIST
    assert stored("03") == demo_calendar("03", MONTH)


def test_the_template_is_next_months_tokyo_calendar_and_loads_as_it_is(
    in_april: Any, staff_client: Client, staff: User
) -> None:
    response = staff_client.get(TEMPLATE)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = response.content
    assert data.decode("utf-8-sig").startswith(HEADER + "\r\n03,2032/05,01,")

    reading_calendars.load_reading_calendars(actor=staff, data=data, filename="見本.csv")
    assert stored("03", date(2032, 5, 1)) == demo_calendar("03", date(2032, 5, 1))


# --- the demo and the tests' calendars ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_loads_this_month_and_the_next_13_for_every_area_once(in_april: Any) -> None:
    assert demo.load() == 10 * 14
    assert demo.load() == 0
    months = set(ReadingCalendar.objects.filter(area="10").values_list("month", flat=True))
    assert date(2032, 4, 1) in months and date(2033, 5, 1) in months and date(2033, 6, 1) not in months
    assert stored("08", date(2033, 5, 1)) == demo_calendar("08", date(2033, 5, 1))
    assert ReadingCalendar.objects.filter(loaded_by__isnull=True, filename="").count() == 140


@pytest.mark.django_db
def test_a_loaded_month_is_kept_by_the_demo_and_the_tests_helper(staff: User) -> None:
    load(staff, *month_rows("03", c10="03,2032/04,10,2032/04/28"))

    written = load_reading_calendars(first_month=MONTH, months=2, areas=["03", "01"])

    assert written == 3  # Tokyo's April was loaded: Tokyo's May, Hokkaido's April and May
    assert stored("03")["10"] == date(2032, 4, 28)
