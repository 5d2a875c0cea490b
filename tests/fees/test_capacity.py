"""MEM-F2 容量市場請求書等: documents the organization uploads and publishes for one member, which
the member's 容量市場 users see, download and have marked read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kouiki.audit.models import Event
from kouiki.core import catalog
from kouiki.core.errors import Forbidden, InvalidTransition, ValidationFailed
from kouiki.core.outbox import OutboxMessage
from kouiki.fees.models import CapacityDocument, CapacityDocumentRead, DocumentKind
from kouiki.fees.services import capacity
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.factories import OrganizationFactory
from tests.fees.helpers import pdf_bytes

LIST = "/member/fees/capacity/"


def html(response: Any) -> str:
    return str(response.content.decode())


def upload(
    staff: User, profile: MemberProfile, *, title: str = "2025年度7月分 請求書", **kwargs: Any
) -> CapacityDocument:
    data = kwargs.pop("data", pdf_bytes(title))
    values: dict[str, Any] = {
        "organization_code": profile.organization.code,
        "kind": DocumentKind.INVOICE,
        "title": title,
        "fiscal_year": 2025,
        "month": 7,
        "amount": 1234567,
        **kwargs,
    }
    return capacity.upload_capacity_document(
        actor=staff, file=SimpleUploadedFile("請求書.pdf", data), filename="請求書_202507.pdf", **values
    )


def published(staff: User, profile: MemberProfile, **kwargs: Any) -> CapacityDocument:
    return capacity.publish_capacity_document(actor=staff, document=upload(staff, profile, **kwargs))


def listed(response: Any) -> list[str]:
    return [document.title for document in response.context["page"].object_list]


def test_urls_are_named() -> None:
    assert reverse("fees:capacity_list") == LIST
    assert reverse("fees:capacity_file", args=[3]) == "/member/fees/capacity/3/file/"
    assert reverse("fees:refund_account") == "/member/fees/capacity/account/"
    function = catalog.get("MEM-F2")
    assert function.built and function.menu == "容量市場請求書等情報管理" and catalog.urls(function) == [LIST]


def test_an_upload_must_be_a_pdf_by_its_bytes_within_the_size_limit(
    staff: User, profile: MemberProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationFailed, match="PDFファイルを指定してください") as not_pdf:
        upload(staff, profile, data=b"PK\x03\x04 a zip named .pdf")
    assert not_pdf.value.field == "file"
    with pytest.raises(ValidationFailed, match="ファイルが空です"):
        upload(staff, profile, data=b"")
    monkeypatch.setattr(capacity, "MAX_PDF_BYTES", 20)
    with pytest.raises(ValidationFailed, match="大きすぎます"):
        upload(staff, profile, data=pdf_bytes("x" * 40))
    assert not CapacityDocument.objects.exists()


def test_only_members_receive_documents(staff: User, db: None) -> None:
    applicant = OrganizationFactory(code="7001")
    with pytest.raises(ValidationFailed, match="会員はありません"):
        upload(staff, MemberProfile(organization=applicant))
    with pytest.raises(ValidationFailed):
        upload(staff, MemberProfile(organization=OrganizationFactory.build(code="7999")))


def test_a_draft_is_unseen_until_published_then_mailed_to_the_capacity_users(
    client: Client,
    staff: User,
    profile: MemberProfile,
    capacity_user: User,
    fees_user: User,
    other_fees_user: User,
) -> None:
    draft = upload(staff, profile)
    assert draft.file.name.startswith(f"fees/capacity/{profile.organization_id}/")
    assert draft.file.read().startswith(b"%PDF-")
    client.force_login(capacity_user)
    assert listed(client.get(LIST)) == []
    assert client.get(reverse("fees:capacity_file", args=[draft.pk])).status_code == 404
    assert not OutboxMessage.objects.exists()

    capacity.publish_capacity_document(actor=staff, document=draft)
    with pytest.raises(InvalidTransition):
        capacity.publish_capacity_document(actor=staff, document=draft)
    page = client.get(LIST)
    assert listed(page) == ["2025年度7月分 請求書"]
    assert "未読" in html(page) and "1,234,567円" in html(page) and "2025年度 7月分" in html(page)

    (mail,) = OutboxMessage.objects.all()
    assert mail.template == "fees/mail/capacity_published"
    assert sorted(mail.to) == sorted(
        ["tanaka@koiki-denryoku.example.jp", "yamamoto@koiki-denryoku.example.jp", capacity_user.email]
    )
    assert fees_user.email not in mail.to and other_fees_user.email not in mail.to
    assert "請求書" in mail.subject


def test_a_download_marks_the_document_read_for_that_user_and_is_audited(
    client: Client, staff: User, profile: MemberProfile, capacity_user: User, admin: User
) -> None:
    document = published(staff, profile)
    client.force_login(capacity_user)
    response = client.get(reverse("fees:capacity_file", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == pdf_bytes("2025年度7月分 請求書")
    assert "%E8%AB%8B%E6%B1%82%E6%9B%B8_202507.pdf" in response["Content-Disposition"]  # 請求書_202507.pdf
    assert "no-store" in response["Cache-Control"]
    client.get(reverse("fees:capacity_file", args=[document.pk]))
    assert CapacityDocumentRead.objects.filter(document=document, user=capacity_user).count() == 1
    assert (
        Event.objects.filter(action="fees.capacity_document_download", actor_id=capacity_user.pk).count() == 2
    )
    assert "未読" not in html(client.get(LIST))
    client.force_login(admin)  # read marks are per user
    assert "未読" in html(client.get(LIST))


def test_another_members_documents_are_404(
    client: Client, staff: User, profile: MemberProfile, other_profile: MemberProfile, other_fees_user: User
) -> None:
    ours = published(staff, profile, title="当社向け")
    theirs = published(staff, other_profile, title="北海向け")
    client.force_login(other_fees_user)
    assert listed(client.get(LIST)) == ["北海向け"]
    assert client.get(reverse("fees:capacity_file", args=[ours.pk])).status_code == 404
    assert client.get(reverse("fees:capacity_file", args=[theirs.pk])).status_code == 200


def test_filters_by_kind_and_year(
    client: Client, staff: User, profile: MemberProfile, capacity_user: User
) -> None:
    published(staff, profile, title="請求書2025")
    published(
        staff, profile, title="還元額通知2024", kind=DocumentKind.REFUND_NOTICE, fiscal_year=2024, amount=None
    )
    client.force_login(capacity_user)
    assert listed(client.get(LIST, {"kind": "refund_notice"})) == ["還元額通知2024"]
    assert listed(client.get(LIST, {"fiscal_year": "2025"})) == ["請求書2025"]
    assert "―" in html(client.get(LIST, {"kind": "refund_notice"}))  # no amount


def test_users_without_the_capacity_duty_get_403(
    client: Client, staff: User, profile: MemberProfile, fees_user: User, plain_user: User
) -> None:
    document = published(staff, profile)
    for user in (fees_user, plain_user):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 403 and "担当業務「容量市場」" in html(response)
        assert client.get(reverse("fees:capacity_file", args=[document.pk])).status_code == 403
        assert client.get(reverse("fees:refund_account")).status_code == 403
    assert not CapacityDocumentRead.objects.exists()


def test_a_draft_can_be_deleted_a_published_document_cannot(staff: User, profile: MemberProfile) -> None:
    draft = upload(staff, profile)
    name, storage = draft.file.name, draft.file.storage
    assert storage.exists(name)
    capacity.delete_capacity_document(actor=staff, document=draft)
    assert not CapacityDocument.objects.exists()
    document = published(staff, profile)
    with pytest.raises(InvalidTransition):
        capacity.delete_capacity_document(actor=staff, document=document)


def test_only_staff_upload_and_publish(admin: User, profile: MemberProfile, staff: User) -> None:
    with pytest.raises(Forbidden):
        upload(admin, profile)
    draft = upload(staff, profile)
    with pytest.raises(Forbidden):
        capacity.publish_capacity_document(actor=admin, document=draft)


def test_capacity_list_queries_do_not_grow_with_rows(
    client: Client,
    staff: User,
    profile: MemberProfile,
    capacity_user: User,
    django_assert_max_num_queries: Any,
) -> None:
    published(staff, profile, title="1")
    client.force_login(capacity_user)
    client.get(LIST)
    with django_assert_max_num_queries(14) as few:
        client.get(LIST)
    baseline = len(few.captured_queries)
    for number in range(2, 12):
        document = published(staff, profile, title=str(number))
        client.get(reverse("fees:capacity_file", args=[document.pk]))
    client.get(LIST)  # warm: the per-process caches of the access layer and the stops (X-S1..S3) fill once
    with django_assert_max_num_queries(baseline):
        response = client.get(LIST)
    assert len(listed(response)) == 11
