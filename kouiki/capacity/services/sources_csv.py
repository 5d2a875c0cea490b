"""The CSV of power sources (電源等情報): registering many at once, downloading the registered ones.

One line is a power source (レコード種別「電源」) or a member of the aggregated source on the lines
above it (「構成」): an aggregate is its 「電源」 line followed by one 「構成」 line per member. Choices
are written by their Japanese names (北海道, 安定電源, 太陽光, 自社保有); area codes (01-10, or 1-10
as Excel shortens them) are accepted too. Reading and writing go through kouiki.core.csvio: UTF-8
with or without BOM and CP932 are read, and the download is what Excel opens.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kouiki.capacity.choices import Area, GenerationType, Ownership, SourceCategory
from kouiki.capacity.services.payloads import MEMBER_FIELDS
from kouiki.core import csvio
from kouiki.core.csvio import Column, RowError

if TYPE_CHECKING:
    from kouiki.capacity.models import PowerSource
    from kouiki.core.errors import ValidationFailed

SOURCE = "電源"
MEMBER = "構成"

SOURCE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "電源等の名称"),
    ("area", "エリア"),
    ("location", "所在地"),
    ("category", "電源等の区分"),
    ("generation_type", "発電方式等"),
    ("installed_capacity_kw", "設備容量（kW）"),
    ("expected_capacity_kw", "期待容量（kW）"),
    ("receiving_point_number", "受電地点特定番号"),
    ("grid_connection", "系統連系点"),
    ("connection_voltage_kv", "連系電圧（kV）"),
    ("ownership", "保有区分"),
    ("owner_name", "保有者名"),
    ("operation_start", "運転開始（予定）日"),
)
MEMBER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "構成電源の名称"),
    ("point_number", "構成電源の受電地点特定番号"),
    ("generation_type", "構成電源の発電方式等"),
    ("capacity_kw", "構成電源の設備容量（kW）"),
)
COLUMNS = [
    Column("record", "レコード種別", required=True),
    *(Column(name, label) for name, label in SOURCE_COLUMNS),
    *(Column(f"member_{name}", label) for name, label in MEMBER_COLUMNS),
]
HEADER = [column.label for column in COLUMNS]
EXPORT_HEADER = ["電源等識別番号", *HEADER]
SOURCE_LABELS = dict(SOURCE_COLUMNS)
MEMBER_LABELS = dict(MEMBER_COLUMNS)

_CHOICES: dict[str, list[tuple[str, str]]] = {
    "area": list(Area.choices),
    "category": list(SourceCategory.choices),
    "generation_type": list(GenerationType.choices),
    "ownership": list(Ownership.choices),
}
_NUMBERS = ("installed_capacity_kw", "expected_capacity_kw", "connection_voltage_kv", "capacity_kw")


def _label(choices: list[tuple[str, str]], value: str) -> str:
    return next((str(label) for code, label in choices if code == value), value)


def _choice_value(name: str, text: str) -> str | None:
    """The stored value of a choice written by its name or code; None when it is neither."""
    wanted = unicodedata.normalize("NFKC", text).strip()
    for code, label in _CHOICES[name]:
        if wanted in (code, unicodedata.normalize("NFKC", str(label))):
            return code
    # ASCII digits only: str.isdigit() also takes ፩ or ١, which int() refuses or reads unexpectedly.
    if name == "area" and wanted.isascii() and wanted.isdecimal() and f"{int(wanted):02d}" in Area.values:
        return f"{int(wanted):02d}"
    return None


def _number(text: str) -> str:
    """Digits as Excel may write them: full width, with thousands separators."""
    return unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")


@dataclass
class SourceRow:
    """One power source of the file: its payload, and the lines of its members."""

    line: int
    payload: dict[str, Any]
    member_lines: list[int] = field(default_factory=list)
    # Keys whose cell was already reported (an unknown choice): the form's message would repeat it.
    reported: set[str] = field(default_factory=set)

    def line_of(self, key: str) -> int:
        """The line of a payload key: a member's own line; the first member's for the members as a whole."""
        if key.startswith("members."):
            index = int(key.split(".")[1])
            if index < len(self.member_lines):
                return self.member_lines[index]
        if key == "members" and self.member_lines:
            return self.member_lines[0]
        return self.line

    def errors_for(self, error: ValidationFailed) -> list[RowError]:
        """A payload's errors on the lines and columns they belong to."""
        if not error.errors:
            return [RowError(self.line, None, error.message)]
        found = []
        for key, messages in error.errors.items():
            if key in self.reported:
                continue
            if key.startswith("members."):
                label: str | None = MEMBER_LABELS.get(key.split(".")[2])
            elif key == "members":
                label = "構成電源"
            else:
                label = SOURCE_LABELS.get(key)
            found += [RowError(self.line_of(key), label, message) for message in messages]
        return found


@dataclass
class Parsed:
    sources: list[SourceRow]
    errors: list[RowError]
    encoding: str


def _cell(row: csvio.CsvRow, name: str, source: SourceRow | None, key: str, errors: list[RowError]) -> str:
    text = row.data.get(name, "")
    base = name.removeprefix("member_")
    if text and base in _CHOICES:
        value = _choice_value(base, text)
        if value is None:
            label = SOURCE_LABELS.get(name) or MEMBER_LABELS[base]
            names = "・".join(str(choice_label) for _code, choice_label in _CHOICES[base])
            errors.append(
                RowError(
                    row.line, label, f"「{text}」は使用できません。{names}のいずれかを入力してください。"
                )
            )
            if source is not None:
                source.reported.add(key)
            return text
        return value
    if text and base in _NUMBERS:
        return _number(text)
    return text


def read(data: bytes) -> csvio.CsvResult:
    """The lines of a power source CSV, read but not yet checked as power sources (never raises)."""
    return csvio.read_csv(data, columns=COLUMNS)


