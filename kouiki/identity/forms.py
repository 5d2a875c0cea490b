"""Web input of identity screens: field-level Japanese messages; rules stay in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kouiki.core import japanese
from kouiki.core.forms import CodeField, TextField
from kouiki.identity.models import Duty

REQUIRED = {"required": "%(label)sを入力してください。"}
# Django's own message would follow the browser's language; every password error is Japanese.
PASSWORD_TOO_LONG = {"max_length": "パスワードが長すぎます。"}


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


def _login_id_field(label: str) -> CodeField:
    """A login ID as typed: `ｕｓｒ００１` is `usr001` (core.japanese.normalize_code), so a full-width
    ID is neither a failed login nor a step toward the lockout of another name."""
    return CodeField(
        label=label,
        max_length=20,
        error_messages=_required(label),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


def _login_password_field() -> forms.CharField:
    return forms.CharField(
        label="パスワード",
        max_length=256,
        strip=False,
        error_messages={**_required("パスワード"), **PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ParticipantLoginForm(forms.Form):
    organization_code = CodeField(
        label="事業者コード",
        max_length=4,
        error_messages=_required("事業者コード"),
        widget=forms.TextInput(attrs={"autocomplete": "organization", "inputmode": "numeric"}),
    )
    user_id = _login_id_field("ユーザID")
    password = _login_password_field()


class StaffLoginForm(forms.Form):
    user_id = _login_id_field("職員ID")
    password = _login_password_field()


class OtpForm(forms.Form):
    token = CodeField(
        label="確認コード（6桁）",
        max_length=6,
        min_length=6,
        error_messages={**_required("確認コード"), "min_length": "確認コードは6桁の数字です。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"]
        if not token.isascii() or not token.isdigit():
            raise ValidationError("確認コードは6桁の数字です。")
        return token


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="現在のパスワード",
        strip=False,
        error_messages=_required("現在のパスワード"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label="新しいパスワード",
        strip=False,
        max_length=256,
        error_messages={**_required("新しいパスワード"), **PASSWORD_TOO_LONG},
        help_text="8文字以上。半角の英大文字・英小文字・数字・記号（+ - _ @ . /）のうち3種類以上を"
        "組み合わせ、過去3世代以内のパスワードは使用できません。",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label="新しいパスワード（確認）",
        strip=False,
        max_length=256,
        error_messages={**_required("新しいパスワード（確認）"), **PASSWORD_TOO_LONG},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password2") != data.get("new_password1"):
            self.add_error("new_password2", "確認用のパスワードが一致しません。")
        return data


class PasswordResetConfirmForm(forms.Form):
    new_password1 = PasswordChangeForm.base_fields["new_password1"]
    new_password2 = PasswordChangeForm.base_fields["new_password2"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password2") != data.get("new_password1"):
            self.add_error("new_password2", "確認用のパスワードが一致しません。")
        return data


class PasswordResetRequestForm(forms.Form):
    organization_code = CodeField(
        label="事業者コード",
        max_length=4,
        error_messages=_required("事業者コード"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={**_required("メールアドレス"), "invalid": "有効なメールアドレスを入力してください。"},
    )


def _validated(validator: Any, value: str) -> str:
    validator(value)
    return value


class ProfileForm(forms.Form):
    """The MEM-U3 profile fields (seed 003 chapter 3)."""

    department_title = TextField(
        label="所属・役職",
        max_length=100,
        error_messages=_required("所属・役職"),
        help_text="全角で入力してください。",
    )
    last_name = TextField(label="氏名（姓）", max_length=50, error_messages=_required("氏名（姓）"))
    first_name = TextField(label="氏名（名）", max_length=50, error_messages=_required("氏名（名）"))
    last_name_kana = TextField(
        label="氏名カナ（セイ）", max_length=50, error_messages=_required("氏名カナ（セイ）")
    )
    first_name_kana = TextField(
        label="氏名カナ（メイ）", max_length=50, error_messages=_required("氏名カナ（メイ）")
    )
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={**_required("メールアドレス"), "invalid": "有効なメールアドレスを入力してください。"},
    )
    email_confirm = forms.EmailField(
        label="メールアドレス（確認用）",
        max_length=254,
        error_messages={
            **_required("メールアドレス（確認用）"),
            "invalid": "有効なメールアドレスを入力してください。",
        },
        help_text="上記と同じメールアドレスを入力してください。",
    )
    phone = TextField(
        label="電話番号",
        max_length=20,
        error_messages=_required("電話番号"),
        help_text="「-」（ハイフン）区切りで入力してください。例: 03-1234-5678",
    )
    other = TextField(label="その他", max_length=200, required=False, help_text="全角で入力してください。")

    def clean_department_title(self) -> str:
        return _validated(
            japanese.validate_full_width, japanese.to_full_width(self.cleaned_data["department_title"])
        )

    def clean_last_name(self) -> str:
        return _validated(japanese.validate_full_width, japanese.widen_spaces(self.cleaned_data["last_name"]))

    def clean_first_name(self) -> str:
        return _validated(
            japanese.validate_full_width, japanese.widen_spaces(self.cleaned_data["first_name"])
        )

    def clean_last_name_kana(self) -> str:
        return _validated(
            japanese.validate_kana, japanese.normalize_kana(self.cleaned_data["last_name_kana"])
        )

    def clean_first_name_kana(self) -> str:
        return _validated(
            japanese.validate_kana, japanese.normalize_kana(self.cleaned_data["first_name_kana"])
        )

    def clean_phone(self) -> str:
        return _validated(japanese.validate_phone, japanese.normalize_phone(self.cleaned_data["phone"]))

    def clean_other(self) -> str:
        value = self.cleaned_data.get("other", "")
        if not value:
            return ""
        return _validated(japanese.validate_full_width, japanese.to_full_width(value))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and data.get("email_confirm") and data["email"] != data["email_confirm"]:
            self.add_error("email_confirm", "確認用のメールアドレスが一致しません。")
        return data


class MemberUserForm(ProfileForm):
    """MEM-U3 / MEM-U4: a member-system user with its 担当業務."""

    duties = forms.MultipleChoiceField(
        label="担当業務",
        choices=Duty.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "担当業務を1つ以上選択してください。",
            "invalid_choice": "担当業務の選択が不正です。",
        },
    )
    field_order = [
        "duties",
        "department_title",
        "last_name",
        "first_name",
        "last_name_kana",
        "first_name_kana",
    ]


class MemberUserCreateForm(MemberUserForm):
    user_id = CodeField(
        label="ユーザID",
        max_length=6,
        error_messages=_required("ユーザID"),
        help_text="半角英数字6桁で入力してください。",
    )
    field_order = ["user_id", *MemberUserForm.field_order]

    def clean_user_id(self) -> str:
        return _validated(japanese.validate_user_login_id, self.cleaned_data["user_id"])


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label="検索語", required=False, max_length=100, help_text="ユーザID・氏名・カナ・メールアドレス・所属"
    )
    role = forms.ChoiceField(
        label="権限", required=False, choices=[("", "すべて"), ("admin", "管理者"), ("user", "一般ユーザ")]
    )

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; every user while the input is invalid."""
        if not self.is_valid():
            return {}
        return {"query": self.cleaned_data["q"], "role": self.cleaned_data["role"]}


