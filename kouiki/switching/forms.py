"""Web input of the switching screens: field-level Japanese messages; the rules stay in services.

Each function form lists its fields in the order of the screen; `display()` gives the label and
shown value of each field for the confirmation step (パスワード masked). One form serves every line
(services/lines.py): given the `line`, its labels say the line's words (受電地点特定番号, 発電者氏名
on the FIT line) and its choices the line's 申込種別.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, cast

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from kouiki.core.field_facts import FieldFacts, field_facts, field_label
from kouiki.core.forms import AddressField, CodeField, TextField
from kouiki.core.japanese import normalize_code, normalize_supply_point_number, validate_supply_point_number
from kouiki.core.lists import FilterForm
from kouiki.switching.models import (
    MAX_NG_REASONS,
    Application,
    IncidentKind,
    IncidentState,
    Kind,
    NgReason,
    NotificationMethod,
    NotificationOutcome,
    PersonalDataAccess,
    PublicationException,
    Purpose,
    State,
    SupplyPoint,
    Switch,
    SwitchDecision,
    SwitchState,
)
from kouiki.switching.services import usage
from kouiki.switching.services.applications import AMPERES, CUSTOMER_ITEM_FACTS, REMOVAL_ONLY_CLASSES
from kouiki.switching.services.lines import KIND_BUSINESS, LINES, LOW, Line, application_type
from kouiki.switching.services.switches import (
    CANCEL_FORWARD_ITEMS,
    IDENTIFICATION_FACTS,
    ITEM_FACTS,
    NEW_CONTRACT_NUMBER,
    NG_TEXT,
    PHONE_ITEMS,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "日付を正しく入力してください（例: 2026-11-20）。"}
# The numbers retailers type, named as the models name them. The inputs are longer than the values
# kept: full-width characters, spaces and hyphens are typed and read away.
POINT_NUMBER = field_label(SupplyPoint, "number")
SWITCH_NUMBER = field_facts(Switch, "number")
RECEPTION_NUMBER = field_facts(Application, "reception_number")
PURPOSE = field_label(PersonalDataAccess, "purpose")
# The words of the labels as the 低圧 line says them.
POINT_WORD, CUSTOMER_WORD, PLACE_WORD = "供給地点", "需要者", "需要場所"


def line_words(line: Line) -> dict[str, str]:
    """The words of the labels a line says otherwise: on the FIT line the point is a 受電地点 (its
    place too) and the customer a 発電者. Empty for a line that says them as 低圧 does."""
    words = {POINT_WORD: line.point_label, CUSTOMER_WORD: line.customer_label}
    if line.point_label != POINT_WORD:
        words[PLACE_WORD] = line.point_label
    return {word: said for word, said in words.items() if word != said}


def in_words(text: str, words: dict[str, str]) -> str:
    for word, said in words.items():
        text = text.replace(word, said)
    return text


def say_in_line_words(fields: dict[str, forms.Field], line: Line) -> None:
    """Relabel a form's fields (labels, help, messages, choices) in the line's words."""
    words = line_words(line)
    if not words:
        return
    for field in fields.values():
        if field.label:
            field.label = in_words(str(field.label), words)
        field.help_text = in_words(str(field.help_text), words)
        field.error_messages = {key: in_words(str(text), words) for key, text in field.error_messages.items()}
        if isinstance(field, forms.ChoiceField):
            choices = cast("list[tuple[str, str]]", field.choices)  # flat: the forms here have no groups
            field.choices = [(value, in_words(str(label), words)) for value, label in choices]


class SupplyPointNumberField(forms.CharField):
    """供給地点特定番号: 22 digits; full-width digits, spaces and hyphens are accepted (the checks
    are `core.japanese`'s, also the API's)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", POINT_NUMBER)
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", "22桁の数字（先頭2桁はエリアコード）")
        kwargs.setdefault("error_messages", {"required": f"{POINT_NUMBER}を入力してください。"})
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return text
        number = normalize_supply_point_number(text)
        try:
            validate_supply_point_number(number)
        except ValidationError as error:
            raise ValidationError(error.messages[0], code=error.code) from error
        return number


def purpose_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=PURPOSE,
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        help_text="需要者の個人情報は、共同利用の目的①〜⑤の範囲でのみ利用できます。閲覧は記録されます。",
        error_messages={
            "required": f"{PURPOSE}を選択してください。",
            "invalid_choice": f"{PURPOSE}の選択が不正です。",
        },
    )


