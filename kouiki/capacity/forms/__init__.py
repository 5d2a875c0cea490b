"""Web input of the capacity market screens: field-level rules with Japanese messages.

The same forms check an application's payload when it is (re)submitted and each row of a CSV
import (kouiki/capacity/services/payloads.py), so the screen, the review workflow and the bulk import
cannot disagree. Rules that span fields (category, members, capacities) live in payloads.py.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kouiki.capacity.choices import (
    MAX_CAPACITY_KW,
    MAX_MEMBERS,
    Area,
    GenerationType,
    Ownership,
    SourceCategory,
    SourceOwnership,
    SupplierKind,
)
from kouiki.core import japanese
from kouiki.core.forms import AddressField, CodeField, TextField


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


def _choice(label: str) -> dict[str, str]:
    return {
        "required": f"{label}を選択してください。",
        "invalid_choice": f"{label}の選択が正しくありません。",
    }


def _check(validator: Any, value: str) -> str:
    validator(value)
    return value


def _full_width(value: str) -> str:
    return _check(japanese.validate_full_width, japanese.to_full_width(value)) if value else ""


def _person(value: str) -> str:
    return _check(japanese.validate_full_width, japanese.widen_spaces(value)) if value else ""


def _kana(value: str) -> str:
    return _check(japanese.validate_kana, japanese.normalize_kana(value)) if value else ""


def _phone(value: str) -> str:
    return _check(japanese.validate_phone, japanese.normalize_phone(value)) if value else ""


# --- operators (CAP-R1) ---------------------------------------------------------------------------


class CompanyForm(forms.Form):
    """事業者情報: the company, its kind of electricity business and the conditions of use."""

    corporate_number = CodeField(
        label="法人番号", max_length=20, error_messages=_required("法人番号"), help_text="13桁の数字"
    )
    name = TextField(label="会社名", max_length=200, error_messages=_required("会社名"), help_text="正式名称")
    name_kana = TextField(label="会社名カナ", max_length=200, error_messages=_required("会社名カナ"))
    postal_code = CodeField(
        label="本社郵便番号", max_length=10, error_messages=_required("本社郵便番号"), help_text="7桁の数字"
    )
    address = AddressField(label="本社所在地", max_length=200, error_messages=_required("本社所在地"))
    phone = CodeField(
        label="代表電話番号",
        max_length=20,
        error_messages=_required("代表電話番号"),
        help_text="「-」（ハイフン）区切り。例: 03-1234-5678",
    )
    representative_title = TextField(
        label="代表者役職", max_length=100, error_messages=_required("代表者役職"), help_text="例: 代表取締役"
    )
    representative_name = TextField(
        label="代表者氏名",
        max_length=100,
        error_messages=_required("代表者氏名"),
        help_text="全角。姓と名の間は全角スペース",
    )
    representative_name_kana = TextField(
        label="代表者氏名カナ", max_length=100, error_messages=_required("代表者氏名カナ")
    )
    supplier_kinds = forms.MultipleChoiceField(
        label="電気供給事業者の種別",
        choices=SupplierKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="電気事業法第23条に定める電気供給事業者の種別（該当するものすべて）",
        error_messages={
            "required": "電気供給事業者の種別を1つ以上選択してください。",
            "invalid_choice": "電気供給事業者の種別の選択が正しくありません。",
        },
    )
    source_ownership = forms.ChoiceField(
        label="応札に用いる電源等",
        choices=SourceOwnership.choices,
        widget=forms.RadioSelect,
        error_messages=_choice("応札に用いる電源等"),
    )
    bid_intent = forms.BooleanField(
        label="自ら又は他社が保有する電源等を用いて容量オークションに応札する意思があります",
        error_messages={
            "required": "本システムは容量オークションに応札する意思がある電気供給事業者のみ利用できます"
            "（容量市場システム利用規約 2.1.1）。"
        },
    )
    client_certificate = forms.BooleanField(
        label="本機関が指定する者からクライアント証明書を取得しています",
        error_messages={
            "required": "利用申請の前にクライアント証明書を取得してください（容量市場システム利用規約 3.1）。"
        },
    )

    def clean_corporate_number(self) -> str:
        value = japanese.normalize_corporate_number(self.cleaned_data["corporate_number"])
        return _check(japanese.validate_corporate_number, value)

    def clean_name(self) -> str:
        return _full_width(self.cleaned_data["name"])

    def clean_name_kana(self) -> str:
        return _kana(self.cleaned_data["name_kana"])

    def clean_postal_code(self) -> str:
        value = japanese.normalize_postal_code(self.cleaned_data["postal_code"])
        return _check(japanese.validate_postal_code, value)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_representative_title(self) -> str:
        return _full_width(self.cleaned_data["representative_title"])

    def clean_representative_name(self) -> str:
        return _person(self.cleaned_data["representative_name"])

    def clean_representative_name_kana(self) -> str:
        return _kana(self.cleaned_data["representative_name_kana"])

    def payload(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        chosen = set(data["supplier_kinds"])
        data["supplier_kinds"] = [kind for kind in SupplierKind.values if kind in chosen]
        return data


class ContactForm(forms.Form):
    """担当者: who the organization contacts about the registration (① required, ② optional)."""

    department = TextField(label="所属部署・役職", max_length=100, error_messages=_required("所属部署・役職"))
    name = TextField(
        label="氏名", max_length=100, error_messages=_required("氏名"), help_text="姓と名の間は全角スペース"
    )
    name_kana = TextField(label="氏名カナ", max_length=100, error_messages=_required("氏名カナ"))
    phone = CodeField(
        label="電話番号", max_length=20, error_messages=_required("電話番号"), help_text="例: 03-1234-5678"
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={**_required("メールアドレス"), "invalid": "有効なメールアドレスを入力してください。"},
    )

    def clean_department(self) -> str:
        return _full_width(self.cleaned_data["department"])

    def clean_name(self) -> str:
        return _person(self.cleaned_data["name"])

    def clean_name_kana(self) -> str:
        return _kana(self.cleaned_data["name_kana"])

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return japanese.normalize_email(self.cleaned_data["email"])


class ConsentForm(forms.Form):
    """「本利用規約に同意する」 with the version the screen showed."""

    consent = forms.BooleanField(
        label="容量市場システム利用規約に同意する",
        error_messages={"required": "容量市場システム利用規約に同意してください。"},
    )
    terms_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LookupForm(forms.Form):
    """An applicant reopens its application: the reception number and the administrator's address."""

    reception_number = CodeField(
        label="受付番号",
        max_length=24,
        upper=True,
        error_messages=_required("受付番号"),
        help_text="受付メールに記載された受付番号（例: CR2026-000001）",
    )
    email = forms.EmailField(
        label="管理者メールアドレス",
        max_length=254,
        error_messages={
            **_required("管理者メールアドレス"),
            "invalid": "有効なメールアドレスを入力してください。",
        },
        help_text="利用申請で入力した管理者のメールアドレス",
    )


