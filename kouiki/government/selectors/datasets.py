"""The data sets a provision can hold (X-G1), each declared once: its system, name, the date its
period applies to, its columns — each saying whether it is personal data — and the owning app's
selector that reads its rows.

Personal data goes only where the system's terms let it (`choices.PERSONAL_DATA_ALLOWED`): a data set
of the switching or capacity system that declared a personal column would not even load
(ImproperlyConfigured), so no export of those systems can hold one; their selectors do not read a
personal field either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from kouiki.capacity import selectors as capacity
from kouiki.core.systems import System
from kouiki.government.choices import PERSONAL_DATA_ALLOWED
from kouiki.membership.selectors import government as membership
from kouiki.switching.selectors import government as switching

if TYPE_CHECKING:
    from kouiki.identity.models import User

type Rows = Callable[..., Iterator[dict[str, Any]]]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    personal: bool = False


@dataclass(frozen=True)
class DataSet:
    """One data set: `period` names the date the request's period applies to (None: the data set is
    the state at the time of the provision, whatever the period)."""

    key: str
    system: str
    label: str
    period: str | None
    columns: tuple[Column, ...]
    rows: Rows

    def __post_init__(self) -> None:
        if not PERSONAL_DATA_ALLOWED[self.system] and any(column.personal for column in self.columns):
            raise ImproperlyConfigured(
                f"data set {self.key}: the {self.system} terms give no personal data to agencies"
            )

    @property
    def personal(self) -> bool:
        return any(column.personal for column in self.columns)

    @property
    def header(self) -> list[str]:
        return [column.label for column in self.columns]

    @property
    def scope_text(self) -> str:
        return f"{self.period}が対象期間内のもの" if self.period else "提供時点の内容（対象期間によらない）"

    def read(
        self, *, actor: User, start: dt.date, end: dt.date, organization_codes: list[str]
    ) -> Iterator[list[Any]]:
        """The rows of the scope, each a list of the columns' values."""
        if self.period is None:
            found = self.rows(actor=actor, organization_codes=organization_codes)
        else:
            since, until = _bounds(start, end)
            found = self.rows(actor=actor, since=since, until=until, organization_codes=organization_codes)
        for row in found:
            yield [_cell(row[column.key]) for column in self.columns]


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local days start..end (both included) as [since, until)."""
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return since, until


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%Y/%m/%d %H:%M:%S}"
    if isinstance(value, dt.date):
        return f"{value:%Y/%m/%d}"
    return value


CODE = Column("code", "事業者コード")

DATASETS: tuple[DataSet, ...] = (
    DataSet(
        "member.members",
        System.MEMBER,
        "会員情報",
        None,
        (
            CODE,
            Column("name", "会社名"),
            Column("corporate_number", "法人番号"),
            Column("business_types", "事業者種別"),
            Column("address", "本社所在地"),
            Column("phone", "代表電話番号"),
            Column("representative_title", "代表者肩書"),
            Column("representative_name", "代表者名", personal=True),
            Column("member_since", "会員加入日"),
            Column("status", "状態"),
            Column("admin1_name", "管理者①氏名", personal=True),
            Column("admin1_email", "管理者①メールアドレス", personal=True),
            Column("admin2_name", "管理者②氏名", personal=True),
            Column("admin2_email", "管理者②メールアドレス", personal=True),
        ),
        membership.member_rows,
    ),
    DataSet(
        "switching.applications",
        System.SWITCHING,
        "スイッチング申請",
        "受付日",
        (
            Column("reception_number", "受付番号"),
            Column("code", "申請事業者の事業者コード"),
            Column("kind", "業務"),
            Column("application_type", "申込種別"),
            Column("area", "エリア"),
            Column("voltage", "電圧区分"),
            Column("state", "処理状況"),
            Column("desired_date", "希望日"),
            Column("switching_date", "スイッチング予定日"),
            Column("created_at", "受付日時"),
            Column("finished_at", "処理終了日時"),
        ),
        switching.application_rows,
    ),
    DataSet(
        "switching.switches",
        System.SWITCHING,
        "廃止取次",
        "登録日",
        (
            Column("number", "廃止取次番号"),
            Column("area", "エリア"),
            Column("voltage", "電圧区分"),
            Column("new_retailer", "新小売の事業者コード"),
            Column("current_retailer", "現小売の事業者コード"),
            Column("state", "状態"),
            Column("decision", "取次判断"),
            Column("ng_reason", "NG理由"),
            Column("desired_date", "希望日"),
            Column("switching_date", "スイッチング予定日"),
            Column("created_at", "登録日時"),
            Column("closed_at", "終了日時"),
        ),
        switching.switch_rows,
    ),
    DataSet(
        "capacity.operators",
        System.CAPACITY,
        "容量市場の事業者情報",
        "登録日",
        (
            CODE,
            Column("name", "会社名"),
            Column("corporate_number", "法人番号"),
            Column("address", "本社所在地"),
            Column("phone", "代表電話番号"),
            Column("supplier_kinds", "電気供給事業者の種別"),
            Column("source_ownership", "応札に用いる電源等"),
            Column("bid_intent", "容量オークションに応札する意思"),
            Column("status", "状態"),
            Column("registered_at", "登録日時"),
            Column("contract_ended_at", "利用契約の終了日時"),
        ),
        capacity.operator_rows,
    ),
    DataSet(
        "capacity.sources",
        System.CAPACITY,
        "電源等情報",
        "登録日",
        (
            Column("source_id", "電源等識別番号"),
            CODE,
            Column("name", "電源等の名称"),
            Column("area", "エリア"),
            Column("category", "電源等の区分"),
            Column("generation_type", "発電方式等"),
            Column("installed_capacity_kw", "設備容量（kW）"),
            Column("expected_capacity_kw", "期待容量（kW）"),
            Column("ownership", "保有区分"),
            Column("operation_start", "運転開始（予定）日"),
            Column("status", "状態"),
            Column("registered_at", "登録日時"),
        ),
        capacity.source_rows,
    ),
)

BY_KEY: dict[str, DataSet] = {dataset.key: dataset for dataset in DATASETS}


def of_system(system: str) -> list[DataSet]:
    return [dataset for dataset in DATASETS if dataset.system == system]


def get(key: str) -> DataSet:
    return BY_KEY[key]
