"""Back-office staff: own login, TOTP enrolled at first login and required afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

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
    assert client.get("/backoffice/").status_code == 403


def test_django_admin_is_for_superusers_only(client: Client, staff: User) -> None:
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    staff.is_superuser = True
    staff.save()
    assert client.get("/admin/").status_code == 200


def test_django_admin_lists_accounts_read_only(client: Client, staff: User, member_user: User) -> None:
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    listing = client.get("/admin/identity/user/")
    assert listing.status_code == 200
    assert member_user.username in listing.content.decode()
    assert client.get("/admin/identity/user/add/").status_code == 403
    assert client.get("/admin/audit/event/").status_code == 200


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
