"""Fixtures of the capacity market tests: the terms in force, a registered operator and its users."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kouiki.capacity.models import Operator
from kouiki.core.errors import NotFound
from kouiki.identity import services as identity_services
from kouiki.identity.models import User
from kouiki.terms import selectors as terms_selectors
from kouiki.terms.models import TermsDocument
from tests.capacity.helpers import capacity_user, registered_operator
from tests.factories import corporate_number


@pytest.fixture
def capacity_terms(db: None) -> TermsDocument:
    """容量市場システム利用規約 in force: the shipped one if loaded, else a version of our own."""
    try:
        return terms_selectors.current("capacity", "system_terms")
    except NotFound:
        document, _created = TermsDocument.objects.get_or_create(
            system="capacity",
            kind="system_terms",
            version="Ver. 1.0",
            defaults={
                "title": "容量市場システム利用規約",
                "body": "本利用規約は、"
                "容量市場システムの利用に関し、本システム利用者が遵守すべき事項を定める。",
                "effective_date": dt.date(2020, 2, 5),
                "published_at": timezone.now() - dt.timedelta(days=1),
            },
        )
        return document


@pytest.fixture
def operator(staff: User, capacity_terms: TermsDocument) -> Operator:
    return registered_operator(staff, capacity_terms)


ADMIN_PASSWORD = "Cap-admin1"


@pytest.fixture
def cap_admin(operator: Operator) -> User:
    """The operator's administrator, past its first login (the mailed password replaced)."""
    assert operator.administrator is not None
    return identity_services.complete_password_reset(user=operator.administrator, new_password=ADMIN_PASSWORD)


@pytest.fixture
def cap_user(operator: Operator) -> User:
    return capacity_user(operator)


@pytest.fixture
def other_operator(staff: User, capacity_terms: TermsDocument) -> Operator:
    return registered_operator(
        staff,
        capacity_terms,
        corporate_number=corporate_number("000012092088"),
        name="他社発電株式会社",
        name_kana="タシャハツデンカブシキガイシャ",
    )
