"""Security headers and the Japanese error pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_carry_csp_frame_denial_and_nosniff(client: Client) -> None:
    response = client.get("/member/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "csrftoken" in response.cookies
    assert response.cookies["csrftoken"]["httponly"]


@pytest.mark.django_db
def test_unknown_page_is_a_japanese_404(client: Client) -> None:
    response = client.get("/member/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.django_db
def test_login_form_without_csrf_token_is_refused_in_japanese() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/member/login/", {"organization_code": "9001", "user_id": "adm001", "password": "x"}
    )
    assert response.status_code == 403
    assert "有効期限" in response.content.decode()


def test_server_error_page_is_japanese(rf) -> None:
    from kouiki.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "システムエラーが発生しました" in response.content.decode()


def test_production_settings_turn_on_transport_security(monkeypatch) -> None:
    import importlib

    import kouiki.settings as base

    monkeypatch.setenv("KOUIKI_PRODUCTION", "1")
    monkeypatch.setenv("KOUIKI_SECRET_KEY", "x" * 60)
    try:
        production = importlib.reload(base)
        assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
        assert production.SECURE_SSL_REDIRECT
        assert production.SECURE_HSTS_SECONDS >= 31536000
        assert production.ALLOWED_HOSTS == []
    finally:
        monkeypatch.delenv("KOUIKI_PRODUCTION")
        importlib.reload(base)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/switching/low/applications/%00/", "/member/changes/?state=%00", "/backoffice/?q=a%00"]
)
def test_a_nul_in_the_url_is_a_japanese_400(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL文字" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_an_api_url_is_a_400_problem(client: Client) -> None:
    response = client.get("/api/switching/v1/applications/%00", headers={"Authorization": "Bearer x"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "malformed_request"


def test_the_sites_error_answers_under_the_api_are_problems(client: Client, rf) -> None:
    from django.core.exceptions import RequestDataTooBig

    from kouiki.core.views import bad_request, server_error

    # Failures before the API's own handlers (a middleware, the URL resolver) keep its contract.
    unknown = client.get("/api/no-such-system/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"].startswith("application/problem+json")
    failed = server_error(rf.get("/api/switching/v1/events"))
    assert failed.status_code == 500
    assert failed["Content-Type"].startswith("application/problem+json")
    too_large = bad_request(rf.post("/api/switching/v1/cancel-forwards"), RequestDataTooBig())
    assert json.loads(too_large.content)["code"] == "request_too_large"
    assert "システムエラー" in server_error(rf.get("/member/")).content.decode()


NO_STORE = {"no-store", "private"}


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
def test_a_signed_in_participants_pages_are_not_stored(client: Client, member_admin) -> None:
    client.force_login(member_admin)
    for url in ["/member/", "/member/users/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert cache_directives(response) >= NO_STORE, url


@pytest.mark.django_db
def test_back_office_pages_are_not_stored_even_before_login(staff_client: Client) -> None:
    response = staff_client.get("/backoffice/")
    assert response.status_code == 200
    assert cache_directives(response) >= NO_STORE
    assert cache_directives(Client().get("/backoffice/login/")) >= NO_STORE


def test_a_views_own_cache_headers_are_kept_and_completed(rf, member_admin) -> None:
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers

    from kouiki.core.views import NoStoreMiddleware

    def never_cache_view(request):
        response = HttpResponse("<p>menu</p>")
        add_never_cache_headers(response)
        return response

    def public_view(request):
        response = HttpResponse("<p>menu</p>")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = rf.get("/member/")
    request.user = member_admin
    never = NoStoreMiddleware(never_cache_view)(request)
    assert cache_directives(never) == {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}
    assert cache_directives(NoStoreMiddleware(public_view)(request)) == {"max-age=600", "no-store", "private"}


@pytest.mark.django_db
def test_an_anonymous_public_page_may_be_cached(client: Client) -> None:
    response = client.get("/terms/")
    assert response.status_code == 200
    assert "no-store" not in cache_directives(response)
