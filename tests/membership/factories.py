"""A member organization as the join approval leaves it: an organization, its member information
(MemberProfile, version 1) and administrators ① and ②, with values as the screens normalize them."""

from __future__ import annotations

from typing import Any

import factory

from kouiki.core.systems import Role
from kouiki.identity.models import Organization, User
from kouiki.membership.forms import AdministratorForm, CompanyForm
from kouiki.membership.models import MemberProfile
from tests.factories import OrganizationFactory, corporate_number, participant

# What a member types on the change screen (seed 003 chapter 4's example company).
COMPANY_INPUT: dict[str, Any] = {
    "corporate_number": corporate_number("000012050002"),
    "business_types": ["general_td", "retail"],
    "name": "広域電力株式会社",
    "name_kana": "コウイキデンリョクカブシキガイシャ",
    "phone": "03-1234-5678",
    "representative_last_name": "広域",
    "representative_first_name": "一郎",
    "representative_last_name_kana": "コウイキ",
    "representative_first_name_kana": "イチロウ",
    "representative_title": "代表取締役",
    "postal_code": "1350061",
    "address1": "東京都江東区豊洲6-2-15",
    "address2": "豊洲ビル",
    "address1_kana": "トウキョウト コウトウク トヨス6-2-15",
    "address2_kana": "トヨスビル",
    "capital_relationship": "広域ホールディングス株式会社",
    "parent_share_ratio": "100",
}

ADMIN1_INPUT: dict[str, str] = {
    "user_id": "abc001",
    "department_title": "総務部 課長",
    "last_name": "田中",
    "first_name": "一郎",
    "last_name_kana": "タナカ",
    "first_name_kana": "イチロウ",
    "email": "tanaka@koiki-denryoku.example.jp",
    "phone": "03-3333-1234",
    "other": "",
}

ADMIN2_INPUT: dict[str, str] = {
    "user_id": "abc002",
    "department_title": "総務部 主任",
    "last_name": "山本",
    "first_name": "浩紀",
    "last_name_kana": "ヤマモト",
    "first_name_kana": "ヒロキ",
    "email": "yamamoto@koiki-denryoku.example.jp",
    "phone": "03-3333-5678",
    "other": "特になし",
}


def company_values(**overrides: Any) -> dict[str, Any]:
    """The company fields as CompanyForm stores them (full-width, normalized kana)."""
    form = CompanyForm(data={**COMPANY_INPUT, **overrides})
    assert form.is_valid(), form.errors
    return form.cleaned_data


def _profile(values: dict[str, str]) -> dict[str, str]:
    """An administrator's account fields as the screens store them."""
    form = AdministratorForm(data={**values, "email_confirm": values["email"]})
    assert form.is_valid(), form.errors
    data = form.payload()
    data.pop("user_id")
    return data


class MemberProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberProfile

    organization = factory.SubFactory(OrganizationFactory)


def member(
    *,
    organization: Organization | None = None,
    admin2: bool = True,
    admin1_input: dict[str, str] | None = None,
    **company: Any,
) -> MemberProfile:
    """A member organization with its member information (version 1) and administrators ① (and ②)."""
    values = company_values(**company)
    if organization is None:
        organization = OrganizationFactory(
            corporate_number=values["corporate_number"],
            name=values["name"],
            name_kana=values["name_kana"],
            business_types=list(values["business_types"]),
        )
    first_input = admin1_input or ADMIN1_INPUT
    first = participant(
        organization=organization, role=Role.ADMIN, login_id=first_input["user_id"], **_profile(first_input)
    )
    second: User | None = None
    if admin2:
        second = participant(
            organization=organization,
            role=Role.ADMIN,
            login_id=ADMIN2_INPUT["user_id"],
            **_profile(ADMIN2_INPUT),
        )
    return MemberProfileFactory(
        organization=organization,
        administrator1=first,
        administrator2=second,
        **values,
    )


def change_form_data(
    *,
    admin1: dict[str, str] | None = None,
    admin2: dict[str, str] | None = None,
    admin2_none: bool = False,
    **company: Any,
) -> dict[str, Any]:
    """The POST of the change screen: the company fields and administrators ① ② (with confirmations)."""
    data: dict[str, Any] = {**COMPANY_INPUT, **company}
    for prefix, values in (("admin1", admin1 or ADMIN1_INPUT), ("admin2", admin2 or ADMIN2_INPUT)):
        for name, value in values.items():
            data[f"{prefix}-{name}"] = value
        data[f"{prefix}-email_confirm"] = values.get("email_confirm", values["email"])
    if admin2_none:
        data["admin2opt-none"] = "on"
        for name in ADMIN2_INPUT:
            data[f"admin2-{name}"] = ""
        data["admin2-email_confirm"] = ""
    return data
