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
    admins_via_user_admin: bool
    # Whether a user must choose 担当業務 (duties).
    duties_required: bool


RULES: dict[str, SystemRules] = {
    # seed 003 chapter 3: at most 2 administrators and 10 other users; administrators are added
    # only through the member information change (MEM-I4), never on the user screen.
    System.MEMBER: SystemRules(
        system=System.MEMBER, max_admins=2, max_users=10, admins_via_user_admin=False, duties_required=True
    ),
    System.SWITCHING: SystemRules(
        system=System.SWITCHING,
        max_admins=None,
        max_users=None,
        admins_via_user_admin=True,
        duties_required=False,
    ),
    System.CAPACITY: SystemRules(
        system=System.CAPACITY,
        max_admins=1,
        max_users=None,
        admins_via_user_admin=False,
        duties_required=False,
    ),
}


def rules_for(system: str) -> SystemRules:
    return RULES[system]
