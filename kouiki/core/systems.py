"""The systems Kouiki serves, the roles a participant's user holds in each, and the sites a person
logs in to (the three participants' systems and the organization's back office): their names,
what they are for, where they live and where their login is — said here once, for the portal, the
login pages and the guards that send a visitor to a login."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class System(models.TextChoices):
    MEMBER = "member", "会員情報管理システム"
    SWITCHING = "switching", "スイッチング支援システム"
    CAPACITY = "capacity", "容量市場システム"


class Role(models.TextChoices):
    ADMIN = "admin", "管理者"
    USER = "user", "一般ユーザ"


BACKOFFICE = "backoffice"


@dataclass(frozen=True)
class Site:
    """One door of the portal: a system with its own URL prefix and login page."""

    key: str  # the URL prefix and the `system` of the views, audit rows and sessions
    name: str
    summary: str  # what it is for, in a sentence, for the portal
    audience: str  # who logs in

    @property
    def home_url(self) -> str:
        return f"/{self.key}/"

    @property
    def login_url(self) -> str:
        return f"/{self.key}/login/"


SITES: tuple[Site, ...] = (
    Site(
        key=System.MEMBER.value,
        name=System.MEMBER.label,
        summary="会員情報の確認・変更、加入証跡、総会の招集通知と回答、会費請求書などを扱います。"
        "本機関への加入申請もこちらから行います。",
        audience="本機関の会員（電気事業者）のユーザ",
    ),
    Site(
        key=System.SWITCHING.value,
        name=System.SWITCHING.label,
        summary="供給地点情報の照会、スイッチング（契約の切替え）、再点・廃止などの申込みを"
        "一般送配電事業者へ取り次ぎます。API でも利用できます。",
        audience="小売電気事業者・需要抑制契約者のユーザ",
    ),
    Site(
        key=System.CAPACITY.value,
        name=System.CAPACITY.label,
        summary="容量市場に参加する事業者の事業者情報と電源等情報の登録・変更を申請します。"
        "利用のお申込みもこちらから行います。",
        audience="容量市場に参加する事業者のユーザ",
    ),
    Site(
        key=BACKOFFICE,
        name="業務管理（本機関）",
        summary="申請の審査、事業者コードの発番、会員・総会・会費の管理、送配電連携、監査ログなど、"
        "本機関の業務を行います。",
        audience="本機関の職員",
    ),
)
_BY_KEY = {site.key: site for site in SITES}


def site(key: str) -> Site:
    """The site of `key` ("member", "switching", "capacity", "backoffice"); KeyError otherwise."""
    return _BY_KEY[key]


def site_of(key: str | None, default: str) -> Site:
    """The site of `key`, or the site of `default` for anything else (None included)."""
    return _BY_KEY.get(key or "") or _BY_KEY[default]


def site_name(key: str, default: str = "") -> str:
    """The name of the site of `key`, or `default` for anything else (an empty key included)."""
    found = _BY_KEY.get(key)
    return found.name if found else default
