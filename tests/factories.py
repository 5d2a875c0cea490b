"""factory-boy factories for the identity models (tests only; services create real data)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from kouiki.core.systems import Role, System
from kouiki.identity.choices import ParticipantKind, StaffRole, participant_username, staff_username
from kouiki.identity.models import AccountKind, Enrollment, Organization, PasswordHistory, User

PASSWORD = "Test-pass1"


def corporate_number(base12: str) -> str:
    """A 13-digit 法人番号 with a valid check digit for a 12-digit base."""
    digits = [int(c) for c in reversed(base12)]
    total = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(digits))
    return f"{9 - total % 9}{base12}"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    # 6000–6999, round and round: no test names a code there, and the suite makes more than a
    # thousand organizations (a 事業者コード has four digits).
    code = factory.Sequence(lambda n: f"{6000 + n % 1000:04d}")
    corporate_number = factory.Sequence(lambda n: corporate_number(f"{100000000000 + n:012d}"))
    name = factory.Sequence(lambda n: f"テスト電力{n}株式会社")
    name_kana = "テストデンリョクカブシキガイシャ"
    business_types = factory.LazyFunction(lambda: ["retail"])
    member_since = factory.LazyFunction(lambda: timezone.localdate())


class UserFactory(factory.django.DjangoModelFactory):
    """A participant's user enrolled in `system` with `role` (member system, user, by default)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    kind = AccountKind.PARTICIPANT
    organization = factory.SubFactory(OrganizationFactory)
    login_id = factory.Sequence(lambda n: f"u{n:05d}")
    username = factory.LazyAttribute(lambda o: participant_username(o.organization.code, o.login_id))
    department_title = "総務部 主任"
    last_name = "広域"
    first_name = "太郎"
    last_name_kana = "コウイキ"
    first_name_kana = "タロウ"
    email = factory.Sequence(lambda n: f"user{n}@example.co.jp")
    phone = "03-1234-5678"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # type: ignore[misc]
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            PasswordHistory.objects.create(user=obj, password=obj.password)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    kind = AccountKind.STAFF
    organization = None
    login_id = factory.Sequence(lambda n: f"staff{n}")
    username = factory.LazyAttribute(lambda o: staff_username(o.login_id))
    last_name = "機関"
    first_name = "職員"
    email = factory.Sequence(lambda n: f"staff{n}@occto.example.jp")
    # Every back-office role unless a test says otherwise (staff_roles=[...]).
    staff_roles = factory.LazyFunction(lambda: [role.value for role in StaffRole])

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # type: ignore[misc]
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            PasswordHistory.objects.create(user=obj, password=obj.password)


def participant(
    *,
    system: str = System.MEMBER,
    role: str = Role.USER,
    organization: Organization | None = None,
    **kwargs: Any,
) -> User:
    """A participant user enrolled in one system with one role."""
    if organization is not None:
        kwargs["organization"] = organization
    user = UserFactory(**kwargs)
    Enrollment.objects.create(user=user, system=system, role=role)
    return user


def dr_contractor_user(
    *,
    role: str = Role.USER,
    organization: Organization | None = None,
    **kwargs: Any,
) -> User:
    """A user of a demand-response contractor (需要抑制契約者) in the switching system (ADR 22)."""
    if organization is not None:
        kwargs["organization"] = organization
    user = UserFactory(**kwargs)
    Enrollment.objects.create(
        user=user, system=System.SWITCHING, role=role, participant_kind=ParticipantKind.DR_CONTRACTOR
    )
    return user
