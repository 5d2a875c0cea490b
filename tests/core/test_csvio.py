"""CSV as Excel users exchange it: both encodings in, every bad row reported, Excel-ready out."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kouiki.core.csvio import (
    Column,
    CsvEncodeError,
    content_disposition,
    csv_response,
    decode_csv_bytes,
    read_csv,
    size_error,
    write_csv,
)
from kouiki.core.errors import KouikiError
from kouiki.core.japanese import (
    normalize_kana,
    normalize_phone,
    normalize_postal_code,
    validate_full_width,
    validate_kana,
    validate_phone,
    validate_postal_code,
    validate_user_login_id,
)

USER_COLUMNS = [
    Column("login_id", "ユーザID", required=True, validator=validate_user_login_id),
    Column("name", "氏名", required=True, validators=[validate_full_width], max_length=20),
    Column("kana", "氏名カナ", required=True, normalizer=normalize_kana, validators=[validate_kana]),
    Column("phone", "電話番号", normalizer=normalize_phone, validators=[validate_phone]),
    Column("postal_code", "郵便番号", normalizer=normalize_postal_code, validators=[validate_postal_code]),
]
HEADER = "ユーザID,氏名,氏名カナ,電話番号,郵便番号"


def excel_utf8(*lines: str) -> bytes:
    """What Excel's "CSV UTF-8" saves: a BOM and CRLF."""
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode()


def excel_cp932(*lines: str) -> bytes:
    """What Japanese Excel's plain "CSV" saves: CP932 and CRLF."""
    return "".join(line + "\r\n" for line in lines).encode("cp932")


# --- reading -------------------------------------------------------------------------------


def test_an_excel_utf8_file_is_read_and_normalized() -> None:
    data = excel_utf8(HEADER, "abc001,広域　太郎,ｺｳｲｷ ﾀﾛｳ,03-1234-5678,130-0001")

    result = read_csv(data, columns=USER_COLUMNS)

    assert result.ok, result.errors
    assert result.encoding == "utf-8-sig"
    [row] = result.rows
    assert row.line == 2
    assert row.data == {
        "login_id": "abc001",
        "name": "広域　太郎",
        "kana": "コウイキ　タロウ",
        "phone": "03-1234-5678",
        "postal_code": "1300001",
    }


def test_a_cp932_file_keeps_the_characters_shift_jis_lacks() -> None:
    data = excel_cp932(HEADER, "abc001,髙橋　①～,タカハシ,,")

    result = read_csv(data, columns=USER_COLUMNS)

    assert result.ok, result.errors
    assert result.encoding == "cp932"
    assert result.rows[0].data["name"] == "髙橋　①～"
    assert result.rows[0].data["phone"] == ""


def test_utf8_without_bom_and_with_lf_is_read() -> None:
    data = f"{HEADER}\nabc001,広域　太郎,コウイキ,,\n".encode()
    assert read_csv(data, columns=USER_COLUMNS).ok


def test_every_bad_row_is_reported_with_its_line_and_column() -> None:
    data = excel_utf8(
        HEADER,
        "abc001,広域　太郎,コウイキ,03-1234-5678,1300001",
        'abc002,"広域\r\n花子",コウイキ,,',  # a quoted line break: this record spans lines 3-4
        "ab3,広域 次郎,こういき,0312345678,13000",
        "",
        "abc004,広域　四郎,コウイキ,,",
    )

    result = read_csv(data, columns=USER_COLUMNS)

    assert not result.ok
    assert [row.line for row in result.rows] == [2, 3, 5, 7]
    assert [row.ok for row in result.rows] == [True, False, False, True]
    assert [(e.line, e.column_label, e.code) for e in result.errors] == [
        (3, "氏名", "full_width"),
        (5, "ユーザID", "user_login_id_format"),
        (5, "氏名", "full_width"),
        (5, "氏名カナ", "kana"),
        (5, "電話番号", "phone_hyphen"),
        (5, "郵便番号", "postal_code_format"),
    ]
    assert str(result.errors[1]) == "5行目「ユーザID」: ユーザIDは6桁の半角英数字で入力してください。"
    assert result.errors[2].message == "全角で入力してください。使用できない半角文字: 半角スペース"
    assert [row.data["login_id"] for row in result.valid_rows] == ["abc001", "abc004"]


