"""The switching system's bulk CSV functions (SW-W02..W13, W15..W18; issue 14), run by the bulk
mechanism (kouiki.bulk, ADR 30): one definition per 業務, registered once per line.

The columns are the API request's fields with their Japanese titles in the API's order (an
operation's schema in api/schemas.py), after a 更新フラグ (1 登録, 2 訂正, 3 取消; blank is 1) and
the 受付番号 a 訂正 or 取消 names, where the 業務 has them. Every row is judged by the same
services and rules as one filing (services/switches.py, switch_pairs.py, applications.py); the
cancel-forward reads and writes a batch at once (`switches.check_cancel_forwards`,
`register_cancel_forwards`), the others validate a batch at once and apply row by row through the
single-row services, each row in its own savepoint. A row refused at apply gets its error; the
others go on.

A blank cell is a field not given: a 訂正 changes the items given only (an optional item cannot
be cleared through a file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from kouiki.bulk.registry import BulkFunction, RowCheck, RowOutcome, current_context, register
from kouiki.core.csvio import Column, CsvRow, RowError
from kouiki.core.errors import KouikiError
from kouiki.core.japanese import normalize_code, normalize_supply_point_number, parse_date, validate_date
from kouiki.core.systems import System
from kouiki.identity.access import organization_of, require_function
from kouiki.switching.models import Application, Kind, Switch
from kouiki.switching.services import applications, lines, switches
from kouiki.switching.services.lines import FIT, HIGH, LOW, Business
from kouiki.switching.services.points import number_refusal
from kouiki.switching.services.switches import ITEM_FACTS, CancelForwardCheck, CancelForwardRow
from kouiki.tso.services.gateway import UpdateFlag

if TYPE_CHECKING:
    from kouiki.identity.models import User

SYSTEM = System.SWITCHING.value
NEW, CORRECTION, CANCELLATION = (
    UpdateFlag.NEW.value,
    UpdateFlag.CORRECTION.value,
    UpdateFlag.CANCELLATION.value,
)
FLAG_NAMES = {NEW: "登録", CORRECTION: "訂正", CANCELLATION: "取消"}
RECEPTION_LABEL = "受付番号"
RECEPTION_LENGTH = 16  # 受付番号 (16 digits) or, for a 廃止取次登録, its 廃止取次番号 (HT and 14 digits)


def _flag_validator(flags: Sequence[str]) -> Callable[[str], None]:
    allowed = "・".join(f"{flag}（{FLAG_NAMES[flag]}）" for flag in flags)

    def validate(value: str) -> None:
        if value not in flags:
            raise ValidationError(
                f"更新フラグは {allowed} のいずれかを入力してください。", code="update_flag"
            )

    return validate


def flag_columns(flags: Sequence[str]) -> tuple[Column, ...]:
    """更新フラグ (blank: 1 登録) and the 受付番号 a 訂正 / 取消 names."""
    return (
        Column("update_flag", "更新フラグ", normalizer=normalize_code, validator=_flag_validator(flags)),
        Column("reception_number", RECEPTION_LABEL, normalizer=normalize_code, max_length=RECEPTION_LENGTH),
    )


def date_column(name: str, label: str) -> Column:
    return Column(name, label, validator=validate_date)


def item_column(name: str) -> Column:
    """A 廃止取次 item: its switch field's label; its form is the service's rule (check_items)."""
    return Column(name, ITEM_FACTS[name].label)


# --- rows and their errors ----------------------------------------------------------------------


def flag_of(row: CsvRow | dict[str, Any]) -> str:
    data = row.data if isinstance(row, CsvRow) else row
    return data.get("update_flag") or NEW


def row_errors(line: int, error: KouikiError, columns: Iterable[Column]) -> list[RowError]:
    """A service's refusal as the row's errors: one per field it names (the column's label), else
    one for the row."""
    labels = {column.name: column.label for column in columns}
    errors = [
        RowError(line, labels.get(field), message, code=error.code)
        for field, messages in error.errors.items()
        for message in messages
    ]
    return errors or [RowError(line, None, error.message, code=error.code)]


def outcome_error(line: int, error: KouikiError, columns: Iterable[Column]) -> RowError:
    """A refusal at apply as the one error of the row's outcome."""
    errors = row_errors(line, error, columns)
    if len(errors) == 1:
        return errors[0]
    return RowError(line, None, " ".join(str(e.message) for e in errors), code=error.code)


def _duplicate(line: int, key: str, label: str, value: str) -> RowError | None:
    """A second row of the file for the same point (or application): refused naming the first
    (the file's validation remembers every batch's rows in its context)."""
    seen: dict[str, int] = current_context().seen.setdefault("rows", {})
    first = seen.get(key)
    if first is not None and first != line:
        return RowError(
            line,
            label,
            f"{value} は{first}行目と重複しています。同じ対象は1つのファイルに1行だけ指定してください。",
            code="duplicate_row",
        )
    seen[key] = line
    return None


def _point_key(number: str) -> str | None:
    return None if number_refusal(number) else f"point:{normalize_supply_point_number(number)}"


def _each(
    pairs: list[tuple[int, dict[str, Any]]],
    columns: Sequence[Column],
    act: Callable[[dict[str, Any]], str],
) -> list[RowOutcome]:
    """Apply rows one at a time through a single-row service, each in a savepoint: its number, or
    its refusal (the others go on)."""
    outcomes: list[RowOutcome] = []
    for line, payload in pairs:
        try:
            with transaction.atomic():
                number = act(payload)
        except KouikiError as error:
            outcomes.append(RowOutcome(line, error=outcome_error(line, error, columns)))
        else:
            outcomes.append(RowOutcome(line, number=number))
    return outcomes


def _refused_all(rows: Sequence[CsvRow], error: KouikiError) -> list[RowCheck]:
    return [
        RowCheck(
            line=row.line,
            errors=[RowError(row.line, None, error.message, code=error.code)],
            summary={},
            payload={},
        )
        for row in rows
    ]


# --- 訂正 / 取消 of a filed application, by its 受付番号 ---------------------------------------------


def _update_check(
    actor: User,
    row: CsvRow,
    columns: Sequence[Column],
    business: Business,
    line: str,
    changes: dict[str, Any],
) -> RowCheck:
    """A 訂正 (``changes``: the items given) or 取消 row, judged as the service judges it now."""
    flag = flag_of(row)
    number = _reception_number(actor, row.data.get("reception_number", ""), business)
    errors: list[RowError] = []
    if not number:
        errors.append(
            RowError(
                row.line,
                RECEPTION_LABEL,
                f"{FLAG_NAMES[flag]}する申請の受付番号を入力してください。",
                code="required",
            )
        )
    else:
        duplicate = _duplicate(row.line, f"application:{number}", RECEPTION_LABEL, number)
        if duplicate is not None:
            errors.append(duplicate)
    if not errors:
        try:
            if flag == CORRECTION:
                applications.check_correction(
                    actor=actor, reception_number=number, changes=changes, line=line, business=business
                )
            else:
                applications.check_cancellation(
                    actor=actor, reception_number=number, line=line, business=business
                )
        except KouikiError as error:
            errors.extend(row_errors(row.line, error, columns))
    summary = {"更新フラグ": f"{flag} {FLAG_NAMES[flag]}", RECEPTION_LABEL: number}
    return RowCheck(
        line=row.line,
        errors=errors,
        summary=summary,
        payload={"update_flag": flag, "reception_number": number, "changes": changes},
    )


def _reception_number(actor: User, number: str, business: Business) -> str:
    """The 受付番号 a 訂正 / 取消 row names; a 廃止取次登録's may be named by its 廃止取次番号 (the
    number its file's result gives): the actor's organization's 20 of that switch."""
    if business != Business.CANCEL_FORWARD or not number.startswith("HT"):
        return number
    found = (
        Application.objects.filter(
            kind=Kind.CANCEL_FORWARD, switch__number=number, organization_id=organization_of(actor)
        )
        .values_list("reception_number", flat=True)
        .first()
    )
    return found or number


def _apply_update(actor: User, payload: dict[str, Any], line: str, business: Business) -> str:
    number = payload["reception_number"]
    if payload["update_flag"] == CORRECTION:
        application = applications.correct_application(
            actor=actor, reception_number=number, changes=payload["changes"], line=line, business=business
        )
    else:
        application = applications.cancel_application(
            actor=actor, reception_number=number, line=line, business=business
        )
    return application.reception_number


# --- 廃止取次一括登録 (SW-W02, SW-W08, SW-W15) ---------------------------------------------------------

CANCEL_FORWARD_FIELDS = switches.CANCEL_FORWARD_ITEMS


def cancel_forward_columns(line: str) -> tuple[Column, ...]:
    """The API's CancelForwardIn: the point, the items, the desired date."""
    point_label = lines.line(line).point_label
    return (
        *flag_columns((NEW, CORRECTION, CANCELLATION)),
        Column("supply_point_number", f"{point_label}特定番号"),
        item_column("customer_name"),
        item_column("customer_name_kana"),
        item_column("customer_address"),
        item_column("building_name"),
        item_column("contract_number"),
        item_column("new_contact_name"),
        item_column("new_contact_phone"),
        date_column("desired_date", "希望日"),
    )


def _desired(value: str) -> date | None:
    return parse_date(value) if value else None


@dataclass(frozen=True)
class CancelForwardBulk:
    """W02 / W08 / W15: one 業務 on one line."""

    function_id: str
    line: str

    @property
    def columns(self) -> tuple[Column, ...]:
        return cancel_forward_columns(self.line)

    def validate(self, actor: User, rows: list[CsvRow]) -> list[RowCheck]:
        try:
            require_function(actor, self.function_id)
            lines.enter(actor, self.line, Business.CANCEL_FORWARD)
        except KouikiError as error:
            return _refused_all(rows, error)
        columns = self.columns
        registrations = [row for row in rows if flag_of(row) == NEW]
        judged = dict(
            zip(
                (row.line for row in registrations),
                switches.check_cancel_forwards(
                    actor=actor, line=self.line, rows=[self._row(row.data) for row in registrations]
                ),
                strict=True,
            )
        )
        point_label = columns[2].label
        checks: list[RowCheck] = []
        for row in rows:
            if flag_of(row) != NEW:
                given: dict[str, Any] = {
                    name: row.data[name]
                    for name in (*CANCEL_FORWARD_FIELDS, "desired_date")
                    if row.data.get(name)
                }
                if "desired_date" in given:  # JSON-able: the 訂正 reads the ISO date
                    given["desired_date"] = str(_desired(given["desired_date"]))
                changes = given if flag_of(row) == CORRECTION else {}
                checks.append(_update_check(actor, row, columns, Business.CANCEL_FORWARD, self.line, changes))
                continue
            result = judged[row.line]
            errors: list[RowError] = []
            number = row.data["supply_point_number"]
            key = _point_key(number)
            if key is not None:
                duplicate = _duplicate(row.line, key, point_label, number)
                if duplicate is not None:
                    errors.append(duplicate)
            if isinstance(result, KouikiError):
                errors.extend(row_errors(row.line, result, columns))
            summary = {
                "更新フラグ": f"{NEW} {FLAG_NAMES[NEW]}",
                point_label: normalize_supply_point_number(number) if key else number,
                ITEM_FACTS["customer_name"].label: row.data["customer_name"],
                "希望日": row.data["desired_date"] or "（最短の検針日）",
            }
            if isinstance(result, CancelForwardCheck):
                summary[point_label] = result.point.number
            desired = _desired(row.data["desired_date"])
            payload = {
                "update_flag": NEW,
                "supply_point_number": summary[point_label],
                **{name: row.data[name] for name in CANCEL_FORWARD_FIELDS},
                "desired_date": desired.isoformat() if desired else "",
            }
            checks.append(RowCheck(line=row.line, errors=errors, summary=summary, payload=payload))
        return checks

    def _row(self, data: dict[str, Any]) -> CancelForwardRow:
        desired = data.get("desired_date")
        return CancelForwardRow(
            supply_point_number=data["supply_point_number"],
            given={name: data.get(name, "") for name in CANCEL_FORWARD_FIELDS},
            desired_date=desired if isinstance(desired, date) else _desired(desired or ""),
        )

    def apply(self, actor: User, pairs: list[tuple[int, dict[str, Any]]]) -> list[RowOutcome]:
        require_function(actor, self.function_id)
        columns = self.columns
        registrations = [(line, payload) for line, payload in pairs if payload["update_flag"] == NEW]
        filed = dict(
            zip(
                (line for line, _ in registrations),
                switches.register_cancel_forwards(
                    actor=actor, line=self.line, rows=[self._row(payload) for _, payload in registrations]
                ),
                strict=True,
            )
        )
        updates = [(line, payload) for line, payload in pairs if payload["update_flag"] != NEW]
        updated = {
            outcome.line: outcome
            for outcome in _each(
                updates,
                columns,
                lambda payload: _apply_update(actor, payload, self.line, Business.CANCEL_FORWARD),
            )
        }
        outcomes: list[RowOutcome] = []
        for line, _payload in pairs:
            if line in updated:
                outcomes.append(updated[line])
                continue
            result = filed[line]
            if isinstance(result, Application):
                # The 廃止取次番号: what the 開始 / 判断 / 廃止 files name (a 訂正 / 取消 row takes it too).
                outcomes.append(RowOutcome(line, number=cast(Switch, result.switch).number))
            else:
                outcomes.append(RowOutcome(line, error=outcome_error(line, result, columns)))
        return outcomes

    def register(self, title: str) -> None:
        register(
            BulkFunction(
                function_id=self.function_id,
                system=SYSTEM,
                title=title,
                columns=self.columns,
                validate=self.validate,
                apply=self.apply,
                example_rows=(
                    (
                        "1",
                        "",
                        "0300000000000000000001",
                        "広域 太郎",
                        "コウイキ タロウ",
                        "東京都千代田区丸の内一丁目1番1号",
                        "",
                        "B-0001",
                        "新電力 花子",
                        "03-1234-5678",
                        "",
                    ),
                ),
                summary_labels=(
                    "更新フラグ",
                    self.columns[2].label,
                    ITEM_FACTS["customer_name"].label,
                    "希望日",
                ),
            )
        )


def register_all() -> None:
    """Register every bulk function of the switching system (SwitchingConfig.ready)."""
    for function_id, line, title in (
        ("SW-W02", LOW, "低圧 廃止取次一括登録"),
        ("SW-W08", HIGH, "高圧500kW未満 廃止取次一括登録"),
        ("SW-W15", FIT, "低圧FIT卒業電源 廃止取次一括登録"),
    ):
        CancelForwardBulk(function_id, line).register(title)
