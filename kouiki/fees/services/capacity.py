"""Capacity-market documents (容量市場請求書等: 請求書, 支払通知書, 還元額通知) the organization
publishes for a member (MEM-F2): uploaded as drafts, published with a mail to the member's
容量市場 users, opened (and marked read) by them."""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.choices import Action
from kouiki.audit.services import record
from kouiki.core.errors import InvalidTransition, ValidationFailed
from kouiki.core.outbox import queue_mail
from kouiki.core.systems import System
from kouiki.fees import selectors
from kouiki.fees.models import CapacityDocument, CapacityDocumentRead, DocumentKind
from kouiki.identity.access import require_staff
from kouiki.identity.choices import Duty
from kouiki.identity.selectors import organization_by_code, users_with_duty
from kouiki.membership import selectors as membership_selectors

if TYPE_CHECKING:
    from kouiki.identity.models import User

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def check_pdf(upload: BinaryIO, size: int) -> None:
    """A PDF by its first bytes (not by its name or the browser's content type), within the limit."""
    if size > MAX_PDF_BYTES:
        raise ValidationFailed(
            f"ファイルが大きすぎます（{MAX_PDF_BYTES // (1024 * 1024)}MBまで）。", field="file"
        )
    if size == 0:
        raise ValidationFailed("ファイルが空です。", field="file")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationFailed(
            "PDFファイルを指定してください（ファイルの内容がPDFではありません）。", field="file"
        )


def upload_capacity_document(
    *,
    actor: User,
    organization_code: str,
    kind: str,
    title: str,
    fiscal_year: int,
    month: int | None,
    amount: int | None,
    file: File,  # type: ignore[type-arg]
    filename: str,
) -> CapacityDocument:
    """Staff upload a PDF for one member, as a draft the member does not see yet."""
    require_staff(actor)
    if kind not in DocumentKind.values:
        raise ValidationFailed("種類を選択してください。", field="kind")
    organization = organization_by_code(organization_code)
    members = {member.organization_id for member in membership_selectors.active_members()}
    if organization is None or organization.pk not in members:
        raise ValidationFailed(
            f"事業者コード「{organization_code}」の会員はありません。", field="organization_code"
        )
    size = int(file.size or 0)
    check_pdf(file, size)  # type: ignore[arg-type]
    document = CapacityDocument(
        organization=organization,
        kind=kind,
        title=title,
        fiscal_year=fiscal_year,
        month=month,
        amount=amount,
        original_name=filename[:200],
        size=size,
        uploaded_by=actor,
    )
    document.file.save("document.pdf", file, save=False)
    try:
        with transaction.atomic():
            document.save()
            record(
                actor=actor,
                action=Action.FEES_CAPACITY_DOCUMENT_UPLOAD,
                obj=document,
                organization=organization,
                system=System.MEMBER,
                detail={"kind": kind, "title": title, "size": size},
            )
    except BaseException:
        # A row that was not written leaves no file behind.
        if document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def publish_capacity_document(*, actor: User, document: CapacityDocument) -> CapacityDocument:
    """Staff publish a draft: the member sees it from now on, and its 容量市場 users get a mail."""
    require_staff(actor)
    now = timezone.now()
    with transaction.atomic():
        updated = CapacityDocument.objects.filter(pk=document.pk, published_at__isnull=True).update(
            published_at=now, published_by=actor
        )
        if not updated:
            raise InvalidTransition("この書類は掲載済みです。")
        document.refresh_from_db()
        recipients = [
            user.email
            for user in users_with_duty(organization_id=document.organization_id, duty=Duty.CAPACITY)
            if user.email
        ]
        if recipients:
            queue_mail(
                to=recipients,
                template="fees/mail/capacity_published",
                context={
                    "organization_name": document.organization.name,
                    "organization_code": document.organization.code,
                    "document": document,
                    "url": settings.SITE_URL + reverse("fees:capacity_list"),
                },
            )
        record(
            actor=actor,
            action=Action.FEES_CAPACITY_DOCUMENT_PUBLISH,
            obj=document,
            organization=document.organization,
            system=System.MEMBER,
            detail={"kind": document.kind, "title": document.title, "mailed": len(recipients)},
        )
    return document


def delete_capacity_document(*, actor: User, document: CapacityDocument) -> None:
    """Staff delete a draft uploaded by mistake (a published document stays: members rely on it)."""
    require_staff(actor)
    with transaction.atomic():
        deleted, _ = CapacityDocument.objects.filter(pk=document.pk, published_at__isnull=True).delete()
        if not deleted:
            raise InvalidTransition("掲載済みの書類は削除できません。")
        record(
            actor=actor,
            action=Action.FEES_CAPACITY_DOCUMENT_DELETE,
            organization=document.organization,
            system=System.MEMBER,
            detail={"id": document.pk, "kind": document.kind, "title": document.title},
        )
        name, storage = document.file.name, document.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name), robust=True)


def open_capacity_document(*, actor: User, pk: int) -> CapacityDocument:
    """A member's user opens a published document: marked read for that user, audited."""
    document = selectors.capacity_document_for(actor=actor, pk=pk)
    with transaction.atomic():
        if not document.is_read:  # type: ignore[attr-defined]
            try:
                with transaction.atomic():
                    CapacityDocumentRead.objects.create(document=document, user=actor)
            except IntegrityError:
                pass  # opened at the same moment in another tab
        record(
            actor=actor,
            action=Action.FEES_CAPACITY_DOCUMENT_DOWNLOAD,
            obj=document,
            system=System.MEMBER,
            detail={"kind": document.kind, "title": document.title},
        )
    return document


def open_capacity_document_as_staff(*, actor: User, document: CapacityDocument) -> CapacityDocument:
    """Staff look at an uploaded document (before or after publishing it); audited, never marked read."""
    require_staff(actor)
    record(
        actor=actor,
        action=Action.FEES_CAPACITY_DOCUMENT_DOWNLOAD,
        obj=document,
        organization=document.organization,
        system=System.MEMBER,
        detail={"kind": document.kind, "title": document.title},
    )
    return document
