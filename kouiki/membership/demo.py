"""The member system's demo data: member information of 広域電力株式会社 (9001)."""

from __future__ import annotations

from kouiki.identity.selectors import organization_by_code, user_by_credentials
from kouiki.membership.models import MemberProfile


def load() -> int:
    organization = organization_by_code("9001")
    if organization is None or MemberProfile.objects.filter(organization=organization).exists():
        return 0
    MemberProfile.objects.create(
        organization=organization,
        corporate_number=organization.corporate_number,
        business_types=list(organization.business_types),
        name=organization.name,
        name_kana=organization.name_kana,
        phone="03-1234-5678",
        representative_last_name="広域",
        representative_first_name="一郎",
        representative_last_name_kana="コウイキ",
        representative_first_name_kana="イチロウ",
        representative_title="代表取締役",
        postal_code="1350061",
        address1="東京都江東区豊洲6-2-15",
        address2="豊洲ビル",
        address1_kana="トウキョウト　コウトウク　トヨス６－２－１５",
        address2_kana="トヨスビル",
        capital_relationship="広域ホールディングス株式会社",
        parent_share_ratio=100,
        electronic_notice_consent=True,
        administrator1=user_by_credentials("9001", "adm001"),
    )
    return 1
