"""Permissions as a table: every built member-system screen, every role, as the catalog says."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kouiki.core import catalog
from kouiki.core.systems import Role
from kouiki.identity.models import User
from tests.factories import participant

# Screens a logged-in user reaches without a prior step (login itself is public).
BUILT_MEMBER_SCREENS = [
    function
    for function in catalog.functions(system="member")
    if function.built
    and function.url_name
    and function.id != "MEM-A1"
    and not function.who & {"anyone", "applicant"}  # public pages
]


def test_the_table_is_not_empty() -> None:
    assert {f.id for f in BUILT_MEMBER_SCREENS} >= {"MEM-U1", "MEM-U2", "MEM-U3"}


@pytest.mark.parametrize("function", BUILT_MEMBER_SCREENS, ids=lambda f: f.id)
@pytest.mark.parametrize("role", ["anonymous", "M", "A", "O", "other_system"])
def test_member_screen_access(client: Client, staff: User, function: catalog.Function, role: str) -> None:
    url = reverse(function.url_name)  # type: ignore[arg-type]
    if role == "M":
        client.force_login(participant(role=Role.USER))
        codes = frozenset({"M"})
    elif role == "A":
        client.force_login(participant(role=Role.ADMIN))
        codes = frozenset({"M", "A"})
    elif role == "O":
        client.force_login(staff)
        codes = frozenset()
    elif role == "other_system":
        client.force_login(participant(system="switching", role=Role.ADMIN))
        codes = frozenset()
    else:
        codes = frozenset()
    response = client.get(url)
    if catalog.allows(function.id, codes):
        assert response.status_code == 200, (function.id, role)
    elif role in {"anonymous", "O"}:
        assert response.status_code == 302
        assert response["Location"].startswith("/member/login/")
    else:
        assert response.status_code == 403, (function.id, role)