def test_required_cells_and_length() -> None:
    data = excel_utf8(HEADER, ",広域　太郎太郎太郎太郎太郎太郎太郎太郎太郎,,,")

    errors = read_csv(data, columns=USER_COLUMNS).errors

    assert [(e.line, e.column_label, e.code) for e in errors] == [
        (2, "ユーザID", "required"),
        (2, "氏名", "max_length"),
        (2, "氏名カナ", "required"),
    ]
    assert errors[1].message == "20文字以内で入力してください（現在 21 文字）。"


def test_a_row_with_the_wrong_number_of_columns() -> None:
    data = excel_utf8(
        HEADER, "abc001,広域　太郎,コウイキ,,", "abc002,広域　花子", "abc003,広域　三郎,コウイキ,,,x"
    )

    result = read_csv(data, columns=USER_COLUMNS)

    assert [(e.line, e.code) for e in result.errors] == [(3, "csv_column_count"), (4, "csv_column_count")]
    assert result.errors[0].message == "列の数が正しくありません（5列のはずが2列あります）。"


def test_header_problems_are_reported_on_its_line() -> None:
    data = excel_utf8("ユーザID,氏名,氏名カナ,電話,郵便番号,氏名", "abc001,広域　太郎,コウイキ,,1300001,広域")

    result = read_csv(data, columns=USER_COLUMNS)

    assert [(e.line, e.code) for e in result.file_errors] == [
        (1, "csv_unknown_column"),
        (1, "csv_duplicate_column"),
        (1, "csv_missing_column"),
    ]
    assert "「電話」" in result.file_errors[0].message
    assert "「電話番号」" in result.file_errors[2].message
    assert result.rows[0].ok  # the columns that are there are still checked
    assert not result.ok


def test_columns_may_be_named_by_code_name_and_in_any_order() -> None:
    data = excel_utf8("postal_code,kana,login_id,name,phone", "130-0001,コウイキ,abc001,広域　太郎,")
    result = read_csv(data, columns=USER_COLUMNS)
    assert result.ok
    assert result.rows[0].data["postal_code"] == "1300001"


def test_a_header_is_read_whatever_the_width_of_its_parentheses() -> None:
    # Issue 17 point 17: the labels became 「設備容量（kW）」; files written with 「設備容量(kW)」 still read.
    columns = [Column("capacity", "設備容量（kW）", required=True), Column("name", "名称")]
    for header in ("設備容量（kW）,名称", "設備容量（kW）,名称", "設備容量（ｋＷ）,名称"):
        result = read_csv(excel_utf8(header, "1000,発電所"), columns=columns)
        assert result.ok, (header, result.file_errors)
        assert result.rows[0].data == {"capacity": "1000", "name": "発電所"}


def test_a_file_without_header() -> None:
    data = excel_utf8("abc001,広域　太郎,コウイキ,,")
    result = read_csv(data, columns=USER_COLUMNS, header=False)
    assert result.ok
    assert result.rows[0].line == 1


def test_without_columns_rows_are_keyed_by_the_header() -> None:
    result = read_csv(excel_utf8("コード,名前", " 2301 ,広域電力"))
    assert result.header == ("コード", "名前")
    assert result.rows[0].data == {"コード": "2301", "名前": "広域電力"}
    assert read_csv(b"a,b\r\n", header=False).rows[0].data == {"1": "a", "2": "b"}


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b",,,\r\n"])
def test_an_empty_file_is_reported(data: bytes) -> None:
    result = read_csv(data, columns=USER_COLUMNS)
    assert [(e.line, e.code) for e in result.errors] == [(None, "csv_empty")]
    assert str(result.errors[0]) == "ファイル: ファイルにデータがありません（空のファイルです）。"


