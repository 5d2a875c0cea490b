"""The unique key Django's auth and django-axes see for an account."""

from __future__ import annotations


def participant_username(organization_code: str, login_id: str) -> str:
    """One user of one organization: user IDs are unique within an organization only."""
    return f"{organization_code}:{login_id}"


def staff_username(login_id: str) -> str:
    return f"staff:{login_id}"