def source_count(result: csvio.CsvResult) -> int:
    """How many power sources the lines would be: every line but the members' (「構成」), so that
    lines too broken to name their record type count as well."""
    return sum(1 for row in result.rows if row.data.get("record") != MEMBER)


def parse(result: csvio.CsvResult) -> Parsed:
    """The power sources of the lines `read` gave, with every error of their cells and their
    structure (never raises)."""
    errors: list[RowError] = list(result.file_errors)
    sources: list[SourceRow] = []
    if result.file_errors:
        return Parsed(sources, errors, result.encoding or "")
    # The source the 「構成」 lines belong to; a broken one still takes its members (reported once).
    current: SourceRow | None = None
    for row in result.rows:
        errors += row.errors
        record = row.data.get("record", "")
        if not row.ok or record not in (SOURCE, MEMBER):
            if row.ok:
                errors.append(
                    RowError(
                        row.line,
                        "レコード種別",
                        f"レコード種別は「{SOURCE}」または「{MEMBER}」を入力してください。",
                    )
                )
            current = SourceRow(line=row.line, payload={}) if record != MEMBER else current
            continue
        member_cells = [row.data.get(f"member_{name}", "") for name, _label in MEMBER_COLUMNS]
        source_cells = [row.data.get(name, "") for name, _label in SOURCE_COLUMNS]
        if record == SOURCE:
            current = SourceRow(line=row.line, payload={"members": []})
            sources.append(current)
            current.payload.update(
                {name: _cell(row, name, current, name, errors) for name, _label in SOURCE_COLUMNS}
            )
            if any(member_cells):
                errors.append(
                    RowError(
                        row.line,
                        None,
                        f"「{SOURCE}」の行には構成電源の列を入力できません（「{MEMBER}」の行に入力してください）。",
                    )
                )
            continue
        if current is None:
            errors.append(
                RowError(
                    row.line,
                    "レコード種別",
                    f"「{MEMBER}」の行は、その構成電源が属する「{SOURCE}」の行の後に入力してください。",
                )
            )
            continue
        if any(source_cells):
            errors.append(RowError(row.line, None, f"「{MEMBER}」の行には電源等の列を入力できません。"))
        index = len(current.member_lines)
        member = {
            name: _cell(row, f"member_{name}", current, f"members.{index}.{name}", errors)
            for name in MEMBER_FIELDS
        }
        current.member_lines.append(row.line)
        current.payload.setdefault("members", []).append(member)
    return Parsed(sources, errors, result.encoding or "")


# --- writing --------------------------------------------------------------------------------------


def _date(value: Any) -> str:
    return value.strftime("%Y/%m/%d") if value else ""


def rows(sources: Iterable[PowerSource]) -> Iterable[list[object]]:
    """The download's lines: each source, then its members."""
    blank_members: list[object] = [""] * len(MEMBER_COLUMNS)
    for source in sources:
        yield [
            source.source_id,
            SOURCE,
            source.name,
            source.get_area_display(),
            source.location,
            source.get_category_display(),
            source.get_generation_type_display(),
            source.installed_capacity_kw,
            source.expected_capacity_kw,
            source.receiving_point_number,
            source.grid_connection,
            source.connection_voltage_kv,
            source.get_ownership_display(),
            source.owner_name,
            _date(source.operation_start),
            *blank_members,
        ]
        for member in source.members.all():
            yield [
                source.source_id,
                MEMBER,
                *([""] * len(SOURCE_COLUMNS)),
                member.name,
                member.point_number,
                member.get_generation_type_display(),
                member.capacity_kw,
            ]


def export(sources: Iterable[PowerSource], *, encoding: csvio.Encoding = "utf-8-sig") -> bytes:
    return csvio.write_csv(rows(sources), EXPORT_HEADER, encoding=encoding)


def _sample(
    values: Mapping[str, object], members: tuple[Mapping[str, object], ...] = ()
) -> list[list[object]]:
    lines: list[list[object]] = [
        [SOURCE, *(values.get(name, "") for name, _label in SOURCE_COLUMNS), "", "", "", ""]
    ]
    for member in members:
        lines.append(
            [MEMBER, *([""] * len(SOURCE_COLUMNS)), *(member[name] for name, _label in MEMBER_COLUMNS)]
        )
    return lines


def template() -> bytes:
    """The sample file: a stable source and an aggregate of two solar plants."""
    stable = _sample(
        {
            "name": "広域火力発電所１号機",
            "area": "東京",
            "location": "東京都江東区豊洲６－２－１５",
            "category": "安定電源",
            "generation_type": "火力（LNG）",
            "installed_capacity_kw": 350000,
            "expected_capacity_kw": 340000,
            "receiving_point_number": "0300000000000000000001",
            "grid_connection": "広域変電所　２７５ｋＶ母線",
            "connection_voltage_kv": "275",
            "ownership": "自社保有",
            "operation_start": "2010/04/01",
        }
    )
    aggregate = _sample(
        {
            "name": "広域太陽光アグリゲート",
            "area": "東京",
            "location": "千葉県千葉市中央区",
            "category": "変動電源（アグリゲート）",
            "generation_type": "太陽光",
            "installed_capacity_kw": 3000,
            "expected_capacity_kw": 1200,
            "ownership": "自社保有",
        },
        (
            {
                "name": "広域太陽光第一",
                "point_number": "0300000000000000000002",
                "generation_type": "太陽光",
                "capacity_kw": 2000,
            },
            {
                "name": "広域太陽光第二",
                "point_number": "0300000000000000000003",
                "generation_type": "太陽光",
                "capacity_kw": 1000,
            },
        ),
    )
    return csvio.write_csv([*stable, *aggregate], HEADER)
