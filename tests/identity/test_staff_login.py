"""Back-office staff: own login, TOTP enrolled at first login and required afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from kouiki.identity import access
from kouiki.identity.models import User

FAILED = "ユーザIDもしくはパスワードが不正です"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: None) -> None:
    cache.clear()


def test_staff_enrolls_totp_at_first_login_then_needs_it(client: Client, staff: User) -> None:
    response = client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Test-pass1"})
    assert response["Location"] == "/backoffice/otp/setup/"
    assert client.get("/backoffice/").status_code == 302  # not logged in yet
    page = client.get("/backoffice/otp/setup/")
    assert "QRコード" in page.content.decode()
    device = staff.totpdevice_set.get(confirmed=False)
    response = client.post("/backoffice/otp/setup/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200
    client.post("/backoffice/logout/")

    response = client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Test-pass1"})
    assert response["Location"] == "/backoffice/login/otp/"
    wrong = client.post("/backoffice/login/otp/", {"token": "123456"})
    assert "確認コードが正しくありません" in wrong.content.decode()
    with time_machine.travel(timezone.localtime() + timedelta(seconds=31)):
        device.refresh_from_db()
        ok = client.post("/backoffice/login/otp/", {"token": f"{totp(device.bin_key):06d}"})
        assert ok.status_code == 302
        assert client.get("/backoffice/").status_code == 200


def test_staff_without_otp_when_not_required(client: Client, staff: User, settings) -> None:
    settings.KOUIKI_STAFF_OTP_REQUIRED = False
    response = client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Test-pass1"})
    assert response["Location"] == "/backoffice/"
    assert "業務メニュー" in client.get("/backoffice/").content.decode()


def test_participant_cannot_use_the_back_office(client: Client, member_admin: User) -> None:
    response = client.post("/backoffice/login/", {"user_id": "adm001", "password": "Test-pass1"})
    assert FAILED in response.content.decode()
    client.force_login(member_admin)
    response = client.get("/backoffice/", follow=True)
    assert response.redirect_chain[0][0].startswith("/backoffice/login/")
    assert "ログイン中のユーザは業務管理（本機関）を利用できません。" in response.content.decode()


def test_django_admin_is_for_superusers_who_passed_the_back_office_door(client: Client, staff: User) -> None:
    client.force_login(staff)
    session = client.session
    session[access.STAFF_VERIFIED] = True
    session.save()
    assert client.get("/admin/").status_code == 302  # staff, not a superuser
    staff.is_superuser = True
    staff.save()
    assert client.get("/admin/").status_code == 200


def test_django_admin_does_not_open_with_a_password_alone(client: Client, staff: User) -> None:
    staff.is_superuser = True
    staff.save()
    # The admin's own login form is gone: its page sends the visitor to the back-office login.
    page = client.get("/admin/login/?next=/admin/identity/user/")
    assert page.status_code == 302
    assert page["Location"] == "/backoffice/login/?next=/admin/identity/user/"
    posted = client.post("/admin/login/", {"username": staff.username, "password": "Test-pass1"})
    assert posted.status_code == 302
    assert not client.session.get("_auth_user_id")
    assert client.get("/admin/").status_code == 302
    # A session with the password passed but not the second factor is not enough either.
    client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Test-pass1"})
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # An outside address after login is never followed.
    outside = client.get("/admin/login/?next=https://evil.example/")
    assert outside["Location"] == "/backoffice/login/?next=/admin/"


def test_django_admin_login_attempts_are_rate_limited(client: Client, staff: User, settings) -> None:
    settings.KOUIKI_LOGIN_RATE = "5/m"
    staff.is_superuser = True
    staff.save()
    statuses = []
    for _ in range(7):
        client.get("/admin/login/")
        wrong = {"user_id": "reviewer", "password": "wrong"}
        statuses.append(client.post("/backoffice/login/?next=/admin/", wrong).status_code)
    assert statuses[-1] == 429


def test_django_admin_after_the_second_factor(client: Client, staff: User) -> None:
    staff.is_superuser = True
    staff.save()
    client.post("/backoffice/login/?next=/admin/", {"user_id": "reviewer", "password": "Test-pass1"})
    client.get("/backoffice/otp/setup/")
    device = staff.totpdevice_set.get(confirmed=False)
    done = client.post("/backoffice/otp/setup/", {"token": f"{totp(device.bin_key):06d}", "next": "/admin/"})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_django_admin_lists_accounts_read_only(staff_client: Client, staff: User, member_user: User) -> None:
    staff.is_superuser = True
    staff.save()
    listing = staff_client.get("/admin/identity/user/")
    assert listing.status_code == 200
    assert member_user.username in listing.content.decode()
    assert staff_client.get("/admin/identity/user/add/").status_code == 403
    assert staff_client.get("/admin/audit/event/").status_code == 200


def test_a_wrong_code_at_enrollment_keeps_the_scanned_qr_code_valid(client: Client, staff: User) -> None:
    client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Test-pass1"})
    client.get("/backoffice/otp/setup/")
    scanned = staff.totpdevice_set.get(confirmed=False)
    right = f"{totp(scanned.bin_key):06d}"
    wrong = client.post("/backoffice/otp/setup/", {"token": "000000" if right != "000000" else "111111"})
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert staff.totpdevice_set.get(confirmed=False).pk == scanned.pk
    # django-otp throttles after a failure: the next code is tried a little later.
    with time_machine.travel(timezone.localtime() + timedelta(seconds=31)):
        response = client.post("/backoffice/otp/setup/", {"token": f"{totp(scanned.bin_key):06d}"})
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200
