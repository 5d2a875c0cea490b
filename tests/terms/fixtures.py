"""The shipped terms documents, present even after a `transactional_db` flush emptied the tables."""

from __future__ import annotations

import pytest

from kouiki.terms.models import TermsDocument
from kouiki.terms.services.documents import load_shipped


@pytest.fixture
def member_documents(db: None) -> list[TermsDocument]:
    load_shipped(TermsDocument)
    return list(TermsDocument.objects.filter(system="member").order_by("kind"))
