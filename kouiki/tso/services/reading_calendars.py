"""The operators' 検針日程 calendars (docs/decisions/0025): each month, each operator publishes on
which date the points of each 検針日程 code are read. Staff load them from a CSV (エリア, 年月,
検針日程, 検針日), all or nothing, audited; the demo and the tests generate plausible ones.

A month of an area is loaded whole: the file must list every code of the area once for each month
it names, and a month loaded again is replaced (a corrected calendar). Switching dates already
planned do not move: the calendar is read when a date is planned.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core import csvio
from kouiki.core.calendar import FIRST_YEAR, LAST_YEAR, is_business_day, today_jst
from kouiki.core.csvio import Column, RowError
from kouiki.core.errors import Conflict, ValidationFailed
from kouiki.core.japanese import Area, normalize_code, parse_date, validate_date
from kouiki.identity.access import require_staff
from kouiki.tso.choices import READING_CODES, reading_codes_text
from kouiki.tso.models import ReadingCalendar, ReadingDate
from kouiki.tso.selectors import first_of_month, month_label, next_month

if TYPE_CHECKING:
    from kouiki.identity.models import User

MAX_CSV_BYTES = csvio.UPLOAD_MAX_BYTES

# --- the cells ---------------------------------------------------------------------------------

_AREA_NAMES = {area.label: area.value for area in Area}


def normalize_area(value: str) -> str:
    """An area as typed: 3 / 03 / ０３ / 東京 / 東京エリア → 03."""
    text = normalize_code(value).removesuffix("エリア")
    if text.isascii() and text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    return _AREA_NAMES.get(text, text)


def validate_area(value: str) -> None:
    if normalize_area(value) not in Area.values:
        raise ValidationError(
            "エリアは01（北海道）から10（沖縄）のエリアコード、"
            "またはエリア名（例: 東京）で入力してください。",
            code="area_format",
        )


_MONTH_RE = re.compile(r"([0-9]{4})(?:[/\-.年]([0-9]{1,2})月?|([0-9]{2}))")


def parse_month(value: str) -> date | None:
    """The first day of the month typed: 2027/01, 2027-1, 2027年1月, 202701, or a first day of a
    month (2027/1/1: Excel turns 2027/01 into that date). None when it is not a month."""
    text = normalize_code(value)
    if match := _MONTH_RE.fullmatch(text):
        year, month = int(match[1]), int(match[2] or match[3])
        return date(year, month, 1) if 1 <= month <= 12 else None
    day = parse_date(text)
    return day if day is not None and day.day == 1 else None


def validate_month(value: str) -> None:
    month = parse_month(value)
    if month is None:
        raise ValidationError("年月は「2027/01」の形式で入力してください。", code="month_format")
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValidationError(
            f"年月は{FIRST_YEAR}年から{LAST_YEAR}年までの月で入力してください。", code="month_range"
        )


def normalize_reading_code(value: str) -> str:
    """A 検針日程 as typed: 1 / 01 / ０１ → 01."""
    text = normalize_code(value)
    return text.zfill(2) if text.isascii() and text.isdigit() and len(text) <= 2 else text


def validate_reading_code(value: str) -> None:
    code = normalize_reading_code(value)
    if not (len(code) == 2 and code.isascii() and code.isdigit()):
        raise ValidationError("検針日程は2桁の数字で入力してください（例: 01）。", code="reading_code_format")


COLUMNS = [
    Column("area", "エリア", required=True, normalizer=normalize_area, validator=validate_area),
    Column("month", "年月", required=True, validator=validate_month),
    Column(
        "code", "検針日程", required=True, normalizer=normalize_reading_code, validator=validate_reading_code
    ),
    Column("reading_date", "検針日", required=True, validator=validate_date),
]
HEADER = [column.label for column in COLUMNS]
_LABEL = {column.name: column.label for column in COLUMNS}


# --- checking a file ---------------------------------------------------------------------------


@dataclass
class PlannedCalendar:
    """One area's month as the file gives it; `replaces`: a calendar of that month is loaded."""

    area: str
    month: date
    first_line: int
    dates: dict[str, date]
    replaces: bool = False

    @property
    def area_label(self) -> str:
        return Area(self.area).label

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def first_date(self) -> date:
        return min(self.dates.values())

    @property
    def last_date(self) -> date:
        return max(self.dates.values())


@dataclass
class CalendarLoad:
    """What a file loads (with `dry_run`: would load)."""

    planned: list[PlannedCalendar]
    encoding: str

    @property
    def rows(self) -> int:
        return sum(len(calendar.dates) for calendar in self.planned)


