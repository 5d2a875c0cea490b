"""Every page a demo account can reach by following links answers without error.

Each account of the README logs in through its system's login form, then every link of the pages
it reaches (same system, GET) is followed breadth-first: none may answer a server error or a 404
(a link the system shows must lead somewhere), nor send a logged-in user back to a login page.
The other systems send it to their login page with the reason; the portal at `/` links every
system's login. Every page writes its dates, numbers and parentheses one way (DISPLAY_RULES).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from kouiki.core.systems import SITES

PASSWORD = "Demo-pass1"
MAX_PAGES = 250

ACCOUNTS = [
    ("/member/", "9001", "adm001"),
    ("/member/", "9001", "usr001"),
    ("/switching/", "9101", "adm001"),
    ("/switching/", "9101", "usr001"),
    ("/switching/", "9102", "adm001"),
    ("/switching/", "9102", "usr001"),
    ("/switching/", "9401", "adm001"),
    ("/switching/", "9401", "usr001"),
    ("/capacity/", "9201", "adm001"),
    ("/capacity/", "9201", "usr001"),
    ("/backoffice/", "", "reviewer"),
]
# Links that end the session or lead out of the system being crawled.
SKIPPED = ("/logout/", "/login/", "/admin/")


class Links(HTMLParser):
    """The links of a page, and the text a reader sees — but the organization's own authored text
    (`data-authored`: terms of use, notices), machine text (`pre`, `code`) and inputs."""

    HIDDEN = {"script", "style", "pre", "code", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text hidden?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)
        if tag not in self.VOID:
            hidden = bool(self.stack and self.stack[-1]) or tag in self.HIDDEN
            self.stack.append(hidden or "data-authored" in dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


# How the screens write dates, numbers and parentheses (issue 17 point 17, kouiki.core.display):
# no ISO day (2026/12/07 is the screens' day), no quantity without thousands separators, and no
# half-width parentheses around or right after Japanese text.
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff]"
DISPLAY_RULES = {
    "ISO day": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "quantity without separators": re.compile(r"(?<![\d,.])\d{4,}(?:\.\d+)?\s?(?:kW|kWh|kVA|円|件)"),
    "half-width parentheses": re.compile(rf"{JAPANESE}\([^()]*\)|\([^()]*{JAPANESE}[^()]*\)"),
}


def display_problems(url: str, text: str) -> list[str]:
    return [
        f"{url}: {rule}: {found!r}"
        for rule, pattern in DISPLAY_RULES.items()
        for found in pattern.findall(text)
    ]


def log_in(client: Client, prefix: str, organization: str, user_id: str) -> None:
    if prefix == "/backoffice/":
        response = client.post("/backoffice/login/", {"user_id": user_id, "password": PASSWORD})
    else:
        response = client.post(
            f"{prefix}login/", {"organization_code": organization, "user_id": user_id, "password": PASSWORD}
        )
    assert response.status_code == 302, response.content.decode()[:500]


def crawl(client: Client, prefix: str, within: str | None = None) -> tuple[int, list[str]]:
    """Visit `prefix` and what it links to under `within` (default: `prefix`); return the number of
    pages seen and every problem found."""
    within = within or prefix
    anonymous = within == "/"
    seen = {prefix}
    queue: deque[tuple[str, str]] = deque([(prefix, "(start)")])
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code in (301, 302, 303):
            location = urljoin(url, response["Location"])
            if "/login/" in location and not anonymous:
                problems.append(f"{url} (from {referrer}): sent to a login page")
            elif location not in seen and urlsplit(location).path.startswith(within):
                seen.add(location)
                queue.append((location, url))
            continue
        if response.status_code != 200:
            problems.append(f"{url} (from {referrer}): HTTP {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        problems.extend(display_problems(url, "".join(parser.text)))
        for href in parser.hrefs:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or href.startswith(("#", "mailto:", "javascript:")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path.startswith(within) or any(skip in parts.path for skip in SKIPPED):
                continue
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    return visited, problems


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "organization", "user_id"), ACCOUNTS)
def test_every_linked_page_of_a_demo_account_answers(
    client: Client, settings: Any, prefix: str, organization: str, user_id: str
) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False
    call_command("load_demo")
    log_in(client, prefix, organization, user_id)

    visited, problems = crawl(client, prefix)

    assert problems == []
    assert visited > 5
    # Issue 17 point 9: the other systems are no dead end (403) but their login page, which says
    # why; the portal says who is signed in.
    for site in SITES:
        if site.home_url == prefix:
            continue
        response = client.get(site.home_url, follow=True)
        assert response.redirect_chain[-1][0].startswith(site.login_url), site.key
        assert response.status_code == 200
        assert f"ログイン中のユーザは{site.name}を利用できません。" in response.content.decode()
    assert "としてログインしています" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_portal_leads_to_the_login_of_every_system(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    parser = Links()
    parser.feed(response.content.decode())
    for site in SITES:
        assert site.login_url in parser.hrefs, site.key
        assert client.get(site.login_url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start", ["/", "/member/login/", "/switching/login/", "/capacity/login/", "/capacity/apply/"]
)
def test_every_public_page_linked_from_a_login_page_answers(client: Client, start: str) -> None:
    call_command("load_demo")

    visited, problems = crawl(client, start, within="/")

    assert problems == []
    assert visited >= 1