def desired_date_field(label: str = "") -> forms.DateField:
    return forms.DateField(
        label=label or field_label(Application, "desired_date"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        help_text="任意",
    )


class FunctionForm(forms.Form):
    """A function's input on ``line`` (低圧 by default), shown again read-only on the confirmation
    step."""

    masked: tuple[str, ...] = ()

    def __init__(self, *args: Any, line: Line | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = line or LINES[LOW]
        say_in_line_words(self.fields, self.line)

    def display(self) -> list[tuple[str, str]]:
        rows = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if name in self.masked and value:
                shown = "●" * 8
            elif isinstance(field, forms.MultipleChoiceField):
                labels = dict(field.choices)  # type: ignore[arg-type]
                shown = "、".join(str(labels.get(str(each), each)) for each in value or ())
            elif isinstance(field, forms.ChoiceField) and value not in (None, ""):
                shown = str(dict(field.choices).get(str(value), value))  # type: ignore[arg-type]
            elif isinstance(value, date):
                shown = f"{value:%Y年%m月%d日}"
            else:
                shown = "" if value in (None, "") else str(value)
            rows.append((str(field.label), shown or "（指定なし）"))
        return rows

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FacilityInquiryForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    purpose = purpose_field()


class NoHiddenInput(forms.HiddenInput):
    """Files are not carried in hidden fields: the confirmation step keeps them aside (a token)."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return SafeString("")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several files at once; their kinds and sizes are the service's rules (services/usage.py)."""

    widget = MultipleFileInput
    hidden_widget = NoHiddenInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(DocumentsField, self).clean(item, initial) for item in files]


# Kept aside between 確認 and 送信 (files cannot travel in hidden fields), for this long.
DOCUMENTS_KEPT_SECONDS = 30 * 60


class UsagePasswordForm(FacilityInquiryForm):
    """使用量情報照会申請: the point, the purpose, the password's validity (a date or a number of
    days, at most one month; one month when neither) and identity documents."""

    valid_until = forms.DateField(
        label="パスワードの有効期限",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
        help_text="任意。この日まで有効（申請日から1か月以内）。有効日数とどちらか一方。省略すると1か月",
    )
    valid_days = forms.IntegerField(
        label="パスワードの有効日数",
        required=False,
        min_value=1,
        max_value=31,
        help_text="任意。申請日からの日数（1か月以内）",
        error_messages={
            "invalid": "有効日数は数字で入力してください。",
            "min_value": "有効日数は1日以上で入力してください。",
            "max_value": "有効日数は1か月以内（31日まで）で入力してください。",
        },
    )
    documents = DocumentsField(
        label="本人確認書類",
        required=False,
        help_text=f"任意。{usage.DOCUMENT_RULE}（種類はファイルの内容で判定します）",
    )
    documents_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.gif"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = cleaned.get("documents") or []
        if uploads:
            documents = [
                usage.Document(
                    name=upload.name or "", data=upload.read(usage.MAX_DOCUMENT_BYTES + 1), size=upload.size
                )
                for upload in uploads
            ]
            token = secrets.token_urlsafe(24)
            cache.set(f"switching:usage-documents:{token}", documents, DOCUMENTS_KEPT_SECONDS)
            # The confirmation step carries the token in its hidden field.
            self.data = {**dict(self.data.items()), "documents_token": token}
            cleaned["documents_token"] = token
        return cleaned

    def kept_documents(self) -> list[usage.Document]:
        token = self.cleaned_data.get("documents_token") or ""
        kept = cache.get(f"switching:usage-documents:{token}") if token else None
        return list(kept or [])

    def display(self) -> list[tuple[str, str]]:
        listing = "、".join(f"{d.name}（{(d.size or len(d.data)):,}バイト）" for d in self.kept_documents())
        rows = []
        for name, row in zip(self.fields, super().display(), strict=True):
            if name == "documents":
                rows.append((row[0], listing or "（なし）"))
            elif name != "documents_token":
                rows.append(row)
        return rows

    def values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        values.pop("documents_token", None)
        values["documents"] = self.kept_documents()
        return values


class UsageRetrieveForm(FunctionForm):
    masked = ("password",)
    supply_point_number = SupplyPointNumberField()
    password = forms.CharField(
        label="使用量情報照会パスワード",
        max_length=40,
        help_text="使用量情報照会申請の回答にあるパスワード（有効期限内なら、申請した事業者から受け取ったものも使えます）",
        error_messages={"required": "パスワードを入力してください。"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    purpose = purpose_field()


class ReconnectForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    desired_date = desired_date_field("再点希望日")


class AbolishForm(FunctionForm):
    """廃止・撤去: with or without removal, each with the line's 申込種別 (01 / 02, FIT 12 / 13); a
    line whose points are always abolished with removal (高圧) has no choice to make."""

    supply_point_number = SupplyPointNumberField()
    removal = forms.ChoiceField(
        label="撤去",
        widget=forms.RadioSelect,
        error_messages={"required": "撤去の有無を選択してください。"},
    )
    desired_date = desired_date_field("廃止希望日")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The 申込種別 depends on the class only as supply point or FIT receiving point: any of
        # the line's classes tells it.
        point_class = min(self.line.classes)
        self.types = {
            removal: application_type(Kind.ABOLISH_WITH_REMOVAL if removal else Kind.ABOLISH, point_class)
            for removal in (False, True)
        }
        self.removal_only = self.line.classes <= REMOVAL_ONLY_CLASSES
        if self.removal_only:
            del self.fields["removal"]
        else:
            self.fields["removal"].choices = [  # type: ignore[attr-defined]
                ("no", f"撤去なし（申込種別 {self.types[False]}）"),
                ("yes", f"撤去あり（申込種別 {self.types[True]}）"),
            ]

    @property
    def removal_note(self) -> str:
        """What a line without the choice says instead of it."""
        return f"あり（申込種別 {self.types[True]}）" if self.removal_only else ""

    def display(self) -> list[tuple[str, str]]:
        rows = super().display()
        if self.removal_only:
            rows.insert(1, ("撤去", self.removal_note))
        return rows

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["removal"] = self.removal_only or data["removal"] == "yes"
        return data


class AmpereChangeForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    current_limit_a = forms.TypedChoiceField(
        label="変更後の契約電流",
        choices=[("", "選択してください")] + [(str(a), f"{a}A") for a in AMPERES],
        coerce=int,
        error_messages={"required": "変更後の契約電流を選択してください。"},
    )
    desired_date = desired_date_field("変更希望日")


# The items that are codes (half-width, core.japanese.normalize_code) and addresses (the address rule,
# core.japanese.normalize_address); every other item is free text.
CODE_ITEMS = frozenset({"contract_number", "customer_phone"})
ADDRESS_ITEMS = frozenset({"customer_address"})


def _field_class(name: str) -> type[TextField]:
    return CodeField if name in CODE_ITEMS else AddressField if name in ADDRESS_ITEMS else TextField


def changed_item(name: str, **kwargs: Any) -> TextField:
    """A 需要者情報変更 item: the registry field's label and length, typed only when it changes."""
    facts = CUSTOMER_ITEM_FACTS[name]
    return _field_class(name)(
        label=f"{facts.label}（変更後）", max_length=facts.max_length, required=False, **kwargs
    )


def _item(
    facts: FieldFacts, *, required: bool, field_class: type[TextField] = TextField, **kwargs: Any
) -> TextField:
    return field_class(label=facts.label, max_length=facts.max_length, required=required, **kwargs)


def identification_item(name: str, *, required: bool = True, **kwargs: Any) -> TextField:
    """An item of a 廃止取次登録's customer identification, with the switch field's label and length."""
    return _item(IDENTIFICATION_FACTS[name], required=required, field_class=_field_class(name), **kwargs)


class CustomerChangeForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    customer_name = changed_item("customer_name", help_text="変更する項目のみ")
    customer_address = changed_item("customer_address")
    customer_phone = changed_item("customer_phone", help_text="例: 03-1234-5678")
    contract_number = changed_item("contract_number")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        names = ("customer_name", "customer_address", "customer_phone", "contract_number")
        if not any((data.get(name) or "").strip() for name in names):
            raise ValidationError("変更する項目を1つ以上入力してください。")
        return data


KANA_HELP = "全角カタカナ（半角カナは全角に読み替えます）。任意"
PHONE_HELP = "例: 03-1234-5678。任意"
CONTACT_HELP = "貴社の担当者（業務連絡先として両小売に表示されます）。任意"


def switch_item(name: str, *, required: bool = False, **kwargs: Any) -> TextField:
    """An item of a 廃止取次 besides the identification (カナ, 建物名, each side's contact), with the
    switch field's label and length; the phones are codes (half-width)."""
    field_class = CodeField if name in PHONE_ITEMS else TextField
    return _item(ITEM_FACTS[name], required=required, field_class=field_class, **kwargs)


class CancelForwardForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    customer_name = identification_item("customer_name", help_text="現小売との契約のとおり（例: 広域 太郎）")
    customer_name_kana = switch_item("customer_name_kana", help_text=KANA_HELP)
    customer_address = identification_item("customer_address")
    building_name = switch_item("building_name", help_text="任意")
    contract_number = identification_item(
        "contract_number", help_text="需要者さまと現在の小売電気事業者との小売供給契約の番号"
    )
    new_contact_name = switch_item("new_contact_name", help_text=CONTACT_HELP)
    new_contact_phone = switch_item("new_contact_phone", help_text=PHONE_HELP)
    desired_date = desired_date_field("スイッチング希望日")


class SwitchNumberField(CodeField):
    """廃止取次番号 (HT + 14 digits) as typed in any width."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", SWITCH_NUMBER.label)
        kwargs.setdefault("max_length", SWITCH_NUMBER.max_length)
        super().__init__(upper=True, **kwargs)


class ReceptionNumberField(CodeField):
    """受付番号 (16 digits) as typed in any width."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", RECEPTION_NUMBER.label)
        kwargs.setdefault("max_length", RECEPTION_NUMBER.max_length)
        super().__init__(upper=True, **kwargs)


class DecisionForm(FunctionForm):
    """廃止取次判断: OK, or NG with one or more of the fixed reasons and the text (the service says
    what NG needs: `switches.check_decision`, asked at 確認), and the current retailer's contact."""

    switch_number = SwitchNumberField()
    decision = forms.ChoiceField(
        label="取次判断",
        choices=SwitchDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "取次判断を選択してください。"},
    )
    ng_reasons = forms.MultipleChoiceField(
        label="NG理由",
        choices=NgReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=f"NGの場合に選択（{MAX_NG_REASONS}件まで、複数選択できます）",
        error_messages={"invalid_choice": "NG理由の選択が不正です（%(value)s）。"},
    )
    ng_text = _item(
        NG_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="NGの場合は必須"
    )
    current_contact_name = switch_item("current_contact_name", help_text=CONTACT_HELP)
    current_contact_phone = switch_item("current_contact_phone", help_text=PHONE_HELP)


class SwitchStartForm(FunctionForm):
    switch_number = SwitchNumberField()
    contract_number = _item(
        NEW_CONTRACT_NUMBER,
        required=True,
        field_class=CodeField,
        help_text="貴社と需要者さまとの契約番号（スイッチング完了後に供給地点情報に反映されます）",
    )


class SwitchAbolishForm(FunctionForm):
    switch_number = SwitchNumberField()


class CorrectCancelForwardForm(FunctionForm):
    """訂正 of a 廃止取次登録: its items are typed only where they change (they are not shown again;
    a blank one stays as registered — the API clears an optional one with null); the desired date
    as it should be (blank: none)."""

    IDENTIFICATION = CANCEL_FORWARD_ITEMS
    UNCHANGED = "（変更なし）"

    customer_name = identification_item("customer_name", required=False, help_text="訂正する場合のみ入力")
    customer_name_kana = switch_item("customer_name_kana", help_text="訂正する場合のみ入力（全角カタカナ）")
    customer_address = identification_item(
        "customer_address", required=False, help_text="訂正する場合のみ入力"
    )
    building_name = switch_item("building_name", help_text="訂正する場合のみ入力")
    contract_number = identification_item("contract_number", required=False, help_text="訂正する場合のみ入力")
    new_contact_name = switch_item("new_contact_name", help_text="訂正する場合のみ入力")
    new_contact_phone = switch_item("new_contact_phone", help_text="訂正する場合のみ入力（例: 03-1234-5678）")
    desired_date = desired_date_field("スイッチング希望日")

    def display(self) -> list[tuple[str, str]]:
        return [
            (label, self.UNCHANGED)
            if name in self.IDENTIFICATION and not (self.cleaned_data.get(name) or "").strip()
            else (label, shown)
            for name, (label, shown) in zip(self.fields, super().display(), strict=True)
        ]

    def values(self) -> dict[str, Any]:
        """The items to change: a blank identification item is not one."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.IDENTIFICATION or (value or "").strip()
        }


class CorrectStartForm(FunctionForm):
    contract_number = _item(NEW_CONTRACT_NUMBER, required=True, field_class=CodeField)


# 訂正 of what is forwarded to the operator (更新フラグ 2), until it takes it: each kind's items,
# shown as filed (initial) and sent as they should be.


class CorrectReconnectForm(FunctionForm):
    desired_date = desired_date_field("再点希望日")


class CorrectAbolishForm(AbolishForm):
    """廃止・撤去 as it should be: the removal (not on a line that always removes) and the date."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["supply_point_number"]

    def values(self) -> dict[str, Any]:
        values = super().values()
        if self.removal_only:
            del values["removal"]
        return values


class CorrectAmpereForm(FunctionForm):
    current_limit_a = AmpereChangeForm.base_fields["current_limit_a"]
    desired_date = desired_date_field("変更希望日")


class CorrectCustomerChangeForm(CustomerChangeForm):
    """The items to change as they should be: those typed replace the ones filed (which are not
    shown again: personal data); a blank one stays as filed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["supply_point_number"]
        for field in self.fields.values():
            field.help_text = "訂正する場合のみ入力"

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if (value or "").strip()}


class BasicInfoForm(FunctionForm):
    supply_point_number = SupplyPointNumberField()
    purpose = purpose_field()


class StatusForm(forms.Form):
    reception_number = ReceptionNumberField()


class StatusManyForm(forms.Form):
    reception_numbers = forms.CharField(
        label=f"{RECEPTION_NUMBER.label}（複数）",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="1行に1件、またはカンマ区切りで最大1,000件",
        error_messages={"required": f"{RECEPTION_NUMBER.label}を入力してください。"},
    )

    def numbers(self) -> list[str]:
        """The numbers typed, each as `ReceptionNumberField` reads one (any width)."""
        text = self.cleaned_data["reception_numbers"]
        for comma in ",、，":
            text = text.replace(comma, "\n")
        return [normalize_code(line).upper() for line in text.splitlines() if normalize_code(line)]


class ApplicationFilterForm(FilterForm):
    """The filters of a line's list: the kinds of application the line has, in its words."""

    kind = forms.ChoiceField(label="申請種別", required=False, choices=[("", "すべて"), *Kind.choices])
    state = forms.ChoiceField(label="処理状況", required=False, choices=[("", "すべて"), *State.choices])
    date_from = forms.DateField(
        label="受付日（開始）", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    date_to = forms.DateField(
        label="受付日（終了）", required=False, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )
    # A whole number or a part of it, in any width.
    supply_point_number = CodeField(label=POINT_NUMBER, required=False, max_length=40)
    reception_number = ReceptionNumberField(required=False)

    def __init__(self, *args: Any, line: Line | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        line = line or LINES[LOW]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", "すべて"),
            *((kind.value, kind.label) for kind in Kind if line.serves(KIND_BUSINESS[kind])),
        ]
        say_in_line_words(self.fields, line)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "受付日（終了）は受付日（開始）以降の日付を指定してください。")
        return data


class SwitchFilterForm(ApplicationFilterForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "date_from", "date_to", "reception_number"):
            del self.fields[name]
        self.fields["state"] = forms.ChoiceField(
            label="状態", required=False, choices=[("", "すべて"), *SwitchState.choices]
        )


class LedgerFilterForm(ApplicationFilterForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "state", "reception_number"):
            del self.fields[name]
        self.fields["date_from"].label = "閲覧日（開始）"
        self.fields["date_to"].label = "閲覧日（終了）"
        self.fields["purpose"] = forms.ChoiceField(
            label=PURPOSE, required=False, choices=[("", "すべて"), *Purpose.choices]
        )


# --- leak incidents (漏えい等事案, SW-P3) ------------------------------------------------------------


def _choice(label: str, choices: Any, *, radio: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect if radio else forms.Select,
        error_messages={
            "required": f"{label}を選択してください。",
            "invalid_choice": f"{label}の選択が不正です。",
        },
    )


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        help_text=help_text,
        error_messages={**DATE_ERRORS, "required": f"{label}を入力してください。"},
    )


