"""Web input of the join screens (MEM-J1..J4); the company and administrator fields are the shared
`CompanyForm` and `AdministratorForm`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms

from kouiki.core import japanese
from kouiki.core.forms import CodeField, TextField
from kouiki.membership.services.join import consent_key
from kouiki.terms.forms import renew_if_revised

if TYPE_CHECKING:
    from kouiki.terms.models import TermsDocument

# The label of each consent box; seed 000 2.1.2 names the button of the system terms.
CONSENT_LABELS = {
    "articles": "定款に同意する",
    "system_terms": "本利用規約に同意する",
    "electronic_notice": "総会招集通知の電磁的方法利用許諾に同意する",
}


def _required(label: str) -> dict[str, str]:
    return {"required": f"{label}を入力してください。"}


class JoinLinkForm(forms.Form):
    """加入申請リンク確認 (seed 003 1.2)."""

    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={**_required("メールアドレス"), "invalid": "有効なメールアドレスを入力してください。"},
        help_text="加入（仮）申請のURLをこのメールアドレスにお送りします。",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = TextField(
        label="氏名",
        max_length=100,
        error_messages=_required("氏名"),
        help_text="お手続きをされるご担当者のお名前",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_email(self) -> str:
        return japanese.normalize_email(self.cleaned_data["email"])


class ConsentForm(forms.Form):
    """One required box per document, each with the version it agrees to."""

    def __init__(self, *args: Any, documents: Sequence[TermsDocument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = list(documents)
        for document in self.documents:
            self.fields[consent_key(document)] = forms.BooleanField(
                label=CONSENT_LABELS.get(document.kind, f"「{document.title}」に同意する"),
                required=True,
                error_messages={"required": f"「{document.title}」に同意してください。"},
            )
            # The version shown, so that a revision published meanwhile is noticed.
            self.fields[f"{consent_key(document)}_version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=document.pk, required=False
            )
            renew_if_revised(
                self,
                box=consent_key(document),
                version=f"{consent_key(document)}_version",
                document_id=document.pk,
                title=document.title,
            )

    def entries(self) -> list[tuple[TermsDocument, Any]]:
        """Each document with its bound box, for the template."""
        return [(document, self[consent_key(document)]) for document in self.documents]

    def hidden(self) -> list[Any]:
        return [self[f"{consent_key(document)}_version"] for document in self.documents]

    def agreed_document_ids(self) -> list[int]:
        """The versions ticked, as the screen showed them."""
        agreed = []
        for document in self.documents:
            if self.cleaned_data.get(consent_key(document)):
                agreed.append(self.cleaned_data.get(f"{consent_key(document)}_version") or document.pk)
        return agreed


class MainLookupForm(forms.Form):
    """加入(本)申請の再表示: 加入申請受付番号 + 管理者①メールアドレス (seed 003 1.4)."""

    reception_number = CodeField(
        label="加入申請受付番号",
        max_length=24,
        upper=True,
        error_messages=_required("加入申請受付番号"),
        help_text="加入（仮）申請の受付メールに記載された受付番号（例: J2026-000001）",
    )
    email = forms.EmailField(
        label="管理者①メールアドレス",
        max_length=254,
        error_messages={
            **_required("管理者①メールアドレス"),
            "invalid": "有効なメールアドレスを入力してください。",
        },
        help_text="加入（仮）申請で入力した管理者①のメールアドレス",
    )


class OrganizationCodeForm(forms.Form):
    """◆ 当機関が作成した4桁の事業者コード (seed 003 1.4)."""

    organization_code = CodeField(
        label="事業者コード",
        max_length=8,
        error_messages=_required("事業者コード"),
        help_text="本機関から連絡された4桁の数字",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_organization_code(self) -> str:
        value = japanese.normalize_organization_code(self.cleaned_data["organization_code"])
        japanese.validate_organization_code(value)
        return value


class CodeAssignmentForm(forms.Form):
    """事業者マスタ登録 (back office): the code issued to a provisional application."""

    code = CodeField(
        label="事業者コード",
        max_length=8,
        error_messages=_required("事業者コード"),
        help_text="4桁の数字。既に使用されているコードは登録できません。",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
