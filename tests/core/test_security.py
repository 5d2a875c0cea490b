"""Security headers and the Japanese error pages."""

from __future__ import annotations

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
