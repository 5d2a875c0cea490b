"""Web input of notices: the participants' filter and the back office's notice form."""

from __future__ import annotations

from typing import Any

from django import forms

from kouiki.core.systems import System
from kouiki.notices.models import Audience, Category
from kouiki.notices.services import ACCEPTED_EXTENSIONS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, NOTICE_SYSTEMS


class NoticeFilterForm(forms.Form):
    """The participants' list: by category, unread only."""

    category = forms.ChoiceField(label="区分", choices=[("", "すべて"), *Category.choices], required=False)
    unread = forms.BooleanField(label="未読のみ表示", required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {"category": self.cleaned_data["category"], "unread_only": self.cleaned_data["unread"]}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


SYSTEM_CHOICES = [(system, System(system).label) for system in NOTICE_SYSTEMS]


class NoticeForm(forms.Form):
    """Back office: a notice of one system (the system is chosen once, at creation)."""

    system = forms.ChoiceField(
        label="システム", choices=SYSTEM_CHOICES, error_messages={"required": "システムを選択してください。"}
    )
    category = forms.ChoiceField(
        label="区分",
        choices=Category.choices,
        initial=Category.GENERAL,
        error_messages={"required": "区分を選択してください。"},
    )
    title = forms.CharField(
        label="件名", max_length=200, error_messages={"required": "件名を入力してください。"}
    )
    body = forms.CharField(
        label="本文",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="改行はそのまま表示されます。URLはリンクになります。",
        error_messages={"required": "本文を入力してください。"},
    )
    publish_from = forms.DateTimeField(
        label="掲載開始日時",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "掲載開始日時を入力してください。",
            "invalid": "掲載開始日時を正しく入力してください。",
        },
    )
    publish_until = forms.DateTimeField(
        label="掲載終了日時",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="空欄のときは取り下げるまで掲載します。",
        error_messages={"invalid": "掲載終了日時を正しく入力してください。"},
    )
    audience = forms.ChoiceField(
        label="対象",
        choices=Audience.choices,
        initial=Audience.ALL,
        widget=forms.RadioSelect,
        error_messages={"required": "対象を選択してください。"},
    )
    organization_codes = forms.CharField(
        label="対象の事業者コード",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="対象が「指定した事業者」のとき、4桁の事業者コードを改行またはカンマで区切って入力します。",
    )
    attachments = MultipleFileField(
        label="添付ファイル",
        required=False,
        help_text=(
            f"PDF・Excel・Word・PowerPoint・CSV・テキスト・ZIP・画像（PNG/JPEG）、"
            f"1ファイル{MAX_ATTACHMENT_BYTES // (1024 * 1024)}MBまで、{MAX_ATTACHMENTS}件まで"
        ),
    )
    mark_unread = forms.BooleanField(
        label="既読の利用者にも未読として再表示する",
        required=False,
        help_text="重要な修正を行い、改めて読んでほしいときに選択します。",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["system"]
        else:
            del self.fields["mark_unread"]
