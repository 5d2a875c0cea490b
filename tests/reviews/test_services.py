"""The review workflow: every transition allowed or refused, who may act, and what each act leaves."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from kouiki.audit.choices import Action
from kouiki.audit.models import Event
from kouiki.core.errors import Conflict, Forbidden, InvalidTransition, KouikiError, NotFound, ValidationFailed
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity.models import Organization, User
from kouiki.reviews import services
from kouiki.reviews.models import Application, State, Transition
from kouiki.reviews.services import registry
from tests.factories import OrganizationFactory, participant
from tests.reviews.sample import APPLIED, PAYLOAD, REASON, bring_to


@pytest.fixture
def applicant(member_admin: User) -> User:
    return member_admin


def perform(act: str, application: Application, *, applicant: User, staff: User) -> Application:
    """Do `act` as the side that does it: the applicant, the reviewer or the system."""
    if act == "submit":
        return services.submit(actor=applicant, application=application)
    if act == "resubmit":
        return services.resubmit(actor=applicant, application=application)
    if act == "update":
        return services.update_payload(actor=applicant, application=application, payload=PAYLOAD)
    if act == "withdraw":
        return services.withdraw(actor=applicant, application=application)
    if act == "expire":
        return services.expire(application=application)
    decide: Callable[..., Application] = getattr(services, act)
    return decide(actor=staff, application=application, reason=REASON)


ALL_ACTS = [*services.TRANSITIONS, "update"]


def allowed(act: str, state: State) -> bool:
    if act == "update":
        return state in services.EDITABLE_STATES
    return state in services.TRANSITIONS[act][0]


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("act", ALL_ACTS)
def test_every_act_from_every_state_is_allowed_or_refused(
    act: str, state: State, applicant: User, staff: User
) -> None:
    application = bring_to(state, applicant=applicant, staff=staff)
    history = application.transitions.count()
    if allowed(act, state):
        changed = perform(act, application, applicant=applicant, staff=staff)
        expected = state if act == "update" else services.TRANSITIONS[act][1]
        assert changed.state == expected
        assert changed.version == application.version + 1
        last = changed.transitions.last()
        assert last is not None
        assert (last.action, last.from_state, last.to_state) == (act, state, expected)
    else:
        with pytest.raises(InvalidTransition) as refused:
            perform(act, application, applicant=applicant, staff=staff)
        assert f"「{state.label}」" in refused.value.message
        application.refresh_from_db()
        assert application.state == state
        assert application.transitions.count() == history


def test_the_allowed_transitions_are_the_documented_diagram() -> None:
    table = {
        act: ({str(s) for s in sources}, str(target))
        for act, (sources, target) in services.TRANSITIONS.items()
    }
    assert table == {
        "submit": ({"draft"}, "submitted"),
        "resubmit": ({"on_hold", "rejected"}, "resubmitted"),
        "hold": ({"submitted", "resubmitted"}, "on_hold"),
        "reject": ({"submitted", "resubmitted", "on_hold"}, "rejected"),
        "approve": ({"submitted", "resubmitted", "on_hold"}, "approved"),
        "withdraw": ({"draft", "submitted", "resubmitted", "on_hold"}, "withdrawn"),
        "expire": ({"draft", "on_hold", "rejected"}, "expired"),
    }


@pytest.mark.parametrize("state", list(State))
def test_allowed_acts_are_the_acts_the_services_accept(state: State) -> None:
    assert services.allowed_acts(state.value) == {act for act in ALL_ACTS if allowed(act, state)}
    assert all(services.may(act, state.value) == allowed(act, state) for act in ALL_ACTS)


def test_the_groups_of_states_other_apps_ask() -> None:
    assert {"submitted", "resubmitted"} == services.PENDING
    assert {"submitted", "resubmitted", "on_hold"} == services.UNDECIDED
    # Open (it blocks another application on the same object): what the applicant may still withdraw.
    assert {"draft", "submitted", "resubmitted", "on_hold"} == services.OPEN
    assert {state for state in State if services.may("withdraw", state)} == services.OPEN
    assert {state for state in State if not services.allowed_acts(state)} == services.FINAL
    assert {state.value: services.filing_act(state) for state in State if services.filing_act(state)} == {
        "draft": "submit",
        "on_hold": "resubmit",
        "rejected": "resubmit",
    }


def test_create_draft_issues_sequential_reception_numbers(applicant: User) -> None:
    first = services.create_draft(actor=applicant, kind="test.sample", payload=PAYLOAD)
    second = services.create_draft(actor=applicant, kind="test.sample", payload=PAYLOAD)
    other_kind = services.create_draft(actor=applicant, kind="test.restricted", payload={})
    assert re.fullmatch(r"T\d{4}-000001", first.reception_number)
    assert re.fullmatch(r"T\d{4}-000002", second.reception_number)
    assert re.fullmatch(r"TR\d{4}-000001", other_kind.reception_number)
    assert first.state == State.DRAFT
    assert first.organization == applicant.organization
    assert first.applicant == applicant
    assert first.applicant_email == applicant.email
    assert first.subject == "広域電力株式会社"
    assert Event.objects.filter(action="review.create", object_id=str(first.pk)).count() == 1
    assert not OutboxMessage.objects.exists()


def test_a_guest_files_without_an_organization(db: None) -> None:
    guest = services.Guest(email="kanri1@example.co.jp")
    application = services.create_draft(actor=guest, kind="test.sample", payload=PAYLOAD)
    assert application.organization is None
    assert application.applicant is None
    assert application.applicant_email == "kanri1@example.co.jp"
    submitted = services.submit(actor=services.Guest(email="KANRI1@example.co.jp"), application=application)
    assert submitted.state == State.SUBMITTED
    assert submitted.transitions.last().actor_label == "申請者 KANRI1@example.co.jp"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        services.withdraw(actor=services.Guest(email="someone@example.co.jp"), application=application)


def test_staff_and_the_system_do_not_file(staff: User, db: None) -> None:
    with pytest.raises(Forbidden):
        services.create_draft(actor=staff, kind="test.sample", payload=PAYLOAD)
    with pytest.raises(Forbidden):
        services.create_draft(actor=None, kind="test.sample", payload=PAYLOAD)  # type: ignore[arg-type]


def test_an_unknown_kind_is_a_programming_error(applicant: User) -> None:
    with pytest.raises(LookupError, match=r"test\.unknown"):
        services.create_draft(actor=applicant, kind="test.unknown", payload={})


def test_the_catalog_function_limits_who_files_a_kind(member_admin: User, member_user: User) -> None:
    with pytest.raises(Forbidden):
        services.create_draft(actor=member_user, kind="test.restricted", payload={})
    application = services.create_draft(actor=member_admin, kind="test.restricted", payload={})
    with pytest.raises(Forbidden):
        services.submit(actor=member_user, application=application)
    assert services.submit(actor=member_admin, application=application).state == State.SUBMITTED


def test_another_user_of_the_organization_acts_on_its_application(
    member_admin: User, member_user: User
) -> None:
    application = services.create_draft(actor=member_admin, kind="test.sample", payload=PAYLOAD)
    assert services.submit(actor=member_user, application=application).state == State.SUBMITTED


def test_another_organization_never_learns_the_application_exists(applicant: User, staff: User) -> None:
    stranger = participant(organization=OrganizationFactory(), role=Role.ADMIN)
    application = bring_to(State.ON_HOLD, applicant=applicant, staff=staff)
    for act in ("resubmit", "update", "withdraw"):
        with pytest.raises(NotFound):
            perform(act, application, applicant=stranger, staff=staff)


@pytest.mark.parametrize("act", services.DECISIONS)
def test_only_staff_decide(act: str, applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    with pytest.raises(Forbidden):
        perform(act, application, applicant=applicant, staff=applicant)
    with pytest.raises(Forbidden):
        perform(act, application, applicant=applicant, staff=None)  # type: ignore[arg-type]


def test_staff_do_not_act_for_the_applicant(applicant: User, staff: User) -> None:
    application = bring_to(State.ON_HOLD, applicant=applicant, staff=staff)
    with pytest.raises(Forbidden):
        services.resubmit(actor=staff, application=application)


def test_only_the_system_or_staff_expire(applicant: User, staff: User) -> None:
    application = bring_to(State.DRAFT, applicant=applicant, staff=staff)
    with pytest.raises(Forbidden):
        services.expire(actor=applicant, application=application)
    assert services.expire(actor=staff, application=application).state == State.EXPIRED


@pytest.mark.parametrize(("act", "word"), [("hold", "保留"), ("reject", "却下")])
@pytest.mark.parametrize("reason", ["", "  \n "])
def test_hold_and_reject_need_a_reason(
    act: str, word: str, reason: str, applicant: User, staff: User
) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    with pytest.raises(ValidationFailed) as refused:
        getattr(services, act)(actor=staff, application=application, reason=reason)
    assert refused.value.errors == {"reason": [f"{word}の理由を入力してください。"]}
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_approval_needs_no_reason(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    approved = services.approve(actor=staff, application=application)
    assert approved.state == State.APPROVED
    assert approved.decided_by == staff
    assert approved.decided_at is not None
    assert approved.decision_reason == ""


@pytest.mark.parametrize(
    ("act", "subject_word", "body_word"),
    [("hold", "保留", "保留理由"), ("reject", "却下", "却下理由"), ("approve", "承認", "承認")],
)
def test_each_decision_is_audited_and_mailed(
    act: str, subject_word: str, body_word: str, applicant: User, staff: User
) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    mails_before = OutboxMessage.objects.count()
    decided = perform(act, application, applicant=applicant, staff=staff)

    event = Event.objects.get(action=f"review.{act}")
    assert event.actor_id == staff.pk
    assert event.object_id == str(decided.pk)
    assert event.organization_code == applicant.organization.code  # type: ignore[union-attr]
    assert event.detail["reason"] == REASON
    assert event.detail["reception_number"] == decided.reception_number

    assert OutboxMessage.objects.count() == mails_before + 1
    mail = OutboxMessage.objects.order_by("-id").first()
    assert mail is not None
    assert mail.to == [applicant.email]
    assert decided.reception_number in mail.subject
    assert subject_word in mail.subject
    assert body_word in mail.body
    assert REASON in mail.body
    assert "テスト申請" in mail.body


def test_submission_and_resubmission_are_mailed_too(applicant: User, staff: User) -> None:
    application = bring_to(State.RESUBMITTED, applicant=applicant, staff=staff)
    subjects = list(OutboxMessage.objects.order_by("id").values_list("subject", flat=True))
    assert len(subjects) == 3
    assert "を受け付けました" in subjects[0]
    assert "保留" in subjects[1]
    assert "再申請を受け付けました" in subjects[2]
    assert all(application.reception_number in subject for subject in subjects)


def test_a_type_may_send_its_own_approval_mail_instead(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff, kind="test.silent")
    before = OutboxMessage.objects.count()
    services.approve(actor=staff, application=application)
    assert OutboxMessage.objects.count() == before
    assert Event.objects.filter(action="review.approve").exists()


def test_approval_applies_once(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    services.approve(actor=staff, application=application)
    with pytest.raises(InvalidTransition):
        services.approve(actor=staff, application=application)
    assert Event.objects.filter(action=APPLIED, object_id=str(application.pk)).count() == 1


def test_a_failing_apply_hook_rolls_the_approval_back(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff, kind="test.failing")
    mails = OutboxMessage.objects.count()
    transitions = Transition.objects.count()
    with pytest.raises(ValidationFailed, match="重複"):
        services.approve(actor=staff, application=application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert application.decided_at is None
    assert application.decided_by is None
    assert Transition.objects.count() == transitions
    assert OutboxMessage.objects.count() == mails
    assert not Event.objects.filter(action__in=[Action.REVIEW_APPROVE, APPLIED]).exists()


def test_submit_validates_the_payload(applicant: User) -> None:
    application = services.create_draft(actor=applicant, kind="test.sample", payload={"name": " "})
    with pytest.raises(ValidationFailed) as refused:
        services.submit(actor=applicant, application=application)
    assert refused.value.errors == {"name": ["会社名を入力してください。"]}
    application.refresh_from_db()
    assert (application.state, application.version) == (State.DRAFT, 1)

    submitted = services.submit(actor=applicant, application=application, payload={"name": " 新電力 "})
    assert submitted.payload == {"name": "新電力"}
    assert submitted.subject == "新電力"
    assert submitted.submitted_at is not None


def test_resubmit_after_rejection_with_corrections_is_reviewed_afresh(applicant: User, staff: User) -> None:
    application = bring_to(State.REJECTED, applicant=applicant, staff=staff)
    assert application.decision_reason == REASON
    corrected = services.resubmit(
        actor=applicant, application=application, payload={**PAYLOAD, "phone": "03-0000-0000"}
    )
    assert corrected.state == State.RESUBMITTED
    assert corrected.payload["phone"] == "03-0000-0000"
    assert corrected.reception_number == application.reception_number
    assert (corrected.decided_at, corrected.decided_by, corrected.decision_reason) == (None, None, "")
    steps = list(corrected.transitions.values_list("action", "to_state", "reason"))
    assert steps == [
        ("create", "draft", ""),
        ("submit", "submitted", ""),
        ("reject", "rejected", REASON),
        ("resubmit", "resubmitted", ""),
    ]


def test_an_edit_while_waiting_is_validated_at_once(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    with pytest.raises(ValidationFailed):
        services.update_payload(actor=applicant, application=application, payload={"name": ""})
    edited = services.update_payload(actor=applicant, application=application, payload={"name": "改称電力"})
    assert (edited.state, edited.payload, edited.version) == (State.SUBMITTED, {"name": "改称電力"}, 3)


def test_an_edit_on_hold_waits_for_the_resubmission(applicant: User, staff: User) -> None:
    application = bring_to(State.ON_HOLD, applicant=applicant, staff=staff)
    edited = services.update_payload(actor=applicant, application=application, payload={"name": ""})
    assert edited.state == State.ON_HOLD
    with pytest.raises(ValidationFailed):
        services.resubmit(actor=applicant, application=edited)


def test_a_reviewer_cannot_decide_on_a_version_it_did_not_see(applicant: User, staff: User) -> None:
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff)
    seen = application.version
    services.update_payload(actor=applicant, application=application, payload={"name": "差し替え電力"})
    with pytest.raises(Conflict) as refused:
        services.approve(actor=staff, application=application, expected_version=seen)
    assert refused.value.code == "stale_version"
    assert (
        services.approve(actor=staff, application=application, expected_version=seen + 1).state == "approved"
    )


def test_withdrawal_is_mailed_and_final(applicant: User, staff: User) -> None:
    application = bring_to(State.ON_HOLD, applicant=applicant, staff=staff)
    withdrawn = services.withdraw(actor=applicant, application=application, reason="事業計画の見直しのため")
    assert withdrawn.state == State.WITHDRAWN
    mail = OutboxMessage.objects.order_by("-id").first()
    assert mail is not None and "取下げ" in mail.subject and "事業計画の見直しのため" in mail.body
    with pytest.raises(InvalidTransition):
        services.resubmit(actor=applicant, application=withdrawn)


def test_registry_refuses_a_second_type_under_the_same_key() -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.ApplicationType(key="test.sample", name="別の型"))
    with pytest.raises(ValueError, match="prefix"):
        registry.ApplicationType(key="test.bad", name="不正", prefix="a1")


def test_the_default_diff_compares_the_registered_values(applicant: User) -> None:
    application = services.create_draft(
        actor=applicant,
        kind="test.sample",
        payload={"name": "新社名電力", "phone": "03-1234-5678"},
        current={"name": "旧社名電力", "phone": "03-1234-5678"},
    )
    assert registry.get("test.sample").differences(application) == [("会社名", "旧社名電力", "新社名電力")]
    assert registry.get("test.sample").rows(application.payload) == [
        ("会社名", "新社名電力"),
        ("代表電話番号", "03-1234-5678"),
    ]


# --- concurrency (PostgreSQL: SQLite serializes every write anyway) ------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are exercised on PostgreSQL"
)


def _race(*acts: Callable[[], Any]) -> list[Any]:
    """Run the acts at the same moment in threads; each result is the return value or the error."""
    barrier = threading.Barrier(len(acts))
    results: list[Any] = [None] * len(acts)

    def run(index: int, act: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = act()
        except KouikiError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@postgresql_only
def test_of_a_concurrent_approve_and_reject_only_one_wins(
    transactional_db: None, organization: Organization, staff: User
) -> None:
    applicant = participant(organization=organization, role=Role.ADMIN)
    application = bring_to(State.SUBMITTED, applicant=applicant, staff=staff, kind="test.slow")
    other_staff = User.objects.get(pk=staff.pk)

    results = _race(
        lambda: services.approve(actor=staff, application=application),
        lambda: services.reject(actor=other_staff, application=application, reason=REASON),
    )

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, InvalidTransition)]
    assert (len(winners), len(losers)) == (1, 1), results
    application.refresh_from_db()
    assert application.state == winners[0].state
    decisions = Transition.objects.filter(application=application, action__in=["approve", "reject"])
    assert decisions.count() == 1
    applied = Event.objects.filter(action=APPLIED).count()
    assert applied == (1 if application.state == State.APPROVED else 0)
    assert Event.objects.filter(action__in=["review.approve", "review.reject"]).count() == 1


@postgresql_only
def test_concurrent_filings_get_distinct_reception_numbers(
    transactional_db: None, organization: Organization
) -> None:
    applicant = participant(organization=organization, role=Role.ADMIN)
    results = _race(
        *[
            lambda: services.create_draft(actor=applicant, kind="test.sample", payload=PAYLOAD)
            for _ in range(6)
        ]
    )
    assert all(isinstance(r, Application) for r in results), results
    numbers = sorted(r.reception_number[-6:] for r in results)
    assert numbers == [f"{n:06d}" for n in range(1, 7)]
