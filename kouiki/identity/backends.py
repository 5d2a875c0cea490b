"""Authentication backend: Django's ModelBackend on the composed username, Argon2id hashes.

ModelBackend already hashes a dummy password for an unknown username, so a wrong ID and a wrong
password take the same time order of magnitude.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class KouikiBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user))
