"""MEM-A1 login: same message for every failure, lockout, forced change, reset by mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kouiki.audit.models import Event
from kouiki.core.models import OutboxMessage
from kouiki.core.systems import Role
from kouiki.identity import services
from kouiki.identity.models import Organization, OrganizationStatus, User
from tests.factories import participant

LOGIN = "/member/login/"
FAILED = "ユーザIDもしくはパスワードが不正です"
LOCKED = "お使いのユーザIDは利用できません"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


def page_text(response) -> str:
    """The page without its per-response secrets (CSRF token, CSP nonce)."""
    html = response.content.decode()
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def login(client: Client, user: User, password: str = "Test-pass1", code: str | None = None):
    return client.post(
        LOGIN,
        {"organization_code": code or user.organization.code, "user_id": user.login_id, "password": password},
    )


def test_mem_a1_login_goes_to_the_menu_and_records_previous_login(client: Client, member_user: User) -> None:
    response = login(client, member_user)
    assert response.status_code == 302
    assert response["Location"] == "/member/"
    menu = client.get("/member/")
    assert menu.status_code == 200
    html = menu.content.decode()
    assert member_user.organization.name in html
    assert "初回ログイン" in html
    assert Event.objects.filter(action="login.success", actor_id=member_user.pk).exists()

    client.post("/member/logout/")
    login(client, member_user)
    member_user.refresh_from_db()
    assert member_user.previous_login is not None
    assert member_user.previous_login.astimezone(timezone.get_current_timezone()).strftime("%Y/%m/%d") in (
        client.get("/member/").content.decode()
    )


@pytest.mark.parametrize(
    "case", ["wrong_password", "unknown_user", "unknown_organization", "other_organization"]
)
def test_mem_a1_every_failure_gives_the_same_message(client: Client, member_user: User, case: str) -> None:
    other = participant(login_id="oth001")
    data = {
        "organization_code": member_user.organization.code,
        "user_id": member_user.login_id,
        "password": "Test-pass1",
    }
    if case == "wrong_password":
        data["password"] = "Wrong-pass9"
    elif case == "unknown_user":
        data["user_id"] = "nobody"
    elif case == "unknown_organization":
        data["organization_code"] = "0000"
    else:
        data["organization_code"] = other.organization.code
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert FAILED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="login.failure").count() == 1


def test_mem_a1_staff_account_cannot_log_in_as_a_member(client: Client, staff: User) -> None:
    response = client.post(
        LOGIN, {"organization_code": "0000", "user_id": "reviewer", "password": "Test-pass1"}
    )
    assert FAILED in response.content.decode()


def test_mem_a1_lockout_after_five_failures_and_admin_unlock(
    client: Client, member_user: User, member_admin: User
) -> None:
    for _ in range(4):
        assert FAILED in login(client, member_user, "Wrong-pass9").content.decode()
    fifth = login(client, member_user, "Wrong-pass9")
    assert LOCKED in fifth.content.decode()
    # Even the right password is refused now, with the lockout message, and no cool-off.
    with time_machine.travel(timezone.localtime() + timedelta(days=30)):
        locked = login(client, member_user)
    assert locked.status_code == 403
    assert LOCKED in locked.content.decode()
    # Another user of the same organization is not affected.
    admin_client = Client()
    assert login(admin_client, member_admin).status_code == 302
    listing = admin_client.get("/member/users/")
    assert "ロック中" in listing.content.decode()
    assert Event.objects.filter(action="login.lockout", actor_label=member_user.username).count() == 2
    admin_client.post(f"/member/users/{member_user.pk}/unlock/")
    assert Event.objects.filter(action="user.unlock", object_id=str(member_user.pk)).exists()
    assert login(client, member_user).status_code == 302


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_mem_a1_a_full_width_code_and_id_log_in(client: Client, member_user: User) -> None:
    code = member_user.organization.code
    assert member_user.login_id == "usr001"

    response = client.post(
        LOGIN, {"organization_code": _full_width(code), "user_id": "ｕｓｒ００１", "password": "Test-pass1"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/member/"
    assert not Event.objects.filter(action="login.failure").exists()


def test_mem_a1_full_width_typing_of_the_right_id_counts_toward_its_own_lockout(
    client: Client, member_user: User
) -> None:
    # The lockout counts failures per user: a wrong password typed with a full-width ID is a
    # failure of usr001 (not of an unknown "ｕｓｒ００１"), and the right one still logs in.
    for _ in range(4):
        code = member_user.organization.code
        client.post(LOGIN, {"organization_code": code, "user_id": "ｕｓｒ００１", "password": "Wrong-pass9"})
    assert set(Event.objects.filter(action="login.failure").values_list("actor_label", flat=True)) == {
        member_user.username
    }
    assert login(client, member_user).status_code == 302


def test_mem_a1_password_initialization_also_unlocks(
    client: Client, member_user: User, member_admin: User
) -> None:
    for _ in range(5):
        login(client, member_user, "Wrong-pass9")
    services.reset_password_by_admin(actor=member_admin, user=member_user)
    mail = OutboxMessage.objects.filter(to=[member_user.email]).latest("id")
    new_password = re.search(r"パスワード: (\S+)", mail.body).group(1)  # type: ignore[union-attr]
    response = login(client, member_user, new_password)
    assert response.status_code == 302
    # A mailed password must be changed before anything else.
    assert client.get("/member/users/").url == "/member/password/change/"  # type: ignore[attr-defined]


def test_mem_a1_forced_change_after_90_days(client: Client, member_user: User) -> None:
    with time_machine.travel(timezone.localtime() + timedelta(days=89)):
        login(client, member_user)
        assert client.get("/member/").status_code == 200
    with time_machine.travel(timezone.localtime() + timedelta(days=90, minutes=1)):
        login(client, member_user)
        response = client.get("/member/")
        assert response.status_code == 302
        assert response["Location"] == "/member/password/change/"
        page = client.get("/member/password/change/")
        assert "有効期限" in page.content.decode()
        changed = client.post(
            "/member/password/change/",
            {"old_password": "Test-pass1", "new_password1": "Fresh-pass7", "new_password2": "Fresh-pass7"},
        )
        assert changed.status_code == 302
        assert client.get("/member/").status_code == 200


def test_mem_u1_password_change_rules_show_next_to_the_field(client: Client, member_user: User) -> None:
    login(client, member_user)
    response = client.post(
        "/member/password/change/",
        {"old_password": "Test-pass1", "new_password1": "Test-pass1", "new_password2": "Test-pass1"},
    )
    assert "過去3世代以内に使用したパスワードは使用できません" in response.content.decode()
    response = client.post(
        "/member/password/change/",
        {"old_password": "Bad-old-pass1", "new_password1": "Fresh-pass7", "new_password2": "Fresh-pass7"},
    )
    assert "現在のパスワードが正しくありません" in response.content.decode()
    member_user.refresh_from_db()
    assert member_user.check_password("Test-pass1")


ENGLISH_BROWSER = "en-US,en;q=0.9"


def shown_errors(response) -> list[str]:
    return re.findall(r'<p class="field__error" id="id_\w+_error">(.*?)</p>', page_text(response))


@pytest.mark.parametrize("accept_language", ["ja", ENGLISH_BROWSER])
@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Password1", ["よく使われているパスワードは使用できません。"]),
        ("Kouiki-taro", ["メールアドレスと似たパスワードは使用できません。"]),
        ("Ab1-" + "x" * 300, ["パスワードが長すぎます。"] * 2),
    ],
    ids=["common", "like-the-email", "too-long"],
)
def test_mem_u1_password_errors_are_japanese_only(
    client: Client, member_user: User, accept_language: str, password: str, expected: list[str]
) -> None:
    # Issue 17 point 16: an English browser saw "This password is too common." beside Japanese.
    member_user.email = "kouiki.taro@example.co.jp"
    member_user.save(update_fields=["email"])
    login(client, member_user)
    response = client.post(
        "/member/password/change/",
        {"old_password": "Test-pass1", "new_password1": password, "new_password2": password},
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    assert shown_errors(response) == expected


def test_mem_a1_a_too_long_login_password_is_refused_in_japanese(client: Client, member_user: User) -> None:
    response = client.post(
        LOGIN,
        {
            "organization_code": member_user.organization.code,
            "user_id": member_user.login_id,
            "password": "x" * 300,
        },
        HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER,
    )
    assert shown_errors(response) == ["パスワードが長すぎます。"]


def test_withdrawn_organization_cannot_log_in(client: Client, member_user: User) -> None:
    Organization.objects.filter(pk=member_user.organization_id).update(status=OrganizationStatus.WITHDRAWN)
    response = login(client, member_user)
    assert "会員資格を喪失" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("frozen_minute")
def test_login_is_rate_limited_per_address(client: Client, member_user: User, settings) -> None:
    settings.KOUIKI_LOGIN_RATE = "3/m"
    statuses = [
        client.post(
            LOGIN, {"organization_code": "0000", "user_id": f"x{i}", "password": "Wrong-pass9"}
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.usefixtures("frozen_minute")
def test_behind_the_proxy_each_client_has_its_own_limit(client: Client, member_user: User, settings) -> None:
    """Behind nginx every connection comes from the proxy: the client's address is the X-Real-IP it
    sets, believed only from KOUIKI_TRUSTED_PROXIES (the test client connects from 127.0.0.1)."""
    settings.KOUIKI_LOGIN_RATE = "2/m"
    settings.KOUIKI_TRUSTED_PROXIES = ["127.0.0.1"]

    tried = iter(range(100))

    def attempt(address: str) -> int:
        return client.post(
            LOGIN,
            {"organization_code": "0000", "user_id": f"x{next(tried)}", "password": "Wrong-pass9"},
            headers={"X-Real-IP": address},
        ).status_code

    assert [attempt("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert attempt("203.0.113.6") == 200  # another customer behind the same proxy
    assert Event.objects.filter(ip="203.0.113.6").exists()  # the audit log's "from where"
    settings.KOUIKI_TRUSTED_PROXIES = []
    # From an address that is no trusted proxy the header is the client's own claim: ignored.
    assert attempt("203.0.113.7") == 200
    assert attempt("203.0.113.8") == 200
    assert attempt("203.0.113.9") == 429
    assert not Event.objects.filter(ip__in=["203.0.113.7", "203.0.113.8"]).exists()


class TestPasswordReset:
    def request_reset(self, client: Client, user: User, email: str | None = None):
        return client.post(
            "/member/password/reset/",
            {"organization_code": user.organization.code, "email": email or user.email},
        )

    def reset_url(self, user: User) -> str:
        mail = OutboxMessage.objects.filter(to=[user.email], template="identity/mail/password_reset").latest(
            "id"
        )
        return re.search(r"http://[^\s]+(/member/password/reset/\S+/)", mail.body).group(1)  # type: ignore[union-attr]

    def test_same_answer_whether_or_not_the_address_exists(self, client: Client, member_user: User) -> None:
        known = self.request_reset(client, member_user)
        unknown = self.request_reset(client, member_user, email="nobody@example.com")
        assert known.status_code == unknown.status_code == 200
        assert page_text(known) == page_text(unknown)
        assert OutboxMessage.objects.filter(template="identity/mail/password_reset").count() == 1

    def test_token_is_single_use(self, client: Client, member_user: User) -> None:
        self.request_reset(client, member_user)
        url = self.reset_url(member_user)
        page = client.get(url)
        assert member_user.login_id in page.content.decode()
        done = client.post(url, {"new_password1": "Reset-pass5", "new_password2": "Reset-pass5"})
        assert done.status_code == 302
        member_user.refresh_from_db()
        assert member_user.check_password("Reset-pass5")
        again = client.post(url, {"new_password1": "Other-pass6", "new_password2": "Other-pass6"})
        assert again.status_code == 400
        member_user.refresh_from_db()
        assert member_user.check_password("Reset-pass5")

    def test_token_expires_after_30_minutes(self, client: Client, member_user: User) -> None:
        self.request_reset(client, member_user)
        url = self.reset_url(member_user)
        with time_machine.travel(timezone.localtime() + timedelta(minutes=29)):
            assert client.get(url).status_code == 200
        with time_machine.travel(timezone.localtime() + timedelta(minutes=31)):
            assert client.get(url).status_code == 400

    def test_reset_password_still_follows_the_policy(self, client: Client, member_user: User) -> None:
        self.request_reset(client, member_user)
        url = self.reset_url(member_user)
        response = client.post(url, {"new_password1": "short", "new_password2": "short"})
        assert "8文字以上" in response.content.decode()


def test_optional_totp_for_a_participant_administrator(client: Client, member_admin: User) -> None:
    from django_otp.oath import totp

    login(client, member_admin)
    page = client.get("/member/otp/")
    assert "QRコード" in page.content.decode()
    device = member_admin.totpdevice_set.get(confirmed=False)
    token = f"{totp(device.bin_key):06d}"
    client.post("/member/otp/", {"token": token})
    device.refresh_from_db()
    assert device.confirmed
    client.post("/member/logout/")

    response = login(client, member_admin)
    assert response["Location"] == "/member/login/otp/"
    assert "_auth_user_id" not in client.session
    assert (
        client.post("/member/login/otp/", {"token": "000000" if token != "000000" else "111111"}).status_code
        == 200
    )
    with time_machine.travel(timezone.localtime() + timedelta(seconds=31)):
        response = client.post("/member/login/otp/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/member/").status_code == 200


def test_ordinary_user_has_no_totp_page(client: Client, member_user: User) -> None:
    participant(organization=member_user.organization, role=Role.ADMIN, login_id="adm009")
    login(client, member_user)
    assert client.get("/member/otp/").status_code == 302


def test_mem_a1_unknown_id_costs_a_hash_like_a_wrong_password(
    client: Client, member_user: User, monkeypatch
) -> None:
    """No timing oracle: an unknown ID runs the password hasher as a wrong password does."""
    from kouiki.identity.hashers import TestArgon2PasswordHasher

    calls: list[str] = []
    encode, verify = TestArgon2PasswordHasher.encode, TestArgon2PasswordHasher.verify

    def counting_encode(self, password, salt):  # type: ignore[no-untyped-def]
        calls.append("encode")
        return encode(self, password, salt)

    def counting_verify(self, password, encoded):  # type: ignore[no-untyped-def]
        calls.append("verify")
        return verify(self, password, encoded)

    monkeypatch.setattr(TestArgon2PasswordHasher, "encode", counting_encode)
    monkeypatch.setattr(TestArgon2PasswordHasher, "verify", counting_verify)
    login(client, member_user, "Wrong-pass9")
    wrong_password = len(calls)
    calls.clear()
    client.post(
        LOGIN, {"organization_code": member_user.organization.code, "user_id": "nobody", "password": "x"}
    )
    assert wrong_password == len(calls) == 1


def test_turning_totp_off_takes_a_current_code(client: Client, member_admin: User) -> None:
    from django_otp.oath import totp

    login(client, member_admin)
    client.get("/member/otp/")
    device = member_admin.totpdevice_set.get(confirmed=False)
    client.post("/member/otp/", {"token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed
    assert "確認コード" in client.get("/member/otp/").content.decode()

    wrong = "000000" if f"{totp(device.bin_key):06d}" != "000000" else "111111"
    refused = client.post("/member/otp/remove/", {"token": wrong})
    assert refused.status_code == 200
    assert "確認コードが正しくありません" in refused.content.decode()
    assert member_admin.totpdevice_set.filter(confirmed=True).exists()
    assert client.post("/member/otp/remove/", {}).status_code == 200
    assert member_admin.totpdevice_set.filter(confirmed=True).exists()

    with time_machine.travel(timezone.localtime() + timedelta(seconds=31)):
        response = client.post("/member/otp/remove/", {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/member/profile/"
    assert not member_admin.totpdevice_set.exists()
