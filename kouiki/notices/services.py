"""Writing notices: the back office writes, edits and withdraws them; a participant's user opening
one marks it read. Every change by staff is audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.calendar import year_out_of_range
from kouiki.core.catalog import implements
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.systems import System
from kouiki.identity.access import require_staff
from kouiki.identity.selectors import active_system_users
from kouiki.notices import selectors
from kouiki.notices.models import Audience, Category, Notice, NoticeAttachment, NoticeRead, NoticeRecipient

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The systems whose participants have a notices screen (CAP-N1, SW-N01/N02).
NOTICE_SYSTEMS: tuple[str, ...] = (System.CAPACITY, System.SWITCHING)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_BODY_CHARS = 20_000

_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .xls / .doc (Office 97-2003)


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    magic: tuple[bytes, ...] = ()  # the first bytes, one of which must match; () for text
    text: bool = False


# What may be attached, by extension; a file is recognised by its first bytes as well, never by
# the browser's content type. Served with the content type named here, always as a download.
ATTACHMENT_TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", "PDF", _PDF),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", _ZIP),
    ".xls": FileType("application/vnd.ms-excel", "Excel", _OLE),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word", _ZIP
    ),
    ".doc": FileType("application/msword", "Word", _OLE),
    ".pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint", _ZIP
    ),
    ".zip": FileType("application/zip", "ZIP", _ZIP),
    ".csv": FileType("text/csv", "CSV", text=True),
    ".txt": FileType("text/plain", "テキスト", text=True),
    ".png": FileType("image/png", "PNG", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", "JPEG", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", "JPEG", (b"\xff\xd8\xff",)),
}
ACCEPTED_EXTENSIONS = ",".join(ATTACHMENT_TYPES)

_CODE_SEPARATORS = re.compile(r"[\s,、，]+")


def _clean_name(name: str) -> str:
    """The file's own name, without any directory a browser may send."""
    return PurePath(name.replace("\\", "/")).name.strip()[:200]


def check_attachment(upload: IO[bytes], name: str, size: int) -> FileType:
    """The type of an uploaded file: an allowed extension whose first bytes match, within the size."""
    label = name or "ファイル"
    extension = PurePath(name).suffix.lower()
    file_type = ATTACHMENT_TYPES.get(extension)
    if file_type is None:
        allowed = "、".join(sorted({t.label for t in ATTACHMENT_TYPES.values()}))
        raise ValidationFailed(
            f"「{label}」は添付できない種類のファイルです（添付できるもの: {allowed}）。", field="attachments"
        )
    if size == 0:
        raise ValidationFailed(f"「{label}」は空のファイルです。", field="attachments")
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            f"「{label}」が大きすぎます（{MAX_ATTACHMENT_BYTES // (1024 * 1024)}MBまで）。",
            field="attachments",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    # Text must not hold NUL bytes; any other type starts with one of its magic numbers.
    if (b"\x00" in head) if file_type.text else not head.startswith(file_type.magic):
        raise ValidationFailed(
            f"「{label}」の内容が{file_type.label}ファイルではありません。", field="attachments"
        )
    return file_type


def parse_organization_codes(text: str) -> list[str]:
    """事業者コード typed one per line or separated by commas, in order, without repeats."""
    codes: list[str] = []
    for code in _CODE_SEPARATORS.split(text or ""):
        code = code.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def _recipient_ids(system: str, audience: str, codes: Sequence[str]) -> list[int]:
    """The organizations a "selected" notice goes to: each code must be an organization that has
    active users in the system."""
    if audience == Audience.ALL:
        if codes:
            raise ValidationFailed(
                "対象が全事業者のときは、事業者コードを入力しないでください。", field="organization_codes"
            )
        return []
    if not codes:
        raise ValidationFailed("対象の事業者コードを入力してください。", field="organization_codes")
    bad = [code for code in codes if not re.fullmatch(r"[0-9]{4}", code)]
    if bad:
        raise ValidationFailed(
            f"事業者コードは4桁の数字で入力してください: {'、'.join(bad)}", field="organization_codes"
        )
    found = dict(
        active_system_users(system=system)
        .filter(organization__code__in=codes)
        .values_list("organization__code", "organization_id")
        .distinct()
    )
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationFailed(
            f"{System(system).label}を利用している事業者ではありません: {'、'.join(unknown)}",
            field="organization_codes",
        )
    return [found[code] for code in codes]


