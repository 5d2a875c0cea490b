"""The back-office top page has a card for every area of the back office (issue 17 point 18): the
areas are read from the URLs the back office serves, so an area added anywhere must show."""

from __future__ import annotations

from django.test import Client
from django.urls import URLResolver, get_resolver

# The door and the staff member's own password, not areas of work.
NOT_AREAS = {"login", "logout", "otp", "password"}


def served_areas() -> set[str]:
    """The first path segment of every URL under /backoffice/ but the door's."""
    backoffice = next(
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "backoffice/"
    )
    segments = {str(pattern.pattern).split("/")[0] for pattern in backoffice.url_patterns}
    return segments - NOT_AREAS - {""}


def test_the_top_page_links_every_area_the_back_office_serves(staff_client: Client) -> None:
    page = staff_client.get("/backoffice/").content.decode()
    areas = served_areas()
    assert len(areas) >= 13
    missing = [
        area for area in sorted(areas) if f'class="menu__item"><a href="/backoffice/{area}/"' not in page
    ]
    assert missing == []


def test_every_area_s_card_leads_to_a_page_that_answers(staff_client: Client) -> None:
    for area in served_areas():
        assert staff_client.get(f"/backoffice/{area}/").status_code == 200, area
