"""Web input of the fees screens: bank accounts, filters, the invoice CSV and capacity documents.
Field errors are Japanese and shown next to their field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from kouiki.core.japanese import normalize_organization_code, validate_organization_code
from kouiki.core.lists import FilterForm
from kouiki.fees.models import AccountType, DocumentKind, InvoiceState
from kouiki.fees.services.validators import (
    MAX_YEN,
    normalize_bank_name,
    normalize_digits,
    normalize_holder_name,
    validate_account_number,
    validate_bank_code,
    validate_branch_code,
    validate_holder_name,
)


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


class NormalizedCharField(forms.CharField):
    """A text field whose value is normalized before its validators run."""

    def __init__(self, *, normalizer: Callable[[str], str], **kwargs: Any) -> None:
        self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return self.normalizer(text) if text else ""


class BankAccountForm(forms.Form):
    """A bank account as Japanese banks take it; the values are stored as cleaned."""

    bank_name = NormalizedCharField(
        label="金融機関名",
        max_length=30,
        normalizer=normalize_bank_name,
        help_text="例: 広域銀行",
        error_messages={
            **_required("金融機関名"),
            "max_length": "金融機関名は30文字以内で入力してください。",
        },
    )
    bank_code = NormalizedCharField(
        label="金融機関コード",
        normalizer=normalize_digits,
        validators=[validate_bank_code],
        help_text="4桁の数字（例: 0001）",
        error_messages=_required("金融機関コード"),
    )
    branch_name = NormalizedCharField(
        label="支店名",
        max_length=30,
        normalizer=normalize_bank_name,
        help_text="例: 本店営業部",
        error_messages={**_required("支店名"), "max_length": "支店名は30文字以内で入力してください。"},
    )
    branch_code = NormalizedCharField(
        label="支店コード",
        normalizer=normalize_digits,
        validators=[validate_branch_code],
        help_text="3桁の数字（例: 001）",
        error_messages=_required("支店コード"),
    )
    account_type = forms.ChoiceField(
        label="預金種目",
        choices=AccountType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "預金種目を選択してください。",
            "invalid_choice": "預金種目は普通または当座を選択してください。",
        },
    )
    account_number = NormalizedCharField(
        label="口座番号",
        normalizer=normalize_digits,
        validators=[validate_account_number],
        help_text="7桁の数字。7桁に満たない場合は先頭に0を付けてください（例: 0012345）",
        error_messages=_required("口座番号"),
    )
    holder_name = NormalizedCharField(
        label="口座名義（半角カナ）",
        normalizer=normalize_holder_name,
        validators=[validate_holder_name],
        help_text=(
            "通帳に記載の口座名義を半角カナで（例: ｶ)ｺｳｲｷﾃﾞﾝﾘﾖｸ）。"
            "全角カナ・ひらがなで入力しても半角カナに直して登録します"
        ),
        error_messages=_required("口座名義"),
    )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields}


def _year_choices(years: list[int], empty: str = "すべて") -> list[tuple[str, str]]:
    return [("", empty), *((str(year), f"{year}年度") for year in years)]


class _FiscalYearFilterForm(FilterForm):
    """A member's list filters, one of them `fiscal_year` among the years that have rows."""

    # The fields passed to the selector, under their own names.
    filter_names: tuple[str, ...] = ()

    def __init__(self, *args: Any, fiscal_years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = _year_choices(fiscal_years)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "選択肢から選んでください。"

    def arguments(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.filter_names}


class InvoiceFilterForm(_FiscalYearFilterForm):
    fiscal_year = forms.TypedChoiceField(
        label="年度", required=False, coerce=int, empty_value=None, choices=[("", "すべて")]
    )
    state = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *InvoiceState.choices])

    filter_names = ("fiscal_year", "state")


class StaffInvoiceFilterForm(InvoiceFilterForm):
    q = forms.CharField(
        label="会員", max_length=100, required=False, help_text="事業者コード（完全一致）、会員名（部分一致）"
    )

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "query": self.cleaned_data["q"].strip()}


class CapacityFilterForm(_FiscalYearFilterForm):
    kind = forms.ChoiceField(label="種類", required=False, choices=[("", "すべて"), *DocumentKind.choices])
    fiscal_year = forms.TypedChoiceField(
        label="対象年度", required=False, coerce=int, empty_value=None, choices=[("", "すべて")]
    )

    filter_names = ("kind", "fiscal_year")


class StaffCapacityFilterForm(FilterForm):
    q = forms.CharField(
        label="会員", max_length=100, required=False, help_text="事業者コード（完全一致）、会社名（部分一致）"
    )
    kind = forms.ChoiceField(label="種類", required=False, choices=[("", "すべて"), *DocumentKind.choices])
    published = forms.ChoiceField(
        label="掲載", required=False, choices=[("", "すべて"), ("yes", "掲載済"), ("no", "未掲載")]
    )

    def arguments(self) -> dict[str, Any]:
        return {
            "query": self.cleaned_data["q"].strip(),
            "kind": self.cleaned_data["kind"],
            "published": self.cleaned_data["published"],
        }


class InvoiceImportForm(forms.Form):
    file = forms.FileField(
        label="請求データ（CSV）",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="列: 事業者コード, 年度, 金額, 消費税, 支払期限。Excelの「CSV UTF-8」または「CSV」形式",
        error_messages={"required": "CSVファイルを選択してください。", "empty": "ファイルが空です。"},
    )
    dry_run = forms.BooleanField(label="確認のみ（発行しない）", required=False)


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="入金日",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "入金日を入力してください。",
            "invalid": "入金日を正しく入力してください。",
        },
    )

    def clean_paid_on(self) -> Any:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError("入金日に未来の日付は指定できません。", code="future")
        return paid_on


def _current_fiscal_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


class CapacityDocumentForm(forms.Form):
    organization_code = NormalizedCharField(
        label="事業者コード",
        normalizer=normalize_organization_code,
        validators=[validate_organization_code],
        error_messages=_required("事業者コード"),
    )
    kind = forms.ChoiceField(
        label="種類",
        choices=DocumentKind.choices,
        error_messages={"required": "種類を選択してください。", "invalid_choice": "種類を選択してください。"},
    )
    title = forms.CharField(
        label="件名",
        max_length=100,
        help_text="例: 2025年度7月分 容量拠出金 請求書",
        error_messages={**_required("件名"), "max_length": "件名は100文字以内で入力してください。"},
    )
    fiscal_year = forms.IntegerField(
        label="対象年度",
        min_value=2000,
        max_value=2099,
        initial=_current_fiscal_year,
        error_messages={
            **_required("対象年度"),
            "invalid": "対象年度は西暦4桁で入力してください。",
            "min_value": "対象年度は西暦4桁で入力してください。",
            "max_value": "対象年度は西暦4桁で入力してください。",
        },
    )
    month = forms.TypedChoiceField(
        label="対象月",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "なし（年度分）"),
            *((str(m), f"{m}月") for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)),
        ],
        error_messages={"invalid_choice": "対象月を選択してください。"},
    )
    amount = forms.IntegerField(
        label="金額（円）",
        required=False,
        min_value=0,
        max_value=MAX_YEN,
        error_messages={
            "invalid": "金額は整数（円）で入力してください。",
            "min_value": "金額は0以上で入力してください。",
            "max_value": "金額が大きすぎます。",
        },
    )
    file = forms.FileField(
        label="PDFファイル",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text="10MBまでのPDF",
        error_messages={"required": "PDFファイルを選択してください。", "empty": "ファイルが空です。"},
    )
