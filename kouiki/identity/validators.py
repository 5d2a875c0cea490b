"""Password validators: the policy of seed 003 (2.2) plus the offsets of current standards.

They are Django password validators, listed in settings.AUTH_PASSWORD_VALIDATORS, so that
`validate_password(password, user)` applies every rule, history included. Why composition rules
and expiry stay although NIST SP 800-63B-4 advises against them: docs/decisions/0002.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

# seed 003 2.2: the only symbols a password may contain.
ALLOWED_SYMBOLS = "+-_@./"
_ALLOWED = re.compile(r"^[A-Za-z0-9" + re.escape(ALLOWED_SYMBOLS) + r"]*$")


class LengthValidator:
    """At least 8 characters (seed 003); up to 128 so that passphrases fit (ASVS 5.0 6.2.9)."""

    def __init__(self, min_length: int = 8, max_length: int = 128) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"パスワードは{self.min_length}文字以上で入力してください。", code="password_too_short"
            )
        if len(password) > self.max_length:
            raise ValidationError(
                f"パスワードは{self.max_length}文字以下で入力してください。", code="password_too_long"
            )

    def get_help_text(self) -> str:
        return f"{self.min_length}文字以上{self.max_length}文字以下"


class AllowedCharactersValidator:
    """Half-width letters, digits and the symbols + - _ @ . / only (seed 003 2.2)."""

    def validate(self, password: str, user: Any = None) -> None:
        if not _ALLOWED.match(password):
            raise ValidationError(
                "パスワードに使用できるのは半角英字・数字と記号 + - _ @ . / のみです。",
                code="password_invalid_character",
            )

    def get_help_text(self) -> str:
        return "使用可能な記号は + - _ @ . / です"


def character_classes(password: str) -> int:
    """How many of upper-case, lower-case, digits and allowed symbols the password uses."""
    return sum(
        [
            any(c in string.ascii_uppercase for c in password),
            any(c in string.ascii_lowercase for c in password),
            any(c in string.digits for c in password),
            any(c in ALLOWED_SYMBOLS for c in password),
        ]
    )


class CharacterClassesValidator:
    """At least 3 of: upper-case, lower-case, digits, symbols (seed 003 2.2)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                "パスワードは半角の英大文字・英小文字・数字・記号のうち"
                f"{self.min_classes}種類以上を組み合わせてください。",
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return f"英大文字・英小文字・数字・記号のうち{self.min_classes}種類以上"


# Django's two checks below word their messages in English or by the active language; ours are
# Japanese only, so these give their messages in Japanese whatever the browser asks for.


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Not too like the user's ID, name or e-mail address (Django's comparison)."""

    # The user ID, not the internal 認証キー (事業者コード:ユーザID) the user never sees.
    USER_ATTRIBUTES = ("login_id", "last_name", "first_name", "email")

    def __init__(self, user_attributes: Sequence[str] = USER_ATTRIBUTES, max_similarity: float = 0.7) -> None:
        super().__init__(user_attributes, max_similarity)

    def get_error_message(self) -> str:
        # verbose_name is the model field's Japanese label (ユーザID, 氏名(姓), メールアドレス).
        return "%(verbose_name)sと似たパスワードは使用できません。"

    def get_help_text(self) -> str:
        return "ユーザID・氏名・メールアドレスと似たパスワードは使用できません"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Not one of the 20,000 common passwords of Django's list."""

    def get_error_message(self) -> str:
        return "よく使われているパスワードは使用できません。"

    def get_help_text(self) -> str:
        return "よく使われているパスワードは使用できません"


class PasswordHistoryValidator:
    """None of the last generations again (seed 003 2.2: 過去3世代), the current one included.

    The password a user was created with is the first entry of its history.
    """

    def __init__(self, generations: int = 3) -> None:
        self.generations = generations

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        hashes = list(user.password_history.values_list("password", flat=True)[: self.generations])
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        for encoded in hashes[: self.generations]:
            if check_password(password, encoded):
                raise ValidationError(
                    f"過去{self.generations}世代以内に使用したパスワードは使用できません。",
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        return f"過去{self.generations}世代以内に使用したパスワードは使用できません"
