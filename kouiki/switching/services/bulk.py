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

import base64
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from kouiki.bulk.registry import BulkFunction, RowCheck, RowOutcome, current_context, register
from kouiki.core import catalog
from kouiki.core.csvio import Column, CsvRow, RowError
from kouiki.core.errors import KouikiError, ValidationFailed
from kouiki.core.japanese import (
    Area,
    normalize_code,
    normalize_supply_point_number,
    parse_date,
    validate_date,
)
from kouiki.core.systems import System
from kouiki.identity.access import organization_of, require_function
from kouiki.switching.models import Application, Kind, Purpose, Switch
from kouiki.switching.services import applications, lines, switch_pairs, switches, usage
from kouiki.switching.services.lines import FIT, HIGH, LOW, Business
from kouiki.switching.services.points import number_refusal
from kouiki.switching.services.switches import (
    ITEM_FACTS,
    NEW_CONTRACT_NUMBER,
    NG_TEXT,
    CancelForwardCheck,
    CancelForwardRow,
)
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


# A service's field that a file gives in another column: the usage-password documents are the
# file's consent document (SW-W07, W13).
FIELD_COLUMNS = {"documents": "consent_file"}


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
        RowError(line, labels.get(name) or labels.get(FIELD_COLUMNS.get(name, "")), message, code=error.code)
        for name, messages in error.errors.items()
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


# --- one 業務 of a line ----------------------------------------------------------------------------

Payload = dict[str, Any]
# A batch's rules: each registration row's refusal, or None (the payloads of the rows, in order).
BatchCheck = Callable[["User", str, list[Payload]], list[KouikiError | None]]
# A batch's filing: each row's number, or its refusal.
BatchFile = Callable[["User", str, list[Payload]], list[str | KouikiError]]


def one_by_one(file: Callable[[User, str, Payload], str]) -> BatchFile:
    """A batch filed row by row through a single-row service, each row in a savepoint."""

    def batch(actor: User, line: str, payloads: list[Payload]) -> list[str | KouikiError]:
        results: list[str | KouikiError] = []
        for payload in payloads:
            try:
                with transaction.atomic():
                    results.append(file(actor, line, payload))
            except KouikiError as error:
                results.append(error)
        return results

    return batch


def _no_changes(data: dict[str, str]) -> Payload:
    return {}


@dataclass(frozen=True)
class Spec:
    """A 業務 as a bulk function, whatever the line: its columns (the API's fields), the 更新フラグ
    it takes, how a row becomes the service's input, the batch's rules and filing."""

    business: Business
    fields: Callable[[str], tuple[Column, ...]]  # the line → the API's fields
    flags: tuple[str, ...]  # () when the 業務 has no 訂正 / 取消 (no flag columns)
    payload: Callable[[dict[str, str]], Payload]  # a row's cells → the service's input (JSON-able)
    check: BatchCheck
    file: BatchFile
    key: str  # the field naming the object (a point, a switch): one row per object in a file
    summary: tuple[str, ...]  # the fields the confirmation shows
    changes: Callable[[dict[str, str]], Payload] = _no_changes  # a 訂正 row's items given
    example: tuple[str, ...] = ()  # the API's fields of the template's example row
    # What the confirmation shows for a field left blank, where blank means something.
    blank: dict[str, str] = field(default_factory=dict)
    shared_fields: tuple[Column, ...] = ()  # per-file fields of the upload form (kouiki.bulk)