class NoticeContent(TypedDict):
    """What staff write for a notice, new or corrected: no end when `publish_until` is None; the
    organizations' codes when the audience is chosen organizations; the files to attach."""

    category: str
    title: str
    body: str
    publish_from: datetime
    publish_until: NotRequired[datetime | None]
    audience: NotRequired[str]
    organization_codes: NotRequired[Sequence[str]]
    files: NotRequired[Iterable[UploadedFile]]


def _clean(system: str, content: NoticeContent) -> dict[str, Any]:
    """The notice's own fields, checked (every error at once, by field)."""
    category, audience = content["category"], content.get("audience", Audience.ALL)
    publish_from, publish_until = content["publish_from"], content.get("publish_until")
    errors: dict[str, list[str]] = {}
    if system not in NOTICE_SYSTEMS:
        errors["system"] = ["システムを選択してください。"]
    if category not in Category.values:
        errors["category"] = ["区分を選択してください。"]
    if audience not in Audience.values:
        errors["audience"] = ["対象を選択してください。"]
    title, body = content["title"].strip(), content["body"].strip()
    if not title:
        errors["title"] = ["件名を入力してください。"]
    if not body:
        errors["body"] = ["本文を入力してください。"]
    elif len(body) > MAX_BODY_CHARS:
        errors["body"] = [f"本文が長すぎます（{MAX_BODY_CHARS:,}文字まで）。"]
    for name, label, value in (
        ("publish_from", "掲載開始日時", publish_from),
        ("publish_until", "掲載終了日時", publish_until),
    ):
        message = year_out_of_range(label, value)
        if message:
            errors[name] = [message]
    if (
        not errors.keys() & {"publish_from", "publish_until"}
        and publish_until
        and publish_until <= publish_from
    ):
        errors["publish_until"] = ["掲載終了日時は掲載開始日時より後にしてください。"]
    if errors:
        raise ValidationFailed(errors=errors)
    return {
        "system": system,
        "category": category,
        "title": title,
        "body": body,
        "publish_from": publish_from,
        "publish_until": publish_until,
        "audience": audience,
    }


def _checked_files(
    files: Iterable[UploadedFile], existing: int = 0
) -> list[tuple[UploadedFile, str, FileType]]:
    """Every file checked before anything is stored: one bad file stores none."""
    files = list(files)
    if existing + len(files) > MAX_ATTACHMENTS:
        raise ValidationFailed(f"添付ファイルは{MAX_ATTACHMENTS}件までです。", field="attachments")
    checked = []
    for upload in files:
        name = _clean_name(upload.name or "")
        checked.append((upload, name, check_attachment(upload, name, int(upload.size or 0))))  # type: ignore[arg-type]
    return checked


def _store(notice: Notice, checked: list[tuple[UploadedFile, str, FileType]], stored: list[Any]) -> int:
    """Write the files and their rows (inside the caller's transaction); `stored` collects the files
    written so that the caller removes them when the transaction fails."""
    for upload, name, file_type in checked:
        attachment = NoticeAttachment(
            notice=notice, original_name=name, content_type=file_type.content_type, size=int(upload.size or 0)
        )
        attachment.file.save("attachment", upload, save=False)
        stored.append(attachment.file)
        attachment.save()
    return len(checked)


def _discard(stored: list[Any]) -> None:
    for field_file in stored:
        if field_file.name:
            field_file.storage.delete(field_file.name)


