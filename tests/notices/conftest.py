"""Fixtures of the notices tests: capacity-market participants of two organizations, a switching
administrator, staff, and uploads kept in a temporary MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kouiki.core.systems import Role, System
from kouiki.identity.models import Organization, User
from tests.factories import OrganizationFactory, participant


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def operator(db: None) -> Organization:
    return OrganizationFactory(code="9201", name="キャパシティ発電株式会社")


@pytest.fixture
def other_operator(db: None) -> Organization:
    return OrganizationFactory(code="9202", name="別電源株式会社")


@pytest.fixture
def cap_user(operator: Organization) -> User:
    return participant(organization=operator, system=System.CAPACITY, role=Role.USER, login_id="usr001")


@pytest.fixture
def cap_admin(operator: Organization) -> User:
    return participant(organization=operator, system=System.CAPACITY, role=Role.ADMIN, login_id="adm001")


@pytest.fixture
def other_cap_user(other_operator: Organization) -> User:
    return participant(organization=other_operator, system=System.CAPACITY, role=Role.USER, login_id="usr901")


@pytest.fixture
def switching_admin(db: None) -> User:
    return participant(system=System.SWITCHING, role=Role.ADMIN, login_id="swa001")
