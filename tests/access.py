"""What a refused visitor gets: the login page of the system it asked for (issue 17 point 9)."""

from __future__ import annotations

from django.http import HttpResponse

from kouiki.core.systems import site


def sent_to_login(response: HttpResponse, system: str) -> bool:
    """Whether the answer sends the browser to the login page of `system` (a signed-in user that
    the system does not let in finds the reason there)."""
    return response.status_code == 302 and response["Location"].startswith(site(system).login_url)
