"""Terms documents (X-T1): the shipped versions, the version in force, consents, the public page."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import NotFound, ValidationFailed
from kouiki.identity.models import User
from kouiki.terms import selectors, services
from kouiki.terms.choices import MEMBER_JOIN_DOCUMENTS
from kouiki.terms.models import Consent, TermsDocument
from kouiki.terms.selectors.rendering import blocks
from kouiki.terms.services.documents import SHIPPED, load_shipped
from tests.factories import OrganizationFactory
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]


def new_version(kind: str = "system_terms", **fields: object) -> TermsDocument:
    values: dict[str, object] = {
        "system": "member",
        "kind": kind,
        "version": "Ver. 2.0",
        "title": "会員情報管理システム利用規約",
        "body": "# 改定版\n\n改定後の本文。",
        "effective_date": timezone.localdate() + timedelta(days=30),
        "published_at": timezone.now(),
    }
    values.update(fields)
    return TermsDocument.objects.create(**values)


def test_the_member_system_documents_are_loaded_by_the_migration() -> None:
    documents = selectors.current_documents("member", MEMBER_JOIN_DOCUMENTS)
    assert [(d.kind, d.version) for d in documents] == [
        ("articles", "Ver. 1.0"),
        ("system_terms", "Ver. 1.1"),
        ("electronic_notice", "Ver. 1.0"),
    ]
    terms = documents[1]
    assert terms.title == "会員情報管理システム利用規約"
    assert terms.effective_date == dt.date(2021, 4, 23)
    assert "本システム利用契約" in terms.body
    assert "2.7. 利用の終了" in terms.body
    assert "定款第25条" in documents[2].body
    assert "電子メール" in documents[2].body
    assert "本機関が公表している" in documents[0].body


def test_loading_again_creates_nothing() -> None:
    assert load_shipped(TermsDocument) == 0
    assert TermsDocument.objects.count() == len(SHIPPED)


def test_the_switching_and_capacity_terms_are_loaded_by_the_migration() -> None:
    switching = selectors.current_terms("switching")
    assert (switching.title, switching.version) == ("スイッチング支援システム利用規約", "Ver. 3.2")
    assert switching.effective_date == dt.date(2024, 1, 20)
    assert "原則として 24 時間 365 日" in switching.body
    assert "### 4.1. 個人情報の共同利用" in switching.body
    capacity = selectors.current_terms("capacity")
    assert (capacity.title, capacity.version) == ("容量市場システム利用規約", "Ver. 1.0")
    assert capacity.effective_date == dt.date(2020, 2, 5)
    assert "9 時～18 時" in capacity.body
    assert "30日以内に本システム利用者にメールにて" in capacity.body
    # The cover memo that precedes the terms in seed 002 is not part of them.
    assert "運用細則に関する規程" not in capacity.body
    assert capacity.body.startswith("# **容量市場システム利用規約**")


def test_the_version_in_force_follows_the_effective_date() -> None:
    revised = new_version()
    assert selectors.current("member", "system_terms").version == "Ver. 1.1"
    assert selectors.current("member", "system_terms", on=revised.effective_date) == revised
    assert selectors.current(
        "member", "system_terms", on=revised.effective_date - timedelta(days=1)
    ).version == ("Ver. 1.1")


def test_an_unpublished_version_is_neither_in_force_nor_shown(client: Client) -> None:
    draft = new_version(effective_date=timezone.localdate(), published_at=None)
    assert selectors.current("member", "system_terms").version == "Ver. 1.1"
    with pytest.raises(NotFound):
        selectors.published_document(draft.pk)
    assert client.get(f"/terms/{draft.pk}/").status_code == 404


def test_no_document_is_not_found() -> None:
    with pytest.raises(NotFound):
        selectors.current("capacity", "articles")
    TermsDocument.objects.filter(system="capacity").delete()
    with pytest.raises(NotFound):
        selectors.current_terms("capacity")


def test_a_consent_records_the_version_the_time_and_the_address() -> None:
    document = selectors.current("member", "system_terms")
    organization = OrganizationFactory()
    consent = services.record_consent(document=document, organization=organization)
    assert consent.document == document
    assert consent.organization == organization
    assert abs((timezone.now() - consent.consented_at).total_seconds()) < 5
    event = Event.objects.get(action="terms.consent")
    assert event.detail == {"system": "member", "kind": "system_terms", "version": "Ver. 1.1"}
    assert event.organization_code == organization.code


def test_a_consent_names_its_party_and_only_a_published_version() -> None:
    document = selectors.current("member", "articles")
    with pytest.raises(ValidationFailed):
        services.record_consent(document=document)
    draft = new_version(published_at=None)
    with pytest.raises(ValidationFailed, match="公表されていない"):
        services.record_consent(document=draft, applicant_email="a@example.jp")
    assert not Consent.objects.exists()


def test_a_users_consent_is_audited_as_the_user(member_admin: User) -> None:
    document = selectors.current("member", "system_terms")
    services.record_consent(document=document, user=member_admin, organization=member_admin.organization)
    assert Event.objects.get(action="terms.consent").actor_id == member_admin.pk


def test_the_public_page_shows_the_version_in_force(client: Client) -> None:
    response = client.get("/terms/member/system_terms/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "会員情報管理システム利用規約" in page
    assert "Ver. 1.1" in page
    assert "2021/04/23" in page
    assert "<h4>1.1. 本利用規約の目的</h4>" in page
    assert '<th scope="col">業務名</th>' in page
    assert "&lt;a href" not in page and '<a href="https://www.occto.or.jp/">' not in page


def test_an_old_version_points_to_the_one_in_force(client: Client) -> None:
    old = selectors.current("member", "system_terms")
    new_version(effective_date=timezone.localdate() - timedelta(days=1))
    page = client.get(f"/terms/{old.pk}/").content.decode()
    assert "現在施行されている版ではありません" in page
    assert "Ver. 2.0" in page


def test_the_index_lists_every_systems_documents_in_force(client: Client) -> None:
    page = client.get("/terms/").content.decode()
    for title in (
        "会員情報管理システム利用規約",
        "スイッチング支援システム利用規約",
        "容量市場システム利用規約",
    ):
        assert title in page
    capacity = selectors.current_terms("capacity")
    assert f'href="/terms/{capacity.pk}/"' in page


def test_the_capacity_terms_page_renders_its_headings_and_tables(client: Client) -> None:
    page = client.get("/terms/capacity/system_terms/").content.decode()
    assert "<h4>1.3 本利用規約の変更</h4>" in page
    assert '<th scope="col">機能名</th>' in page
    switching = client.get("/terms/switching/system_terms/").content.decode()
    assert "<h3>1. 本利用規約の目的等</h3>" in switching
    assert "<h4>2.2.1 小売電気事業者たる本システム利用者が利用可能な機能</h4>" in switching


def test_a_version_published_before_its_effective_date_says_when_it_applies(client: Client) -> None:
    revised = new_version(effective_date=dt.date(2099, 4, 1), summary="2.2 本システムの機能を修正")
    page = client.get(f"/terms/{revised.pk}/").content.decode()
    assert "2099/04/01から施行されます" in page
    assert "2.2 本システムの機能を修正" in page


def test_an_unknown_document_is_not_found(client: Client) -> None:
    assert client.get("/terms/member/unknown/").status_code == 404
    assert client.get("/terms/nowhere/system_terms/").status_code == 404
    assert client.get("/terms/999999/").status_code == 404


def test_the_text_becomes_blocks_without_markup() -> None:
    text = (
        "# **表題**\n\n本文1行目\n本文2行目\n\n- 項目<b>1</b>\n- 項目2\n\n"
        "見出し\t説明\nA\tB\n---\n### 小見出し"
    )
    found = [(block.kind, block.level, block.lines, block.rows) for block in blocks(text)]
    assert found == [
        ("heading", 2, ["表題"], []),
        ("paragraph", 0, ["本文1行目", "本文2行目"], []),
        ("list", 0, ["項目1", "項目2"], []),
        ("table", 0, [], [["見出し", "説明"], ["A", "B"]]),
        ("heading", 4, ["小見出し"], []),
    ]


def test_attached_consents_belong_to_the_new_organization() -> None:
    from tests.membership.join_helpers import file_provisional

    application = file_provisional()
    organization = OrganizationFactory()
    assert services.attach_consents(actor=None, application=application, organization=organization) == 3
    assert set(Consent.objects.values_list("organization", flat=True)) == {organization.pk}
    assert services.attach_consents(actor=None, application=application, organization=organization) == 0
