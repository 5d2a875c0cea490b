"""Authentication backend: Django's ModelBackend on the composed username, Argon2id hashes.

ModelBackend already hashes a dummy password for an unknown username, so a wrong ID and a wrong
password take the same time order of magnitude.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import prefetch_related_objects


class KouikiBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user))

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a request, with its organization and (a participant's user) its
        enrollments read with it: the access layer asks them many times a request (every guard,
        menu entry and right), as the API token's user comes with them (services.tokens)."""
        user = get_user_model()._default_manager.select_related("organization").filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        if user.organization_id is not None:
            prefetch_related_objects([user], "enrollments")
        return user