class ReasonForm(forms.Form):
    """A deletion's reason (事業者情報・電源等情報の削除申請)."""

    reason = TextField(
        label="削除の理由",
        max_length=500,
        error_messages=_required("削除の理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()


# --- power sources (CAP-P1) ----------------------------------------------------------------------


def _capacity_field(label: str, *, required: bool = True, minimum: int = 1) -> forms.IntegerField:
    limit = f"{MAX_CAPACITY_KW:,}"
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=MAX_CAPACITY_KW,
        help_text="kW単位の整数",
        error_messages={
            **_required(label),
            "invalid": f"{label}はkW単位の整数で入力してください。",
            "min_value": f"{label}は{minimum:,}kW以上で入力してください。",
            "max_value": f"{label}は{limit}kW以下で入力してください（単位はkWです）。",
        },
    )


class PointNumberField(forms.CharField):
    """受電地点特定番号 / 供給地点特定番号: 22 digits whose first two are the area code."""

    def to_python(self, value: Any) -> str:
        return japanese.normalize_supply_point_number(super().to_python(value) or "")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            try:
                japanese.validate_supply_point_number(value)
            except ValidationError as error:
                raise ValidationError(
                    [message.replace("供給地点特定番号", str(self.label)) for message in error.messages]
                ) from error


class PowerSourceForm(forms.Form):
    """電源等情報 (CAP-P1): one power source; its members, if any, are `MemberForm`s."""

    name = TextField(
        label="電源等の名称",
        max_length=100,
        error_messages=_required("電源等の名称"),
        help_text="例: 広域火力発電所1号機",
    )
    area = forms.ChoiceField(
        label="エリア", choices=[("", "選択してください"), *Area.choices], error_messages=_choice("エリア")
    )
    location = AddressField(label="所在地", max_length=200, error_messages=_required("所在地"))
    category = forms.ChoiceField(
        label="電源等の区分",
        choices=[("", "選択してください"), *SourceCategory.choices],
        error_messages=_choice("電源等の区分"),
    )
    generation_type = forms.ChoiceField(
        label="発電方式等",
        choices=[("", "選択してください"), *GenerationType.choices],
        error_messages=_choice("発電方式等"),
    )
    installed_capacity_kw = _capacity_field("設備容量（kW）")
    expected_capacity_kw = _capacity_field("期待容量（kW）", required=False)
    receiving_point_number = PointNumberField(
        label="受電地点特定番号",
        max_length=40,
        required=False,
        help_text="22桁。アグリゲートの区分では構成電源ごとに入力します。",
    )
    grid_connection = TextField(
        label="系統連系点",
        max_length=100,
        required=False,
        help_text="連系先の変電所・送電線（例: 広域変電所 66kV母線）。アグリゲートの区分では入力しません。",
    )
    connection_voltage_kv = forms.DecimalField(
        label="連系電圧（kV）",
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        error_messages={
            "invalid": "連系電圧は数値（kV）で入力してください。",
            "min_value": "連系電圧は0.1kV以上で入力してください。",
            "max_value": "連系電圧は1000kV以下で入力してください。",
            "max_decimal_places": "連系電圧は小数点以下1桁までで入力してください。",
            "max_digits": "連系電圧は1000kV以下で入力してください。",
        },
    )
    ownership = forms.ChoiceField(
        label="保有区分",
        choices=Ownership.choices,
        widget=forms.RadioSelect,
        error_messages=_choice("保有区分"),
    )
    owner_name = TextField(
        label="保有者名", max_length=200, required=False, help_text="他社保有の場合、保有する事業者の名称"
    )
    operation_start = forms.DateField(
        label="運転開始（予定）日",
        required=False,
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "運転開始（予定）日は「2026/04/01」の形式で入力してください。"},
    )

    def clean_name(self) -> str:
        return _full_width(self.cleaned_data["name"])

    def clean_grid_connection(self) -> str:
        return _full_width(self.cleaned_data.get("grid_connection", ""))

    def clean_owner_name(self) -> str:
        return _full_width(self.cleaned_data.get("owner_name", ""))

    def payload(self) -> dict[str, Any]:
        """JSON-ready values for an application payload."""
        data = dict(self.cleaned_data)
        voltage = data.get("connection_voltage_kv")
        # One decimal place, as the database keeps it: "154" and "154.0" are the same voltage.
        data["connection_voltage_kv"] = str(voltage.quantize(Decimal("0.1"))) if voltage is not None else None
        start = data.get("operation_start")
        data["operation_start"] = start.isoformat() if start else None
        return data