def create_notice(*, actor: User, system: str, **content: Unpack[NoticeContent]) -> Notice:
    """Staff write a notice of one system, for every participant or for chosen organizations, shown
    from `publish_from` until `publish_until` (no end when None), with files attached."""
    require_staff(actor)
    fields = _clean(system, content)
    audience, organization_codes = fields["audience"], content.get("organization_codes", ())
    organization_ids = _recipient_ids(system, audience, organization_codes)
    checked = _checked_files(content.get("files", ()))
    stored: list[Any] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            notice = Notice.objects.create(created_by=actor, created_at=now, updated_at=now, **fields)
            NoticeRecipient.objects.bulk_create(
                NoticeRecipient(notice=notice, organization_id=pk) for pk in organization_ids
            )
            count = _store(notice, checked, stored)
            record(
                actor=actor,
                action=Action.NOTICES_CREATE,
                obj=notice,
                system=system,
                detail={
                    "title": notice.title,
                    "audience": audience,
                    "organizations": list(organization_codes),
                    "attachments": count,
                },
            )
    except BaseException:
        _discard(stored)
        raise
    return notice


def update_notice(
    *,
    actor: User,
    notice: Notice,
    remove_attachment_ids: Iterable[int] = (),
    mark_unread: bool = False,
    **content: Unpack[NoticeContent],
) -> Notice:
    """Staff correct a notice (not a withdrawn one): its text, period, audience and files.

    `mark_unread` shows it as unread again to everyone (a change readers must notice)."""
    require_staff(actor)
    fields = _clean(notice.system, content)
    audience, organization_codes = fields["audience"], content.get("organization_codes", ())
    organization_ids = _recipient_ids(notice.system, audience, organization_codes)
    remove = set(remove_attachment_ids)
    kept = NoticeAttachment.objects.filter(notice=notice).exclude(pk__in=remove).count()
    checked = _checked_files(content.get("files", ()), existing=kept)
    stored: list[Any] = []
    try:
        with transaction.atomic():
            updated = Notice.objects.filter(pk=notice.pk, withdrawn_at__isnull=True).update(
                updated_at=timezone.now(), **fields
            )
            if not updated:
                raise InvalidTransition("取り下げたお知らせは修正できません。")
            NoticeRecipient.objects.filter(notice=notice).exclude(
                organization_id__in=organization_ids
            ).delete()
            NoticeRecipient.objects.bulk_create(
                [NoticeRecipient(notice=notice, organization_id=pk) for pk in organization_ids],
                ignore_conflicts=True,
            )
            removed = list(NoticeAttachment.objects.filter(notice=notice, pk__in=remove))
            NoticeAttachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
            for attachment in removed:
                name, storage = attachment.file.name, attachment.file.storage
                if name:
                    transaction.on_commit(partial(storage.delete, name), robust=True)
            added = _store(notice, checked, stored)
            reset = NoticeRead.objects.filter(notice=notice).delete()[0] if mark_unread else 0
            record(
                actor=actor,
                action=Action.NOTICES_UPDATE,
                obj=notice,
                system=notice.system,
                detail={
                    "title": fields["title"],
                    "audience": audience,
                    "organizations": list(organization_codes),
                    "attachments_added": added,
                    "attachments_removed": [a.original_name for a in removed],
                    "reads_reset": reset,
                },
            )
    except BaseException:
        _discard(stored)
        raise
    notice.refresh_from_db()
    return notice


def withdraw_notice(*, actor: User, notice: Notice) -> Notice:
    """Staff withdraw (取り下げ) a notice: participants no longer see it; it stays on record."""
    require_staff(actor)
    with transaction.atomic():
        updated = Notice.objects.filter(pk=notice.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor
        )
        if not updated:
            raise InvalidTransition("このお知らせは取下げ済みです。")
        record(
            actor=actor,
            action=Action.NOTICES_WITHDRAW,
            obj=notice,
            system=notice.system,
            detail={"title": notice.title},
        )
    notice.refresh_from_db()
    return notice


@implements("SW-N02", "CAP-N1")
def open_notice(*, actor: User, system: str, pk: int) -> Notice:
    """A participant's user opens a notice it may see: marked read for that user (once)."""
    notice = selectors.notice_for(actor=actor, system=system, pk=pk)
    if not notice.is_read:  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                NoticeRead.objects.create(notice=notice, user=actor)
        except IntegrityError:
            pass  # opened at the same moment in another tab
    return notice
