"""The systems Kouiki serves and the roles a participant's user holds in each."""

from __future__ import annotations

from django.db import models


class System(models.TextChoices):
    MEMBER = "member", "会員情報管理システム"
    SWITCHING = "switching", "スイッチング支援システム"
    CAPACITY = "capacity", "容量市場システム"


class Role(models.TextChoices):
    ADMIN = "admin", "管理者"
    USER = "user", "一般ユーザ"
