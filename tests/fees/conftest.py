"""Fixtures of the fees tests: two member organizations with users of each 担当業務, the payee
account, and uploads kept in a temporary MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kouiki.core.systems import Role
from kouiki.fees.models import PayeeAccount
from kouiki.identity.models import User
from kouiki.membership.models import MemberProfile
from tests.factories import participant
from tests.fees.helpers import PAYEE
from tests.membership.factories import ADMIN1_INPUT, member


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def profile(db: None) -> MemberProfile:
    """広域電力株式会社 (general T&D and retail) with administrators ① abc001 and ② abc002."""
    return member()


@pytest.fixture
def other_profile(db: None) -> MemberProfile:
    return member(
        admin1_input={**ADMIN1_INPUT, "user_id": "zzz001", "email": "zzz001@hokkai.example.jp"},
        admin2=False,
        name="北海電力株式会社",
        name_kana="ホッカイデンリョクカブシキガイシャ",
    )


def _user(profile: MemberProfile, login_id: str, duties: list[str], **kwargs: Any) -> User:
    return participant(
        organization=profile.organization,
        login_id=login_id,
        duties=duties,
        email=f"{login_id}@koiki-denryoku.example.jp",
        **kwargs,
    )


@pytest.fixture
def admin(profile: MemberProfile) -> User:
    assert profile.administrator1 is not None
    return profile.administrator1


@pytest.fixture
def fees_user(profile: MemberProfile) -> User:
    return _user(profile, "fee001", ["fees"])


@pytest.fixture
def capacity_user(profile: MemberProfile) -> User:
    return _user(profile, "cap001", ["capacity"])


@pytest.fixture
def plain_user(profile: MemberProfile) -> User:
    """A user of the member with neither the 会費 nor the 容量市場 duty."""
    return _user(profile, "usr001", ["assembly"])


@pytest.fixture
def other_fees_user(other_profile: MemberProfile) -> User:
    return participant(
        organization=other_profile.organization,
        login_id="fee901",
        duties=["fees", "capacity"],
        role=Role.USER,
        email="fee901@hokkai.example.jp",
    )


@pytest.fixture
def payee(db: None) -> PayeeAccount:
    return PayeeAccount.objects.create(**PAYEE)
