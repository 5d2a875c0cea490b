"""`manage.py serve`: the links in mails point where the site is served."""

from __future__ import annotations

from typing import Any

from kouiki.core.management.commands.serve import use_site_url


def test_without_a_site_url_mails_link_to_the_port_served(settings: Any) -> None:
    environ: dict[str, str] = {}
    use_site_url(environ, host="127.0.0.1", port=8101)
    assert settings.SITE_URL == "http://127.0.0.1:8101"
    # The worker, which sends the mail, inherits the environment.
    assert environ["KOUIKI_SITE_URL"] == "http://127.0.0.1:8101"


def test_a_wildcard_address_is_linked_as_the_loopback(settings: Any) -> None:
    use_site_url({}, host="0.0.0.0", port=8101)
    assert settings.SITE_URL == "http://127.0.0.1:8101"


def test_a_site_url_that_is_set_wins(settings: Any) -> None:
    settings.SITE_URL = "https://kouiki.example.jp"
    environ = {"KOUIKI_SITE_URL": "https://kouiki.example.jp"}
    use_site_url(environ, host="127.0.0.1", port=8101)
    assert settings.SITE_URL == "https://kouiki.example.jp"
    assert environ["KOUIKI_SITE_URL"] == "https://kouiki.example.jp"
