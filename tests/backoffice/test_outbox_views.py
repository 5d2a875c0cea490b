"""Back office: the outbox screens — every mail, its attempts and errors, and the staff retry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kouiki.audit.models import Event
from kouiki.core.models import OutboxMessage, OutboxState
from kouiki.core.outbox_delivery import REDACTED_BODY, deliver
from kouiki.identity.models import User
from tests.access import sent_to_login

LIST_URL = reverse("backoffice:outbox_list")


def make_message(**fields: Any) -> OutboxMessage:
    values: dict[str, Any] = {"to": ["tanaka@example.co.jp"], "subject": "お知らせ", "body": "本文です。"}
    return OutboxMessage.objects.create(**(values | fields))


# Who may open the screens.


def test_anonymous_visitors_are_sent_to_the_back_office_login(client: Client, db: None) -> None:
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")


def test_participants_may_not_open_the_outbox(client: Client, member_admin: User) -> None:
    message = make_message()
    client.force_login(member_admin)

    assert sent_to_login(client.get(LIST_URL), "backoffice")
    assert sent_to_login(client.get(reverse("backoffice:outbox_detail", args=[message.pk])), "backoffice")
    assert sent_to_login(client.post(reverse("backoffice:outbox_retry", args=[message.pk])), "backoffice")


def test_staff_who_have_not_passed_the_second_factor_are_sent_to_login(client: Client, staff: User) -> None:
    client.force_login(staff)

    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/backoffice/login/")


# The list.


def test_the_list_shows_every_mail_newest_first(staff_client: Client) -> None:
    now = timezone.now()
    make_message(subject="古いお知らせ", created_at=now - timedelta(days=1))
    make_message(subject="新しいお知らせ", created_at=now)

    response = staff_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("新しいお知らせ") < html.index("古いお知らせ")
    assert "送信メール（2件）" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "failed"}, ["失敗したメール"]),
        ({"recipient": "SATO@"}, ["佐藤さん宛"]),
        ({"subject": "パスワード"}, ["パスワード再設定"]),
        ({"state": "sent", "subject": "パスワード"}, []),
    ],
)
def test_the_list_filters_by_state_recipient_and_subject(
    staff_client: Client, query: dict[str, str], expected: list[str]
) -> None:
    make_message(subject="失敗したメール", state=OutboxState.FAILED)
    make_message(subject="佐藤さん宛", to=["sato@example.co.jp"])
    make_message(subject="パスワード再設定")

    response = staff_client.get(LIST_URL, query)

    shown = [message.subject for message in response.context["page"].object_list]
    assert shown == expected


def test_the_list_is_paginated_and_keeps_the_filter(staff_client: Client) -> None:
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(to=["a@example.co.jp"], subject=f"お知らせ{n}", body="本文") for n in range(51)]
    )

    first = staff_client.get(LIST_URL, {"subject": "お知らせ"})
    second = staff_client.get(LIST_URL, {"subject": "お知らせ", "page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert "subject=%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 1


def test_the_list_takes_the_same_number_of_queries_for_many_rows(
    staff_client: Client, django_assert_max_num_queries: Any
) -> None:
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(to=["a@example.co.jp"], subject=f"お知らせ{n}", body="本文") for n in range(60)]
    )

    with django_assert_max_num_queries(8):
        response = staff_client.get(LIST_URL)

    assert response.status_code == 200


# The detail.


def test_the_detail_shows_body_attempts_and_last_error(staff_client: Client) -> None:
    message = make_message(
        body="会員情報が変更されました。",
        state=OutboxState.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )

    response = staff_client.get(reverse("backoffice:outbox_detail", args=[message.pk]))

    html = response.content.decode()
    assert "会員情報が変更されました。" in html
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in html
    assert "<dd>8</dd>" in html
    assert "再送</button>" in html


def test_a_sent_sensitive_mail_shows_the_redaction_note(staff_client: Client) -> None:
    message = make_message(body="仮パスワード: Xy7-secret", sensitive=True)
    deliver(message.pk)

    response = staff_client.get(reverse("backoffice:outbox_detail", args=[message.pk]))

    html = response.content.decode()
    assert REDACTED_BODY in html
    assert "Xy7-secret" not in html
    assert "再送</button>" not in html


def test_an_unsent_sensitive_mail_does_not_show_its_body_to_staff(staff_client: Client) -> None:
    message = make_message(body="仮パスワード: Xy7-secret", sensitive=True, state=OutboxState.FAILED)

    response = staff_client.get(reverse("backoffice:outbox_detail", args=[message.pk]))

    html = response.content.decode()
    assert "Xy7-secret" not in html
    assert "送信前の本文は表示しません" in html


def test_an_unknown_mail_is_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("backoffice:outbox_detail", args=[999_999])).status_code == 404


# The retry.


def test_staff_retry_a_failed_mail_which_is_then_sent(
    staff_client: Client, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    message = make_message(state=OutboxState.FAILED, attempts=8, last_error="SMTPServerDisconnected: x")
    url = reverse("backoffice:outbox_retry", args=[message.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)

    assert response.redirect_chain == [(reverse("backoffice:outbox_detail", args=[message.pk]), 302)]
    assert "再送を受け付けました" in response.content.decode()
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 0
    event = Event.objects.get(action="outbox.retry")
    assert event.actor_id == staff.pk
    assert event.object_id == str(message.pk)
    [task] = DBTaskResult.objects.filter(task_path="kouiki.core.tasks.send_outbox_message")
    assert task.args_kwargs["args"] == [message.pk]

    assert deliver(message.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_mail_that_has_not_failed_cannot_be_retried(staff_client: Client) -> None:
    message = make_message()
    deliver(message.pk)

    response = staff_client.post(reverse("backoffice:outbox_retry", args=[message.pk]), follow=True)

    assert "送信失敗のメールだけを再送できます。" in response.content.decode()
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert not Event.objects.filter(action="outbox.retry").exists()
    assert len(mail.outbox) == 1


def test_retry_is_post_only(staff_client: Client) -> None:
    message = make_message(state=OutboxState.FAILED)

    assert staff_client.get(reverse("backoffice:outbox_retry", args=[message.pk])).status_code == 405


def test_retry_needs_the_csrf_token(staff: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    session = client.session
    session["staff_verified"] = True
    session.save()
    message = make_message(state=OutboxState.FAILED)

    response = client.post(reverse("backoffice:outbox_retry", args=[message.pk]))

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.state == OutboxState.FAILED