class ReadingCalendarLoadFailed(ValidationFailed):
    """The CSV has bad rows: `row_errors` lists each with its line, column and reason."""

    code = "reading_calendar_load_failed"
    default_message = (
        "検針日程カレンダーに誤りがあるため、登録しませんでした。すべての誤りを直して再度登録してください。"
    )

    def __init__(self, row_errors: list[RowError]) -> None:
        self.row_errors = row_errors
        super().__init__()


def _check_rows(data: bytes) -> tuple[list[PlannedCalendar], str, list[RowError]]:
    """Read the CSV and check each row, then each area's month as a whole."""
    too_large = csvio.size_error(data, MAX_CSV_BYTES)
    if too_large is not None:
        return [], "", [too_large]
    result = csvio.read_csv(data, columns=COLUMNS)
    errors = list(result.errors)
    if result.ok and not result.rows:
        errors.append(RowError(None, None, "検針日程の行がありません。", code="csv_no_rows"))
    # With a bad header the rows' cells cannot be told apart: the file errors are the answer.
    rows = [] if result.file_errors else result.valid_rows
    planned: dict[tuple[str, date], PlannedCalendar] = {}
    seen: dict[tuple[str, date, str], int] = {}
    for row in rows:
        area, code = row.data["area"], row.data["code"]
        month, reading = parse_month(row.data["month"]), parse_date(row.data["reading_date"])
        assert month is not None and reading is not None  # validated by the columns
        if code not in READING_CODES[area]:
            errors.append(
                RowError(
                    row.line,
                    _LABEL["code"],
                    f"{Area(area).label}エリアに検針日程「{code}」はありません"
                    f"（{Area(area).label}エリアの検針日程は {reading_codes_text(area)}）。",
                    code="reading_code_unknown",
                )
            )
            continue
        if first_of_month(reading) != month:
            errors.append(
                RowError(
                    row.line,
                    _LABEL["reading_date"],
                    f"検針日（{reading:%Y/%m/%d}）が年月（{month_label(month)}）の日付ではありません。",
                    code="reading_date_outside_month",
                )
            )
            continue
        key = (area, month, code)
        if key in seen:
            errors.append(
                RowError(
                    row.line,
                    _LABEL["code"],
                    f"{seen[key]}行目と同じエリア・年月・検針日程です（重複しています）。",
                    code="duplicate_in_file",
                )
            )
            continue
        seen[key] = row.line
        calendar = planned.setdefault((area, month), PlannedCalendar(area, month, row.line, {}))
        calendar.dates[code] = reading
    errors.extend(_missing_codes([] if result.file_errors else result.rows))
    errors.sort(key=lambda error: error.line or 0)
    return sorted(planned.values(), key=lambda c: (c.area, c.month)), result.encoding or "", errors


def _missing_codes(rows: list[csvio.CsvRow]) -> list[RowError]:
    """Each area's month named in the file must list every code of the area: a code without a
    row at all is an error on the month's first row (a row that is there but wrong has its own)."""
    listed: dict[tuple[str, date], set[str]] = {}
    first_line: dict[tuple[str, date], int] = {}
    for row in rows:
        area, month = row.data.get("area", ""), parse_month(row.data.get("month", ""))
        if area not in Area.values or month is None:
            continue
        first_line.setdefault((area, month), row.line)
        listed.setdefault((area, month), set()).add(row.data.get("code", ""))
    errors = []
    for (area, month), codes in listed.items():
        missing = [code for code in READING_CODES[area] if code not in codes]
        if missing:
            errors.append(
                RowError(
                    first_line[area, month],
                    _LABEL["code"],
                    f"{Area(area).label}エリアの{month_label(month)}に検針日程 {'、'.join(missing)} の"
                    "検針日がありません（月ごとに、エリアのすべての検針日程を記載してください）。",
                    code="reading_codes_missing",
                )
            )
    return errors


# --- loading ---------------------------------------------------------------------------------------


