"""The demo data of the README: idempotent, refused in production."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kouiki.identity.models import Enrollment, User
from kouiki.membership.models import MemberProfile


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_accounts_log_in(client: Client, settings) -> None:
    call_command("load_demo")
    snapshot = sorted(User.objects.values_list("username", "password"))
    call_command("load_demo")
    assert sorted(User.objects.values_list("username", "password")) == snapshot
    assert Enrollment.objects.filter(user__organization__code="9001").count() == 2
    assert MemberProfile.objects.filter(organization__code="9001", version=1).count() == 1
    response = client.post(
        "/member/login/", {"organization_code": "9001", "user_id": "adm001", "password": "Demo-pass1"}
    )
    assert response.status_code == 302
    assert "広域電力株式会社" in client.get("/member/").content.decode()
    settings.KOUIKI_STAFF_OTP_REQUIRED = False
    staff_client = Client()
    response = staff_client.post("/backoffice/login/", {"user_id": "reviewer", "password": "Demo-pass1"})
    assert response["Location"] == "/backoffice/"


@pytest.mark.django_db
def test_load_demo_refuses_production_settings(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()
