"""The interface is Japanese whatever language the browser asks for (issue 17 point 16): Django's
own texts (a form's default messages) come in Japanese to an English browser too."""

from __future__ import annotations

import re

import pytest
from django.test import Client

ENGLISH = "en-US,en;q=0.9"


def errors(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'class="field__error"[^>]*>(.*?)</p>', response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/member/login/", "/switching/login/", "/member/password/reset/", "/backoffice/login/"]
)
def test_pages_answer_in_japanese_to_an_english_browser(client: Client, path: str) -> None:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=ENGLISH)
    assert response.status_code == 200
    assert response.get("Content-Language", "ja") == "ja"
    assert '<html lang="ja">' in response.content.decode()


@pytest.mark.django_db
def test_a_password_reset_error_is_japanese_to_an_english_browser(client: Client) -> None:
    response = client.post(
        "/member/password/reset/",
        {"organization_code": "9001", "email": "not-an-address"},
        HTTP_ACCEPT_LANGUAGE=ENGLISH,
    )
    assert errors(response) == ["有効なメールアドレスを入力してください。"]
    assert response.get("Content-Language", "ja") == "ja"


def test_django_s_own_form_message_is_japanese_to_an_english_browser(staff_client: Client) -> None:
    # The audit log's date filter keeps Django's default message for a date it cannot read.
    response = staff_client.get(
        "/backoffice/audit/", {"date_from": "2026-13-45"}, HTTP_ACCEPT_LANGUAGE=ENGLISH
    )
    assert response.status_code == 200
    shown = errors(response)
    assert shown and all(not re.search(r"[A-Za-z]{3,}", message) for message in shown), shown
