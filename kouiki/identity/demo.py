"""Identity's demo data (README, Demo accounts): idempotent, registered with kouiki.core.demo."""

from __future__ import annotations

from datetime import date
from typing import Any

from kouiki.core.japanese import corporate_number_check_digit
from kouiki.core.systems import Role, System
from kouiki.identity.choices import participant_username, staff_username
from kouiki.identity.models import AccountKind, Duty, Enrollment, Organization, PasswordHistory, User

DEMO_PASSWORD = "Demo-pass1"


def demo_corporate_number(base12: str) -> str:
    return f"{corporate_number_check_digit(base12)}{base12}"


def load() -> int:
    """The member 広域電力株式会社 (9001) with adm001 and usr001, and the reviewer."""
    created = 0
    organization, new = Organization.objects.get_or_create(
        code="9001",
        defaults={
            "corporate_number": demo_corporate_number("000012050001"),
            "name": "広域電力株式会社",
            "name_kana": "コウイキデンリョクカブシキガイシャ",
            "business_types": ["retail"],
            "member_since": date(2015, 4, 1),
        },
    )
    created += new
    created += _participant(
        organization,
        "adm001",
        Role.ADMIN,
        last_name="広域",
        first_name="一郎",
        last_name_kana="コウイキ",
        first_name_kana="イチロウ",
        department_title="総務部　課長",
        email="adm001@koiki-denryoku.example.jp",
        duties=[d.value for d in Duty],
    )
    created += _participant(
        organization,
        "usr001",
        Role.USER,
        last_name="広域",
        first_name="花子",
        last_name_kana="コウイキ",
        first_name_kana="ハナコ",
        department_title="総務部　主任",
        email="usr001@koiki-denryoku.example.jp",
        duties=[Duty.ASSEMBLY.value, Duty.FEES.value],
    )
    if not User.objects.filter(username=staff_username("reviewer")).exists():
        reviewer = User(
            username=staff_username("reviewer"),
            login_id="reviewer",
            kind=AccountKind.STAFF,
            last_name="審査",
            first_name="担当",
            email="reviewer@occto.example.jp",
            password_expiry_exempt=True,
        )
        _set_password(reviewer)
        created += 1
    return created


def _set_password(user: User) -> None:
    user.set_password(DEMO_PASSWORD)
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password)


def _participant(organization: Organization, login_id: str, role: str, **profile: Any) -> int:
    username = participant_username(organization.code, login_id)
    if User.objects.filter(username=username).exists():
        return 0
    user = User(
        username=username,
        organization=organization,
        login_id=login_id,
        phone="03-1234-5678",
        password_expiry_exempt=True,
        **profile,
    )
    _set_password(user)
    Enrollment.objects.create(user=user, system=System.MEMBER, role=role)
    return 1
