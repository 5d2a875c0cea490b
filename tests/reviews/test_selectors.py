"""Reading applications: staff see every organization's, a participant only its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from kouiki.core.errors import Forbidden, NotFound
from kouiki.core.systems import Role
from kouiki.identity.models import User
from kouiki.reviews import selectors, services
from kouiki.reviews.models import State
from tests.factories import OrganizationFactory, participant
from tests.reviews.sample import PAYLOAD, bring_to


@pytest.fixture
def stranger(db: None) -> User:
    return participant(organization=OrganizationFactory(name="他社電力株式会社"), role=Role.ADMIN)


def test_another_organizations_application_is_not_found(
    member_admin: User, stranger: User, staff: User
) -> None:
    theirs = bring_to(State.SUBMITTED, applicant=stranger, staff=staff)
    ours = bring_to(State.SUBMITTED, applicant=member_admin, staff=staff)
    with pytest.raises(NotFound):
        selectors.application_for(actor=member_admin, pk=theirs.pk)
    assert selectors.application_for(actor=member_admin, pk=ours.pk) == ours
    assert list(selectors.applications_for(actor=member_admin)) == [ours]
    with pytest.raises(NotFound):
        selectors.application_for(actor=member_admin, pk=10**9)


def test_every_user_of_the_organization_sees_its_applications(member_admin: User, member_user: User) -> None:
    application = services.create_draft(actor=member_admin, kind="test.sample", payload=PAYLOAD)
    assert selectors.application_for(actor=member_user, pk=application.pk) == application


def test_staff_see_any_application_but_have_no_list_of_their_own(member_admin: User, staff: User) -> None:
    application = bring_to(State.DRAFT, applicant=member_admin, staff=staff)
    assert selectors.application_for(actor=staff, pk=application.pk) == application
    with pytest.raises(Forbidden):
        selectors.applications_for(actor=staff)


def test_participants_have_no_review_queue(member_admin: User) -> None:
    with pytest.raises(Forbidden):
        selectors.review_queue(actor=member_admin)


def test_applications_for_filters_by_kind_state_and_day(member_admin: User, staff: User) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=10)):
        old = bring_to(State.APPROVED, applicant=member_admin, staff=staff)
    new = bring_to(State.DRAFT, applicant=member_admin, staff=staff)
    restricted = bring_to(State.DRAFT, applicant=member_admin, staff=staff, kind="test.restricted")
    today = timezone.localdate()
    assert list(selectors.applications_for(actor=member_admin)) == [restricted, new, old]
    assert list(selectors.applications_for(actor=member_admin, kind="test.sample")) == [new, old]
    assert list(selectors.applications_for(actor=member_admin, state=State.APPROVED)) == [old]
    assert list(selectors.applications_for(actor=member_admin, date_from=today - timedelta(days=1))) == [
        restricted,
        new,
    ]
    assert list(selectors.applications_for(actor=member_admin, date_to=today - timedelta(days=10))) == [old]


def test_the_queue_serves_the_oldest_waiting_first(member_admin: User, stranger: User, staff: User) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=3)):
        first = bring_to(State.SUBMITTED, applicant=stranger, staff=staff)
    with time_machine.travel(now - timedelta(hours=2)):
        held = bring_to(State.ON_HOLD, applicant=member_admin, staff=staff)
    with time_machine.travel(now - timedelta(hours=1)):
        second = bring_to(State.RESUBMITTED, applicant=member_admin, staff=staff)
    draft = bring_to(State.DRAFT, applicant=member_admin, staff=staff)

    assert list(selectors.review_queue(actor=staff, state=selectors.PENDING)) == [first, second]
    assert list(selectors.review_queue(actor=staff, state=State.ON_HOLD)) == [held]
    assert set(selectors.review_queue(actor=staff)) == {first, held, second, draft}
    assert list(selectors.review_queue(actor=staff, query="他社")) == [first]
    assert list(selectors.review_queue(actor=staff, query=stranger.organization.code)) == [first]  # type: ignore[union-attr]
    assert list(selectors.review_queue(actor=staff, query=second.reception_number)) == [second]
    assert list(selectors.review_queue(actor=staff, kind="test.restricted")) == []


def test_a_guest_finds_its_application_by_reception_number_and_email(db: None, member_admin: User) -> None:
    guest = services.Guest(email="kanri1@example.co.jp")
    application = services.create_draft(actor=guest, kind="test.sample", payload=PAYLOAD)
    found = selectors.application_by_reception(
        reception_number=f" {application.reception_number.lower()} ", email="Kanri1@Example.co.jp"
    )
    assert found == application
    with pytest.raises(NotFound, match="受付番号またはメールアドレス"):
        selectors.application_by_reception(
            reception_number=application.reception_number, email="x@example.co.jp"
        )
    members = services.create_draft(actor=member_admin, kind="test.sample", payload=PAYLOAD)
    with pytest.raises(NotFound):
        selectors.application_by_reception(
            reception_number=members.reception_number, email=member_admin.email
        )


def test_stale_applications_are_the_expiry_jobs_work(member_admin: User, staff: User) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=400)):
        stale = bring_to(State.DRAFT, applicant=member_admin, staff=staff)
        bring_to(State.SUBMITTED, applicant=member_admin, staff=staff)
    bring_to(State.DRAFT, applicant=member_admin, staff=staff)
    assert list(
        selectors.stale_applications(kind="test.sample", created_before=now - timedelta(days=365))
    ) == [stale]
