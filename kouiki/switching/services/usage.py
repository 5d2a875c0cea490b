"""The rules of 使用量情報照会 (usage data) the hub checks before forwarding (SW-L02 / SW-L03,
SW-H01 / SW-H02; SWITCHING-REAL.md "Usage data"; ADR 29): the password's validity chosen at
application (a date or a number of days, at most one month), the identity documents it may carry
(pdf, jpg, png, gif, 1 MB at most each, recognized by their content), and the first day of the
point's current contract holder (usage from before it is withheld by the operator).

The services that use them are in services/applications.py (apply_usage_password, retrieve_usage).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath

from kouiki.core.calendar import JST
from kouiki.core.errors import ValidationFailed
from kouiki.switching.models import SupplyPoint, SupplyPointVersion, UsageDocument
from kouiki.tso.services.usage import latest_valid_day

MAX_DOCUMENT_BYTES = 1024 * 1024  # the model's check constraint says the same
MAX_DOCUMENTS = 5
NAME_LENGTH = UsageDocument._meta.get_field("name").max_length or 200


@dataclass(frozen=True)
class DocumentType:
    content_type: str
    label: str
    magic: tuple[bytes, ...]  # the first bytes, one of which must match


# Recognized by their first bytes only: neither the file's name nor the type its sender declares
# counts (a program renamed .pdf is refused).
DOCUMENT_TYPES = (
    DocumentType("application/pdf", "PDF", (b"%PDF-",)),
    DocumentType("image/jpeg", "JPEG", (b"\xff\xd8\xff",)),
    DocumentType("image/png", "PNG", (b"\x89PNG\r\n\x1a\n",)),
    DocumentType("image/gif", "GIF", (b"GIF87a", b"GIF89a")),
)
DOCUMENT_LABELS = "・".join(kind.label for kind in DOCUMENT_TYPES)
DOCUMENT_RULE = f"{DOCUMENT_LABELS}、1ファイル1MBまで、{MAX_DOCUMENTS}ファイルまで"


@dataclass(frozen=True)
class Document:
    """An identity document as it came in (a form's file, the API's base64 field). ``size``: the
    whole file's, when only its first bytes were read (a file past the limit is not read whole)."""

    name: str
    data: bytes
    size: int | None = None


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def _clean_name(name: str) -> str:
    """The file's own name, without any directory a browser may send."""
    return PurePath((name or "").replace("\\", "/")).name.strip()[:NAME_LENGTH] or "（名前なし）"


def check_documents(documents: Sequence[Document]) -> list[CheckedDocument]:
    """The documents as they will be kept, or a refusal naming the file that is not one of the
    allowed kinds by its content, is empty or larger than 1 MB."""
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationFailed(
            f"本人確認書類は{MAX_DOCUMENTS}ファイルまで添付できます（{len(documents)}ファイル指定されました）。",
            code="usage_documents_too_many",
            field="documents",
        )
    checked = []
    for document in documents:
        name = _clean_name(document.name)
        size = max(len(document.data), document.size or 0)
        if not size:
            raise ValidationFailed(
                f"「{name}」は空のファイルです。", code="usage_document_empty", field="documents"
            )
        if size > MAX_DOCUMENT_BYTES:
            raise ValidationFailed(
                f"「{name}」が大きすぎます（{size:,}バイト。1ファイル1MB＝{MAX_DOCUMENT_BYTES:,}バイトまで）。",
                code="usage_document_too_large",
                field="documents",
            )
        kind = next((kind for kind in DOCUMENT_TYPES if document.data.startswith(kind.magic)), None)
        if kind is None:
            raise ValidationFailed(
                f"「{name}」の内容が{DOCUMENT_LABELS}のいずれでもありません。"
                "本人確認書類はPDFまたは画像（JPEG・PNG・GIF）のファイルを添付してください。",
                code="usage_document_type",
                field="documents",
            )
        checked.append(
            CheckedDocument(
                name=name,
                content_type=kind.content_type,
                size=len(document.data),
                sha256=hashlib.sha256(document.data).hexdigest(),
                data=document.data,
            )
        )
    return checked


def valid_until(*, today: date, until: date | None = None, days: int | None = None) -> date:
    """The last day the password is to be valid: the date chosen, or ``days`` after today, at most
    one month ahead (the operator's rule); one month when neither is given."""
    latest = latest_valid_day(today)
    if until is not None and days is not None:
        raise ValidationFailed(
            "パスワードの有効期限は、日付か日数のどちらか一方で指定してください。",
            code="usage_validity_twice",
            field="valid_until",
        )
    if days is not None:
        if days < 1:
            raise ValidationFailed(
                "パスワードの有効日数は1日以上で指定してください。",
                code="usage_validity_invalid",
                field="valid_days",
            )
        chosen, field = today + timedelta(days=days), "valid_days"
        if chosen > latest:
            raise ValidationFailed(
                f"パスワードの有効日数は申請日から1か月以内（{(latest - today).days}日まで、"
                f"{latest:%Y年%m月%d日}まで）で指定してください。",
                code="usage_validity_too_long",
                field=field,
            )
        return chosen
    if until is None:
        return latest
    if until < today:
        raise ValidationFailed(
            f"パスワードの有効期限には今日（{today:%Y年%m月%d日}）以降の日付を指定してください。",
            code="usage_validity_past",
            field="valid_until",
        )
    if until > latest:
        raise ValidationFailed(
            f"パスワードの有効期限（{until:%Y年%m月%d日}）は申請日から1か月以内"
            f"（{latest:%Y年%m月%d日}まで）で指定してください。",
            code="usage_validity_too_long",
            field="valid_until",
        )
    return until


def _holder(name: str) -> str:
    return "".join((name or "").split())


def holder_since(point: SupplyPoint) -> date | None:
    """The first day (Japan time) of the point's current contract holder: the start of the version
    where the customer's name last changed, spaces aside (a name first filled in is no change);
    None when it never changed."""
    versions = SupplyPointVersion.objects.filter(supply_point=point).order_by("valid_from")
    since = None
    previous = ""
    for valid_from, name in versions.values_list("valid_from", "customer_name"):
        holder = _holder(name)
        if previous and holder and holder != previous:
            since = valid_from.astimezone(JST).date()
        previous = holder or previous
    return since