@dataclass(frozen=True)
class LineBulk:
    """One bulk function: a 業務 (`Spec`) on a line."""

    function_id: str
    line: str
    spec: Spec

    @property
    def columns(self) -> tuple[Column, ...]:
        flags = flag_columns(self.spec.flags) if self.spec.flags else ()
        return (*flags, *self.spec.fields(self.line))

    def _labels(self) -> dict[str, str]:
        return {column.name: column.label for column in self.columns}

    def _key(self, payload: Payload) -> str | None:
        value = str(payload.get(self.spec.key) or "")
        if not value:
            return None
        if self.spec.key == "supply_point_number":
            return _point_key(value)
        return f"{self.spec.key}:{value}"

    def validate(self, actor: User, rows: list[CsvRow]) -> list[RowCheck]:
        spec, columns, labels = self.spec, self.columns, self._labels()
        try:
            require_function(actor, self.function_id)
            lines.enter(actor, self.line, spec.business)
        except KouikiError as error:
            return _refused_all(rows, error)
        registrations = [row for row in rows if flag_of(row) == NEW]
        payloads = {row.line: spec.payload(row.data) for row in registrations}
        try:
            judged = dict(zip(payloads, spec.check(actor, self.line, list(payloads.values())), strict=True))
        except KouikiError as error:  # what refuses the whole file (its shared document)
            refused = (*columns, *spec.shared_fields)
            return [RowCheck(row.line, row_errors(row.line, error, refused), {}, {}) for row in rows]
        checks: list[RowCheck] = []
        for row in rows:
            flag = flag_of(row)
            if flag != NEW:
                changes = spec.changes(row.data) if flag == CORRECTION else {}
                checks.append(_update_check(actor, row, columns, spec.business, self.line, changes))
                continue
            payload = payloads[row.line]
            errors: list[RowError] = []
            key = self._key(payload)
            if key is not None:
                duplicate = _duplicate(row.line, key, labels[spec.key], str(payload[spec.key]))
                if duplicate is not None:
                    errors.append(duplicate)
            refusal = judged[row.line]
            if refusal is not None:
                errors.extend(row_errors(row.line, refusal, columns))
            summary = {"更新フラグ": f"{NEW} {FLAG_NAMES[NEW]}"} if spec.flags else {}
            for name in spec.summary:
                value = payload.get(name, row.data.get(name, ""))
                shown = "・".join(value) if isinstance(value, list) else str(value or "")
                summary[labels[name]] = shown or spec.blank.get(name, "")
            checks.append(
                RowCheck(
                    line=row.line, errors=errors, summary=summary, payload={"update_flag": NEW, **payload}
                )
            )
        return checks

    def apply(self, actor: User, pairs: list[tuple[int, Payload]]) -> list[RowOutcome]:
        spec, columns = self.spec, self.columns
        registrations = [(line, payload) for line, payload in pairs if payload.get("update_flag", NEW) == NEW]
        try:
            require_function(actor, self.function_id)
            numbers = spec.file(actor, self.line, [payload for _, payload in registrations])
        except KouikiError as error:  # the right withdrawn since validation: every row refused
            return [RowOutcome(line, error=outcome_error(line, error, columns)) for line, _ in pairs]
        filed = dict(zip((line for line, _ in registrations), numbers, strict=True))
        updates = [(line, payload) for line, payload in pairs if line not in filed]
        updated = {
            outcome.line: outcome
            for outcome in _each(
                updates, columns, lambda payload: _apply_update(actor, payload, self.line, spec.business)
            )
        }
        outcomes: list[RowOutcome] = []
        for line, _payload in pairs:
            if line in updated:
                outcomes.append(updated[line])
                continue
            result = filed[line]
            if isinstance(result, KouikiError):
                outcomes.append(RowOutcome(line, error=outcome_error(line, result, columns)))
            else:
                outcomes.append(RowOutcome(line, number=result))
        return outcomes

    def register(self, title: str) -> None:
        """Register the function with the bulk mechanism, and its code with the catalog."""
        spec = self.spec
        catalog.place(self.function_id, "service", LineBulk.validate)
        catalog.place(self.function_id, "service", LineBulk.apply)
        flags = (NEW, "") if spec.flags else ()
        labels = self._labels()
        register(
            BulkFunction(
                function_id=self.function_id,
                system=SYSTEM,
                title=title,
                columns=self.columns,
                validate=self.validate,
                apply=self.apply,
                example_rows=((*flags, *spec.example),) if spec.example else (),
                shared_fields=spec.shared_fields,
                summary_labels=(
                    *(("更新フラグ",) if spec.flags else ()),
                    *(labels[name] for name in spec.summary),
                ),
            )
        )


def _point(data: dict[str, str]) -> str:
    """The point's number as kept when it is one (the service refuses it otherwise)."""
    number = data.get("supply_point_number", "")
    return normalize_supply_point_number(number) if number_refusal(number) is None else number


def _iso(value: str) -> str:
    day = parse_date(value) if value else None
    return day.isoformat() if day else ""


def _given(data: dict[str, str], names: Iterable[str]) -> Payload:
    return {name: data[name] for name in names if data.get(name)}


def point_column(line: str) -> Column:
    return Column("supply_point_number", f"{lines.line(line).point_label}特定番号")


SWITCH_NUMBER_COLUMN = Column(
    "switch_number", "廃止取次番号", normalizer=lambda value: normalize_code(value).upper(), max_length=16
)


# --- 廃止取次一括登録 (SW-W02, SW-W08, SW-W15): read and written in batches ---------------------------

CANCEL_FORWARD_FIELDS = switches.CANCEL_FORWARD_ITEMS


