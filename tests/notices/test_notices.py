"""CAP-N1 お知らせ管理 and SW-N01/N02 インフォメーション: what participants see (their system, their
organization, the publication period), unread marks, attachments, and who may open the screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import InvalidTransition, NotFound, ValidationFailed
from kouiki.core.systems import Role, System
from kouiki.identity.models import User
from kouiki.notices import selectors, services
from kouiki.notices.models import Notice, NoticeAttachment, NoticeRead
from tests.access import sent_to_login
from tests.factories import participant
from tests.notices.helpers import PDF, hour_ago, write

LIST = "/capacity/notices/"


def titles(response: Any) -> list[str]:
    return [notice.title for notice in response.context["page"].object_list]


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_cap_n1_a_participant_sees_the_published_notices_of_its_system(
    client: Client, staff: User, cap_user: User
) -> None:
    write(staff, title="容量市場のお知らせ")
    write(staff, system="switching", title="スイッチングのインフォメーション")
    response = login(client, cap_user).get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["容量市場のお知らせ"]
    page = response.content.decode()
    assert "未読が1件あります" in page
    assert "badge--submitted" in page


def test_cap_n1_only_notices_within_their_period_are_shown(staff: User, cap_user: User) -> None:
    now = timezone.localtime()
    write(staff, title="掲載中", publish_from=now - timedelta(days=1))
    write(staff, title="掲載前", publish_from=now + timedelta(hours=2))
    write(
        staff, title="掲載終了", publish_from=now - timedelta(days=3), publish_until=now - timedelta(days=2)
    )
    write(
        staff, title="本日まで", publish_from=now - timedelta(days=1), publish_until=now + timedelta(hours=1)
    )
    seen = lambda: [n.title for n in selectors.notices_for(actor=cap_user, system="capacity")]  # noqa: E731
    assert sorted(seen()) == sorted(["掲載中", "本日まで"])
    with time_machine.travel(now + timedelta(hours=2, minutes=30), tick=False):
        assert sorted(seen()) == sorted(["掲載中", "掲載前"])


def test_cap_n1_a_notice_for_chosen_organizations_is_another_organizations_404(
    client: Client, staff: User, cap_user: User, other_cap_user: User
) -> None:
    notice = write(
        staff,
        title="貴社向けのご連絡",
        audience="selected",
        organization_codes=[cap_user.organization.code],  # type: ignore[union-attr]
        files=[SimpleUploadedFile("資料.pdf", PDF)],
    )
    attachment = notice.attachments.get()
    everyone = write(staff, title="全事業者へのお知らせ")
    assert titles(login(client, cap_user).get(LIST)) == ["全事業者へのお知らせ", "貴社向けのご連絡"]
    assert client.get(f"{LIST}{notice.pk}/").status_code == 200

    login(client, other_cap_user)
    assert titles(client.get(LIST)) == ["全事業者へのお知らせ"]
    assert client.get(f"{LIST}{notice.pk}/").status_code == 404
    assert client.get(f"{LIST}{notice.pk}/files/{attachment.pk}/").status_code == 404
    # A file is reached only through its own notice.
    assert client.get(f"{LIST}{everyone.pk}/files/{attachment.pk}/").status_code == 404
    with pytest.raises(NotFound):
        selectors.notice_for(actor=other_cap_user, system="capacity", pk=notice.pk)


def test_cap_n1_a_notice_of_another_system_is_404(client: Client, staff: User, cap_user: User) -> None:
    switching = write(staff, system="switching", title="スイッチングのみ")
    assert login(client, cap_user).get(f"{LIST}{switching.pk}/").status_code == 404


def test_cap_n1_opening_a_notice_marks_it_read_for_that_user_only(
    client: Client, staff: User, cap_user: User, cap_admin: User
) -> None:
    notice = write(staff)
    login(client, cap_user)
    assert [n.is_read for n in client.get(LIST).context["page"].object_list] == [False]  # type: ignore[attr-defined]
    detail = client.get(f"{LIST}{notice.pk}/")
    assert detail.status_code == 200
    page = detail.content.decode()
    assert notice.title in page
    assert '<a href="https://www.occto.or.jp/" rel="nofollow">' in page
    client.get(f"{LIST}{notice.pk}/")  # a second reading changes nothing
    assert NoticeRead.objects.filter(notice=notice, user=cap_user).count() == 1
    listed = client.get(LIST)
    assert [n.is_read for n in listed.context["page"].object_list] == [True]  # type: ignore[attr-defined]
    assert "未読の" in listed.content.decode()
    assert selectors.unread_count(actor=cap_admin, system="capacity") == 1
    unread_only = login(client, cap_user).get(LIST, {"unread": "on"})
    assert titles(unread_only) == []


def test_cap_n1_a_correction_can_show_a_notice_as_unread_again(staff: User, cap_user: User) -> None:
    notice = write(staff)
    services.open_notice(actor=cap_user, system="capacity", pk=notice.pk)
    values = {
        "category": "important",
        "title": "【訂正】容量オークションの日程について",
        "body": "訂正後の本文",
        "publish_from": notice.publish_from,
    }
    services.update_notice(actor=staff, notice=notice, **values)
    assert selectors.unread_count(actor=cap_user, system="capacity") == 0
    services.update_notice(actor=staff, notice=notice, mark_unread=True, **values)
    assert selectors.unread_count(actor=cap_user, system="capacity") == 1
    event = Event.objects.filter(action="notices.update").latest("id")
    assert event.detail["reads_reset"] == 1


def test_a_withdrawn_notice_disappears_and_stays_withdrawn(
    client: Client, staff: User, cap_user: User
) -> None:
    notice = write(staff)
    services.withdraw_notice(actor=staff, notice=notice)
    login(client, cap_user)
    assert titles(client.get(LIST)) == []
    assert client.get(f"{LIST}{notice.pk}/").status_code == 404
    with pytest.raises(InvalidTransition):
        services.withdraw_notice(actor=staff, notice=notice)
    with pytest.raises(InvalidTransition):
        services.update_notice(
            actor=staff, notice=notice, category="general", title="t", body="b", publish_from=hour_ago()
        )
    assert [e.action for e in Event.objects.order_by("id")] == ["notices.create", "notices.withdraw"]


def test_an_attachment_is_downloaded_under_its_name_and_never_cached(
    client: Client, staff: User, cap_user: User
) -> None:
    notice = write(staff, files=[SimpleUploadedFile("C:\\資料\\募集要項.pdf", PDF)])
    attachment = notice.attachments.get()
    assert attachment.original_name == "募集要項.pdf"
    assert attachment.content_type == "application/pdf"
    response = login(client, cap_user).get(f"{LIST}{notice.pk}/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "添付できない種類"),
        ("偽物.pdf", b"<html>not a pdf</html>", "PDFファイルではありません"),
        ("表.xlsx", b"%PDF-1.7", "Excelファイルではありません"),
        ("空.pdf", b"", "空のファイル"),
        ("data.csv", b"a,b\x00c", "CSVファイルではありません"),
    ],
)
def test_an_attachment_must_be_an_allowed_type_by_its_content(
    staff: User, cap_user: User, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as raised:
        write(staff, files=[SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile(name, data)])
    assert "attachments" in raised.value.errors
    # One bad file stores nothing at all.
    assert not Notice.objects.exists()
    assert not NoticeAttachment.objects.exists()


def test_attachments_are_limited_in_size_and_number(
    staff: User, cap_user: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(ValidationFailed, match="大きすぎます"):
        write(staff, files=[SimpleUploadedFile("a.pdf", PDF)])
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 1024)
    too_many = [SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(services.MAX_ATTACHMENTS + 1)]
    with pytest.raises(ValidationFailed, match="10件まで"):
        write(staff, files=too_many)
    notice = write(
        staff, files=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n..")]
    )
    assert notice.attachments.count() == 2
    assert list((settings.MEDIA_ROOT / "notices" / str(notice.pk)).iterdir()).__len__() == 2


def test_removing_an_attachment_deletes_its_file_after_commit(
    staff: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    notice = write(staff, files=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = notice.attachments.get()
    path = settings.MEDIA_ROOT / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_notice(
            actor=staff,
            notice=notice,
            category=notice.category,
            title=notice.title,
            body=notice.body,
            publish_from=notice.publish_from,
            remove_attachment_ids=[attachment.pk],
            files=[SimpleUploadedFile("b.csv", "事業者コード,名称\n9201,キャパシティ発電\n".encode("cp932"))],
        )
    assert not path.exists()
    assert [a.original_name for a in notice.attachments.all()] == ["b.csv"]


@pytest.mark.parametrize(
    ("audience", "codes", "message"),
    [
        ("selected", [], "事業者コードを入力"),
        ("selected", ["12a4"], "4桁の数字"),
        ("selected", ["9999"], "容量市場システムを利用している事業者ではありません: 9999"),
        ("all", ["9201"], "全事業者のときは"),
    ],
)
def test_the_audience_names_organizations_of_the_system(
    staff: User, cap_user: User, switching_admin: User, audience: str, codes: list[str], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        write(staff, audience=audience, organization_codes=codes)


def test_a_switching_organization_is_not_an_audience_of_a_capacity_notice(
    staff: User, cap_user: User, switching_admin: User
) -> None:
    code = switching_admin.organization.code  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed, match=code):
        write(staff, audience="selected", organization_codes=[code])


def test_the_period_must_end_after_it_starts_and_the_fields_are_checked(staff: User) -> None:
    start = timezone.now()
    with pytest.raises(ValidationFailed) as raised:
        write(staff, title=" ", body="", category="x", publish_from=start, publish_until=start)
    assert set(raised.value.errors) == {"title", "body", "category", "publish_until"}
    with pytest.raises(ValidationFailed):
        write(staff, system="member")


def test_only_staff_write_notices(cap_admin: User) -> None:
    from kouiki.core.errors import Forbidden

    with pytest.raises(Forbidden):
        write(cap_admin)


def test_writing_is_audited(staff: User, cap_user: User) -> None:
    notice = write(staff, audience="selected", organization_codes=["9201"])
    event = Event.objects.get(action="notices.create")
    assert event.object_id == str(notice.pk)
    assert event.system == "capacity"
    assert event.detail["organizations"] == ["9201"]


# --- who opens the screens --------------------------------------------------------------------


def test_cap_n1_screens_are_for_the_capacity_systems_users(
    client: Client, staff: User, cap_user: User, organization: Any
) -> None:
    notice = write(staff)
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/capacity/login/")
    login(client, participant(organization=organization, system=System.MEMBER, role=Role.ADMIN))
    assert sent_to_login(client.get(LIST), "capacity")
    assert sent_to_login(client.get(f"{LIST}{notice.pk}/"), "capacity")
    login(client, staff)
    assert client.get(LIST)["Location"].startswith("/capacity/login/")


def test_the_capacity_menu_leads_to_the_notices(client: Client, cap_user: User) -> None:
    menu = login(client, cap_user).get("/capacity/").content.decode()
    assert f'href="{LIST}"' in menu
    assert "お知らせ管理" in menu


def test_sw_n01_n02_switching_administrators_see_the_information(
    client: Client, staff: User, switching_admin: User
) -> None:
    notice = write(staff, system="switching", title="スイッチング支援システムのメンテナンス")
    write(staff, title="容量市場のみ")
    login(client, switching_admin)
    response = client.get("/switching/notices/")
    assert response.status_code == 200
    assert titles(response) == ["スイッチング支援システムのメンテナンス"]
    assert "インフォメーション一覧" in response.content.decode()
    assert f'href="/switching/notices/{notice.pk}/"' in response.content.decode()
    assert client.get(f"/switching/notices/{notice.pk}/").status_code == 200
    assert "インフォメーション一覧" in client.get("/switching/").content.decode()


def test_sw_n01_is_for_administrators_only(client: Client, staff: User) -> None:
    notice = write(staff, system="switching")
    login(client, participant(system=System.SWITCHING, role=Role.USER))
    assert client.get("/switching/notices/").status_code == 403
    assert client.get(f"/switching/notices/{notice.pk}/").status_code == 403


def test_the_list_takes_the_same_queries_whatever_the_number_of_notices(
    client: Client, staff: User, cap_user: User, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        write(staff, title=f"お知らせ{n}", files=[SimpleUploadedFile("a.pdf", PDF)])
    login(client, cap_user)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(15):
        write(staff, title=f"追加{n}", audience="selected", organization_codes=["9201"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 18
