"""X-T1: a new version of a system's terms is registered as a draft, published by staff, and every
active user of that system is mailed through the outbox; the back office counts the mails of each
version and warns while any is unsent near the 30-day limit (seed 002 1.3.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from kouiki.core.outbox import OutboxMessage, OutboxState
from kouiki.core.outbox_delivery import deliver
from kouiki.core.systems import Role, System
from kouiki.identity.models import OrganizationStatus, User
from kouiki.terms import selectors, services
from kouiki.terms.models import ChangeMail, TermsDocument
from tests.access import sent_to_login
from tests.factories import OrganizationFactory, participant
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("mail server down")


@pytest.fixture
def capacity_users(db: None) -> list[User]:
    """Three users who get the mail, and others who do not."""
    first, second = OrganizationFactory(code="9201"), OrganizationFactory(code="9202")
    mailed = [
        participant(
            organization=first, system=System.CAPACITY, role=Role.ADMIN, email="adm001@cap.example.jp"
        ),
        participant(organization=first, system=System.CAPACITY, email="usr001@cap.example.jp"),
        participant(
            organization=second, system=System.CAPACITY, role=Role.ADMIN, email="adm901@gen.example.jp"
        ),
    ]
    participant(organization=first, system=System.CAPACITY, is_active=False, email="gone@cap.example.jp")
    participant(organization=first, system=System.CAPACITY, email="")
    suspended = OrganizationFactory(code="9203", status=OrganizationStatus.SUSPENDED)
    participant(organization=suspended, system=System.CAPACITY, email="stop@cap.example.jp")
    participant(system=System.SWITCHING, email="retail@sw.example.jp")
    participant(system=System.MEMBER, email="member@mem.example.jp")
    return mailed


def staff_login(client: Client, staff: User) -> Client:
    """Log staff in (again: a session lasts hours, the tests move the clock by weeks)."""
    client.force_login(staff)
    session = client.session
    session["staff_verified"] = True
    session.save()
    return client


def draft(staff: User, **kwargs: Any) -> TermsDocument:
    values: dict[str, Any] = {
        "system": "capacity",
        "kind": "system_terms",
        "version": "Ver. 1.1",
        "title": "容量市場システム利用規約",
        "body": "# 容量市場システム利用規約\n\n改定後の本文。",
        "effective_date": timezone.localdate() + timedelta(days=14),
        "summary": "2.2 本システムの機能に「お知らせ管理機能」の説明を追加",
        **kwargs,
    }
    return services.create_version(actor=staff, **values)


def test_x_t1_publishing_a_version_mails_every_active_user_of_its_system(
    staff: User, capacity_users: list[User], django_capture_on_commit_callbacks: Any
) -> None:
    document = draft(staff)
    assert not OutboxMessage.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        mailed = services.publish_version(actor=staff, document=document)
    assert mailed == 3
    # One row per user: nobody sees another's address; each row's state is its own.
    assert sorted(m.to[0] for m in OutboxMessage.objects.all()) == sorted(u.email for u in capacity_users)
    assert all(len(m.to) == 1 for m in OutboxMessage.objects.all())
    assert len(callbacks) == 3  # each send is enqueued once the publication commits
    assert sorted(ChangeMail.objects.values_list("user_id", flat=True)) == sorted(
        u.pk for u in capacity_users
    )
    document.refresh_from_db()
    assert document.published_by == staff
    assert selectors.current_terms("capacity").version == "Ver. 1.0"  # in force from its effective date
    assert selectors.current_terms("capacity", on=document.effective_date) == document
    event = Event.objects.get(action="terms.version_publish")
    assert event.detail["mailed"] == 3
    assert event.detail["deadline"] == (timezone.localdate() + timedelta(days=30)).isoformat()


def test_the_mail_says_what_changed_when_and_where(staff: User, capacity_users: list[User]) -> None:
    document = draft(staff)
    services.publish_version(actor=staff, document=document)
    message = OutboxMessage.objects.get(to=["adm001@cap.example.jp"])
    assert (
        message.subject == "【電力広域的運営推進機関】容量市場システム 容量市場システム利用規約改定のお知らせ"
    )
    assert capacity_users[0].organization.name in message.body  # type: ignore[union-attr]
    assert "Ver. 1.1" in message.body
    assert (
        f"{document.effective_date:%Y}年{document.effective_date.month}月{document.effective_date.day}日"
        in message.body
    )
    assert "お知らせ管理機能" in message.body
    assert f"/terms/{document.pk}/" in message.body


def test_a_member_system_change_mails_the_member_systems_users_only(
    staff: User, capacity_users: list[User]
) -> None:
    document = draft(staff, system="member", version="Ver. 1.2", title="会員情報管理システム利用規約")
    assert services.publish_version(actor=staff, document=document) == 1
    assert OutboxMessage.objects.get().to == ["member@mem.example.jp"]


def test_a_published_version_is_never_changed_deleted_or_mailed_again(
    staff: User, capacity_users: list[User]
) -> None:
    document = draft(staff)
    services.publish_version(actor=staff, document=document)
    with pytest.raises(InvalidTransition):
        services.publish_version(actor=staff, document=document)
    with pytest.raises(InvalidTransition):
        services.update_draft(
            actor=staff,
            document=document,
            version="Ver. 1.1",
            title="x",
            body="y",
            effective_date=document.effective_date,
        )
    with pytest.raises(InvalidTransition):
        services.delete_draft(actor=staff, document=document)
    assert OutboxMessage.objects.count() == 3


def test_a_draft_is_checked_corrected_and_deleted(staff: User) -> None:
    with pytest.raises(ValidationFailed) as raised:
        draft(staff, kind="articles", version=" ", title="", body="", effective_date=dt.date(2020, 1, 1))
    assert set(raised.value.errors) == {"kind", "version", "title", "body", "effective_date"}
    with pytest.raises(ValidationFailed, match="既に登録されています"):
        draft(staff, version="Ver. 1.0")
    document = draft(staff)
    with pytest.raises(NotFound):
        selectors.published_document(document.pk)
    services.update_draft(
        actor=staff,
        document=document,
        version="Ver. 2.0",
        title="容量市場システム利用規約",
        body="改定版",
        effective_date=document.effective_date,
    )
    document.refresh_from_db()
    assert document.version == "Ver. 2.0"
    services.delete_draft(actor=staff, document=document)
    assert not TermsDocument.objects.filter(pk=document.pk).exists()
    assert [e.action for e in Event.objects.order_by("id")] == [
        "terms.version_create",
        "terms.version_update",
        "terms.version_delete",
    ]


def test_a_version_whose_effective_date_passed_is_not_published(
    staff: User, capacity_users: list[User]
) -> None:
    document = draft(staff, effective_date=timezone.localdate())
    later = timezone.localtime() + timedelta(days=2)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationFailed, match="施行日が過ぎて"):
        services.publish_version(actor=staff, document=document)
    assert not OutboxMessage.objects.exists()


def test_only_staff_manage_versions(capacity_users: list[User]) -> None:
    with pytest.raises(Forbidden):
        draft(capacity_users[0])


# --- counts and the deadline ----------------------------------------------------------------------


def test_the_counts_follow_the_outbox_and_warn_near_the_deadline(
    staff: User, capacity_users: list[User], settings: Any
) -> None:
    settings.KOUIKI_OUTBOX_MAX_ATTEMPTS = 1
    start = timezone.localtime()
    document = draft(staff)
    services.publish_version(actor=staff, document=document)
    status = selectors.mailing_status(document)
    assert status is not None
    assert (status.total, status.sent, status.unsent, status.failed) == (3, 0, 3, 0)
    assert status.deadline == start.date() + timedelta(days=30)
    assert not status.warning and not status.overdue

    rows = list(OutboxMessage.objects.order_by("id"))
    settings.MAILERS = LOCMEM
    assert deliver(rows[0].pk) == "sent"
    assert deliver(rows[1].pk) == "sent"
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingMailServer"}}
    assert deliver(rows[2].pk) == "failed"
    status = selectors.mailing_status(document)
    assert status is not None
    assert (status.total, status.sent, status.unsent, status.failed) == (3, 2, 1, 1)
    assert status.last_sent_at is not None and status.first_sent_at is not None

    with time_machine.travel(start + timedelta(days=24), tick=False):
        assert not selectors.mailing_status(document).warning  # type: ignore[union-attr]
    with time_machine.travel(start + timedelta(days=25), tick=False):
        near = selectors.mailing_status(document)
        assert near is not None and near.warning and not near.overdue and near.days_left == 5
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert selectors.mailing_status(document).overdue  # type: ignore[union-attr]
        # Staff retry the failed mail (back office, 送信メール); once it is out, the warning goes,
        # but the version keeps saying that the last mail left after the deadline.
        OutboxMessage.objects.filter(pk=rows[2].pk).update(state=OutboxState.PENDING, attempts=0)
        settings.MAILERS = LOCMEM
        assert deliver(rows[2].pk) == "sent"
        done = selectors.mailing_status(document)
        assert done is not None and done.complete and not done.warning and done.late
    assert len(mail.outbox) == 3


def test_the_back_office_shows_the_counts_and_the_warning(
    staff_client: Client, staff: User, capacity_users: list[User], settings: Any
) -> None:
    start = timezone.localtime()
    document = draft(staff)
    services.publish_version(actor=staff, document=document)
    settings.MAILERS = LOCMEM
    deliver(OutboxMessage.objects.order_by("id").first().pk)  # type: ignore[union-attr]
    page = staff_client.get("/backoffice/terms/").content.decode()
    assert "送信済 1 / 3名" in page
    # The versions the code shipped with changed nothing for anyone: no mails to count.
    assert selectors.mailing_status(selectors.current_terms("capacity")) is None
    assert "—（初期登録の版）" in page
    assert "未送信 2" in page
    assert "期限間近" not in page
    detail = staff_client.get(f"/backoffice/terms/{document.pk}/").content.decode()
    assert "未送信のメール" in detail
    assert "usr001@cap.example.jp" in detail or "adm901@gen.example.jp" in detail
    with time_machine.travel(start + timedelta(days=26), tick=False):
        staff_login(staff_client, staff)
        page = staff_client.get("/backoffice/terms/").content.decode()
        assert "期限間近・未送信あり（残り4日）" in page
        assert "期限が近いか過ぎている版があります" in page
        assert (
            "まで残り4日ですが、2名にまだ送信できていません"
            in staff_client.get(f"/backoffice/terms/{document.pk}/").content.decode()
        )
    with time_machine.travel(start + timedelta(days=40), tick=False):
        staff_login(staff_client, staff)
        assert "期限超過・未送信あり" in staff_client.get("/backoffice/terms/").content.decode()


def test_the_list_takes_the_same_queries_whatever_the_number_of_versions(
    staff_client: Client, staff: User, capacity_users: list[User], django_assert_max_num_queries: Any
) -> None:
    services.publish_version(actor=staff, document=draft(staff))
    staff_client.get("/backoffice/terms/")
    with django_assert_max_num_queries(20) as few:
        staff_client.get("/backoffice/terms/")
    for n in range(3):
        services.publish_version(
            actor=staff,
            document=draft(
                staff, version=f"Ver. 1.{n + 2}", effective_date=timezone.localdate() + timedelta(days=20 + n)
            ),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get("/backoffice/terms/")


# --- the back-office screens ----------------------------------------------------------------------


def test_staff_register_check_and_publish_a_version_on_the_screens(
    staff_client: Client, capacity_users: list[User]
) -> None:
    current = selectors.current_terms("capacity")
    start = staff_client.get(f"/backoffice/terms/new/?from={current.pk}")
    assert "容量市場システム利用規約" in start.content.decode()
    effective = timezone.localdate() + timedelta(days=10)
    response = staff_client.post(
        "/backoffice/terms/new/",
        {
            "system": "capacity",
            "kind": "system_terms",
            "version": "Ver. 1.1",
            "title": "容量市場システム利用規約",
            "effective_date": effective.isoformat(),
            "summary": "文言の修正",
            "body": current.body,
        },
    )
    document = TermsDocument.objects.get(system="capacity", version="Ver. 1.1")
    assert response["Location"] == f"/backoffice/terms/{document.pk}/"
    preview = staff_client.get(response["Location"]).content.decode()
    assert "下書き（未公表）" in preview
    assert "<h4>1.3 本利用規約の変更</h4>" in preview
    assert staff_client.get(f"/terms/{document.pk}/").status_code == 404  # not public yet
    edit = staff_client.post(
        f"/backoffice/terms/{document.pk}/edit/",
        {
            "version": "Ver. 1.1",
            "title": "容量市場システム利用規約",
            "effective_date": effective.isoformat(),
            "summary": "文言の修正（2.2）",
            "body": current.body,
        },
    )
    assert edit.status_code == 302
    published = staff_client.post(f"/backoffice/terms/{document.pk}/publish/", follow=True)
    assert "利用者3名に改定のお知らせメールを送信します" in published.content.decode()
    assert OutboxMessage.objects.count() == 3
    assert staff_client.get(f"/terms/{document.pk}/").status_code == 200
    assert staff_client.get(f"/backoffice/terms/{document.pk}/edit/").status_code == 302


def test_a_kind_the_system_does_not_have_is_refused_on_the_screen(staff_client: Client) -> None:
    response = staff_client.post(
        "/backoffice/terms/new/",
        {
            "system": "switching",
            "kind": "articles",
            "version": "Ver. 9",
            "title": "定款",
            "effective_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "body": "本文",
        },
    )
    assert response.status_code == 200
    assert "スイッチング支援システムにはこの種類の文書はありません" in response.content.decode()


def test_a_draft_is_deleted_on_the_screen(staff_client: Client, staff: User) -> None:
    document = draft(staff)
    response = staff_client.post(f"/backoffice/terms/{document.pk}/delete/")
    assert response["Location"] == "/backoffice/terms/"
    assert not TermsDocument.objects.filter(pk=document.pk).exists()


def test_the_terms_screens_are_staffs(client: Client, staff: User, capacity_users: list[User]) -> None:
    document = draft(staff)
    assert client.get("/backoffice/terms/")["Location"].startswith("/backoffice/login/")
    client.force_login(capacity_users[0])
    assert sent_to_login(client.get("/backoffice/terms/"), "backoffice")
    assert sent_to_login(client.post(f"/backoffice/terms/{document.pk}/publish/"), "backoffice")
    assert not OutboxMessage.objects.exists()