def test_a_header_without_rows_is_no_error() -> None:
    result = read_csv(excel_utf8(HEADER), columns=USER_COLUMNS)
    assert result.ok
    assert result.rows == []


def test_a_file_in_neither_encoding_names_the_line() -> None:
    data = "a,b\r\nあ,い\r\n".encode() + b"\x82\xff,x\r\n"
    result = read_csv(data)
    [error] = result.errors
    assert error.code == "csv_encoding"
    assert "3行目" in error.message
    assert "UTF-8" in error.message


def test_stray_bytes_that_cp932_would_turn_into_private_use_characters_are_refused() -> None:
    data = "名前\r\n".encode("cp932") + b"\xa0abc\r\n"
    with pytest.raises(KouikiError) as caught:
        decode_csv_bytes(data)
    assert caught.value.code == "csv_encoding"
    assert "2行目" in caught.value.message


def test_an_excel_workbook_or_utf16_text_gets_its_own_message() -> None:
    assert read_csv(b"PK\x03\x04rest-of-zip").errors[0].code == "csv_not_csv"
    assert "UTF-16" in read_csv("a,b\r\n".encode("utf-16")).errors[0].message


def test_a_broken_quote_is_reported_and_reading_goes_on() -> None:
    data = excel_utf8("コード,名前", '2301,"広域"電力', "2302,関西電力", '2303,"閉じていない')

    result = read_csv(data)

    assert [(e.line, e.code) for e in result.errors] == [(2, "csv_syntax"), (4, "csv_syntax")]
    assert "ダブルクォーテーション" in result.file_errors[0].message
    assert [row.data["コード"] for row in result.rows] == ["2302"]


def test_a_nul_or_other_control_character_is_reported() -> None:
    result = read_csv(b"a,b\r\nx\x00,y\r\nz,w\x1b\r\n")
    assert [(e.line, e.column_label, e.code) for e in result.errors] == [
        (2, "a", "csv_control_char"),
        (3, "b", "csv_control_char"),
    ]
    assert result.errors[0].message == "使用できない制御文字（U+0000）が含まれています。"


# --- writing -------------------------------------------------------------------------------


def test_written_csv_is_utf8_with_bom_and_crlf() -> None:
    data = write_csv(
        [["2301", "広域電力", None], ["2302", 'カンマ,と"引用符"', 10]], ["コード", "名前", "数"]
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == 'コード,名前,数\r\n2301,広域電力,\r\n2302,"カンマ,と""引用符""",10\r\n'


def test_text_that_excel_would_run_as_a_formula_is_escaped() -> None:
    data = write_csv([['=HYPERLINK("http://x")', "@SUM(A1)", "-1", -1, "03-1234-5678"]], None)
    assert data.decode("utf-8-sig") == '"\'=HYPERLINK(""http://x"")",\'@SUM(A1),\'-1,-1,03-1234-5678\r\n'
    assert write_csv([["=1+1"]], None, escape_formulas=False).decode("utf-8-sig") == "=1+1\r\n"


def test_written_cp932_has_no_bom_and_keeps_excel_characters() -> None:
    data = write_csv([["髙橋①", "9:00～18:00"]], ["名前", "時間"], encoding="cp932")
    assert data == "名前,時間\r\n髙橋①,9:00～18:00\r\n".encode("cp932")


def test_a_cell_cp932_cannot_hold_names_its_row_and_column() -> None:
    rows = [["2301", "吉田"], ["2302", "𠮷田"]]  # 𠮷 (tsuchi-yoshi) is outside CP932

    with pytest.raises(CsvEncodeError) as caught:
        write_csv(rows, ["コード", "名前"], encoding="cp932")

    error = caught.value
    assert (error.line, error.column_label, error.char) == (3, "名前", "𠮷")
    assert error.code == "csv_unencodable"
    assert error.message.startswith("3行目「名前」の文字「𠮷」はShift_JIS（CP932）で表せません。")
    assert write_csv(rows, ["コード", "名前"]).decode("utf-8-sig").endswith("2302,𠮷田\r\n")


def test_an_unsupported_encoding_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        write_csv([], ["a"], encoding="shift_jis")  # type: ignore[arg-type]


cell_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("漢字ひらがなカタカナｶﾀｶﾅ①髙～〜−，、。「」\"',\r\n 　")),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    ),
    max_size=12,
)
table = st.lists(st.lists(cell_text, min_size=3, max_size=3), min_size=1, max_size=5)


