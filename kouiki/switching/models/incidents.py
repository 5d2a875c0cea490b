"""Leak incidents (漏えい等事案, SW-P3; seed 001 §4.6): a leak, loss or damage of the customers'
personal data a participant obtained through the hub, the customers (supply points) it touched,
the notification of each of them, and the publication of the facts and the prevention measures —
or the one of the four exceptions of §4.6 that spares the publication, with its justification.
The organization's staff see every incident and keep their own notes on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from kouiki.switching.models.registry import SupplyPoint


class IncidentKind(models.TextChoices):
    LEAK = "leak", "漏えい"
    LOSS = "loss", "滅失"
    DAMAGE = "damage", "毀損"


class IncidentState(models.TextChoices):
    OPEN = "open", "対応中"
    CLOSED = "closed", "完了"


class PublicationException(models.TextChoices):
    """The four cases of seed 001 §4.6 in which the facts and prevention need not be published."""

    ALL_NOTIFIED = "all_notified", "①影響を受ける可能性のある本人すべてに連絡がついた場合"
    RECOVERED = "recovered", "②紛失等した個人情報を、第三者に見られることなく、速やかに回収した場合"
    ENCRYPTED = "encrypted", "③高度な暗号化等の秘匿化が施されている場合"
    NOT_IDENTIFIABLE = (
        "not_identifiable",
        "④漏えい等をした事業者以外では、特定の個人を識別することができない場合",
    )


class NotificationOutcome(models.TextChoices):
    PENDING = "pending", "未連絡"
    NOTIFIED = "notified", "連絡済み"
    UNREACHABLE = "unreachable", "連絡がつかない"


class NotificationMethod(models.TextChoices):
    LETTER = "letter", "郵送"
    PHONE = "phone", "電話"
    EMAIL = "email", "電子メール"
    VISIT = "visit", "訪問"
    OTHER = "other", "その他"


class LeakIncident(models.Model):
    """One incident of one participant (its organization is the one that leaked)."""

    organization = models.ForeignKey(
        "identity.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # (organization, created_at) below serves it
        verbose_name="事業者",
    )
    kind = models.CharField("事案の種類", max_length=8, choices=IncidentKind.choices)
    summary = models.TextField("事案の概要")
    data_items = models.CharField("対象となった個人データの項目", max_length=200)
    occurred_on = models.DateField("発生日", null=True, blank=True)
    found_on = models.DateField("発覚日")
    cause = models.TextField("原因")
    state = models.CharField("状態", max_length=8, choices=IncidentState.choices, default=IncidentState.OPEN)

    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登録者"
    )
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    # 公表: the facts and the prevention measures, where and when.
    published_on = models.DateField("公表日", null=True, blank=True)
    publication_place = models.CharField("公表場所", max_length=200, blank=True)
    prevention = models.TextField("再発防止策", blank=True)

    # Or one of the four exceptions, with why it applies.
    exception = models.CharField(
        "公表しない理由（例外）", max_length=16, choices=PublicationException.choices, blank=True
    )
    exception_justification = models.TextField("例外に該当する根拠", blank=True)

    closed_at = models.DateTimeField("完了日時", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完了者",
    )

    class Meta:
        verbose_name = "漏えい等事案"
        verbose_name_plural = "漏えい等事案"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="switching_leak_org_created")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=IncidentKind.values), name="switching_leak_kind"),
            models.CheckConstraint(condition=Q(state__in=IncidentState.values), name="switching_leak_state"),
            models.CheckConstraint(
                condition=Q(exception="") | Q(exception__in=PublicationException.values),
                name="switching_leak_exception",
            ),
        ]

    def __str__(self) -> str:
        return f"漏えい等事案 {self.number}"

    @property
    def number(self) -> str:
        """The number people quote (事案番号): "LI" and the id, six digits at least."""
        return f"LI{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.state == IncidentState.OPEN

    @property
    def is_published(self) -> bool:
        return self.published_on is not None


class IncidentPoint(models.Model):
    """A customer (supply point) the incident touched, and the notification of that customer."""

    incident = models.ForeignKey(
        LeakIncident, on_delete=models.CASCADE, related_name="points", verbose_name="漏えい等事案"
    )
    supply_point = models.ForeignKey(
        SupplyPoint, on_delete=models.PROTECT, related_name="+", verbose_name="供給地点"
    )
    outcome = models.CharField(
        "本人への連絡",
        max_length=12,
        choices=NotificationOutcome.choices,
        default=NotificationOutcome.PENDING,
    )
    notified_on = models.DateField("連絡日", null=True, blank=True)
    method = models.CharField("連絡方法", max_length=8, choices=NotificationMethod.choices, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)
    recorded_at = models.DateTimeField("記録日時", null=True, blank=True)

    class Meta:
        verbose_name = "漏えい等事案の対象地点"
        verbose_name_plural = "漏えい等事案の対象地点"
        ordering = ["incident", "supply_point__number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "supply_point"], name="switching_leak_point_once"),
            models.CheckConstraint(
                condition=Q(outcome__in=NotificationOutcome.values), name="switching_leak_point_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.supply_point_id} {self.outcome}"


class IncidentNote(models.Model):
    """A note of the organization's staff on an incident (seen in the back office only)."""

    incident = models.ForeignKey(
        LeakIncident, on_delete=models.CASCADE, related_name="notes", verbose_name="漏えい等事案"
    )
    at = models.DateTimeField("記録日時", auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="記録者"
    )
    body = models.TextField("メモ")

    class Meta:
        verbose_name = "漏えい等事案のメモ"
        verbose_name_plural = "漏えい等事案のメモ"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"
