"""X-I1: a user ID belongs to one natural person (seed 001 3.3, seed 002 3.3).

The one rule every registration and change of an account asks (the switching, capacity and member
systems' user administration, their CSV files, the administrators the organization issues, and the
organization's own staff):

- the person's name (氏名（姓）・氏名（名）) is given;
- the name is not a shared or role name: none of `KOUIKI_SHARED_ACCOUNT_NAME_PATTERNS` (共用, 部署,
  担当者, admin …; width and case ignored) appears in it;
- one person holds one ID in an organization's system: no other account there has the same full
  name and the same e-mail address (`person_key` says what "the same person" is; a CSV file of many
  uses it between its own rows too).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from kouiki.core.catalog import implements
from kouiki.core.errors import ValidationFailed

NAME_FIELDS = (("last_name", "氏名（姓）"), ("first_name", "氏名（名）"))
WHY = "ユーザIDは利用者本人（自然人）1人ごとに発行します。"


def _folded(value: str) -> str:
    """Width, case and spaces ignored: 「ａｄｍｉｎ」 is 「admin」, 「山田　太郎」 is 「山田太郎」."""
    return "".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def person_key(last_name: str, first_name: str, email: str) -> tuple[str, str]:
    """Who the person is, for "one person, one ID": the full name and the e-mail address."""
    return _folded(f"{last_name}{first_name}"), (email or "").strip().casefold()


def shared_pattern(value: str) -> str | None:
    """The configured shared or role pattern the value holds, or None."""
    folded = _folded(value)
    for pattern in settings.KOUIKI_SHARED_ACCOUNT_NAME_PATTERNS:
        if pattern and _folded(pattern) in folded:
            return str(pattern)
    return None


def name_errors(profile: dict[str, Any]) -> dict[str, list[str]]:
    """The name rules of one profile, by field: missing, or a shared or role name."""
    errors: dict[str, list[str]] = {}
    for field, label in NAME_FIELDS:
        value = str(profile.get(field) or "").strip()
        if not value:
            errors[field] = [f"{label}を入力してください。{WHY}"]
        elif (pattern := shared_pattern(value)) is not None:
            errors[field] = [
                f"{label}に「{pattern}」を含む名前は登録できません。{WHY}"
                "共用・部署・役割の名前ではなく、利用者本人の氏名を入力してください。"
            ]
    return errors


def holder_of(accounts: Iterable[Any], profile: dict[str, Any], exclude_pk: int | None = None) -> Any | None:
    """The account among `accounts` that is the same person as `profile`, or None."""
    key = person_key(
        str(profile.get("last_name") or ""),
        str(profile.get("first_name") or ""),
        str(profile.get("email") or ""),
    )
    for account in accounts:
        if (
            account.pk != exclude_pk
            and person_key(account.last_name, account.first_name, account.email) == key
        ):
            return account
    return None


def duplicate_message(login_id: str) -> str:
    return (
        f"同じ氏名・メールアドレスの方には既にユーザID {login_id} が発行されています。"
        "1人の方に発行できるユーザIDは1つのみです。"
    )


@implements("X-I1")
def check_person(
    profile: dict[str, Any], *, accounts: Iterable[Any] | None = None, exclude_pk: int | None = None
) -> None:
    """Refuse a profile that is no natural person's, or a second ID of one: `accounts` are the
    accounts of the same organization's system (the caller scopes them; their e-mail filtered is
    enough). `ValidationFailed` names each field in Japanese."""
    errors = name_errors(profile)
    if not errors and accounts is not None:
        holder = holder_of(accounts, profile, exclude_pk)
        if holder is not None:
            errors["email"] = [duplicate_message(holder.login_id)]
    if errors:
        raise ValidationFailed(errors=errors)
