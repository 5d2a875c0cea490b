"""The principal selector of a contractor's user (受託者, X-I2) in the switching system's header."""

from __future__ import annotations

from typing import Any

from django import template

from kouiki.core.systems import System
from kouiki.identity.access import acting_for, is_contractor
from kouiki.identity.selectors import grants_of_contractor

register = template.Library()


@register.inclusion_tag("identity/contractors/_acting.html", takes_context=True)
def acting_selector(context: Any) -> dict[str, Any]:
    """The grants in force the user may act under, and the one it acts under now; nothing for
    anyone but a contractor's user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_contractor(user, System.SWITCHING):
        return {"show": False}
    return {
        "show": True,
        "acting": acting_for(user),
        "acting_grants": grants_of_contractor(
            contractor_id=user.organization_id, system=System.SWITCHING, in_force_only=True
        ),
        "csrf_token": context.get("csrf_token"),
    }