def _cancel_forward_fields(line: str) -> tuple[Column, ...]:
    """The API's CancelForwardIn: the point, the items, the desired date."""
    return (
        point_column(line),
        *(item_column(name) for name in CANCEL_FORWARD_FIELDS),
        date_column("desired_date", "希望日"),
    )


def _cancel_forward_row(payload: Payload) -> CancelForwardRow:
    desired = payload.get("desired_date") or ""
    return CancelForwardRow(
        supply_point_number=payload["supply_point_number"],
        given={name: payload.get(name, "") for name in CANCEL_FORWARD_FIELDS},
        desired_date=date.fromisoformat(desired) if desired else None,
    )


def _check_cancel_forwards(actor: User, line: str, payloads: list[Payload]) -> list[KouikiError | None]:
    checked = switches.check_cancel_forwards(
        actor=actor, line=line, rows=[_cancel_forward_row(payload) for payload in payloads]
    )
    return [None if isinstance(result, CancelForwardCheck) else result for result in checked]


def _register_cancel_forwards(actor: User, line: str, payloads: list[Payload]) -> list[str | KouikiError]:
    """Filed in batches; each row's 廃止取次番号 — what the 開始 / 判断 / 廃止 files name (a 訂正 /
    取消 row takes it too)."""
    filed = switches.register_cancel_forwards(
        actor=actor, line=line, rows=[_cancel_forward_row(payload) for payload in payloads]
    )
    return [
        result if isinstance(result, KouikiError) else cast(Switch, result.switch).number for result in filed
    ]


def _cancel_forward_changes(data: dict[str, str]) -> Payload:
    changes = _given(data, CANCEL_FORWARD_FIELDS)
    if data.get("desired_date"):  # JSON-able: the 訂正 reads the ISO date
        changes["desired_date"] = _iso(data["desired_date"])
    return changes