class MemberForm(forms.Form):
    """構成電源: one member of an aggregated power source."""

    name = TextField(label="構成電源の名称", max_length=100, error_messages=_required("構成電源の名称"))
    point_number = PointNumberField(
        label="受電地点特定番号",
        max_length=40,
        error_messages=_required("受電地点特定番号"),
        help_text="発電設備は受電地点特定番号、需要場所は供給地点特定番号（22桁）",
    )
    generation_type = forms.ChoiceField(
        label="発電方式等",
        choices=[("", "選択してください"), *GenerationType.choices],
        error_messages=_choice("発電方式等"),
    )
    capacity_kw = _capacity_field("設備容量（kW）")

    def clean_name(self) -> str:
        return _full_width(self.cleaned_data["name"])


class BaseMemberFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The member rows of a screen: rows left wholly empty, or ticked for deletion, are no members."""

    # Only a tampered or truncated POST gets these (the screen sends the management form itself).
    default_error_messages = {
        "missing_management_form": "構成電源の入力欄が正しく送信されませんでした。"
        "お手数ですが、画面を開き直して入力してください。",
        "too_many_forms": f"構成電源は{MAX_MEMBERS:,}件までです。",
    }

    def filled_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label="CSVファイル",
        error_messages={"required": "CSVファイルを選択してください。", "empty": "ファイルが空です。"},
        help_text="UTF-8 または Shift_JIS(CP932)。Excelの「CSV UTF-8」「CSV」形式のどちらでも読み込めます。",
    )
    dry_run = forms.BooleanField(label="確認のみ（申請しない）", required=False)


class CsvEncodingForm(forms.Form):
    encoding = forms.ChoiceField(
        label="文字コード",
        required=False,
        choices=[("utf-8-sig", "UTF-8（BOM付き）"), ("cp932", "Shift_JIS(CP932)")],
    )