def _stripped(rows: list[list[str]]) -> list[tuple[str, ...]]:
    # The reader strips cells and skips rows that are all empty.
    return [tuple(cell.strip() for cell in row) for row in rows if any(cell.strip() for cell in row)]


@settings(max_examples=40, deadline=None)
@given(rows=table)
def test_utf8_write_then_read_round_trips_or_names_what_cp932_cannot_hold(rows: list[list[str]]) -> None:
    result = read_csv(write_csv(rows, ["一", "二", "三"], escape_formulas=False))
    assert [row.cells for row in result.rows] == _stripped(rows)
    outside = [cell for row in rows for cell in row if not _cp932(cell)]
    assert result.ok == (not outside), result.errors
    assert all(error.code == "cp932" for error in result.errors)


def _cp932(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def test_a_utf8_cell_cp932_cannot_hold_is_refused_naming_the_character() -> None:
    data = "氏名,備考\r\n広域 太郎,🔥\r\n𠀋田 花子,\r\n".encode("utf-8-sig")

    result = read_csv(data)

    assert [str(error) for error in result.errors] == [
        "2行目「備考」: 「🔥」は使用できません（Shift_JIS（CP932）で表せない文字です）。",
        "3行目「氏名」: 「𠀋」は使用できません（Shift_JIS（CP932）で表せない文字です）。",
    ]


@settings(max_examples=40, deadline=None)
@given(rows=table)
def test_cp932_write_then_read_round_trips_or_names_the_cell(rows: list[list[str]]) -> None:
    try:
        data = write_csv(rows, ["一", "二", "三"], encoding="cp932", escape_formulas=False)
    except CsvEncodeError as error:
        cell = rows[error.line - 2]["一二三".index(error.column_label)]
        assert error.char in cell
        with pytest.raises(UnicodeEncodeError):
            error.char.encode("cp932")
        return
    result = read_csv(data)
    assert result.ok, result.errors
    # 〜 and − have the same Shift_JIS codes as ～ and －: they come back as those.
    expected = [[cell.encode("cp932").decode("cp932") for cell in row] for row in rows]
    assert [row.cells for row in result.rows] == _stripped(expected)


# --- download ------------------------------------------------------------------------------


def test_csv_response_names_a_japanese_file() -> None:
    response = csv_response("ユーザ一覧_2301.csv", b"\xef\xbb\xbfa\r\n")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"download.csv\"; filename*=UTF-8''")
    assert unquote(disposition.split("''", 1)[1]) == "ユーザ一覧_2301.csv"
    assert response["Cache-Control"] == "no-store"
    assert response.content == b"\xef\xbb\xbfa\r\n"


def test_csv_response_in_cp932_and_an_ascii_name() -> None:
    response = csv_response("users.csv", b"a\r\n", encoding="cp932")
    assert response["Content-Type"] == "text/csv; charset=Windows-31J"
    assert response["Content-Disposition"] == "attachment; filename=\"users.csv\"; filename*=UTF-8''users.csv"


def test_a_file_name_cannot_break_the_header() -> None:
    assert content_disposition('a";\r\nX: y.csv').startswith('attachment; filename="download.csv"; ')


def test_an_upload_larger_than_its_limit_is_refused_before_it_is_read() -> None:
    assert size_error(b"x" * 1024, max_bytes=1024) is None
    refusal = size_error(b"x" * (2 * 1024 * 1024 + 1), max_bytes=2 * 1024 * 1024)
    assert refusal is not None and refusal.code == "csv_too_large"
    assert refusal.message == "ファイルが大きすぎます（2MBまで）。"
