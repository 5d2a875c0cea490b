"""Identity's demo data (README, Demo accounts): idempotent, registered with kouiki.core.demo.

The member 広域電力株式会社 (9001), the reviewer, and the switching system's demand-response
contractor デマンドレスポンス株式会社 (9401; the retailers 9101 and 9102 are the switching demo's), and
the contractor 請求代行株式会社 (9501, 受託者) the switching demo lets act for 新電力A."""

from __future__ import annotations

from datetime import date
from typing import Any

from kouiki.core.japanese import corporate_number_check_digit
from kouiki.core.systems import Role, System
from kouiki.identity.choices import ParticipantKind, StaffRole, participant_username, staff_username
from kouiki.identity.models import AccountKind, Duty, Enrollment, Organization, PasswordHistory, User
from kouiki.identity.selectors import organization_by_code
from kouiki.identity.services import create_organization
from kouiki.identity.services.tokens import ensure_demo_token

DEMO_PASSWORD = "Demo-pass1"
DR_CONTRACTOR = "9401"


def demo_corporate_number(base12: str) -> str:
    return f"{corporate_number_check_digit(base12)}{base12}"


def load() -> int:
    """The member 広域電力株式会社 (9001) with adm001 and usr001, the reviewer, and the DR contractor."""
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
            # Every back-office role (issue 15): the demo's one staff account shows every area.
            staff_roles=[role.value for role in StaffRole],
        )
        _set_password(reviewer)
        created += 1
    else:
        # A demo database made before staff roles: its reviewer gets every role once.
        reviewer = User.objects.get(username=staff_username("reviewer"))
        if not reviewer.staff_roles:
            reviewer.staff_roles = [role.value for role in StaffRole]
            reviewer.save(update_fields=["staff_roles"])
    return created + _dr_contractor()


def _dr_contractor() -> int:
    """デマンドレスポンス株式会社 (9401), a demand-response contractor of the switching system (seed 001
    2.2.2), made as the switching demo makes its retailers: adm001 and usr001, and the API token
    `demo-9401` of usr001 (README)."""
    _organization, created = _switching_company(
        DR_CONTRACTOR,
        corporate_number="000012059401",
        names=("デマンドレスポンス株式会社", "デマンドレスポンスカブシキガイシャ"),
        kind=ParticipantKind.DR_CONTRACTOR,
        family=("寺田", "テラダ"),
        department_title="需給調整部",
        email_domain="demand-response.example.jp",
    )
    return created


def _switching_company(
    code: str,
    *,
    corporate_number: str,
    names: tuple[str, str],
    kind: str,
    family: tuple[str, str],
    department_title: str,
    email_domain: str,
) -> tuple[Organization, int]:
    """A demo company of the switching system that is no retailer (a DR contractor, a contractor):
    adm001 and usr001 (family name and its kana in `family`), and the API token `demo-<code>` of
    usr001 (README). Returns it and how many rows were made."""
    created = 0
    organization = organization_by_code(code)
    if organization is None:
        organization = create_organization(
            actor=None,
            code=code,
            corporate_number=demo_corporate_number(corporate_number),
            name=names[0],
            name_kana=names[1],
            business_types=[],
        )
        created += 1
    for login_id, role, first_name, first_name_kana in (
        ("adm001", Role.ADMIN, "一郎", "イチロウ"),
        ("usr001", Role.USER, "花子", "ハナコ"),
    ):
        created += _participant(
            organization,
            login_id,
            role,
            system=System.SWITCHING,
            participant_kind=kind,
            last_name=family[0],
            first_name=first_name,
            last_name_kana=family[1],
            first_name_kana=first_name_kana,
            department_title=department_title,
            email=f"{login_id}@{email_domain}",
        )
    user = User.objects.get(username=participant_username(code, "usr001"))
    return organization, created + ensure_demo_token(user=user, raw=f"demo-{code}")


def inquiry_user(organization: Organization, *, email_domain: str, names: tuple[str, str, str, str]) -> int:
    """A third switching user `usr002` of a demo retailer (README: 新電力A), allowed only the
    inquiry functions (利用者権限 「照会のみ」, SW-U11). The switching demo calls it for 新電力A once
    the retailer's accounts exist."""
    from kouiki.identity.services.switching_users import preset_functions

    last_name, first_name, last_name_kana, first_name_kana = names
    created = _participant(
        organization,
        "usr002",
        Role.USER,
        system=System.SWITCHING,
        last_name=last_name,
        first_name=first_name,
        last_name_kana=last_name_kana,
        first_name_kana=first_name_kana,
        department_title="お客さま窓口",
        email=f"usr002@{email_domain}",
    )
    if created:
        Enrollment.objects.filter(
            user__username=participant_username(organization.code, "usr002"), system=System.SWITCHING
        ).update(functions=preset_functions("inquiry", ParticipantKind.RETAILER))
    return created


# 請求代行株式会社 (9501), a contractor (受託者, X-I2) acting for 新電力A on these functions (README).
CONTRACTOR = "9501"
CONTRACTOR_FUNCTIONS = ["SW-L06", "SW-L07", "SW-L08", "SW-L14", "SW-L15"]


def billing_contractor(principal: Organization) -> int:
    """請求代行株式会社 (9501): a contractor of the switching system (ADR 32) with adm001 and usr001,
    the API token `demo-9501` of usr001, and the grant of `principal` (新電力A) for the cancel-forward
    filing and its inquiries, the switching start and the status screens (README). The switching
    demo calls it once 新電力A's accounts exist."""
    from kouiki.identity.models import ContractorGrant

    organization, created = _switching_company(
        CONTRACTOR,
        corporate_number="000012059501",
        names=("請求代行株式会社", "セイキュウダイコウカブシキガイシャ"),
        kind=ParticipantKind.CONTRACTOR,
        family=("請求", "セイキュウ"),
        department_title="代行業務部",
        email_domain="billing-agent.example.jp",
    )
    if not ContractorGrant.objects.filter(
        principal=principal, contractor=organization, system=System.SWITCHING, revoked_at__isnull=True
    ).exists():
        ContractorGrant.objects.create(
            principal=principal,
            contractor=organization,
            system=System.SWITCHING,
            functions=CONTRACTOR_FUNCTIONS,
            valid_from=date(2020, 4, 1),
            granted_by=User.objects.get(username=participant_username(principal.code, "adm001")),
        )
        created += 1
    return created


def _set_password(user: User) -> None:
    user.set_password(DEMO_PASSWORD)
    user.save()
    PasswordHistory.objects.create(user=user, password=user.password)


def _participant(
    organization: Organization,
    login_id: str,
    role: str,
    *,
    system: str = System.MEMBER,
    participant_kind: str = ParticipantKind.RETAILER,
    **profile: Any,
) -> int:
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
    Enrollment.objects.create(user=user, system=system, role=role, participant_kind=participant_kind)
    return 1
