"""The administrator's screens: API tokens (issued and shown once, revoked) and the callback URL
with its deliveries."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kouiki.audit.models import Event as AuditEvent
from kouiki.core import events
from kouiki.identity.models import ApiToken
from tests.api.conftest import make_retailer

TOKENS = "/switching/tokens/"
CALLBACKS = "/switching/callbacks/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_administrator_issues_a_token_shown_once_that_works_and_revokes_it(api, retailer_a) -> None:
    admin = logged_in(retailer_a.admin)
    form = {"user": retailer_a.user.pk, "name": "基幹システム"}
    confirm = admin.post(TOKENS, form)
    assert "APIトークンの発行（確認）" in confirm.content.decode()
    assert ApiToken.objects.filter(name="基幹システム").count() == 0
    issued = admin.post(TOKENS, {**form, "confirmed": "1"})
    secret = re.search(r'id="token-secret">([^<]+)<', issued.content.decode()).group(1)
    token = ApiToken.objects.get(name="基幹システム")
    assert token.token_hash != secret and secret.startswith(token.prefix)
    assert issued["Cache-Control"].startswith("max-age=0")
    assert api(secret).get("/events").status_code == 200
    # The list shows the prefix only.
    listing = admin.get(TOKENS).content.decode()
    assert token.prefix in listing and secret not in listing
    assert AuditEvent.objects.filter(action="api_token.issue", actor_id=retailer_a.admin.pk).exists()

    assert "失効（確認）" in admin.get(f"{TOKENS}{token.pk}/revoke/").content.decode()
    admin.post(f"{TOKENS}{token.pk}/revoke/")
    assert api(secret).get("/events").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_a_user_who_is_not_the_administrator_cannot_manage_tokens(retailer_a) -> None:
    user = logged_in(retailer_a.user)
    assert user.get(TOKENS).status_code == 403
    assert user.post(TOKENS, {"user": retailer_a.user.pk, "name": "x", "confirmed": "1"}).status_code == 403
    assert ApiToken.objects.filter(name="x").count() == 0


def test_another_organizations_user_and_token_are_not_found(retailer_a, retailer_b) -> None:
    admin = logged_in(retailer_a.admin)
    response = admin.post(TOKENS, {"user": retailer_b.user.pk, "name": "他社", "confirmed": "1"})
    assert "他社" not in "".join(t.name for t in ApiToken.objects.all())
    assert response.status_code in {200, 404}
    theirs = ApiToken.objects.get(user=retailer_b.user)
    assert admin.get(f"{TOKENS}{theirs.pk}/revoke/").status_code == 404
    assert admin.post(f"{TOKENS}{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_anonymous_visitor_is_sent_to_login(db) -> None:
    response = Client().get(TOKENS)
    assert response.status_code == 302 and response["Location"].startswith("/switching/login/")


@pytest.fixture
def https_only(settings) -> None:
    settings.KOUIKI_CALLBACK_ALLOW_HTTP_LOOPBACK = False


def test_administrator_registers_a_callback_and_sees_the_key_once(retailer_a, https_only) -> None:
    admin = logged_in(retailer_a.admin)
    refused = admin.post(CALLBACKS, {"url": "http://example.com/hook", "confirmed": "1"})
    assert "https://" in refused.content.decode()
    url = "https://hooks.example.jp/kouiki"
    assert "通知先の登録（確認）" in admin.post(CALLBACKS, {"url": url}).content.decode()
    shown = admin.post(CALLBACKS, {"url": url, "confirmed": "1"}).content.decode()
    secret = re.search(r'id="callback-secret">([^<]+)<', shown).group(1)
    assert secret.startswith("whsec_")
    page = admin.get(CALLBACKS).content.decode()
    assert url in page and secret not in page
    assert AuditEvent.objects.filter(action="callback.register").exists()


def test_every_user_sees_the_deliveries_but_only_the_administrator_changes(
    retailer_a, https_only, django_capture_on_commit_callbacks
) -> None:
    admin, user = logged_in(retailer_a.admin), logged_in(retailer_a.user)
    admin.post(CALLBACKS, {"url": "https://hooks.example.jp/kouiki", "confirmed": "1"})
    admin.post(f"{CALLBACKS}ping/")
    page = user.get(CALLBACKS).content.decode()
    assert "callback.ping" in page and "送信待ち" in page
    assert "テスト送信" not in page
    assert user.post(CALLBACKS, {"url": "https://evil.example/", "confirmed": "1"}).status_code == 403
    assert user.post(f"{CALLBACKS}stop/").status_code == 403
    assert events.callback_endpoint(organization_id=retailer_a.organization.pk, system="switching").is_active


def test_another_organization_sees_none_of_it(retailer_a, retailer_b, https_only) -> None:
    logged_in(retailer_a.admin).post(CALLBACKS, {"url": "https://hooks.example.jp/a", "confirmed": "1"})
    logged_in(retailer_a.admin).post(f"{CALLBACKS}ping/")
    page = logged_in(retailer_b.admin).get(CALLBACKS).content.decode()
    assert "hooks.example.jp" not in page and "callback.ping" not in page
    delivery = events.CallbackDelivery.objects.get()
    assert logged_in(retailer_b.admin).post(f"{CALLBACKS}deliveries/{delivery.pk}/retry/").status_code == 404
    other = make_retailer("9103", "新電力C株式会社")
    assert logged_in(other.user).get(CALLBACKS).status_code == 200
