"""Load the demo accounts of the README. Idempotent; refuses to run with production settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kouiki.core.japanese import corporate_number_check_digit
from kouiki.core.systems import Role, System
from kouiki.identity.models import AccountKind, Duty, Enrollment, Organization, PasswordHistory, User
from kouiki.identity.usernames import participant_username, staff_username

DEMO_PASSWORD = "Demo-pass1"


def demo_corporate_number(base12: str) -> str:
    return f"{corporate_number_check_digit(base12)}{base12}"


class Command(BaseCommand):
    help = "Load the demo organizations and accounts (README, Demo accounts). Never in production."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("load_demo は本番設定(KOUIKI_PRODUCTION)では実行できません。")
        with transaction.atomic():
            created = self.load()
        self.stdout.write(f"demo data: {created} new record(s)")

    def load(self) -> int:
        created = 0
        organization, new = Organization.objects.get_or_create(
            code="9001",
            defaults={
                "corporate_number": demo_corporate_number("000012050001"),
                "name": "広域電力株式会社",
                "name_kana": "コウイキデンリョクカブシキガイシャ",
                "business_types": ["retail"],
            },
        )
        created += new
        created += self.user(
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
        created += self.user(
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
            reviewer.set_password(DEMO_PASSWORD)
            reviewer.save()
            PasswordHistory.objects.create(user=reviewer, password=reviewer.password)
            created += 1
        return created

    def user(self, organization: Organization, login_id: str, role: str, **profile: Any) -> int:
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
        user.set_password(DEMO_PASSWORD)
        user.save()
        PasswordHistory.objects.create(user=user, password=user.password)
        Enrollment.objects.create(user=user, system=System.MEMBER, role=role)
        return 1
