"""Web input of the terms: the consent box any application form embeds, and the back office's
form for a new version."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from kouiki.core.systems import System
from kouiki.terms.choices import SYSTEM_DOCUMENT_KINDS, DocumentKind

if TYPE_CHECKING:
    from kouiki.terms.models import TermsDocument


def renew_if_revised(
    form: forms.Form,
    *,
    box: str,
    version: str,
    document_id: int,
    title: str,
    message: str = "",
    missing_is_revised: bool = False,
) -> bool:
    """Call from a consent form's __init__: when the bound data agreed to another version than
    `document_id` (revised while the page was open), the box comes back unticked, with the reason,
    and the hidden `version` field carries the version now in force — ticking again agrees to the
    text on the page. Left bound to the old id, every retry would be refused. Returns whether it did.
    `missing_is_revised`: a POST without the hidden field counts as another version too."""
    if not form.is_bound:
        return False
    shown = str(form.data.get(form.add_prefix(version), "")).strip()
    if shown == str(document_id) or not (shown or missing_is_revised):
        return False
    data = cast(Any, form.data).copy()  # a QueryDict (a dict in tests): the copy is mutable
    data.pop(form.add_prefix(box), None)
    data[form.add_prefix(version)] = str(document_id)
    form.data = data
    form.fields[box].error_messages["required"] = message or (
        f"「{title}」が改定されました。改定後の内容をお読みのうえ、改めて同意してください。"
    )
    return True


class TermsConsentForm(forms.Form):
    """「本利用規約に同意する」 for one document, with the version shown.

    Render it with ``{% include "terms/_consent.html" with consent_form=form %}`` and record the
    consent with ``kouiki.terms.services.consent_to_current_terms(system=...,
    shown_document_id=form.shown_document_id(), ...)`` (or ``record_consent`` for another kind).
    Give it a prefix when the page has other forms: ``TermsConsentForm(data, document=d, prefix="terms")``.
    """

    agree = forms.BooleanField(label="本利用規約に同意する", required=True)
    # The version shown, so that a revision coming into force meanwhile is noticed.
    document_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, document: TermsDocument, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.document = document
        self.fields["document_id"].initial = document.pk
        if label:
            self.fields["agree"].label = label
        self.fields["agree"].error_messages["required"] = f"「{document.title}」に同意してください。"
        renew_if_revised(
            self, box="agree", version="document_id", document_id=document.pk, title=document.title
        )

    def shown_document_id(self) -> int:
        """The version the user agreed to as the screen showed it (the form must be valid)."""
        return self.cleaned_data.get("document_id") or self.document.pk


SYSTEM_CHOICES = [(value, System(value).label) for value in SYSTEM_DOCUMENT_KINDS]


class TermsVersionForm(forms.Form):
    """Back office: a new version of a document (or the correction of a draft)."""

    system = forms.ChoiceField(
        label="システム", choices=SYSTEM_CHOICES, error_messages={"required": "システムを選択してください。"}
    )
    kind = forms.ChoiceField(
        label="文書の種類",
        choices=DocumentKind.choices,
        initial=DocumentKind.SYSTEM_TERMS,
        help_text="スイッチング支援システム・容量市場システムはシステム利用規約のみです。",
        error_messages={"required": "文書の種類を選択してください。"},
    )
    version = forms.CharField(
        label="版",
        max_length=32,
        help_text="文書が名乗る版（例: Ver. 1.1）",
        error_messages={"required": "版を入力してください。"},
    )
    title = forms.CharField(
        label="表題", max_length=200, error_messages={"required": "表題を入力してください。"}
    )
    effective_date = forms.DateField(
        label="施行日",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="この日から改定後の文書が適用されます（本日以降）。",
        error_messages={
            "required": "施行日を入力してください。",
            "invalid": "施行日を正しく入力してください。",
        },
    )
    summary = forms.CharField(
        label="改定の概要",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="利用者へのお知らせメールに記載します。",
    )
    body = forms.CharField(
        label="本文",
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=(
            "見出しは行頭の「#」、箇条書きは「- 」、表はタブ区切りで記述します。HTMLタグは表示されません。"
        ),
        error_messages={"required": "本文を入力してください。"},
    )

    def __init__(self, *args: Any, draft: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if draft:
            # A draft keeps its system and kind.
            del self.fields["system"]
            del self.fields["kind"]
