"""Company and administrator fields shared by the join application (MEM-J2, J4) and the change
request (MEM-I4), with the manual's rules (seed 003 1.4, chapter 5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from kouiki.core import japanese
from kouiki.core.forms import AddressField, CodeField, TextField
from kouiki.identity.choices import BusinessType
from kouiki.identity.forms import ProfileForm


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


def _check(validator: Any, value: str) -> str:
    validator(value)
    return value


class CompanyForm(forms.Form):
    """◆会社情報 (the fields of the 加入(本)申請 and 会員情報変更申請 screens)."""

    corporate_number = CodeField(
        label="法人番号", max_length=20, error_messages=_required("法人番号"), help_text="13桁の数字"
    )
    business_types = forms.MultipleChoiceField(
        label="事業者種別",
        choices=BusinessType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "事業者種別を1つ以上選択してください。",
            "invalid_choice": "事業者種別の選択が不正です。",
        },
    )
    name = TextField(label="会社名", max_length=200, error_messages=_required("会社名"), help_text="正式名称")
    name_kana = TextField(label="会社名カナ", max_length=200, error_messages=_required("会社名カナ"))
    phone = CodeField(
        label="代表電話番号",
        max_length=20,
        error_messages=_required("代表電話番号"),
        help_text="「-」（ハイフン）区切り",
    )
    representative_last_name = TextField(
        label="代表者名（姓）", max_length=50, error_messages=_required("代表者名（姓）")
    )
    representative_first_name = TextField(
        label="代表者名（名）", max_length=50, error_messages=_required("代表者名（名）")
    )
    representative_last_name_kana = TextField(
        label="代表者名カナ（セイ）", max_length=50, error_messages=_required("代表者名カナ（セイ）")
    )
    representative_first_name_kana = TextField(
        label="代表者名カナ（メイ）", max_length=50, error_messages=_required("代表者名カナ（メイ）")
    )
    representative_title = TextField(
        label="代表者肩書", max_length=100, error_messages=_required("代表者肩書")
    )
    postal_code = CodeField(
        label="本社郵便番号", max_length=10, error_messages=_required("本社郵便番号"), help_text="7桁の数字"
    )
    # The address rule of every system (core.japanese.normalize_address): 東京都江東区豊洲6-2-15.
    address1 = AddressField(label="本社所在地1", max_length=200, help_text="例: 東京都江東区豊洲6-2-15")
    address2 = AddressField(label="本社所在地2", max_length=200, required=False)
    address1_kana = TextField(
        label="本社所在地1カナ",
        max_length=200,
        error_messages=_required("本社所在地1カナ"),
        help_text='半角の"（ダブルクォーテーション）は使用できません。',
    )
    address2_kana = TextField(
        label="本社所在地2カナ",
        max_length=200,
        required=False,
        help_text='半角の"（ダブルクォーテーション）は使用できません。',
    )
    capital_relationship = TextField(
        label="資本関係",
        max_length=500,
        required=False,
        help_text="親会社名など。GK-TKスキームによる匿名組合出資は記載不要です。",
    )
    parent_share_ratio = forms.DecimalField(
        label="親会社の持株比率（%）",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        error_messages={
            "invalid": "持株比率は数値で入力してください。",
            "min_value": "持株比率は0以上100以下で入力してください。",
            "max_value": "持株比率は0以上100以下で入力してください。",
            "max_decimal_places": "持株比率は小数点以下2桁までで入力してください。",
        },
    )

    def clean_corporate_number(self) -> str:
        value = japanese.normalize_corporate_number(self.cleaned_data["corporate_number"])
        return _check(japanese.validate_corporate_number, value)

    def clean_name(self) -> str:
        return _check(japanese.validate_full_width, japanese.to_full_width(self.cleaned_data["name"]))

    def clean_name_kana(self) -> str:
        return _check(japanese.validate_kana, japanese.normalize_kana(self.cleaned_data["name_kana"]))

    def clean_phone(self) -> str:
        return _check(japanese.validate_phone, japanese.normalize_phone(self.cleaned_data["phone"]))

    def clean_representative_last_name(self) -> str:
        return _check(
            japanese.validate_full_width,
            japanese.widen_spaces(self.cleaned_data["representative_last_name"]),
        )

    def clean_representative_first_name(self) -> str:
        return _check(
            japanese.validate_full_width,
            japanese.widen_spaces(self.cleaned_data["representative_first_name"]),
        )

    def clean_representative_last_name_kana(self) -> str:
        value = japanese.normalize_kana(self.cleaned_data["representative_last_name_kana"])
        return _check(japanese.validate_kana, value)

    def clean_representative_first_name_kana(self) -> str:
        value = japanese.normalize_kana(self.cleaned_data["representative_first_name_kana"])
        return _check(japanese.validate_kana, value)

    def clean_representative_title(self) -> str:
        return _check(
            japanese.validate_full_width, japanese.to_full_width(self.cleaned_data["representative_title"])
        )

    def clean_postal_code(self) -> str:
        return _check(
            japanese.validate_postal_code, japanese.normalize_postal_code(self.cleaned_data["postal_code"])
        )

    def clean_address1_kana(self) -> str:
        # Validate before normalizing: the manual forbids the half-width " as typed.
        raw = self.cleaned_data["address1_kana"]
        japanese.validate_address_kana(raw)
        return japanese.normalize_address_kana(raw)

    def clean_address2_kana(self) -> str:
        raw = self.cleaned_data.get("address2_kana", "")
        if not raw:
            return ""
        japanese.validate_address_kana(raw)
        return japanese.normalize_address_kana(raw)

    def clean_capital_relationship(self) -> str:
        value = self.cleaned_data.get("capital_relationship", "")
        return _check(japanese.validate_full_width, japanese.to_full_width(value)) if value else ""

    def payload(self) -> dict[str, Any]:
        """JSON-ready values for an application payload."""
        data = dict(self.cleaned_data)
        ratio = data.get("parent_share_ratio")
        data["parent_share_ratio"] = str(ratio) if ratio is not None else None
        return data


class AdministratorForm(ProfileForm):
    """管理者① / ② of the join application and the change request: a user ID and the profile."""

    user_id = CodeField(
        label="ユーザID", max_length=6, error_messages=_required("ユーザID"), help_text="半角英数字6桁"
    )
    field_order = ["user_id"]

    def clean_user_id(self) -> str:
        return _check(japanese.validate_user_login_id, self.cleaned_data["user_id"])

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("email_confirm", None)
        return data