CANCEL_FORWARD = Spec(
    business=Business.CANCEL_FORWARD,
    fields=_cancel_forward_fields,
    flags=(NEW, CORRECTION, CANCELLATION),
    payload=lambda data: {
        "supply_point_number": _point(data),
        **{name: data.get(name, "") for name in CANCEL_FORWARD_FIELDS},
        "desired_date": _iso(data.get("desired_date", "")),
    },
    check=_check_cancel_forwards,
    file=_register_cancel_forwards,
    key="supply_point_number",
    summary=("supply_point_number", "customer_name", "desired_date"),
    changes=_cancel_forward_changes,
    blank={"desired_date": "（最短の検針日）"},
    example=(
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
)


# --- 開始一括申請 (SW-W03, W09, W16), 廃止一括申請 (SW-W05, W11, W18) ----------------------------------


def _check_pairs(kind: str) -> BatchCheck:
    def check(actor: User, line: str, payloads: list[Payload]) -> list[KouikiError | None]:
        return switch_pairs.check_pairs(
            actor=actor,
            line=line,
            kind=kind,
            rows=[(payload["switch_number"], payload.get("contract_number", "")) for payload in payloads],
        )

    return check


def _start(actor: User, line: str, payload: Payload) -> str:
    return switch_pairs.apply_switching_start(
        actor=actor,
        switch_number=payload["switch_number"],
        contract_number=payload["contract_number"],
        line=line,
    ).reception_number


def _abolish(actor: User, line: str, payload: Payload) -> str:
    return switch_pairs.apply_switching_abolish(
        actor=actor, switch_number=payload["switch_number"], line=line
    ).reception_number


SWITCH_START = Spec(
    business=Business.SWITCH_START,
    fields=lambda line: (
        SWITCH_NUMBER_COLUMN,
        Column("contract_number", NEW_CONTRACT_NUMBER.label, normalizer=normalize_code),
    ),
    flags=(NEW, CORRECTION, CANCELLATION),
    payload=lambda data: {"switch_number": data["switch_number"], "contract_number": data["contract_number"]},
    check=_check_pairs(Kind.SWITCH_START),
    file=one_by_one(_start),
    key="switch_number",
    summary=("switch_number", "contract_number"),
    changes=lambda data: _given(data, ("contract_number",)),
    example=("HT20261102000001", "A-0001"),
)

SWITCH_ABOLISH = Spec(
    business=Business.SWITCH_ABOLISH,
    fields=lambda line: (SWITCH_NUMBER_COLUMN,),
    flags=(NEW, CANCELLATION),  # a 03 has nothing to correct
    payload=lambda data: {"switch_number": data["switch_number"]},
    check=_check_pairs(Kind.SWITCH_ABOLISH),
    file=one_by_one(_abolish),
    key="switch_number",
    summary=("switch_number",),
    example=("HT20261102000001",),
)


# --- 廃止取次一括判断 (SW-W04, W10, W17) ------------------------------------------------------------


def _reasons(value: str) -> list[str]:
    """NG理由 codes in one cell, apart by ・ 、 , / or spaces (01・05), any width."""
    return [code for code in re.split(r"[・、,/\s]+", unicodedata.normalize("NFKC", value or "")) if code]


def _decision_row(payload: Payload) -> switches.DecisionRow:
    return switches.DecisionRow(
        switch_number=payload["switch_number"],
        decision=payload["decision"],
        ng_reasons=payload["ng_reasons"],
        ng_text=payload["ng_text"],
        current_contact_name=payload["current_contact_name"],
        current_contact_phone=payload["current_contact_phone"],
    )


def _decide(actor: User, line: str, payload: Payload) -> str:
    return switches.decide_cancel_forward(actor=actor, line=line, **_decision_row(payload)._asdict()).number


DECISION = Spec(
    business=Business.DECISION,
    fields=lambda line: (
        SWITCH_NUMBER_COLUMN,
        Column("decision", "取次判断（ok / ng）", normalizer=lambda value: normalize_code(value).lower()),
        Column("ng_reasons", "NG理由コード"),
        Column("ng_text", NG_TEXT.label),
        item_column("current_contact_name"),
        item_column("current_contact_phone"),
    ),
    flags=(),
    payload=lambda data: {
        "switch_number": data["switch_number"],
        "decision": data["decision"],
        "ng_reasons": _reasons(data["ng_reasons"]),
        "ng_text": data["ng_text"],
        "current_contact_name": data["current_contact_name"],
        "current_contact_phone": data["current_contact_phone"],
    },
    check=lambda actor, line, payloads: switches.check_decisions(
        actor=actor, line=line, rows=[_decision_row(payload) for payload in payloads]
    ),
    file=one_by_one(_decide),
    key="switch_number",
    summary=("switch_number", "decision", "ng_reasons"),
    example=("HT20261102000001", "ng", "01・05", "契約者名が一致しません。", "現小売 次郎", "03-9876-5432"),
)


# --- 需要者情報変更一括申請 (SW-W06, W12) -----------------------------------------------------------

CUSTOMER_FIELDS = tuple(applications.CUSTOMER_ITEMS)


def _customer_change(actor: User, line: str, payload: Payload) -> str:
    return applications.apply_customer_change(
        actor=actor,
        line=line,
        supply_point_number=payload["supply_point_number"],
        **{name: payload.get(name) or None for name in CUSTOMER_FIELDS},
    ).reception_number


CUSTOMER_CHANGE = Spec(
    business=Business.CUSTOMER_CHANGE,
    fields=lambda line: (
        point_column(line),
        *(Column(name, applications.CUSTOMER_ITEM_FACTS[name].label) for name in CUSTOMER_FIELDS),
    ),
    flags=(NEW, CORRECTION, CANCELLATION),
    payload=lambda data: {
        "supply_point_number": _point(data),
        **{name: data.get(name, "") for name in CUSTOMER_FIELDS},
    },
    check=lambda actor, line, payloads: applications.check_customer_changes(
        actor=actor, line=line, rows=payloads
    ),
    file=one_by_one(_customer_change),
    key="supply_point_number",
    summary=("supply_point_number", *CUSTOMER_FIELDS),
    changes=lambda data: _given(data, CUSTOMER_FIELDS),
    example=("0300000000000000000001", "広域 花子", "", "03-1234-5678", ""),
)


# --- 同一法人需要者の使用量情報照会一括申請 (SW-W07, W13) ---------------------------------------------

CONSENT = Column("consent_file", "需要者の同意書・本人確認書類（ファイル）", required=True)
PURPOSES = tuple(Purpose.values)


def _purpose(value: str) -> str:
    """A purpose by its code, or by its number 1〜5 (①〜⑤ as the policy numbers them)."""
    if value.isdigit() and 1 <= int(value) <= len(PURPOSES):
        return PURPOSES[int(value) - 1]
    return value


def _validate_days(value: str) -> None:
    if not value.isdigit():
        raise ValidationError("有効日数は日数を半角数字で入力してください。", code="invalid")


def _documents() -> list[usage.Document]:
    """The file's consent document (the upload form's shared field), as the service takes it."""
    given = current_context().shared.get(CONSENT.name)
    if not isinstance(given, dict) or not given.get("data_b64"):
        raise ValidationFailed(
            f"{CONSENT.label}を添付してください（ファイルに1つ、全ての行の申請に添付されます）。",
            code="usage_document_required",
            field=CONSENT.name,
        )
    return [usage.Document(name=str(given.get("name") or ""), data=base64.b64decode(given["data_b64"]))]


def _usage_row(payload: Payload) -> dict[str, Any]:
    until, days = payload.get("valid_until") or "", payload.get("valid_days") or ""
    return {
        "supply_point_number": payload["supply_point_number"],
        "purpose": payload["purpose"],
        "valid_until": date.fromisoformat(until) if until else None,
        "valid_days": int(days) if days else None,
    }


def _check_usage_passwords(actor: User, line: str, payloads: list[Payload]) -> list[KouikiError | None]:
    """The service's rules, and the function's own: the points of one file in one area (the
    first row's)."""
    found = applications.check_usage_passwords(
        actor=actor, line=line, rows=[_usage_row(payload) for payload in payloads], documents=_documents()
    )
    seen = current_context().seen
    results: list[KouikiError | None] = []
    for result in found:
        if isinstance(result, KouikiError):
            results.append(result)
            continue
        area = seen.setdefault("area", result.area)
        if result.area != area:
            results.append(
                ValidationFailed(
                    f"1つのファイルには同じエリアの供給地点のみ指定できます（このファイルは{Area(area).label}"
                    f"エリア、この供給地点は{Area(result.area).label}エリア）。",
                    code="usage_area_mixed",
                    field="supply_point_number",
                )
            )
        else:
            results.append(None)
    return results


def _usage_password(actor: User, line: str, payload: Payload) -> str:
    return applications.apply_usage_password(
        actor=actor, line=line, documents=_documents(), **_usage_row(payload)
    ).reception_number


USAGE_PASSWORD = Spec(
    business=Business.USAGE_PASSWORD,
    fields=lambda line: (
        point_column(line),
        Column("purpose", "利用目的", normalizer=lambda value: _purpose(normalize_code(value))),
        date_column("valid_until", "パスワードの有効期限"),
        Column("valid_days", "パスワードの有効日数", normalizer=normalize_code, validator=_validate_days),
    ),
    flags=(NEW, CANCELLATION),  # 取消 only (services/updates.py)
    payload=lambda data: {
        "supply_point_number": _point(data),
        "purpose": data["purpose"],
        "valid_until": _iso(data["valid_until"]),
        "valid_days": data["valid_days"],
    },
    check=_check_usage_passwords,
    file=one_by_one(_usage_password),
    key="supply_point_number",
    summary=("supply_point_number", "purpose", "valid_until", "valid_days"),
    example=("0300000000000000000001", "3", "", "14"),
    shared_fields=(CONSENT,),
)


FUNCTIONS: tuple[tuple[str, str, Spec, str], ...] = (
    ("SW-W02", LOW, CANCEL_FORWARD, "低圧 廃止取次一括登録"),
    ("SW-W03", LOW, SWITCH_START, "低圧 開始一括申請"),
    ("SW-W04", LOW, DECISION, "低圧 廃止取次一括判断"),
    ("SW-W05", LOW, SWITCH_ABOLISH, "低圧 廃止一括申請"),
    ("SW-W06", LOW, CUSTOMER_CHANGE, "低圧 需要者情報変更一括申請"),
    ("SW-W07", LOW, USAGE_PASSWORD, "低圧 同一法人需要者の使用量情報照会一括申請"),
    ("SW-W08", HIGH, CANCEL_FORWARD, "高圧500kW未満 廃止取次一括登録"),
    ("SW-W09", HIGH, SWITCH_START, "高圧500kW未満 開始一括申請"),
    ("SW-W10", HIGH, DECISION, "高圧500kW未満 廃止取次一括判断"),
    ("SW-W11", HIGH, SWITCH_ABOLISH, "高圧500kW未満 廃止一括申請"),
    ("SW-W12", HIGH, CUSTOMER_CHANGE, "高圧500kW未満 需要者情報変更一括申請"),
    ("SW-W13", HIGH, USAGE_PASSWORD, "高圧500kW未満 同一法人需要者の使用量情報照会一括申請"),
    ("SW-W15", FIT, CANCEL_FORWARD, "低圧FIT卒業電源 廃止取次一括登録"),
    ("SW-W16", FIT, SWITCH_START, "低圧FIT卒業電源 開始一括申請"),
    ("SW-W17", FIT, DECISION, "低圧FIT卒業電源 廃止取次一括判断"),
    ("SW-W18", FIT, SWITCH_ABOLISH, "低圧FIT卒業電源 廃止一括申請"),
)


def register_all() -> None:
    """Register every bulk function of the switching system (SwitchingConfig.ready)."""
    for function_id, line, spec, title in FUNCTIONS:
        LineBulk(function_id, line, spec).register(title)
