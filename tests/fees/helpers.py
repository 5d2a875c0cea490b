"""Data and helpers shared by the fees tests."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from pypdf import PdfReader

from kouiki.fees.models import AccountType

PAYEE: dict[str, str] = {
    "bank_name": "広域銀行",
    "bank_code": "0999",
    "branch_name": "本店営業部",
    "branch_code": "001",
    "account_type": AccountType.ORDINARY,
    "account_number": "1234567",
    "holder_name": "ﾃﾞﾝﾘﾖｸｺｳｲｷﾃｷｳﾝｴｲｽｲｼﾝｷｶﾝ",
}

HEADER = "事業者コード,年度,金額,消費税,支払期限"


def due(days: int = 30) -> str:
    """A due date `days` from today (JST), as Excel writes it."""
    return (timezone.localdate() + timedelta(days=days)).strftime("%Y/%m/%d")


def csv_bytes(*rows: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_bytes(text: str = "demo") -> bytes:
    """A small file that starts like a PDF (the upload checks the magic bytes, not the rest)."""
    return b"%PDF-1.7\n% " + text.encode() + b"\n%%EOF\n"
