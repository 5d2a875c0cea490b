"""The capacity market's demo data (README): idempotent; the accounts log in with Demo-pass1 at once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from kouiki.capacity import demo
from kouiki.capacity.models import Operator, PowerSource
from kouiki.identity.models import User
from kouiki.reviews.models import Application


@pytest.mark.django_db
def test_the_demo_participant_has_sources_of_every_category_and_one_under_review(client: Client) -> None:
    assert demo.load() > 0
    snapshot = sorted(User.objects.values_list("username", "password"))
    assert demo.load() == 0
    assert sorted(User.objects.values_list("username", "password")) == snapshot

    operator = Operator.objects.get(organization__code="9201")
    assert operator.name == "キャパシティ発電株式会社" and operator.contract_started_at is not None
    categories = set(PowerSource.objects.filter(operator=operator).values_list("category", flat=True))
    assert categories == {"stable", "variable_single", "variable_aggregate", "dispatchable"}
    waiting = Application.objects.get(kind="capacity.source", organization=operator.organization)
    assert waiting.state == "submitted"

    for login_id in ("adm001", "usr001"):
        browser = Client()
        response = browser.post(
            "/capacity/login/", {"organization_code": "9201", "user_id": login_id, "password": "Demo-pass1"}
        )
        assert response.status_code == 302, login_id
        menu = browser.get("/capacity/")
        assert menu.status_code == 200, login_id  # no forced password change in the demo
        assert "電源等情報管理" in menu.content.decode()
    admin = User.objects.get(organization=operator.organization, login_id="adm001")
    assert admin.password_expiry_exempt and operator.administrator == admin


@pytest.mark.django_db
def test_load_demo_loads_the_capacity_participant() -> None:
    call_command("load_demo")
    call_command("load_demo")
    assert Operator.objects.filter(organization__code="9201").count() == 1
    assert PowerSource.objects.filter(operator__organization__code="9201").count() == 5
