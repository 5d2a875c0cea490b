"""Back-office input of requests from government agencies (X-G1), each field checked with a
Japanese message; the rules across fields (the agencies and data sets of the chosen system) are
the service's."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from kouiki.core.forms import TextField
from kouiki.core.japanese import normalize_organization_code, validate_organization_code
from kouiki.core.systems import System
from kouiki.government.choices import (
    AGENCY_NAME_MAX,
    LEGAL_BASIS_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    REFERENCE_MAX,
    Agency,
)
from kouiki.government.selectors.datasets import DATASETS


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"{label}を入力してください。",
            "invalid": f"{label}は YYYY-MM-DD の形式で入力してください。",
        },
    )


class RequestForm(forms.Form):
    system = forms.ChoiceField(
        label="システム",
        choices=System.choices,
        error_messages={
            "required": "システムを選択してください。",
            "invalid_choice": "システムの選択が不正です。",
        },
    )
    agency = forms.ChoiceField(
        label="提供先",
        choices=Agency.choices,
        help_text="会員情報管理・スイッチング支援システム: 資源エネルギー庁、電力・ガス取引監視等委員会。"
        "容量市場システム: 経済産業省、電力・ガス取引監視等委員会、その他の国の機関",
        error_messages={
            "required": "提供先を選択してください。",
            "invalid_choice": "提供先の選択が不正です。",
        },
    )
    agency_name = TextField(
        label="国の機関の名称",
        max_length=AGENCY_NAME_MAX,
        required=False,
        help_text="提供先が「その他の国の機関」のとき",
    )
    reference_number = TextField(label="依頼文書の番号", max_length=REFERENCE_MAX, help_text="文書番号など")
    received_on = _date("依頼の受付日")
    legal_basis = TextField(label="根拠法令", max_length=LEGAL_BASIS_MAX, help_text="例: 電気事業法第○条")
    purpose = TextField(label="目的", max_length=PURPOSE_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    datasets = forms.MultipleChoiceField(
        label="提供するデータ",
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (d.key, f"{System(d.system).label}: {d.label}{'（個人情報を含む）' if d.personal else ''}")
            for d in DATASETS
        ],
        error_messages={
            "required": "提供するデータを1つ以上選択してください。",
            "invalid_choice": "%(value)s は提供できるデータではありません。",
        },
    )
    period_start = _date("対象期間（開始）")
    period_end = _date("対象期間（終了）")
    organization_codes = forms.CharField(
        label="対象事業者（事業者コード）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="一部の事業者の情報に限るときに、4桁の事業者コードを空白・読点・改行で区切って入力。"
        "空欄のときはすべての事業者",
    )

    def clean_organization_codes(self) -> list[str]:
        text = str(self.cleaned_data.get("organization_codes") or "")
        codes = [normalize_organization_code(part) for part in re.split(r"[\s,、，]+", text) if part]
        wrong = []
        for code in codes:
            try:
                validate_organization_code(code)
            except ValidationError:
                wrong.append(code)
        if wrong:
            raise ValidationError(f"事業者コードは4桁の半角数字で入力してください：{'、'.join(wrong)}")
        return list(dict.fromkeys(codes))

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments (the form must be valid)."""
        data = self.cleaned_data
        return {
            "system": data["system"],
            "agency": data["agency"],
            "agency_name": data["agency_name"],
            "legal_basis": data["legal_basis"],
            "purpose": data["purpose"],
            "dataset_keys": data["datasets"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "organization_codes": data["organization_codes"],
            "received_on": data["received_on"],
            "reference_number": data["reference_number"],
        }


class RejectForm(forms.Form):
    reason = TextField(label="却下の理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
