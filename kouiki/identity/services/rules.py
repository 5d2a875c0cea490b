"""Per-system rules on users, held in one place (FUNCTIONS.md MEM-U3; other systems add theirs)."""

from __future__ import annotations

from dataclasses import dataclass

from kouiki.core.systems import System


@dataclass(frozen=True)
class SystemRules:
    system: str
    # None: no limit.
    max_admins: int | None
    max_users: int | None
    # Whether an administrator may register another administrator through user administration.
    # Never, in every system (X-I1): the administrator ID is issued once, by the organization.
    admins_via_user_admin: bool
    # Whether a user must choose 担当業務 (duties).
    duties_required: bool
    # How the administrator changes instead (X-I1), said after 「管理者の追加は」 and the like.
    admin_route: str = "本機関への変更申請により行います。"
    # Whether the administrator's contact details (not its name: another name is another person,
    # a change of administrator) may be changed on the user screen.
    admin_contact_editable: bool = False
    # The mails of the shared user administration (identity.services.add_user, reissue_password):
    # a new user's ID and first password, and a password reissued by the administrator.
    registered_mail: str = "identity/mail/user_registered"
    password_mail: str = "identity/mail/password_initialized"


RULES: dict[str, SystemRules] = {
    # seed 003 chapter 3: at most 2 administrators and 10 other users; administrators are added
    # only through the member information change (MEM-I4), never on the user screen.
    System.MEMBER: SystemRules(
        system=System.MEMBER,
        max_admins=2,
        max_users=10,
        admins_via_user_admin=False,
        duties_required=True,
        admin_route="「会員情報変更」から申請してください。",
    ),
    # seed 001 3.2: the administrator ID is issued once, by the organization; a change of
    # administrator is applied for by the organization's procedure (X-I1). Users, any number.
    System.SWITCHING: SystemRules(
        system=System.SWITCHING,
        max_admins=None,
        max_users=None,
        admins_via_user_admin=False,
        duties_required=False,
        admin_route=(
            "本機関への管理者変更の申請により行います（管理者IDの発行は本機関が行い、"
            "スイッチング支援システム利用規約 3.2）。"
        ),
        admin_contact_editable=True,
    ),
    # seed 002 3.2: one administrator ID, issued once (CAP-R3); the role is handed over to a user
    # already registered (3.2.2, identity.services.capacity_users.hand_over_administrator).
    System.CAPACITY: SystemRules(
        system=System.CAPACITY,
        max_admins=1,
        max_users=None,
        admins_via_user_admin=False,
        duties_required=False,
        admin_route=(
            "「管理者の引継ぎ」で登録済みのユーザに引き継いでください（容量市場システム利用規約 3.2.2）。"
        ),
        admin_contact_editable=True,
        registered_mail="identity/capacity/mail/user_registered",
        password_mail="identity/capacity/mail/password_reissued",
    ),
}


def rules_for(system: str) -> SystemRules:
    return RULES[system]
