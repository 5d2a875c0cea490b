"""Back office: participants' use of the systems (/backoffice/participants/): suspend one system or
all, lift, complete or send back a request to end, end a contract on a ground of the system's
terms, the retention periods of an ended contract (X-S2, X-S3, X-L1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import StaffRole, UseState
from kouiki.identity.models import Organization, SystemUse, User
from kouiki.identity.services import system_use
from tests.factories import OrganizationFactory, StaffFactory, participant

pytestmark = pytest.mark.django_db

REASON = "漏えいの疑い（事案 SW-P3 #12）"


@pytest.fixture
def company() -> Organization:
    organization = OrganizationFactory(code="9201", name="利用状態株式会社")
    participant(organization=organization, system=System.SWITCHING, role=Role.ADMIN, login_id="adm001")
    participant(organization=organization, system=System.CAPACITY, role=Role.ADMIN, login_id="cap001")
    return organization


def staff_browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    return client


def use_url(organization: Organization) -> str:
    return reverse("backoffice:participant_use", args=[organization.code])


def test_the_suspension_form_is_prefilled_from_the_link_and_suspends_every_system_in_use(
    staff_client: Client, company: Organization
) -> None:
    page = staff_client.get(use_url(company), {"reason": REASON})
    assert page.status_code == 200
    assert REASON in page.content.decode()

    response = staff_client.post(use_url(company), {"act": "suspend", "systems": "all", "reason": REASON})
    assert response.status_code == 302
    assert {(use.system, use.state) for use in SystemUse.objects.all()} == {
        ("switching", "suspended"),
        ("capacity", "suspended"),
    }
    listed = staff_client.get(reverse("backoffice:participant_uses"), {"state": "suspended"}).content.decode()
    assert "9201 利用状態株式会社" in listed and listed.count("利用中断") >= 2

    lifted = staff_client.post(use_url(company), {"act": "lift", "system": "capacity"})
    assert lifted.status_code == 302
    assert SystemUse.objects.get(system="capacity").state == UseState.ACTIVE
    assert [e.action for e in Event.objects.filter(action__startswith="use.").order_by("id")] == [
        "use.suspend",
        "use.suspend",
        "use.lift",
    ]


def test_a_suspension_without_a_reason_is_refused_in_japanese_and_changes_nothing(
    staff_client: Client, company: Organization
) -> None:
    page = staff_client.post(use_url(company), {"act": "suspend", "systems": "switching", "reason": ""})
    assert page.status_code == 200
    assert "中断の理由を入力してください。" in page.content.decode()
    assert not SystemUse.objects.exists()


def test_staff_of_another_area_cannot_suspend_a_system_not_theirs(company: Organization) -> None:
    capacity_staff = staff_browser(StaffFactory(login_id="caponly", staff_roles=[StaffRole.CAPACITY.value]))
    page = capacity_staff.post(use_url(company), {"act": "suspend", "systems": "switching", "reason": REASON})
    assert "スイッチング支援システムの利用状態を変更する職員権限がありません" in page.content.decode()
    assert not SystemUse.objects.exists()
    nobody = staff_browser(StaffFactory(login_id="none", staff_roles=[]))
    assert nobody.get(use_url(company)).status_code == 403


def test_a_request_to_end_is_completed_and_the_retention_periods_are_shown(
    staff_client: Client, company: Organization, settings
) -> None:
    settings.KOUIKI_RETENTION_PERSONAL_DATA_YEARS = 3
    admin = User.objects.get(organization=company, login_id="adm001")
    system_use.request_termination(actor=admin, system=System.SWITCHING, reason="事業撤退のため")
    page = staff_client.get(use_url(company)).content.decode()
    assert "利用終了申請中" in page and "事業撤退のため" in page

    assert staff_client.post(use_url(company), {"act": "complete", "system": "switching"}).status_code == 302
    use = SystemUse.objects.get(system="switching")
    assert use.state == UseState.TERMINATED
    page = staff_client.get(use_url(company)).content.decode()
    ended = timezone.localdate(use.terminated_at)
    until = ended.replace(year=ended.year + 3)
    assert (
        f"廃止取次データ（需要者の個人情報を含む）：{until.year}年{until.month}月{until.day}日まで（3年）"
        in page
    )
    assert reverse("backoffice:participant_retained", args=[company.code]) in page


def test_a_request_sent_back_keeps_the_contract_and_tells_the_administrators(
    staff_client: Client, company: Organization
) -> None:
    admin = User.objects.get(organization=company, login_id="adm001")
    admin.email = "adm@9201.example.jp"
    admin.save()
    system_use.request_termination(actor=admin, system=System.SWITCHING, reason="事業撤退のため")
    refused = staff_client.post(use_url(company), {"act": "reject", "system": "switching", "reason": ""})
    assert "差戻しの理由を入力してください。" in refused.content.decode()
    staff_client.post(
        use_url(company), {"act": "reject", "system": "switching", "reason": "未精算の案件があるため"}
    )
    assert SystemUse.objects.get().state == UseState.ACTIVE
    assert "未精算の案件があるため" in OutboxMessage.objects.get(subject__contains="差戻し").body


def test_ending_a_contract_on_a_ground_the_system_does_not_list_is_refused(
    staff_client: Client, company: Organization
) -> None:
    page = staff_client.post(
        use_url(company), {"act": "terminate", "system": "capacity", "ground": "law_change", "text": "x"}
    )
    assert "終了事由を、このシステムの利用規約に定める事由から選択してください。" in page.content.decode()
    staff_client.post(
        use_url(company),
        {
            "act": "terminate",
            "system": "capacity",
            "ground": "not_eligible",
            "text": "利用者の条件に該当しない",
        },
    )
    assert (SystemUse.objects.get().system, SystemUse.objects.get().state) == ("capacity", "terminated")


def test_an_unknown_participant_is_not_found(staff_client: Client) -> None:
    assert staff_client.get(reverse("backoffice:participant_use", args=["0000"])).status_code == 404
