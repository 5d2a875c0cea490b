"""Domain errors: a stable code and a Japanese message, never an HTTP response.

Views show `message` next to `field` (or in the summary); the API turns the same error into
RFC 9457 problem details with `code`, `detail` and `errors`.
"""

from __future__ import annotations

from collections.abc import Callable


class KouikiError(Exception):
    """Base of every domain error."""

    code = "error"
    status = 400
    default_message = "処理できませんでした。"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.field = field
        self.errors: dict[str, list[str]] = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = [self.message]
        super().__init__(self.message)


class ValidationFailed(KouikiError):
    code = "validation_failed"
    status = 422
    default_message = "入力内容に誤りがあります。"


class NotFound(KouikiError):
    """The object does not exist or belongs to another organization (never say which)."""

    code = "not_found"
    status = 404
    default_message = "指定されたデータは存在しません。"


class Forbidden(KouikiError):
    code = "forbidden"
    status = 403
    default_message = "この機能を利用する権限がありません。"


class Conflict(KouikiError):
    code = "conflict"
    status = 409
    default_message = "他の処理と競合したため処理できませんでした。"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "現在の状態ではこの操作はできません。"


def refuse_together(*checks: Callable[[], None]) -> None:
    """Run every check and refuse once with all their errors per field (the first refusal's message
    and code), so that the user corrects everything in one go instead of one error per submission."""
    refusals: list[ValidationFailed] = []
    for check in checks:
        try:
            check()
        except ValidationFailed as error:
            refusals.append(error)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        errors: dict[str, list[str]] = {}
        for refusal in refusals:
            for field, messages in refusal.errors.items():
                errors.setdefault(field, []).extend(messages)
        raise ValidationFailed(refusals[0].message, code=refusals[0].code, errors=errors)
