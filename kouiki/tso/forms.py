"""Web input of the gateway's staff screens (the back office's 送配電連携)."""

from __future__ import annotations

from datetime import date

from django import forms

from kouiki.core.calendar import year_out_of_range
from kouiki.tso.services.reading_calendars import HEADER


class ReadingCalendarImportForm(forms.Form):
    file = forms.FileField(
        label="検針日程カレンダー（CSV）",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=f"列: {'、'.join(HEADER)}。Excelの「CSV UTF-8」または「CSV」形式",
        error_messages={"required": "CSVファイルを選択してください。", "empty": "ファイルが空です。"},
    )
    dry_run = forms.BooleanField(label="確認のみ（登録しない）", required=False)


class ReadingCalendarWindowForm(forms.Form):
    """Which months the list shows: 14 from the month chosen (this month by default)."""

    start = forms.DateField(
        label="表示開始年月",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "表示開始年月を正しく入力してください（例: 2027-01）。"},
    )

    def clean_start(self) -> date | None:
        start: date | None = self.cleaned_data["start"]
        if problem := year_out_of_range("表示開始年月", start):
            raise forms.ValidationError(problem)
        return start