class PointNumbersField(forms.CharField):
    """Many 供給地点特定番号, one a line (or separated by commas), each checked as one (22 digits,
    any width); every malformed line is named."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", f"{POINT_NUMBER}（複数）")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "inputmode": "numeric"}))
        kwargs.setdefault("help_text", "1行に1件、またはカンマ区切り（1回に最大1,000件）")
        kwargs.setdefault("error_messages", {"required": f"{POINT_NUMBER}を入力してください。"})
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().clean(value) or ""
        for comma in ",、，":
            text = text.replace(comma, "\n")
        numbers = [normalize_supply_point_number(line) for line in text.splitlines() if line.strip()]
        errors = []
        for number in numbers:
            try:
                validate_supply_point_number(number)
            except ValidationError as error:
                errors.append(f"{number}: {error.messages[0]}")
        if errors:
            raise ValidationError(errors[:10])
        if len(numbers) > 1000:
            raise ValidationError(f"1回に入力できるのは1,000件までです（{len(numbers)}件）。")
        if self.required and not numbers:
            raise ValidationError(self.error_messages["required"], code="required")
        return list(dict.fromkeys(numbers))


class IncidentForm(forms.Form):
    """A leak incident as its participant (or the organization's staff) records it."""

    kind = _choice("事案の種類", IncidentKind.choices, radio=True)
    summary = TextField(
        label="事案の概要",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="何が起きたか（漏えい等した情報、件数、経緯など）",
    )
    data_items = TextField(
        label="対象となった個人データの項目",
        max_length=200,
        help_text="例: 需要者氏名、需要場所住所、電話番号",
    )
    occurred_on = _date("発生日", required=False, help_text="不明な場合は空欄")
    found_on = _date("発覚日")
    cause = TextField(label="原因", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    supply_point_numbers = PointNumbersField(
        label="対象となった需要者の供給地点特定番号",
        help_text="貴社が関与した（関与している）供給地点。1行に1件、またはカンマ区切り（1回に最大1,000件）",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("occurred_on") and data.get("found_on") and data["occurred_on"] > data["found_on"]:
            self.add_error("occurred_on", "発生日は発覚日以前の日付を入力してください。")
        return data


class StaffIncidentForm(IncidentForm):
    """The staff's: the participant the incident concerns comes first."""

    organization_code = CodeField(label="事業者コード", max_length=4, help_text="事案の対象となる事業者")
    field_order = ["organization_code"]


class IncidentPointsForm(forms.Form):
    supply_point_numbers = PointNumbersField(label="追加する供給地点特定番号")


class NotificationForm(forms.Form):
    supply_point_numbers = PointNumbersField(
        label="連絡した需要者の供給地点特定番号",
        help_text="この事案の対象の供給地点。1行に1件、またはカンマ区切り",
    )
    outcome = _choice(
        "連絡の結果",
        [
            (NotificationOutcome.NOTIFIED.value, "連絡済み"),
            (NotificationOutcome.UNREACHABLE.value, "連絡がつかない"),
        ],
        radio=True,
    )
    notified_on = _date("連絡日", help_text="連絡した（連絡を試みた）日")
    method = _choice("連絡方法", NotificationMethod.choices)
    note = TextField(label="備考", max_length=200, required=False)


class PublicationForm(forms.Form):
    published_on = _date("公表日")
    publication_place = TextField(
        label="公表場所", max_length=200, help_text="例: 当社ウェブサイト https://… 「お知らせ」"
    )
    prevention = TextField(label="再発防止策", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class ExceptionForm(forms.Form):
    exception = _choice("公表しない理由（例外）", PublicationException.choices, radio=True)
    justification = TextField(
        label="例外に該当する根拠",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="例外に該当すると判断した事実（回収の経緯、暗号化の方式など）",
    )


class IncidentNoteForm(forms.Form):
    body = TextField(label="メモ", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class IncidentFilterForm(FilterForm):
    state = forms.ChoiceField(label="状態", required=False, choices=[("", "すべて"), *IncidentState.choices])


class StaffIncidentFilterForm(IncidentFilterForm):
    organization_code = CodeField(label="事業者コード", required=False, max_length=4)
