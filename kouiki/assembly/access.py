"""Who may do what with general meetings; services and selectors ask here.

- Members (MEM-G1..G3): a member-system user whose role the catalog allows, and who holds the
  function's 担当業務 (総会) — administrators see everything of their organization. The screens
  are guarded the same way by `function_required`; the services check it again, being the rule.
- The organization's staff: the back office (meetings, convocations, results, MEM-G4 check-in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kouiki.core import catalog
from kouiki.core.errors import Forbidden
from kouiki.identity.choices import Duty
from kouiki.identity.selectors import has_duty, role_codes

if TYPE_CHECKING:
    from kouiki.identity.models import User

# The mails of general meetings go to the users holding this duty (and administrators).
DUTY = Duty.ASSEMBLY.value


def is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "is_kouiki_staff", False))


def require_staff(actor: Any) -> None:
    if not is_staff(actor):
        raise Forbidden()


def may_use(actor: Any, function_id: str) -> bool:
    """Whether a member's user may use a member-side function of general meetings."""
    if not getattr(actor, "is_authenticated", False) or is_staff(actor) or actor.organization_id is None:
        return False
    function = catalog.get(function_id)
    if not catalog.allows(function.id, role_codes(actor, function.system)):
        return False
    return not function.duty or has_duty(actor, function.duty, function.system)


def require_member(actor: User, function_id: str) -> int:
    """The actor's organization id, when the actor may use the function; Forbidden otherwise."""
    if not may_use(actor, function_id):
        raise Forbidden("総会の担当業務を持つユーザまたは管理者だけが利用できます。")
    return int(actor.organization_id)  # type: ignore[arg-type]
