"""Shared fixtures: organizations, users and staff, through factories in tests/factories.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from kouiki.core import events, maintenance
from kouiki.core.systems import Role
from kouiki.identity import access
from kouiki.identity.models import Organization, User
from tests.factories import OrganizationFactory, StaffFactory, participant


@pytest.fixture(autouse=True)
def _nothing_cached_of_another_test() -> None:
    """The stops (X-S1) and the callback endpoints are cached per process under generations the
    database cache keeps across a transactional test's flush: each test starts without another's."""
    maintenance.forget()
    events.forget_endpoints()


@pytest.fixture
def organization(db: None) -> Organization:
    return OrganizationFactory()


@pytest.fixture
def member_admin(organization: Organization) -> User:
    return participant(organization=organization, role=Role.ADMIN, login_id="adm001")


@pytest.fixture
def member_user(organization: Organization) -> User:
    return participant(organization=organization, login_id="usr001")


@pytest.fixture
def staff(db: None) -> User:
    return StaffFactory(login_id="reviewer")


@pytest.fixture
def staff_client(client: Client, staff: User) -> Client:
    """A client logged in to the back office as `staff` (password and second factor passed)."""
    client.force_login(staff)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    return client


@pytest.fixture
def frozen_minute() -> Iterator[None]:
    """Rate limits count per fixed one-minute window: hold the clock still inside one."""
    with time_machine.travel(timezone.localtime().replace(second=5), tick=False):
        yield
