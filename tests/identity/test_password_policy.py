"""The password policy of seed 003 2.2, applied through Django's validate_password."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from kouiki.identity import services
from kouiki.identity.models import User


def codes(password: str, user: User | None = None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list if e.code}
    return set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-xyz", "password_too_short"),  # 7 characters
        ("A" * 60 + "b1-" + "c" * 66, "password_too_long"),  # 129 characters
        ("Abcdefg1!", "password_invalid_character"),  # "!" is not an allowed symbol
        ("Abcd efg1", "password_invalid_character"),  # nor is a space
        ("Ａbcdefg1", "password_invalid_character"),  # full-width letter
        ("abcdefgh", "password_too_few_classes"),  # one class
        ("abcdefg12", "password_too_few_classes"),  # two classes
        ("ABCD-EFGH", "password_too_few_classes"),  # two classes
        ("Password1", "password_too_common"),  # Django's list of common passwords
    ],
)
def test_mem_a1_policy_rejects(password: str, code: str) -> None:
    assert code in codes(password)


@pytest.mark.parametrize(
    "password",
    [
        "Kouiki-2026",  # upper, lower, digit, symbol
        "kouiki-grid@2026",  # lower, digit, symbol
        "KOUIKI.grid/x",  # upper, lower, symbol
        "Gr1dOperat0r",  # upper, lower, digit
        "Ab1+Cd2_",  # exactly 8 characters, every allowed symbol class works
        "correct-horse-battery-staple-power-grid-2026-" + "x" * 83,  # a 128-character passphrase
    ],
)
def test_mem_a1_policy_accepts(password: str) -> None:
    assert len(password) <= 128
    assert codes(password) == set()


@pytest.mark.django_db
def test_mem_a1_history_refuses_the_last_three_including_the_initial_password(member_user: User) -> None:
    initial = "Test-pass1"  # the password the user was created with (tests/factories.py)
    assert "password_reused" in codes(initial, member_user)
    services.change_own_password(actor=member_user, old_password=initial, new_password="Second-pass2")
    services.change_own_password(actor=member_user, old_password="Second-pass2", new_password="Third-pass3")
    for reused in (initial, "Second-pass2", "Third-pass3"):
        assert "password_reused" in codes(reused, member_user)
    services.change_own_password(actor=member_user, old_password="Third-pass3", new_password="Fourth-pass4")
    # The initial password is now four generations back: allowed again.
    assert "password_reused" not in codes(initial, member_user)
    assert "password_reused" in codes("Second-pass2", member_user)


@pytest.mark.django_db
def test_generated_passwords_satisfy_the_policy(member_user: User) -> None:
    for _ in range(20):
        assert codes(services.generate_password(), member_user) == set()