def load_reading_calendars(*, actor: User, data: bytes, filename: str, dry_run: bool = False) -> CalendarLoad:
    """Load the 検針日程 calendars a CSV lists (エリア, 年月, 検針日程, 検針日), replacing the months
    already loaded (staff only; audited).

    Raises ReadingCalendarLoadFailed with every bad row (an unknown area or code, a month or date
    that is not one, a date outside its month, a row twice, a month without all of its area's
    codes); nothing is loaded then. With `dry_run` the file is only checked.
    """
    require_staff(actor)
    planned, encoding, errors = _check_rows(data)
    if errors:
        raise ReadingCalendarLoadFailed(errors)
    loaded = set(
        ReadingCalendar.objects.filter(
            area__in={c.area for c in planned}, month__in={c.month for c in planned}
        ).values_list("area", "month")
    )
    for calendar in planned:
        calendar.replaces = (calendar.area, calendar.month) in loaded
    outcome = CalendarLoad(planned=planned, encoding=encoding)
    if dry_run:
        return outcome
    try:
        with transaction.atomic():
            _write(planned, loaded_by=actor, filename=filename)
            record(
                actor=actor,
                action=Action.TSO_READING_CALENDAR_LOAD,
                system="backoffice",
                detail={
                    "filename": filename,
                    "encoding": encoding,
                    "rows": outcome.rows,
                    "calendars": [
                        {"area": c.area, "month": f"{c.month:%Y-%m}", "replaced": c.replaces} for c in planned
                    ],
                },
            )
    except IntegrityError:
        raise Conflict(
            "同じエリア・年月の検針日程カレンダーが他の処理で登録されました。一覧を確認してから再度登録してください。"
        ) from None
    return outcome


def _write(planned: Iterable[PlannedCalendar], *, loaded_by: User | None, filename: str) -> int:
    """Write each planned month, replacing a loaded one; returns the dates written."""
    planned = list(planned)
    now = timezone.now()
    existing = {
        (calendar.area, calendar.month): calendar
        for calendar in ReadingCalendar.objects.select_for_update().filter(
            area__in={c.area for c in planned}, month__in={c.month for c in planned}
        )
    }
    replaced = [existing[c.area, c.month] for c in planned if (c.area, c.month) in existing]
    ReadingDate.objects.filter(calendar__in=replaced).delete()
    for calendar in replaced:
        calendar.loaded_at, calendar.loaded_by, calendar.filename = now, loaded_by, filename
    ReadingCalendar.objects.bulk_update(replaced, ["loaded_at", "loaded_by", "filename"])
    new = ReadingCalendar.objects.bulk_create(
        [
            ReadingCalendar(area=c.area, month=c.month, loaded_at=now, loaded_by=loaded_by, filename=filename)
            for c in planned
            if (c.area, c.month) not in existing
        ]
    )
    by_key = {**existing, **{(calendar.area, calendar.month): calendar for calendar in new}}
    dates = [
        ReadingDate(calendar=by_key[c.area, c.month], code=code, reading_date=reading)
        for c in planned
        for code, reading in sorted(c.dates.items())
    ]
    ReadingDate.objects.bulk_create(dates)
    return len(dates)


def csv_rows(planned: Iterable[PlannedCalendar]) -> list[list[object]]:
    return [
        [c.area, f"{c.month:%Y/%m}", code, f"{reading:%Y/%m/%d}"]
        for c in planned
        for code, reading in sorted(c.dates.items())
    ]


def csv_template() -> bytes:
    """The header and the Tokyo calendar of next month as the demo makes it, as Excel opens it."""
    month = next_month(first_of_month(today_jst()))
    sample = PlannedCalendar(Area.TOKYO.value, month, 2, demo_calendar(Area.TOKYO.value, month))
    return csvio.write_csv(csv_rows([sample]), HEADER)


# --- demo calendars ----------------------------------------------------------------------------------


@functools.cache
def _business_days(month: date) -> tuple[date, ...]:
    days = (month + timedelta(days=offset) for offset in range(31))
    return tuple(day for day in days if day.month == month.month and is_business_day(day))


def demo_calendar(area: str, month: date) -> dict[str, date]:
    """A plausible calendar of ``area`` for ``month``: code N is read on the first business day on
    or after the N-th (the month's last business day when none is left), so the codes spread over
    the month in order and a code falling on a weekend or holiday shares the next business day."""
    business = _business_days(first_of_month(month))
    return {
        code: next((day for day in business if day.day >= int(code)), business[-1])
        for code in READING_CODES[area]
    }


def load_demo_calendars(*, first_month: date, months: int, areas: Iterable[str] | None = None) -> int:
    """Write the demo calendar of each area (all ten by default) for ``months`` months from
    ``first_month``'s, where none is loaded; returns how many calendars were written. Idempotent:
    a loaded month, demo or not, is kept."""
    areas = list(areas or Area.values)
    wanted = []
    month = first_of_month(first_month)
    for _ in range(months):
        wanted.append(month)
        month = next_month(month)
    loaded = set(
        ReadingCalendar.objects.filter(area__in=areas, month__in=wanted).values_list("area", "month")
    )
    planned = [
        PlannedCalendar(area, month, 0, demo_calendar(area, month))
        for area in areas
        for month in wanted
        if (area, month) not in loaded
    ]
    if planned:
        with transaction.atomic():
            _write(planned, loaded_by=None, filename="")
    return len(planned)