# --- the switching system's user administration (SW-U04, SW-U05, SW-U11) --------------------------


PRESET_CHOICES = [("all", "すべての機能"), ("inquiry", "照会のみ")]


class SwitchingUserCreateForm(ProfileForm):
    """SW-U04: a new user, its profile and its 利用者権限 to start with (the matrix refines it)."""

    user_id = CodeField(
        label="ユーザID",
        max_length=6,
        error_messages=_required("ユーザID"),
        help_text="半角英数字6桁で入力してください。",
    )
    preset = forms.ChoiceField(
        label="利用者権限",
        choices=PRESET_CHOICES,
        initial="all",
        widget=forms.RadioSelect,
        error_messages={
            "required": "利用者権限を選択してください。",
            "invalid_choice": "利用者権限の選択が不正です。",
        },
        help_text="登録後、ユーザ詳細の「利用者権限設定」で機能ごとに設定できます。",
    )
    field_order = ["user_id"]

    def clean_user_id(self) -> str:
        return _validated(japanese.validate_user_login_id, self.cleaned_data["user_id"])


class UserCsvForm(forms.Form):
    """SW-U05: the bulk registration file."""

    file = forms.FileField(
        label="CSVファイル",
        error_messages={"required": "CSVファイルを選択してください。", "empty": "ファイルが空です。"},
        help_text="Excelの「CSV」（Shift_JIS）または「CSV UTF-8」で保存したファイル。",
    )


class RightsForm(forms.Form):
    """SW-U11: a preset, or the functions chosen one by one (`choices`: the grantable functions)."""

    preset = forms.ChoiceField(
        label="設定方法",
        choices=[*PRESET_CHOICES, ("custom", "個別に選択")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "設定方法を選択してください。",
            "invalid_choice": "設定方法の選択が不正です。",
        },
    )
    functions = forms.MultipleChoiceField(
        label="利用できる機能",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "%(value)s は設定できない機能です。"},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["functions"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("preset") == "custom" and not data.get("functions"):
            self.add_error("functions", "利用できる機能を1つ以上選択してください。")
        return data


# --- client certificates (X-C1) -----------------------------------------------------------------


class CertificateRegisterForm(forms.Form):
    """The administrator registers a certificate the designated issuer issued (its PEM file)."""

    name = TextField(
        label="クライアント名",
        max_length=100,
        help_text="証明書を設定する端末がわかる名前（例: 本社 業務端末1）",
        error_messages={"required": "クライアント名を入力してください。"},
    )
    pem = forms.FileField(
        label="証明書ファイル（PEM形式）",
        help_text=(
            "指定発行者から取得したクライアント証明書（-----BEGIN CERTIFICATE----- で始まるファイル）。"
            "秘密鍵は選択しないでください。"
        ),
        error_messages={"required": "証明書ファイルを選択してください。", "empty": "ファイルが空です。"},
    )


class CertificateIssueForm(forms.Form):
    """The sandbox: the built-in CA issues a certificate for one client."""

    name = TextField(
        label="クライアント名",
        max_length=100,
        help_text="証明書を設定する端末がわかる名前（例: デモ端末1）",
        error_messages={"required": "クライアント名を入力してください。"},
    )


class CertificateReasonForm(forms.Form):
    """A reason: of a loss or theft reported, of a rejection or revocation by staff."""

    reason = TextField(
        label="理由・状況",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "理由・状況を入力してください。"},
    )
