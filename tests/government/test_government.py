"""Information to government agencies (X-G1): a request recorded by one member of the staff,
approved by another, its scope exported once as CSV — personal data only where the system's terms
allow it (capacity never) — every provision and download kept and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.capacity.models import Operator
from kouiki.capacity.services import sources
from kouiki.core import csvio
from kouiki.core.errors import Forbidden, InvalidTransition, ValidationFailed
from kouiki.core.systems import System
from kouiki.government import services
from kouiki.government.models import InformationRequest, ProvisionDownload
from kouiki.government.selectors import datasets
from kouiki.identity import access
from kouiki.identity.choices import StaffRole
from kouiki.identity.models import User
from kouiki.reviews import services as reviews
from kouiki.terms.models import TermsDocument
from tests.capacity.conftest import capacity_terms  # noqa: F401  (fixture)
from tests.capacity.helpers import AGGREGATE, CONTACT1, STABLE, capacity_user, registered_operator
from tests.factories import StaffFactory, corporate_number
from tests.switching.conftest import clock, operator_settings  # noqa: F401  (fixtures)
from tests.test_crawl import Links, display_problems

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


def admin_staff(login_id: str) -> User:
    return StaffFactory(login_id=login_id, staff_roles=[StaffRole.STAFF_ADMIN.value])


@pytest.fixture
def recorder(db: None) -> User:
    return admin_staff("recorder")


@pytest.fixture
def approver(db: None) -> User:
    return admin_staff("approver")


def staff_login(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    return client


def record(actor: User, **changes: Any) -> InformationRequest:
    values: dict[str, Any] = {
        "system": System.CAPACITY,
        "agency": "egc",
        "agency_name": "",
        "legal_basis": "電気事業法第105条",
        "purpose": "容量市場の監視",
        "dataset_keys": ["capacity.operators", "capacity.sources"],
        "period_start": dt.date(2000, 1, 1),
        "period_end": timezone.localdate(),
        "organization_codes": [],
        "received_on": timezone.localdate(),
        "reference_number": "20261207電委第1号",
        **changes,
    }
    return services.record_request(actor=actor, **values)


def approved(recorder: User, approver: User, **changes: Any) -> InformationRequest:
    return services.approve(actor=approver, request=record(recorder, **changes))


def csv_rows(data: bytes) -> list[tuple[str, ...]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    result = csvio.read_csv(data)
    return [row.cells for row in result.rows]


# --- capacity: never any personal data ------------------------------------------------------------

PERSONAL = {
    "representative_name": "容量 次郎",
    "representative_name_kana": "ヨウリョウ ジロウ",
}


@pytest.fixture
def capacity_market(staff: User, capacity_terms: TermsDocument) -> Operator:  # noqa: F811
    """An operator with users, contacts, an administrator and power sources (one aggregate of
    members), each person with a name, an e-mail and a phone."""
    operator = registered_operator(staff, capacity_terms)
    user = capacity_user(
        operator,
        last_name="個人",
        first_name="花子",
        last_name_kana="コジン",
        first_name_kana="ハナコ",
        email="hanako.kojin@capa-denki.example.jp",
        phone="090-1111-2222",
    )
    for values in (STABLE, AGGREGATE):
        application = sources.file_registration(actor=user, payload={**values, "owner_name": "所有 五郎"})
        reviews.approve(actor=staff, application=application)
    return operator


def test_a_capacity_export_never_contains_personal_data(
    capacity_market: Operator, recorder: User, approver: User
) -> None:
    operator = Operator.objects.select_related("administrator").get(pk=capacity_market.pk)
    admin = operator.administrator
    assert admin is not None
    user = User.objects.get(email="hanako.kojin@capa-denki.example.jp")
    personal = [
        operator.representative_name,
        operator.representative_name_kana,
        operator.contact1_name,
        operator.contact1_email,
        operator.contact1_phone,
        CONTACT1["name"],
        admin.last_name,
        admin.email,
        admin.phone,
        user.last_name,
        user.first_name,
        user.email,
        user.phone,
        "所有",  # a power source's owner
        STABLE["location"],
        STABLE["receiving_point_number"],
        *(member["name"] for member in AGGREGATE["members"]),
        *(member["point_number"] for member in AGGREGATE["members"]),
    ]
    request = approved(recorder, approver, dataset_keys=[d.key for d in datasets.of_system(System.CAPACITY)])
    provision = services.provide(actor=recorder, request=request)
    files = list(provision.files.all())
    assert {file.dataset for file in files} == {"capacity.operators", "capacity.sources"}
    assert provision.personal_data is False
    for file in files:
        text = bytes(file.data).decode("utf-8-sig")
        assert file.rows > 0
        for value in personal:
            assert value and value not in text, f"{value} in {file.dataset}"
    # What is there: the companies and their power sources.
    operators_csv = next(bytes(f.data) for f in files if f.dataset == "capacity.operators")
    assert csv_rows(operators_csv)[0][:2] == (operator.organization.code, operator.name)
    sources_csv = next(bytes(f.data) for f in files if f.dataset == "capacity.sources")
    assert len(csv_rows(sources_csv)) == 2


def test_no_data_set_of_switching_or_capacity_may_declare_a_personal_column() -> None:
    for dataset in datasets.DATASETS:
        if dataset.system != System.MEMBER:
            assert not dataset.personal
    with pytest.raises(ImproperlyConfigured):
        datasets.DataSet(
            "capacity.people",
            System.CAPACITY,
            "人",
            None,
            (datasets.Column("name", "氏名", personal=True),),
            lambda **_: iter(()),
        )


# --- two people -----------------------------------------------------------------------------------


def test_the_recorder_cannot_approve_or_reject_and_another_staff_member_can(
    recorder: User, approver: User
) -> None:
    request = record(recorder)
    with pytest.raises(Forbidden) as refused:
        services.approve(actor=recorder, request=request)
    assert "別の職員" in refused.value.message
    with pytest.raises(Forbidden):
        services.reject(actor=recorder, request=request, reason="重複")
    request.refresh_from_db()
    assert request.state == "recorded" and request.decided_by is None
    services.approve(actor=approver, request=request)
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == approver
    with pytest.raises(InvalidTransition):
        services.reject(actor=approver, request=request, reason="取消し")


def test_no_export_before_approval_nor_after_rejection_nor_twice(recorder: User, approver: User) -> None:
    request = record(recorder)
    with pytest.raises(InvalidTransition) as refused:
        services.provide(actor=recorder, request=request)
    assert refused.value.message == "承認されていない依頼の情報は提供できません。"
    rejected = services.reject(actor=approver, request=record(recorder), reason="根拠法令が不明確")
    with pytest.raises(InvalidTransition):
        services.provide(actor=approver, request=rejected)
    services.approve(actor=approver, request=request)
    services.provide(actor=recorder, request=request)
    with pytest.raises(InvalidTransition):
        services.provide(actor=recorder, request=request)
    assert InformationRequest.objects.get(pk=rejected.pk).rejection_reason == "根拠法令が不明確"


def test_only_staff_administrators_handle_requests(recorder: User) -> None:
    reviewer = StaffFactory(login_id="rev", staff_roles=[StaffRole.REVIEWER.value])
    with pytest.raises(Forbidden):
        record(reviewer)
    request = record(recorder)
    with pytest.raises(Forbidden):
        services.approve(actor=reviewer, request=request)


# --- the request's input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"agency": "anre"},
            "agency",
            "容量市場システムの提供先は経済産業省・電力・ガス取引監視等委員会・その他の国の機関のいずれかです。",
        ),
        (
            {"system": System.MEMBER, "agency": "meti", "dataset_keys": ["member.members"]},
            "agency",
            "会員情報管理システムの提供先は",
        ),
        ({"agency": "other"}, "agency_name", "その他の国の機関の名称を入力してください。"),
        ({"agency_name": "公正取引委員会"}, "agency_name", "「その他の国の機関」のときだけ"),
        ({"dataset_keys": ["member.members"]}, "datasets", "容量市場システムのデータを選択してください。"),
        ({"dataset_keys": []}, "datasets", "1つ以上"),
        (
            {"period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 1, 31)},
            "period_end",
            "開始日以降",
        ),
        ({"received_on": dt.date(2999, 1, 1)}, "received_on", "未来の日付"),
        (
            {"organization_codes": ["0001"]},
            "organization_codes",
            "登録されていない事業者コードがあります：0001",
        ),
    ],
)
def test_request_rules(recorder: User, changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        record(recorder, **changes)
    assert any(message in text for text in refused.value.errors[field]), refused.value.errors
    assert not InformationRequest.objects.exists()


def test_other_state_organ_is_named(recorder: User) -> None:
    request = record(recorder, agency="other", agency_name="公正取引委員会")
    assert request.agency_label == "公正取引委員会"


# --- the scope ------------------------------------------------------------------------------------


def test_the_export_holds_exactly_the_period_and_participants_asked(
    staff: User,
    capacity_terms: TermsDocument,  # noqa: F811
    recorder: User,
    approver: User,
) -> None:
    first = registered_operator(staff, capacity_terms)
    second = registered_operator(
        staff, capacity_terms, corporate_number=corporate_number("000012092088"), name="他社発電株式会社"
    )
    third = registered_operator(
        staff, capacity_terms, corporate_number=corporate_number("000012092077"), name="三社目電力株式会社"
    )
    zone = timezone.get_current_timezone()
    moments = {
        first: dt.datetime(2026, 4, 1, 0, 0, tzinfo=zone),  # the first moment of the period
        second: dt.datetime(2026, 6, 30, 23, 59, tzinfo=zone),  # its last day
        third: dt.datetime(2026, 7, 1, 0, 0, tzinfo=zone),  # the day after
    }
    for operator, moment in moments.items():
        Operator.objects.filter(pk=operator.pk).update(registered_at=moment)
    period = {"period_start": dt.date(2026, 4, 1), "period_end": dt.date(2026, 6, 30)}

    def codes(**changes: Any) -> list[str]:
        request = approved(recorder, approver, dataset_keys=["capacity.operators"], **period, **changes)
        provision = services.provide(actor=approver, request=request)
        return [row[0] for row in csv_rows(bytes(provision.files.get().data))]

    assert codes() == sorted([first.organization.code, second.organization.code])
    assert codes(organization_codes=[second.organization.code, third.organization.code]) == [
        second.organization.code
    ]


# --- member: personal data as its terms allow; switching: none -------------------------------------


def test_a_member_export_holds_the_personal_data_its_terms_allow(
    recorder: User, approver: User, member_admin: User
) -> None:
    from kouiki.membership.models import MemberProfile

    organization = member_admin.organization
    assert organization is not None
    MemberProfile.objects.create(
        organization=organization,
        corporate_number=organization.corporate_number,
        business_types=["retail"],
        name=organization.name,
        name_kana="カイイン",
        phone="03-0000-0000",
        representative_last_name="代表",
        representative_first_name="一郎",
        representative_last_name_kana="ダイヒョウ",
        representative_first_name_kana="イチロウ",
        representative_title="代表取締役",
        postal_code="1000005",
        address1="東京都千代田区丸の内1-1-1",
        administrator1=member_admin,
    )
    request = approved(
        recorder, approver, system=System.MEMBER, agency="anre", dataset_keys=["member.members"]
    )
    provision = services.provide(actor=approver, request=request)
    assert provision.personal_data is True
    (row,) = csv_rows(bytes(provision.files.get().data))
    assert row[0] == organization.code
    assert "代表 一郎" in row and member_admin.email in row


# --- the record: provision, downloads, audit, the screens ------------------------------------------


def test_the_screens_record_approve_provide_and_every_download_is_kept(
    client: Client, capacity_market: Operator, recorder: User, approver: User
) -> None:
    staff_login(client, recorder)
    assert "行政機関への情報提供" in client.get("/backoffice/").content.decode()
    form = {
        "system": "capacity",
        "agency": "meti",
        "agency_name": "",
        "reference_number": "20261207資第3号",
        "received_on": timezone.localdate().isoformat(),
        "legal_basis": "電気事業法第106条",
        "purpose": "供給力の確認",
        "datasets": ["capacity.sources"],
        "period_start": "2000-01-01",
        "period_end": timezone.localdate().isoformat(),
        "organization_codes": capacity_market.organization.code,
    }
    refused = client.post("/backoffice/government/new/", {**form, "received_on": "", "datasets": []})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "依頼の受付日を入力してください。" in page and "提供するデータを1つ以上選択してください。" in page
    response = client.post("/backoffice/government/new/", form)
    request = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/backoffice/government/{request.pk}/"
    assert "別の職員が行います" in client.get(f"/backoffice/government/{request.pk}/").content.decode()
    client.post(f"/backoffice/government/{request.pk}/approve/")
    assert InformationRequest.objects.get().state == "recorded"
    client.post(f"/backoffice/government/{request.pk}/provide/")
    assert not hasattr(InformationRequest.objects.get(), "provision")

    staff_login(client, approver)
    client.post(f"/backoffice/government/{request.pk}/approve/")
    client.post(f"/backoffice/government/{request.pk}/provide/")
    request.refresh_from_db()
    assert request.state == "provided"
    file = request.provision.files.get()
    url = f"/backoffice/government/{request.pk}/files/{file.pk}/"
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert first.content == second.content == bytes(file.data)
    assert hashlib.sha256(first.content).hexdigest() == file.sha256
    assert ProvisionDownload.objects.filter(file=file, downloaded_by=approver).count() == 2
    downloads = Event.objects.filter(action="government.download").order_by("pk")
    assert [event.detail["count"] for event in downloads] == [1, 2]
    provided = Event.objects.get(action="government.provide")
    assert provided.detail["files"] == [{"dataset": "capacity.sources", "rows": 2, "sha256": file.sha256}]
    assert provided.detail["approved_by"] == approver.username
    assert set(Event.objects.filter(action__startswith="government.").values_list("action", flat=True)) == {
        "government.request_record",
        "government.request_approve",
        "government.provide",
        "government.download",
    }
    listing = client.get("/backoffice/government/").content.decode()
    assert "20261207資第3号" in listing and "提供済み" in listing
    assert file.sha256 in client.get(f"/backoffice/government/{request.pk}/").content.decode()
    # The pages write dates, numbers and parentheses as every screen does.
    for url in (
        "/backoffice/government/",
        "/backoffice/government/new/",
        f"/backoffice/government/{request.pk}/",
    ):
        parser = Links()
        parser.feed(client.get(url).content.decode())
        assert display_problems(url, "".join(parser.text)) == []


def test_the_area_is_closed_to_staff_without_the_role(client: Client, recorder: User) -> None:
    request = record(recorder)
    reviewer = StaffFactory(login_id="rev", staff_roles=[StaffRole.REVIEWER.value])
    staff_login(client, reviewer)
    assert client.get("/backoffice/government/").status_code == 403
    assert client.get(f"/backoffice/government/{request.pk}/").status_code == 403
    assert "行政機関への情報提供" not in client.get("/backoffice/").content.decode()


def test_a_rejection_needs_a_reason(client: Client, recorder: User, approver: User) -> None:
    request = record(recorder)
    staff_login(client, approver)
    response = client.post(f"/backoffice/government/{request.pk}/reject/", {"reason": ""})
    assert "却下の理由を入力してください。" in response.content.decode()
    client.post(f"/backoffice/government/{request.pk}/reject/", {"reason": "根拠法令の記載がない"})
    request.refresh_from_db()
    assert request.state == "rejected" and request.rejection_reason == "根拠法令の記載がない"


# --- switching: no customer's or contact's personal data (seed 001 is silent: ADR 36) -------------


@pytest.mark.usefixtures("clock")
def test_a_switching_export_holds_no_personal_data_and_keeps_to_the_participants(
    recorder: User, approver: User
) -> None:
    from kouiki.switching.services import switches
    from tests.switching.conftest import CUSTOMER_ADDRESS, CUSTOMER_NAME, make_point, make_retailer

    new, current, other = (
        make_retailer("9101", "新電力A株式会社"),
        make_retailer("9102", "新電力B株式会社"),
        make_retailer("9103", "新電力C株式会社"),
    )
    point = make_point(current.organization, 1)
    filed = switches.register_cancel_forward(
        actor=new.user,
        supply_point_number=point,
        customer_name=CUSTOMER_NAME,
        customer_name_kana="コウイキ タロウ",
        customer_address=CUSTOMER_ADDRESS,
        building_name="広域ビル",
        contract_number="B-0001",
        new_contact_name="連絡 三郎",
        new_contact_phone="03-9999-0000",
    )
    keys = [d.key for d in datasets.of_system(System.SWITCHING)]
    request = approved(
        recorder,
        approver,
        system=System.SWITCHING,
        agency="anre",
        dataset_keys=keys,
        organization_codes=[new.code],
    )
    provision = services.provide(actor=approver, request=request)
    assert provision.personal_data is False
    texts = {file.dataset: bytes(file.data).decode("utf-8-sig") for file in provision.files.all()}
    assert set(texts) == set(keys)
    assert filed.reception_number in texts["switching.applications"]
    assert filed.switch is not None and filed.switch.number in texts["switching.switches"]
    for text in texts.values():
        for value in (
            CUSTOMER_NAME,
            "コウイキ",
            CUSTOMER_ADDRESS,
            "広域ビル",
            "B-0001",
            point,
            "連絡",
            "03-9999",
        ):
            assert value not in text
    # Another participant's scope holds none of these rows.
    request = approved(
        recorder,
        approver,
        system=System.SWITCHING,
        agency="egc",
        dataset_keys=keys,
        organization_codes=[other.code],
    )
    provision = services.provide(actor=approver, request=request)
    assert [file.rows for file in provision.files.all()] == [0, 0]
