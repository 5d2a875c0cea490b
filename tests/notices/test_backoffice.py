"""Back office: staff write, correct and withdraw notices through the screens."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kouiki.identity.models import User
from kouiki.notices.models import Notice, NoticeRead
from tests.access import sent_to_login
from tests.factories import participant
from tests.notices.helpers import PDF, write

BASE = "/backoffice/notices/"


def form_data(**overrides: Any) -> dict[str, Any]:
    return {
        "system": "capacity",
        "category": "important",
        "title": "容量オークション募集要項の公表",
        "body": "募集要項を公表しました。",
        "publish_from": "2025-04-01T09:00",
        "publish_until": "",
        "audience": "all",
        "organization_codes": "",
        **overrides,
    }


def test_staff_write_a_notice_for_chosen_organizations_with_a_file(
    staff_client: Client, cap_user: User, other_cap_user: User
) -> None:
    response = staff_client.post(
        f"{BASE}new/",
        form_data(
            audience="selected",
            organization_codes="9201、9202\n9201",
            attachments=[SimpleUploadedFile("募集要項.pdf", PDF)],
        ),
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{notice.pk}/"
    assert notice.publish_from.isoformat() == "2025-04-01T00:00:00+00:00"  # 9:00 JST
    assert sorted(r.organization.code for r in notice.recipients.all()) == ["9201", "9202"]
    assert notice.attachments.get().original_name == "募集要項.pdf"
    detail = staff_client.get(response["Location"]).content.decode()
    assert "キャパシティ発電株式会社" in detail and "別電源株式会社" in detail
    assert "掲載中" in detail
    download = staff_client.get(f"{BASE}{notice.pk}/files/{notice.attachments.get().pk}/")
    assert download.content == PDF


def test_a_bad_form_shows_the_errors_next_to_the_fields(staff_client: Client, cap_user: User) -> None:
    response = staff_client.post(
        f"{BASE}new/",
        form_data(
            audience="selected",
            organization_codes="9999",
            attachments=[SimpleUploadedFile("a.exe", b"MZ")],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "容量市場システムを利用している事業者ではありません: 9999" in page
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("publish_from", "0001-01-01T00:00"), ("publish_until", "9999-12-31T23:59")]
)
def test_dates_outside_the_century_are_refused_with_a_message(
    staff_client: Client, field: str, value: str
) -> None:
    response = staff_client.post(f"{BASE}new/", form_data(**{field: value}))
    assert response.status_code == 200
    assert "2000年から2099年までの日時で入力してください" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_list_filters_by_system_and_state(staff_client: Client, staff: User) -> None:
    write(staff, title="容量市場A")
    withdrawn = write(staff, system="switching", title="スイッチングB")
    staff_client.post(f"{BASE}{withdrawn.pk}/withdraw/")
    page = staff_client.get(BASE).content.decode()
    assert "容量市場A" in page and "スイッチングB" in page
    capacity = staff_client.get(BASE, {"system": "capacity"}).content.decode()
    assert "容量市場A" in capacity and "スイッチングB" not in capacity
    gone = staff_client.get(BASE, {"state": "withdrawn"}).content.decode()
    assert "スイッチングB" in gone and "容量市場A" not in gone


def test_staff_correct_a_notice_and_may_show_it_unread_again(
    staff_client: Client, staff: User, cap_user: User
) -> None:
    notice = write(staff, files=[SimpleUploadedFile("old.pdf", PDF)])
    NoticeRead.objects.create(notice=notice, user=cap_user)
    edit = staff_client.get(f"{BASE}{notice.pk}/edit/")
    assert edit.status_code == 200
    assert "old.pdf" in edit.content.decode()
    response = staff_client.post(
        f"{BASE}{notice.pk}/edit/",
        {
            **form_data(title="【訂正】日程について"),
            "remove_attachment": [str(notice.attachments.get().pk)],
            "mark_unread": "on",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "【訂正】日程について"
    assert notice.system == "capacity"
    assert not notice.attachments.exists()
    assert not NoticeRead.objects.exists()


def test_a_withdrawn_notice_cannot_be_edited(staff_client: Client, staff: User) -> None:
    notice = write(staff)
    staff_client.post(f"{BASE}{notice.pk}/withdraw/")
    response = staff_client.get(f"{BASE}{notice.pk}/edit/")
    assert response.status_code == 302
    assert "取下げ" in staff_client.get(f"{BASE}{notice.pk}/").content.decode()


def test_the_notice_screens_are_staffs(client: Client, staff: User, cap_admin: User) -> None:
    notice = write(staff)
    for url in (BASE, f"{BASE}new/", f"{BASE}{notice.pk}/", f"{BASE}{notice.pk}/edit/"):
        assert client.get(url)["Location"].startswith("/backoffice/login/")
    client.force_login(cap_admin)
    assert sent_to_login(client.get(BASE), "backoffice")
    client.force_login(participant())
    assert sent_to_login(client.post(f"{BASE}{notice.pk}/withdraw/"), "backoffice")
    assert Notice.objects.get().withdrawn_at is None


def test_an_unknown_notice_is_404(staff_client: Client) -> None:
    assert staff_client.get(f"{BASE}999/").status_code == 404
