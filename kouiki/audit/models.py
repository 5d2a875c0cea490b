"""The append-only audit log: who did what to which object, when, and from where."""

from __future__ import annotations

from typing import Any, NoReturn

from django.apps import apps
from django.db import models
from django.utils import timezone

from kouiki.audit.choices import label
from kouiki.core.systems import site_name

# The actor_label of what the system does by itself (periodic jobs, operators' answers).
SYSTEM_ACTOR = "system"


class AppendOnlyError(Exception):
    pass


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("監査ログは変更できません。")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("監査ログは削除できません。")


class Event(models.Model):
    """One audited act. Actor and organization are kept as text too, so the row outlives them."""

    at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    system = models.CharField("システム", max_length=16, blank=True)
    actor_id = models.BigIntegerField("操作者ID", null=True, blank=True)
    actor_label = models.CharField("操作者", max_length=120, blank=True)
    organization_id = models.BigIntegerField("事業者ID", null=True, blank=True, db_index=True)
    organization_code = models.CharField("事業者コード", max_length=8, blank=True, db_index=True)
    # 受託者 (X-I2): the company whose user did the act for the organization above (its principal).
    contractor_id = models.BigIntegerField("受託者ID", null=True, blank=True)
    contractor_code = models.CharField("受託者の事業者コード", max_length=8, blank=True, default="")
    object_type = models.CharField("対象種別", max_length=64, blank=True)
    object_id = models.CharField("対象ID", max_length=64, blank=True)
    object_label = models.CharField("対象", max_length=200, blank=True)
    ip = models.CharField("接続元", max_length=64, blank=True)
    user_agent = models.CharField("ブラウザ", max_length=200, blank=True)
    purpose = models.CharField("利用目的", max_length=100, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("監査ログは変更できません。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("監査ログは削除できません。")

    @property
    def action_label(self) -> str:
        """The action's Japanese name, for the codes renamed since the row was written too."""
        return label(self.action)

    @property
    def system_label(self) -> str:
        """The Japanese name of the system the act was done in ("" when none was named)."""
        return site_name(self.system, self.system)

    @property
    def actor_display(self) -> str:
        """Who acted, as the viewer shows it: the system's own jobs are システム（自動処理）."""
        if self.actor_id is None and self.actor_label == SYSTEM_ACTOR:
            return "システム（自動処理）"
        return self.actor_label

    @property
    def object_type_label(self) -> str:
        """The Japanese name of the kind of object acted on (the model's verbose name)."""
        return object_type_label(self.object_type)


def object_type_label(object_type: str) -> str:
    """`identity.user` → ユーザ; a type no longer installed as it is."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
