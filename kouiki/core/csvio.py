"""CSV files as Japanese Excel users exchange them.

Reading accepts UTF-8 (with or without BOM) and CP932 — never ``shift_jis``, which lacks ①, 髙,
～ and other characters people type — and never stops at the first bad row: the result lists
every row with its errors, each with the physical line number in the file (the header is line 1
when it is the first line). A UTF-8 cell holding a character CP932 cannot (🔥, 𠀋) is refused as
a form's field would refuse it (``japanese.validate_cp932``). A code column takes
``normalizer=japanese.normalize_code``, the one normalization of codes.

Writing gives what Excel opens: UTF-8 with BOM (or CP932 when a user asks) and CRLF line ends.
A cell that CP932 cannot hold is an error naming its row and column, never a silent ``?``.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from kouiki.core.errors import KouikiError
from kouiki.core.japanese import too_long_message, validate_cp932

type Encoding = Literal["utf-8-sig", "cp932"]

# The charset names browsers know for what we write.
_HTTP_CHARSETS: dict[str, str] = {"utf-8-sig": "utf-8", "cp932": "Windows-31J"}


@dataclass(frozen=True)
class Column:
    """One expected column: ``name`` is the key in each row's ``data``, ``label`` the header text.

    A cell is stripped, then an empty cell is an error when ``required`` and ``""`` otherwise
    (validators do not run on it); a non-empty cell goes through ``normalizer``, ``max_length``,
    then ``validator`` and ``validators`` in turn, which raise
    ``django.core.exceptions.ValidationError``; the first that fails is the cell's error.
    """

    name: str
    label: str
    required: bool = False
    normalizer: Callable[[str], str] | None = None
    validator: Callable[[str], object] | None = None
    validators: Sequence[Callable[[str], object]] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class RowError:
    """What is wrong, and where: ``line`` is None for the file as a whole."""

    line: int | None
    column_label: str | None
    message: str
    code: str = "csv_invalid"

    def __str__(self) -> str:
        where = f"{self.line}行目" if self.line is not None else "ファイル"
        if self.column_label:
            where += f"「{self.column_label}」"
        return f"{where}: {self.message}"


@dataclass
class CsvRow:
    """One data row; ``data`` holds the normalized cells by column name."""

    line: int
    data: dict[str, str]
    cells: tuple[str, ...]
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class CsvResult:
    rows: list[CsvRow] = field(default_factory=list)
    file_errors: list[RowError] = field(default_factory=list)
    encoding: str | None = None
    header: tuple[str, ...] = ()

    @property
    def errors(self) -> list[RowError]:
        """Every error in the order of the file (errors of the whole file first)."""
        errors = [*self.file_errors, *(error for row in self.rows for error in row.errors)]
        return sorted(errors, key=lambda error: error.line or 0)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(row.ok for row in self.rows)

    @property
    def valid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.ok]


class CsvEncodeError(KouikiError):
    """A cell that the chosen encoding cannot hold."""

    code = "csv_unencodable"
    status = 422
    default_message = "CSVファイルに書き出せない文字があります。"

    def __init__(self, *, line: int, column_label: str, char: str, encoding: str) -> None:
        self.line = line
        self.column_label = column_label
        self.char = char
        super().__init__(
            f"{line}行目「{column_label}」の文字「{char}」は{_encoding_name(encoding)}で表せません。"
            "UTF-8でダウンロードするか、文字を置き換えてください。"
        )


def _encoding_name(encoding: str) -> str:
    return "Shift_JIS（CP932）" if encoding == "cp932" else "UTF-8"


# --- reading -------------------------------------------------------------------------------


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """The text and the encoding that decodes it: UTF-8 (BOM or not) first, then CP932.

    Raises ``KouikiError`` (code ``csv_encoding``) naming the line of the first byte that
    neither encoding can read.
    """
    if data.startswith(b"PK\x03\x04"):
        raise KouikiError(
            "Excelブック（.xlsx）などCSV以外のファイルです。Excelで「CSV UTF-8」または「CSV」形式で"
            "保存したファイルを指定してください。",
            code="csv_not_csv",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise KouikiError(
            "UTF-16（Unicode テキスト）のファイルは読み込めません。Excelで「CSV UTF-8」形式で"
            "保存したファイルを指定してください。",
            code="csv_encoding",
        )
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError as cp932_error:
            # The encoding that got further is the one the file was most likely meant to be in.
            position = max(utf8_error.start, cp932_error.start)
            raise _encoding_error(_line_of(data, position)) from None
    # CP932 decodes a few stray bytes and user-defined characters (外字) to control or
    # private-use characters that no one can read back: refuse them where they are.
    stray = _CP932_STRAY_RE.search(text)
    if stray:
        raise _encoding_error(text.count("\n", 0, stray.start()) + 1)
    return text, "cp932"


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CP932_STRAY_RE = re.compile("[\x80-\x9f\ue000-\uf8ff]")


def _encoding_error(line: int) -> KouikiError:
    return KouikiError(
        f"文字コードを判別できません（{line}行目に読み取れない文字があります。機種依存の外字などは"
        "使用できません）。UTF-8 または Shift_JIS（CP932）で保存したCSVファイルを指定してください。",
        code="csv_encoding",
    )


def _check_header(
    line: int, header: tuple[str, ...], columns: Sequence[Column]
) -> tuple[list[Column | None], list[RowError]]:
    """Map each header position to its column (None: unknown), with the header's errors. A header
    is compared width-insensitively (NFKC): 「設備容量(kW)」 and 「設備容量（kW）」 name one column."""
    by_text: dict[str, Column] = {}
    for declared in columns:
        by_text.setdefault(unicodedata.normalize("NFKC", declared.label), declared)
        by_text.setdefault(declared.name, declared)
    errors: list[RowError] = []
    positions: list[Column | None] = []
    seen: set[str] = set()
    for text in header:
        column: Column | None = by_text.get(unicodedata.normalize("NFKC", text))
        if column is None:
            errors.append(
                RowError(line, None, f"想定していない列「{text}」があります。", code="csv_unknown_column")
            )
        elif column.name in seen:
            errors.append(
                RowError(
                    line, column.label, f"列「{column.label}」が重複しています。", code="csv_duplicate_column"
                )
            )
            column = None
        else:
            seen.add(column.name)
        positions.append(column)
    missing = [declared.label for declared in columns if declared.name not in seen]
    if missing:
        labels = "、".join(f"「{label}」" for label in missing)
        errors.append(
            RowError(line, None, f"見出し行に列 {labels} がありません。", code="csv_missing_column")
        )
    return positions, errors


def _clean_cell(row: CsvRow, column: Column, value: str) -> None:
    if not value:
        if column.required:
            row.errors.append(RowError(row.line, column.label, "入力してください。", code="required"))
        row.data[column.name] = ""
        return
    if column.normalizer is not None:
        value = column.normalizer(value)
    row.data[column.name] = value
    if column.max_length is not None and len(value) > column.max_length:
        row.errors.append(
            RowError(
                row.line,
                column.label,
                too_long_message(column.max_length, len(value)),
                code="max_length",
            )
        )
        return
    validators = [column.validator, *column.validators] if column.validator else column.validators
    for validator in validators:
        try:
            validator(value)
        except ValidationError as error:
            for item in error.error_list:
                row.errors.append(
                    RowError(row.line, column.label, " ".join(item.messages), code=item.code or "invalid")
                )
            return


# The largest CSV upload a screen takes unless it says otherwise.
UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def size_error(data: bytes, max_bytes: int = UPLOAD_MAX_BYTES) -> RowError | None:
    """The refusal of an upload larger than ``max_bytes`` (said in MB), or None: checked before the
    file is read at all."""
    if len(data) <= max_bytes:
        return None
    return RowError(
        None, None, f"ファイルが大きすぎます（{max_bytes // (1024 * 1024)}MBまで）。", code="csv_too_large"
    )


def read_csv(data: bytes, *, columns: Sequence[Column] | None = None, header: bool = True) -> CsvResult:
    """Parse and check a CSV file; never raises for what is in the file.

    With ``columns`` each row's ``data`` is keyed by column name; the header (when ``header``)
    must name every column once, by label (or name), and nothing else. Without ``columns`` the
    keys are the header texts, or "1", "2", ... when there is no header. Cells are stripped;
    rows whose cells are all empty are skipped.
    """
    result = CsvResult()
    try:
        text, result.encoding = decode_csv_bytes(data)
    except KouikiError as error:
        result.file_errors.append(RowError(None, None, error.message, code=error.code))
        return result

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    positions: list[Column | None] | None = None
    names: list[str] | None = None
    if columns is not None and not header:
        positions = list(columns)
    last_line = 0
    while True:
        first_line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.file_errors.append(_parse_error(first_line, reader.line_num, error))
            if reader.line_num == last_line:
                break
            last_line = reader.line_num
            continue
        last_line = reader.line_num
        cells = tuple(cell.strip() for cell in record)
        if not any(cells):
            continue
        if header and not result.header:
            result.header = cells
            if columns is not None:
                positions, header_errors = _check_header(first_line, cells, columns)
                result.file_errors.extend(header_errors)
            else:
                names = list(cells)
            continue
        result.rows.append(_parse_row(first_line, cells, positions, names))

    if not result.header and not result.rows and not result.file_errors:
        result.file_errors.append(
            RowError(None, None, "ファイルにデータがありません（空のファイルです）。", code="csv_empty")
        )
    return result


def _parse_error(first_line: int, last_line: int, error: csv.Error) -> RowError:
    if "field larger" in str(error):
        message = "項目が長すぎます。"
    else:
        message = 'ダブルクォーテーション（"）の使い方が正しくありません（閉じられていないなど）。'
    if last_line > first_line:
        message += f"（{last_line}行目まで読み取りました）"
    return RowError(first_line, None, message, code="csv_syntax")


def _parse_row(
    line: int, cells: tuple[str, ...], positions: list[Column | None] | None, names: list[str] | None
) -> CsvRow:
    row = CsvRow(line=line, data={}, cells=cells)
    expected = len(positions) if positions is not None else len(names) if names is not None else None
    if expected is not None and len(cells) != expected:
        row.errors.append(
            RowError(
                line,
                None,
                f"列の数が正しくありません（{expected}列のはずが{len(cells)}列あります）。",
                code="csv_column_count",
            )
        )
        return row
    for index, cell in enumerate(cells):
        column = positions[index] if positions is not None else None
        label = column.label if column else names[index] if names else f"{index + 1}列目"
        control = _CONTROL_RE.search(cell)
        if control:
            # NUL and other control characters: PostgreSQL refuses NUL in text, no one types them.
            row.errors.append(
                RowError(
                    line,
                    label,
                    f"使用できない制御文字（U+{ord(control[0]):04X}）が含まれています。",
                    code="csv_control_char",
                )
            )
            continue
        try:
            # What is read is written again to CP932 files and the operators' messages.
            validate_cp932(cell)
        except ValidationError as error:
            row.errors.append(RowError(line, label, error.messages[0], code="cp932"))
    if row.errors:
        return row
    if positions is not None:
        for column, value in zip(positions, cells, strict=True):
            if column is not None:
                _clean_cell(row, column, value)
    else:
        keys = names if names is not None else [str(i) for i in range(1, len(cells) + 1)]
        row.data = dict(zip(keys, cells, strict=True))
    return row


# --- writing -------------------------------------------------------------------------------


# A text cell starting with one of these is a formula to Excel (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(value: object, escape_formulas: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if escape_formulas and value.startswith(_FORMULA_STARTS) else value
    return str(value)


def _encode_row(text: str, cells: Sequence[str], labels: Sequence[str], line: int, codec: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        for index, cell in enumerate(cells):
            for char in cell:
                try:
                    char.encode(codec)
                except UnicodeEncodeError:
                    label = labels[index] if index < len(labels) else f"{index + 1}列目"
                    shown = char if unicodedata.category(char) not in {"Cc", "Cf"} else f"U+{ord(char):04X}"
                    raise CsvEncodeError(line=line, column_label=label, char=shown, encoding=codec) from None
        raise


def write_csv(
    rows: Iterable[Sequence[object]],
    header: Sequence[str] | None,
    *,
    encoding: Encoding = "utf-8-sig",
    escape_formulas: bool = True,
) -> bytes:
    """The CSV bytes of ``header`` and ``rows``: CRLF line ends, UTF-8 with BOM or CP932.

    ``None`` becomes an empty cell, anything else ``str(value)``. A text (``str``) cell that
    Excel would run as a formula (=, +, -, @, tab, CR first) gets a leading ``'`` unless
    ``escape_formulas`` is off; pass numbers as numbers to keep ``-5``. For CP932, a cell it cannot
    hold raises ``CsvEncodeError`` naming the row as Excel numbers it (the header is row 1) and
    the column. Python's CP932 codec writes 〜 (U+301C) as ～ and − (U+2212) as －: they have the
    same Shift_JIS codes, and read back as ～ and －.
    """
    if encoding not in _HTTP_CHARSETS:
        raise ValueError(f"unsupported CSV encoding: {encoding!r}")
    codec = "cp932" if encoding == "cp932" else "utf-8"
    labels = list(header or ())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    out = bytearray(b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b"")
    records: Iterable[Sequence[object]] = rows if header is None else itertools.chain([header], rows)
    for number, record in enumerate(records, start=1):
        cells = [_cell_text(value, escape_formulas) for value in record]
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        out += _encode_row(buffer.getvalue(), cells, labels, number, codec)
    return bytes(out)


def csv_response(filename: str, data: bytes, *, encoding: Encoding = "utf-8-sig") -> HttpResponse:
    """A download of ``data`` named ``filename`` (Japanese allowed: RFC 6266 ``filename*``).

    Old clients get an ASCII ``filename`` (``download.csv`` when the name is not ASCII). The
    response is not to be cached: downloads hold participants' data.
    """
    response = HttpResponse(data, content_type=f"text/csv; charset={_HTTP_CHARSETS[encoding]}")
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266, RFC 5987)."""
    safe = "".join(c for c in filename if c.isascii() and c.isprintable() and c not in '"\\/;')
    if safe != filename or not safe:
        suffix = filename.rpartition(".")[2] if "." in filename else ""
        ascii_suffix = suffix if suffix.isascii() and suffix.isalnum() else ""
        safe = "download" + (f".{ascii_suffix}" if ascii_suffix else "")
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(filename, safe='')}"
