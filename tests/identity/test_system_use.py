"""A participant's use of a system (X-S2 suspend, X-S3 terminate, X-L1 retention): the access layer
refuses a suspended or terminated participant everywhere — screens, API, bulk files, callbacks —
and lifting a suspension resumes what waited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.bulk import services as bulk
from kouiki.bulk.models import BulkFile, FileState, RowState
from kouiki.core import callback_delivery, events
from kouiki.core.calendar import JST
from kouiki.core.errors import Forbidden, InvalidTransition, ValidationFailed
from kouiki.core.models import CallbackDelivery, DeliveryState, OutboxMessage
from kouiki.core.systems import Role, System
from kouiki.identity import access
from kouiki.identity.choices import StaffRole, UseState
from kouiki.identity.models import SystemUse, User
from kouiki.identity.selectors import is_paused, use_of
from kouiki.identity.services import system_use
from kouiki.switching import selectors as switching_selectors
from tests.api.conftest import ApiClient, Retailer, make_retailer
from tests.api.receiver import Receiver, serve
from tests.bulk.conftest import FUNCTION_ID, handler  # noqa: F401 - the bulk function's fixture
from tests.factories import StaffFactory, participant

REASON = "個人情報の目的外利用の疑い（2026年12月の事案）"


@pytest.fixture
def retailer(db: None) -> Retailer:
    retailer = make_retailer("9101", "新電力A株式会社")
    retailer.admin.email = "admin@a.example.jp"
    retailer.admin.save()
    return retailer


@pytest.fixture
def officer(db: None) -> User:
    return StaffFactory(login_id="officer", staff_roles=[StaffRole.SWITCHING])


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = True
    state, server = serve()
    yield state
    server.shutdown()
    server.server_close()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_suspended_participant_is_refused_on_screen_api_bulk_and_callbacks_and_resumed_after_lifting(
    retailer: Retailer,
    officer: User,
    handler: Any,  # noqa: F811
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    organization = retailer.organization
    # Work in flight: a confirmed bulk file not applied yet, an event not delivered yet.
    file = bulk.upload(
        actor=retailer.user,
        function_id=FUNCTION_ID,
        name="廃止取次.csv",
        data="供給地点特定番号,需要者名,更新フラグ\r\n0300000000000000000001,広域 太郎,1\r\n".encode("cp932"),
    )
    bulk.confirm(actor=retailer.user, file=file)
    events.register_callback(organization_id=organization.pk, system=System.SWITCHING, url=receiver.url)
    events.publish(
        organization_id=organization.pk,
        system=System.SWITCHING,
        topic="application.updated",
        reference="R1",
        payload={"reception_number": "R1"},
    )
    delivery = CallbackDelivery.objects.get()
    attempts = BulkFile.objects.get(pk=file.pk).attempts
    browser = signed_in(retailer.admin)
    assert browser.get("/switching/").status_code == 200
    api = ApiClient(retailer.token)
    assert api.get("/operators").status_code == 200

    system_use.suspend(actor=officer, organization=organization, systems=[System.SWITCHING], reason=REASON)

    # Its sessions ended at once: the browser is signed out.
    assert browser.get("/switching/").status_code == 302
    assert not Session.objects.exists()
    # Signing in again, its administrator sees the suspension, its reason and whom to contact.
    browser = signed_in(retailer.admin)
    page = browser.get("/switching/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "中断されています" in text and REASON in text and "システム利用窓口" in text
    assert browser.get("/switching/users/").status_code == 403
    # Its other users are told too, without the reason.
    other = signed_in(retailer.user).get("/switching/").content.decode()
    assert "中断されています" in other and REASON not in other
    # The API: 403 with the stable code, on every operation.
    for path in ("/operators", "/events"):
        refused = api.get(path)
        assert refused.status_code == 403
        assert refused.json()["code"] == "participant_suspended"
    # The bulk file and the callback wait, no attempt burned.
    assert is_paused(organization.pk, System.SWITCHING)
    assert bulk.run(file.pk) == "paused"
    assert callback_delivery.deliver(delivery.pk) == "paused"
    file.refresh_from_db()
    delivery.refresh_from_db()
    assert (file.state, file.attempts, file.done_rows) == (FileState.APPLYING, attempts, 0)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    assert receiver.received == []
    mailed = OutboxMessage.objects.get(subject__contains="利用の中断のお知らせ")
    assert mailed.to == ["admin@a.example.jp"] and REASON in mailed.body

    with django_capture_on_commit_callbacks(execute=False) as queued:
        system_use.lift_suspension(actor=officer, organization=organization, system=System.SWITCHING)
    # Lifting enqueued the file and the delivery again (and the mail).
    assert len(queued) >= 3

    assert bulk.run(file.pk) == "done"
    assert callback_delivery.deliver(delivery.pk) == "delivered"
    file.refresh_from_db()
    assert (file.state, file.done_rows) == (FileState.DONE, 1)
    assert file.rows.filter(state=RowState.DONE).count() == 1
    assert len(receiver.received) == 1
    assert browser.get("/switching/").status_code == 200
    assert api.get("/operators").status_code == 200
    assert list(
        Event.objects.filter(action__startswith="use.")
        .order_by("id")
        .values_list("action", "organization_code")
    ) == [("use.suspend", "9101"), ("use.lift", "9101")]


def test_a_file_suspended_between_two_batches_stops_there_and_resumes_from_the_next_row(
    retailer: Retailer,
    officer: User,
    handler: Any,  # noqa: F811
) -> None:
    from kouiki.bulk import registry
    from tests.bulk.conftest import make_function

    registry.register(make_function(handler, batch_size=1))
    rows = "".join(f"03{n:020d},需要者 {n},1\r\n" for n in range(1, 4))
    file = bulk.upload(
        actor=retailer.user,
        function_id=FUNCTION_ID,
        name="a.csv",
        data=("供給地点特定番号,需要者名,更新フラグ\r\n" + rows).encode("cp932"),
    )
    bulk.confirm(actor=retailer.user, file=file)
    assert bulk.run(file.pk, max_batches=1) == "stopped"
    BulkFile.objects.filter(pk=file.pk).update(claimed_until=None)
    system_use.suspend(
        actor=officer, organization=retailer.organization, systems=[System.SWITCHING], reason=REASON
    )
    assert bulk.run(file.pk) == "paused"
    system_use.lift_suspension(actor=officer, organization=retailer.organization, system=System.SWITCHING)
    assert bulk.run(file.pk) == "done"
    assert handler.applied == [2, 3, 4]


def test_a_contractor_acting_for_a_suspended_principal_is_refused_and_a_suspended_contractor_too(
    retailer: Retailer, officer: User
) -> None:
    from kouiki.identity.services import contractors
    from tests.factories import OrganizationFactory

    contractor = OrganizationFactory(code="9501", name="受託株式会社")
    worker = participant(organization=contractor, system=System.SWITCHING, login_id="usr001")
    worker.enrollments.update(participant_kind="contractor")
    contractors.grant(
        actor=retailer.admin,
        contractor_code="9501",
        functions=["SW-C01"],
        valid_from=datetime.now(JST).date(),
        valid_until=None,
    )
    actor = User.objects.get(pk=worker.pk)
    access.act_for(actor, "9101")
    assert switching_selectors.operators(actor=actor)

    system_use.suspend(
        actor=officer, organization=retailer.organization, systems=[System.SWITCHING], reason=REASON
    )
    actor = User.objects.get(pk=worker.pk)
    access.act_for(actor, "9101")
    with pytest.raises(Forbidden) as refused:
        switching_selectors.operators(actor=actor)
    assert refused.value.code == "participant_suspended"
    assert "委託者（事業者コード 9101）" in refused.value.message and REASON not in refused.value.message

    system_use.lift_suspension(actor=officer, organization=retailer.organization, system=System.SWITCHING)
    system_use.suspend(actor=officer, organization=contractor, systems=[System.SWITCHING], reason=REASON)
    actor = User.objects.get(pk=worker.pk)
    access.act_for(actor, "9101")
    with pytest.raises(Forbidden) as refused:
        switching_selectors.operators(actor=actor)
    assert refused.value.message.startswith("貴社の")


def test_suspending_all_systems_and_what_is_refused_changes_nothing(retailer: Retailer, db: None) -> None:
    organization = retailer.organization
    member = participant(organization=organization, system=System.MEMBER, role=Role.ADMIN, login_id="madm01")
    admin = StaffFactory(login_id="chief")  # every role
    switching_only = StaffFactory(login_id="sw", staff_roles=[StaffRole.SWITCHING])

    with pytest.raises(ValidationFailed) as blank:
        system_use.suspend(actor=admin, organization=organization, systems=[System.SWITCHING], reason=" ")
    assert blank.value.field == "reason"
    with pytest.raises(Forbidden):
        system_use.suspend(
            actor=switching_only, organization=organization, systems=[System.MEMBER], reason=REASON
        )
    with pytest.raises(Forbidden):
        system_use.suspend(
            actor=retailer.admin, organization=organization, systems=[System.SWITCHING], reason=REASON
        )
    assert not SystemUse.objects.exists()

    system_use.suspend(
        actor=admin,
        organization=organization,
        systems=[System.MEMBER, System.SWITCHING, System.CAPACITY],
        reason=REASON,
    )
    assert {use.system for use in SystemUse.objects.filter(state=UseState.SUSPENDED)} == {
        "member",
        "switching",
        "capacity",
    }
    refused = signed_in(member).get("/member/")
    assert refused.status_code == 403 and "会員情報管理システムの利用は" in refused.content.decode()
    with pytest.raises(InvalidTransition):
        system_use.suspend(actor=admin, organization=organization, systems=[System.SWITCHING], reason=REASON)
    system_use.lift_suspension(actor=admin, organization=organization, system="switching")
    with pytest.raises(InvalidTransition):
        system_use.lift_suspension(actor=admin, organization=organization, system="switching")
    assert use_of(organization.pk, System.SWITCHING) is None


def test_the_administrator_asks_to_end_the_contract_and_it_ends_when_staff_complete_it(
    retailer: Retailer, officer: User
) -> None:
    organization = retailer.organization
    with pytest.raises(Forbidden):
        system_use.request_termination(actor=retailer.user, system=System.SWITCHING, reason="事業撤退のため")
    with pytest.raises(ValidationFailed):
        system_use.request_termination(actor=retailer.admin, system=System.SWITCHING, reason="")
    system_use.request_termination(actor=retailer.admin, system=System.SWITCHING, reason="事業撤退のため")
    system_use.withdraw_termination(actor=retailer.admin, system=System.SWITCHING)
    assert SystemUse.objects.get().state == UseState.ACTIVE
    system_use.request_termination(actor=retailer.admin, system=System.SWITCHING, reason="事業撤退のため")
    # Asked, not ended: the participant still uses the system.
    assert ApiClient(retailer.token).get("/operators").status_code == 200

    use = system_use.complete_termination(actor=officer, organization=organization, system=System.SWITCHING)
    assert (use.state, use.ground) == (UseState.TERMINATED, "request")
    refused = ApiClient(retailer.token).get("/operators")
    assert refused.status_code == 403 and refused.json()["code"] == "participant_terminated"
    mailed = OutboxMessage.objects.get(subject__contains="利用契約の終了のお知らせ")
    assert mailed.to == ["admin@a.example.jp"] and "本システム利用者からの終了の申請" in mailed.body
    with pytest.raises(InvalidTransition):
        system_use.suspend(
            actor=officer, organization=organization, systems=[System.SWITCHING], reason=REASON
        )
    assert list(
        Event.objects.filter(action__startswith="use.").order_by("id").values_list("action", flat=True)
    ) == [
        "use.termination_request",
        "use.termination_withdraw",
        "use.termination_request",
        "use.terminate",
    ]


def test_staff_end_a_contract_only_on_a_ground_of_that_systems_terms(
    retailer: Retailer, officer: User
) -> None:
    organization = retailer.organization
    chief = StaffFactory(login_id="chief")
    with pytest.raises(ValidationFailed) as wrong:
        system_use.terminate(
            actor=chief, organization=organization, system=System.CAPACITY, ground="law_change", text="x"
        )
    assert wrong.value.field == "ground"
    with pytest.raises(ValidationFailed):
        system_use.terminate(
            actor=chief, organization=organization, system=System.MEMBER, ground="prohibited_act", text="x"
        )
    with pytest.raises(ValidationFailed) as no_text:
        system_use.terminate(
            actor=officer,
            organization=organization,
            system=System.SWITCHING,
            ground="prohibited_act",
            text="",
        )
    assert no_text.value.field == "text"
    assert not SystemUse.objects.exists()
    system_use.terminate(
        actor=officer,
        organization=organization,
        system=System.SWITCHING,
        ground="registration_revoked",
        text="2026年12月1日付で登録取消し",
    )
    use = SystemUse.objects.get()
    assert (use.state, use.ground, use.reason) == (
        "terminated",
        "registration_revoked",
        "2026年12月1日付で登録取消し",
    )
    event = Event.objects.get(action="use.terminate")
    assert event.detail["ground_label"] == "小売電気事業者の登録の取消しを受けた"


def test_retention_periods_follow_the_settings(settings: Any) -> None:
    settings.KOUIKI_RETENTION_USER_DATA_YEARS = 5
    settings.KOUIKI_RETENTION_PERSONAL_DATA_YEARS = 3
    settings.KOUIKI_RETENTION_USAGE_LOG_YEARS = 7
    ended = datetime(2028, 2, 29, 12, 0, tzinfo=JST)
    kept = {r.kind: r.until.isoformat() for r in system_use.retention(ended, System.SWITCHING)}
    assert kept == {"user_data": "2033-02-28", "personal_data": "2031-02-28", "usage_logs": "2035-02-28"}
    assert "personal_data" not in {r.kind for r in system_use.retention(ended, System.CAPACITY)}


def test_retention_due_lists_what_is_past_its_period_and_deletes_nothing(
    retailer: Retailer, officer: User
) -> None:
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    system_use.terminate(
        actor=officer,
        organization=retailer.organization,
        system=System.SWITCHING,
        ground="antisocial",
        text="判明",
    )
    out = StringIO()
    call_command("retention_due", stdout=out)
    assert out.getvalue().strip() == "保存期間が経過したデータはありません。"
    with time_machine.travel(timezone.now() + timedelta(days=365 * 4), tick=False):
        out = StringIO()
        call_command("retention_due", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "廃止取次データ" in lines[0] and "保存期間経過" in lines[0]
    assert SystemUse.objects.filter(state=UseState.TERMINATED).count() == 1
