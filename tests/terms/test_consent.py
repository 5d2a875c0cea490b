"""X-T1: the consent box an application form embeds (the capacity market's operator application and
others): the version in force shown, 「本利用規約に同意する」, and the consent recorded with the version
the screen showed."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.errors import ValidationFailed
from kouiki.terms import selectors, services
from kouiki.terms.forms import TermsConsentForm
from kouiki.terms.models import Consent, TermsDocument
from tests.factories import OrganizationFactory
from tests.terms.fixtures import member_documents  # noqa: F401

pytestmark = [pytest.mark.usefixtures("member_documents")]


def test_the_consent_box_shows_the_version_in_force_and_its_text() -> None:
    document = selectors.current_terms("capacity")
    form = TermsConsentForm(document=document, prefix="terms")
    html = Template('{% include "terms/_consent.html" with consent_form=form %}').render(
        Context({"form": form})
    )
    assert f'href="/terms/{document.pk}/"' in html
    assert "容量市場システム利用規約（Ver. 1.0、2020/02/05施行）" in html
    assert "<details>" in html and "本利用規約の変更" in html
    assert 'type="checkbox" name="terms-agree"' in html
    assert f'name="terms-document_id" value="{document.pk}"' in html
    assert "本利用規約に同意する" in html


def test_the_box_must_be_ticked() -> None:
    document = selectors.current_terms("capacity")
    form = TermsConsentForm({"document_id": str(document.pk)}, document=document)
    assert not form.is_valid()
    assert form.errors["agree"] == ["「容量市場システム利用規約」に同意してください。"]
    ticked = TermsConsentForm({"agree": "on", "document_id": str(document.pk)}, document=document)
    assert ticked.is_valid()
    assert ticked.shown_document_id() == document.pk


def test_a_box_ticked_for_a_version_revised_since_comes_back_unticked_with_the_new_version() -> None:
    document = selectors.current_terms("capacity")
    form = TermsConsentForm(
        {"terms-agree": "on", "terms-document_id": "999999"}, document=document, prefix="terms"
    )
    assert not form.is_valid()
    assert "改定されました" in form.errors["agree"][0]
    html = Template('{% include "terms/_consent.html" with consent_form=form %}').render(
        Context({"form": form})
    )
    assert f'name="terms-document_id" value="{document.pk}"' in html


def test_an_applicants_consent_records_the_version_the_address_and_the_time() -> None:
    document = selectors.current_terms("capacity")
    consent = services.consent_to_current_terms(
        system="capacity", shown_document_id=document.pk, applicant_email=" cap@example.jp "
    )
    assert consent.document == document
    assert consent.applicant_email == "cap@example.jp"
    assert abs((timezone.now() - consent.consented_at).total_seconds()) < 5
    event = Event.objects.get(action="terms.consent")
    assert event.detail == {"system": "capacity", "kind": "system_terms", "version": "Ver. 1.0"}
    assert event.actor_label == "cap@example.jp"


def test_a_users_consent_names_the_user_and_its_organization(member_admin: object) -> None:
    organization = OrganizationFactory()
    consent = services.consent_to_current_terms(
        system="switching", shown_document_id=None, organization=organization
    )
    assert consent.document.version == "Ver. 3.2"
    assert consent.organization == organization


def test_a_revision_that_came_into_force_meanwhile_is_read_first() -> None:
    shown = selectors.current_terms("capacity")
    TermsDocument.objects.create(
        system="capacity",
        kind="system_terms",
        version="Ver. 1.1",
        title="容量市場システム利用規約",
        body="改定版",
        effective_date=timezone.localdate(),
        published_at=timezone.now(),
    )
    with pytest.raises(ValidationFailed, match="改定されました") as raised:
        services.consent_to_current_terms(
            system="capacity", shown_document_id=shown.pk, applicant_email="a@b.jp"
        )
    assert raised.value.code == "terms_revised"
    assert "agree" in raised.value.errors
    assert not Consent.objects.exists()
